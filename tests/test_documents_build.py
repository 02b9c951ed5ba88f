"""Real MkDocs builds with the ``edusite-documents`` plugin: pages, feed, upper levels, reports."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import feedparser
from conftest import SMALL_NETWORK, make_network, post
from edusite.build.builder import build_network
from edusite.structure.network import get_network
from test_documents import PDF, doc_text, valid

DOCS = [  # (path below van-ban/, number, date, type, field, issuer)
    ("2026/kh-truyen-thong", "141/KH-SGDĐT", "2026-03-05", "Kế hoạch", "Truyền thông", "Sở GDĐT"),
    ("2026/cv-tuyen-sinh", "1234/SGDĐT-GDPT", "2026-04-20", "Công văn", "Tuyển sinh", "Sở GDĐT"),
    ("2025/tt-tuyen-sinh", "25/2025/TT-BGDĐT", "2025-08-01", "Thông tư", "Tuyển sinh", "Bộ GDĐT"),
    ("2025/kh-chuyen-doi-so", "88/KH-SGDĐT", "2025-10-02", "Kế hoạch", "Chuyển đổi số", "Sở GDĐT"),
]


def network(tmp_path: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    """SMALL_NETWORK with the Sở's documents and the documents plugin enabled."""
    files: dict[str, str | bytes] = {}
    for rel, number, issued, kind, field, issuer in DOCS:
        files[f"content/so/van-ban/{rel}/index.md"] = doc_text(
            **valid(
                so_hieu=number,
                ngay_ban_hanh=issued,
                loai_van_ban=kind,
                linh_vuc=field,
                co_quan_ban_hanh=issuer,
                trich_yeu=f"Trích yếu {number}",
                tep="van-ban.pdf",
            )
        )
        files[f"content/so/van-ban/{rel}/van-ban.pdf"] = PDF
    root = make_network(tmp_path, SMALL_NETWORK, {**files, **(extra or {})})
    base = root / "mkdocs.yml"
    text = base.read_text(encoding="utf-8")
    assert "\nplugins:\n" in text
    if "\n  edusite-documents:" not in text:  # a key given twice is refused (yamlio)
        base.write_text(text.replace("\nplugins:\n", "\nplugins:\n  edusite-documents: {}\n", 1))
    assert "\n  edusite-documents:" in base.read_text(encoding="utf-8")
    return root


def build(root: Path, ids: list[str] | None = None):
    results = build_network(get_network(root), ids, out=root / "public", jobs=1, offline=True)
    return {r.unit_id: r for r in results}


def read(root: Path, rel: str) -> str:
    return (root / "public" / rel).read_text(encoding="utf-8")


def rows(page: str) -> list[str]:
    """Số hiệu of every row of the page's documents tables, in order."""
    tables = re.findall(r"<table data-es-docs>(.*?)</table>", page, re.S)
    return [n for t in tables for n in re.findall(r'<th scope="row">(.*?)</th>', t)]


def test_documents_pages_feed_and_links(tmp_path: Path, pinned_now: str) -> None:
    root = network(tmp_path)
    result = build(root, ["so"])["so"]
    assert result.ok, result.errors
    site = root / "public/so"
    assert rows(read(root, "so/van-ban/index.html")) == [
        "1234/SGDĐT-GDPT",
        "141/KH-SGDĐT",
        "88/KH-SGDĐT",
        "25/2025/TT-BGDĐT",
    ]
    expected = {
        "loai/ke-hoach": ["141/KH-SGDĐT", "88/KH-SGDĐT"],
        "loai/cong-van": ["1234/SGDĐT-GDPT"],
        "loai/thong-tu": ["25/2025/TT-BGDĐT"],
        "nam/2026": ["1234/SGDĐT-GDPT", "141/KH-SGDĐT"],
        "nam/2025": ["88/KH-SGDĐT", "25/2025/TT-BGDĐT"],
        "linh-vuc/tuyen-sinh": ["1234/SGDĐT-GDPT", "25/2025/TT-BGDĐT"],
        "linh-vuc/truyen-thong": ["141/KH-SGDĐT"],
        "linh-vuc/chuyen-doi-so": ["88/KH-SGDĐT"],
        "co-quan/bo-gddt": ["25/2025/TT-BGDĐT"],
        "co-quan/so-gddt": ["1234/SGDĐT-GDPT", "141/KH-SGDĐT", "88/KH-SGDĐT"],
    }
    built = {
        str(p.parent.relative_to(site / "van-ban"))
        for p in site.glob("van-ban/*/*/index.html")
        if p.parts[-3] in ("loai", "nam", "linh-vuc", "co-quan")
    }
    assert built == set(expected)  # no page for an unused type, year or field
    for rel, numbers in expected.items():
        assert rows(read(root, f"so/van-ban/{rel}/index.html")) == numbers, rel

    index = read(root, "so/van-ban/index.html")
    assert (
        '<caption>Danh sách văn bản <span class="es-docs-count">(4 văn bản)</span></caption>'
        in index
    )
    assert index.count('<th scope="col"') == 5
    assert '<a href="loai/ke-hoach/">Kế hoạch</a> (2)' in index  # works without JavaScript
    assert '<script src="../assets/edusite-documents.js" defer></script>' in index
    assert (site / "assets/edusite-documents.js").read_bytes().startswith(b"/* edusite documents")
    assert ">Văn bản<" in read(root, "so/index.html")  # the core menu saw van-ban/index.md

    page = read(root, "so/van-ban/2026/kh-truyen-thong/index.html")
    assert "<h1>Trích yếu 141/KH-SGDĐT</h1>" in page
    assert "<caption>Thông tin văn bản</caption>" in page
    assert '<th scope="row">Số hiệu</th><td>141/KH-SGDĐT</td>' in page
    assert (
        '<a href="van-ban.pdf" aria-label="Tải về 141/KH-SGDĐT PDF (24 B)">PDF (24 B)</a>' in page
    )
    assert (site / "van-ban/2026/kh-truyen-thong/van-ban.pdf").read_bytes() == PDF

    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((site / "van-ban" / name).read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert [e.dc_identifier for e in parsed.entries] == rows(index)
        expected = {  # RSS guid as before; Atom id its tag: URI (#18)
            "feed.xml": "urn:edusite:so:van-ban:2026/cv-tuyen-sinh",
            "atom.xml": "tag:lamgiang.edu.vn,2026-01-01:so/van-ban:2026/cv-tuyen-sinh",
        }
        assert parsed.entries[0].id == expected[name]

    for html_file in site.glob("van-ban/**/*.html"):
        text = html_file.read_text(encoding="utf-8")
        for href in re.findall(r'(?:href|src)="([^"#:?]+)"', text):
            target = (html_file.parent / href).resolve()
            assert target.exists() or (target / "index.html").exists(), f"{html_file}: {href}"


def test_upper_documents_and_portal_report(tmp_path: Path, pinned_now: str) -> None:
    news = {
        f"content/th-a/tin-tuc/2026/2026-11-{d:02d}-tin-{d}/index.md": post(
            f"Tin {d}", f"2026-11-{d:02d} 08:00", categories=["thong-bao"], featured=d == 2
        )
        for d in (2, 3, 10)
    }
    root = network(tmp_path, news)
    # Children are built before their parents, yet the very first build shows the Sở's
    # documents: they are read from its content, as its feed will list them.
    assert all(r.ok for r in build(root).values())
    upper = read(root, "th-a/van-ban/cap-tren/index.html")
    assert "<h2>Sở GDĐT Thử</h2>" in upper
    assert rows(upper) == ["1234/SGDĐT-GDPT", "141/KH-SGDĐT", "88/KH-SGDĐT", "25/2025/TT-BGDĐT"]
    assert 'href="https://lamgiang.edu.vn/so/van-ban/2026/kh-truyen-thong/van-ban.pdf"' in upper
    assert ">Văn bản<" in read(root, "th-a/index.html")
    assert 'href="cap-tren/">Văn bản cấp trên</a>' in read(root, "th-a/van-ban/index.html")

    report = read(root, "pgd/bao-cao/index.html")
    assert '<h2 id="2026-11">Tháng 11/2026</h2>' in report
    assert '<title id="es-chart-1-title">Số tin bài theo đơn vị - Tháng 11/2026</title>' in report
    assert report.count('class="es-bar"') == 2  # one bar per member, in both sections
    data = (root / "public/pgd/bao-cao/bao-cao-2026-11.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    [row] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert (row["Mã đơn vị"], row["Tin bài"], row["Tin tiêu biểu"]) == ("th-a", "3", "1")
    assert (root / "public/so/bao-cao/index.html").exists()
    assert not (root / "public/th-a/bao-cao").exists()  # schools have no report page


def test_invalid_document_fails_only_its_site(tmp_path: Path, pinned_now: str) -> None:
    bad = {"content/so/van-ban/2026/sai/index.md": doc_text(**valid(so_hieu="141-KH", tep=None))}
    root = network(tmp_path, bad)
    results = build(root)
    assert not results["so"].ok
    assert (
        "content/so/van-ban/2026/sai/index.md: trường 'so_hieu' / field 'so_hieu'"
        in (results["so"].errors[0])
    )
    assert "number '141-KH' is malformed" in results["so"].errors[0]
    assert results["th-a"].ok and results["pgd"].ok
