"""The feed writer (edusite.core.feeds) against the specifications: RSS 2.0, Atom (RFC 4287),
tag: URIs (RFC 4151), archived feeds (RFC 5005), checked by tests/feed_rules.py."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from edusite.core.feeds import (
    FeedSettings,
    archive_pages,
    feed_settings,
    item_key,
    tag_uri,
    write_feeds,
)
from edusite.structure.posts import Post
from edusite.text import TZ
from feed_rules import check_archives, check_feed

SITE = "https://lamgiang.edu.vn/th-a/"
CATS = {"thong-bao": "Thông báo", "tin-tuc-su-kien": "Tin tức - Sự kiện"}
AUTH = "lamgiang.edu.vn,2026-01-01"


def make_posts(count: int, start: int = 0) -> list[Post]:
    """``count`` posts, seven hours apart, newest first (ids th-a-<n>)."""
    base = datetime(2026, 1, 1, 8, tzinfo=TZ)
    out = []
    for i in range(start, start + count):
        d = base + timedelta(hours=7 * i)
        folder = f"{d:%Y-%m-%d}-bai-{i}"
        out.append(
            Post(
                id=f"th-a-{i}",
                title=f"Bài số {i}: điểm < 5 & “ngoặc kép”",
                date=d,
                src_uri=f"tin-tuc/2026/{folder}/index.md",
                url=f"tin-tuc/2026/{folder}/",
                summary=f"Tóm tắt bài {i}" if i % 3 else "",
                categories=["thong-bao"] if i % 2 else ["tin-tuc-su-kien"],
                featured=i % 10 == 0,
                author="Nguyễn Văn A" if i % 4 else "",
                content_html=f'<p>Nội dung <a href="../">bài {i}</a> &amp; <img src="anh.jpg" alt="Ảnh"></p>',
            )
        )
    return sorted(out, key=Post.sort_key)


def write(folder: Path, posts: list[Post], **settings: object) -> list[str]:
    return write_feeds(
        folder,
        posts,
        site_url=SITE,
        site_name="Trường Tiểu học A",
        description="Trang tin Trường Tiểu học A",
        categories=CATS,
        settings=FeedSettings(authority=AUTH, **settings),  # type: ignore[arg-type]
        unit_id="th-a",
    )


def findings(folder: Path, written: list[str]) -> list[str]:
    out = []
    for rel in written:
        out += [str(f) for f in check_feed((folder / rel).read_bytes(), SITE + rel)]
    return out


def test_small_site_feeds_follow_every_rule(tmp_path: Path) -> None:
    written = write(tmp_path, make_posts(12))
    assert set(written) >= {"feed.xml", "atom.xml", "featured.xml", "featured-atom.xml"}
    assert "tin-tuc/chuyen-muc/thong-bao/feed.xml" in written
    assert findings(tmp_path, written) == []
    rss = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert rss.bozo == 0 and rss.feed.link == SITE + "tin-tuc/"  # the HTML page, not a feed
    atom = feedparser.parse((tmp_path / "atom.xml").read_bytes())
    assert atom.bozo == 0
    # Titles are text, escaped: "<" and "&" are shown as typed.
    assert atom.entries[0].title == "Bài số 11: điểm < 5 & “ngoặc kép”"
    assert atom.entries[0].summary_detail.type == "text/html"
    # Category feeds link to their own page.
    cat = feedparser.parse((tmp_path / "tin-tuc/chuyen-muc/thong-bao/atom.xml").read_bytes())
    assert cat.feed.link == SITE + "tin-tuc/chuyen-muc/thong-bao/"


def test_the_checker_finds_what_the_old_writer_did_wrong(tmp_path: Path) -> None:
    """The rules have teeth: feedgen as the writer used it (link order, CDATA content, post ids
    as Atom ids) breaks exactly the rules the W3C validator reported on the old feeds."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(SITE + "atom.xml")
    fg.title("Tin")
    fg.subtitle("Tin")
    fg.link(href=SITE + "tin-tuc/", rel="alternate")
    fg.link(href=SITE + "atom.xml", rel="self")
    fg.updated(datetime(2026, 1, 1, tzinfo=TZ))
    fe = fg.add_entry()
    fe.id("th-a-2026-01-01-khai-giang")
    fe.guid("th-a-2026-01-01-khai-giang", permalink=False)
    fe.title("Khai giảng")
    fe.link(href=SITE + "tin-tuc/2026/2026-01-01-khai-giang/")
    fe.published(datetime(2026, 1, 1, tzinfo=TZ))
    fe.updated(datetime(2026, 1, 1, tzinfo=TZ))
    fe.content("<p>Nội dung</p>", type="CDATA")
    rss = fg.rss_str(pretty=True).replace(b"<?xml version='1.0' encoding='UTF-8'?>", b"")
    atom = fg.atom_str(pretty=True).replace(b"<?xml version='1.0' encoding='UTF-8'?>", b"")
    decl = b'<?xml version="1.0" encoding="utf-8"?>'
    rss_rules = {f.rule for f in check_feed(decl + rss, SITE + "feed.xml")}
    atom_rules = {f.rule for f in check_feed(decl + atom, SITE + "atom.xml")}
    assert {"ChannelLinkNotHtml", "SelfDoesntMatchLocation"} <= rss_rules
    assert {"InvalidFullLink", "InvalidMIMEType"} <= atom_rules


def test_ids_never_change_when_a_post_is_edited_or_moved(tmp_path: Path) -> None:
    """Atom ids are tag: URIs of the unit and the post id; RSS guids are the post id exactly as
    before (the migration rule: readers and portals keep their read marks)."""
    first = make_posts(1)[0]
    moved = Post(
        id=first.id,
        title="Tiêu đề mới",
        date=first.date + timedelta(days=3),
        src_uri="tin-tuc/2027/2027-01-04-chuyen-cho/index.md",
        url="tin-tuc/2027/2027-01-04-chuyen-cho/",
        summary="Đã sửa",
        content_html="<p>Nội dung khác</p>",
    )
    ids = []
    for n, post in enumerate((first, moved)):
        folder = tmp_path / str(n)
        write(folder, [post])
        rss = feedparser.parse((folder / "feed.xml").read_bytes())
        atom = feedparser.parse((folder / "atom.xml").read_bytes())
        ids.append((rss.entries[0].id, atom.entries[0].id))
    assert ids[0] == ids[1] == ("th-a-0", "tag:lamgiang.edu.vn,2026-01-01:th-a/th-a-0")
    # A default id (urn:edusite:<unit>:<folder>) keeps its RSS guid; its tag names the folder.
    assert item_key("urn:edusite:th-a:2026-09-05-khai-giang", "th-a") == "2026-09-05-khai-giang"
    assert tag_uri(AUTH, "th-a", "a#b c") == "tag:lamgiang.edu.vn,2026-01-01:th-a/a%23b%20c"


def test_feeds_are_bounded_and_archived_per_rfc_5005(tmp_path: Path) -> None:
    posts = make_posts(120)
    written = write(tmp_path, posts, items=50)
    assert archive_pages(120, 50) == 2
    assert {"feed-archive/1.xml", "feed-archive/2.xml", "atom-archive/2.xml"} <= set(written)
    assert findings(tmp_path, written) == [] or all(
        "ArchiveIncomplete" in f for f in findings(tmp_path, written)
    )
    for name in ("feed.xml", "atom.xml"):
        assert check_archives(tmp_path, SITE, tmp_path / name) == []
    current = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert [e.id for e in current.entries] == [p.id for p in posts[:50]]
    assert current.feed.get("fh_archive") is None
    union: list[str] = []
    for k in (1, 2):
        doc = feedparser.parse((tmp_path / f"feed-archive/{k}.xml").read_bytes())
        assert "fh_archive" in doc.feed and len(doc.entries) == 50
        union += [e.id for e in doc.entries]
    union += [e.id for e in current.entries]
    assert set(union) == {p.id for p in posts}  # the archives reconstruct the whole feed
    # New posts never change an archive: 31 more posts give a third page; the first stays as it
    # was byte for byte, the second only gains its next-archive link (RFC 5005: archives are
    # stable).
    before = {k: (tmp_path / f"feed-archive/{k}.xml").read_bytes() for k in (1, 2)}
    later = tmp_path / "later"
    more = sorted(posts + make_posts(31, start=120), key=Post.sort_key)
    written = write(later, more, items=50)
    assert "feed-archive/3.xml" in written
    assert (later / "feed-archive/1.xml").read_bytes() == before[1]
    old_lines = before[2].decode().splitlines()
    new_lines = (later / "feed-archive/2.xml").read_bytes().decode().splitlines()
    added = [line for line in new_lines if line not in old_lines]
    assert [line for line in old_lines if line not in new_lines] == []
    assert len(added) == 1 and 'rel="next-archive"' in added[0] and "3.xml" in added[0]


def test_one_archive_document_is_the_only_allowed_warning(tmp_path: Path) -> None:
    written = write(tmp_path, make_posts(60), items=50)
    found = [f for rel in written for f in check_feed((tmp_path / rel).read_bytes(), SITE + rel)]
    assert found and all(f.rule == "ArchiveIncomplete" and f.allowed for f in found)


def test_a_school_of_five_thousand_posts_publishes_small_feeds(tmp_path: Path) -> None:
    """Before: feed.xml and atom.xml carried every post with its body (5.4 MB per 1,000 posts),
    and the roll-up refuses files over 5 MB. Now each document holds 50 summaries."""
    posts = make_posts(5000)
    for p in posts:
        p.content_html = "<p>" + "Nội dung dài của bài viết. " * 200 + "</p>"
    written = write(tmp_path, posts)
    sizes = {rel: (tmp_path / rel).stat().st_size for rel in written}
    assert max(sizes.values()) < 100_000, max(sizes.items(), key=lambda kv: kv[1])
    assert len(feedparser.parse((tmp_path / "feed.xml").read_bytes()).entries) == 50
    assert check_archives(tmp_path, SITE, tmp_path / "atom.xml") == []


def test_full_content_only_where_configured(tmp_path: Path) -> None:
    posts = make_posts(3)
    write(tmp_path / "summary", posts)
    write(tmp_path / "full", posts, full_content=True)
    short = feedparser.parse((tmp_path / "summary/atom.xml").read_bytes()).entries[0]
    full = feedparser.parse((tmp_path / "full/atom.xml").read_bytes()).entries[0]
    assert "content" not in short and "Tóm tắt bài 2" in short.summary
    assert "Nội dung" in full.content[0].value
    # Links in the body are absolute (relative ones mean nothing in a reader).
    assert f'href="{SITE}tin-tuc/2026/' in full.content[0].value
    # No summary: the first words of the body instead (Atom needs a summary without content).
    no_summary = feedparser.parse((tmp_path / "summary/feed.xml").read_bytes()).entries[2]
    assert "Nội dung bài 0" in html.unescape(no_summary.summary)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ({"items": 0}, "extra.network.feeds.items"),
        ({"items": "nhiều"}, "extra.network.feeds.items"),
        ({"full_content": "có"}, "extra.network.feeds.full_content"),
        ({"id_authority": "https://lamgiang.edu.vn"}, "extra.network.feeds.id_authority"),
    ],
)
def test_wrong_feed_settings_name_the_file_and_key(value: dict, key: str) -> None:
    settings, problems = feed_settings(
        {"feeds": value}, default_host="lamgiang.edu.vn", config_file="mkdocs.yml"
    )
    assert [p.field for p in problems] == [key]
    text = str(problems[0])
    assert text.startswith("mkdocs.yml: trường") and " / " in text
    assert settings == FeedSettings(50, False, "lamgiang.edu.vn,2026-01-01")
