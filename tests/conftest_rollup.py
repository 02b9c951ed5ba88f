"""Helpers for the roll-up tests: fixture feeds, small RSS documents, tiny networks, and a real
HTTP server on 127.0.0.1 (fixtures ``server`` and ``client``: import ``server_fixture`` and
``client_fixture`` into a test module)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import make_network
from edusite.rollup import RollupItem
from edusite.structure.network import Network, get_network
from edusite.text import TZ

FEEDS = Path(__file__).resolve().parent / "feeds"
#: The pinned build time of every roll-up test.
NOW = datetime(2024, 12, 1, 12, 0, tzinfo=TZ)

#: Markers of active content that must never come out of the sanitiser, in any field.
DANGEROUS = (
    "<script",
    "</script",
    "<style",
    "<iframe",
    "<object",
    "<embed",
    "<form",
    "<svg",
    "<input",
    "<button",
    "onerror",
    "onclick",
    "onload",
    "onmouseover",
    "javascript:",
    "vbscript:",
    "data:",
    "style=",
    "alert(",
)


def fixture(name: str) -> bytes:
    """The bytes of ``tests/feeds/<name>``."""
    return (FEEDS / name).read_bytes()


def rss(items: list[dict[str, Any]], *, title: str = "Tin tức", link: str = "") -> bytes:
    """A small RSS 2.0 document. Item keys: guid, title, link, date (``YYYY-MM-DD[ HH:MM]``,
    Vietnam time), summary, content (HTML); missing keys are left out of the item."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>{escape(link)}</link>"
        "<description>x</description>",
    ]
    for item in items:
        parts.append("<item>")
        if "title" in item:
            parts.append(f"<title>{escape(item['title'])}</title>")
        if "link" in item:
            parts.append(f"<link>{escape(item['link'])}</link>")
        if "guid" in item:
            parts.append(f'<guid isPermaLink="false">{escape(item["guid"])}</guid>')
        if "date" in item:
            when = datetime.fromisoformat(item["date"]).replace(tzinfo=TZ)
            parts.append(f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>")
        if "summary" in item:
            parts.append(f"<description>{escape(item['summary'])}</description>")
        if "content" in item:
            parts.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def network(root: Path, units: dict[str, dict[str, Any]]) -> Network:
    """Write ``sites/<id>/mkdocs.yml`` for ``units`` below ``root`` and load the network."""
    return get_network(make_network(root, units))


def run_portal(
    tmp_path: Path,
    net: Network,
    client: httpx.Client,
    *,
    settings: Any,
    now: datetime = NOW,
    offline: bool = False,
) -> Any:
    """Roll up the Sở ``so`` of ``net`` with ``client`` (state and output below ``tmp_path``)."""
    from edusite.rollup import collect

    return collect(
        net,
        "so",
        tmp_path / "public",
        tmp_path / "state",
        now=now,
        offline=offline,
        client=client,
        settings=settings,
    )


def all_text(item: RollupItem) -> str:
    """Every string field of ``item`` joined, for "nothing dangerous anywhere" assertions."""
    values = item.to_dict()
    return "\n".join(
        str(v) if not isinstance(v, list) else "\n".join(map(str, v)) for v in values.values()
    )


# -- a real HTTP server on 127.0.0.1 -----------------------------------------------------------

Handler = Callable[[BaseHTTPRequestHandler], None]
RSS_TYPE = "application/rss+xml"


@dataclass
class FeedServer:
    """A local HTTP server whose routes tests replace at will."""

    httpd: ThreadingHTTPServer
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    done: dict[str, threading.Event] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]


def reply(status: int, body: bytes = b"", ctype: str = RSS_TYPE, **headers: str) -> Handler:
    """A handler answering with a fixed status, body and headers."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            h.send_header(name.replace("_", "-"), value)
        h.end_headers()
        h.wfile.write(body)

    return handle


@pytest.fixture(name="server")
def server_fixture() -> Iterator[FeedServer]:
    """A :class:`FeedServer` on 127.0.0.1 (a random port), shut down after the test."""
    state: dict[str, FeedServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            srv = state["srv"]
            srv.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = srv.routes.get(self.path)
            try:
                if route is None:
                    reply(404, b"not found", "text/plain")(self)
                else:
                    route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should
            finally:
                srv.done.setdefault(self.path, threading.Event()).set()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    srv = FeedServer(httpd)
    state["srv"] = srv
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(name="client")
def client_fixture() -> Iterator[httpx.Client]:
    """A plain httpx client (not :func:`edusite.rollup.fetch.make_client`'s)."""
    # trust_env=False: no proxy from the environment may carry these requests elsewhere.
    with httpx.Client(trust_env=False) as c:
        yield c
