"""URL-safe output names with Vietnamese folding ("Ảnh bìa Đội.JPG" -> "anh-bia-doi.jpg")."""

from __future__ import annotations

from pathlib import PurePosixPath

from slugify import slugify as _slugify

from ..text import fold, nfc


def safe_stem(text: str, fallback: str = "anh", max_length: int = 80) -> str:
    """A file or folder name as an ASCII slug: tones folded, đ→d, words joined by hyphens."""
    return _slugify(fold(nfc(text)), max_length=max_length, word_boundary=True) or fallback


def safe_dir(folder: str) -> str:
    """Every component of a ``/``-separated folder made URL-safe (``""`` stays ``""``)."""
    if folder in ("", "."):
        return ""
    return "/".join(safe_stem(part, fallback="_") for part in PurePosixPath(folder).parts)


def safe_path(src_uri: str) -> str:
    """A site-relative file path made URL-safe, keeping its (lower-cased) extension."""
    p = PurePosixPath(src_uri)
    folder = safe_dir(str(p.parent))
    name = safe_stem(p.stem, fallback="tep") + p.suffix.lower()
    return f"{folder}/{name}" if folder else name
