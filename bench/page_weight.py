#!/usr/bin/env python3
"""Page weight of the home page of demo sites, measured in Chromium, against the 120 KB budget;
and the bytes of pictures a phone downloads, before and after issue #18.

    .venv/bin/python bench/page_weight.py [--sites th-kim-dong so-gddt] [--public public]
                                          [--build] [--screenshots]
                                          [--baseline REF | --no-baseline]

Builds the demo network into a temporary folder (or, with ``--public``, uses an existing build),
serves it on 127.0.0.1, opens each site's home page in a fresh Chromium context (empty cache,
no user action) and records every response: URL, resource type, bytes as served (the test
server does not compress) and the gzip size (Python's gzip, level 6, what a web server would
send). Prints a table per resource and per type, totals with and without content images (the
budget of issue #3 excludes them), and the stock-Material baseline quoted in that issue.
``--screenshots`` also writes desktop (1280×800) and phone (375×812) pictures of each site's
home page and newest post to ``docs/screenshots/``. Exits 1 when a site is over budget.

**Pictures on a phone** (issue #18: "bytes of images on the home and news list ≤ 40 % of
today's"): the demo network is also built by the code of git commit ``--baseline`` (default: the
commit before issue #18; ``git archive``, run in a subprocess with that commit's package first on
its path), both builds are served, and each site's home page and news list is opened in Chromium
at 375 × 812 px, device pixel ratio 1 and 2 (a fresh context each time, no cache), scrolled to the
bottom so every lazy picture loads; the bytes of every content image answered are summed (as
served: pictures are not compressed further). Printed per page and per site (home and news list
together), before and after, with the ratio; exits 1 when a site's two pages together exceed 40 %
of the baseline's at 2x.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # serve() and launch() are shared with the browser tests

from browser_support import launch, serve  # noqa: E402

BUDGET = 120 * 1024
#: The commit before issue #18 (pictures measured against what it builds).
BASELINE = "d5e151d3838cbcbd5a43efc46335300837f9bfeb"
#: Issue #18's target: a phone downloads at most this share of the baseline's picture bytes.
IMAGE_TARGET = 0.40
PHONE = (375, 812)
#: Issue #3's measurement of stock Material (home page, first load, 100 posts).
STOCK = "stock Material home page, first load: 1.16 MB (164 KB gzip), 808 KB of it the search index, plus Google Fonts requests (issue #3)"
SHOTS = ROOT / "docs" / "screenshots"
VIEWPORTS = {"desktop": (1280, 800), "mobile": (375, 812)}


def kb(n: float) -> str:
    return f"{n / 1024:8.1f} KB"


def measure(browser: Any, url: str) -> list[dict[str, Any]]:
    """Every response of one page load (fresh context, no cache), with raw and gzip sizes."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    rows = []
    for r in responses:
        body = r.body() if r.status < 300 else b""
        rows.append(
            {
                "url": r.url,
                "type": r.request.resource_type,
                "status": r.status,
                "raw": len(body),
                "gzip": len(gzip.compress(body, compresslevel=6)) if body else 0,
            }
        )
    context.close()
    return rows


def is_content_image(row: dict[str, Any]) -> bool:
    """Photos of posts (the issue's budget excludes content images); theme icons are not."""
    return row["type"] == "image" and "/_shared/" not in row["url"] and "/assets/" not in row["url"]


def report(site: str, rows: list[dict[str, Any]], base: str) -> bool:
    """Print the tables of one site; return True when it is within budget."""
    print(f"\n== {site}: home page, {len(rows)} responses ==")
    print(f"{'type':<11} {'as served':>11} {'gzip -6':>11}  resource")
    for r in sorted(rows, key=lambda r: (r["type"], r["url"])):
        path = r["url"].removeprefix(base)
        flag = "  (content image)" if is_content_image(r) else ""
        print(f"{r['type']:<11} {kb(r['raw'])} {kb(r['gzip'])}  {path}{flag}")
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        t = by_type[r["type"]]
        t[0] += 1
        t[1] += r["raw"]
        t[2] += r["gzip"]
    print(f"\n{'per type':<11} {'files':>5} {'as served':>11} {'gzip -6':>11}")
    for name, (count, raw, gz) in sorted(by_type.items()):
        print(f"{name:<11} {count:>5} {kb(raw)} {kb(gz)}")
    counted = [r for r in rows if not is_content_image(r)]
    raw_all, gz_all = sum(r["raw"] for r in rows), sum(r["gzip"] for r in rows)
    raw, gz = sum(r["raw"] for r in counted), sum(r["gzip"] for r in counted)
    print(f"{'TOTAL':<11} {len(rows):>5} {kb(raw_all)} {kb(gz_all)}  everything fetched")
    ok = gz <= BUDGET
    verdict = "within" if ok else "OVER"
    print(
        f"{'BUDGETED':<11} {len(counted):>5} {kb(raw)} {kb(gz)}  without content images: {verdict} the {BUDGET // 1024} KB gzip budget"
    )
    foreign = sorted({urlsplit(r["url"]).netloc for r in rows} - {urlsplit(base).netloc})
    print("third-party hosts: " + (", ".join(foreign) if foreign else "none"))
    return ok and not foreign


def screenshots(browser: Any, base: str, public: Path, site: str) -> None:
    """Desktop and phone pictures of the home page and the newest post, lazy images loaded."""
    posts = sorted((public / site / "tin-tuc").glob("[0-9][0-9][0-9][0-9]/*/index.html"))
    pages = {"home": f"/{site}/"}
    if posts:
        pages["post"] = "/" + str(posts[-1].parent.relative_to(public)) + "/"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in VIEWPORTS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        for kind, path in pages.items():
            page.goto(base + path, wait_until="load")
            page.evaluate(
                "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
            )
            page.wait_for_function(
                "[...document.images].every(i => i.complete && i.naturalWidth > 0)"
            )
            page.evaluate(
                "Promise.all([...document.images].map(i => i.decode().catch(() => null)))"
            )
            target = SHOTS / f"{site}-{kind}-{label}.png"
            tall = min(page.evaluate("document.documentElement.scrollHeight"), height * 2)
            page.screenshot(
                path=str(target),
                clip={"x": 0, "y": 0, "width": width, "height": tall},
                full_page=True,
            )
            shrink(target)
            print(f"screenshot: {target.relative_to(ROOT)}")
        context.close()


def shrink(png: Path) -> None:
    """Re-save as a 256-colour PNG: a quarter of the size, still sharp text (committed files)."""
    from PIL import Image

    with Image.open(png) as img:
        small = img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)


def build(out: Path) -> None:
    """Build the whole demo network (portals need their members' feeds)."""
    from edusite.build.builder import build_network
    from edusite.structure.network import get_network

    os.environ.setdefault("EDUSITE_NOW", "2026-11-22 12:00")
    results = build_network(get_network(ROOT), out=out, jobs=os.cpu_count() or 1, offline=True)
    failed = [(r.unit_id, r.errors[:1]) for r in results if not r.ok]
    if failed:
        print(f"build errors: {failed}", file=sys.stderr)


def build_baseline(ref: str, out: Path, work: Path) -> None:
    """Build the demo network with the code and content of commit ``ref`` into ``out``."""
    tree = work / "baseline"
    tree.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = ['edusite', *sys.argv[2:]]; "
        "from edusite.cli import main; main()"
    )
    env = {**os.environ, "EDUSITE_NOW": os.environ.get("EDUSITE_NOW", "2026-11-22 12:00")}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tree / "scripts"), "build", "--root", str(tree),
         "--out", str(out), "--offline", "--no-cache", "-j", str(os.cpu_count() or 1)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if not (out / "th-kim-dong" / "index.html").exists():
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"baseline {ref}: the build failed")


def picture_bytes(browser: Any, url: str, dpr: int) -> tuple[int, int]:
    """``(bytes, files)`` of content pictures a 375-px phone at ``dpr`` downloads for ``url``,
    scrolled to the bottom (lazy pictures load)."""
    context = browser.new_context(
        viewport={"width": PHONE[0], "height": PHONE[1]}, device_scale_factor=dpr
    )
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    page.goto(url, wait_until="load")
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height + PHONE[1], PHONE[1] // 2):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(50)
    page.wait_for_load_state("networkidle")
    rows = [
        len(r.body())
        for r in responses
        if r.status < 300 and is_content_image({"type": r.request.resource_type, "url": r.url})
    ]
    context.close()
    return sum(rows), len(rows)


def report_pictures(browser: Any, sites: list[str], before: str, after: str) -> bool:
    """Print pictures' bytes per page and per site (home + news list), baseline and now; True
    when every site's home and news list together meet the target at 2x."""
    ok = True
    print(
        f"\n== pictures a {PHONE[0]}-px phone downloads (home and news list, scrolled to the end) =="
    )
    print(f"{'page':<28} {'dpr':>3} {'before':>11} {'after':>11} {'after/before':>13}")
    for site in sites:
        totals: dict[int, list[int]] = {1: [0, 0], 2: [0, 0]}
        for label, path in (("home", ""), ("news list", "tin-tuc/")):
            for dpr in (1, 2):
                b, bn = picture_bytes(browser, f"{before}/{site}/{path}", dpr)
                a, an = picture_bytes(browser, f"{after}/{site}/{path}", dpr)
                totals[dpr][0] += b
                totals[dpr][1] += a
                ratio = a / b if b else 0.0
                name = f"{site} {label}"
                print(f"{name:<28} {dpr:>3} {kb(b)} {kb(a)} {ratio:>12.0%}   ({bn} → {an} files)")
        for dpr, (b, a) in totals.items():
            ratio = a / b if b else 0.0
            flag = ""
            if dpr == 2 and b and ratio > IMAGE_TARGET:
                ok, flag = False, f"  OVER the {IMAGE_TARGET:.0%} target"
            elif dpr == 2:
                flag = f"  within the {IMAGE_TARGET:.0%} target"
            name = f"{site} home + news list"
            print(f"{name:<28} {dpr:>3} {kb(b)} {kb(a)} {ratio:>12.0%}{flag}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sites", nargs="+", default=["th-kim-dong", "so-gddt"])
    ap.add_argument("--public", type=Path, help="an existing build to measure (default: build now)")
    ap.add_argument("--screenshots", action="store_true", help="also write docs/screenshots/*.png")
    ap.add_argument("--baseline", default=BASELINE, help="git commit whose pictures to compare")
    ap.add_argument("--no-baseline", action="store_true", help="skip the pictures comparison")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        public = args.public or Path(tmp) / "public"
        if not args.public:
            build(public)
        ok = True
        if not args.no_baseline:
            print(f"building the baseline ({args.baseline[:12]}) …", file=sys.stderr)
            build_baseline(args.baseline, Path(tmp) / "before", Path(tmp) / "work")
        with serve(public) as base, sync_playwright() as pw:
            browser = launch(pw)
            for site in args.sites:
                if not (public / site / "index.html").exists():
                    print(f"\n== {site}: not built, skipped ==")
                    ok = False
                    continue
                ok &= report(site, measure(browser, f"{base}/{site}/"), base)
                if args.screenshots:
                    screenshots(browser, base, public, site)
            if not args.no_baseline:
                with serve(Path(tmp) / "before") as before:
                    ok &= report_pictures(browser, args.sites, before, base)
            browser.close()
    print(f"\nbaseline: {STOCK}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
