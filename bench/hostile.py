#!/usr/bin/env python3
"""Benchmark: the worst hostile file of each kind, one at a time: what it costs a build.

Each case writes a small network (Sở → Phòng → school) whose school holds one hostile file,
builds the three sites with the real builder in a fresh child process, and prints its wall time,
its peak memory (the child's maximum resident set size) and the outcome: refused (the school
fails with a named error, the portals build) or built (neutralised). A normal post is measured
in the same run as the baseline; the ratios are against it. Target: every case under 5 s and
300 MB. The remote-feed cases follow (``bench/hostile_feeds.py``).

    .venv/bin/python bench/hostile.py [--only alias-bomb nested-lists] [--src OLD/scripts]

``--src OTHER/scripts`` measures another checkout's ``edusite`` package, with that checkout's base
``mkdocs.yml`` and theme (e.g. ``git worktree add /tmp/old <commit>``, then ``--src
/tmp/old/scripts``), so before/after figures come from one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POST = "content/th-a/tin-tuc/2026/2026-11-20-bai"
TARGET_SECONDS, TARGET_MB = 5.0, 300


def _post(title: str = "Bài viết", body: str = "Nội dung.\n", **meta: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in meta.items())
    return f"---\ntitle: {title}\ndate: 2026-11-20\n{extra}---\n\n{body}"


def _alias_bomb() -> str:
    levels = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    return (
        "---\ntitle: Bom\ndate: 2026-11-20\n" + "\n".join(levels) + "\ncategories: *i\n---\n\nx\n"
    )


def _png_bomb() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


#: name -> (what it is, files to add: {relative path: text or bytes}, or a function of root)
CASES: dict[str, tuple[str, Callable[[], dict[str, str | bytes]]]] = {
    "baseline": ("a normal post", lambda: {f"{POST}/index.md": _post()}),
    "alias-bomb": ("YAML alias bomb in categories (9 levels, 9^9 nodes)", lambda: {f"{POST}/index.md": _alias_bomb()}),
    "yaml-deep": ("front matter nested 10,000 levels", lambda: {f"{POST}/index.md": "---\ntitle: x\ndate: 2026-11-20\nsummary: " + "[" * 10_000 + "]" * 10_000 + "\n---\n"}),
    "title-1mb": ("a 1 MB title", lambda: {f"{POST}/index.md": _post(title="a" * 1_000_000)}),
    "invalid-date": ("date: 2026-02-30", lambda: {f"{POST}/index.md": "---\ntitle: x\ndate: 2026-02-30\n---\n\nx\n"}),
    "latin-1": ("a post saved as latin-1", lambda: {f"{POST}/index.md": _post(title="Bai", body="Tr\xe2m \xe9t\xe9\n").encode("latin-1")}),
    "nul-bytes": ("NUL bytes in a post", lambda: {f"{POST}/index.md": _post(body="a\x00b\x00" * 1000)}),
    "headings-10k": ("10,000 headings", lambda: {f"{POST}/index.md": _post(body="".join(f"## Mục {i}\n\nĐoạn {i}.\n\n" for i in range(10_000)))}),
    "nested-lists": ("1,000 nested list levels", lambda: {f"{POST}/index.md": _post(body="".join("  " * i + "- mục\n" for i in range(1000)))}),
    "nested-quotes": ("10,000 nested quotes", lambda: {f"{POST}/index.md": _post(body=">" * 10_000 + " x\n")}),
    "emphasis": ("100,000 nested * (recursion)", lambda: {f"{POST}/index.md": _post(body="*" * 100_000 + "a" + "*" * 100_000 + "\n")}),
    "scripts-5mb": ("5 MB of <script> tags", lambda: {f"{POST}/index.md": _post(body="<script>alert(1)</script>\n" * 200_000)}),
    "tags-40k": ("1 MB: 40,000 <script> tags (under the size cap)", lambda: {f"{POST}/index.md": _post(body="<script>alert(1)</script>\n" * 38_000)}),
    "nested-divs": ("100,000 nested <div>", lambda: {f"{POST}/index.md": _post(body="<div>" * 100_000 + "x" + "</div>" * 100_000)}),
    "table": ("a 2,000 × 500 table", lambda: {f"{POST}/index.md": _post(body="|" + "a|" * 2000 + "\n|" + "-|" * 2000 + "\n" + ("|" + "x|" * 2000 + "\n") * 500)}),
    "long-line": ("one 5 MB line", lambda: {f"{POST}/index.md": _post(body="a" * 5_000_000 + "\n")}),
    "xss-all": ("every XSS payload of the attack suite in every field", lambda: _xss()),
    "svg-script": ("an SVG with a script", lambda: {f"{POST}/index.md": _post(), f"{POST}/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'}),
    "html-as-pdf": ("a web page named .pdf", lambda: {f"{POST}/index.md": _post(), f"{POST}/tai-lieu.pdf": "<html><script>alert(1)</script></html>"}),
    "png-bomb": ("a PNG declaring 30,000 × 30,000 pixels", lambda: {f"{POST}/index.md": _post(), f"{POST}/anh.png": _png_bomb()}),
    "symlink-etc": ("symlinks to /etc/passwd and to /etc", lambda: {f"{POST}/index.md": _post(), "@link:" + POST + "/passwd.pdf": "/etc/passwd", "@link:" + POST + "/etc": "/etc"}),
    "symlink-loop": ("a folder symlink looping to its parent", lambda: {f"{POST}/index.md": _post(), "@link:" + POST + "/vong": ".."}),
}  # fmt: skip


def _xss() -> dict[str, str | bytes]:
    sys.path.insert(0, str(ROOT / "tests" / "security"))
    from hostile import PAYLOADS, body  # the attack suite's payloads

    title = json.dumps(" ".join(PAYLOADS[:3]), ensure_ascii=False)
    summary = json.dumps(" ".join(PAYLOADS[3:6]), ensure_ascii=False)
    return {
        f"{POST}/index.md": f"---\ntitle: {title}\nsummary: {summary}\ndate: 2026-11-20\n---\n\n"
        + body()
    }


def _network(root: Path, files: dict[str, str | bytes], repo: Path = ROOT) -> None:
    """Sở → Phòng (roll-up of all news) → school, with ``repo``'s base config and theme."""
    shutil.copy(repo / "mkdocs.yml", root / "mkdocs.yml")
    (root / "shared-theme").symlink_to(repo / "shared-theme", target_is_directory=True)
    units = {
        "so": "kind: so",
        "pgd": "kind: portal\n    parent: so\n    rollup: {policy: all}",
        "th-a": "kind: school\n    level: tieu-hoc\n    parent: pgd",
    }
    for uid, extra in units.items():
        (root / "sites" / uid).mkdir(parents=True)
        (root / "content" / uid).mkdir(parents=True)
        (root / "content" / uid / "index.md").write_text("Trang chủ.\n", encoding="utf-8")
        (root / "sites" / uid / "mkdocs.yml").write_text(
            textwrap.dedent(
                f"""\
                INHERIT: ../../mkdocs.yml
                site_name: Đơn vị {uid}
                site_url: https://lamgiang.edu.vn/{uid}/
                docs_dir: ../../content/{uid}
                site_dir: ../../public/{uid}
                extra:
                  unit:
                    id: {uid}
                    name: Đơn vị {uid}
                """
            )
            + f"    {extra}\n",
            encoding="utf-8",
        )
    for rel, data in files.items():
        if rel.startswith("@link:"):
            path = root / rel.removeprefix("@link:")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(str(data))
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def child(case: str, src: str | None) -> dict[str, Any]:
    """Run in a fresh process: build the case's network, report time, memory and outcome."""
    if src:
        sys.path.insert(0, src)
    os.environ["EDUSITE_NOW"] = "2026-11-22 12:00"
    from edusite.build.builder import build_network
    from edusite.structure.network import get_network

    with tempfile.TemporaryDirectory(prefix=f"hostile-{case}-") as tmp:
        root = Path(tmp)
        # --src OTHER/scripts: that checkout's base config and theme go with its package
        _network(root, CASES[case][1](), Path(src).resolve().parent if src else ROOT)
        start = time.perf_counter()
        try:
            results = build_network(get_network(root), out=root / "public", jobs=1, offline=True)
            outcome = {r.unit_id: (r.ok, (r.errors or [""])[0][:160]) for r in results}
        except Exception as exc:  # noqa: BLE001 - the figure to report
            outcome = {"*": (False, f"{type(exc).__name__}: {str(exc)[:150]}")}
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "mb": peak, "outcome": outcome}


def run(case: str, src: str | None, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", case] + (["--src", src] if src else [])
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {
            "seconds": time.perf_counter() - start,
            "mb": None,
            "outcome": {"*": (False, f"killed after {timeout:g} s")},
        }
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {
            "seconds": time.perf_counter() - start,
            "mb": None,
            "outcome": {"*": (False, f"crashed (exit {done.returncode}): {tail[:120]}")},
        }
    return json.loads(done.stdout.strip().splitlines()[-1])


def describe(result: dict[str, Any]) -> str:
    """One line: refused (with the first error, shortened) or built; portals' fate."""
    return " ".join(_describe(result).split())


def _describe(result: dict[str, Any]) -> str:
    outcome = result["outcome"]
    if "*" in outcome:
        return outcome["*"][1]
    school, portals = outcome.get("th-a"), [outcome.get(u) for u in ("pgd", "so")]
    portal_ok = all(p and p[0] for p in portals)
    if school and school[0]:
        return "built (neutralised)" + ("" if portal_ok else "; a portal FAILED")
    return f"refused: {school[1] if school else '?'}" + ("" if portal_ok else "; a portal FAILED")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="case names (default: all)")
    parser.add_argument(
        "--src", help="another checkout's scripts/ folder to measure (before/after)"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    parser.add_argument("--no-feeds", action="store_true", help="skip bench/hostile_feeds.py")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.src)))
        return 0
    names = args.only or list(CASES)
    if "baseline" not in names:
        names = ["baseline", *names]
    print(f"Hostile content, one file per case (targets: < {TARGET_SECONDS:g} s, < {TARGET_MB} MB)")
    print(f"{'case':14} {'s':>7} {'× base':>7} {'MB':>6} {'× base':>7}  outcome")
    base: dict[str, Any] = {}
    worst_s, worst_mb, misses = 0.0, 0.0, []
    for name in names:
        r = run(name, args.src, args.timeout)
        if name == "baseline":
            base = r
        mb = r["mb"]
        ratio_s = r["seconds"] / base["seconds"] if base.get("seconds") else 0
        ratio_mb = (mb / base["mb"]) if (mb and base.get("mb")) else 0
        mb_text = f"{mb:6.0f}" if mb else "     ?"
        print(
            f"{name:14} {r['seconds']:7.2f} {ratio_s:7.1f} {mb_text} {ratio_mb:7.1f}  {describe(r)}"
        )
        if name != "baseline":
            worst_s = max(worst_s, r["seconds"])
            worst_mb = max(worst_mb, mb or float("inf"))
            if r["seconds"] >= TARGET_SECONDS or not mb or mb >= TARGET_MB:
                misses.append(name)
    print(f"worst: {worst_s:.2f} s, {worst_mb:.0f} MB; over target: {', '.join(misses) or 'none'}")
    code = 1 if misses else 0
    if not args.no_feeds and not args.only:
        print()
        feeds = [sys.executable, str(ROOT / "bench" / "hostile_feeds.py")]
        code |= subprocess.run(feeds + (["--src", args.src] if args.src else [])).returncode
    return code


if __name__ == "__main__":
    sys.exit(main())
