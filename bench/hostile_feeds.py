#!/usr/bin/env python3
"""Cost of hostile member feeds for one portal's roll-up (issue #14, "feeds in").

    .venv/bin/python bench/hostile_feeds.py [--only NAME ...] [--src DIR] [--timeout S]

Builds each worst-case feed of ``tests/security/feeds_support.py`` (UTF-7 DOCTYPE, quadratic
blowup 4.8 MB, 95,000 tiny items in 5 MB, a title escaped 5 times, deeply nested elements and
HTML, very long and very many lines, huge and very many attributes…), serves them all from a
real HTTP server on 127.0.0.1 (in this process), and for each runs
:func:`edusite.rollup.collect` for a Sở whose only member is that feed, in a fresh child process
(so the peak RSS is that case's alone):

- wall time of ``collect`` (fetch + parse + sanitise + state), without tracemalloc;
- process max RSS (``resource.getrusage``) after that run;
- tracemalloc peak of a second, identical run (tracemalloc slows Python down, so it is not timed);
- the outcome: refused with which message, or neutralised (items kept, warnings, a sample title);
- the ratio of time and RSS to an honest 50-item feed measured in the same run.

Target: every case under 5 s and 300 MB (exit status 1 otherwise). ``--src`` runs the same cases
against another copy of the package (e.g. the code before the fix:
``git archive HEAD scripts | tar -x -C /tmp/old`` then ``--src /tmp/old/scripts``); children are
then limited to 3 GiB of address space and ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
TARGET_SECONDS = 5.0
TARGET_MB = 300.0
BASELINE = "normal-50"
MEMORY_LIMIT = 3 * 1024**3


def _setup_path(src: str | None) -> None:
    sys.path[:0] = [str(TESTS), str(TESTS / "security")]
    if src:
        sys.path.insert(0, src)


def _network(root: Path, feed: str) -> Any:
    from conftest import make_network  # tests/conftest.py: writes sites/<id>/mkdocs.yml
    from edusite.structure.network import get_network

    units = {
        "so": {
            "name": "Sở GDĐT Thử",
            "kind": "so",
            "rollup": {
                "policy": "all",
                "remote": [{"id": "truong-thu", "name": "Trường Thử", "feed": feed}],
            },
        }
    }
    return get_network(make_network(root, units))


def child(case: str, url: str) -> dict[str, Any]:
    """Run one case in this (child) process; print the timed figures as soon as they are known
    (a killed traced run then loses only its own figure) and return the traced one."""
    from edusite.rollup import collect
    from edusite.rollup.fetch import FetchSettings, make_client
    from edusite.text import TZ

    now = datetime(2024, 12, 1, 12, 0, tzinfo=TZ)
    settings = FetchSettings()  # production limits

    def once(workdir: Path) -> Any:
        net = _network(workdir / "repo", url)
        client = make_client(settings)
        try:
            return collect(
                net,
                "so",
                workdir / "public",
                workdir / "state",
                now=now,
                client=client,
                settings=settings,
            )
        finally:
            client.close()

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = once(Path(tmp) / "timed")
        seconds = time.perf_counter() - start
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        print(json.dumps({"seconds": seconds, "rss_mb": rss_mb, "outcome": _outcome(result)}))
        sys.stdout.flush()
        tracemalloc.start()
        once(Path(tmp) / "traced")
        traced_mb = tracemalloc.get_traced_memory()[1] / 1024**2
        tracemalloc.stop()
    return {"traced_mb": traced_mb}


def _outcome(result: Any) -> str:
    """Refused (with the health page's message) or neutralised (what was kept)."""
    (health,) = result.health
    if health.status in ("ok", "not-modified"):
        outcome = f"neutralised: {len(result.items)} items"
        if result.items:
            outcome += f", title {result.items[0].title[:30]!r}"
    else:
        outcome = f"refused: {health.error_en}"
    if health.warnings:
        outcome += f"; warning: {health.warnings[0].en[:60]}…"
    return outcome


def run_case(case: str, url: str, src: str | None, timeout: float) -> dict[str, Any]:
    """Run ``case`` in a child process; a crash, timeout or memory error is an outcome too."""
    cmd = [sys.executable, __file__, "--child", case, "--url", url]
    if src:
        cmd += ["--src", src]

    def limit() -> None:
        if src:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    start = time.perf_counter()
    killed = False
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, preexec_fn=limit)
        stdout, stderr = done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        stdout, stderr, killed = exc.stdout or b"", exc.stderr or b"", True
    elapsed = time.perf_counter() - start
    figures: dict[str, Any] = {"seconds": None, "traced_mb": None, "outcome": ""}
    for line in stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("{"):
            figures.update(json.loads(line))
    if figures["seconds"] is None:
        tail = (stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
        figures["outcome"] = (
            f"killed after {timeout:g} s"
            if killed
            else f"crashed after {elapsed:.1f} s: {tail[:90]}"
        )
    elif figures["traced_mb"] is None:
        figures["outcome"] += " (traced run killed)" if killed else " (traced run crashed)"
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="case names (default: all)")
    parser.add_argument("--src", help="a folder holding another edusite package to measure")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _setup_path(args.src)
    if args.child:
        print(json.dumps(child(args.child, args.url)))
        return 0

    import feeds_support as F

    cases = {BASELINE: (lambda: F.normal(50), "an honest feed: 50 items with HTML")}
    cases.update(F.CASES)
    names = [BASELINE] + [n for n in (args.only or list(F.CASES)) if n != BASELINE]
    unknown = [n for n in names if n not in cases]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(cases)}")
    bodies = {f"/{name}.xml": cases[name][0]() for name in names}
    code = "the code in " + (args.src or str(ROOT / "scripts"))
    print(f"Hostile feeds, one portal, one member each; {code}; {os.cpu_count()} CPUs")
    rows = []
    with F.serve(bodies) as base:
        for name in names:
            figures = run_case(name, f"{base}/{name}.xml", args.src, args.timeout)
            figures["name"], figures["size"] = name, len(bodies[f"/{name}.xml"])
            rows.append(figures)
    base_row = rows[0]
    over = []
    print(
        f"\n{'case':26} {'size':>8} {'time':>8} {'×base':>6} {'max RSS':>9} {'×base':>6} "
        f"{'traced':>9}  outcome"
    )
    for row in rows:
        seconds = row.get("seconds")
        if seconds is None:
            print(f"{row['name']:26} {row['size'] / 1e6:6.2f}MB {'-':>8} {'':>6} {'-':>9} "
                  f"{'':>6} {'-':>9}  {row['outcome']}")  # fmt: skip
            over.append(row["name"])
            continue
        t_ratio = seconds / base_row["seconds"] if base_row.get("seconds") else float("nan")
        m_ratio = row["rss_mb"] / base_row["rss_mb"] if base_row.get("rss_mb") else float("nan")
        traced = f"{row['traced_mb']:7.1f}MB" if row["traced_mb"] is not None else f"{'-':>9}"
        print(
            f"{row['name']:26} {row['size'] / 1e6:6.2f}MB {seconds:7.2f}s {t_ratio:6.1f} "
            f"{row['rss_mb']:7.0f}MB {m_ratio:6.1f} {traced}  {row['outcome']}"
        )
        if seconds >= TARGET_SECONDS or row["rss_mb"] >= TARGET_MB:
            over.append(row["name"])
    verdict = "all within" if not over else f"over the target: {', '.join(over)}"
    print(f"\nTarget: < {TARGET_SECONDS:g} s and < {TARGET_MB:g} MB per feed — {verdict}.")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
