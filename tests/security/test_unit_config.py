"""A unit's own ``sites/<id>/mkdocs.yml`` is untrusted: it may describe the unit, nothing more.
Everything that would run code, read files or secrets, or inject markup is refused before any
site builds (exit 2, every problem named by file and field)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import SMALL_NETWORK, make_network
from edusite.cli import main
from edusite.errors import EdusiteError
from edusite.structure.network import get_network

CFG = "sites/th-a/mkdocs.yml"


def _edit(root: Path, change: Any) -> None:
    path = root / CFG
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(cfg)
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(root: Path) -> str:
    with pytest.raises(EdusiteError) as info:
        get_network(root)
    return "\n".join(str(p) for p in info.value.problems)


@pytest.fixture
def net(tmp_path: Path) -> Path:
    return make_network(tmp_path / "net", SMALL_NETWORK)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("hooks", ["../../content/th-a/evil.py"]),
        ("plugins", {"search": {}}),
        ("markdown_extensions", ["pymdownx.snippets"]),
        ("theme", {"name": "material", "custom_dir": "/tmp"}),
        ("extra_javascript", ["https://evil.example/x.js"]),
        ("extra_css", ["https://evil.example/x.css"]),
        ("exclude_docs", "!.git"),
        ("strict", False),
        ("use_directory_urls", False),
    ],
)
def test_keys_reserved_to_the_network_admins(net: Path, key: str, value: Any) -> None:
    _edit(net, lambda cfg: cfg.__setitem__(key, value))
    text = _problems(net)
    line = next(x for x in text.splitlines() if f"'{key}'" in x)
    assert CFG in line and "chỉ quản trị mạng" in line and "network's admins" in line


def test_extra_keys_other_than_unit_are_reserved(net: Path) -> None:
    _edit(net, lambda cfg: cfg["extra"].update(material_js=True, analytics={"provider": "x"}))
    text = _problems(net)
    assert "extra.material_js" in text and "extra.analytics" in text


def test_yaml_tags_are_refused(net: Path) -> None:
    path = net / CFG
    text = path.read_text(encoding="utf-8").replace(
        "site_name: Trường Tiểu học A", "site_name: !ENV [GITHUB_TOKEN, 'x']"
    )
    assert "!ENV" in text
    path.write_text(text, encoding="utf-8")
    os.environ["GITHUB_TOKEN"] = "ghp_secret_token_value"
    try:
        problems = _problems(net)
    finally:
        del os.environ["GITHUB_TOKEN"]
    assert "site_name" in problems and "!ENV" in problems
    assert "ghp_secret_token_value" not in problems


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("docs_dir", "/etc"),
        ("docs_dir", "../../content/pgd"),
        ("docs_dir", "../../../../"),
        ("site_dir", "../../sites"),
        ("INHERIT", "/etc/passwd"),
    ],
)
def test_paths_stay_in_the_units_own_folders(net: Path, key: str, value: str) -> None:
    _edit(net, lambda cfg: cfg.__setitem__(key, value))
    assert f"'{key}'" in _problems(net)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("site_url", "javascript:alert(1)//"),
        # accepted by the URL check once cleaned, so only the clean form may be written
        ("site_url", 'https://a.vn/th-a/"><img src=x onerror=alert(1)>'),
        ("site_url", "https://a.vn/th a/"),
        ("site_url", "https://a.vn/th-a/\n::error::x"),
        # one-line fields: a line break would start a line of its own in every log and report
        ("name", "Trường A\n::error::forged"),
        ("short_name", "TH A\r##[warning]forged"),
        ("address", "Số 1\u2028::warning::x"),
        ("name", "Trường\tA"),
        ("social", {"facebook": "javascript:alert(1)"}),
        ("social", {"zalo": "data:text/html,<script>alert(1)</script>"}),
        ("email", 'a@b.vn" onmouseover="alert(1)'),
        ("phone", '0207"><script>alert(1)</script>'),
        ("quick_links", [{"title": "Cổng", "url": "javascript:alert(1)"}]),
        ("quick_links", [{"title": "<b>Cổng</b>", "url": "https://a.vn/"}]),
        ("name", "Trường <script>alert(1)</script>"),
        ("name", "Trường &lt;b&gt;"),
        ("name", "Trường \u202egnp.exe"),
        ("address", {"nested": "mapping"}),
        ("groups", ["Tổ <img src=x onerror=alert(1)>"]),
        ("editor", {"name": "<svg onload=alert(1)>"}),
        ("colors", {"primary": "red;}</style><script>alert(1)</script>"}),
        ("logo", "../../../../etc/passwd"),
        ("logo", "logo.svg"),
    ],
)
def test_unit_fields_are_checked(net: Path, field: str, value: Any) -> None:
    if field == "logo" and value == "logo.svg":
        (net / "content/th-a/logo.svg").write_text("<svg onload='alert(1)'/>", encoding="utf-8")
    if field == "site_url":
        _edit(net, lambda cfg: cfg.__setitem__("site_url", value))
    else:
        _edit(net, lambda cfg: cfg["extra"]["unit"].__setitem__(field, value))
    problems = _problems(net)
    assert field in problems, problems


def test_misspelt_unit_key_is_a_warning_with_a_suggestion(net: Path) -> None:
    _edit(net, lambda cfg: cfg["extra"]["unit"].__setitem__("emial", "a@b.vn"))
    network = get_network(net)  # a warning does not stop the build
    (warning,) = [w for w in network.warnings if "emial" in str(w)]
    assert "'email'" in str(warning) and "did you mean" in str(warning)
    result = CliRunner().invoke(main, ["build", "--root", str(net), "-j", "1", "--offline", "th-a"])
    assert "emial" in result.output


def test_build_exits_2_naming_the_file_and_builds_nothing(net: Path) -> None:
    _edit(net, lambda cfg: cfg.__setitem__("hooks", ["evil.py"]))
    (net / "sites/th-a/evil.py").write_text(
        "import pathlib\npathlib.Path('PWNED').write_text('x')\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["build", "--root", str(net), "-j", "1", "--offline"])
    assert result.exit_code == 2
    assert CFG in result.output and "'hooks'" in result.output
    assert not (net / "public").exists() or not any((net / "public").iterdir())
    assert not (net / "PWNED").exists() and not Path("PWNED").exists()
