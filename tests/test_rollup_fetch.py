"""Remote roll-up feeds against a real HTTP server on 127.0.0.1 (no mocks, no other address).

The server runs in a thread on a random port; each test installs routes (path → handler) and
reads back the request log. Timeouts and deadlines are shortened so the file runs in seconds.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest_rollup import (
    DANGEROUS,
    NOW,
    RSS_TYPE,
    FeedServer,
    Handler,
    all_text,
    client_fixture,  # noqa: F401 (fixture "client")
    fixture,
    network,
    reply,
    rss,
    run_portal,
    server_fixture,  # noqa: F401 (fixture "server")
)
from edusite.rollup import FetchSettings, RollupResult, health_summary
from edusite.rollup.fetch import fetch
from edusite.rollup.parse import FeedError

FAST = FetchSettings(connect_timeout=1.0, read_timeout=0.5, deadline=2.0, concurrency=4)


def portal(tmp_path: Path, remote: list[dict[str, str]], **rollup: Any):
    """A network with one Sở whose only members are ``remote`` (id, name, feed)."""
    units = {
        "so": {
            "name": "Sở GDĐT Thử",
            "kind": "so",
            "rollup": {"policy": "all", "remote": remote, **rollup},
        }
    }
    return network(tmp_path / "repo", units)


def run(tmp_path: Path, net: Any, client: httpx.Client, **options: Any) -> RollupResult:
    return run_portal(tmp_path, net, client, **{"settings": FAST, **options})


def member(server: FeedServer, mid: str, path: str) -> dict[str, str]:
    return {"id": mid, "name": f"Trường {mid}", "feed": server.url(path)}


# -- good feeds ---------------------------------------------------------------------------------


def test_rss_and_atom(tmp_path: Path, server: FeedServer, client: httpx.Client) -> None:
    server.routes["/a/feed.xml"] = reply(200, fixture("rss.xml"))
    server.routes["/b/atom.xml"] = reply(200, fixture("atom.xml"), "application/atom+xml")
    net = portal(tmp_path, [member(server, "a", "/a/feed.xml"), member(server, "b", "/b/atom.xml")])
    result = run(tmp_path, net, client)
    assert [(h.source_id, h.status, h.http_status, h.items) for h in result.health] == [
        ("a", "ok", 200, 3),
        ("b", "ok", 200, 2),
    ]
    assert [i.published.date().isoformat() for i in result.items if i.published] == [
        "2024-10-20",
        "2024-09-17",
        "2024-09-05",
        "2024-08-28",
        "2024-06-01",
    ]
    assert {i.source_id for i in result.items} == {"a", "b"}
    assert result.items[0].source_url == "https://mamnon-hoa-sen.example.edu.vn/"
    (headers,) = server.hits("/a/feed.xml")
    assert headers["user-agent"].startswith("edusite/")
    assert headers["accept-encoding"] == "identity"
    assert "if-none-match" not in headers  # nothing stored yet
    assert "Feeds of Sở: 2 ok" in health_summary(result, "Sở")


def test_hostile_payloads_do_not_survive(
    tmp_path: Path, server: FeedServer, client: httpx.Client
) -> None:
    server.routes["/xss.xml"] = reply(200, fixture("xss.xml"))
    result = run(tmp_path, portal(tmp_path, [member(server, "x", "/xss.xml")]), client)
    (item,) = result.items
    text = all_text(item).lower()
    for marker in DANGEROUS:
        assert marker not in text, marker
    stored = (tmp_path / "state" / "so" / "remote.x.json").read_text(encoding="utf-8").lower()
    assert "<script" not in stored and "javascript:" not in stored and "onerror" not in stored


# -- hostile and broken servers -----------------------------------------------------------------


def test_billion_laughs_rejected_quickly(
    tmp_path: Path, server: FeedServer, client: httpx.Client
) -> None:
    server.routes["/lol.xml"] = reply(200, fixture("billion-laughs.xml"))
    net = portal(tmp_path, [member(server, "lol", "/lol.xml")])
    tracemalloc.start()
    start = time.perf_counter()
    result = run(tmp_path, net, client)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < 20_000_000
    (health,) = result.health
    assert health.status == "failed" and "DOCTYPE" in health.error_en
    assert result.items == []


def test_fifty_megabytes_cut_at_the_cap(
    tmp_path: Path, server: FeedServer, client: httpx.Client
) -> None:
    chunk = b"<!-- padding -->" * 4096  # 64 KiB

    def endless(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", RSS_TYPE)  # no Content-Length: read until the cap
        h.end_headers()
        h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        server.sent["/big.xml"] = 0
        for _ in range(50 * 16):  # 50 MiB
            h.wfile.write(chunk)
            server.sent["/big.xml"] += len(chunk)

    server.routes["/big.xml"] = endless

    def declared(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", RSS_TYPE)
        h.send_header("Content-Length", str(50 * 1024 * 1024))
        h.end_headers()
        h.wfile.write(chunk)

    server.routes["/declared.xml"] = declared
    net = portal(
        tmp_path, [member(server, "big", "/big.xml"), member(server, "decl", "/declared.xml")]
    )
    start = time.perf_counter()
    result = run(tmp_path, net, client, settings=FetchSettings(read_timeout=2, deadline=10))
    assert time.perf_counter() - start < 5
    big, declared = result.health
    assert big.status == "failed" and "too large" in big.error_en and "5,242,880" in big.error_en
    assert declared.status == "failed" and "52,428,800 bytes" in declared.error_en
    assert server.done["/big.xml"].wait(5)
    assert server.sent["/big.xml"] < 20 * 1024 * 1024  # the download really stopped


def test_slow_server_times_out(tmp_path: Path, server: FeedServer, client: httpx.Client) -> None:
    def sleepy(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        reply(200, fixture("rss.xml"))(h)

    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", RSS_TYPE)
        h.end_headers()
        for _ in range(40):  # a byte every 0.1 s: never a read timeout, but past the deadline
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.1)

    server.routes["/slow.xml"] = sleepy
    server.routes["/drip.xml"] = drip
    net = portal(
        tmp_path, [member(server, "slow", "/slow.xml"), member(server, "drip", "/drip.xml")]
    )
    start = time.perf_counter()
    result = run(tmp_path, net, client, settings=FetchSettings(read_timeout=0.5, deadline=1.0))
    assert time.perf_counter() - start < 1.8  # fetched concurrently, each cut short
    slow, dripping = result.health
    assert slow.status == "failed" and "timed out (ReadTimeout)" in slow.error_en
    assert dripping.status == "failed" and "deadline" in dripping.error_en


@pytest.mark.parametrize(
    ("handler", "en"),
    [
        (
            reply(200, "<html><body>Trang chủ</body></html>".encode(), "text/html; charset=utf-8"),
            "wrong content type: text/html",
        ),
        (reply(200, b"<rss version='2.0'><channel><item><title>x</ti"), "malformed XML"),
        (reply(200, b"{}", "application/json"), "wrong content type: application/json"),
    ],
)
def test_unusable_answers(
    tmp_path: Path, server: FeedServer, client: httpx.Client, handler: Handler, en: str
) -> None:
    server.routes["/f.xml"] = handler
    result = run(tmp_path, portal(tmp_path, [member(server, "f", "/f.xml")]), client)
    (health,) = result.health
    assert health.status == "failed" and en in health.error_en
    assert health.http_status == 200 and health.consecutive_failures == 1


def test_connection_refused(tmp_path: Path, client: httpx.Client) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    remote = [
        {"id": "gone", "name": "Trường đóng cửa", "feed": f"http://127.0.0.1:{port}/feed.xml"}
    ]
    (health,) = run(tmp_path, portal(tmp_path, remote), client).health
    # A category for the published page; the socket error (and the port) only in the detail.
    assert health.status == "failed" and health.error_en == "could not connect"
    assert health.error_vi == "không kết nối được"
    assert str(port) not in health.message and "Connection refused" in health.error_detail


# -- state: conditional GET, last good items, backoff, offline ----------------------------------


def test_304_reuses_stored_items(tmp_path: Path, server: FeedServer, client: httpx.Client) -> None:
    stamp = "Thu, 05 Sep 2024 01:00:00 GMT"

    def conditional(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.end_headers()
        else:
            reply(200, fixture("rss.xml"), ETag='"v1"', Last_Modified=stamp)(h)

    server.routes["/feed.xml"] = conditional
    net = portal(tmp_path, [member(server, "a", "/feed.xml")])
    first = run(tmp_path, net, client)
    state_file = tmp_path / "state" / "so" / "remote.a.json"
    stored = json.loads(state_file.read_text(encoding="utf-8"))
    assert (stored["etag"], stored["last_modified"]) == ('"v1"', stamp)
    later = NOW + timedelta(hours=1)
    second = run(tmp_path, net, client, now=later)
    _, headers = server.requests[-1]
    assert headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == stamp
    (health,) = second.health
    assert (health.status, health.http_status, health.items) == ("not-modified", 304, 3)
    assert health.last_success == later
    assert [i.to_dict() for i in second.items] == [i.to_dict() for i in first.items]


def test_errors_keep_last_good_items_and_back_off(
    tmp_path: Path, server: FeedServer, client: httpx.Client
) -> None:
    server.routes["/a.xml"] = reply(200, fixture("rss.xml"))
    server.routes["/b.xml"] = reply(200, fixture("nfd.xml"))
    net = portal(tmp_path, [member(server, "a", "/a.xml"), member(server, "b", "/b.xml")])
    good = run(tmp_path, net, client)
    assert len(good.items) == 4

    server.routes["/a.xml"] = reply(500, b"Internal Server Error", "text/html")
    server.routes["/b.xml"] = reply(404, b"Not Found", "text/html")
    bad = run(tmp_path, net, client, now=NOW + timedelta(hours=1))
    a, b = bad.health
    assert (a.status, a.http_status, a.items, a.consecutive_failures) == ("stale", 500, 3, 1)
    assert (b.status, b.http_status, b.items) == ("stale", 404, 1)
    assert "HTTP 500" in a.error_vi and "HTTP 500" in a.error_en
    assert a.last_success == NOW and a.next_try == NOW + timedelta(hours=1, minutes=15)
    assert [i.guid for i in bad.items] == [i.guid for i in good.items]
    summary = health_summary(bad)
    assert "2 dùng bản lưu" in summary and "server answered HTTP 404" in summary

    # Within the backoff window nothing is requested; the stored items are still shown.
    asked = len(server.requests)
    waiting = run(tmp_path, net, client, now=NOW + timedelta(hours=1, minutes=5))
    assert len(server.requests) == asked
    assert [h.status for h in waiting.health] == ["stale", "stale"]
    assert "waiting to retry" in waiting.health[0].error_en
    assert len(waiting.items) == 4

    # A pinned build time (EDUSITE_NOW) never reaches next_try: the feed is retried anyway.
    run(tmp_path, net, client, now=NOW + timedelta(hours=1))
    assert len(server.requests) == asked + 2

    # After the window, the feed is tried again and recovers.
    server.routes["/a.xml"] = reply(200, fixture("rss.xml"))
    again = run(tmp_path, net, client, now=NOW + timedelta(hours=2))
    assert [h.status for h in again.health] == ["ok", "stale"]
    assert again.health[0].consecutive_failures == 0
    assert again.health[1].consecutive_failures == 3  # 404 at 1 h, at the pinned 1 h, at 2 h
    assert again.health[1].next_try == NOW + timedelta(hours=3)  # 2 h + 1 h (third failure)


def test_failure_without_stored_copy(
    tmp_path: Path, server: FeedServer, client: httpx.Client
) -> None:
    server.routes["/a.xml"] = reply(500, b"oops", "text/plain")
    result = run(tmp_path, portal(tmp_path, [member(server, "a", "/a.xml")]), client)
    (health,) = result.health
    assert (health.status, health.items, health.last_success) == ("failed", 0, None)
    assert "lần tốt gần nhất / last success: chưa có / never" in health_summary(result)


def test_offline_uses_state_only(tmp_path: Path, server: FeedServer, client: httpx.Client) -> None:
    server.routes["/a.xml"] = reply(200, fixture("rss.xml"))
    server.routes["/b.xml"] = reply(200, fixture("atom.xml"))
    net = portal(tmp_path, [member(server, "a", "/a.xml")])
    online = run(tmp_path, net, client)
    asked = len(server.requests)
    state_before = (tmp_path / "state" / "so" / "remote.a.json").read_bytes()
    offline = run(tmp_path, net, client, offline=True, now=NOW + timedelta(days=3))
    assert len(server.requests) == asked
    (health,) = offline.health
    assert health.status == "stale" and "offline" in health.error_en
    assert [i.to_dict() for i in offline.items] == [i.to_dict() for i in online.items]
    assert (tmp_path / "state" / "so" / "remote.a.json").read_bytes() == state_before
    # A member never fetched has nothing to show offline.
    net2 = portal(tmp_path / "other", [member(server, "b", "/b.xml")])
    (never,) = run(tmp_path, net2, client, offline=True).health
    assert never.status == "failed" and "no stored copy" in never.error_en


def test_changed_feed_url_discards_old_state(
    tmp_path: Path, server: FeedServer, client: httpx.Client
) -> None:
    server.routes["/old.xml"] = reply(200, fixture("rss.xml"), ETag='"old"')
    run(tmp_path, portal(tmp_path, [member(server, "a", "/old.xml")]), client)
    server.routes["/new.xml"] = reply(200, fixture("nfd.xml"))
    moved = run(tmp_path, portal(tmp_path / "moved", [member(server, "a", "/new.xml")]), client)
    assert "if-none-match" not in server.hits("/new.xml")[0]
    assert [i.guid for i in moved.items] == ["leloi-1"]


# -- encodings, duplicates, relative links, redirects -------------------------------------------


def test_non_utf8_and_nfd(tmp_path: Path, server: FeedServer, client: httpx.Client) -> None:
    latin1 = rss(
        [{"guid": "l1", "title": "Thông báo về lịch học", "date": "2024-11-02"}], title="T"
    )
    latin1 = latin1.replace(b' encoding="utf-8"', b"").decode("utf-8")
    latin1_bytes = latin1.replace("về lịch học", "à l'école").encode("iso-8859-1")
    server.routes["/cp1258.xml"] = reply(200, fixture("windows-1258.xml"))
    server.routes["/latin1.xml"] = reply(200, latin1_bytes, f"{RSS_TYPE}; charset=iso-8859-1")
    server.routes["/nfd.xml"] = reply(200, fixture("nfd.xml"))
    net = portal(
        tmp_path,
        [
            member(server, "w", "/cp1258.xml"),
            member(server, "l", "/latin1.xml"),
            member(server, "n", "/nfd.xml"),
        ],
    )
    result = run(tmp_path, net, client)
    assert [h.status for h in result.health] == ["ok", "ok", "ok"]
    titles = {i.source_id: i.title for i in result.items}
    assert titles == {
        "w": "Trường Tiểu học Đồng Tâm đạt chuẩn quốc gia",
        "l": "Thông báo à l'école",
        "n": "Hội thi Giáo viên dạy giỏi cấp huyện",
    }


def test_duplicate_guids_across_feeds_appear_once(
    tmp_path: Path, server: FeedServer, client: httpx.Client
) -> None:
    one = rss(
        [
            {
                "guid": "urn:tin:1",
                "title": "Tin chung",
                "link": "https://a.vn/tin/1/",
                "date": "2024-11-01",
            },
            {
                "guid": "urn:a:2",
                "title": "Tin riêng A",
                "link": "https://a.vn/tin/2/",
                "date": "2024-11-02",
            },
        ]
    )
    two = rss(
        [
            {
                "guid": "urn:tin:1",
                "title": "Tin chung",
                "link": "https://b.vn/tin/1/",
                "date": "2024-11-01",
            },
            # Same post, another guid, same page: caught by the normalised link.
            {
                "guid": "urn:b:copy",
                "title": "Tin riêng A",
                "link": "http://www.a.vn/tin/2",
                "date": "2024-11-02",
            },
            {
                "guid": "urn:b:3",
                "title": "Tin riêng B",
                "link": "https://b.vn/tin/3/",
                "date": "2024-11-03",
            },
        ]
    )
    server.routes["/one.xml"] = reply(200, one)
    server.routes["/two.xml"] = reply(200, two)
    net = portal(tmp_path, [member(server, "a", "/one.xml"), member(server, "b", "/two.xml")])
    result = run(tmp_path, net, client)
    assert [(i.guid, i.source_id) for i in result.items] == [
        ("urn:b:3", "b"),
        ("urn:a:2", "a"),
        ("urn:tin:1", "a"),  # the first feed in configuration order wins
    ]
    assert [h.items for h in result.health] == [2, 3]
    assert result.problems == []  # same titles: the same post by two paths, not a clash


def test_relative_links_made_absolute(
    tmp_path: Path, server: FeedServer, client: httpx.Client
) -> None:
    server.routes["/truong-a/feed.xml"] = reply(200, fixture("relative.xml"))
    result = run(tmp_path, portal(tmp_path, [member(server, "a", "/truong-a/feed.xml")]), client)
    first, second = result.items
    base = server.url("/truong-a/")
    assert first.link == base + "tin-tuc/bai-1/"
    assert f'href="{base}tin-tuc/bai-0/"' in first.content_html
    assert f'src="{base}tin-tuc/bai-1/anh.jpg"' in first.content_html
    assert first.image == base + "tin-tuc/bai-1/anh.jpg"
    assert f'src="{base}hinh/2.png"' in second.content_html
    assert first.source_url == base  # the channel's own link, made absolute


def test_redirects_are_limited(tmp_path: Path, server: FeedServer, client: httpx.Client) -> None:
    server.routes["/feed.xml"] = reply(200, fixture("rss.xml"))
    for n in range(1, 5):
        target = "/feed.xml" if n == 1 else f"/r{n - 1}"
        server.routes[f"/r{n}"] = reply(301, b"", "text/plain", Location=target)
    server.routes["/to-file"] = reply(302, b"", "text/plain", Location="file:///etc/passwd")
    assert fetch(client, server.url("/r3"), FAST).status == 200  # three redirects
    with pytest.raises(FeedError, match="more than 3 redirects"):
        fetch(client, server.url("/r4"), FAST)
    with pytest.raises(FeedError, match="unsupported address"):
        fetch(client, server.url("/to-file"), FAST)


def test_concurrent_fetch_keeps_configured_order(
    tmp_path: Path, server: FeedServer, client: httpx.Client
) -> None:
    def delayed(seconds: float, guid: str) -> Handler:
        body = rss([{"guid": guid, "title": guid, "date": "2024-11-01"}])

        def handle(h: BaseHTTPRequestHandler) -> None:
            time.sleep(seconds)
            reply(200, body)(h)

        return handle

    remote = []
    for n, delay in enumerate([0.6, 0.0, 0.4, 0.2]):
        server.routes[f"/{n}.xml"] = delayed(delay, f"g{n}")
        remote.append(member(server, f"m{n}", f"/{n}.xml"))
    start = time.perf_counter()
    result = run(tmp_path, portal(tmp_path, remote), client, settings=FetchSettings(read_timeout=2))
    assert time.perf_counter() - start < 1.0  # in parallel, not 1.2 s in a row
    assert [h.source_id for h in result.health] == ["m0", "m1", "m2", "m3"]
    assert [i.guid for i in result.items] == ["g0", "g1", "g2", "g3"]  # same date: by guid
