"""What a portal's network search holds, and how it is merged at province scale.

A Sở of 3,000 schools cannot index every page of every member: the members' records alone
would be ~170,000 (posts, documents, 3 công khai pages), the index hundreds of MB, and the
postings of a common syllable several MB, all downloaded by a phone's first query. So a portal
indexes:

* **all of its own pages** (the Sở's news, documents, pages);
* from **each member** (every unit below it, schools and the portals between), at most
  ``cap = max(1, budget // members)`` records, best first: documents (văn bản) and featured
  posts, then other posts, then other pages, then 3 công khai pages; newest first within each
  (:func:`priority`). ``budget`` is ``plugins.edusite-search.network_records`` (default
  :data:`BUDGET`). The demo network (15 members, ~20-40 records each) stays whole, as before;
  300 schools keep their 20 best records each; 3,000 schools their 2 best (a school's own
  search always holds every page).

The members' part of the index is therefore at most ``budget`` records (``members × 1`` past
``budget`` members), whatever the size of each member: what the browser downloads for a query
is bounded too (see ``docs/search.md``).

**Merging incrementally.** Each member's *block* (its selected records, URLs rebased onto the
portal) is cached per portal in ``<cache>/search/<portal>.blocks`` with the stat of the
own records (``.edusite/search/records.json``) it came from (size, mtime, inode; a file younger than 2 s is always read). A
rebuild after one school's post reads only that school's ``records.json``; the other 2,999
blocks come from the cache file. A block stored while its file was younger than 2 s (a cold
build, which writes every member just before the portal) is checked once more by the file's
sha256 on the next build, then trusted by its stat, as ``digests.py`` does. The merge is two passes over members streamed one at a time
(pass 1: each member's block, from the cache or its records, only the selected records kept;
pass 2: ids newest first and postings), so memory holds the selected records only, never a
member's whole index at once with the others'.

Record ids stay ordered newest first across blocks (the members' first, the portal's own last):
a score tie goes to the newer page with no date in the postings. A block's ids move when a newer
record arrives elsewhere, but every index file holds postings of all blocks (term shards), so
the files are rewritten on any change anyway; what a changed school costs is its own block.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from .. import memo
from . import index as ix

#: Records a portal's index takes from its members at most (``network_records``).
BUDGET = 6000
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
#: A member's ``records.json`` above this is not read (a school's is well below 10 MB).
MAX_BYTES = 256 * 1024 * 1024
CACHE_DIR = "search"
_CACHE_FORMAT = 1


def cap_for(budget: int, members: int) -> int:
    """Records each member contributes at most."""
    return max(1, budget // max(members, 1))


def priority(r: ix.Record) -> tuple[int, str, str]:
    """Sort key of a member's records for the portal: tier, newest first, URL."""
    if r.kind == "van-ban" or (r.kind == "tin-tuc" and r.featured):
        tier = 0
    elif r.kind == "tin-tuc":
        tier = 1
    elif r.kind == "trang":
        tier = 2
    else:
        tier = 3
    return (tier, ix._neg(r.sort), r.url)


def select(unit_id: str, records: Iterable[ix.Record], cap: int) -> list[ix.Record]:
    """The member's own records (a member portal's merged ones are never re-read) the portal
    keeps: the ``cap`` best by :func:`priority`."""
    own = [r for r in records if r.unit == unit_id]
    if len(own) > cap:
        own = sorted(own, key=priority)[:cap]
    return own


@dataclass(frozen=True)
class Member:
    """One unit below the portal: id, name, site URL and its built ``search/`` folder."""

    id: str
    name: str
    site_url: str
    folder: Path


def _stat(path: Path) -> list[int] | None:
    """``[size, mtime_ns, inode, settled]`` of a file (settled: old enough for its stat to be
    trusted, see :func:`edusite.memo.settled`), or None when missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino, int(memo.settled(st.st_mtime_ns))]


def _read(path: Path, stat: list[int] | None) -> bytes:
    """A member's ``records.json``; empty when missing, unreadable or over :data:`MAX_BYTES`
    (a member's index never stops its portal)."""
    if stat is None or stat[0] > MAX_BYTES:
        return b""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _rebased(url: str, member: Member) -> bool:
    """True for a URL :func:`edusite.search.index.rebase` can make of a ``member``'s page:
    relative to the portal, or absolute below the member's site."""
    return url.startswith(member.site_url) if _SCHEME.match(url) else not url.startswith("/")


def _sha(path: Path, data: bytes | None = None) -> str:
    try:
        return hashlib.sha256(path.read_bytes() if data is None else data).hexdigest()
    except OSError:
        return "missing"


class BlockCache:
    """The members' blocks of one portal, in one file (``<cache>/search/<portal>.blocks``)."""

    def __init__(self, path: Path | None, portal_url: str, cap: int) -> None:
        self.path = path
        self.key = memo.key("search-blocks", _CACHE_FORMAT, portal_url, cap)
        self.blocks: dict[str, dict] = {}
        self.dirty = False
        self.hits = 0
        if path is None:
            return
        try:
            data = orjson.loads(path.read_bytes())
            if isinstance(data, dict) and data.get("key") == self.key:
                blocks = data.get("blocks")
                if isinstance(blocks, dict):
                    self.blocks = blocks
        except (OSError, ValueError):
            pass

    def get(self, member: Member, stat: list[int] | None) -> list[ix.Record] | None:
        """The member's cached block when its ``records.json`` is the one it came from: the
        same stat, and for an entry stored while the file was young (its stat alone not
        trusted, see :func:`edusite.memo.settled`) the same bytes too."""
        entry = self.blocks.get(member.id)
        if stat is None or not isinstance(entry, dict):
            return None
        if entry.get("stat") != stat[:3] or entry.get("url") != member.site_url:
            return None
        if not entry.get("trusted"):
            if entry.get("sha") != _sha(ix.records_file(member.folder)):
                return None
            if stat[3]:  # settled now: trust the stat from here on
                entry["trusted"] = True
                self.dirty = True
        try:  # a cache file restored on CI may be corrupt or tampered with: checked as read
            recs = [ix.Record.from_json(d) for d in entry["records"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if not all(r.unit == member.id and _rebased(r.url, member) for r in recs) or not all(
            map(ix.sound_scores, recs)
        ):
            return None
        self.hits += 1
        return recs

    def put(
        self, member: Member, stat: list[int] | None, sha: str, recs: Sequence[ix.Record]
    ) -> None:
        if self.path is None:
            return
        if stat is None:  # no records.json: nothing to remember
            if self.blocks.pop(member.id, None) is not None:
                self.dirty = True
            return
        self.blocks[member.id] = {
            "stat": stat[:3],
            "trusted": bool(stat[3]),
            "sha": sha,
            "url": member.site_url,
            "records": [r.to_json() for r in recs],
        }
        self.dirty = True

    def save(self, members: Iterable[str]) -> None:
        """Write the cache (only members still present) when anything changed."""
        if self.path is None:
            return
        keep = set(members)
        if any(uid not in keep for uid in self.blocks):
            self.blocks = {u: b for u, b in self.blocks.items() if u in keep}
            self.dirty = True
        if self.dirty:
            memo.write_atomic(self.path, orjson.dumps({"key": self.key, "blocks": self.blocks}))
            self.dirty = False


def cache_path(cache: Path | None, portal_id: str) -> Path | None:
    """``<cache>/search/<portal>.blocks``, or None without a cache (``--no-cache``)."""
    return cache / CACHE_DIR / f"{portal_id}.blocks" if cache is not None else None


def member_blocks(
    members: Sequence[Member],
    portal_url: str,
    *,
    budget: int = BUDGET,
    cache: Path | None = None,
) -> list[tuple[str, str, list[ix.Record]]]:
    """Pass 1: each member's block ``(id, name, selected records rebased onto the portal)``,
    members streamed one at a time, unchanged ones from the block cache ``cache``."""
    cap = cap_for(budget, len(members))
    store = BlockCache(cache, portal_url, cap)
    out: list[tuple[str, str, list[ix.Record]]] = []
    for member in members:
        source = ix.records_file(member.folder)
        stat = _stat(source)
        recs = store.get(member, stat)
        if recs is None:
            data = _read(source, stat)
            chosen = select(member.id, ix.parse_records(data), cap)
            chosen = [r for r in chosen if ix.sound_scores(r)]
            recs = ix.merge([], [(member.id, member.site_url, chosen)], portal_url)
            store.put(member, stat, _sha(source, data), recs)
        out.append((member.id, member.name, recs))
    store.save(m.id for m in members)
    return out


def prepare(
    blocks: Sequence[tuple[str, str, list[ix.Record]]], unit_id: str, unit_name: str
) -> ix.IndexBuilder:
    """Pass 2, the members' part: units listed (members without records left out), records
    newest first with the first ids, scores released once posted."""
    units = [(unit_id, unit_name)]
    merged: list[ix.Record] = []
    for uid, name, recs in blocks:
        if recs:
            units.append((uid, name))
            merged.extend(recs)
    builder = ix.IndexBuilder(units)
    builder.add(ix.order(merged), release=True)
    return builder
