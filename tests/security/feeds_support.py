"""Hostile feeds for the roll-up intake (issue #14, "feeds in"): shared by
``tests/security/test_feeds_in.py`` and ``bench/hostile_feeds.py``.

Every generator returns the document's bytes; sizes default to the worst cases of the issue
(about 4.8–5 MB, just under the 5 MiB cap) and tests pass smaller ones where the size adds
nothing. :func:`serve` is a tiny real HTTP server on 127.0.0.1 for the bench (tests use the
``server`` fixture of ``conftest_rollup``).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HEAD = (
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
    "<channel><title>Trường Thử</title><link>https://truong-thu.example.edu.vn/</link>"
    "<description>Tin tức</description>"
)
TAIL = "</channel></rss>"
DECL = '<?xml version="1.0" encoding="utf-8"?>'
#: The size of the issue's worst cases: just under the 5 MiB document cap.
BIG = 4_800_000


def item(n: int, *, title: str = "", extra: str = "") -> str:
    """One small RSS item (title, link, guid, date), ``extra`` markup appended inside it."""
    day = 1 + n % 28
    return (
        f"<item><title>{title or f'Tin số {n}'}</title>"
        f"<link>https://truong-thu.example.edu.vn/tin/{n}/</link>"
        f'<guid isPermaLink="false">tin-{n}</guid>'
        f"<pubDate>Mon, {day:02d} Sep 2024 08:00:00 +0700</pubDate>{extra}</item>"
    )


def rss(body: str, decl: str = DECL) -> bytes:
    """A UTF-8 RSS document around ``body`` (items)."""
    return (decl + HEAD + body + TAIL).encode("utf-8")


def normal(count: int = 50) -> bytes:
    """An honest feed: ``count`` items with a paragraph of HTML each (the baseline)."""
    para = "<p>Nhà trường tổ chức <strong>hoạt động</strong> cho học sinh.</p>" * 5
    return rss(
        "".join(
            item(n, extra=f"<description><![CDATA[{para}]]></description>") for n in range(count)
        )
    )


def utf7_doctype(secret: str = "SECRET-FROM-ENTITY") -> bytes:
    """UTF-7: a DOCTYPE declaring an entity, hidden inside what a latin-1 reader takes for a
    comment; the title uses the entity. Today's prolog check sees a comment, then ``<rss``."""
    hidden = f'--><!DOCTYPE rss [<!ENTITY x "{secret}">]><!--'
    head = '<?xml version="1.0" encoding="UTF-7"?><!-- ' + _utf7_b64(hidden) + " -->"
    return head.encode("ascii") + (HEAD + item(1, title="&x;") + TAIL).encode("utf-7")


def _utf7_b64(text: str) -> str:
    """``text`` fully in UTF-7 base64 (``+...-``), nothing readable as ASCII markup."""
    raw = base64.b64encode(text.encode("utf-16-be")).decode("ascii").rstrip("=")
    return f"+{raw}-"


def utf7_quadratic(size: int = BIG, entity: int = 16_000) -> bytes:
    """UTF-7 quadratic blowup: one ``entity``-character entity referenced until the document is
    ``size`` bytes (4.8 MB of ``&a;``: 1.6 million × 16 KB if expanded). The declaration fits
    in the first 64 KiB, where the prolog check of the code before issue #14 looked."""
    hidden = f'--><!DOCTYPE rss [<!ENTITY a "{"a" * entity}">]><!--'
    head = '<?xml version="1.0" encoding="UTF-7"?><!-- ' + _utf7_b64(hidden) + " -->"
    start = head.encode("ascii") + (HEAD + "<item><title>x</title><guid>q</guid>").encode("utf-7")
    end = b"</description></item>" + TAIL.encode("utf-7")
    refs = max(1, (size - len(start) - len(end) - 13) // 3)
    return start + b"<description>" + b"&a;" * refs + end


def utf32(bom: bool = True) -> bytes:
    """An honest feed in UTF-32 (with a BOM, or without one: ``<\\0\\0\\0``)."""
    text = '<?xml version="1.0" encoding="UTF-32"?>' + HEAD + item(1) + TAIL
    return text.encode("utf-32" if bom else "utf-32-le")


def tiny_items(count: int = 95_000) -> bytes:
    """``count`` tiny items (95,000 make a 5 MB feed)."""
    return rss("".join(f"<item><title>t{n}</title><guid>g{n}</guid></item>" for n in range(count)))


def escaped_title(levels: int = 5) -> bytes:
    """One item whose title is ``<script>`` HTML-escaped ``levels`` times in the XML source
    (``&amp;amp;amp;amp;lt;script…`` for 5), so ``levels - 1`` times once XML is decoded."""
    title = "<script>alert(1)</script>Tin"
    for _ in range(levels):
        title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return rss(item(1, title=title))


def deep_elements(depth: int = 100_000) -> bytes:
    """One item holding ``depth`` nested unknown elements (feedparser: quadratic)."""
    return rss(item(1, extra="<x>" * depth + "</x>" * depth))


def deep_html(depth: int = 100_000) -> bytes:
    """One item whose content is ``depth`` nested ``<div>`` (html5ever: quadratic in depth)."""
    return rss(item(1, extra=f"<content:encoded><![CDATA[{'<div>' * depth}]]></content:encoded>"))


def long_line(size: int = BIG) -> bytes:
    """One item with a ``size``-character description on a single line."""
    return rss(item(1, extra=f"<description>{'a' * size}</description>"))


def many_lines(size: int = BIG) -> bytes:
    """One item whose description is ``size // 2`` one-character lines (feedparser, unbuffered:
    one call per line)."""
    lines = "a\n" * (size // 2)
    return rss(item(1, extra=f"<description>{lines}</description>"))


def many_entities(size: int = BIG) -> bytes:
    """One item whose description is ``&amp;`` repeated to ``size`` bytes."""
    return rss(item(1, extra=f"<description>{'&amp;' * (size // 5)}</description>"))


def huge_attribute(size: int = BIG) -> bytes:
    """One item with an enclosure whose ``url`` is ``size`` characters long."""
    url = "https://x.vn/" + "a" * size
    return rss(item(1, extra=f'<enclosure url="{url}" type="image/jpeg" length="1"/>'))


def many_attributes(count: int = 300_000) -> bytes:
    """One item with an element carrying ``count`` attributes (feedparser: quadratic)."""
    attrs = " ".join(f'a{n}="x"' for n in range(count))
    return rss(item(1, extra=f"<x {attrs}/>"))


def many_elements(count: int = 1_000_000) -> bytes:
    """One item holding ``count`` empty unknown elements."""
    return rss(item(1, extra="<x/>" * count))


#: The bench's cases: name → (generator, what it attacks).
CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "utf7-doctype": (utf7_doctype, "DOCTYPE hidden by UTF-7 from the prolog check"),
    "utf7-quadratic-4.8MB": (utf7_quadratic, "quadratic blowup, entity hidden by UTF-7"),
    "utf32": (utf32, "UTF-32 document"),
    "tiny-items-95k-5MB": (tiny_items, "95,000 tiny items"),
    "escaped-title-5x": (escaped_title, "<script> title escaped 5 times"),
    "deep-elements-100k": (deep_elements, "100,000 nested XML elements"),
    "deep-html-100k": (deep_html, "100,000 nested <div> in content"),
    "long-line-4.8MB": (long_line, "one 4.8 MB line of text"),
    "many-lines-4.8MB": (many_lines, "2.4 million one-character lines"),
    "many-entities-4.8MB": (many_entities, "960,000 &amp; references"),
    "huge-attribute-4.8MB": (huge_attribute, "a 4.8 MB enclosure URL"),
    "many-attributes-300k": (many_attributes, "300,000 attributes on one element"),
    "many-elements-1M": (many_elements, "1,000,000 empty elements in one item"),
}


@contextmanager
def serve(routes: dict[str, bytes], ctype: str = "application/rss+xml") -> Iterator[str]:
    """Serve ``routes`` (path → body) on 127.0.0.1; yield the base URL (``http://host:port``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            body = routes.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
