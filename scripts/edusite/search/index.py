"""The search index, pure Python: tokens, records, shards, merging (no MkDocs here).

A site's ``search/`` folder holds

* ``manifest.json``: format version, counts, the shard keys and doc chunks, the units (id,
  name), the kinds and the folded synonym map;
* ``index/<xx>.json``: postings of the terms whose folded form starts with ``xx``:
  ``{"term": [id, score, unit*4+kind, id, score, unit*4+kind, ...]}``;
* ``docs/<n>.json``: records ``n*CHUNK`` … ``n*CHUNK+CHUNK-1`` as
  ``[url, title, unit, date, kind, snippet]``;
* ``records.json``: the site's *own* records with their term scores, read by the portals above
  to merge (never fetched by the browser).

Record ids are ordered newest first, so a lower id breaks a score tie in favour of newer pages.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..structure.network import Network, Unit
from ..text import fold, nfc

VERSION = 1
CHUNK = 100  # records per docs/<n>.json
SNIPPET = 300  # characters of text kept per record
TITLE_WEIGHT = 10  # a term in the title counts as this many body occurrences
BODY_CAP = 5  # body occurrences counted at most
BIGRAM_FACTOR = 2  # bigram (adjacent syllables) scores are multiplied by this
KINDS = ("tin-tuc", "van-ban", "cong-khai", "trang")
KIND_NAMES = {
    "tin-tuc": "Tin tức",
    "van-ban": "Văn bản",
    "cong-khai": "Công khai",
    "trang": "Trang",
}
SYNONYMS_FILE = Path(__file__).resolve().parent.parent / "data" / "search-synonyms.yml"
DIR = "search"

_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(script|style|svg|noscript)\b.*?</\1>", re.S | re.I)
_SPACE = re.compile(r"\s+")


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
    for t in set(terms(tokenize(title))):
        scores[t] = scores.get(t, 0) + TITLE_WEIGHT
    return {t: s * BIGRAM_FACTOR if " " in t else s for t, s in scores.items()}


def html_text(markup: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed, NFC."""
    text = _TAG.sub(" ", _DROP.sub(" ", markup))
    return nfc(_SPACE.sub(" ", html.unescape(text)).strip())


@lru_cache(maxsize=65536)
def shard_key(term: str) -> str:
    """The shard holding ``term``: its first two characters (ASCII letters and digits after folding).

    Characters outside ``[a-z0-9]`` (other scripts) are replaced by ``_`` so file names stay safe.
    """
    key = "".join(c if c.isascii() and c.isalnum() else "_" for c in term[:2])
    return key.ljust(2, "_")


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

    @classmethod
    def make(cls, url: str, title: str, unit: str, date: Any, kind: str, body: str) -> Record:
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
        )

    def to_json(self) -> dict[str, Any]:
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
        return cls(**data)


def order(records: Iterable[Record]) -> list[Record]:
    """Newest first (undated last), then by unit and URL: the order that becomes the ids."""
    return sorted(records, key=lambda r: (_neg(r.sort), r.unit, r.url))


def _neg(sort: str) -> str:
    """A key sorting ``yyyy-mm-dd`` descending (and "" last)."""
    return "".join(chr(ord("9") - int(c) + ord("0")) if c.isdigit() else c for c in sort) or "~"


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


def build(
    records: Sequence[Record], units: Sequence[tuple[str, str]], site_url: str
) -> dict[str, Any]:
    """Every file of a ``search/`` folder (path below it → JSON-able data), records ordered."""
    recs = order(records)
    unit_ids = [u for u, _ in units]
    known = set(unit_ids)
    for r in recs:
        if r.unit not in known:
            unit_ids.append(r.unit)
            known.add(r.unit)
    unit_index = {u: i for i, u in enumerate(unit_ids)}
    names = dict(units)
    shards: dict[str, dict[str, list[int]]] = {}
    for rid, r in enumerate(recs):
        uk = unit_index[r.unit] * 4 + KINDS.index(r.kind)
        for term, score in sorted(r.scores.items()):
            shards.setdefault(shard_key(term), {}).setdefault(term, []).extend((rid, score, uk))
    files: dict[str, Any] = {}
    for key, postings in sorted(shards.items()):
        files[f"index/{key}.json"] = dict(sorted(postings.items()))
    chunks = (len(recs) + CHUNK - 1) // CHUNK
    for n in range(chunks):
        files[f"docs/{n}.json"] = [
            [r.url, r.title, unit_index[r.unit], r.date, KINDS.index(r.kind), r.snippet]
            for r in recs[n * CHUNK : (n + 1) * CHUNK]
        ]
    files["manifest.json"] = {
        "version": VERSION,
        "site_url": site_url,
        "records": len(recs),
        "chunk": CHUNK,
        "bigram": BIGRAM_FACTOR,
        "chunks": chunks,
        "shards": sorted(shards),
        "units": [[u, names.get(u, u)] for u in unit_ids],
        "kinds": [[k, KIND_NAMES[k]] for k in KINDS],
        "synonyms": synonyms(),
    }
    return files


def dumps(data: Any) -> str:
    """Compact, deterministic JSON (UTF-8, no ASCII escaping)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def write(folder: Path, files: dict[str, Any], own: Sequence[Record]) -> None:
    """Replace ``folder`` (a site's ``search/``) with ``files`` plus ``records.json`` (own records)."""
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(data), encoding="utf-8")
    (folder / "records.json").write_text(dumps([r.to_json() for r in order(own)]), encoding="utf-8")


def read_records(folder: Path) -> list[Record]:
    """A built site's own records (``search/records.json``); [] when missing or unreadable."""
    try:
        data = json.loads((folder / "records.json").read_text(encoding="utf-8"))
        return [Record.from_json(d) for d in data]
    except (OSError, ValueError, TypeError):
        return []


def rebase(url: str, member_url: str, portal_url: str) -> str:
    """A member's site-relative ``url`` as seen from the portal's root.

    Relative (``../th-a/tin-tuc/…``) when both sites share scheme and host, so links also work
    on a preview server; otherwise absolute (``https://member.example/tin-tuc/…``).
    """
    from urllib.parse import urlsplit

    full = member_url + url
    m, p = urlsplit(full), urlsplit(portal_url)
    if (m.scheme, m.netloc) != (p.scheme, p.netloc):
        return full
    import posixpath

    rel = posixpath.relpath(m.path, p.path.rstrip("/") or "/")
    if m.path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel


def merge(
    own: Sequence[Record], members: Iterable[tuple[str, str, list[Record]]], portal_url: str
) -> list[Record]:
    """The portal's records plus each member's ``(unit id, site_url, records)``, URLs rebased."""
    out = list(own)
    for unit_id, member_url, recs in members:
        for r in recs:
            if r.unit != unit_id:  # a member portal's merged records are never re-read
                continue
            out.append(Record(**{**r.to_json(), "url": rebase(r.url, member_url, portal_url)}))
    return out


def output_root(site_dir: Path) -> Path:
    """Where every unit's built site lives (``EDUSITE_OUTPUT_ROOT`` or the site dir's parent)."""
    env = os.environ.get("EDUSITE_OUTPUT_ROOT")
    return Path(env) if env else site_dir.parent


def cache_inputs(network: Network, unit: Unit, out: Path) -> list[Path]:
    """Files outside a unit's content its search index depends on: members' ``records.json``.

    For the build cache (:func:`edusite.cache.plugin_inputs`): a portal's index changes when a
    member's does. Schools depend on nothing outside their content.
    """
    if not unit.is_portal:
        return []
    return [out / d.id / DIR / "records.json" for d in network.descendants(unit.id)]
