"""Helpers for the roll-up tests: fixture feeds, small RSS documents, tiny networks."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

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


def all_text(item: RollupItem) -> str:
    """Every string field of ``item`` joined, for "nothing dangerous anywhere" assertions."""
    values = item.to_dict()
    return "\n".join(
        str(v) if not isinstance(v, list) else "\n".join(map(str, v)) for v in values.values()
    )
