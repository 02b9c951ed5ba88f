#!/usr/bin/env python3
"""Scale benchmark: a province-sized synthetic network, cold, no-op and one-post rebuilds.

    .venv/bin/python bench/scale.py [--schools 300] [--posts 60] [--portals 10] [--jobs 2] [--stock 20] [--warm 8] [--no-disclosures]

Prints cold build time, per-post and per-site cost, peak memory of the build's process tree,
output bytes per site and in total, no-op and one-post rebuild times; then, on a subset of
``--stock`` schools of the same network, one stock ``mkdocs build`` process per site (the same
configuration, so the same pages), with the ratio to ``edusite build`` on that subset.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_network import generate  # noqa: E402

BIN = Path(sys.executable).parent
ENV = dict(os.environ, EDUSITE_NOW="2026-11-22 12:00", NO_MKDOCS_2_WARNING="1")


def tree_rss_kb(pid: int) -> int:
    """Memory of ``pid`` and all its descendants (Linux /proc): the sum of their proportional
    set sizes (PSS), so pages a forked worker shares with its parent count once, not per
    process as a sum of RSS would (falls back to RSS where smaps_rollup is missing)."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(x.split()[1]) for x in f if x.startswith("Pss:"))
        except (OSError, StopIteration):
            try:
                with open(f"/proc/{p}/status") as f:
                    total += next(int(x.split()[1]) for x in f if x.startswith("VmRSS:"))
            except (OSError, StopIteration):
                pass
        stack += children.get(p, [])
    return total


def run(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Run ``cmd``; return (seconds, peak RSS of its process tree in KB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, tree_rss_kb(proc.pid))

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, err = proc.communicate()
    done.set()
    t.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()[-3000:]}")
    return time.perf_counter() - start, peak


WARM = """
import os, statistics, sys, time
from pathlib import Path
from edusite import context
from edusite.build.worker import build_site, warm_up
from edusite.context import BuildContext
from edusite.structure.network import get_network
root, out = sys.argv[1], sys.argv[2]
context.activate(BuildContext(root=Path(root), out=Path(out), cache=None, offline=True,
                              shared_assets=True, network=get_network(root)))
os.chdir(root)
warm_up()
ids = sys.argv[3:]
build_site(ids[0], f"sites/{ids[0]}/mkdocs.yml", f"{out}/warm-up")  # compile templates once
times = []
for uid in ids:
    start = time.perf_counter()
    r = build_site(uid, f"sites/{uid}/mkdocs.yml", f"{out}/{uid}")
    assert r.ok, r.errors
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""


def warm_costs(tmp: Path, posts: int, sample: int) -> tuple[float, float, float, float, float]:
    """Per-post and per-site fixed cost in one warm worker process, in ms.

    The same ``sample`` schools are generated with ``posts`` and with 5 posts each, without
    their disclosure pages, and built one after another in a single process that imported
    everything and compiled the templates first (what an ``edusite build`` worker does). The
    slope between the two medians is the cost of one post (its page plus its share of
    listings, feeds, search and images); the intercept is the fixed cost of a site. A third
    run with the disclosure pages (3 công khai: about 25 pages and their PDF/XLSX files) gives
    what they add. Returns (per post, per site, median small, median full, disclosures).
    """
    small = 5
    medians = {}
    for count, disclosures in ((small, False), (posts, False), (posts, True)):
        root = tmp / f"warm-{count}-{disclosures}"
        ids = generate(root, sample, 1, count, disclosures=disclosures)
        out = root / "public"
        res = subprocess.run(
            [sys.executable, "-c", WARM, str(root), str(out), *ids],
            env=ENV,
            check=True,
            capture_output=True,
            text=True,
        )
        medians[count, disclosures] = float(res.stdout.strip().splitlines()[-1])
    per_post = (medians[posts, False] - medians[small, False]) / (posts - small)
    fixed = medians[small, False] - small * per_post
    extra = medians[posts, True] - medians[posts, False]
    return (
        per_post * 1000,
        fixed * 1000,
        medians[small, False] * 1000,
        medians[posts, False] * 1000,
        extra * 1000,
    )


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--schools", type=int, default=300)
    ap.add_argument("--portals", type=int, default=10)
    ap.add_argument("--posts", type=int, default=60)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--stock", type=int, default=20, help="schools in the stock-mkdocs comparison")
    ap.add_argument("--warm", type=int, default=8, help="schools in the warm-worker measurement")
    ap.add_argument(
        "--no-disclosures", action="store_true", help="schools without their 3 công khai pages"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "net"
        schools = generate(
            root, args.schools, args.portals, args.posts, disclosures=not args.no_disclosures
        )
        sites = len(list((root / "sites").iterdir()))
        posts = sum(1 for _ in (root / "content").glob("*/tin-tuc/*/*/index.md"))
        build = [str(BIN / "edusite"), "build", "--offline", "-j", str(args.jobs)]
        cold, peak = run(build, root)
        out = root / "public"
        total = size(out)
        shared = size(out / "_shared") if (out / "_shared").exists() else 0
        per_site = [size(out / s) for s in schools]
        # Bytes a school carries that are not its own pages, media, feeds or search data.
        chrome = ["assets", "404.html", "sitemap.xml", "sitemap.xml.gz", "search/manifest.json"]
        overhead = [
            sum(
                size(out / s / c) if (out / s / c).is_dir() else (out / s / c).stat().st_size
                for c in chrome
                if (out / s / c).exists()
            )
            for s in schools
        ]
        noop, _ = run(build, root)
        bundle = root / "content" / schools[0] / "tin-tuc/2026/2026-11-21-bai-moi"
        bundle.mkdir(parents=True)
        (bundle / "index.md").write_text(
            "---\ntitle: Bài mới\ndate: 2026-11-21 09:00\nfeatured: true\nid: bai-moi-bench\n---\n\nNội dung mới.\n",
            encoding="utf-8",
        )
        one, _ = run(build, root)
        check = None
        if not args.no_disclosures:  # without the pages, the check rightly fails every school
            check, _ = run([str(BIN / "edusite"), "check", "--today", "2026-11-22"], root)
        # Stock comparison on a subset: one `mkdocs build` process per school, one after another.
        subset = schools[: args.stock]
        stock_out = Path(tmp) / "stock"
        start = time.perf_counter()
        for uid in subset:
            subprocess.run(
                [
                    str(BIN / "mkdocs"),
                    "build",
                    "-q",
                    "-f",
                    f"sites/{uid}/mkdocs.yml",
                    "-d",
                    str(stock_out / uid),
                ],
                cwd=root,
                env=dict(ENV, EDUSITE_OFFLINE="1"),
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        stock = time.perf_counter() - start
        ours, _ = run([*build, "--no-cache", "--out", str(Path(tmp) / "ours"), *subset], root)
        per_post, fixed, small_ms, full_ms, disclosure_ms = warm_costs(
            Path(tmp), args.posts, args.warm
        )
    print(
        f"network: {sites} sites ({len(schools)} schools, {args.portals} portals + Sở), {posts} posts"
        f"{'' if args.no_disclosures else ' and the schools’ 3 công khai pages'}; "
        f"{os.cpu_count()} cores, {args.jobs} workers"
    )
    print(
        f"cold build:            {cold:8.2f} s   ({cold / posts * 1000 * args.jobs:.2f} ms of worker time per post"
        f" overall, portals included; {cold / sites * 1000:.1f} ms per site wall)"
    )
    print(
        f"warm worker ({args.warm} schools): {per_post:6.2f} ms per post, {fixed:6.1f} ms fixed per site"
        f" (median school: {small_ms:.0f} ms with 5 posts, {full_ms:.0f} ms with {args.posts});"
        f" its 3 công khai pages add {disclosure_ms:.0f} ms"
    )
    print(f"peak memory (tree):    {peak / 1024:8.1f} MB   (sum of PSS of the build's processes)")
    print(
        f"output total:          {total / 1e6:8.1f} MB; shared theme assets {shared / 1e3:.0f} KB once"
    )
    print(
        f"output per school:     {sum(per_site) / len(per_site) / 1e3:8.1f} KB mean, {max(per_site) / 1e3:.1f} KB max"
    )
    print(
        f"per-school overhead:   {sum(overhead) / len(overhead) / 1e3:8.1f} KB mean"
        f" ({', '.join(chrome)}; theme assets are shared)"
    )
    print(f"no-op rebuild:         {noop:8.2f} s")
    print(f"one new post rebuild:  {one:8.2f} s   (the school, its Phòng and the Sở)")
    if check is not None:
        print(f"disclosure check:      {check:8.2f} s   (edusite check, every unit)")
    print(
        f"stock mkdocs, {len(subset)} schools one process each: {stock:6.2f} s; "
        f"edusite build same schools: {ours:6.2f} s; ratio {stock / ours:5.1f}x"
    )


if __name__ == "__main__":
    main()
