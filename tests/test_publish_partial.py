"""One unit never holds the network back (issue #15): partial publishing, last good output,
ancestors rebuilt with their members, and the per-unit problem list CI shows.

Real builds (MkDocs), a real bare git repository as the remote (file://), ghp-import.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import make_network, post, site_config, write_files
from edusite.build.worker import SiteResult
from edusite.cli import main
from edusite.publishing.problems import cell, split_message
from edusite.publishing.publish import (
    BUILT,
    KEPT,
    LAST_GOOD,
    CheckGate,
    Target,
    decide_units,
    tree_files,
)
from edusite.publishing.shard import SiteStatus, read_build_status, write_build_report
from edusite.structure.network import get_network

UNITS: dict[str, dict[str, Any]] = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so"},
    "pgd": {"name": "Phòng GDĐT Thử", "kind": "portal", "parent": "so"},
    "th-a": {
        "name": "Trường Tiểu học A",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
        "email": "c1a@lamgiang.edu.vn",
        "editor": {"name": "Nguyễn Thị Hoa", "title": "Hiệu trưởng"},
    },
    "th-b": {"name": "Trường Tiểu học B", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
}
POST_A = "content/th-a/tin-tuc/2026/2026-09-05-khai-giang/index.md"
NEW_B = "content/th-b/tin-tuc/2026/2026-10-01-hoi-khoe/index.md"
NEW_B_PAGE = "th-b/tin-tuc/2026/2026-10-01-hoi-khoe/index.html"
NEW_B_TITLE = "Hội khỏe Phù Đổng cấp trường"
#: A broken date whose text would be an image in Markdown: the summary must show it as text.
BAD_DATE = "ngày mai ![x](https://evil.invalid/a.png)"
DISCLOSURE = "content/th-a/cong-khai/2026-2027/ke-hoach-va-ket-qua.md"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, pinned_now: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed network repository whose ``origin`` is an empty bare repository."""
    empty = tmp_path / "gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Tổ CNTT")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "cntt@lamgiang.edu.vn")
    files = {
        POST_A: post("Khai giảng năm học mới", "2026-09-05 07:30", id="th-a-khai-giang"),
        "content/th-b/tin-tuc/2026/2026-09-06-chao-co/index.md": post(
            "Chào cờ đầu tuần", "2026-09-06 07:00", id="th-b-chao-co"
        ),
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


def build(root: Path, *args: str) -> Result:
    return cli("build", *args, "--root", str(root), "-j", "1", "--offline", "--no-cache")


def publish(root: Path, *args: str) -> Result:
    return cli("publish", "--root", str(root), *args)


def branch(root: Path) -> dict[str, tuple[str, str]]:
    return tree_files(root.parent / "remote.git", "gh-pages")


def show(root: Path, path: str) -> str:
    return git(root.parent / "remote.git", "show", f"gh-pages:{path}")


def below(tree: dict[str, tuple[str, str]], prefix: str) -> dict[str, tuple[str, str]]:
    return {p: v for p, v in tree.items() if p.startswith(prefix)}


def new_post_in_th_b(root: Path) -> None:
    write_files(
        root,
        {NEW_B: post(NEW_B_TITLE, "2026-10-01 08:00", id="th-b-hoi-khoe", featured=True)},
    )


def test_failing_school_goes_out_with_its_last_good_output_and_the_rest_publishes(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build(repo).exit_code == 0
    assert publish(repo).exit_code == 0
    before = branch(repo)
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    (repo / POST_A).write_text(post("Bài hỏng", BAD_DATE), encoding="utf-8")
    new_post_in_th_b(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "th-a hỏng, th-b có tin mới")
    built = build(repo)
    assert built.exit_code == 1  # th-a fails; the builder keeps its last good output

    result = publish(repo)
    assert result.exit_code == 1, result.output  # red in CI: th-a is not current
    assert "publishing its last good output: th-a" in result.output
    assert "held back: th-a (bản tốt gần nhất / last good)" in result.output
    after = branch(repo)
    assert below(after, "th-a/") == below(before, "th-a/")  # exactly its last good output
    assert NEW_B_PAGE in after and NEW_B_PAGE not in before  # the rest of the network is online
    assert NEW_B_TITLE in show(repo, "pgd/tin-don-vi/index.html")  # portals rebuilt and out
    assert NEW_B_TITLE in show(repo, "so/tin-don-vi/index.html")
    assert "Khai giảng năm học mới" in show(repo, "pgd/tin-don-vi/index.html")  # th-a's last good
    message = git(repo.parent / "remote.git", "log", "-1", "--format=%B", "gh-pages")
    assert "last good output (the new build failed): th-a" in message
    assert not any(p.startswith(".edusite") or "/.edusite/" in p for p in after)

    # The problem list: unit, file, field, message, owner; Markdown escaped; JSON for GitLab.
    md = (repo / "public/.edusite/problems.md").read_text(encoding="utf-8")
    assert "edusite publish: 1/4 đơn vị bị giữ lại / units held back" in md
    row = next(line for line in md.splitlines() if f"`{POST_A}`" in line)
    assert row.startswith("| th-a (Trường Tiểu học A) |")
    assert "| `date` |" in row and "invalid date" in row
    assert "Nguyễn Thị Hoa (c1a@lamgiang.edu.vn)" in row
    # neither an image nor a link GitHub would make of the bare URL (https\://)
    assert "![x](" not in md and r"!\[x\](https\://evil.invalid/a.png)" in md
    issues = json.loads((repo / "public/.edusite/problems.json").read_text(encoding="utf-8"))
    date_issue = next(i for i in issues if i["field"] == "date")
    assert date_issue["unit"] == "th-a" and date_issue["state"] == LAST_GOOD
    assert date_issue["location"] == {"path": POST_A, "lines": {"begin": 1}}
    assert date_issue["owner"] == {"name": "Nguyễn Thị Hoa", "email": "c1a@lamgiang.edu.vn"}
    assert date_issue["severity"] == "major" and date_issue["check_name"] == "edusite/build"
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    # GitHub's job summary got both the build's and the publish's list.
    text = summary.read_text(encoding="utf-8")
    assert "## edusite build: 1/4 đơn vị lỗi / units failed" in text
    assert "## edusite publish: 1/4" in text and f"`{POST_A}`" in text


def test_school_without_good_output_is_left_out_and_the_branch_keeps_its_files(
    repo: Path,
) -> None:
    assert build(repo).exit_code == 0
    assert publish(repo).exit_code == 0
    before = branch(repo)
    assert below(before, "th-a/")
    pages = repo.parent / "pages-site"  # a GitLab Pages deployment kept in the CI cache
    assert publish(repo, "--export", str(pages)).exit_code == 0
    exported = {
        p.relative_to(pages).as_posix(): p.read_bytes() for p in pages.rglob("*") if p.is_file()
    }

    # th-a's output is gone (a lost CI cache) and its build fails; a new school never builds.
    subprocess.run(["rm", "-rf", str(repo / "public/th-a")], check=True)
    (repo / POST_A).write_text(post("Bài hỏng", "ngày mai"), encoding="utf-8")
    unit = {"name": "Trường Tiểu học Mới", "kind": "school", "level": "tieu-hoc", "parent": "pgd"}
    write_files(
        repo,
        {
            "sites/th-moi/mkdocs.yml": site_config("th-moi", unit),
            "content/th-moi/tin-tuc/2026/2026-09-07-a/index.md": post("Tin", "hôm qua"),
        },
    )
    new_post_in_th_b(repo)
    assert build(repo).exit_code == 1
    assert not (repo / "public/th-a").exists() and not (repo / "public/th-moi").exists()

    dry = publish(repo, "--dry-run")
    assert dry.exit_code == 1
    assert not [line for line in dry.output.splitlines() if line.startswith("  - th-a/")]
    result = publish(repo)
    assert result.exit_code == 1, result.output
    assert "th-a: xây dựng thất bại, chưa có bản tốt / build failed, no good output" in (
        result.output
    )
    after = branch(repo)
    assert below(after, "th-a/") == below(before, "th-a/")  # not deleted, not changed
    assert not below(after, "th-moi/")  # nothing half-built ever goes out
    assert NEW_B_PAGE in after
    assert NEW_B_TITLE in show(repo, "pgd/tin-don-vi/index.html")
    # The network index still lists every unit; the sitemap index names th-a's kept sitemap.
    assert '<a href="th-a/">' in show(repo, "index.html")
    sitemap = show(repo, "sitemap.xml")
    assert "https://lamgiang.edu.vn/th-a/sitemap.xml" in sitemap
    assert "th-moi" not in sitemap
    message = git(repo.parent / "remote.git", "log", "-1", "--format=%B", "gh-pages")
    assert "kept as the branch had them: th-a, th-moi" in message
    # --export keeps what the previous export held for th-a.
    assert publish(repo, "--export", str(pages)).exit_code == 1
    again = {
        p.relative_to(pages).as_posix(): p.read_bytes() for p in pages.rglob("*") if p.is_file()
    }
    assert {k: v for k, v in again.items() if k.startswith("th-a/")} == {
        k: v for k, v in exported.items() if k.startswith("th-a/")
    }
    assert (pages / NEW_B_PAGE).is_file() and not (pages / "th-moi").exists()

    # --strict: the old all-or-nothing gate, for a CI that wants it.
    new_post = NEW_B.replace("2026-10-01-hoi-khoe", "2026-10-02-tiep")
    write_files(repo, {new_post: post("Tin tiếp", "2026-10-02 08:00")})
    assert build(repo, "th-b").exit_code == 0  # with its Phòng and Sở; th-a's report: failed
    tip = git(repo, "ls-remote", "origin", "refs/heads/gh-pages")
    strict = publish(repo, "--strict")
    assert strict.exit_code == 1 and "NOT published, nothing pushed (--strict)" in strict.output
    assert git(repo, "ls-remote", "origin", "refs/heads/gh-pages") == tip


def _disclosure_page() -> str:
    return (
        "---\ntitle: Kế hoạch và kết quả\nsection: ke-hoach-va-ket-qua\nschool_year: 2026-2027\n"
        "published: '2026-06-25'\nas_of: '2026-06-15'\n---\n\n"
        "Học sinh đạt giải: em Trần Văn B, sinh ngày 12/05/2019.\n"
    )


@pytest.mark.parametrize("network_search", [True, False], ids=["network-search", "own-search"])
def test_blocking_privacy_finding_holds_back_that_school_only(
    repo: Path, network_search: bool
) -> None:
    if not network_search:  # portals index only their own pages
        base = repo / "mkdocs.yml"
        text = base.read_text(encoding="utf-8")
        assert "  edusite-search: {}\n" in text
        base.write_text(
            text.replace("  edusite-search: {}\n", "  edusite-search: {network: false}\n"),
            encoding="utf-8",
        )
        git(repo, "commit", "-q", "-am", "tìm kiếm riêng từng trang")
    assert build(repo).exit_code == 0
    assert publish(repo).exit_code == 0
    before = branch(repo)

    write_files(repo, {DISCLOSURE: _disclosure_page()})
    new_post_in_th_b(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "công khai có ngày sinh; tin mới của th-b")
    assert build(repo).exit_code == 0  # a birth date in a sentence: the check blocks, not the build
    result = publish(repo)
    assert result.exit_code == 1, result.output
    assert "th-a: kiểm tra công khai không đạt / blocking check: [birth_date]" in result.output
    after = branch(repo)
    assert below(after, "th-a/") == below(before, "th-a/")  # its published files stay
    assert not below(after, "th-a/cong-khai/")
    assert NEW_B_PAGE in after  # the other school is online
    portal_index = "pgd/search/docs/0.json"
    if network_search:
        # The portals' network search holds th-a's page text (the birth date): publishing them
        # would publish it, so they keep their previous version too, and say why.
        assert "12/05/2019" in (repo / "public" / portal_index).read_text(encoding="utf-8")
        for portal in ("pgd/", "so/"):
            assert below(after, portal) == below(before, portal)
        assert "its search index holds the disclosure pages of th-a" in result.output
        assert "12/05/2019" not in show(repo, portal_index)
    else:
        assert NEW_B_TITLE in show(repo, "pgd/tin-don-vi/index.html")
        assert NEW_B_TITLE in show(repo, "so/tin-don-vi/index.html")
        assert "held back: th-a (không xuất bản / not published)" in result.output
    issues = json.loads((repo / "public/.edusite/problems.json").read_text(encoding="utf-8"))
    finding = next(i for i in issues if i["source"] == "check")
    assert finding["unit"] == "th-a" and finding["severity"] == "blocker"
    assert finding["location"]["path"] == DISCLOSURE and finding["state"] == KEPT
    assert finding["owner"]["name"] == "Nguyễn Thị Hoa"


def test_build_of_a_school_rebuilds_its_phong_and_so_unless_only(
    tmp_path: Path, pinned_now: str
) -> None:
    root = make_network(tmp_path / "net", UNITS, {POST_A: post("Khai giảng", "2026-09-05")})
    assert build(root).exit_code == 0
    title = "Tin nổi bật mới của trường A"
    write_files(
        root,
        {
            "content/th-a/tin-tuc/2026/2026-10-03-moi/index.md": post(
                title, "2026-10-03 08:00", featured=True
            )
        },
    )

    def pages() -> dict[str, str]:
        return {
            u: (root / f"public/{u}/tin-don-vi/index.html").read_text(encoding="utf-8")
            for u in ("pgd", "so")
        } | {"th-a": (root / "public/th-a/tin-tuc/index.html").read_text(encoding="utf-8")}

    only = build(root, "th-a", "--only")
    assert only.exit_code == 0, only.output
    assert "also rebuilding" not in only.output
    shown = pages()
    assert title in shown["th-a"] and title not in shown["pgd"] and title not in shown["so"]

    result = build(root, "th-a")
    assert result.exit_code == 0, result.output
    assert "also rebuilding the portals above: pgd, so" in result.output
    rows = [line.split()[0] for line in result.output.splitlines() if "✓" in line]
    assert rows == ["th-a", "pgd", "so"]  # members first
    shown = pages()
    assert all(title in page for page in shown.values())
    assert "th-b" not in rows  # a sibling is not rebuilt


# -- pieces, no build needed ------------------------------------------------------------------


def _site(out: Path, uid: str, *, search: list[list[Any]] | None = None) -> None:
    (out / uid).mkdir(parents=True)
    (out / uid / "index.html").write_text("ok", encoding="utf-8")
    if search is not None:
        folder = out / uid / "search"
        (folder / "docs").mkdir(parents=True)
        manifest = {
            "units": [["th-a", "A"], ["th-b", "B"], [uid, uid]],
            "kinds": [["tin-tuc", ""], ["van-ban", ""], ["cong-khai", ""], ["trang", ""]],
            "chunks": 1,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        (folder / "docs/0.json").write_text(json.dumps(search), encoding="utf-8")


def test_decide_units_each_unit_on_its_own(tmp_path: Path) -> None:
    root = make_network(tmp_path / "net", {**UNITS, "pgd2": {**UNITS["pgd"], "name": "P2"}})
    network = get_network(root)
    out = tmp_path / "public"
    _site(out, "so", search=[["/th-a/cong-khai/x/", "x", 0, None, 2, "sinh ngày …"]])
    _site(out, "pgd", search=[["/th-a/tin-tuc/y/", "y", 0, None, 0, "tin"]])  # no disclosure
    _site(out, "pgd2")
    _site(out, "th-a")
    _site(out, "th-b")
    os.symlink("/etc/hostname", out / "pgd2" / "link")
    units = ["so", "pgd", "pgd2", "th-a", "th-b", "th-c"]
    target = Target("network", "network", units, "origin", "gh-pages", None, "/")
    statuses = {
        "so": SiteStatus("so", True, "t", "final"),
        "pgd": SiteStatus("pgd", True, "t", "all"),
        "pgd2": SiteStatus("pgd2", True, "t", "all"),
        "th-a": SiteStatus("th-a", True, "t", "all"),
        "th-b": SiteStatus(
            "th-b",
            False,
            "t2",
            "all",
            errors=["x.md: lỗi / error\ny"],
            last_ok="t1",
            last_ok_commit="abcdef1234567890",
        ),
    }
    check = CheckGate(ran=True, blocking={"th-a": ["[cccd] CCCD 001*******67"]})
    decisions = decide_units(network, target, statuses, out, check)
    assert {u: d.state for u, d in decisions.items()} == {
        "so": KEPT,  # its network search carries th-a's disclosure page
        "pgd": BUILT,  # it carries th-a's news only
        "pgd2": KEPT,  # a symbolic link in the output
        "th-a": KEPT,  # blocking check
        "th-b": LAST_GOOD,  # failed, its last good output is there
        "th-c": KEPT,  # never built
    }
    assert decisions["th-b"].reasons == [
        "xây dựng thất bại, xuất bản bản tốt gần nhất (t1 UTC, abcdef123456) / build failed,"
        " publishing its last good output (t1 UTC, abcdef123456): x.md: lỗi / error"
    ]
    own_domain = Target("so", "per-unit", ["so"], "origin", "gh-pages-so", None, "/")
    assert decide_units(network, own_domain, statuses, out, check)["so"].state == KEPT
    everything = CheckGate(ran=True, blocking={"*": ["không chạy được / could not run"]})
    assert {d.state for d in decide_units(network, target, statuses, out, everything).values()} == {
        KEPT
    }
    assert decide_units(network, target, statuses, out, None)["so"].state == BUILT


def test_build_report_keeps_the_last_good_build_and_unchanged_warnings(tmp_path: Path) -> None:
    out = tmp_path / "public"
    source = {"commit": "a" * 40, "dirty": False}
    write_build_report(out, [SiteResult("th-a", True, warnings=["w1"])], source=source)
    write_build_report(out, [SiteResult("th-a", True, skipped=True)], source=source)
    assert read_build_status(out)["th-a"].warnings == ["w1"]  # unchanged: same warnings
    for n in (1, 2):  # failing twice still names the last good build
        write_build_report(
            out, [SiteResult("th-a", False, errors=["e"])], source={"commit": str(n) * 40}
        )
        status = read_build_status(out)["th-a"]
        assert not status.ok and status.last_ok_commit == "a" * 40 and status.last_ok
    write_build_report(
        out, [SiteResult("th-a", False, errors=["e"])], label="shard-1-of-2", source=source
    )
    assert read_build_status(out)["th-a"].last_ok is None  # that shard never built it well


def test_problem_lines_and_cells() -> None:
    line = "net/content/th-a/x/index.md: trường 'date' / field 'date': ngày sai / bad date"
    assert split_message(line) == ("net/content/th-a/x/index.md", "date", "ngày sai / bad date")
    portal = (
        "edusite: báo cáo / report: skipped a member's invalid post: content/th-a/x.md:"
        " trường 'image' / field 'image': thiếu / missing"
    )
    assert split_message(portal) == (
        "content/th-a/x.md",
        "image",
        "edusite: báo cáo / report: skipped a member's invalid post: thiếu / missing",
    )
    assert split_message("content/th-a/x.md: lỗi / error") == (
        "content/th-a/x.md",
        "",
        "lỗi / error",
    )
    assert split_message("KeyError: 'x'") == ("", "", "KeyError: 'x'")
    assert cell("a|b <script> [l](u) *x*\nnext") == r"a\|b &lt;script&gt; \[l\](u) \*x\* next"
