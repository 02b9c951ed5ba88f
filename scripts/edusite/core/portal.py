"""Portal pages built from the roll-up engine: "Tin từ các đơn vị", per-unit filters, feed health.

Glue between :mod:`edusite.rollup` (independent of MkDocs) and the site: listings for the
templates, and the portal's own roll-up feed, written with the same writer as every site feed.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from ..context import BuildContext
from ..rollup import RollupItem, RollupResult, collect, health_line
from ..structure.listings import Listing, paginate
from ..text import EPOCH_LOCAL, format_date
from .feeds import FeedEntry, FeedSpec, write_feed
from .site import SiteState

ROLLUP_DIR = "tin-don-vi"
HEALTH_DIR = f"{ROLLUP_DIR}/tinh-trang-nguon-tin"
ROLLUP_TITLE = "Tin từ các đơn vị"


def item_context(item: RollupItem) -> dict[str, Any]:
    """Plain data for a rolled-up card: the same keys as a post card, plus its source."""
    return {
        "id": item.guid,
        "title": item.title,
        "url": item.link or item.source_url,
        "date": item.published,
        "date_text": format_date(item.published) if item.published else "",
        "iso_date": item.published.isoformat() if item.published else "",
        "summary": item.summary_text,
        "image": item.image or None,
        "image_alt": item.image_alt,
        "image_width": None,
        "image_height": None,
        "categories": list(item.categories),
        "author": item.author,
        "featured": bool(item.featured),
        "source_id": item.source_id,
        "source_name": item.source_name,
        "source_url": item.source_url,
        "external": True,
    }


def collect_for(state: SiteState, ctx: BuildContext) -> RollupResult:
    """Run the roll-up for ``state``'s portal, per the build context (offline or not, where the
    feeds' state is kept)."""
    return collect(
        state.network,
        state.unit.id,
        ctx.out,
        ctx.cache_dir("rollup"),
        offline=ctx.offline,
        now=state.today,
    )


def rollup_listings(result: RollupResult, per_page: int) -> list[Listing]:
    """The roll-up index (paginated), one list per member unit, and the feed-health page."""
    items = [item_context(i) for i in result.items]
    units: dict[str, dict[str, Any]] = {}
    for item in items:
        entry = units.setdefault(
            item["source_id"],
            {
                "id": item["source_id"],
                "name": item["source_name"],
                "url": f"{ROLLUP_DIR}/{item['source_id']}/",
                "count": 0,
            },
        )
        entry["count"] += 1
    unit_list = sorted(units.values(), key=lambda u: u["name"])
    out = paginate("rollup", ROLLUP_TITLE, f"{ROLLUP_DIR}/", items, per_page)
    for unit in unit_list:
        chosen = [i for i in items if i["source_id"] == unit["id"]]
        out += paginate(
            "rollup-unit", f"Tin từ {unit['name']}", unit["url"], chosen, per_page, unit["id"]
        )
    for listing in out:
        listing.extra["units"] = unit_list
        listing.extra["feed"] = f"{ROLLUP_DIR}/feed.xml"
    health = Listing(
        kind="rollup-health",
        title="Tình trạng nguồn tin",
        base_url=f"{HEALTH_DIR}/",
        items=[{**h.to_context(), "line": health_line(h)} for h in result.health],
        total=len(result.health),
    )
    health.extra["problems"] = [str(p) for p in result.problems]
    out.append(health)
    return out


_ID_RE = re.compile(r"^(?:urn|tag|https?):[A-Za-z0-9:._~/?#@!$&*+,;=%-]{1,1000}$", re.IGNORECASE)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,300}$")


def feed_id(guid: str, source_id: str) -> str:
    """The id of a rolled-up item in the portal's own feed: the member's guid when it is a
    plain URI (``urn:``, ``tag:``, ``http(s):``) or token, else a ``urn:`` made from its hash
    (a guid is any text in RSS, ``javascript:…`` included, and some readers link ids)."""
    if _ID_RE.match(guid) or _TOKEN_RE.match(guid):  # a URI, or a post id "thcs-a-2026-…"
        return guid
    digest = hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()[:24]
    return f"urn:edusite:rollup:{source_id}:{digest}"


def write_rollup_feed(
    site_dir: Path, result: RollupResult, *, site_url: str, site_name: str
) -> list[str]:
    """The portal's own roll-up feed (``tin-don-vi/feed.xml`` and ``atom.xml``), with sources."""
    entries = [
        FeedEntry(
            id=feed_id(item.guid, item.source_id),
            title=item.title,
            link=item.link,
            published=item.published or EPOCH_LOCAL,
            updated=item.updated or item.published,
            summary=item.summary_text,
            content_html=item.content_html or item.summary_html,
            author=item.author,
            categories=tuple((c, c) for c in item.categories),
            enclosure=(item.image, 0, "image/jpeg") if item.image else None,
            source=(item.source_name, item.source_url) if item.source_url else None,
        )
        for item in result.items
    ]
    spec = FeedSpec(
        f"{site_name} - {ROLLUP_TITLE}",
        f"{ROLLUP_DIR}/feed.xml",
        f"{ROLLUP_DIR}/atom.xml",
        f"{ROLLUP_DIR}/",
    )
    return write_feed(
        site_dir, entries, spec, site_url=site_url, description=f"{ROLLUP_TITLE} - {site_name}"
    )


def health_warnings(result: RollupResult) -> list[str]:
    """One build-log line per feed that was not read in this build, with the raw cause (the
    published health page shows only its category)."""
    return [
        f"nguồn tin / feed: {health_line(h, detail=True)}" for h in result.health if not h.healthy
    ]
