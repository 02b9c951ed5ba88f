"""Search benchmark: index sizes, bytes a phone downloads for a first query, query latency.

Builds the demo network into a temporary folder (pinned clock, offline), then prints

* per site and for the Sở portal's network index: the files a browser may fetch (manifest,
  shards, doc chunks) raw and gzip-compressed, and the ``records.json`` merge source;
* for the first query on the Sở portal (fresh browser context, no cache): bytes of every
  ``search/`` response and of the page itself (HTML, CSS, script), measured from responses;
* query latency in Chromium (submit → results rendered, the page's own ``data-ms``), median and
  max over the browser tests' query list, first query (cold) and warm.

    .venv/bin/python bench/search.py [--out DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # shared with the browser tests

from browser_support import launch, serve  # noqa: E402
from test_search_browser import MISSES, QUERIES  # noqa: E402
from test_search_support import build_demo, query  # noqa: E402


def sizes(folder: Path) -> tuple[int, int, int, int]:
    """(files, raw bytes, gzip bytes) of what browsers fetch; bytes of records.json."""
    files = [p for p in folder.rglob("*.json") if p.name != "records.json"]
    raw = sum(p.stat().st_size for p in files)
    gz = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
    rec = folder / "records.json"
    return len(files), raw, gz, rec.stat().st_size if rec.exists() else 0


def kb(n: float) -> str:
    return f"{n / 1024:7.1f} KB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, help="build here (default: a temporary folder)")
    args = ap.parse_args()
    tmp = None
    if args.out is None:
        tmp = tempfile.TemporaryDirectory()
        args.out = Path(tmp.name) / "public"
    t = time.perf_counter()
    build_demo(args.out)
    print(f"demo network built in {time.perf_counter() - t:.1f} s → {args.out}\n")

    print(f"{'site':<22} {'records':>7} {'files':>5} {'raw':>10} {'gzip':>10} {'records.json':>12}")
    import json

    for site in sorted(p for p in args.out.iterdir() if (p / "search/manifest.json").exists()):
        m = json.loads((site / "search/manifest.json").read_text(encoding="utf-8"))
        n, raw, gz, rec = sizes(site / "search")
        scope = " (network)" if len(m["units"]) > 1 else ""
        print(f"{site.name + scope:<22} {m['records']:>7} {n:>5} {kb(raw)} {kb(gz)} {kb(rec):>12}")

    from playwright.sync_api import sync_playwright

    with serve(args.out) as base, sync_playwright() as p:
        browser = launch(p)
        # First query on the Sở portal, cold context: what a phone downloads.
        ctx = browser.new_context(viewport={"width": 375, "height": 800})
        page = ctx.new_page()
        got: list[tuple[str, int]] = []

        def on_response(r: object) -> None:
            with contextlib.suppress(Exception):  # redirects have no body
                got.append((r.url, len(r.body())))  # type: ignore[attr-defined]

        page.on("response", on_response)
        first = query(page, base, "so-gddt", "tuyen sinh lop 10")
        search = [(u, n) for u, n in got if "/search/" in u]
        page_bytes = sum(n for u, n in got if "/search/" not in u)
        print(
            f"\nfirst query on so-gddt ('tuyen sinh lop 10', {len(first['results'])} results): "
            f"{len(search)} index files, {kb(sum(n for _, n in search)).strip()} of index "
            f"(uncompressed; the test server does not gzip) + {kb(page_bytes).strip()} page, "
            f"CSS and script"
        )
        for u, n in search:
            print(f"    {u.split('/search/')[1]:<20} {kb(n)}")
        net = sizes(args.out / "so-gddt" / "search")
        print(f"    = {100 * sum(n for _, n in search) / net[1]:.1f} % of the network index")
        ctx.close()

        # Latency over the query list: cold (new context each) and warm (one context).
        cold, warm = [], []
        ctx = browser.new_context()
        page = ctx.new_page()
        qs = [(s, q) for s, q, *_ in QUERIES] + MISSES
        for s, q in qs:
            c2 = browser.new_context()
            pg = c2.new_page()
            cold.append(query(pg, base, s, q)["ms"])
            c2.close()
            query(page, base, s, q)
            warm.append(query(page, base, s, q)["ms"])
        ctx.close()
        browser.close()
    print(
        f"\nquery latency in Chromium over {len(qs)} queries (fetch + rank + render, ms):\n"
        f"    cold (fresh context): median {statistics.median(cold):.0f}, max {max(cold)}\n"
        f"    warm (shards cached): median {statistics.median(warm):.0f}, max {max(warm)}"
    )
    js = ROOT / "scripts/edusite/search/assets/search.js"
    print(
        f"\nsearch.js {kb(js.stat().st_size).strip()} raw, "
        f"{kb(len(gzip.compress(js.read_bytes(), 6))).strip()} gzip"
    )
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
