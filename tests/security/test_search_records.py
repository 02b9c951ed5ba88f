"""A portal's search merges its members' records from files other builds wrote: each member's
``.edusite/search/records.json`` (a shard's CI artifact at province scale) and the block cache
``.cache/search/<portal>.blocks`` (restored from a CI cache). Either may be corrupt or tampered.

The rule, whatever they hold: the portal's index is built (a member never stops its portal);
every file is JSON the browser can read, with no script URL; every record links into the site
of the unit it is shown under (the portal's own pages stay the portal's); texts are capped;
every number is a small whole number. A cache that breaks a rule is not used at all: the index
then equals a merge without the cache (other text in a cache entry trusted by its stat is
plausible, and used: still capped, and shown as text).
"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import orjson
import pytest
from edusite.search import index as ix
from edusite.search import network as net
from hostile import PAYLOADS, json_problems

PORTAL = "https://s.vn/so/"
IDS = ["th-1", "th-2", "th-3"]
BIG = "tuyển sinh " * 200_000


def rec(uid: str, n: int) -> ix.Record:
    return ix.Record.make(
        f"tin-tuc/bai-{n}/",
        f"Tuyển sinh {uid} bài {n}",
        uid,
        date(2026, 10, 1 + n),
        "tin-tuc",
        f"Nội dung tuyển sinh {n} của {uid}.",
    )


#: One field of a record at a time, made hostile: script and third-party URLs, other units'
#: ids, wrong types, out-of-range and huge values, unknown keys.
MUTATIONS: list[dict[str, Any]] = [
    *({"url": u} for u in ["javascript:alert(1)", "https://evil.example/phish",
                            "//evil.example/x", "data:text/html,<script>alert(2)</script>",
                            "\\\\evil.example\\x", "a\nb/", 7, None]),
    *({"title": t} for t in [BIG, PAYLOADS[0], ["x"], {"a": 1}, None]),
    {"snippet": BIG},
    {"snippet": 5},
    *({"unit": u} for u in ["so", "th-2", "../so", "", 5]),
    *({"date": d} for d in ["<img src=x onerror=alert(3)>", 20261010, "1/1/1"]),
    *({"kind": k} for k in ["evil", None, 0]),
    {"sort": "9999-99-99x"},
    *({"scores": s} for s in [{"tuyen": 2**70}, {"tuyen": "1"}, {"tuyen": -5}, {"tuyen": 1.5},
                              {"tuyen": True}, {"tuyen": None}, {"tuyen": 10**9}, [1], "x",
                              {"tuyen": [1]}]),
    {"featured": "yes"},
    {"__class__": 1},
    {"evil": 1},
]  # fmt: skip
BAD_FILES = [b"{", b"null", b'{"a": 1}', b"[1, 2]", b'["x"]', b"[null]", b"\xff\xfe"]


def write_member(out: Path, uid: str, data: bytes) -> None:
    path = ix.records_file(out / uid / ix.DIR)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    old = time.time() - 60  # settled: a cache entry of it is trusted by its stat
    os.utime(path, (old, old))


def good(uid: str) -> bytes:
    return orjson.dumps([rec(uid, n).to_json() for n in range(3)])


def members(out: Path) -> list[net.Member]:
    return [net.Member(u, f"Trường {u}", f"https://s.vn/{u}/", out / u / ix.DIR) for u in IDS]


def merge(out: Path, cache: Path | None) -> dict[str, Any]:
    blocks = net.member_blocks(members(out), PORTAL, cache=cache)
    builder = net.prepare(blocks, "so", "Sở")
    builder.add(ix.order([rec("so", 9)]))
    return builder.files(PORTAL)


def number_problems(value: Any) -> list[str]:
    """Numbers that are not whole, small and positive, anywhere in ``value``."""
    if isinstance(value, (bool, float)):
        return [f"{value!r} is not a whole number"]
    if isinstance(value, int):
        return [] if 0 <= value < 2**31 else [f"{value} out of range"]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [p for x in items for p in number_problems(x)]


def index_problems(files: dict[str, Any]) -> list[str]:
    """Every rule of the module docstring the index files break."""
    out: list[str] = []
    for path, data in files.items():
        try:
            raw = orjson.dumps(data)
        except TypeError as exc:
            out.append(f"{path}: not writable as JSON: {exc}")
            continue
        out += [f"{path}: {p}" for p in json_problems(raw)]
        if path.startswith("index/") or path == "meta.json":
            out += [f"{path}: {p}" for p in number_problems(data)]
    units = [u for u, _ in files["manifest.json"]["units"]]
    own = 0
    for n in range(files["manifest.json"]["chunks"]):
        for url, title, unit, day, _kind, snippet in files[f"docs/{n}.json"]:
            uid = units[unit]
            site = PORTAL if uid == "so" else f"https://s.vn/{uid}/"
            full = urljoin(PORTAL, url) if isinstance(url, str) else ""
            if not full.startswith(site):
                out.append(f"{url!r} shown under {uid} leads to {full!r}, not below {site}")
            own += uid == "so"
            if not all(isinstance(t, str) for t in (title, day, snippet)):
                out.append(f"record {url!r}: a text field is not text")
            elif len(title) > ix.MAX_TITLE or len(snippet) > ix.SNIPPET + 2:
                out.append(f"record {url!r}: text over its cap ({len(title)}, {len(snippet)})")
    if own != 1:
        out.append(f"{own} records under the portal's own unit, it has 1")
    return out


@pytest.mark.parametrize("change", MUTATIONS, ids=lambda c: repr(c)[:60])
def test_a_hostile_member_record_breaks_no_rule(tmp_path: Path, change: dict[str, Any]) -> None:
    out = tmp_path / "out"
    for uid in IDS:
        write_member(out, uid, good(uid))
    records = [rec("th-1", n).to_json() for n in range(3)]
    records[1] = {**records[1], **change}
    write_member(out, "th-1", json.dumps(records).encode())
    files = merge(out, None)
    assert index_problems(files) == []
    assert merge(out, None) == files


@pytest.mark.parametrize("data", BAD_FILES + [b"[" + b"[" * 100_000])
def test_a_malformed_records_file_is_skipped(tmp_path: Path, data: bytes) -> None:
    out = tmp_path / "out"
    for uid in IDS:
        write_member(out, uid, good(uid))
    write_member(out, "th-2", data)
    files = merge(out, None)
    assert index_problems(files) == []
    assert "th-2" not in [u for u, _ in files["manifest.json"]["units"]]


@pytest.mark.parametrize("change", MUTATIONS, ids=lambda c: repr(c)[:60])
def test_a_tampered_block_cache_is_not_used(tmp_path: Path, change: dict[str, Any]) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache" / "so.blocks"
    for uid in IDS:
        write_member(out, uid, good(uid))
    merge(out, cache)  # stores every member's block, trusted by its settled stat
    data = orjson.loads(cache.read_bytes())
    block = data["blocks"]["th-1"]
    assert block["trusted"] is True
    block["records"][0] = {**block["records"][0], **change}
    cache.write_bytes(json.dumps(data).encode())
    files = merge(out, cache)
    assert index_problems(files) == []
    texts = set(change) <= {"title", "snippet"} and all(isinstance(v, str) for v in change.values())
    if not texts:  # other text is plausible: the cache is trusted by its stat (docs/search.md)
        assert files == merge(out, None)


@pytest.mark.parametrize(
    "blocks",
    [
        None,
        [],
        "x",
        {"th-1": "x"},
        {"th-1": {"stat": "x", "records": []}},
        {"th-1": {"records": {"a": 1}}},
        {"th-1": {"records": [{"url": "https://evil.example/"}]}},
    ],
    ids=repr,
)
def test_a_corrupt_block_cache_is_not_used(tmp_path: Path, blocks: Any) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache" / "so.blocks"
    for uid in IDS:
        write_member(out, uid, good(uid))
    merge(out, cache)
    data = orjson.loads(cache.read_bytes())
    if isinstance(blocks, dict):  # keep what the stat check needs: only the records change
        for uid, entry in blocks.items():
            blocks[uid] = {**data["blocks"][uid], **entry} if isinstance(entry, dict) else entry
    data["blocks"] = blocks
    cache.write_bytes(orjson.dumps(data))
    assert merge(out, cache) == merge(out, None)
    cache.write_bytes(b"\x00garbage")
    assert merge(out, cache) == merge(out, None)
