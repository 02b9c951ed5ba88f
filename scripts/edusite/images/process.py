"""Check and render one image with Pillow: pure functions, no MkDocs, safe to run in threads.

Rendering applies the EXIF orientation, converts to sRGB (ICC profiles, CMYK), brings every
colour mode to 8-bit RGB, RGBA or L, then encodes fresh images that carry **no** metadata at all
(no EXIF or GPS, XMP, ICC profile, IPTC or comments: the pixels are copied into new images and
every encoder is told to write nothing else).

Variant groups:

``base``  full image at each width of :attr:`Settings.widths` that is smaller than the image,
          plus the image's own width when it is smaller than the largest; WebP + fallback.
``card``  fixed-ratio crop for post cards; WebP + fallback.
``thumb`` fixed-ratio crop for album thumbnails; WebP + fallback.
``og``    1200x630 Open Graph JPEG, flattened on white.
``anim``  animated GIF/WebP/PNG: all frames re-encoded at their size, metadata dropped.

The fallback is JPEG for photos, PNG for images with transparency or few colours (graphics).
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..errors import EdusiteError, problem
from .settings import Settings

GROUPS = ("base", "card", "thumb", "og")
ANIMATED_FORMATS = {"GIF": "gif", "WEBP": "webp", "PNG": "png"}
_GRAPHIC_FORMATS = {"PNG", "GIF", "BMP"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_MAYBE_HEIF_BRANDS = {b"mif1", b"msf1"}  # shared by HEIF and AVIF: let Pillow try first
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_RESAMPLE = Image.Resampling.LANCZOS


@dataclass(frozen=True)
class Output:
    """One encoded variant."""

    group: str
    label: str  # "960", "card-480", "thumb-320", "og", "anim"
    width: int
    height: int
    format: str  # "webp", "jpeg", "png" or "gif"
    data: bytes


@dataclass
class Rendered:
    """What rendering an image produced, with the facts the page markup needs."""

    width: int  # after orientation (and after JPEG draft scaling)
    height: int
    alpha: bool
    animated: bool
    outputs: list[Output] = field(default_factory=list)
    original: tuple[int, int] = (0, 0)  # full size after orientation, before any scaling


@dataclass(frozen=True)
class Probe:
    """Header facts of an image that passed :func:`check`."""

    format: str
    width: int  # as stored (before orientation)
    height: int
    animated: bool


# -- errors -----------------------------------------------------------------------------------


def _error(path: Path, vi: str, en: str) -> EdusiteError:
    return EdusiteError(problem(path, None, vi, en))


def heic_error(path: Path) -> EdusiteError:
    """HEIC/HEIF is refused with the fix (Pillow cannot read it without an extra library)."""
    return _error(
        path,
        "định dạng HEIC/HEIF (ảnh chụp từ iPhone) chưa được hỗ trợ: hãy xuất ảnh sang JPEG "
        "(trên iPhone: Cài đặt > Camera > Định dạng > Tương thích nhất) rồi thay tệp này",
        "HEIC/HEIF (iPhone photos) is not supported: export as JPEG (on iPhone: Settings > "
        "Camera > Formats > Most Compatible) and replace this file",
    )


def not_image_error(path: Path) -> EdusiteError:
    return _error(
        path,
        "không phải tệp ảnh, hoặc định dạng ảnh không được hỗ trợ (dùng JPEG, PNG hoặc WebP)",
        "not an image, or an unsupported image format (use JPEG, PNG or WebP)",
    )


def truncated_error(path: Path, detail: str = "") -> EdusiteError:
    more = f" ({detail})" if detail else ""
    return _error(
        path,
        f"tệp ảnh bị hỏng hoặc bị cắt cụt{more}: hãy chép lại ảnh gốc (tải lên có thể chưa xong)",
        f"truncated or corrupt image file{more}: copy the original again (the upload may be "
        "incomplete)",
    )


def bomb_error(path: Path, pixels: int, limit: int, size: tuple[int, int] | None = None):
    """Too many pixels: refused before decoding (a "decompression bomb" or a huge scan)."""
    mp, cap = pixels / 1e6, limit / 1e6
    dims_vi = f"{size[0]}×{size[1]} = " if size else ""
    dims_en = f"{size[0]}x{size[1]} = " if size else ""
    return _error(
        path,
        f"ảnh quá lớn: {dims_vi}{mp:.0f} triệu điểm ảnh, tối đa {cap:.0f} triệu "
        "(có thể là 'bom giải nén'): hãy thu nhỏ ảnh trước khi đăng",
        f"image too large: {dims_en}{mp:.0f} megapixels, limit {cap:.0f} "
        "(possible decompression bomb): resize it before publishing",
    )


# -- checking ---------------------------------------------------------------------------------


def heif_brand(head: bytes) -> bytes | None:
    """The ISO-BMFF major brand of ``head`` when it is a HEIF-family file, else ``None``."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS or brand in _MAYBE_HEIF_BRANDS:
            return brand
    return None


def check(path: Path, settings: Settings) -> Probe:
    """Read only the header of ``path``; raise :class:`EdusiteError` naming the file if it is
    not a usable image (HEIC, not an image, bomb, unreadable header).

    Call from the main thread: Pillow's ``DecompressionBombWarning`` is turned into an error
    with :func:`warnings.catch_warnings`, which is not thread-safe.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(32)
    except OSError as exc:
        raise _error(path, f"không đọc được tệp: {exc}", f"cannot read the file: {exc}") from exc
    brand = heif_brand(head)
    if path.suffix.lower() in (".heic", ".heif") or (brand in _HEIF_BRANDS):
        raise heic_error(path)
    if not head:
        raise truncated_error(path, "tệp rỗng / empty file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                fmt, (w, h) = img.format or "", img.size
                animated = bool(getattr(img, "is_animated", False)) and fmt in ANIMATED_FORMATS
                frames = int(getattr(img, "n_frames", 1)) if animated else 1
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise bomb_error(path, _pixels_in_message(str(exc)), settings.max_pixels) from exc
    except UnidentifiedImageError as exc:
        if brand:
            raise heic_error(path) from exc
        raise not_image_error(path) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise truncated_error(path) from exc
    if w * h > settings.max_pixels or w * h * frames > 4 * settings.max_pixels:
        raise bomb_error(path, w * h, settings.max_pixels, (w, h))
    return Probe(fmt, w, h, animated)


def _pixels_in_message(text: str) -> int:
    """Pillow's bomb messages name the pixel count first: "Image size (N pixels) exceeds…"."""
    found = re.search(r"\d+", text)
    return int(found.group()) if found else 0


# -- rendering --------------------------------------------------------------------------------


def render(path: Path, groups: Iterable[str], settings: Settings) -> Rendered:
    """Render the variant ``groups`` of an image that passed :func:`check`.

    Raises :class:`EdusiteError` naming the file when the pixel data is truncated or corrupt.
    """
    path = Path(path)
    wanted = set(groups)
    try:
        with Image.open(path) as src:
            animated = bool(getattr(src, "is_animated", False)) and src.format in ANIMATED_FORMATS
            fmt = src.format or ""
            original = _oriented_size(src)
            if fmt == "JPEG":
                _draft(src, wanted, settings)
            src.load()
            anim_out = _animated(src, fmt) if animated and "base" in wanted else None
            if animated:
                src.seek(0)
            img = _normalise(src)
    except Image.DecompressionBombError as exc:
        raise bomb_error(path, _pixels_in_message(str(exc)), settings.max_pixels) from exc
    except UnidentifiedImageError as exc:
        raise not_image_error(path) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise truncated_error(path, str(exc)) from exc
    alpha = img.mode == "RGBA"
    fallback = "png" if alpha or _is_graphic(img, fmt) else "jpeg"
    lossless = fallback == "png" and not alpha
    out = Rendered(img.width, img.height, alpha, animated, original=original)
    done: dict[tuple[tuple[int, int, int, int], tuple[int, int]], tuple[bytes, bytes]] = {}

    def pair(group: str, label: str, box: tuple[int, int, int, int], size: tuple[int, int]):
        """WebP + fallback of ``box`` scaled to ``size``; a crop equal to a full size (a 16:9
        photo's card) reuses its bytes instead of encoding them again."""
        if (box, size) not in done:
            region = img if box == (0, 0, img.width, img.height) else img.crop(box)
            sized = _resize(region, size)
            done[box, size] = (
                _encode(sized, "webp", settings, lossless),
                _encode(sized, fallback, settings),
            )
        webp, other = done[box, size]
        out.outputs.append(Output(group, label, size[0], size[1], "webp", webp))
        out.outputs.append(Output(group, label, size[0], size[1], fallback, other))

    full = (0, 0, img.width, img.height)
    if "base" in wanted:
        if anim_out is not None:
            out.outputs.append(anim_out)
        else:
            for w in base_widths(img.width, settings.widths):
                pair("base", str(w), full, (w, max(1, round(img.height * w / img.width))))
    for group, crop in (("card", settings.card), ("thumb", settings.thumb)):
        if group in wanted:
            box = crop_box(img.size, crop.ratio, settings.crop_centering)
            for w in base_widths(box[2] - box[0], crop.widths):
                pair(
                    group,
                    f"{group}-{w}",
                    box,
                    (w, max(1, round(w * crop.ratio[1] / crop.ratio[0]))),
                )
    if "og" in wanted:
        og = _fit(_flatten(img), settings.og_size, settings.crop_centering)
        out.outputs.append(
            Output("og", "og", og.width, og.height, "jpeg", _encode(og, "jpeg", settings))
        )
    return out


def base_widths(width: int, widths: Iterable[int]) -> list[int]:
    """Variant widths for an image ``width`` wide: never upscaled, the original kept on top."""
    sizes = sorted({w for w in widths if 0 < w < width})
    if not widths or width <= max(widths):
        sizes.append(width)
    return sizes


def crop_box(size: tuple[int, int], ratio: tuple[int, int], centering: tuple[float, float]):
    """The largest ``ratio`` box inside ``size``, placed by ``centering`` (0-1 in x and y)."""
    w, h = size
    rw, rh = ratio
    if w * rh > h * rw:  # too wide: keep the height
        cw, ch = max(1, round(h * rw / rh)), h
    else:
        cw, ch = w, max(1, round(w * rh / rw))
    x = round((w - cw) * centering[0])
    y = round((h - ch) * centering[1])
    return (x, y, x + cw, y + ch)


def _fit(img: Image.Image, size: tuple[int, int], centering: tuple[float, float]) -> Image.Image:
    """Crop to the ratio of ``size`` and scale down to it (never up)."""
    box = crop_box(img.size, size, centering)
    region = img.crop(box)
    if region.width > size[0]:
        region = _resize(region, size)
    return region


def _oriented_size(src: Image.Image) -> tuple[int, int]:
    w, h = src.size
    return (h, w) if src.getexif().get(0x0112, 1) in (5, 6, 7, 8) else (w, h)


def _draft(src: Image.Image, wanted: set[str], settings: Settings) -> None:
    """Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 when the variants allow it."""
    w, h = src.size
    orientation = src.getexif().get(0x0112, 1)
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    need_w, need_h = max(settings.widths), 1
    if "card" in wanted:
        need_w = max(need_w, *settings.card.widths)
        need_h = max(
            need_h,
            round(max(settings.card.widths) * settings.card.ratio[1] / settings.card.ratio[0]),
        )
    if "thumb" in wanted:
        need_w = max(need_w, *settings.thumb.widths)
        need_h = max(
            need_h,
            round(max(settings.thumb.widths) * settings.thumb.ratio[1] / settings.thumb.ratio[0]),
        )
    if "og" in wanted:
        need_w, need_h = max(need_w, settings.og_size[0]), max(need_h, settings.og_size[1])
    scale = max(need_w / w, need_h / h)
    if scale >= 0.5:
        return
    req = (math.ceil(w * scale), math.ceil(h * scale))
    if orientation in (5, 6, 7, 8):
        req = (req[1], req[0])
    src.draft(None, req)


def _animated(src: Image.Image, fmt: str) -> Output:
    """All frames re-encoded in their own format; encoders are told to write no metadata."""
    buf = io.BytesIO()
    kind = ANIMATED_FORMATS[fmt]
    if kind == "gif":
        src.save(buf, "GIF", save_all=True, comment=b"")
    elif kind == "webp":
        src.save(buf, "WEBP", save_all=True, exif=b"", xmp=b"", icc_profile="", lossless=False)
    else:
        src.save(buf, "PNG", save_all=True, icc_profile=None, exif=None)
    src.seek(0)
    return Output("base", "anim", src.width, src.height, kind, buf.getvalue())


def _normalise(src: Image.Image) -> Image.Image:
    """Oriented, sRGB, 8-bit RGB/RGBA/L pixels in a new image with no metadata."""
    try:
        img = ImageOps.exif_transpose(src)
    except (ValueError, OSError, SyntaxError, KeyError, TypeError):
        img = src.copy()  # unreadable EXIF: keep the pixels as stored
    img = _to_srgb(img, src.info.get("icc_profile"))
    img = _to_8bit(img)
    if img.mode == "RGBA" and img.getchannel("A").getextrema()[0] == 255:
        img = img.convert("RGB")  # an alpha channel that is fully opaque
    clean = Image.new(img.mode, img.size)
    clean.paste(img)
    return clean  # fresh image: empty .info, no cached EXIF


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert colours described by an embedded ICC profile (Display P3, Adobe RGB, CMYK)."""
    if not icc or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in (ImageCms.getProfileDescription(profile) or "").lower() and img.mode != "CMYK":
            return img
        mode = "RGBA" if img.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(img, profile, _SRGB, outputMode=mode) or img
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return img  # a broken profile: colours as if sRGB


def _to_8bit(img: Image.Image) -> Image.Image:
    mode = img.mode
    if mode in ("RGB", "RGBA", "L"):
        return img
    if mode == "1":
        return img.convert("L")
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in img.info
        return img.convert("RGBA" if has_alpha else "RGB")
    if mode in ("LA", "La", "RGBa"):
        return img.convert("RGBA")
    if mode.startswith("I") or mode == "F":
        wide = img.convert("F")
        top = 65535.0 if mode.startswith("I;16") else max(255.0, float(wide.getextrema()[1]))
        return wide.point(lambda v: v * 255.0 / top).convert("L")
    return img.convert("RGB")  # CMYK without profile, YCbCr, LAB, HSV, RGBX


def _is_graphic(img: Image.Image, fmt: str) -> bool:
    """Screenshots, logos, charts: a lossless format with few colours, not a photo."""
    if fmt not in _GRAPHIC_FORMATS:
        return False
    probe = img.copy()
    probe.thumbnail((256, 256), Image.Resampling.NEAREST)
    return probe.getcolors(256) is not None


def _resize(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    if img.size == size:
        return img
    return img.resize(size, _RESAMPLE, reducing_gap=3.0)


def _flatten(img: Image.Image) -> Image.Image:
    if img.mode == "RGBA":
        bg = Image.new("RGB", img.size, (255, 255, 255))
        bg.paste(img, mask=img.getchannel("A"))
        return bg
    return img


def _encode(img: Image.Image, fmt: str, settings: Settings, lossless: bool = False) -> bytes:
    """Encode with every metadata field explicitly empty."""
    buf = io.BytesIO()
    if fmt == "webp":
        if img.mode == "L":
            img = img.convert("RGB")
        img.save(
            buf, "WEBP", quality=settings.webp_quality, method=4, lossless=lossless,
            exif=b"", xmp=b"", icc_profile="",
        )  # fmt: skip
    elif fmt == "jpeg":
        img = _flatten(img)
        img.save(
            buf, "JPEG", quality=settings.jpeg_quality, optimize=True, progressive=True,
            exif=b"", comment=b"",
        )  # fmt: skip
    else:
        img.save(buf, "PNG", optimize=True, icc_profile=None)
    return buf.getvalue()
