"""Helpers shared by the search browser tests and ``bench/search.py`` (no tests here).

:func:`build_demo` builds the demo network with a pinned clock; :func:`query` opens a results
page, waits for the script to finish and returns the results shown.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]


def build_demo(out: Path) -> None:
    """The demo network into ``out`` (``EDUSITE_NOW="2026-11-22 12:00"``, 2 jobs, offline)."""
    from edusite.build.builder import build_network
    from edusite.structure.network import get_network

    saved = os.environ.get("EDUSITE_NOW")
    os.environ["EDUSITE_NOW"] = "2026-11-22 12:00"
    try:
        results = build_network(
            get_network(REPO), out=out, jobs=2, offline=True, cache_dir=out.parent / "cache"
        )
    finally:
        if saved is None:
            os.environ.pop("EDUSITE_NOW", None)
        else:
            os.environ["EDUSITE_NOW"] = saved
    bad = [(r.unit_id, r.errors) for r in results if not r.ok]
    assert not bad, bad


def query(page: Any, base: str, site: str, q: str, **params: str) -> dict[str, Any]:
    """Search ``q`` on ``site``'s results page; return status, results and the time taken (ms)."""
    url = f"{base}/{site}/tim-kiem/?" + urlencode({"q": q, **params})
    page.goto(url, wait_until="load")
    page.wait_for_selector('.es-sr[data-state="done"]', timeout=10_000)
    results = page.eval_on_selector_all(
        ".es-sr-item",
        """els => els.map(e => ({
            title: e.querySelector('.es-sr-title').textContent,
            href: e.querySelector('.es-sr-title a').getAttribute('href'),
            meta: e.querySelector('.es-sr-meta').textContent,
            marks: [...e.querySelectorAll('mark')].map(m => m.textContent),
        }))""",
    )
    return {
        "status": page.text_content("#es-sr-status") or "",
        "results": results,
        "ms": int(page.get_attribute(".es-sr", "data-ms") or 0),
    }
