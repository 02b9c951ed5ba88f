"""The web editor's outputs, fed what a unit's own editors can write.

A unit's ``sites/<id>/mkdocs.yml`` is untrusted (its editors own it): its name, groups and
``editors`` reach the generated ``CODEOWNERS``, the admin page ``/<unit>/quan-tri/`` (its
``<title>``) and the editor's ``config.json``; the local preview's error banner shows what a
failed build said about hostile files. The rules, whatever the value:

* refuse or escape: a value the network accepts reaches each output as text (the attack suite's
  HTML oracle on the page, JSON that parses, a CODEOWNERS line per unit folder with owners only);
* confine: a unit's text lands only where it is data (a default value, a select option), never
  in a label, hint (Decap renders hints as Markdown), template or URL of the configuration;
* cap: the banner lists at most ``BANNER_LINES`` errors.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import make_network
from edusite.cli import main
from edusite.errors import EdusiteError
from edusite.structure.network import get_network
from hostile import CONFIG_TEXT, PAYLOADS, html_problems

BASE_UNITS: dict[str, dict[str, Any]] = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so"},
    "pgd": {"name": "Phòng GDĐT Thử", "kind": "portal", "parent": "so"},
    "th-a": {
        "name": "Trường Tiểu học A",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
        "editors": ["@hoa.nguyen"],
    },
}
ADMINS = '    cms:\n      admins: ["@so-thu/quan-tri"]\n'
#: Text values a unit could try: the attack suite's, the config text the network accepts, and
#: line breaks, bidi and template syntax.
TEXTS = [
    *PAYLOADS,
    CONFIG_TEXT,
    "Trường A\n* @ke-gian",
    "Trường A\r\n/content/ @ke-gian",
    "Trường {{fields.title}} ${title} %{status}",
    "[bấm](javascript:alert(1)) **đậm**",
]


def _network(root: Path, th_a: dict[str, Any]) -> Path | str:
    """The network with th-a's fields changed, or the problems it was refused with."""
    units = {**BASE_UNITS, "th-a": {**BASE_UNITS["th-a"], **th_a}}
    make_network(root, units, {"content/th-a/index.md": "# A\n"})
    base = (root / "mkdocs.yml").read_text(encoding="utf-8")
    base = re.sub(r"\n    cms:\n(      .*\n)+", "\n", base)
    anchor = '    accent: "#b3261e"\n'
    (root / "mkdocs.yml").write_text(base.replace(anchor, anchor + ADMINS), encoding="utf-8")
    try:
        get_network(root)
    except EdusiteError as exc:
        return "\n".join(str(p) for p in exc.problems)
    return root


# -- CODEOWNERS ------------------------------------------------------------------------------

HOSTILE_EDITORS = [
    "@hoa\n* @ke-gian",
    "@hoa\r/content/ @ke-gian",
    "@hoa # @ke-gian",
    "@hoa @ke-gian",
    "*",
    "/content/th-a/",
    "@hoa\u2028* @ke-gian",
    "@hoa\x85* @ke-gian",
    "\uff20hoa",  # fullwidth @
    "@hoa.nguyễn",
    "@" + "a" * 300,
    "@org/" + "/".join(["t"] * 9),
    "@hoa\n",  # a trailing newline: the same account, trimmed
    "<script>alert(1)</script>",
    "@hoa\\@ke-gian",
]
#: A CODEOWNERS owner: a user or a team, nothing else.
OWNER_RE = re.compile(r"^@[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?(?:/[A-Za-z0-9._-]+)*$")


@pytest.mark.parametrize("editor", HOSTILE_EDITORS)
def test_codeowners_holds_only_owners(tmp_path: Path, editor: str) -> None:
    root = _network(tmp_path / "net", {"editors": ["@lan.tran", editor]})
    if isinstance(root, str):  # refused, naming the entry
        assert "extra.unit.editors[1]" in root, root
        return
    result = CliRunner().invoke(main, ["cms", "codeowners", "--root", str(root)])
    assert result.exit_code == 0, result.output
    lines = (root / "CODEOWNERS").read_text(encoding="utf-8").split("\n")
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0].startswith("* ")
    assert sorted(r.split(" ")[0] for r in rules[1:]) == sorted(
        f"/{top}/{uid}/" for uid in BASE_UNITS for top in ("content", "sites")
    )
    for rule in rules:
        owners = rule.split(" ")[1:]
        assert owners and all(OWNER_RE.match(o) for o in owners), rule
    if editor == "@hoa\n":  # accepted: the account, trimmed
        assert "/content/th-a/ @lan.tran @hoa @so-thu/quan-tri" in rules


def test_editors_list_is_capped(tmp_path: Path) -> None:
    root = _network(tmp_path / "net", {"editors": [f"@u{i}" for i in range(51)]})
    assert isinstance(root, str) and "extra.unit.editors" in root


# -- the admin page and config.json ----------------------------------------------------------


class _Title(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside, self.text = False, ""

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.inside = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data


def _where(value: Any, needle: str, path: str = "") -> list[str]:
    """The paths in ``value`` (a parsed config) of every string holding ``needle``."""
    if isinstance(value, str):
        return [path] if needle in value else []
    if isinstance(value, dict):
        named = value.get("name")
        return [
            p
            for k, v in value.items()
            for p in _where(
                v, needle, f"{path}/{named}.{k}" if isinstance(named, str) else f"{path}.{k}"
            )  # fmt: skip
        ]
    if isinstance(value, list):
        return [p for v in value for p in _where(v, needle, f"{path}[]")]
    return []


#: Where a unit's name and groups may appear in config.json: as data.
DATA_PLACES = {
    "name": {".collections[]/van-ban.fields[]/co_quan_ban_hanh.default"},
    "groups": {".collections[]/tin-tuc.fields[]/group.options[]"},
}
#: Configuration strings the editor uses as URLs.
URL_KEYS = {"site_url", "display_url", "base_url", "api_root", "proxy_url", "auth_endpoint"}


def _admin(tmp_path: Path, th_a: dict[str, Any]) -> tuple[str, dict[str, Any], str] | str:
    """The admin page, config.json and the unit's name as the network read it; or the
    problems the unit was refused with."""
    root = _network(tmp_path / "net", th_a)
    if isinstance(root, str):
        return root
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["cms", "config", "th-a", "--root", str(root), "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    admin = out / "th-a" / "quan-tri"
    page = (admin / "index.html").read_text(encoding="utf-8")
    config = json.loads((admin / "config.json").read_text(encoding="utf-8"))
    return page, config, get_network(root)["th-a"].name


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_unit_name_reaches_the_admin_page_and_config_as_text(tmp_path: Path, text: str) -> None:
    name = f"ZQX {text}"
    got = _admin(tmp_path, {"name": name})
    if isinstance(got, str):  # refused by the unit-config allow-list
        assert "extra.unit.name" in got, got
        return
    page, config, read = got
    assert "ZQX" in read
    assert html_problems(page) == ["Content-Security-Policy allows inline script"]  # 'unsafe-eval'
    title = _Title()
    title.feed(page)
    read = read.replace("\r\n", "\n").replace("\r", "\n")  # as a browser (and read_text) reads it
    assert title.text == f"Quản trị nội dung – {read}"  # the whole name, as text
    assert set(_where(config, "ZQX")) <= DATA_PLACES["name"], _where(config, "ZQX")
    _urls_are_web(config)


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_admin_page_escapes_any_name(text: str) -> None:
    """The page escapes on its own, not only because the network refuses tags in a name."""
    from edusite.cms import admin_page

    page = admin_page(text, "../../_shared/cms/decap-cms-x", ["https://api.github.com"])
    assert html_problems(page) == ["Content-Security-Policy allows inline script"]
    title = _Title()
    title.feed(page)
    assert title.text == f"Quản trị nội dung – {text}"


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_unit_groups_reach_the_config_as_options_only(tmp_path: Path, text: str) -> None:
    got = _admin(tmp_path, {"groups": ["Công đoàn", f"ZQX {text}"]})
    if isinstance(got, str):
        assert "extra.unit.groups[1]" in got, got
        return
    page, config, _ = got
    assert html_problems(page) == ["Content-Security-Policy allows inline script"]
    assert set(_where(config, "ZQX")) <= DATA_PLACES["groups"], _where(config, "ZQX")
    posts = next(c for c in config["collections"] if c["name"] == "tin-tuc")
    group = next(f for f in posts["fields"] if f["name"] == "group")
    assert group["widget"] == "select" and group["options"][1].startswith("ZQX")
    _urls_are_web(config)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)//",
        "data:,x",
        "https://a.vn/\n<script>alert(1)</script>",
        'https://a.vn/"><img src=x onerror=alert(1)>',
        "https://a.vn/ x",
    ],
)
def test_site_url_reaches_the_config_as_a_web_address_only(tmp_path: Path, url: str) -> None:
    """``site_url`` is the editor's ``site_url`` and ``display_url`` (a link in its header)."""
    root = tmp_path / "net"
    assert not isinstance(_network(root, {}), str)
    cfg = root / "sites/th-a/mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {json.dumps(url)}", text), encoding="utf-8")  # fmt: skip
    try:
        get_network(root)
    except EdusiteError as exc:
        assert "site_url" in str(exc)
        return
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["cms", "config", "th-a", "--root", str(root), "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    config = json.loads((out / "th-a/quan-tri/config.json").read_text(encoding="utf-8"))
    _urls_are_web(config)


def _urls_are_web(config: Any) -> None:
    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                if k in URL_KEYS:
                    assert isinstance(x, str) and re.match(r"^https?://[^\s\"'<>\\`]+$", x), (k, x)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(config)


# -- the local preview's error banner (edusite serve) ----------------------------------------


def test_serve_banner_escapes_every_payload_and_is_capped(tmp_path: Path) -> None:
    from edusite.commands.serve import BANNER_LINES, Preview, inject

    preview = Preview(tmp_path / "p")
    errors = [f"content/th-a/{p}.md: {p} / {p}" for p in PAYLOADS] * 3
    preview.failed(tmp_path / "none", errors)
    banner = preview.banner().decode()
    assert html_problems(banner, fragment=True) == []
    assert banner.count("<li") == BANNER_LINES + 1  # the rest counted in one line
    assert f"và {len(errors) - BANNER_LINES} lỗi khác" in banner
    page = inject(b"<!doctype html><html><head></head><body><p>a</p></body></html>", banner.encode())  # fmt: skip
    assert html_problems(page.decode(), fragment=True) == []


# -- the network's backend settings (base mkdocs.yml) ----------------------------------------


@pytest.mark.parametrize("key", ["base_url", "api_root"])
def test_backend_addresses_are_kept_as_checked(key: str) -> None:
    """``base_url``/``api_root`` reach config.json and the admin page's policy: the value kept
    is the one safe_url checked (percent-encoded), never the text as written."""
    from edusite.cms import admin_policy, load_settings

    written = "https://git.a.vn/\"><img src=x onerror=alert(1)> 'unsafe-inline'"
    settings = load_settings({"cms": {"backend": {"name": "gitlab", "repo": "a/b", key: written}}})
    assert settings.problems == () and settings.backend is not None
    _urls_are_web(settings.backend)
    origins = settings.origins()
    assert all(re.match(r"^https://[a-z0-9.-]+(?::\d+)?$", o) for o in origins), origins
    policy = admin_policy(origins)
    assert policy.count("'unsafe-inline'") == 1 and "style-src 'self' 'unsafe-inline'" in policy
