"""A school of 5,000 posts rolls up correctly: bounded feeds, RFC 5005 archives, and a roll-up
that reads the subscription document and follows ``prev-archive`` only when it detects a gap.

The school's feeds are written by the real writer (:func:`edusite.core.feeds.write_feeds`)
into a build output folder; the portal reads them as an in-repo member (files) and as a remote
member (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from browser_support import serve
from conftest_rollup import (
    FeedServer,
    client_fixture,  # noqa: F401 (fixture "client")
    network,
    reply,
    rss,
    server_fixture,  # noqa: F401 (fixture "server")
)
from edusite.core.feeds import FeedSettings, write_feeds
from edusite.rollup import FetchSettings, collect
from edusite.structure.posts import Post
from edusite.text import TZ

NOW = datetime(2027, 6, 1, 12, tzinfo=TZ)
FAST = FetchSettings(connect_timeout=1.0, read_timeout=2.0, deadline=10.0)


def posts(count: int, start: int = 0) -> list[Post]:
    """Posts th-big-<n>, two hours apart from 01/01/2026, newest first."""
    base = datetime(2026, 1, 1, 7, tzinfo=TZ)
    out = []
    for i in range(start, start + count):
        when = base + timedelta(hours=2 * i)
        folder = f"{when:%Y-%m-%d}-tin-{i}"
        out.append(
            Post(
                id=f"th-big-{i}",
                title=f"Tin số {i}",
                date=when,
                src_uri=f"tin-tuc/{when:%Y}/{folder}/index.md",
                url=f"tin-tuc/{when:%Y}/{folder}/",
                summary=f"Tóm tắt tin số {i}",
                content_html="<p>" + "Nội dung bài viết. " * 300 + "</p>",
            )
        )
    return sorted(out, key=Post.sort_key)


def publish(public: Path, all_posts: list[Post], site_url: str) -> None:
    """What the school's build writes: its feeds, archives included (50 per document)."""
    folder = public / "th-big"
    for old in folder.rglob("*.xml"):
        old.unlink()
    write_feeds(
        folder,
        all_posts,
        site_url=site_url,
        site_name="Trường Tiểu học Lớn",
        description="Tin tức",
        categories={},
        settings=FeedSettings(authority="lamgiang.edu.vn,2026-01-01"),
        unit_id="th-big",
    )


def portal(root: Path, limit: int, remote: list[dict[str, str]] | None = None):
    units = {
        "so": {
            "name": "Sở GDĐT Thử",
            "kind": "so",
            "rollup": {"policy": "all", "limit": limit, **({"remote": remote} if remote else {})},
        },
    }
    if not remote:
        units["th-big"] = {
            "name": "Trường Tiểu học Lớn",
            "kind": "school",
            "level": "tieu-hoc",
            "parent": "so",
        }
    return network(root, units)


def newest(all_posts: list[Post], n: int) -> list[str]:
    return [p.id for p in all_posts[:n]]


def test_a_school_of_5000_posts_rolls_up_correctly(tmp_path: Path) -> None:
    public, state = tmp_path / "public", tmp_path / "state"
    net = portal(tmp_path / "repo", limit=200)
    site = net["th-big"].site_url
    school = posts(5000)
    publish(public, school, site)
    assert (public / "th-big/feed.xml").stat().st_size < 200_000  # was 27 MB: refused at 5 MB

    # First read: the subscription document holds 50; the portal wants 200 → 3 archives.
    first = collect(net, "so", public, state, now=NOW, offline=True)
    assert [h.status for h in first.health] == ["ok"]
    assert [i.guid for i in first.items] == newest(school, 200)
    assert first.health[0].archives == 3

    # Three new posts: the newest stored post is in the document, no gap, no archive read.
    school = posts(5003)
    publish(public, school, site)
    again = collect(net, "so", public, state, now=NOW, offline=True)
    assert [i.guid for i in again.items] == newest(school, 200)
    assert again.health[0].archives == 0

    # 120 new posts between two builds: a gap; archives are read until it is closed.
    school = posts(5123)
    publish(public, school, site)
    gap = collect(net, "so", public, state, now=NOW, offline=True)
    assert [i.guid for i in gap.items] == newest(school, 200)
    assert gap.health[0].archives == 2
    assert not [w for h in gap.health for w in h.warnings]


def test_a_portal_that_needs_few_items_reads_one_document(tmp_path: Path) -> None:
    public = tmp_path / "public"
    net = portal(tmp_path / "repo", limit=30)
    school = posts(400)
    publish(public, school, net["th-big"].site_url)
    result = collect(net, "so", public, tmp_path / "state", now=NOW, offline=True)
    assert [i.guid for i in result.items] == newest(school, 30)
    assert result.health[0].archives == 0


def test_a_remote_school_of_5000_posts_over_http(tmp_path: Path) -> None:
    """The same school outside the repository: its feed and archives fetched over HTTP with
    the roll-up's limits (same host only)."""
    public = tmp_path / "public"
    public.mkdir()
    with serve(public) as base:
        site = f"{base}/th-big/"
        school = posts(5000)
        publish(public, school, site)
        member = {"id": "th-big", "name": "Trường Tiểu học Lớn", "feed": site + "feed.xml"}
        net = portal(tmp_path / "repo", limit=120, remote=[member])
        with httpx.Client(trust_env=False) as client:
            result = collect(
                net, "so", public, tmp_path / "state", now=NOW, client=client, settings=FAST
            )
    assert [h.status for h in result.health] == ["ok"]
    assert [i.guid for i in result.items] == newest(school, 120)
    assert result.health[0].archives == 2


@pytest.mark.parametrize(
    "archive",
    [
        "https://elsewhere.example/feed-archive/1.xml",  # another host: never fetched
        "/private/feed-archive/1.xml",  # same host, but answers 404
    ],
)
def test_archive_links_are_followed_within_the_limits(
    tmp_path: Path, server: FeedServer, client: httpx.Client, archive: str
) -> None:
    doc = rss(
        [
            {
                "guid": f"g{i}",
                "title": f"Tin {i}",
                "link": f"https://a.vn/{i}/",
                "date": "2024-11-01",
            }
            for i in range(3)
        ]
    ).replace(
        b"<description>x</description>",
        b'<description>x</description><atom:link xmlns:atom="http://www.w3.org/2005/Atom" '
        b'rel="prev-archive" href="' + archive.encode() + b'"/>',
    )
    server.routes["/feed.xml"] = reply(200, doc)
    member = {"id": "a", "name": "Trường A", "feed": server.url("/feed.xml")}
    net = portal(tmp_path / "repo", limit=60, remote=[member])
    result = collect(
        net, "so", tmp_path / "public", tmp_path / "state", now=NOW, client=client, settings=FAST
    )
    assert [h.status for h in result.health] == ["ok"]  # the feed itself is fine
    assert len(result.items) == 3
    warnings = [str(w) for h in result.health for w in h.warnings]
    assert len(warnings) == 1 and "không đọc được trang lưu trữ" in warnings[0]
    assert not [p for p, _h in server.requests if "elsewhere" in p]


def test_a_local_archive_link_cannot_leave_the_members_folder(tmp_path: Path) -> None:
    public = tmp_path / "public"
    net = portal(tmp_path / "repo", limit=60)
    site = net["th-big"].site_url
    publish(public, posts(3), site)
    feed = public / "th-big/feed.xml"
    (public / "secret.xml").write_bytes(feed.read_bytes())
    feed.write_bytes(
        feed.read_bytes().replace(
            b"<language>",
            b'<atom:link rel="prev-archive" href="' + site.encode() + b'../secret.xml"/>'
            b"\n    <language>",
        )
    )
    result = collect(net, "so", public, tmp_path / "state", now=NOW, offline=True)
    assert len(result.items) == 3 and result.health[0].archives == 0
    assert "không đọc được trang lưu trữ" in str(result.health[0].warnings[0])
