"""Real MkDocs builds of small networks: listings, drafts, feeds, failures, reproducibility."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import feedparser
import pytest
from conftest import SMALL_NETWORK, make_network, post
from edusite.build.builder import build_network
from edusite.structure.network import get_network

JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a"
    "1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f00"
    "00010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d0102030004"
    "1105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a4344"
    "45464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8"
    "a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008"
    "010100003f00fbd3ffd9"
)


def news(n: int, month: int = 9, **meta) -> dict[str, str]:
    """``n`` posts of th-a, one per day of ``month`` 2026."""
    out = {}
    for i in range(1, n + 1):
        d = f"2026-{month:02d}-{i:02d}"
        out[f"content/th-a/tin-tuc/2026/{d}-bai-{i}/index.md"] = post(
            f"Bài {i} tháng {month}",
            f"{d} 08:00",
            id=f"th-a-{d}-{i}",
            categories=["thong-bao"],
            summary=f"Tóm tắt {i}",
            **meta,
        )
    return out


def build(root: Path, ids=None, jobs: int = 1):
    return build_network(get_network(root), ids, out=root / "public", jobs=jobs, offline=True)


def html(root: Path, rel: str) -> str:
    return (root / "public" / rel).read_text(encoding="utf-8")


def test_drafts_and_future_posts_are_not_published(tmp_path: Path, pinned_now: str) -> None:
    files = news(2)
    files["content/th-a/tin-tuc/2026/2026-10-01-nhap/index.md"] = post(
        "Bản nháp bí mật", "2026-10-01", draft=True, image="anh.jpg", image_alt="ảnh"
    )
    files["content/th-a/tin-tuc/2026/2026-10-01-nhap/anh.jpg"] = JPEG
    files["content/th-a/tin-tuc/2026/2026-12-24-tuong-lai/index.md"] = post(
        "Giáng sinh tương lai", "2026-12-24"
    )
    root = make_network(tmp_path, SMALL_NETWORK, files)
    results = build(root, ["th-a"])
    assert results[0].ok, results[0].errors
    site = root / "public/th-a"
    assert not (site / "tin-tuc/2026/2026-10-01-nhap").exists()  # neither the page nor its photo
    assert not (site / "tin-tuc/2026/2026-12-24-tuong-lai").exists()
    everything = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html")) + (
        site / "feed.xml"
    ).read_text(encoding="utf-8")
    assert "Bản nháp bí mật" not in everything and "Giáng sinh tương lai" not in everything
    assert "Bài 2 tháng 9" in html(root, "th-a/tin-tuc/index.html")


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (10, 1), (11, 2), (20, 2), (21, 3)])
def test_pagination_boundaries(tmp_path: Path, pinned_now: str, count: int, pages: int) -> None:
    root = make_network(tmp_path, SMALL_NETWORK, news(count))
    assert build(root, ["th-a"])[0].ok
    site = root / "public/th-a/tin-tuc"
    assert (site / "index.html").exists()
    for n in range(2, pages + 1):
        assert (site / f"trang/{n}/index.html").exists()
    assert not (site / f"trang/{pages + 1}").exists()
    first = (site / "index.html").read_text(encoding="utf-8")
    assert first.count('class="es-card"') == min(count, 10)
    if count == 0:
        assert "Chưa có tin bài." in first
    if pages > 1:
        last = (site / f"trang/{pages}/index.html").read_text(encoding="utf-8")
        assert last.count('class="es-card"') == count - 10 * (pages - 1)
        assert 'rel="prev"' in last and 'rel="next"' not in last
        # Newest first: page 1 starts with the newest post.
        assert first.index(f"Bài {count} tháng 9") < first.index(f"Bài {count - 1} tháng 9")


def test_category_and_archive_pages(tmp_path: Path, pinned_now: str) -> None:
    files = {**news(3, month=9), **news(2, month=10)}
    files["content/th-a/tin-tuc/2026/2026-10-20-su-kien/index.md"] = post(
        "Hội diễn văn nghệ", "2026-10-20", categories=["tin-tuc-su-kien"], featured=True
    )
    root = make_network(tmp_path, SMALL_NETWORK, files)
    assert build(root, ["th-a"])[0].ok
    cat = html(root, "th-a/tin-tuc/chuyen-muc/tin-tuc-su-kien/index.html")
    assert "Hội diễn văn nghệ" in cat and "Bài 1 tháng 9" not in cat
    assert html(root, "th-a/tin-tuc/chuyen-muc/thong-bao/index.html").count('class="es-card"') == 5
    sept = html(root, "th-a/tin-tuc/luu-tru/2026/09/index.html")
    assert sept.count('class="es-card"') == 3 and "Hội diễn" not in sept
    index = html(root, "th-a/tin-tuc/luu-tru/index.html")
    assert "Tháng 10/2026</a> (3 bài)" in index and "Tháng 09/2026</a> (3 bài)" in index
    home = html(root, "th-a/index.html")
    assert "Tin nổi bật" in home and "Hội diễn văn nghệ" in home
    assert "20/10/2026" in home  # dd/mm/yyyy


def test_feeds_parse_and_use_stable_ids(tmp_path: Path, pinned_now: str) -> None:
    root = make_network(tmp_path, SMALL_NETWORK, news(3))
    assert build(root, ["th-a"])[0].ok
    for name in ("feed.xml", "atom.xml", "featured.xml", "tin-tuc/chuyen-muc/thong-bao/feed.xml"):
        parsed = feedparser.parse((root / "public/th-a" / name).read_bytes())
        assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
    rss = feedparser.parse((root / "public/th-a/feed.xml").read_bytes())
    assert [e.id for e in rss.entries] == [
        "th-a-2026-09-03-3",
        "th-a-2026-09-02-2",
        "th-a-2026-09-01-1",
    ]
    assert rss.entries[0].link == "https://lamgiang.edu.vn/th-a/tin-tuc/2026/2026-09-03-bai-3/"
    assert rss.entries[0].published_parsed[:5] == (2026, 9, 3, 1, 0)  # 08:00 +07:00 = 01:00 UTC
    assert rss.feed.language == "vi"


def test_one_broken_site_does_not_stop_others_and_keeps_last_good(
    tmp_path: Path, pinned_now: str
) -> None:
    root = make_network(tmp_path, SMALL_NETWORK, news(2))
    assert all(r.ok for r in build(root))
    good = html(root, "th-a/tin-tuc/index.html")
    bad = root / "content/th-a/tin-tuc/2026/2026-09-02-bai-2/index.md"
    bad.write_text(post("Bài hỏng", "ngày mai"), encoding="utf-8")
    results = {r.unit_id: r for r in build(root)}
    assert not results["th-a"].ok
    assert "2026-09-02-bai-2/index.md" in results["th-a"].errors[0]
    assert "invalid date 'ngày mai'" in results["th-a"].errors[0]
    assert results["pgd"].ok and results["so"].ok
    assert html(root, "th-a/tin-tuc/index.html") == good  # last good site untouched
    assert not (root / "public/.staging").exists()


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_rebuild_is_byte_identical_and_parallel_matches_serial(
    tmp_path: Path, pinned_now: str
) -> None:
    files = news(12)
    files["content/th-a/tin-tuc/2026/2026-09-01-bai-1/anh.jpg"] = JPEG
    root = make_network(tmp_path, SMALL_NETWORK, files)
    assert all(r.ok for r in build(root))
    first = tree_digest(root / "public")
    assert all(r.ok for r in build(root, jobs=2))
    second = tree_digest(root / "public")
    assert first == second
    assert "th-a/sitemap.xml" in first and "th-a/feed.xml" in first


def test_vietnamese_text_intact_and_links_resolve(tmp_path: Path, pinned_now: str) -> None:
    files = news(3)
    files["content/th-a/gioi-thieu/index.md"] = (
        "# Giới thiệu\n\nTrường Tiểu học A được thành lập năm 1985.\n"
    )
    files["content/th-a/lien-he.md"] = "# Liên hệ\n\nĐiện thoại: 0207 3851 000\n"
    root = make_network(tmp_path, SMALL_NETWORK, files)
    assert build(root, ["th-a"])[0].ok
    site = root / "public/th-a"
    assert "Trường Tiểu học A được thành lập năm 1985." in (
        site / "gioi-thieu/index.html"
    ).read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    for label in ("Trang chủ", "Giới thiệu", "Tin tức", "Liên hệ"):
        assert f">{label}" in home or f"{label}\n" in home
    assert "Văn bản" not in home  # sections the unit lacks are hidden
    for page in site.rglob("*.html"):
        for href in re.findall(r'href="([^"#:?]+)"', page.read_text(encoding="utf-8")):
            if href.startswith("//"):
                continue
            base = root / "public" if href.startswith("/") else page.parent
            target = (base / href.lstrip("/")).resolve()
            assert target.exists() or (target / "index.html").exists(), f"{page}: {href}"
