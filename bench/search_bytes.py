#!/usr/bin/env python3
"""What a browser downloads for a first search query, computed from a built ``search/`` folder.

The same steps as ``scripts/edusite/search/assets/search.js``: the manifest (and, format 3,
``meta.json``); the shards of the query's syllables, bigrams and synonym alternatives; ranking (AND over groups, bigram bonus,
ties to the lower id); the doc chunks of the first 20 results. Bytes are counted raw and gzip
(level 6, what nginx ``gzip on`` sends by default). No browser needed, so the scale benchmark
can measure a 3,000-school Sở.

    .venv/bin/python bench/search_bytes.py public/so-gddt/search ["tuyen sinh lop 10" ...]
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from edusite.search.index import compact_key, shard_key, tokenize  # noqa: E402

PAGE = 20
#: Queries for synthetic networks (bench/gen_network.py) and the demo's (tests/test_search_browser).
QUERIES = [
    "tuyen sinh lop 10",
    "Hội giảng chào mừng ngày Nhà giáo Việt Nam",
    "khai giang nam hoc moi",
    "an toan giao thong",
    "chuyen doi so",
    "THCS",
    "truong",
    "hoc sinh",
    "dai hoi",
    "ky thi tot nghiep THPT",
]


def _pairs(a: list[str]) -> list[str]:
    return [f"{x} {y}" for x, y in zip(a, a[1:], strict=False)]


def first_query(folder: Path, q: str) -> dict[str, object]:
    """Files fetched for ``q`` on a cold browser and their raw and gzip bytes."""
    fetched: dict[str, bytes] = {}

    def get(rel: str) -> object:
        path = folder / rel
        if rel not in fetched:
            fetched[rel] = path.read_bytes() if path.is_file() else b""
        return json.loads(fetched[rel]) if fetched[rel] else None

    m = get("manifest.json")
    assert isinstance(m, dict)
    syn = m["synonyms"]
    toks = tokenize(q)
    groups: list[list[list[str]]] = []
    i = 0
    while i < len(toks):
        hit = 0
        for n in range(min(6, len(toks) - i), 0, -1):
            ph = " ".join(toks[i : i + n])
            if ph in syn:
                groups.append([p.split(" ") for p in [ph, *syn[ph]]])
                hit = n
                break
        if not hit:
            groups.append([[toks[i]]])
            hit = 1
        i += hit
    need: set[str] = set(_pairs(toks))
    for g in groups:
        for alt in g:
            need.update(alt)
            need.update(_pairs(alt))
    prefix = m.get("prefix", 2)
    have = set(m["shards"])
    compact = m.get("version", 1) >= 3
    if compact:
        keys = {compact_key(t, have) for t in need} - {None}
        meta = get(m.get("meta", "meta.json"))
        assert isinstance(meta, list)
    else:
        keys = {shard_key(t, prefix) for t in need}
    post: dict[str, dict[int, tuple[int, int]]] = {}
    for key in sorted(keys & have):  # type: ignore[operator]
        shard = get(f"index/{key}.json")
        assert isinstance(shard, dict)
        for t in need:
            a = shard.get(t)
            if a and t not in post:
                if compact:
                    got, rid = {}, 0
                    for k in range(0, len(a), 2):
                        rid += a[k]
                        got[rid] = (a[k + 1], meta[rid])
                    post[t] = got
                else:
                    post[t] = {a[k]: (a[k + 1], a[k + 2]) for k in range(0, len(a), 3)}
    results: list[tuple[int, float]] = []
    if groups:
        cand = {i for alt in groups[0] for i in post.get(alt[0], {})}
        for rid in cand:
            total, ok = 0.0, True
            for g in groups:
                best = -1.0
                for alt in g:
                    s = 0.0
                    if not all(rid in post.get(t, {}) for t in alt):
                        continue
                    s = sum(post[t][rid][0] for t in alt)
                    if len(g) > 1 and len(alt) > 1:
                        bi = _pairs(alt)
                        if not all(rid in post.get(t, {}) for t in bi):
                            continue
                        s = min(post[t][rid][0] for t in bi) / (m.get("bigram") or 2)
                    best = max(best, s)
                if best < 0:
                    ok = False
                    break
                total += best
            if ok:
                total += sum(post[t][rid][0] for t in _pairs(toks) if rid in post.get(t, {}))
                results.append((rid, total))
    results.sort(key=lambda x: (-x[1], x[0]))
    for n in sorted({rid // m["chunk"] for rid, _ in results[:PAGE]}):
        get(f"docs/{n}.json")
    raw = sum(len(b) for b in fetched.values())
    gz = sum(len(gzip.compress(b, 6)) for b in fetched.values())
    return {"query": q, "results": len(results), "files": len(fetched), "raw": raw, "gzip": gz}


def worst(folder: Path, queries: list[str] | None = None) -> tuple[dict[str, object], float]:
    """The query of ``queries`` with the most gzip bytes, and the median gzip bytes."""
    got = [first_query(folder, q) for q in (queries or QUERIES)]
    return max(got, key=lambda r: r["gzip"]), statistics.median(r["gzip"] for r in got)  # type: ignore[return-value,arg-type]


def main() -> None:
    folder = Path(sys.argv[1])
    for q in sys.argv[2:] or QUERIES:
        r = first_query(folder, q)
        print(
            f"{r['query']!r:48} {r['results']:>6} results {r['files']:>3} files "
            f"{r['raw'] / 1024:8.1f} KB raw {r['gzip'] / 1024:7.1f} KB gzip"
        )


if __name__ == "__main__":
    main()
