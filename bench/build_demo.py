#!/usr/bin/env python3
"""Benchmark: the demo network with `edusite build` vs one `mkdocs build` process per site.

Both runs happen here, on the same machine and content, so the ratio is meaningful:

    .venv/bin/python bench/build_demo.py [--runs 3] [--jobs N]

Prints the median wall time of each way and their ratio. Output goes to temporary folders,
never to public/.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    sites = sorted(p.parent.name for p in (ROOT / "sites").glob("*/mkdocs.yml"))
    env = dict(os.environ, EDUSITE_NOW="2026-11-22 12:00", NO_MKDOCS_2_WARNING="1")
    ours, stock = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as out:
            ours.append(
                timed(
                    [
                        str(BIN / "edusite"),
                        "build",
                        "--offline",
                        "-j",
                        str(args.jobs),
                        "--out",
                        out,
                    ],
                    env,
                )
            )
        with tempfile.TemporaryDirectory() as out:
            # Children first, as edusite does, so portals find their members' feeds.
            order = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from edusite.structure.network import get_network; print(' '.join(get_network('.').build_order()))",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            env_stock = dict(env)
            start = time.perf_counter()
            for uid in order:
                subprocess.run(
                    [
                        str(BIN / "mkdocs"),
                        "build",
                        "-q",
                        "-f",
                        f"sites/{uid}/mkdocs.yml",
                        "-d",
                        f"{out}/{uid}",
                    ],
                    cwd=ROOT,
                    env=env_stock,
                    check=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            stock.append(time.perf_counter() - start)
    posts = sum(1 for _ in (ROOT / "content").glob("*/tin-tuc/*/*/index.md"))
    a, b = statistics.median(ours), statistics.median(stock)
    print(
        f"demo network: {len(sites)} sites, {posts} posts, {os.cpu_count()} cores, {args.runs} runs (median)"
    )
    print(
        f"edusite build -j {args.jobs}:            {a:6.2f} s  ({', '.join(f'{x:.2f}' for x in ours)})"
    )
    print(
        f"mkdocs build, one process per site: {b:6.2f} s  ({', '.join(f'{x:.2f}' for x in stock)})"
    )
    print(f"ratio (mkdocs / edusite):           {b / a:6.2f}x")


if __name__ == "__main__":
    main()
