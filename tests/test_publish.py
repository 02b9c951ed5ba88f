"""``edusite publish`` against a real bare git repository (file:// remote), with ghp-import."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import make_network, post
from defusedxml import ElementTree
from edusite.cli import main
from edusite.publishing.publish import (
    CheckGate,
    Target,
    blob_sha,
    blocking_check,
    cname_for,
    gate_reasons,
    is_blocking,
    network_base,
    plan_targets,
    tree_files,
)
from edusite.publishing.shard import SiteStatus
from edusite.publishing.sitemaps import SITEMAP_NS, check_site_sitemap, sitemap_locs
from edusite.structure.network import get_network

UNITS = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so"},
    "pgd": {"name": "Phòng GDĐT Thử", "kind": "portal", "parent": "so"},
    "th-a": {"name": "Trường Tiểu học A", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
}
POST = "content/th-a/tin-tuc/2026/2026-09-05-khai-giang/index.md"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A git identity and no user/system config (signing, hooks, templates stay out)."""
    empty = tmp_path / "gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Tổ CNTT")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "cntt@lamgiang.edu.vn")


@pytest.fixture
def repo(tmp_path: Path, pinned_now: str, git_env: None) -> Path:
    """A committed network repository whose ``origin`` is an empty bare repository."""
    files = {
        POST: post("Khai giảng năm học mới", "2026-09-05 07:30", id="th-a-khai-giang"),
        "content/th-a/tai-lieu/a.txt": "A\n",
        "content/th-a/tai-lieu/b.txt": "B\n",
        ".gitignore": "/public/\n/.cache/\n",
    }
    root = make_network(tmp_path / "net", UNITS, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Nội dung ban đầu")
    git(tmp_path, "init", "-q", "--bare", "remote.git")
    git(root, "remote", "add", "origin", (tmp_path / "remote.git").as_uri())
    return root


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def build(root: Path, *ids: str) -> Result:
    return cli("build", *ids, "--root", str(root), "-j", "1", "--offline", "--no-cache")


def publish(root: Path, *args: str) -> Result:
    return cli("publish", "--root", str(root), *args)


def remote_git(root: Path, *args: str) -> str:
    return git(root.parent / "remote.git", *args)


def remote_ref(root: Path, branch: str = "gh-pages") -> str | None:
    out = git(root, "ls-remote", "origin", f"refs/heads/{branch}")
    return out.split("\t")[0] if out else None


def branch_files(root: Path, branch: str = "gh-pages") -> list[str]:
    return remote_git(root, "ls-tree", "-r", "--name-only", branch).splitlines()


def listed(output: str, mark: str) -> list[str]:
    return [line[4:] for line in output.splitlines() if line.startswith(f"  {mark} ")]


def test_publish_network_layout_then_nothing_to_do(repo: Path) -> None:
    (repo / "reports").mkdir()  # CI leftovers outside the build's inputs: not "dirty"
    (repo / "reports/check.xml").write_text("<testsuites/>", encoding="utf-8")
    assert build(repo).exit_code == 0
    first = publish(repo)
    assert first.exit_code == 0, first.output
    tip = remote_ref(repo)
    assert tip is not None
    files = set(branch_files(repo))
    for unit in UNITS:
        assert f"{unit}/index.html" in files and f"{unit}/sitemap.xml" in files
    assert {"CNAME", ".nojekyll", "index.html", "sitemap.xml", "robots.txt", "404.html"} <= files
    assert any(f.startswith("_shared/") and f.endswith(".css") for f in files)
    assert not any(f.startswith(".edusite/") for f in files)  # build reports stay private
    assert remote_git(repo, "show", "gh-pages:CNAME") == "lamgiang.edu.vn"
    assert remote_git(repo, "show", "gh-pages:.nojekyll") == ""
    head = git(repo, "rev-parse", "HEAD")
    message = remote_git(repo, "log", "-1", "--format=%B", "gh-pages")
    assert head[:12] in message.splitlines()[0] and f"source commit: {head}" in message
    assert "dirty" not in message and "sạch / clean" in message

    index = remote_git(repo, "show", "gh-pages:index.html")
    assert '<html lang="vi">' in index
    for unit, data in UNITS.items():
        assert f'<a href="{unit}/">{data["name"]}</a>' in index
    assert "http" not in index.replace("http-equiv", "")  # no external request, no absolute link
    robots = remote_git(repo, "show", "gh-pages:robots.txt")
    assert "Sitemap: https://lamgiang.edu.vn/sitemap.xml" in robots.splitlines()
    sitemap = ElementTree.fromstring(remote_git(repo, "show", "gh-pages:sitemap.xml"))
    assert sitemap.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    assert [e.text for e in sitemap.iter(f"{{{SITEMAP_NS}}}loc")] == [
        f"https://lamgiang.edu.vn/{u}/sitemap.xml" for u in sorted(UNITS)
    ]

    second = publish(repo)
    assert second.exit_code == 0, second.output
    assert "nothing changed, no commit" in second.output
    assert remote_ref(repo) == tip
    assert remote_git(repo, "rev-list", "--count", "gh-pages") == "1"


def test_history_then_no_history_keeps_one_commit_and_names_a_dirty_tree(repo: Path) -> None:
    assert build(repo).exit_code == 0
    assert publish(repo).exit_code == 0
    (repo / "content/th-a/tai-lieu/a.txt").write_text("A2\n", encoding="utf-8")  # not committed
    assert build(repo, "th-a").exit_code == 0
    assert publish(repo).exit_code == 0
    assert remote_git(repo, "rev-list", "--count", "gh-pages") == "2"
    message = remote_git(repo, "log", "-1", "--format=%B", "gh-pages")
    assert "(có thay đổi chưa commit / dirty working tree)" in message.splitlines()[0]

    (repo / "content/th-a/tai-lieu/a.txt").write_text("A3\n", encoding="utf-8")
    assert build(repo, "th-a").exit_code == 0
    result = publish(repo, "--no-history")
    assert result.exit_code == 0, result.output
    assert remote_git(repo, "rev-list", "--count", "gh-pages") == "1"
    assert remote_git(repo, "show", "gh-pages:th-a/tai-lieu/a.txt") == "A3"


def test_strict_failing_site_blocks_the_push_and_leaves_the_remote_untouched(repo: Path) -> None:
    assert build(repo).exit_code == 0
    assert publish(repo).exit_code == 0
    before = remote_ref(repo)
    (repo / POST).write_text(post("Bài hỏng", "ngày mai"), encoding="utf-8")
    (repo / "content/so/index.md").write_text("# Sở mới\n", encoding="utf-8")
    assert build(repo).exit_code == 1  # th-a fails, the others build
    result = publish(repo, "--strict")  # the old all-or-nothing gate
    assert result.exit_code == 1
    assert "NOT published, nothing pushed (--strict)" in result.output
    assert "th-a: xây dựng thất bại / build failed:" in result.output
    assert "invalid date 'ngày mai'" in result.output
    assert remote_ref(repo) == before
    dry = publish(repo, "--dry-run", "--strict")  # no change list for a blocked target
    assert dry.exit_code == 1 and not listed(dry.output, "~")


def test_never_built_network_is_blocked_until_built(repo: Path) -> None:
    result = publish(repo)
    assert result.exit_code == 1
    for unit in UNITS:
        assert f"{unit}: chưa được xây dựng" in result.output
    assert git(repo, "ls-remote", "origin") == ""
    built = publish(repo, "--build", "--offline", "-j", "1")  # build, then publish
    assert built.exit_code == 0, built.output
    assert "th-a/index.html" in branch_files(repo)


def test_dry_run_reports_exact_changes_and_pushes_nothing(repo: Path) -> None:
    assert build(repo).exit_code == 0
    dry = publish(repo, "--dry-run")
    assert dry.exit_code == 0, dry.output
    public = repo / "public"
    shared = [
        p.relative_to(public).as_posix() for p in (public / "_shared").rglob("*") if p.is_file()
    ]
    sites = [
        p.relative_to(public).as_posix()
        for u in UNITS
        for p in (public / u).rglob("*")
        if p.is_file() and ".edusite" not in p.relative_to(public / u).parts
    ]
    # edusite's own records (build reports, the search records) live in <unit>/.edusite/
    assert any((public / u / ".edusite").is_dir() for u in UNITS)
    root_files = [".nojekyll", "404.html", "CNAME", "index.html", "robots.txt", "sitemap.xml"]
    assert listed(dry.output, "+") == sorted(shared + sites + root_files)
    assert not [p for p in listed(dry.output, "+") if ".edusite" in p.split("/")]
    assert listed(dry.output, "~") == [] and listed(dry.output, "-") == []
    assert git(repo, "ls-remote", "origin") == ""

    assert publish(repo).exit_code == 0
    tip = remote_ref(repo)
    (repo / "content/th-a/tai-lieu/a.txt").write_text("A đã sửa\n", encoding="utf-8")
    (repo / "content/th-a/tai-lieu/b.txt").unlink()
    (repo / "content/th-a/tai-lieu/c.txt").write_text("C\n", encoding="utf-8")
    assert build(repo, "th-a").exit_code == 0
    dry = publish(repo, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert listed(dry.output, "+") == ["th-a/tai-lieu/c.txt"]
    assert listed(dry.output, "~") == ["th-a/tai-lieu/a.txt"]
    assert listed(dry.output, "-") == ["th-a/tai-lieu/b.txt"]
    assert "thêm / added 1, sửa / changed 1, xoá / removed 1" in dry.output
    assert remote_ref(repo) == tip


def own_domain(root: Path, unit: str, url: str) -> None:
    """Give ``unit`` its own domain (site_url) and commit."""
    path = root / "sites" / unit / "mkdocs.yml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    cfg["site_url"] = url
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git(root, "commit", "-q", "-am", f"{unit}: tên miền riêng")


def test_per_unit_layout_one_branch_per_own_domain(repo: Path) -> None:
    own_domain(repo, "th-a", "https://tha.lamgiang.edu.vn/")
    assert build(repo).exit_code == 0
    result = publish(repo, "--layout", "per-unit")
    assert result.exit_code == 0, result.output
    files = branch_files(repo, "gh-pages-th-a")
    assert {"index.html", "sitemap.xml", "feed.xml", "CNAME", ".nojekyll", "robots.txt"} <= set(
        files
    )
    assert "tai-lieu/a.txt" in files and not any(f.startswith("th-a/") for f in files)
    assert any(f.startswith("_shared/") for f in files)  # ../_shared/ from the root resolves here
    assert remote_git(repo, "show", "gh-pages-th-a:CNAME") == "tha.lamgiang.edu.vn"
    assert "Sitemap: https://tha.lamgiang.edu.vn/sitemap.xml" in remote_git(
        repo, "show", "gh-pages-th-a:robots.txt"
    )
    locs = sitemap_locs(repo / "public/th-a/sitemap.xml")
    assert "https://tha.lamgiang.edu.vn/tin-tuc/2026/2026-09-05-khai-giang/" in locs

    assert publish(repo).exit_code == 0  # the network layout leaves th-a out, links to it
    network_files = branch_files(repo)
    assert not any(f.startswith("th-a/") for f in network_files)
    index = remote_git(repo, "show", "gh-pages:index.html")
    assert '<a href="https://tha.lamgiang.edu.vn/">Trường Tiểu học A</a>' in index
    assert '<a href="pgd/">' in index


def test_site_sitemaps_use_site_url_and_list_posts(repo: Path) -> None:
    draft = repo / "content/th-a/tin-tuc/2026/2026-09-06-nhap/index.md"
    draft.parent.mkdir(parents=True)
    draft.write_text(post("Bản nháp", "2026-09-06", draft=True), encoding="utf-8")
    assert build(repo).exit_code == 0
    site = repo / "public/th-a"
    assert check_site_sitemap(site, "https://lamgiang.edu.vn/th-a/") == []
    locs = sitemap_locs(site / "sitemap.xml")
    assert "https://lamgiang.edu.vn/th-a/tin-tuc/2026/2026-09-05-khai-giang/" in locs
    assert all(loc.startswith("https://lamgiang.edu.vn/th-a/") for loc in locs)
    assert not any("nhap" in loc for loc in locs)  # drafts are not pages
    wrong = check_site_sitemap(site, "https://khac.edu.vn/")
    assert wrong and "outside https://khac.edu.vn/" in wrong[0]
    report = json.loads((repo / "public/.edusite/build-all.json").read_text(encoding="utf-8"))
    assert report["sites"]["th-a"]["source"]["commit"] == git(repo, "rev-parse", "HEAD")


def test_blocking_rules() -> None:
    class Finding:
        def __init__(self, kind: str, severity: str, blocking: bool | None = None):
            self.kind, self.severity = kind, severity
            if blocking is not None:
                self.blocking = blocking

    kinds = ["cccd", "birth_date"]
    assert is_blocking(Finding("cccd", "error"), kinds)
    assert not is_blocking(Finding("cccd", "warning"), kinds)
    assert not is_blocking(Finding("missing", "error"), kinds)  # a late page does not stop news
    assert is_blocking(Finding("missing", "error", blocking=True), kinds)  # the rule says so
    assert not is_blocking(Finding("cccd", "error", blocking=False), kinds)


def test_gate_reasons_name_every_cause(tmp_path: Path) -> None:
    out = tmp_path / "public"
    (out / "a").mkdir(parents=True)
    (out / "a/index.html").write_text("ok", encoding="utf-8")
    target = Target("network", "network", ["a", "b", "c", "d"], "origin", "gh-pages", None, "/")
    statuses = {
        "a": SiteStatus("a", True, "t", "all"),
        "b": SiteStatus("b", False, "t", "shard-1-of-2", errors=["x.md: lỗi / error", "y"]),
        "c": SiteStatus("c", True, "t", "all"),  # recorded ok, but its folder is gone
    }
    check = CheckGate(ran=True, blocking={"a": ["[cccd] CCCD 001*******67"]})
    assert gate_reasons(target, statuses, out, check) == [
        "b: xây dựng thất bại / build failed: x.md: lỗi / error (+1)",
        f"c: thiếu kết quả xây dựng / built output missing: {out / 'c'}",
        f"d: chưa được xây dựng (không có báo cáo xây dựng) / not built (no build report in {out})",
        "a: kiểm tra công khai không đạt / blocking check: [cccd] CCCD 001*******67",
    ]


def test_blocking_disclosure_finding_stops_publishing(repo: Path) -> None:
    page = "content/th-a/cong-khai/2026-2027/ke-hoach-va-ket-qua.md"
    (repo / page).parent.mkdir(parents=True)
    (repo / page).write_text(
        "---\ntitle: Kế hoạch và kết quả\nsection: ke-hoach-va-ket-qua\nschool_year: 2026-2027\n"
        "published: '2026-06-25'\nas_of: '2026-06-15'\n---\n\n"
        "Học sinh đạt giải: em Trần Văn B, sinh ngày 12/05/2019.\n",
        encoding="utf-8",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "công khai")
    # A birth date in a sentence is not a list of people: the build goes on (it only stops for
    # citizen ID numbers and birth-date tables, tests/security), the disclosure check blocks.
    assert build(repo).exit_code == 0
    result = publish(repo)
    assert result.exit_code == 1
    assert "th-a: kiểm tra công khai không đạt / blocking check: [birth_date]" in result.output
    assert git(repo, "ls-remote", "origin") == ""
    skipped = publish(repo, "--skip-check", "--dry-run")
    assert skipped.exit_code == 0 and "disclosure check skipped" in skipped.output


def test_cccd_in_blocking_checks_also_blocks_the_old_identity_card(repo: Path) -> None:
    """``blocking_checks: [cccd]`` means "identity numbers": the publish gate, like the build's,
    also holds back the old 9-digit CMND."""
    page = repo / "content/th-a/cong-khai/2026-2027/ke-hoach-va-ket-qua.md"
    page.parent.mkdir(parents=True)
    page.write_text(
        "---\ntitle: Kế hoạch và kết quả\nsection: ke-hoach-va-ket-qua\nschool_year: 2026-2027\n"
        "published: '2026-06-25'\nas_of: '2026-06-15'\n---\n\n"
        "| Họ tên | Số CMND |\n|---|---|\n| Trần Văn B | 125678943 |\n",
        encoding="utf-8",
    )
    network = get_network(repo)
    gate = blocking_check(network, ["th-a"], kinds=["cccd"])
    assert any("[cmnd]" in m for m in gate.blocking.get("th-a", [])), gate
    network.settings["publish"] = {"blocking_checks": ["cccd"]}
    gate = blocking_check(network, ["th-a"])
    assert any("[cmnd]" in m for m in gate.blocking.get("th-a", [])), gate
    network.settings["publish"] = {"blocking_checks": ["birth_date"]}
    assert not blocking_check(network, ["th-a"]).blocking.get("th-a")


def test_targets_and_options(repo: Path) -> None:
    network = get_network(repo)
    assert network_base(network) == "https://lamgiang.edu.vn/"
    assert cname_for("https://lamgiang.edu.vn/") == "lamgiang.edu.vn"
    assert cname_for("https://so-gddt.github.io/web/") is None
    (target,) = plan_targets(network, "network", no_cname=True)
    assert (target.branch, target.cname, target.units) == ("gh-pages", None, sorted(UNITS))
    units = plan_targets(
        network, "per-unit", ["th-a", "pgd"], remote="git@github.com:lamgiang/{id}.git"
    )
    assert [(t.remote, t.branch) for t in units] == [
        ("git@github.com:lamgiang/pgd.git", "gh-pages-pgd"),
        ("git@github.com:lamgiang/th-a.git", "gh-pages-th-a"),
    ]
    bad = publish(repo, "--layout", "per-unit", "--branch", "site", "th-a", "pgd")
    assert bad.exit_code == 2 and "{id}" in bad.output
    assert publish(repo, "th-a").exit_code == 2  # IDS only with per-unit


def test_export_writes_the_branch_tree_and_refuses_when_blocked(repo: Path) -> None:
    assert build(repo).exit_code == 0
    assert publish(repo).exit_code == 0
    dest = repo.parent / "pages-site"
    result = publish(repo, "--export", str(dest))
    assert result.exit_code == 0, result.output
    exported = {
        p.relative_to(dest).as_posix(): blob_sha(p.read_bytes())
        for p in dest.rglob("*")
        if p.is_file()
    }
    branch = tree_files(repo.parent / "remote.git", "gh-pages")
    assert exported == {path: sha for path, (_mode, sha) in branch.items()}

    (repo / POST).write_text(post("Bài hỏng", "ngày mai"), encoding="utf-8")
    assert build(repo).exit_code == 1
    again = repo.parent / "again"
    assert publish(repo, "--export", str(again), "--strict").exit_code == 1
    assert not again.exists()
    # Without --strict: th-a goes out with its last good output (exit 1 says it was held back).
    assert publish(repo, "--export", str(again)).exit_code == 1
    assert (again / "th-a/tai-lieu/a.txt").read_bytes() == (
        dest / "th-a/tai-lieu/a.txt"
    ).read_bytes()
    assert (again / "th-a/index.html").read_bytes() == (dest / "th-a/index.html").read_bytes()
