"""The image pipeline in real MkDocs builds: privacy, sizes, markup, cache, errors, albums.

Every image is generated here with Pillow; see :mod:`test_images_units` for the pure modules.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from conftest import SMALL_NETWORK, make_network, post
from edusite.build.builder import build_network
from edusite.images.pipeline import STATS
from edusite.structure.network import get_network
from PIL import ExifTags, Image

# -- generated images -------------------------------------------------------------------------

RED, BLUE = (200, 20, 20), (20, 20, 220)
CAMERA = "SecretCam-9000"
#: GPS of the photo: 21°1'33.6"N 105°51'7.2"E; Pillow stores 33.6 as 168/5, 7.2 as 36/5.
GPS = {1: "N", 2: (21.0, 1.0, 33.6), 3: "E", 4: (105.0, 51.0, 7.2)}


def gps_needles() -> list[bytes]:
    """Byte patterns of the EXIF/GPS data, in both byte orders (checked present in the input)."""
    out = []
    for order in "<>":
        out.append(struct.pack(f"{order}IIIIII", 21, 1, 1, 1, 168, 5))  # latitude rationals
        out.append(struct.pack(f"{order}IIIIII", 105, 1, 51, 1, 36, 5))  # longitude rationals
        out.append(struct.pack(f"{order}HHI", 0x8825, 4, 1))  # GPSInfo IFD pointer entry
    return out


def rotated_gps_jpeg(size: tuple[int, int] = (2400, 1600)) -> bytes:
    """Stored landscape with a blue block top-left; EXIF orientation 6 (display rotated 90°
    clockwise, so the block shows top-right), camera make, GPS, XMP and a comment."""
    img = Image.new("RGB", size, RED)
    img.paste(BLUE, (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = CAMERA
    exif[ExifTags.IFD.GPSInfo] = GPS
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>xmp-secret</rdf:Description></x:xmpmeta>'
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, exif=exif, comment=b"comment-secret", xmp=xmp)
    return buf.getvalue()


def alpha_png(size: tuple[int, int] = (800, 600)) -> bytes:
    """Transparent background, an opaque green box and a half-transparent strip."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    img.paste((0, 160, 0, 255), (100, 100, 500, 400))
    img.paste((0, 0, 255, 128), (550, 0, 650, size[1]))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def photo_jpeg(size: tuple[int, int] = (1200, 800), colour=(90, 140, 60)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def png_header_bomb(width: int, height: int) -> bytes:
    """A tiny PNG that claims ``width`` x ``height`` 1-bit pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


FAKE_HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


# -- helpers ----------------------------------------------------------------------------------


def enable_images(root: Path, **options: object) -> None:
    """Add ``edusite-images`` (with ``options``) under ``plugins:`` of the copied base config."""
    path = root / "mkdocs.yml"
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("  edusite-images:")
    ]
    at = lines.index("plugins:") + 1
    lines.insert(at, f"  edusite-images: {json.dumps(options)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(root: Path, ids=None):
    """Build with the images cache in ``<root>/../cache`` (the ``cache_dir`` fixture's folder)."""
    return build_network(
        get_network(root),
        ids,
        out=root / "public",
        jobs=1,
        offline=True,
        cache_dir=root.parent / "cache",
    )


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


BUNDLE = "content/th-a/tin-tuc/2026/2026-09-05-khai-giang"
PDF = b"%PDF-1.4\n" + b"0" * 250_000


def post_files() -> dict[str, str | bytes]:
    body = (
        "Học sinh dự lễ.\n\n![Sơ đồ sân trường](so-do.png)\n\n![](anh-phu.jpg)\n\n"
        "[Tải ảnh gốc](Ảnh bìa.jpg) · [Kế hoạch năm học](Kế hoạch năm học.pdf)\n"
    )
    return {
        f"{BUNDLE}/index.md": post(
            "Lễ khai giảng",
            "2026-09-05 08:00",
            id="th-a-khai-giang",
            image="Ảnh bìa.jpg",
            image_alt="Thầy trò dự lễ khai giảng",
            categories=["thong-bao"],
            body=body,
        ),
        f"{BUNDLE}/Ảnh bìa.jpg": rotated_gps_jpeg(),
        f"{BUNDLE}/so-do.png": alpha_png(),
        f"{BUNDLE}/anh-phu.jpg": photo_jpeg(),
        f"{BUNDLE}/Kế hoạch năm học.pdf": PDF,
    }


def site_files(root: Path, unit: str = "th-a") -> list[Path]:
    return [p for p in (root / "public" / unit).rglob("*") if p.is_file()]


# -- tests ------------------------------------------------------------------------------------


def test_post_photos_are_private_sized_and_served_as_picture(
    tmp_path: Path, pinned_now: str, cache_dir: Path
) -> None:
    root = make_network(tmp_path / "net", SMALL_NETWORK, post_files())
    enable_images(root)
    source = (root / BUNDLE / "Ảnh bìa.jpg").read_bytes()
    needles = [b"Exif", CAMERA.encode(), b"xmp-secret", b"comment-secret", *gps_needles()]
    # Positive control: the input really carries EXIF, GPS, XMP and the comment.
    assert all(n in source for n in needles[:4]) and sum(n in source for n in gps_needles()) >= 3

    [result] = build(root, ["th-a"])
    assert result.ok, result.errors

    outputs = site_files(root)
    for path in outputs:  # no metadata anywhere in the published site
        data = path.read_bytes()
        assert not [n for n in needles if n in data], path
    site = root / "public/th-a"
    post_dir = site / "tin-tuc/2026/2026-09-05-khai-giang"
    # Originals are never copied (neither by name nor by content).
    assert {p.read_bytes() for p in outputs}.isdisjoint(
        {source, (root / BUNDLE / "so-do.png").read_bytes()}
    )
    assert not [p for p in outputs if p.name in ("Ảnh bìa.jpg", "so-do.png", "anh-phu.jpg")]

    # Sizes: the cover (1600x2400 after rotation) at 480/960/1600; the 800-px PNG not upscaled.
    def widths(prefix: str, ext: str) -> list[int]:
        found = [
            p
            for p in post_dir.iterdir()
            if re.fullmatch(rf"{prefix}\.\d+\.[0-9a-f]{{8}}\.{ext}", p.name)
        ]
        return sorted(Image.open(p).width for p in found)

    assert widths("anh-bia", "webp") == widths("anh-bia", "jpg") == [480, 960, 1600]
    assert widths("so-do", "webp") == widths("so-do", "png") == [480, 800]
    assert widths("so-do", "jpg") == []  # alpha keeps a PNG fallback
    top = Image.open(next(post_dir.glob("anh-bia.1600.*.webp"))).convert("RGB")
    assert top.size == (1600, 2400)  # portrait: EXIF orientation applied
    assert _near(top.getpixel((1590, 10)), BLUE) and _near(top.getpixel((10, 10)), RED)
    assert _near(top.getpixel((10, 2390)), RED)
    png = Image.open(next(post_dir.glob("so-do.800.*.png")))
    assert (
        png.mode == "RGBA" and png.getpixel((5, 5))[3] == 0 and png.getpixel((200, 200))[3] == 255
    )

    page = (post_dir / "index.html").read_text(encoding="utf-8")
    pictures = re.findall(r"<picture>(.*?)</picture>", page, re.S)
    cover = next(p for p in pictures if "es-post__cover" in p)
    assert re.search(
        r'<source type="image/webp" srcset="anh-bia\.480\.\w{8}\.webp 480w, anh-bia\.960\.\w{8}\.webp 960w, '
        r'anh-bia\.1600\.\w{8}\.webp 1600w" sizes="[^"]+">',
        cover,
    )
    cover_img = re.search(r"<img [^>]*>", cover).group(0)
    assert 'width="1600" height="2400"' in cover_img and 'fetchpriority="high"' in cover_img
    assert "loading=" not in cover_img and re.search(
        r'srcset="anh-bia\.480\.\w{8}\.jpg 480w', cover_img
    )
    assert re.search(r'src="anh-bia\.960\.\w{8}\.jpg"', cover_img)
    body_png = next(p for p in pictures if "so-do" in p)
    assert 'loading="lazy"' in body_png and 'decoding="async"' in body_png
    assert 'width="800" height="600"' in body_png and 'alt="Sơ đồ sân trường"' in body_png
    # A link to the original photo now opens the largest published JPEG.
    assert re.search(r'<a href="anh-bia\.1600\.\w{8}\.jpg">Tải ảnh gốc</a>', page)
    # Social image: the 1200x630 JPEG, absolute.
    og = re.search(r'<meta property="og:image" content="([^"]+)"', page)
    assert og, "the theme prints og:image for posts with a cover"
    assert re.fullmatch(
        r"https://lamgiang\.edu\.vn/th-a/tin-tuc/2026/2026-09-05-khai-giang/anh-bia\.og\.\w{8}\.jpg",
        og.group(1),
    )
    assert re.search(r'<meta property="og:image:width" content="1200">', page)
    og_file = Image.open(next(post_dir.glob("anh-bia.og.*.jpg")))
    assert og_file.size == (1200, 630) and og_file.format == "JPEG"

    # Cards (home page) use the 16:9 crop with its own size; since issue #18 the crop starts at
    # 320 px (a phone's 140-px thumbnail at 2x).
    home = (site / "index.html").read_text(encoding="utf-8")
    card = re.search(r'<img [^>]*class="es-(?:card|lead)__img"[^>]*>', home).group(0)
    assert re.search(
        r'srcset="tin-tuc/2026/2026-09-05-khai-giang/anh-bia\.card-320\.\w{8}\.jpg 320w, '
        r"tin-tuc/2026/2026-09-05-khai-giang/anh-bia\.card-480\.\w{8}\.jpg 480w",
        card,
    )
    assert 'width="960" height="540"' in card
    assert Image.open(next(post_dir.glob("anh-bia.card-960.*.webp"))).size == (960, 540)

    # Body image without alt: warned, naming the page and the image.
    assert any("index.md" in w and "anh-phu.jpg" in w and "alt" in w for w in result.warnings)

    # Attachment: URL-safe name, size and type in the link; the old name is gone.
    assert (post_dir / "ke-hoach-nam-hoc.pdf").read_bytes() == PDF
    assert not list(post_dir.glob("K*.pdf"))
    assert re.search(
        r'<a href="ke-hoach-nam-hoc\.pdf">Kế hoạch năm học <span class="es-file-meta">\(PDF, 244 KB\)</span></a>',
        page,
    )
    # Feeds: the body image points at a published variant, the enclosure at the OG JPEG.
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "Ảnh bìa" not in feed and "%E1%BA%A2nh" not in feed and "so-do.png" not in feed
    assert re.search(r"anh-bia\.og\.\w{8}\.jpg", feed)


def _near(a: tuple[int, ...], b: tuple[int, ...], tol: int = 40) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=False))


def test_rebuild_uses_the_cache_and_redoes_a_corrupt_entry(
    tmp_path: Path, pinned_now: str, cache_dir: Path
) -> None:
    files = {
        f"{BUNDLE}/index.md": post(
            "Khai giảng", "2026-09-05", image="bia.jpg", image_alt="Lễ", body="![Sân](san.png)\n"
        ),
        f"{BUNDLE}/bia.jpg": photo_jpeg((1000, 700)),
        f"{BUNDLE}/san.png": alpha_png((300, 200)),
        "content/th-a/assets/nen.png": alpha_png((40, 40)),  # a design asset kept as it is
    }
    root = make_network(tmp_path / "net", SMALL_NETWORK, files)
    enable_images(root, keep_originals=["assets/*.png"])
    STATS.reset()
    assert build(root, ["th-a"])[0].ok
    assert STATS.processed == 2 and STATS.cached_groups == 0
    first = {p.name: p.read_bytes() for p in site_files(root)}
    assert first["nen.png"] == (root / "content/th-a/assets/nen.png").read_bytes()

    STATS.reset()
    assert build(root, ["th-a"])[0].ok
    assert STATS.processed == 0 and STATS.cached_groups == 4  # bia: base, card, og; san: base
    assert {p.name: p.read_bytes() for p in site_files(root)} == first

    manifests = sorted((cache_dir / "images").glob("*/*/manifest.json"))
    assert len(manifests) == 4
    manifests[0].write_text("{not json", encoding="utf-8")  # bad manifest
    victim = next(p for p in manifests[1].parent.iterdir() if p.name != "manifest.json")
    victim.write_bytes(victim.read_bytes()[:100])  # truncated variant
    STATS.reset()
    assert build(root, ["th-a"])[0].ok
    assert STATS.corrupt == 2 and STATS.processed >= 1 and STATS.rendered_groups == 2
    assert {p.name: p.read_bytes() for p in site_files(root)} == first  # same bytes again


def test_broken_images_fail_their_site_with_clear_messages(
    tmp_path: Path, pinned_now: str, cache_dir: Path
) -> None:
    good = photo_jpeg((600, 400))
    files = {
        f"{BUNDLE}/index.md": post("Ảnh hỏng", "2026-09-05", body="Nội dung.\n"),
        f"{BUNDLE}/cat-cut.jpg": good[: len(good) // 2],
        f"{BUNDLE}/bom.png": png_header_bomb(20_000, 20_000),
        f"{BUNDLE}/iphone.heic": FAKE_HEIC,
        f"{BUNDLE}/gia-mao.jpg": b"Day khong phai la anh\n",
        "content/pgd/tin-tuc/2026/2026-09-01-hop/index.md": post("Họp", "2026-09-01"),
        "content/pgd/tin-tuc/2026/2026-09-01-hop/anh.jpg": good,
    }
    root = make_network(tmp_path / "net", SMALL_NETWORK, files)
    enable_images(root)
    results = {r.unit_id: r for r in build(root)}
    assert results["pgd"].ok and results["so"].ok  # other sites go on
    bad = results["th-a"]
    assert not bad.ok
    text = "\n".join(bad.errors)
    for name, vi, en in [
        ("cat-cut.jpg", "bị cắt cụt", "truncated or corrupt"),
        ("bom.png", "bom giải nén", "decompression bomb"),
        ("iphone.heic", "xuất ảnh sang JPEG", "export as JPEG"),
        ("gia-mao.jpg", "không phải tệp ảnh", "not an image"),
    ]:
        line = next(line for line in text.splitlines() if name in line)
        assert vi in line and en in line and line.index(vi) < line.index(en), line
    assert "400 triệu điểm ảnh" in text and "HEIC" in text
    assert not (root / "public/th-a").exists()  # nothing half-built published


def test_album_gallery_lightbox_and_consent(
    tmp_path: Path, pinned_now: str, cache_dir: Path
) -> None:
    album = "content/th-a/thu-vien-anh/2026-09-05-le-khai-giang"
    other = "content/th-a/thu-vien-anh/2026-10-20-van-nghe"
    files: dict[str, str | bytes] = {
        f"{album}/index.md": (
            "---\ntitle: Lễ khai giảng\ndate: 2026-09-05\ndescription: Ảnh buổi lễ.\n"
            "cover: IMG_2.jpg\ncaptions:\n  IMG_10.jpg: Cô hiệu trưởng phát biểu\n---\n"
        ),
        f"{album}/IMG_2.jpg": photo_jpeg((1200, 900), (200, 60, 60)),
        f"{album}/IMG_10.jpg": photo_jpeg((900, 1200), (60, 200, 60)),
        f"{album}/IMG_3.png": alpha_png((400, 300)),
        f"{other}/index.md": "---\ntitle: Văn nghệ\ndate: 2026-10-20\nconsent: true\n---\n",
        f"{other}/a.jpg": photo_jpeg((800, 600)),
    }
    root = make_network(tmp_path / "net", SMALL_NETWORK, files)
    enable_images(root)
    [result] = build(root, ["th-a"])
    assert result.ok, result.errors
    consent = [w for w in result.warnings if "consent" in w]
    assert len(consent) == 1 and "le-khai-giang/index.md" in consent[0]
    assert "chưa xác nhận đồng ý của cha mẹ học sinh" in consent[0]
    assert "parental consent not confirmed" in consent[0]

    site = root / "public/th-a"
    page = (site / "thu-vien-anh/2026-09-05-le-khai-giang/index.html").read_text(encoding="utf-8")
    items = re.findall(r'<li><figure class="es-gallery__item">(.*?)</figure></li>', page, re.S)
    assert len(items) == 3
    assert [re.search(r'href="([a-z0-9-]+)\.', i).group(1) for i in items] == [
        "img-2",
        "img-3",
        "img-10",
    ]
    assert 'alt="Cô hiệu trưởng phát biểu"' in items[2] and "<figcaption" in items[2]
    assert 'alt="Lễ khai giảng: ảnh 1/3"' in items[0]
    for item in items:  # thumbnails: 4:3 crops in <picture>, full photo behind the link
        assert "<picture>" in item and re.search(r"thumb-320\.\w{8}\.webp 320w", item)
        assert re.search(r'width="640" height="480"|width="400" height="300"', item)
        assert "data-es-webp=" in item and "data-es-srcset=" in item
    assert re.search(r'<dialog class="es-lightbox" aria-label="Xem ảnh">', page)
    assert 'aria-label="Đóng (Esc)"' in page and 'aria-label="Ảnh sau"' in page
    assert '<script src="../../assets/edusite-gallery.js" defer></script>' in page
    js = (site / "assets/edusite-gallery.js").read_text(encoding="utf-8")
    assert "showModal" in js and "opener.focus()" in js and "ArrowRight" in js
    assert len(js) < 3000
    assert (site / "assets/edusite-gallery.css").is_file()
    assert "Ảnh buổi lễ." in page and "05/09/2026" in page and "3 ảnh" in page

    index = (site / "thu-vien-anh/index.html").read_text(encoding="utf-8")
    assert index.index("Văn nghệ") < index.index("Lễ khai giảng")  # newest first
    assert re.search(r'href="2026-09-05-le-khai-giang/"', index)
    assert re.search(r"img-2\.card-960\.\w{8}\.jpg 960w", index)  # the chosen cover, card crop


def test_require_consent_turns_the_warning_into_an_error(
    tmp_path: Path, pinned_now: str, cache_dir: Path
) -> None:
    album = "content/th-a/thu-vien-anh/2026-09-05-le"
    files = {f"{album}/index.md": "---\ntitle: Lễ\n---\n", f"{album}/a.jpg": photo_jpeg((300, 200))}
    root = make_network(tmp_path / "net", SMALL_NETWORK, files)
    enable_images(root, require_consent=True)
    [result] = build(root, ["th-a"])
    assert not result.ok
    assert (
        "parental consent not confirmed" in result.errors[0] and "2026-09-05-le" in result.errors[0]
    )
