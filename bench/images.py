#!/usr/bin/env python3
"""Benchmark: the demo network built without and with the ``edusite-images`` plugin.

    .venv/bin/python bench/images.py [--jobs N] [--phone]

Copies the demo network (``mkdocs.yml``, ``sites/``, ``content/``) to a temporary folder and
builds it with ``edusite build`` three times: stock (plugin off: originals copied), with the
plugin on an empty image cache (cold), and again on the warm cache. Prints total output bytes,
the bytes of the images each home page references at the ``srcset`` candidate a browser picks
(a 375-px phone at 2x and a 1440-px desktop at 1x, WebP where offered), and the build times.

``--phone`` first replaces every demo photo by a synthetic 12-megapixel phone photo (4032x3024
JPEG of about 3 MB, rotated by EXIF, with GPS), which is what teachers actually upload.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from edusite.images.srcset import pick_candidate
from PIL import ExifTags, Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif"}
VIEWS = {"phone 375px@2x": (375, 2.0), "desktop 1440px@1x": (1440, 1.0)}


def copy_network(dest: Path) -> None:
    """The demo network without its outputs and caches; the theme is linked, not copied."""
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "sites", dest / "sites")
    shutil.copytree(ROOT / "content", dest / "content")
    (dest / "shared-theme").symlink_to(ROOT / "shared-theme", target_is_directory=True)


def set_plugin(root: Path, on: bool) -> None:
    """Add (or remove) ``edusite-images: {}`` under ``plugins:`` of the base config."""
    path = root / "mkdocs.yml"
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("  edusite-images:")
    ]
    if on:
        lines.insert(lines.index("plugins:") + 1, "  edusite-images: {}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


_TEXTURE: list[Image.Image] = []


def phone_photo(seed: int) -> bytes:
    """A 4032x3024 JPEG (quality 95, about 3 MB) like a phone's: a blurred scene of shapes on a
    gradient, mid-frequency texture and sensor grain; EXIF orientation 6, camera and GPS."""
    rnd = random.Random(seed)
    w, h = 4032, 3024
    small = Image.new("RGB", (504, 378))
    draw = ImageDraw.Draw(small)
    top = [rnd.randint(120, 230) for _ in range(3)]
    bottom = [rnd.randint(30, 140) for _ in range(3)]
    for y in range(378):
        colour = tuple(round(a + (b - a) * y / 377) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (504, y)], fill=colour)
    for _ in range(60):
        x, y, rw, rh = (
            rnd.randint(-50, 504),
            rnd.randint(60, 378),
            rnd.randint(8, 90),
            rnd.randint(20, 160),
        )
        draw.ellipse([x, y, x + rw, y + rh], fill=tuple(rnd.randint(0, 255) for _ in range(3)))
    img = small.filter(ImageFilter.GaussianBlur(1.5)).resize((w, h), Image.Resampling.BICUBIC)
    if not _TEXTURE:  # shared by all photos (slow to make); each scene differs
        tex = Image.effect_noise((w // 4, h // 4), 30).resize((w, h), Image.Resampling.BICUBIC)
        _TEXTURE.extend([tex.convert("RGB"), Image.effect_noise((w, h), 12).convert("RGB")])
    img = Image.blend(Image.blend(img, _TEXTURE[0], 0.22), _TEXTURE[1], 0.12)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Apple"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (21.0, 1.0, 33.6), 3: "E", 4: (105.0, 51.0, 7.2)}
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95, exif=exif)
    return buf.getvalue()


def replace_photos(content: Path) -> int:
    photos = sorted(p for p in content.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
    for i, path in enumerate(photos):
        path.write_bytes(phone_photo(i))
    return len(photos)


def build(root: Path, out: Path, jobs: int, cache: Path) -> float:
    env = dict(os.environ, EDUSITE_NOW="2026-11-22 12:00", NO_MKDOCS_2_WARNING="1")
    cmd = [str(BIN / "edusite"), "build", "--root", str(root), "--out", str(out), "--offline"]
    # Every site built (--force), the images cache in `cache` kept between runs.
    cmd += ["--force", "--cache-dir", str(cache), "-j", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"build failed ({' '.join(cmd)}):\n{done.stdout}\n{done.stderr}")
    return seconds


def tree_bytes(folder: Path) -> tuple[int, int]:
    """(all bytes, image bytes) below ``folder``."""
    total = images = 0
    for p in folder.rglob("*"):
        if p.is_file():
            size = p.stat().st_size
            total += size
            images += size if p.suffix.lower() in IMAGE_EXT else 0
    return total, images


_PICTURE = re.compile(r"<picture>(.*?)</picture>", re.S)
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def chosen_urls(html: str, viewport: int, dpr: float) -> list[str]:
    """The image URL a browser downloads for each picture/img of a page (WebP preferred)."""
    urls = []
    for block in _PICTURE.findall(html):
        source = re.search(r'<source type="image/webp"[^>]*>', block)
        attrs = dict(_ATTR.findall(source.group(0) if source else _IMG.search(block).group(0)))
        urls.append(pick_candidate(attrs.get("srcset", ""), attrs.get("sizes", ""), viewport, dpr))
    for tag in _IMG.findall(_PICTURE.sub("", html)):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("srcset"):
            urls.append(pick_candidate(attrs["srcset"], attrs.get("sizes", ""), viewport, dpr))
        elif attrs.get("src"):
            urls.append(attrs["src"])
    return urls


def home_image_bytes(out: Path, viewport: int, dpr: float) -> tuple[int, int]:
    """(bytes, count) of the distinct raster images all home pages load in one view."""
    total = count = 0
    for home in sorted(out.glob("*/index.html")):
        seen = set()
        for url in chosen_urls(home.read_text(encoding="utf-8"), viewport, dpr):
            path = (home.parent / url.split("?")[0]).resolve()
            if path.suffix.lower() in IMAGE_EXT and path.is_file() and path not in seen:
                seen.add(path)
                total += path.stat().st_size
        count += len(seen)
    return total, count


def mb(n: int) -> str:
    return f"{n / 1e6:8.2f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--phone", action="store_true", help="use 12-MP phone photos instead")
    args = ap.parse_args()
    if not any((ROOT / "sites").glob("*/mkdocs.yml")):
        sys.exit("no demo network under sites/ and content/ yet")
    with tempfile.TemporaryDirectory(prefix="edusite-img-bench-") as tmp:
        root = Path(tmp) / "net"
        root.mkdir()
        copy_network(root)
        photos = sum(1 for p in (root / "content").rglob("*") if p.suffix.lower() in IMAGE_EXT)
        if args.phone:
            replace_photos(root / "content")
        source_bytes = sum(
            p.stat().st_size for p in (root / "content").rglob("*") if p.suffix.lower() in IMAGE_EXT
        )
        set_plugin(root, on=False)
        t_stock = build(root, Path(tmp) / "stock", args.jobs, Path(tmp) / "cache-stock")
        set_plugin(root, on=True)
        cache = Path(tmp) / "cache"
        t_cold = build(root, Path(tmp) / "cold", args.jobs, cache)
        t_warm = build(root, Path(tmp) / "warm", args.jobs, cache)
        sites = sum(1 for _ in (Path(tmp) / "warm").glob("*/index.html"))
        kind = "12-MP phone photos (--phone)" if args.phone else "demo photos as they are"
        print(
            f"demo network: {sites} sites, {photos} source images ({mb(source_bytes).strip()}, "
            f"{kind}), {args.jobs} jobs, {os.cpu_count()} cores"
        )
        print(f"{'':34}{'stock (originals)':>20}{'edusite-images':>20}")
        s_total, s_img = tree_bytes(Path(tmp) / "stock")
        w_total, w_img = tree_bytes(Path(tmp) / "warm")
        print(f"{'total output bytes':34}{mb(s_total):>20}{mb(w_total):>20}")
        print(f"{'  of which image files':34}{mb(s_img):>20}{mb(w_img):>20}")
        for label, (viewport, dpr) in VIEWS.items():
            sb, sn = home_image_bytes(Path(tmp) / "stock", viewport, dpr)
            wb, wn = home_image_bytes(Path(tmp) / "warm", viewport, dpr)
            name = f"home-page images, {label}"
            print(f"{name:34}{mb(sb) + f' ({sn})':>20}{mb(wb) + f' ({wn})':>20}")
        print(f"{'build time':34}{t_stock:18.2f} s{'':>2}")
        print(f"{'  with images, cold cache':34}{'':>20}{t_cold:18.2f} s")
        print(f"{'  with images, warm cache':34}{'':>20}{t_warm:18.2f} s")


if __name__ == "__main__":
    main()
