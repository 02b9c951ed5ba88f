"""The embedded demo network: it builds completely, its links resolve, its feeds are valid."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import feedparser
import pytest
from conftest import REPO
from edusite.build.builder import build_network
from edusite.structure.network import get_network

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mp = pytest.MonkeyPatch()
    mp.setenv("EDUSITE_NOW", "2026-11-22 12:00")
    out = tmp_path_factory.mktemp("demo") / "public"
    cache = out.parent / "cache"
    results = build_network(get_network(REPO), out=out, jobs=2, offline=True, cache_dir=cache)
    mp.undo()
    assert [r.unit_id for r in results if not r.ok] == [], [r.errors for r in results if not r.ok]
    assert all(not r.warnings for r in results), [
        (r.unit_id, r.warnings) for r in results if r.warnings
    ]
    return out


def test_every_unit_has_its_pages(demo: Path) -> None:
    net = get_network(REPO)
    assert len(list(net)) >= 12
    levels = {u.level for u in net if u.kind in ("school", "center")}
    assert {"mam-non", "tieu-hoc", "thcs", "thpt", "lien-cap", "gdtx"} <= levels
    for unit in net:
        site = demo / unit.id
        for rel in (
            "index.html",
            "gioi-thieu/index.html",
            "lien-he/index.html",
            "tin-tuc/index.html",
            "feed.xml",
            "atom.xml",
        ):
            assert (site / rel).exists(), f"{unit.id}/{rel}"
        if unit.kind in ("school", "center"):
            posts = list((REPO / "content" / unit.id / "tin-tuc").glob("*/*/index.md"))
            assert len(posts) >= 12, unit.id
        if unit.is_portal:
            assert (site / "tin-don-vi/index.html").exists()
            assert (site / "tin-don-vi/feed.xml").exists()


def test_internal_links_resolve(demo: Path) -> None:
    broken = []
    for page in demo.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for href in re.findall(r'(?:href|src)="([^"#?:]+)(?:[#?][^"]*)?"', text):
            if href.startswith("//"):
                continue
            base = demo if href.startswith("/") else page.parent
            target = (base / href.lstrip("/")).resolve()
            if not (target.exists() or (target / "index.html").exists()):
                broken.append(f"{page.relative_to(demo)} → {href}")
    assert broken == []


def test_vietnamese_text_is_intact_nfc(demo: Path) -> None:
    home = (demo / "th-kim-dong/index.html").read_text(encoding="utf-8")
    assert "Trường Tiểu học Kim Đồng" in home
    for page in list(demo.glob("*/tin-tuc/2026/*/index.html"))[:40]:
        text = page.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), page
        assert "\ufffd" not in text and "Ã" not in text  # no mojibake


def test_feeds_are_valid_unique_dated_and_absolute(demo: Path) -> None:
    feeds = (
        sorted(demo.glob("*/feed.xml"))
        + sorted(demo.glob("*/atom.xml"))
        + sorted(demo.glob("*/tin-don-vi/*.xml"))
    )
    assert len(feeds) >= 24 + 6
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        ids = [e.id for e in parsed.entries]
        assert len(ids) == len(set(ids)), path
        assert parsed.entries, path
        for e in parsed.entries:
            assert e.link.startswith("https://lamgiang.edu.vn/"), (path, e.link)
            assert e.published_parsed is not None
        dates = [e.published_parsed for e in parsed.entries]
        assert dates == sorted(dates, reverse=True), path


def test_portals_roll_up_per_policy_without_duplicates(demo: Path) -> None:
    net = get_network(REPO)
    district = feedparser.parse((demo / "phong-gd-song-cau/tin-don-vi/feed.xml").read_bytes())
    members = {u.site_url for u in net.descendants("phong-gd-song-cau")}
    assert district.entries and all(
        any(e.link.startswith(m) for m in members) for e in district.entries
    )
    assert {next(m for m in members if e.link.startswith(m)) for e in district.entries} == members
    so = feedparser.parse((demo / "so-gddt/tin-don-vi/feed.xml").read_bytes())
    guids = [e.id for e in so.entries]
    assert len(guids) == len(set(guids))
    featured = {
        e.id for p in demo.glob("*/featured.xml") for e in feedparser.parse(p.read_bytes()).entries
    }
    portals_own = {
        e.id
        for uid in ("phong-gd-song-cau", "xa-tan-phu")
        for e in feedparser.parse((demo / uid / "feed.xml").read_bytes()).entries
    }
    assert set(guids) <= featured | portals_own  # Sở: featured news + portals' own news only
    commune = (demo / "xa-tan-phu/tin-don-vi/index.html").read_text(encoding="utf-8")
    assert "Trường Mầm non Tân Phú" in commune


def test_rebuild_gives_byte_identical_output(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDUSITE_NOW", "2026-11-22 12:00")
    out = tmp_path / "public"
    results = build_network(
        get_network(REPO), out=out, jobs=2, offline=True, cache_dir=tmp_path / "cache"
    )
    assert all(r.ok for r in results)

    def digest(folder: Path) -> dict[str, str]:
        return {
            str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*")
            if p.is_file()
        }

    assert digest(out) == digest(demo)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_sharded_demo_builds_are_byte_identical(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    """CI's matrix: N shard jobs with their own folders, then a final job merging them."""
    from click.testing import CliRunner
    from edusite.cli import main

    monkeypatch.setenv("EDUSITE_NOW", "2026-11-22 12:00")
    common = [
        "build",
        "--root",
        str(REPO),
        "-j",
        "2",
        "--offline",
        "--no-cache",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    for k in range(1, n + 1):
        result = CliRunner().invoke(
            main, [*common, "--shard", f"{k}/{n}", "--out", str(tmp_path / "shards" / str(k))]
        )
        assert result.exit_code == 0, result.output
    final = tmp_path / "final"
    result = CliRunner().invoke(
        main,
        [*common, "--shard", "final", "--out", str(final), "--merge", str(tmp_path / "shards")],
    )
    assert result.exit_code == 0, result.output

    def digest(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*")
            if p.is_file() and ".edusite" not in p.relative_to(folder).parts
        }

    assert digest(final) == digest(demo)
