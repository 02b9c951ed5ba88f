"""The search index, pure Python: tokens, records, shards, merging (no MkDocs here).

A site's ``search/`` folder holds

* ``manifest.json``: format version, counts, the shard prefix length and keys, the doc chunks,
  the units (id, name), the kinds and the folded synonym map;
* ``index/<key>.json``: postings of the terms whose folded form starts with ``key`` (the first
  ``prefix`` characters of the term, see :func:`shard_key`; one ``index/all.json`` when
  ``prefix`` is 0): ``{"term": [id, score, unit*4+kind, id, score, unit*4+kind, ...]}``;
* ``docs/<n>.json``: records ``n*CHUNK`` … ``n*CHUNK+CHUNK-1`` as
  ``[url, title, unit, date, kind, snippet]``;
* and, outside ``search/`` so it is never published, ``.edusite/search/records.json``: the
  site's *own* records with their term scores, read by the portals above to merge
  (:func:`records_file`).

Record ids are ordered newest first, so a lower id breaks a score tie in favour of newer pages
(on a portal: the members' records first, then its own; see :class:`IndexBuilder`).
"""

from __future__ import annotations

import html
import posixpath
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import yaml

from .. import context
from ..structure.network import Network, Unit
from ..text import fold, nfc

VERSION = 2  # 2: the manifest's "prefix" (shard key length, 0 = one index/all.json)
COMPACT_VERSION = 3  # big indexes: id gaps, meta.json, split shards (IndexBuilder._compact_files)
MAX_PREFIX = 4  # format 3: shard keys of 2 to 4 characters
SPLIT_BYTES = 12 * 1024  # format 3: a shard above this is split by one more character
CHUNK = 100  # records per docs/<n>.json
#: Above this many records (a Sở's network index), docs/<n>.json hold NETWORK_CHUNK records:
#: the 20 results shown are spread over the index's dates, and each touches one file, so small
#: files bound the first query's download (20 × ~4 KB gzip instead of 20 × ~18 KB).
CHUNK_LIMIT = 1000
NETWORK_CHUNK = 20
SNIPPET = 300  # characters of text kept per record
TITLE_WEIGHT = 10  # a term in the title counts as this many body occurrences
BODY_CAP = 5  # body occurrences counted at most
BIGRAM_FACTOR = 2  # bigram (adjacent syllables) scores are multiplied by this
MAX_SCORE = (TITLE_WEIGHT + BODY_CAP) * BIGRAM_FACTOR
MAX_TITLE = 1000  # characters of a title read back from another build's records
KINDS = ("tin-tuc", "van-ban", "cong-khai", "trang")
KIND_NAMES = {
    "tin-tuc": "Tin tức",
    "van-ban": "Văn bản",
    "cong-khai": "Công khai",
    "trang": "Trang",
}
SYNONYMS_FILE = Path(__file__).resolve().parent.parent / "data" / "search-synonyms.yml"
DIR = "search"
#: A site's own records, for the portals above: relative to the site root, in ``.edusite/``
#: (build records, never published: publish leaves every ``.edusite`` folder out).
RECORDS = (".edusite", "search", "records.json")
ALL = "all"  # the one shard's key when ``prefix`` is 0

#: Shard prefix length from the size of all postings (characters of their JSON; ~bytes, terms
#: are folded to ASCII). Measured on the demo network and a synthetic 300-school one: with one
#: character there are ~30 shards and the largest ("t": t, th, tr…) holds ~20 % of the postings;
#: with two, 120-290 shards and the largest holds ~7 %. So below 48 KB one file (a single
#: request, every later query is free); below 192 KB one character (~30 files, the largest
#: 10-40 KB, a typical school); above, two characters (the largest from ~13 KB; portals).
#: Small sites thus write 1 or ~30 files instead of ~80-200 tiny ones.
PREFIX_ONE_FILE = 48 * 1024
PREFIX_ONE_CHAR = 192 * 1024

_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(script|style|svg|noscript)\b.*?</\1>", re.S | re.I)
_SPACE = re.compile(r"\s+")
#: What a record read back must look like (:meth:`Record.from_json`).
_UNIT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATE = re.compile(r"(?:\d\d/\d\d/\d{4})?")
_SORT = re.compile(r"(?:\d{4}-\d\d-\d\d)?")
_BAD_URL = re.compile(r"^(?!https?://)[A-Za-z][A-Za-z0-9+.-]*:|[\x00-\x1f\x7f]|^[/\\]{2}")


def tokenize(text: str) -> list[str]:
    """Folded syllables of ``text``: split on anything that is not a letter or digit."""
    return _WORD.findall(fold(text))


def terms(tokens: Sequence[str]) -> list[str]:
    """Syllables and adjacent pairs (bigrams, ``"tuyen sinh"``) of ``tokens``."""
    return list(tokens) + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def score_terms(title: str, body: str) -> dict[str, int]:
    """Term → score: ``TITLE_WEIGHT`` if in the title, plus body occurrences capped at ``BODY_CAP``."""
    scores: dict[str, int] = {}
    counts: dict[str, int] = {}
    for t in terms(tokenize(body)):
        counts[t] = counts.get(t, 0) + 1
    for t, n in counts.items():
        scores[t] = min(n, BODY_CAP)
    for t in dict.fromkeys(terms(tokenize(title))):  # in order: a set's depends on the hash seed
        scores[t] = scores.get(t, 0) + TITLE_WEIGHT
    return {t: s * BIGRAM_FACTOR if " " in t else s for t, s in scores.items()}


def html_text(markup: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed, NFC."""
    text = _TAG.sub(" ", _DROP.sub(" ", markup))
    return nfc(_SPACE.sub(" ", html.unescape(text)).strip())


@lru_cache(maxsize=65536)
def shard_key(term: str, prefix: int = 2) -> str:
    """The shard holding ``term``: its first ``prefix`` characters (ASCII letters and digits
    after folding), padded with ``_``; :data:`ALL` when ``prefix`` is 0.

    Characters outside ``[a-z0-9]`` (other scripts) are replaced by ``_`` so file names stay safe.
    The same rule as ``shardKey`` in ``assets/search.js`` (which counts code points too).
    """
    if prefix == 0:
        return ALL
    key = "".join(c if c.isascii() and c.isalnum() else "_" for c in term[:prefix])
    return key.ljust(prefix, "_")


def choose_prefix(postings: dict[str, list[int]]) -> int:
    """The shard prefix length for these postings (term → flat list): 0, 1 or 2, by size."""
    ints = sum(map(len, postings.values()))
    if 2 * ints >= PREFIX_ONE_CHAR:  # every number takes a digit and a comma at least
        return 2
    size = len(dumps(postings))
    return 0 if size < PREFIX_ONE_FILE else 1 if size < PREFIX_ONE_CHAR else 2


@dataclass
class Record:
    """One searchable page."""

    url: str  # site-relative on its own site; relative to the portal (or absolute) once merged
    title: str
    unit: str  # unit id
    date: str  # dd/mm/yyyy or ""
    kind: str  # one of KINDS
    snippet: str
    scores: dict[str, int] = field(default_factory=dict)
    sort: str = ""  # yyyy-mm-dd for ordering (newest first)
    featured: bool = False  # a featured post (tin tiêu biểu): portals above keep it first

    @classmethod
    def make(
        cls,
        url: str,
        title: str,
        unit: str,
        date: Any,
        kind: str,
        body: str,
        featured: bool = False,
    ) -> Record:
        """A record from a page's title and plain text; ``date`` is a date/datetime or None."""
        text = nfc(body)
        snippet = text[:SNIPPET]
        if len(text) > SNIPPET:
            snippet = snippet.rsplit(" ", 1)[0] + " …"
        return cls(
            url=url,
            title=nfc(title),
            unit=unit,
            date=date.strftime("%d/%m/%Y") if date else "",
            kind=kind if kind in KINDS else "trang",
            snippet=snippet,
            scores=score_terms(title, text),
            sort=date.strftime("%Y-%m-%d") if date else "",
            featured=bool(featured),
        )

    def to_json(self) -> dict[str, Any]:
        if self.featured:
            return {**self._json(), "featured": True}
        return self._json()

    def _json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "unit": self.unit,
            "date": self.date,
            "kind": self.kind,
            "snippet": self.snippet,
            "sort": self.sort,
            "scores": self.scores,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        """A record read back from a file another build (or a CI cache or artifact) wrote: a
        member's ``records.json``, the portal's block cache. Every field is checked (types,
        ``kind``, unit id, date forms, a URL with no scheme but ``http(s)``), the texts cut to
        :data:`MAX_TITLE` and :data:`SNIPPET`; raises ``ValueError``/``TypeError`` otherwise.
        The term scores are checked where few records are left (:func:`sound_scores`)."""
        r = cls(**data)
        texts = (r.url, r.title, r.unit, r.date, r.kind, r.snippet, r.sort)
        if not all(type(t) is str for t in texts) or type(r.featured) is not bool:
            raise TypeError("record field of the wrong type")
        if type(r.scores) is not dict or r.kind not in KINDS or not _UNIT_ID.fullmatch(r.unit):
            raise ValueError("record with unknown kind, unit or scores")
        if not _DATE.fullmatch(r.date) or not _SORT.fullmatch(r.sort) or _BAD_URL.search(r.url):
            raise ValueError("record with a malformed date or URL")
        r.title, r.snippet = _cut(r.title, MAX_TITLE), _cut(r.snippet, SNIPPET + 2)
        return r


def sound_scores(r: Record) -> bool:
    """True when ``r``'s scores are what :func:`score_terms` makes: text terms, whole numbers
    from 1 to :data:`MAX_SCORE` (a read-back record's, see :meth:`Record.from_json`)."""
    values = r.scores.values()
    return not values or (
        set(map(type, r.scores)) == {str}
        and set(map(type, values)) == {int}
        and min(values) >= 1
        and max(values) <= MAX_SCORE
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def order(records: Iterable[Record]) -> list[Record]:
    """Newest first (undated last), then by unit and URL: the order that becomes the ids."""
    return sorted(records, key=lambda r: (_neg(r.sort), r.unit, r.url))


_NEG = str.maketrans("0123456789", "9876543210")


def _neg(sort: str) -> str:
    """A key sorting ``yyyy-mm-dd`` descending (and "" last): each digit d becomes 9 - d."""
    return sort.translate(_NEG) or "~"


@lru_cache(maxsize=1)
def synonyms(path: Path = SYNONYMS_FILE) -> dict[str, list[str]]:
    """Folded phrase → folded equivalents, both directions (``thcs`` ↔ ``trung hoc co so``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, set[str]] = {}
    for group in data.get("groups", []):
        forms = [" ".join(tokenize(str(f))) for f in group]
        forms = [f for f in dict.fromkeys(forms) if f]
        for f in forms:
            out.setdefault(f, set()).update(x for x in forms if x != f)
    return {k: sorted(v) for k, v in sorted(out.items())}


class IndexBuilder:
    """Builds a ``search/`` folder from records added in id order (see :func:`build`).

    A portal adds its members' records first (the costly part, which a forked child does while
    the portal's own pages still build) and its own records last, when they are known.
    """

    def __init__(self, units: Sequence[tuple[str, str]]):
        self.unit_ids = [u for u, _ in units]
        self.names = dict(units)
        self.unit_index = {u: i for i, u in enumerate(self.unit_ids)}
        self.kind_index = {k: i for i, k in enumerate(KINDS)}
        self.recs: list[Record] = []
        # Term → [id, score, unit*4+kind, ...]; records come in id order, so every list is in
        # id order without sorting; the appends run in C (map over the record's terms).
        self.postings: defaultdict[str, list[int]] = defaultdict(list)

    def add(self, records: Sequence[Record], release: bool = False) -> None:
        """Append ``records`` (already in their final order) with the next ids.

        ``release`` empties each record's ``scores`` once its postings are made (a Sở's members'
        scores take about 300 MB; the records are not needed afterwards but for their text).
        """
        unit_index, kind_index = self.unit_index, self.kind_index
        for r in records:
            if r.unit not in unit_index:
                unit_index[r.unit] = len(self.unit_ids)
                self.unit_ids.append(r.unit)
        consume, extend, lists = deque(maxlen=0).extend, list.extend, self.postings.__getitem__
        for rid, r in enumerate(records, start=len(self.recs)):
            sc = r.scores
            uk = unit_index[r.unit] * 4 + kind_index[r.kind]
            consume(map(extend, map(lists, sc), zip(repeat(rid), sc.values(), repeat(uk))))
            if release:
                sc.clear()
        self.recs.extend(records)

    def files(
        self, site_url: str, prefix: int | None = None, compact: bool | None = None
    ) -> dict[str, Any]:
        """Every file of the ``search/`` folder (path below it → JSON-able data).

        ``compact`` (default: more than :data:`CHUNK_LIMIT` records, a big portal's network
        index) writes format 3 (:meth:`_compact_files`); otherwise format 2, as before.
        """
        recs, postings, unit_index = self.recs, self.postings, self.unit_index
        if compact is None:
            compact = len(recs) > CHUNK_LIMIT
        if compact:
            return self._compact_files(site_url)
        if prefix is None:
            prefix = choose_prefix(postings)
        shards: dict[str, dict[str, list[int]]] = {}
        for term in sorted(postings):  # terms sorted once: each shard's terms stay in order
            key = shard_key(term, prefix)
            shard = shards.get(key)
            if shard is None:
                shard = shards[key] = {}
            shard[term] = postings[term]
        files: dict[str, Any] = {}
        for key in sorted(shards):
            files[f"index/{key}.json"] = shards[key]
        chunk = CHUNK if len(recs) <= CHUNK_LIMIT else NETWORK_CHUNK
        chunks = (len(recs) + chunk - 1) // chunk
        for n in range(chunks):
            files[f"docs/{n}.json"] = [
                [r.url, r.title, unit_index[r.unit], r.date, self.kind_index[r.kind], r.snippet]
                for r in recs[n * chunk : (n + 1) * chunk]
            ]
        files["manifest.json"] = {
            "version": VERSION,
            "site_url": site_url,
            "records": len(recs),
            "chunk": chunk,
            "bigram": BIGRAM_FACTOR,
            "chunks": chunks,
            "prefix": prefix,
            "shards": sorted(shards),
            "units": [[u, self.names.get(u, u)] for u in self.unit_ids],
            "kinds": [[k, KIND_NAMES[k]] for k in KINDS],
            "synonyms": synonyms(),
        }
        return files

    def _compact_files(self, site_url: str) -> dict[str, Any]:
        """Format 3, for big indexes (a Sở's network search): what a first query downloads
        stays small whatever the network's size.

        * postings are ``[id gap, score, id gap, score, …]`` (ids ascending, each the gap from
          the previous one: small numbers), without ``unit*4+kind``;
        * ``meta.json``: ``unit*4+kind`` of every record, by id (one file, fetched with the
          first query's shards: filters need it for every hit);
        * shards are keyed by two characters, and a shard over :data:`SPLIT_BYTES` is split by
          three, then four (``tr`` → ``tra``, ``tre``, ``tru``…): the browser takes the longest
          key in ``shards`` that is a prefix of the term (:func:`compact_key`);
        * ``docs/<n>.json`` hold :data:`NETWORK_CHUNK` records.
        """
        from operator import sub

        recs, postings, unit_index, kind_index = (
            self.recs,
            self.postings,
            self.unit_index,
            self.kind_index,
        )
        encoded: dict[str, list[int]] = {}
        sizes: dict[str, int] = {}
        for term in sorted(postings):
            flat = postings[term]
            ids = flat[0::3]
            gaps = list(map(sub, ids, [0, *ids[:-1]]))
            pairs: list[int] = [0] * (2 * len(ids))
            pairs[0::2] = gaps
            pairs[1::2] = flat[1::3]
            encoded[term] = pairs
            sizes[term] = len(term) + 6 + len(orjson.dumps(pairs))
        buckets: dict[str, list[str]] = {}
        for term in encoded:  # sorted: every bucket's terms stay in order
            buckets.setdefault(shard_key(term, 2), []).append(term)
        for n in range(3, MAX_PREFIX + 1):
            for key in [k for k, ts in buckets.items() if len(k) == n - 1]:
                terms_ = buckets[key]
                if len(terms_) < 2 or sum(sizes[t] for t in terms_) <= SPLIT_BYTES:
                    continue
                del buckets[key]
                for t in terms_:
                    buckets.setdefault(shard_key(t, n), []).append(t)
        files: dict[str, Any] = {}
        for key in sorted(buckets):
            files[f"index/{key}.json"] = {t: encoded[t] for t in buckets[key]}
        files["meta.json"] = [unit_index[r.unit] * 4 + kind_index[r.kind] for r in recs]
        chunk = NETWORK_CHUNK
        chunks = (len(recs) + chunk - 1) // chunk
        for n in range(chunks):
            files[f"docs/{n}.json"] = [
                [r.url, r.title, unit_index[r.unit], r.date, kind_index[r.kind], r.snippet]
                for r in recs[n * chunk : (n + 1) * chunk]
            ]
        files["manifest.json"] = {
            "version": COMPACT_VERSION,
            "site_url": site_url,
            "records": len(recs),
            "chunk": chunk,
            "bigram": BIGRAM_FACTOR,
            "chunks": chunks,
            "prefix": 2,
            "maxprefix": MAX_PREFIX,
            "shards": sorted(buckets),
            "meta": "meta.json",
            "units": [[u, self.names.get(u, u)] for u in self.unit_ids],
            "kinds": [[k, KIND_NAMES[k]] for k in KINDS],
            "synonyms": synonyms(),
        }
        return files


def compact_key(term: str, keys: set[str] | frozenset[str]) -> str | None:
    """The shard of ``term`` in a format-3 index with shard ``keys``: the longest
    ``shard_key(term, n)`` present (``n`` from :data:`MAX_PREFIX` down to 1), as search.js."""
    for n in range(MAX_PREFIX, 0, -1):
        key = shard_key(term, n)
        if key in keys:
            return key
    return None


def build(
    records: Sequence[Record],
    units: Sequence[tuple[str, str]],
    site_url: str,
    prefix: int | None = None,
) -> dict[str, Any]:
    """Every file of a ``search/`` folder (path below it → JSON-able data), records ordered.

    ``prefix``: the shard key length (0, 1 or 2); by default chosen from the postings' size
    (:func:`choose_prefix`).
    """
    builder = IndexBuilder(units)
    builder.add(order(records))
    return builder.files(site_url, prefix)


def dumps(data: Any) -> str:
    """Compact, deterministic JSON (UTF-8, no ASCII escaping): the same text as
    ``json.dumps(data, ensure_ascii=False, separators=(",", ":"))``, by orjson (about 8x faster:
    a Sở writes 30 MB of postings)."""
    return orjson.dumps(data).decode("utf-8")


def records_file(folder: Path) -> Path:
    """Where the site whose ``search/`` is ``folder`` keeps its own records (:data:`RECORDS`)."""
    return folder.parent.joinpath(*RECORDS)


def write(folder: Path, files: dict[str, Any], own: Sequence[Record]) -> None:
    """Replace ``folder`` (a site's ``search/``) with ``files``, and write the own records
    beside it (:func:`records_file`)."""
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
    made: set[Path] = set()
    for rel, data in files.items():
        path = folder / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(orjson.dumps(data))
    records = records_file(folder)
    records.parent.mkdir(parents=True, exist_ok=True)
    records.write_bytes(orjson.dumps([r.to_json() for r in order(own)]))


def read_records(folder: Path) -> list[Record]:
    """A built site's own records (:func:`records_file` of its ``search/`` ``folder``); [] when
    missing or unreadable."""
    try:
        return parse_records(records_file(folder).read_bytes())
    except OSError:
        return []


def parse_records(data: bytes) -> list[Record]:
    """Records from a ``records.json``'s bytes; [] when malformed (a member's malformed index
    never stops its portal)."""
    try:
        return [Record.from_json(d) for d in orjson.loads(data)]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return []


def rebase(url: str, member_url: str, portal_url: str) -> str:
    """A member's site-relative ``url`` as seen from the portal's root.

    Relative (``../th-a/tin-tuc/…``) when both sites share scheme and host, so links also work
    on a preview server; otherwise absolute (``https://member.example/tin-tuc/…``).
    """
    full = member_url + url
    m, p = urlsplit(full), urlsplit(portal_url)
    if (m.scheme, m.netloc) != (p.scheme, p.netloc):
        return full
    rel = posixpath.relpath(m.path, p.path.rstrip("/") or "/")
    if m.path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel


#: Page URLs :func:`rebaser` cannot just append to a prefix: empty, leading ``/``, empty, ``.``
#: or ``..`` segments (``relpath`` normalises them), query, fragment, characters ``urlsplit``
#: drops.
_TRICKY_URL = re.compile(r"^$|[?#\t\r\n]|(?:^|/)\.{0,2}/|(?:^|/)\.{1,2}$")


def rebaser(member_url: str, portal_url: str) -> Callable[[str], str]:
    """``lambda url: rebase(url, member_url, portal_url)``, the URL work done once per member.

    A member's URLs all share ``member_url``: when its path is a folder (``/th-a/``), a page URL
    without tricky parts (:data:`_TRICKY_URL`) only changes the path's tail, so the result is
    one prefix plus the URL. Anything else falls back to :func:`rebase`.
    """
    m, p = urlsplit(member_url), urlsplit(portal_url)

    def slow(url: str) -> str:
        return rebase(url, member_url, portal_url)

    if m.query or m.fragment or not m.path.startswith("/") or not m.path.endswith("/"):
        return slow
    tricky = _TRICKY_URL.search
    if (m.scheme, m.netloc) != (p.scheme, p.netloc):
        # the member path's "/" ends the netloc: a plain page URL cannot change scheme or host
        return lambda url: slow(url) if tricky(url) else member_url + url
    start = p.path.rstrip("/") or "/"
    if not start.startswith("/"):
        return slow
    mine = [x for x in posixpath.normpath(m.path).split("/") if x]
    theirs = [x for x in posixpath.normpath(start).split("/") if x]
    if len(theirs) > len(mine) and theirs[: len(mine)] == mine:
        return slow  # the portal lies below the member's folder: URLs may share its segments
    rel = posixpath.relpath(m.path, start)
    prefix = "" if rel == "." else rel + "/"
    return lambda url: slow(url) if tricky(url) else prefix + url


def merge(
    own: Sequence[Record], members: Iterable[tuple[str, str, list[Record]]], portal_url: str
) -> list[Record]:
    """The portal's records plus each member's ``(unit id, site_url, records)``, URLs rebased."""
    out = list(own)
    for unit_id, member_url, recs in members:
        fix: Callable[[str], str] | None = None
        for r in recs:
            if r.unit != unit_id:  # a member portal's merged records are never re-read
                continue
            if fix is None:
                fix = rebaser(member_url, portal_url)
            out.append(
                Record(
                    url=fix(r.url),
                    title=r.title,
                    unit=r.unit,
                    date=r.date,
                    kind=r.kind,
                    snippet=r.snippet,
                    scores=r.scores,  # shared, as before (never modified)
                    sort=r.sort,
                    featured=r.featured,
                )
            )
    return out


def output_root(site_dir: Path) -> Path:
    """Where every unit's built site lives: the running build's output, else the site dir's
    parent (a plain ``mkdocs build``)."""
    ctx = context.running()
    return ctx.out if ctx is not None else site_dir.parent


def cache_inputs(network: Network, unit: Unit, out: Path) -> list[Path]:
    """Files outside a unit's content its search index depends on: members' own records
    (``<out>/<member>/.edusite/search/records.json``).

    For the build cache (:func:`edusite.build.cache.plugin_inputs`): a portal's index changes when a
    member's does. Schools depend on nothing outside their content.
    """
    if not unit.is_portal:
        return []
    return [out.joinpath(d.id, *RECORDS) for d in network.descendants(unit.id)]
