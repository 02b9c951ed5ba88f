"""The web editor without a browser: permissions (``edusite guard`` on a real git repository,
the generated CODEOWNERS), ``extra.unit.editors``, the generated configuration, the admin page
and its policy, the vendored bundle's checksums. (The editor itself: test_cms_browser.py.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, make_network, post
from edusite.cli import main

UNITS: dict[str, dict[str, Any]] = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so", "editors": ["@so-thu/van-phong"]},
    "pgd": {"name": "Phòng GDĐT Thử", "kind": "portal", "parent": "so"},
    "th-a": {
        "name": "Trường Tiểu học A",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
        "editors": ["@hoa.nguyen", "so-thu/th-a"],
        "groups": ["Tổ 1-2-3", "Công đoàn"],
    },
    "th-b": {
        "name": "Trường Tiểu học B",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
        "editors": ["@lan.tran"],
    },
}
ADMINS = '    cms:\n      admins: ["@so-thu/quan-tri"]\n'


def _network(root: Path, cms: str = ADMINS) -> Path:
    make_network(root, UNITS, {"content/th-a/index.md": "# A\n", "content/th-b/index.md": "# B\n"})
    base = (root / "mkdocs.yml").read_text(encoding="utf-8")
    base = re.sub(r"\n    cms:\n(      .*\n)+", "\n", base)  # the demo's own settings
    anchor = '    accent: "#b3261e"\n'
    assert anchor in base
    (root / "mkdocs.yml").write_text(base.replace(anchor, anchor + cms), encoding="utf-8")
    return root


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@example.vn", "-c", "user.name=T", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A network in a git repository (the theme a real folder, as in a clone)."""
    root = _network(tmp_path / "net")
    (root / "shared-theme").unlink()
    (root / "shared-theme").mkdir()
    (root / "shared-theme" / "main.html").write_text("{% extends 'base.html' %}\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    return root


def _change(root: Path, branch: str, files: dict[str, str]) -> None:
    _git(root, "checkout", "-q", "-b", branch, "main")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", branch)


def _guard(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["guard", "--root", str(root), "--base", "main", *args])


POST = "content/th-a/tin-tuc/2026/2026-11-20-dai-hoi/index.md"


def test_guard_passes_a_change_inside_the_authors_unit(repo: Path) -> None:
    _change(repo, "cms/tin-tuc/dai-hoi", {POST: post("Đại hội", "2026-11-20 08:00")})
    units = repo / "units.txt"
    result = _guard(repo, "--author", "hoa.nguyen", "--units", str(units))
    assert result.exit_code == 0, result.output
    assert units.read_text(encoding="utf-8") == "th-a\n"
    # The unit's team may, too (the CI passes the author's teams).
    result = _guard(repo, "--author", "someone", "--team", "so-thu/th-a")
    assert result.exit_code == 0, result.output


def test_guard_refuses_another_unit_naming_file_and_its_editors(repo: Path) -> None:
    _change(
        repo,
        "sua-truong-khac",
        {POST: post("Đại hội", "2026-11-20 08:00"), "content/th-b/index.md": "# Bị sửa\n"},
    )
    result = _guard(repo, "--author", "hoa.nguyen")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "✗ content/" in line]
    assert len(lines) == 1  # the author's own post is fine
    assert "content/th-b/index.md" in lines[0]
    assert "@hoa.nguyen không có quyền sửa đơn vị 'th-b' (Trường Tiểu học B)" in lines[0]
    assert "người biên tập của đơn vị: @lan.tran" in lines[0]
    assert "@hoa.nguyen may not change unit 'th-b'" in lines[0]  # then in English


@pytest.mark.parametrize(
    "path", ["mkdocs.yml", "shared-theme/main.html", "scripts/evil.py", "content/th-moi/index.md"]
)
def test_guard_refuses_network_files_to_unit_editors(repo: Path, path: str) -> None:
    _change(repo, "ngoai-quyen", {path: "x\n"})
    result = _guard(repo, "--author", "hoa.nguyen")
    assert result.exit_code == 1
    assert f"✗ {path}: @hoa.nguyen không được sửa tệp này" in result.output
    assert "@so-thu/quan-tri" in result.output


def test_guard_lets_a_network_admin_change_everything(repo: Path) -> None:
    _change(
        repo,
        "quan-tri",
        {
            "mkdocs.yml": (repo / "mkdocs.yml").read_text() + "\n",
            "content/th-b/index.md": "# B2\n",
            "shared-theme/main.html": "x\n",
        },
    )
    units = repo / "units.txt"
    result = _guard(repo, "--author", "an", "--team", "@so-thu/quan-tri", "--units", str(units))
    assert result.exit_code == 0, result.output
    assert units.read_text(encoding="utf-8") == "*\n"  # a network file: build everything
    assert _guard(repo, "--author", "an").exit_code == 1  # the same person without the team


def test_guard_deleting_and_renaming_count_both_paths(repo: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "doi-ten", "main")
    _git(repo, "mv", "content/th-b/index.md", "content/th-a/tu-b.md")
    _git(repo, "commit", "-qm", "move")
    result = _guard(repo, "--author", "hoa.nguyen")
    assert result.exit_code == 1
    assert "content/th-b/index.md" in result.output


def test_codeowners_generated_and_checked(repo: Path) -> None:
    runner = CliRunner()
    check = runner.invoke(main, ["cms", "codeowners", "--root", str(repo), "--check"])
    assert check.exit_code == 1  # not written yet
    assert runner.invoke(main, ["cms", "codeowners", "--root", str(repo)]).exit_code == 0
    text = (repo / "CODEOWNERS").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "* @so-thu/quan-tri"
    assert "/content/th-a/ @hoa.nguyen @so-thu/th-a @so-thu/quan-tri" in lines
    assert "/sites/th-b/ @lan.tran @so-thu/quan-tri" in lines
    assert "/content/pgd/ @so-thu/quan-tri" in lines  # no editors: the admins
    check = runner.invoke(main, ["cms", "codeowners", "--root", str(repo), "--check"])
    assert check.exit_code == 0, check.output


def test_repository_codeowners_is_up_to_date() -> None:
    result = CliRunner().invoke(main, ["cms", "codeowners", "--root", str(REPO), "--check"])
    assert result.exit_code == 0, result.output


def test_editors_key_is_validated(tmp_path: Path) -> None:
    from edusite.errors import EdusiteError
    from edusite.structure.network import get_network

    root = _network(tmp_path / "ok")
    network = get_network(root)
    assert not [w for w in network.warnings if "editors" in str(w)]  # a known key now
    bad = dict(UNITS)
    bad["th-b"] = {**UNITS["th-b"], "editors": ["@lan tran", "<script>", 5]}
    root = tmp_path / "bad"
    make_network(root, bad, {"content/th-a/index.md": "# A\n"})
    with pytest.raises(EdusiteError) as info:
        get_network(root)
    fields = [p.field for p in info.value.problems]
    assert fields == ["extra.unit.editors[0]", "extra.unit.editors[1]", "extra.unit.editors[2]"]


def test_settings_name_their_mistakes(tmp_path: Path) -> None:
    from edusite.cms import load_settings

    bad = load_settings({"cms": {"backend": {"name": "svn", "repo": "x"}, "admins": ["a b"]}})
    assert [p.field for p in bad.problems] == [
        "extra.network.cms.admins[0]",
        "extra.network.cms.backend.name",
    ]
    assert not bad.enabled
    pkce = load_settings(
        {"cms": {"backend": {"name": "gitlab", "repo": "so/web", "auth_type": "pkce"}}}
    )
    assert [p.field for p in pkce.problems] == ["extra.network.cms.backend.app_id"]
    ok = load_settings(
        {
            "cms": {
                "backend": {
                    "name": "gitlab",
                    "repo": "so/web",
                    "auth_type": "pkce",
                    "app_id": "1",
                    "base_url": "https://git.lamgiang.edu.vn",
                    "api_root": "https://git.lamgiang.edu.vn/api/v4",
                }
            }
        }
    )
    assert ok.enabled and ok.origins() == (
        "https://git.lamgiang.edu.vn",
        "https://secure.gravatar.com",
    )


def _config(root: Path, uid: str, **kw: Any) -> dict[str, Any]:
    from edusite.cms import unit_config
    from edusite.structure.network import get_network

    network = get_network(root)
    return unit_config(network, network[uid], today=date(2026, 11, 22), **kw)


def test_config_follows_the_model(tmp_path: Path) -> None:
    root = _network(tmp_path / "net")
    config = _config(root, "th-a", local_url="http://127.0.0.1:9/api/v1")
    assert config["backend"]["name"] == "proxy" and config["locale"] == "vi"
    assert config["publish_mode"] == "simple"  # local: straight into the working tree
    posts, docs, disclosure, pages = config["collections"]
    assert posts["folder"] == "content/th-a/tin-tuc"
    assert (posts["media_folder"], posts["public_folder"]) == ("", "")  # photos beside the post
    fields = {f["name"]: f for f in posts["fields"]}
    assert [o["value"] for o in fields["categories"]["options"]][:2] == [
        "tin-tuc-su-kien",
        "thong-bao",
    ]
    assert fields["group"]["options"] == ["Tổ 1-2-3", "Công đoàn"]
    assert fields["image_alt"]["widget"] == "mo-ta-anh"
    assert fields["date"]["format"] == "YYYY-MM-DD HH:mm"
    assert "required" not in fields["title"]  # required (Decap's default)
    # Document numbers: the build's own pattern.
    number = re.compile(next(f for f in docs["fields"] if f["name"] == "so_hieu")["pattern"][0])
    for good in ("30/TB-THKĐ", "25/2026/TT-BGDĐT", "43/2019/QH14", "1234/SGDĐT-GDPT"):
        assert number.match(good), good
    for bad in ("TB-30", "30/tb-thkd", "30/TB"):
        assert not number.match(bad), bad
    # Công khai: one entry per yearly section the school owes in 2026-2027, from the rules.
    from edusite.disclosure import get_rules
    from edusite.structure.network import get_network

    network = get_network(root)
    owed = [
        s.slug
        for s in get_rules(root, network.settings).regime_for(2026).owed(["tieu-hoc"], {})
        if not s.periodic
    ]
    assert [f["name"] for f in disclosure["files"]] == owed
    first = disclosure["files"][0]
    assert first["file"] == f"content/th-a/cong-khai/2026-2027/{owed[0]}.md"
    hidden = {f["name"]: f["default"] for f in first["fields"] if f["widget"] == "hidden"}
    assert hidden["section"] == owed[0] and hidden["school_year"] == "2026-2027"
    assert [f["file"] for f in pages["files"]] == [
        "content/th-a/gioi-thieu/index.md",
        "content/th-a/lien-he.md",
    ]
    # A portal owes no disclosure pages; a school without groups gets no group select.
    assert [
        c["name"] for c in _config(root, "pgd", local_url="http://x/api/v1")["collections"]
    ] == ["tin-tuc", "van-ban", "trang"]
    assert "group" not in {
        f["name"]
        for f in _config(root, "th-b", local_url="http://x/api/v1")["collections"][0]["fields"]
    }


def test_post_slug_rule_matches_the_builds(tmp_path: Path) -> None:
    """The folder is the date as typed plus the title's slug (checked in the browser test for a
    real title); the templates never use Decap's UTC {{year}}/{{month}}/{{day}}."""
    from edusite.cms.config import POST_PATH, POST_SLUG

    assert "{{year}}" not in POST_PATH + POST_SLUG and "{{day}}" not in POST_SLUG
    assert POST_SLUG.startswith("{{fields.date | date('YYYY-MM-DD')}}-")
    assert "." not in POST_PATH and "'" not in POST_PATH  # Decap strips them from `path`


def test_admin_page_and_policy() -> None:
    from edusite.cms import admin_page, admin_policy

    html = admin_page(
        'Trường <A> & "B"', "../../_shared/cms/decap-cms-x", ["https://api.github.com"]
    )
    assert "<title>Quản trị nội dung – Trường &lt;A&gt; &amp; &quot;B&quot;</title>" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert [body for _, body in scripts] == ["", "", ""]  # no inline script
    assert [re.search(r'src="([^"]+)"', a).group(1) for a, _ in scripts] == [  # type: ignore[union-attr]
        "../../_shared/cms/decap-cms-x/cms-init.js",
        "../../_shared/cms/decap-cms-x/decap-cms.js",
        "../../_shared/cms/decap-cms-x/admin.js",
    ]
    policy = dict(d.split(" ", 1) for d in admin_policy(["https://api.github.com"]).split("; "))
    assert policy["script-src"] == "'self' 'unsafe-eval'"  # no 'unsafe-inline'
    assert policy["connect-src"] == "'self' blob: data: https://api.github.com"
    assert (policy["object-src"], policy["base-uri"], policy["form-action"]) == (
        "'none'",
        "'self'",
        "'self'",
    )


def test_admin_page_only_where_the_network_enables_it(tmp_path: Path) -> None:
    from edusite.build.builder import build_network
    from edusite.structure.network import get_network

    off = _network(tmp_path / "off")
    results = build_network(get_network(off), ["th-a"], out=off / "public", offline=True)
    assert all(r.ok for r in results)
    assert not (off / "public" / "th-a" / "quan-tri").exists()
    backend = (
        '      backend: {name: github, repo: so-thu/website, base_url: "https://auth.example.vn"}\n'
    )
    on = _network(tmp_path / "on", ADMINS + backend)
    results = build_network(get_network(on), ["th-a"], out=on / "public", offline=True)
    assert [r.errors for r in results if not r.ok] == []
    admin = on / "public" / "th-a" / "quan-tri"
    config = json.loads((admin / "config.json").read_text(encoding="utf-8"))
    assert config["backend"]["name"] == "github" and config["backend"]["repo"] == "so-thu/website"
    assert config["publish_mode"] == "editorial_workflow"
    html = (admin / "index.html").read_text(encoding="utf-8")
    assert (
        "https://api.github.com https://auth.example.vn https://avatars.githubusercontent.com"
        in html
    )
    src = re.search(r'src="([^"]+)/decap-cms.js"', html).group(1)  # type: ignore[union-attr]
    assert src.startswith("../../_shared/cms/decap-cms-3.")
    assert (admin / src / "decap-cms.js").resolve().is_file()
    assert "quan-tri" not in (on / "public" / "th-a" / "sitemap.xml").read_text(encoding="utf-8")


def test_vendored_bundle_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from edusite.cms import vendor
    from edusite.errors import EdusiteError

    manifest = json.loads((vendor.VENDOR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["name"] == "decap-cms" and manifest["license"] == "MIT"
    assert manifest["npm_integrity"].startswith("sha512-")
    assert (vendor.VENDOR / "LICENSE").read_text(encoding="utf-8").count("MIT License") == 1
    copy = tmp_path / "decap-cms"
    shutil.copytree(vendor.VENDOR, copy)
    with (copy / "decap-cms.js").open("ab") as f:
        f.write(b"\n/* changed */\n")
    monkeypatch.setattr(vendor, "VENDOR", copy)
    vendor.bundle.cache_clear()
    try:
        with pytest.raises(EdusiteError) as info:
            vendor.bundle()
        assert [Path(p.file).name for p in info.value.problems] == ["decap-cms.js"]
    finally:
        vendor.bundle.cache_clear()


def test_cms_is_a_build_feature() -> None:
    from edusite.extensions import features

    assert "cms" in [f.name for f in features()]


def test_ci_runs_the_guard_on_pull_and_merge_requests() -> None:
    """GitHub: its own workflow on pull_request_target (the target branch's code and permissions
    judge the change); GitLab: a merge-request job installing the target's commit. Every
    `edusite` line parses with the real command."""
    import yaml
    from test_publish_ci import edusite_commands, parses

    github = yaml.safe_load((REPO / ".github/workflows/guard.yml").read_text(encoding="utf-8"))
    assert list(github[True]) == ["pull_request_target"]  # YAML 1.1 reads `on:` as True
    assert github["permissions"] == {"contents": "read"}
    steps = github["jobs"]["guard"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert any("refs/pull/" in r and "git fetch" in r for r in runs)
    gitlab = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))["guard"]
    assert gitlab["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert any("pip install /tmp/edusite-base" in line for line in gitlab["before_script"])
    commands = edusite_commands(runs) + edusite_commands(gitlab["script"])
    assert [c[:2] for c in commands] == [
        ["guard", "--author"],
        ["cms", "codeowners"],
        ["guard", "--author"],
        ["cms", "codeowners"],
    ]
    for args in commands:
        parses(args)


def test_admin_page_breaks_no_rule_of_the_attack_suite_but_eval() -> None:
    """The attack suite's oracle on the admin page: the only finding is the documented
    'unsafe-eval' (Decap's configuration check); no inline script, handler, foreign script."""
    import sys

    from edusite.cms import admin_page

    sys.path.insert(0, str(Path(__file__).parent / "security"))
    from hostile import PAYLOADS, html_problems

    html = admin_page(PAYLOADS[0], "../../_shared/cms/decap-cms-x", ["https://api.github.com"])
    assert html_problems(html) == ["Content-Security-Policy allows inline script"]
