"""Covers in: the portal now FETCHES each remote member's cover image (edusite.rollup.images),
so every cover URL in a member's feed is a request the build machine makes on the member's
behalf. The rules, checked against real HTTP servers on 127.0.0.1/127.0.0.2:

* **confine**: a cover comes only from the origin of the feed the portal configured (or the
  ``site_url`` it configured, or an allow-listed host). Nothing the feed itself says (its channel
  ``<link>``, an enclosure on another port) widens that, and no private address is reached that
  the portal did not configure;
* **refuse**: only JPEG, PNG, WebP and GIF bodies, whatever the server calls them (no SVG, no
  HTML);
* **cap**: a slow member cannot hold the build for longer than one feed deadline, however many
  covers its feed names.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest_rollup import (
    NOW,
    FeedServer,
    network,
    reply,
    server_fixture,  # noqa: F401 (fixture "server")
)
from edusite.rollup import FetchSettings, collect, cover_files
from edusite.rollup import fetch as fetch_module
from PIL import Image

FAST = FetchSettings(connect_timeout=1.0, read_timeout=2.0, deadline=3.0, concurrency=4)


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 36), (40, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def feed(covers: list[str], *, link: str = "") -> bytes:
    """An RSS document with one item per cover URL (and ``link`` as the channel's home page)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>{escape(link)}</link><description>d</description>"
    ]
    for i, url in enumerate(covers):
        parts.append(
            f"<item><title>Tin {i}</title><link>https://truong.example.vn/tin/{i}/</link>"
            f'<guid isPermaLink="false">g{i}</guid>'
            f"<pubDate>{(i % 27) + 1:02d} Nov 2024 08:00:00 +0700</pubDate>"
            f'<enclosure url="{escape(url)}" length="0" type="image/jpeg"/></item>'
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def portal(tmp_path: Path, feed_url: str, **extra: str) -> Any:
    units = {
        "so": {
            "name": "Sở GDĐT Thử",
            "kind": "so",
            "rollup": {
                "policy": "all",
                "remote": [{"id": "ngoai", "name": "Trường Ngoài", "feed": feed_url, **extra}],
            },
        }
    }
    return network(tmp_path / "repo", units)


def covers(tmp_path: Path, net: Any, settings: FetchSettings = FAST, **options: Any):
    """Roll up the Sở and fetch its covers, as a build does (the roll-up's own clients)."""
    result = collect(net, "so", tmp_path / "public", tmp_path / "state", now=NOW, settings=settings)
    assert [h.status for h in result.health] == ["ok"], result.health
    return result, *cover_files(
        result, net, "so", tmp_path / "public", tmp_path / "state", settings=settings, **options
    )


@pytest.fixture
def inside() -> Iterator[FeedServer]:
    """An "internal" service on 127.0.0.2 (another private address than the feed's), which
    answers every path with a good JPEG and records what it was asked."""
    srv = FeedServer(ThreadingHTTPServer(("127.0.0.2", 0), _Recording))
    srv.httpd.daemon_threads = True
    srv.httpd.srv = srv  # type: ignore[attr-defined]
    thread = threading.Thread(target=srv.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


class _Recording(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.server.srv.requests.append((self.path, dict(self.headers)))  # type: ignore[attr-defined]
        reply(200, jpeg(), "image/jpeg")(self)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def other_port() -> Iterator[FeedServer]:
    """The same "internal" service on the feed's own address, another port."""
    srv = FeedServer(ThreadingHTTPServer(("127.0.0.1", 0), _Recording))
    srv.httpd.daemon_threads = True
    srv.httpd.srv = srv  # type: ignore[attr-defined]
    thread = threading.Thread(target=srv.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


# -- confine ---------------------------------------------------------------------------------


def test_the_feeds_own_link_cannot_open_a_private_address(
    tmp_path: Path, server: FeedServer, inside: FeedServer
) -> None:
    """The channel ``<link>`` is the member's word, not the portal's: naming 127.0.0.2 there
    (or 169.254.169.254, 10.0.0.1…) must not make that address a cover host, nor permit it."""
    secret = inside.url("/latest/meta-data/anh.jpg")
    server.routes["/feed.xml"] = reply(200, feed([secret], link=inside.url("/")))
    net = portal(tmp_path, server.url("/feed.xml"))
    result, found, problems = covers(tmp_path, net)
    assert result.items[0].image == secret  # the feed did name it
    assert found == {}
    assert inside.requests == []  # never asked
    assert len(problems) == 1 and problems[0].severity == "warning"


def test_a_cover_on_another_port_of_the_feeds_address_is_not_fetched(
    tmp_path: Path, server: FeedServer, other_port: FeedServer
) -> None:
    """A feed the portal configured on an IP address (an intranet, 127.0.0.1 here) permits
    that address for the feed, not every service the machine runs on other ports."""
    server.routes["/feed.xml"] = reply(200, feed([other_port.url("/anh.jpg")]))
    server.routes["/anh.jpg"] = reply(200, jpeg(), "image/jpeg")
    net = portal(tmp_path, server.url("/feed.xml"))
    _result, found, _problems = covers(tmp_path, net)
    assert found == {}
    assert other_port.requests == []


def test_a_host_named_only_by_the_feed_is_never_looked_up(
    tmp_path: Path, server: FeedServer
) -> None:
    """A public host the feed names (its channel link, its covers) is not one the portal chose:
    the build does not even resolve it."""
    looked_up: list[str] = []

    def resolve(host: str, *args: Any) -> list[tuple[Any, ...]]:
        looked_up.append(host)
        if host != "127.0.0.1":
            raise OSError("no such host in this test")
        return socket.getaddrinfo(host, *args)

    server.routes["/feed.xml"] = reply(
        200,
        feed(
            ["https://tracker.elsewhere.example/pixel.jpg"],
            link="https://tracker.elsewhere.example/",
        ),
    )
    net = portal(tmp_path, server.url("/feed.xml"))
    client = fetch_module.make_client(FAST, resolve=resolve)
    try:
        _result, found, problems = covers(tmp_path, net, client=client)
    finally:
        client.close()
    assert found == {} and len(problems) == 1
    assert "tracker.elsewhere.example" not in looked_up


def test_covers_from_the_feeds_origin_and_the_configured_site_still_come(
    tmp_path: Path, server: FeedServer, inside: FeedServer
) -> None:
    """What the portal configured is trusted: the feed's own origin, and a ``site_url`` it set
    (here on an IP address of its intranet)."""
    mine = server.url("/anh/ok.jpg")
    on_site = inside.url("/anh/site.jpg")
    server.routes["/feed.xml"] = reply(200, feed([mine, on_site]))
    server.routes["/anh/ok.jpg"] = reply(200, jpeg(), "image/jpeg")
    net = portal(tmp_path, server.url("/feed.xml"), site_url=inside.url("/"))
    _result, found, problems = covers(tmp_path, net, settings=FAST)
    assert set(found) == {mine, on_site}, problems
    assert [p for p, _h in inside.requests] == ["/anh/site.jpg"]


# -- refuse ----------------------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (SVG, "image/svg+xml"),  # an image type, but a script-capable document
        (SVG, "image/png"),  # lying about it
        (b"<html><script>alert(1)</script></html>", "image/jpeg"),
        (b"GIF89a" + b"\x00" * 4, "text/html"),  # right bytes, wrong type
    ],
)
def test_only_raster_images_are_kept(
    tmp_path: Path, server: FeedServer, body: bytes, ctype: str
) -> None:
    server.routes["/feed.xml"] = reply(200, feed([server.url("/anh/x.png")]))
    server.routes["/anh/x.png"] = reply(200, body, ctype)
    net = portal(tmp_path, server.url("/feed.xml"))
    _result, found, problems = covers(tmp_path, net)
    assert found == {} and len(problems) == 1
    kept = list((tmp_path / "state").rglob("*"))
    assert not [p for p in kept if p.is_file() and p.read_bytes() == body]


# -- cap -------------------------------------------------------------------------------------


def _trickle(h: BaseHTTPRequestHandler) -> None:
    """A JPEG sent one byte every half second: each read is within the timeout."""
    data = jpeg()
    h.send_response(200)
    h.send_header("Content-Type", "image/jpeg")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    for b in data:
        h.wfile.write(bytes([b]))
        h.wfile.flush()
        time.sleep(0.5)


def test_a_slow_member_holds_the_build_one_deadline_whatever_its_covers(
    tmp_path: Path, server: FeedServer
) -> None:
    """Twenty covers trickled by a slow server: the member's covers share one deadline (not
    one each, which would be five deadlines with four at a time)."""
    settings = FetchSettings(connect_timeout=1.0, read_timeout=2.0, deadline=1.5, concurrency=4)
    urls = [server.url(f"/anh/{i}.jpg") for i in range(20)]
    server.routes["/feed.xml"] = reply(200, feed(urls))
    for i in range(20):
        server.routes[f"/anh/{i}.jpg"] = _trickle
    net = portal(tmp_path, server.url("/feed.xml"))
    result = collect(net, "so", tmp_path / "public", tmp_path / "state", now=NOW, settings=settings)
    assert len(result.items) == 20
    started = time.monotonic()
    found, problems = cover_files(
        result, net, "so", tmp_path / "public", tmp_path / "state", settings=settings
    )
    elapsed = time.monotonic() - started
    assert found == {} and len(problems) == 20
    assert elapsed < 2 * settings.deadline + 1.0, elapsed
    assert len([p for p, _h in server.requests if p.startswith("/anh/")]) <= settings.concurrency
