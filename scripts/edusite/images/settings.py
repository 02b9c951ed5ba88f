"""Processing settings of the image pipeline and the fingerprint that keys the cache.

Pure data: the MkDocs plugin builds a :class:`Settings` from its options; tests and the
benchmark build one directly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

import PIL

#: Bump when the rendering code changes in a way that changes output bytes.
PIPELINE_VERSION = 1

#: Extensions (lower case, no dot) treated as images: processed, never copied as they are.
IMAGE_EXTENSIONS = frozenset(
    {"jpg", "jpeg", "jpe", "png", "webp", "gif", "heic", "heif", "tif", "tiff", "bmp", "avif"}
)

#: Attached files whose output names are made URL-safe and whose links get a size label.
ATTACHMENT_EXTENSIONS = (
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "csv",
    "zip", "rar", "7z", "mp3", "mp4",
)  # fmt: skip


@dataclass(frozen=True)
class Crop:
    """A fixed-ratio crop rendered at a few widths (cards, album thumbnails)."""

    ratio: tuple[int, int]
    widths: tuple[int, ...]


@dataclass(frozen=True)
class Settings:
    """How images are rendered. Every field is part of the cache key."""

    widths: tuple[int, ...] = (480, 960, 1600)
    """Widths of the full-image variants; never upscaled (a smaller original is the top size)."""

    card: Crop = field(default_factory=lambda: Crop((16, 9), (320, 480, 720, 960)))
    """Crop of cover images for post cards (``es-card__img``): 320 for a phone's 140-px
    thumbnail at 2x, 720 for a phone's full-width lead picture at 2x, up to 960."""

    thumb: Crop = field(default_factory=lambda: Crop((4, 3), (320, 640)))
    """Crop of album photos for gallery thumbnails."""

    og_size: tuple[int, int] = (1200, 630)
    """Open Graph image of covers (JPEG, flattened on white; smaller sources are not upscaled)."""

    webp_quality: int = 80
    jpeg_quality: int = 82
    crop_centering: tuple[float, float] = (0.5, 0.4)
    """Where crops are centred: a little above the middle keeps faces in group photos."""

    max_pixels: int = 60_000_000
    """Images with more pixels are refused as decompression bombs (Pillow's own hard limit,
    ``2 * Image.MAX_IMAGE_PIXELS``, still applies above it)."""

    def fingerprint(self, group: str) -> str:
        """A short digest of everything that decides the bytes of one variant ``group``."""
        data = {
            "group": group,
            "settings": asdict(self),
            "pillow": PIL.__version__,
            "version": PIPELINE_VERSION,
        }
        data["settings"].pop("max_pixels")  # a limit, not an output setting
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse_ratio(text: str) -> tuple[int, int]:
    """``"16:9"`` -> ``(16, 9)``; raises ``ValueError`` for anything else."""
    a, sep, b = str(text).partition(":")
    if not sep or not a.strip().isdigit() or not b.strip().isdigit() or int(a) * int(b) == 0:
        raise ValueError(f"not a ratio like 16:9: {text!r}")
    return int(a), int(b)
