"""Portal pages built from the roll-up engine: "Tin từ các đơn vị", per-unit filters, feed health.

Glue between :mod:`edusite.rollup` (independent of MkDocs) and the site: listings for the
templates, and the portal's own roll-up feed, written with the same writer as every site feed.
"""

from __future__ import annotations

import hashlib
import html
import mimetypes
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from ..context import BuildContext
from ..errors import Problem
from ..rollup import (
    STATUS_NAMES,
    RollupItem,
    RollupResult,
    collect,
    cover_files,
    health_line,
    health_summary,
)
from ..structure.listings import Listing, paginate
from ..text import EPOCH_LOCAL, format_date, format_datetime
from .feeds import (
    FeedEntry,
    FeedSettings,
    FeedSpec,
    default_authority,
    item_key,
    tag_uri,
    write_feed,
)
from .site import SiteState
from .theme import initials

ROLLUP_DIR = "tin-don-vi"
HEALTH_DIR = f"{ROLLUP_DIR}/tinh-trang-nguon-tin"
#: Where a portal publishes its copies of members' covers (processed by the images plugin).
COVER_DIR = f"{ROLLUP_DIR}/anh"
#: Variant groups of those copies: card crops for the cards, the Open Graph JPEG for feeds.
COVER_GROUPS = ("card", "og")
ROLLUP_TITLE = "Tin từ các đơn vị"


def item_context(item: RollupItem, network: Any = None) -> dict[str, Any]:
    """Plain data for a rolled-up card: the same keys as a post card, plus its source.

    ``image`` is the portal's own copy (site-relative) or ``None``: a member's address is never
    hot-linked. Its ``alt`` is the cover's own description, else the item's title; ``emblem``
    the member's initials, for a card without a picture."""
    unit = network.units.get(item.source_id) if network is not None else None
    name = (unit.short_name or unit.name) if unit is not None else item.source_name
    return {
        "id": item.guid,
        "title": item.title,
        "url": item.link or item.source_url,
        "date": item.published,
        "date_text": format_date(item.published) if item.published else "",
        "iso_date": item.published.isoformat() if item.published else "",
        "summary": item.summary_text,
        "image": item.image if item.image and "://" not in item.image else None,
        "image_alt": item.image_alt or item.title,
        "image_width": None,
        "image_height": None,
        "categories": list(item.categories),
        "author": item.author,
        "featured": bool(item.featured),
        "source_id": item.source_id,
        "source_name": item.source_name,
        "source_url": item.source_url,
        "emblem": initials(name or item.source_id),
        "external": True,
    }


def covers_for(
    result: RollupResult, state: SiteState, ctx: BuildContext, scratch: Path | None = None
) -> tuple[RollupResult, dict[str, tuple[Path, str]], list[Problem]]:
    """Bring every rolled-up item's cover to the portal (:func:`edusite.rollup.cover_files`):
    the result with each item's ``image`` now the portal's own path (``tin-don-vi/anh/…``, or
    ``""`` when the cover could not be had), the files to add (``{src_uri: (file, the cover's
    address)}``), and the warnings."""
    covers, problems = cover_files(
        result,
        state.network,
        state.unit.id,
        ctx.out,
        ctx.cache_dir("rollup"),
        offline=ctx.offline,
        scratch=scratch,
    )
    files: dict[str, tuple[Path, str]] = {}
    items = []
    for item in result.items:
        cover = covers.get(item.image) if item.image else None
        uri = f"{COVER_DIR}/{cover.name()}" if cover is not None else ""
        if cover is not None:
            files.setdefault(uri, (cover.path, cover.url))
        items.append(replace(item, image=uri))
    return replace(result, items=items), files, problems


def without_images(result: RollupResult, failed: set[str]) -> RollupResult:
    """``result`` with the covers the images plugin could not process (``failed`` paths)
    removed: those cards show the member's emblem."""
    if not failed:
        return result
    items = [replace(i, image="") if i.image in failed else i for i in result.items]
    return replace(result, items=items)


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


def rollup_listings(result: RollupResult, per_page: int, network: Any = None) -> list[Listing]:
    """The roll-up index (paginated), one list per member unit, and the feed-health page."""
    items = [item_context(i, network) for i in result.items]
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
        items=health_rows(result),
        total=len(result.health),
    )
    health.extra["problems"] = [str(p) for p in result.problems]
    out.append(health)
    return out


_ID_RE = re.compile(r"^(?:urn|tag|https?):[A-Za-z0-9:._~/?#@!$&*+,;=%-]{1,1000}$", re.IGNORECASE)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,300}$")
#: URIs an Atom reader (and the W3C validator) accepts as ids as they are.
_ATOM_ID_RE = re.compile(
    r"^(?:https?://[A-Za-z0-9.-]+(?::\d+)?/[A-Za-z0-9;/?:@&=+$.\-_!~*'()%,]*"
    r"|tag:[a-z0-9.-]+,\d{4}(?:-\d{2}(?:-\d{2})?)?:[0-9A-Za-z;/?:@&=+$.\-_!~*'()%,]*"
    r"|urn:[A-Za-z0-9][A-Za-z0-9-]{1,31}:(?:[A-Za-z0-9()+,.:=@;$_!*'-]|%[0-9A-Fa-f]{2})+)$"
)


def feed_id(guid: str, source_id: str) -> str:
    """The RSS guid of a rolled-up item in the portal's own feed: the member's guid when it is
    a plain URI (``urn:``, ``tag:``, ``http(s):``) or token, else a ``urn:`` made from its hash
    (a guid is any text in RSS, ``javascript:…`` included, and some readers link ids)."""
    if _ID_RE.match(guid) or _TOKEN_RE.match(guid):  # a URI, or a post id "thcs-a-2026-…"
        return guid
    digest = hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()[:24]
    return f"urn:edusite:rollup:{source_id}:{digest}"


def atom_id(guid: str, source_id: str, *, local: bool, authority: str, portal_id: str) -> str:
    """The Atom id of a rolled-up item: for an in-repo member, the very ``tag:`` URI the member's
    own ``atom.xml`` gives the post (its RSS guid is the post id); for a remote member, its guid
    when that is a valid URI, else a ``tag:`` URI of the portal made from the guid's hash."""
    if local:
        return tag_uri(authority, source_id, item_key(guid, source_id))
    if _ATOM_ID_RE.match(guid):
        return guid
    digest = hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()[:24]
    return tag_uri(authority, portal_id, f"{ROLLUP_DIR}/{source_id}/{digest}")


def write_rollup_feed(
    site_dir: Path,
    result: RollupResult,
    *,
    site_url: str,
    site_name: str,
    settings: FeedSettings | None = None,
    unit_id: str = "",
    network: Any = None,
) -> list[str]:
    """The portal's own roll-up feed (``tin-don-vi/feed.xml`` and ``atom.xml``): the newest
    :attr:`FeedSettings.items` items with their members (RSS ``<source>``, Atom ``via``), no
    archives (the members' own feeds have theirs)."""
    settings = settings or FeedSettings()
    authority = settings.authority or default_authority(site_url)
    feeds = {h.source_id: (h.kind, h.url) for h in result.health}
    entries = []
    for item in result.items[: settings.items]:
        kind, feed_url = feeds.get(item.source_id, ("remote", ""))
        local = kind == "local" and (network is None or item.source_id in network)
        entries.append(
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
                enclosure=_enclosure(item, site_url),
                source=(item.source_name, item.source_url, feed_url),
                atom_id=atom_id(
                    item.guid,
                    item.source_id,
                    local=local,
                    authority=authority,
                    portal_id=unit_id,
                ),
                cover_html=_cover(item, site_url),
            )
        )
    spec = FeedSpec(
        f"{site_name} - {ROLLUP_TITLE}",
        f"{ROLLUP_DIR}/feed.xml",
        f"{ROLLUP_DIR}/atom.xml",
        f"{ROLLUP_DIR}/",
        archives=False,
    )
    return write_feed(
        site_dir,
        entries,
        spec,
        site_url=site_url,
        description=f"{ROLLUP_TITLE} - {site_name}",
        settings=replace(settings, authority=authority),
        unit_id=unit_id,
        author=site_name,
    )


def _image_url(item: RollupItem, site_url: str) -> str:
    """The cover as the portal serves it (its own copy), absolute; "" without one."""
    if not item.image:
        return ""
    return item.image if "://" in item.image else urljoin(site_url, item.image)


def _enclosure(item: RollupItem, site_url: str) -> tuple[str, int, str] | None:
    url = _image_url(item, site_url)
    return (url, 0, mimetypes.guess_type(url)[0] or "image/jpeg") if url else None


def _cover(item: RollupItem, site_url: str) -> str:
    url = _image_url(item, site_url)
    if not url:
        return ""
    alt = html.escape(item.image_alt or item.title, quote=True)
    return f'<p><img src="{html.escape(url, quote=True)}" alt="{alt}"></p>'


def health_rows(result: RollupResult) -> list[dict[str, Any]]:
    """The health page's rows (docs/rollup.md, "Feed health"): every feed, those needing
    attention first, each with its dates as dd/mm/yyyy HH:MM and its warnings."""
    rows = []
    for h in sorted(result.health, key=lambda h: h.healthy):  # stable: reading order kept
        row = h.to_context()
        row.update(
            line=health_line(h),
            last_success_text=format_datetime(h.last_success) if h.last_success else "",
            next_try_text=format_datetime(h.next_try) if h.next_try else "",
            status_vi=STATUS_NAMES[h.status][0],
            status_en=STATUS_NAMES[h.status][1],
        )
        rows.append(row)
    return rows


def summary(result: RollupResult, portal_name: str) -> str:
    """The roll-up's lines for the build's output (docs/rollup.md): counts per status and the
    number of items, then one line per feed needing attention."""
    return health_summary(result, portal_name, detail=True)


def health_warnings(result: RollupResult) -> list[str]:
    """One build-log line per feed that was not read in this build, with the raw cause (the
    published health page shows only its category)."""
    return [
        f"nguồn tin / feed: {health_line(h, detail=True)}" for h in result.health if not h.healthy
    ]
