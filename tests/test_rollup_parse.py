"""Roll-up parsing and sanitising, without a network: documents in, safe items out."""

from __future__ import annotations

import codecs
import time
import tracemalloc
import unicodedata
from datetime import timedelta

import pytest
from conftest_rollup import DANGEROUS, NOW, all_text, fixture, rss
from edusite.rollup import FeedError, Source, check_document, normalize_link
from edusite.rollup.parse import parse_document
from edusite.rollup.sanitize import absolute_url, clean_html, plain_text
from edusite.rollup.state import backoff

SOURCE = Source(
    key="remote.truong-a",
    kind="remote",
    unit_id="truong-a",
    unit_name="Trường A",
    url="https://truong-a.example.edu.vn/feed.xml",
)


def parse(data: bytes, doc_url: str = SOURCE.url, content_type: str = "application/rss+xml"):
    return parse_document(data, SOURCE, doc_url=doc_url, content_type=content_type, now=NOW)


# -- document checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion-laughs.xml", "xxe.xml"])
def test_dtd_rejected_fast_and_small(name: str) -> None:
    data = fixture(name)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(FeedError) as info:
        parse(data)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "DOCTYPE" in info.value.en and "DOCTYPE" in info.value.vi
    assert elapsed < 0.5
    assert peak < 2_000_000  # the expansion would be gigabytes


@pytest.mark.parametrize(
    "prefix",
    [
        b"",
        codecs.BOM_UTF8,
        b"<?xml version='1.0'?>\n<!-- comment <rss> -->\n<?pi x?>\n",
    ],
)
def test_doctype_found_after_prolog_items(prefix: bytes) -> None:
    with pytest.raises(FeedError):
        check_document(prefix + b'<!DOCTYPE rss [<!ENTITY a "b">]><rss/>')


def test_doctype_in_utf16_rejected() -> None:
    doc = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE x [<!ENTITY a "b">]><rss/>'
    for data in (codecs.BOM_UTF16_LE + doc.encode("utf-16-le"), doc.encode("utf-16-be")):
        with pytest.raises(FeedError):
            check_document(data)


def test_doctype_inside_cdata_is_content_not_a_dtd() -> None:
    data = rss([{"guid": "g", "title": "t", "content": "<!DOCTYPE html><p>ok</p>"}])
    check_document(data)
    assert parse(data).items[0].content_html == "<p>ok</p>"


@pytest.mark.parametrize(
    ("data", "en"),
    [
        (b"", "no XML root"),
        (b"<?xml version='1.0'?>", "no XML root"),
        (b"Hello, not XML", "not an XML document"),
        (b"<html><body>404</body></html>", "not an RSS or Atom feed"),
        (
            b"<rss version='2.0'><channel><item><title>a & b</title></item></channel></rss>",
            "malformed XML",
        ),
    ],
)
def test_unusable_documents(data: bytes, en: str) -> None:
    with pytest.raises(FeedError) as info:
        parse(data)
    assert en in info.value.en


def test_size_cap() -> None:
    data = rss([{"guid": "g", "title": "t"}])
    check_document(data, max_bytes=len(data))
    with pytest.raises(FeedError) as info:
        check_document(data, max_bytes=len(data) - 1)
    assert "too large" in info.value.en


# -- items --------------------------------------------------------------------------------------


def test_rss_fields() -> None:
    feed = parse(fixture("rss.xml"))
    first = feed.items[0]
    assert [i.guid for i in feed.items] == [
        "urn:edusite:thcs-nguyendu:2024-09-05-khai-giang",
        "urn:edusite:thcs-nguyendu:2024-08-28-hoi-nghi",
        "urn:edusite:thcs-nguyendu:2024-06-01-tuyen-sinh",
    ]
    assert first.title == "Lễ khai giảng năm học 2024-2025"
    assert (
        first.published is not None and first.published.isoformat() == "2024-09-05T07:30:00+07:00"
    )
    assert str(first.published.tzinfo) == "Asia/Ho_Chi_Minh"
    assert first.categories == ("Hoạt động", "Tin tức")
    assert first.author == "Nguyễn Thị Lan"
    assert first.image.endswith("/2024-09-05-khai-giang/anh-bia.jpg")
    assert first.image_alt == "Học sinh dự lễ khai giảng"
    assert "<strong>lễ khai giảng</strong>" in first.content_html
    assert first.summary_text == "Sáng 5/9, nhà trường tổ chức lễ khai giảng năm học mới."
    assert (first.source_id, first.source_name) == ("truong-a", "Trường A")
    assert feed.site_link == "https://thcs-nguyendu.example.edu.vn/tin-tuc/"
    assert feed.warnings == []


def test_atom_with_xml_base() -> None:
    feed = parse(fixture("atom.xml"), content_type="application/atom+xml")
    newest, older = feed.items
    assert newest.title == "Chào mừng ngày Phụ nữ Việt Nam 20/10"
    assert (
        newest.published is not None and newest.published.isoformat() == "2024-10-20T09:00:00+07:00"
    )
    assert older.title == "Vui Tết Trung thu & rước đèn"
    assert older.link == "https://mamnon-hoa-sen.example.edu.vn/tin-tuc/trung-thu/"
    assert 'href="https://mamnon-hoa-sen.example.edu.vn/tin-tuc/anh/"' in older.content_html
    # type="text" summaries are escaped, not interpreted
    assert older.summary_html == "<p>Các bé cùng rước đèn &lt;vui&gt; đêm Trung thu.</p>"
    assert older.categories == ("Hoạt động",)
    assert older.updated is not None and older.updated > older.published  # type: ignore[operator]


def test_hostile_feed_is_defused() -> None:
    (item,) = parse(fixture("xss.xml")).items
    text = all_text(item).lower()
    for marker in DANGEROUS:
        assert marker not in text, marker
    assert item.title == "Tin độc hại"
    assert item.author == "Kẻ xấu"
    assert item.categories == ("Tin tức",)
    assert item.image == ""  # javascript: enclosure and data: media both refused
    assert "<p>Nội dung</p>" in item.content_html
    assert '<a href="https://hostile.example.edu.vn/tin/1/tin/2/" rel="noopener noreferrer">' in (
        item.content_html
    )
    assert 'target="' not in item.content_html


def test_windows_1258_and_nfd_become_nfc() -> None:
    (w,) = parse(fixture("windows-1258.xml")).items
    assert w.title == "Trường Tiểu học Đồng Tâm đạt chuẩn quốc gia"
    assert w.author == "Lê Văn Hùng"
    (n,) = parse(fixture("nfd.xml")).items
    assert n.title == "Hội thi Giáo viên dạy giỏi cấp huyện"
    assert n.summary_html == "<p>Thầy Nguyễn Đức Thắng đạt giải Nhất.</p>"
    assert n.categories == ("Hoạt động chuyên môn",)
    assert n.author == "Phạm Thị Hương"
    for item in (w, n):
        text = all_text(item)
        assert text == unicodedata.normalize("NFC", text)


def test_relative_urls_made_absolute() -> None:
    doc_url = "http://127.0.0.1:8000/truong-a/feed.xml"
    first, second = parse(fixture("relative.xml"), doc_url=doc_url).items
    assert first.link == "http://127.0.0.1:8000/truong-a/tin-tuc/bai-1/"
    assert 'href="http://127.0.0.1:8000/truong-a/tin-tuc/bai-0/"' in first.content_html
    assert 'href="http://127.0.0.1:8000/truong-a/lien-he/"' in first.content_html
    assert 'href="http://127.0.0.1:8000/truong-a/tin-tuc/bai-1/#muc-2"' in first.content_html
    assert 'src="http://127.0.0.1:8000/truong-a/tin-tuc/bai-1/anh.jpg"' in first.content_html
    assert first.image == "http://127.0.0.1:8000/truong-a/tin-tuc/bai-1/anh.jpg"
    assert first.image_alt == "Ảnh bài 1"
    assert second.link == ""
    assert 'src="http://127.0.0.1:8000/truong-a/hinh/2.png"' in second.summary_html


def test_missing_title_and_date_are_warned() -> None:
    feed = parse(fixture("untitled.xml"))
    titles = [i.title for i in feed.items]
    assert titles == [
        "Nhà trường tổ chức hội thi giáo viên dạy giỏi cấp trường…",
        "(Không có tiêu đề)",
        "Bài không có ngày",
    ]
    assert feed.items[-1].published is None
    fields = [w.field for w in feed.warnings]
    assert fields == ["title", "title", "pubDate"]
    assert all(w.severity == "warning" and w.vi and w.en for w in feed.warnings)


def test_future_date_warned_and_duplicates_in_one_feed_dropped() -> None:
    future = (NOW + timedelta(days=30)).strftime("%Y-%m-%d")
    feed = parse(
        rss(
            [
                {"guid": "a", "title": "Tương lai", "date": future},
                {"guid": "b", "title": "Một", "date": "2024-11-01"},
                {"guid": "b", "title": "Một (bản lặp)", "date": "2024-11-01"},
            ]
        )
    )
    assert [i.title for i in feed.items] == ["Tương lai", "Một"]
    assert [w.field for w in feed.warnings] == ["pubDate"]
    assert "future" in feed.warnings[0].en


def test_zone_less_dates_are_vietnam_time() -> None:
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id>'
        b"<updated>2024-11-01T08:00:00</updated><entry><id>e</id><title>t</title>"
        b"<updated>2024-11-01T08:00:00</updated></entry></feed>"
    )
    (item,) = parse(data, content_type="application/atom+xml").items
    assert item.published is not None and item.published.isoformat() == "2024-11-01T08:00:00+07:00"


def test_long_content_is_capped_and_balanced() -> None:
    body = "<div>" + "<p><b>chữ</b> dài</p>" * 10_000 + "</div>"
    feed = parse(rss([{"guid": "g", "title": "Dài", "date": "2024-11-01", "content": body}]))
    html = feed.items[0].content_html
    assert len(html) < 70_000
    assert html.count("<p>") == html.count("</p>") and html.endswith("</div>")
    assert [w.field for w in feed.warnings] == ["content"]


# -- sanitiser helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a/b", "https://x.vn/tin/a/b"),
        ("//cdn.x.vn/i.png", "https://cdn.x.vn/i.png"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:image/png;base64,AAAA", None),
        ("vbscript:x", None),
        ("file:///etc/passwd", None),
        ("http://", None),
        ("http://[::1", None),
        ("", None),
    ],
)
def test_absolute_url(value: str, expected: str | None) -> None:
    assert absolute_url(value, "https://x.vn/tin/") == expected


def test_absolute_url_needs_a_web_base_for_relative_urls() -> None:
    assert absolute_url("a.jpg", "") is None
    assert absolute_url("https://x.vn/a.jpg", "") == "https://x.vn/a.jpg"


def test_clean_html_allow_list() -> None:
    html, cut = clean_html(
        '<h1>T</h1><p class="c" id="i" style="x">a <a href="mailto:bbt@x.vn">mail</a>'
        '<table><tr><td colspan="2" onclick="x">1</td></tr></table><video src="v.mp4">v</video>',
        "https://x.vn/",
    )
    assert not cut
    assert html == (
        'T<p>a <a href="mailto:bbt@x.vn" rel="noopener noreferrer">mail</a></p>'
        '<table><tbody><tr><td colspan="2">1</td></tr></tbody></table>'
    )


def test_plain_text_strips_markup_even_when_escaped() -> None:
    assert plain_text("A &amp;lt;script&amp;gt;x&amp;lt;/script&amp;gt; B") == "A B"
    assert plain_text("Toán &amp; Tiếng Việt") == "Toán & Tiếng Việt"
    assert plain_text("a < b and c > d") == "a < b and c > d"
    assert plain_text("  nhiều   khoảng\n trắng ") == "nhiều khoảng trắng"
    assert plain_text("từ " * 200, 20) == "từ từ từ từ từ từ…"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.vn/tin/a/", "http://www.x.vn/tin/a"),
        ("https://x.vn/tin/a/index.html", "https://x.vn/tin/a/"),
        ("https://x.vn/tin/a/?utm_source=fb&id=1", "https://X.VN:443/tin/a?id=1#top"),
        ("https://x.vn/tin/%C4%91", "https://x.vn/tin/đ"),
    ],
)
def test_normalize_link_equivalences(a: str, b: str) -> None:
    assert normalize_link(a) == normalize_link(b)


def test_normalize_link_keeps_real_differences() -> None:
    assert normalize_link("https://x.vn/tin/a") != normalize_link("https://x.vn/tin/b")
    assert normalize_link("https://x.vn/?id=1") != normalize_link("https://x.vn/?id=2")
    assert normalize_link("https://x.vn:8080/a") != normalize_link("https://x.vn/a")


def test_backoff_doubles_up_to_a_day() -> None:
    steps = [backoff(n) for n in range(0, 12)]
    assert steps[:4] == [
        timedelta(0),
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=1),
    ]
    assert steps[-1] == timedelta(days=1)
    assert steps == sorted(steps)
