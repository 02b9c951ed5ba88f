"""The engine's architecture, checked: import rules between packages, the core running with
MkDocs absent, one switch for every cache, and freshness declared by features (a page that
prints the date is rebuilt when the date moves on)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, SMALL_NETWORK, make_network, post
from edusite.cli import main

PKG = REPO / "scripts" / "edusite"
FEATURES = {"rollup", "disclosure", "documents", "reports", "images", "search", "cms"}
#: The ground floor: what every package may use, and which uses no package above it.
GROUND = {"errors", "text", "yamlio", "memo", "digests", "context", "extensions", "config"}
GROUND_PACKAGES = {"structure", "security"}


def _module(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    """Every ``edusite.…`` module ``path`` imports (relative imports resolved)."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None or target == "edusite":
                out += [f"{target}.{a.name}" for a in node.names]
            else:
                out.append(target)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names]
    return [m for m in out if m.startswith("edusite.")]


def _edges() -> list[tuple[str, str]]:
    return [(_module(p), m) for p in sorted(PKG.rglob("*.py")) for m in _imports(p)]


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_feature_reaches_into_another_features_modules() -> None:
    """A feature uses another only through its package (``from ..disclosure import …``)."""
    bad = [
        (src, dst)
        for src, dst in _edges()
        if _room(dst) in FEATURES
        and _room(src) not in (_room(dst), "commands")  # CLI verbs are the top floor
        and len(dst.split(".")) > 2
    ]
    assert bad == []


def test_the_build_package_imports_no_feature() -> None:
    """The build machinery knows features only through edusite.extensions."""
    bad = [
        (src, dst)
        for src, dst in _edges()
        if _room(src) == "build" and _room(dst) in FEATURES | {"core", "publishing", "commands"}
    ]
    assert bad == []


def test_the_ground_floor_imports_nothing_above_it() -> None:
    above = FEATURES | {"core", "build", "publishing", "commands"}
    bad = [
        (src, dst)
        for src, dst in _edges()
        if (_room(src) in GROUND | GROUND_PACKAGES) and _room(dst) in above
    ]
    assert bad == []


NO_MKDOCS = r"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("mkdocs", "material", "pymdownx"):
            raise ImportError(f"{name} is blocked: the core must run without MkDocs")
sys.meta_path.insert(0, Block())

from datetime import date, datetime
from pathlib import Path
root, out = Path(sys.argv[1]), Path(sys.argv[2])

from edusite.structure.network import get_network
from edusite.structure.posts import load_post
from edusite.core.feeds import write_feeds
from edusite.text import TZ
from edusite import disclosure, reports, rollup
from edusite.reports.periods import month
from edusite.reports.report import make_report

network = get_network(root)
school = network["th-kim-dong"]
docs = network.content_dir(school)
from edusite.reports.collect import categories_for
categories = categories_for(network, school)
posts = []
for path in sorted((docs / "tin-tuc").rglob("index.md")):
    p, _ = load_post(path, str(path.relative_to(docs)), unit_id=school.id, categories=categories)
    if p is not None:
        posts.append(p)
assert len(posts) >= 5, len(posts)
written = write_feeds(out / school.id, sorted(posts, key=lambda p: p.sort_key()), site_url=school.site_url,
                      site_name=school.name, description=school.name, categories=categories)
assert "feed.xml" in written
now = datetime(2026, 11, 22, 12, tzinfo=TZ)
result = rollup.collect(network, "phong-gd-song-cau", out, None, offline=True, now=now)
assert any(i.source_id == school.id for i in result.items), [h.status for h in result.health]
checked = disclosure.check_network(network, date(2026, 11, 22), disclosure.get_rules(root, network.settings), [school.id])
assert checked and checked[0].unit.id == school.id
report = make_report(network, month(2026, 11), [school.id], now=now)
assert report.units[0].posts >= 1
assert not [m for m in sys.modules if m.split(".")[0] in ("mkdocs", "material")]
print("ok", len(posts), len(result.items))
"""


def test_core_runs_without_mkdocs(tmp_path: Path) -> None:
    """Network, posts, feeds, roll-up, disclosure check and reports work with MkDocs absent
    (Material reaches end of life in 2027; docs/design.md, "The engine's future")."""
    root = tmp_path / "net"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("sites", "content"):
        shutil.copytree(REPO / folder, root / folder)
    done = subprocess.run(
        [sys.executable, "-c", NO_MKDOCS, str(root), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ok")


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_no_cache_reads_and_writes_no_cache(
    tmp_path: Path, pinned_now: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--no-cache`` leaves no file anywhere but the output: no .cache/, no images cache, no
    roll-up state, no memo, no temporary folder."""
    from browser_support import photo

    files: dict[str, str | bytes] = {
        "content/th-a/tin-tuc/2026/2026-11-20-anh/index.md": post(
            "Ảnh", "2026-11-20", image="anh.jpg", image_alt="Ảnh", featured=True
        ),
        "content/th-a/tin-tuc/2026/2026-11-20-anh/anh.jpg": photo(1),
    }
    root = make_network(tmp_path / "net", SMALL_NETWORK, files)
    before = _files(root)
    temp = tmp_path / "tmp"  # this build's own temporary folder, to see what it leaves
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["build", "--root", str(root), "--out", str(out), "--no-cache", "-j", "1", "--offline"],
    )
    assert result.exit_code == 0, result.output
    assert (out / "th-a/index.html").is_file() and (out / "pgd/tin-don-vi/index.html").is_file()
    assert list((out / "th-a/tin-tuc/2026/2026-11-20-anh").glob("anh.*.webp"))  # images made
    assert _files(root) == before  # nothing written into the repository (no .cache/)
    assert not (root / ".cache").exists()
    assert list(temp.iterdir()) == []
    assert not [p for p in out.rglob("*") if ".staging" in p.parts]


def test_a_date_dependent_page_is_rebuilt_when_the_date_moves_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The school's "Công khai" index prints the day's status: built on 22/11/2026, then asked
    again on 01/03/2027, the site is not skipped and the page says 01/03/2027."""
    root = tmp_path / "net"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "shared-theme").symlink_to(REPO / "shared-theme", target_is_directory=True)
    for uid in ("so-gddt", "phong-gd-song-cau", "th-kim-dong"):
        shutil.copytree(REPO / "sites" / uid, root / "sites" / uid)
        shutil.copytree(REPO / "content" / uid, root / "content" / uid)
    args = ["build", "--root", str(root), "-j", "1", "--offline", "th-kim-dong"]
    page = root / "public/th-kim-dong/cong-khai/index.html"

    def build(now: str) -> str:
        monkeypatch.setenv("EDUSITE_NOW", now)
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        line = next(x for x in result.output.splitlines() if x.startswith("th-kim-dong"))
        return line.split()[1]  # ✓ built, = skipped

    assert build("2026-11-22 12:00") == "✓"
    assert "22/11/2026" in page.read_text(encoding="utf-8")
    assert build("2026-11-22 18:00") == "="  # the same day: nothing changed
    assert build("2027-03-01 08:00") == "✓"
    text = page.read_text(encoding="utf-8")
    assert "01/03/2027" in text and "22/11/2026" not in re.sub(
        r"<table.*?</table>", "", text, flags=re.S
    )
