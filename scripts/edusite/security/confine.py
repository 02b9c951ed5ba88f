"""The content boundary: a unit publishes what lies in its content folder, and only that.

MkDocs walks ``docs_dir`` following symbolic links and copies every file it finds. A unit
editor can commit a symlink (git stores them) to ``/etc/passwd`` or to another unit's folder, an
``.html``/``.svg``/``.js`` file that would run script on the network's shared origin, or a
"photo" that is an HTML page. :func:`scan_content` walks the folder *without* following links
before MkDocs does and reports each such file by name:

* a symlink whose target lies outside the unit's content folder (file or folder), or a folder
  symlink that loops back to one of its ancestors, is refused;
* only :data:`ALLOWED_EXTENSIONS` are published (Markdown, photos, documents, audio/video);
* documents, published byte for byte, whose first bytes do not match their extension (a PDF
  that is not ``%PDF-``, a ``.docx`` that is not a zip, a ``.csv`` that is a web page) are
  refused: polyglots and renamed pages. Photos are decoded and re-encoded by the images plugin.

:func:`confined_file` answers the same question for one path named in front matter or config
(``image:``, attachments, ``logo:``): a relative path that resolves to a regular file inside an
allowed folder.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path, PurePosixPath

from ..errors import Problem, problem

#: What a unit's content folder may publish (lower-case, without the dot).
MARKDOWN = frozenset({"md", "markdown"})
IMAGES = frozenset({"jpg", "jpeg", "jpe", "png", "webp", "gif", "heic", "heif", "tif", "tiff", "bmp", "avif"})  # fmt: skip
DOCUMENTS = frozenset(
    {
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "rtf",
        "csv",
        "txt",
        "zip",
        "rar",
        "7z",
    }  # fmt: skip
)
MEDIA = frozenset({"mp3", "mp4", "m4a", "webm", "ogg"})
ALLOWED_EXTENSIONS = MARKDOWN | IMAGES | DOCUMENTS | MEDIA

#: First bytes each kind of file must start with (any of the prefixes).
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": _ZIP, "xlsx": _ZIP, "pptx": _ZIP, "odt": _ZIP, "ods": _ZIP, "odp": _ZIP, "zip": _ZIP,
    "doc": _OLE, "xls": _OLE, "ppt": _OLE,
    "rtf": (b"{\\rtf",),
    "rar": (b"Rar!\x1a\x07",),
    "7z": (b"7z\xbc\xaf\x27\x1c",),
}  # fmt: skip
# Photos are decoded by Pillow (edusite.images), which names each broken or fake one, and only
# re-encoded variants are published.
#: Text formats that must not look like a web page when a browser sniffs them.
_SNIFFED = {"csv", "txt"}
_HTML_START = (
    b"<!doctype",
    b"<html",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<body",
    b"<head",
    b"<iframe",
)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _ext(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def scan_content(docs_dir: Path, *, allowed: frozenset[str] = ALLOWED_EXTENSIONS) -> list[Problem]:
    """Every problem of the content folder ``docs_dir`` (see the module docstring)."""
    problems: list[Problem] = []
    root = os.path.realpath(docs_dir)
    if os.path.islink(docs_dir) and not os.path.isdir(root):
        return [_link_out(Path(docs_dir))]
    for top, dirs, names in os.walk(docs_dir, followlinks=False):
        rel_top = os.path.relpath(top, docs_dir)
        if _excluded(rel_top):
            dirs[:] = []
            continue
        for name in sorted(dirs):
            path = os.path.join(top, name)
            if name.startswith("."):
                dirs.remove(name)
                continue
            if os.path.islink(path):
                target = os.path.realpath(path)
                if not _inside(target, root):
                    problems.append(_link_out(Path(path)))
                    dirs.remove(name)
                elif _inside(os.path.realpath(top), target):
                    problems.append(_link_loop(Path(path)))
                    dirs.remove(name)
                else:
                    # os.walk(followlinks=False) does not enter it; its files are checked as
                    # the real folder's files (which is inside the unit's folder).
                    pass
        for name in sorted(dirs) + sorted(names):
            why = bad_name(name)
            if why and not name.startswith("."):
                problems.append(_confusable(Path(os.path.join(top, name)), why))
        for name in sorted(names):
            if name.startswith(".") or bad_name(name):
                continue  # MkDocs never publishes dot files; bad names are reported above
            path = os.path.join(top, name)
            if os.path.islink(path):
                target = os.path.realpath(path)
                if not _inside(target, root) or not os.path.isfile(target):
                    problems.append(_link_out(Path(path)))
                    continue
            ext = _ext(name)
            if ext not in allowed:
                problems.append(_bad_type(Path(path), ext))
                continue
            wrong = _wrong_bytes(path, ext)
            if wrong:
                problems.append(wrong)
    return problems


def bad_name(name: str) -> str | None:
    """Why a file or folder name is refused, or ``None``: invisible characters (bidi overrides,
    zero-width, controls) and letters of other scripts that look Latin (Cyrillic "а", Greek
    "ο": two addresses that read the same) hide what a link points to. Vietnamese letters are
    Latin and welcome."""
    for char in name:
        cat = unicodedata.category(char)
        if cat in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") or (cat == "Zs" and char != " "):
            return f"U+{ord(char):04X}"
        latin = unicodedata.name(char, "").startswith("LATIN")
        if cat.startswith("L") and ord(char) > 0x7F and not latin:
            return f"'{char}' (U+{ord(char):04X})"
    return None


def _excluded(rel: str) -> bool:
    """Folders MkDocs never publishes (dot folders; ``templates/`` at the top)."""
    parts = PurePosixPath(rel.replace(os.sep, "/")).parts
    return any(p.startswith(".") and p not in (".", "..") for p in parts)


def _wrong_bytes(path: str, ext: str) -> Problem | None:
    """A problem when the file's first bytes contradict its extension."""
    expected = MAGIC.get(ext)
    if expected is None and ext not in _SNIFFED:
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        return problem(
            path,
            None,
            f"không đọc được tệp: {exc.strerror}",
            f"cannot read the file: {exc.strerror}",
        )
    if expected is not None:
        if not head or head.startswith(expected):
            return None
        return problem(
            path,
            None,
            f"nội dung tệp không phải định dạng .{ext} (có thể là trang web hoặc tệp đã đổi đuôi); "
            "hãy lưu lại đúng định dạng",
            f"the file's bytes are not a .{ext} file (a web page or a renamed file?); "
            "save it again in the right format",
        )
    lowered = head.lstrip().lower()
    if lowered.startswith(_HTML_START):
        return problem(
            path,
            None,
            f"tệp .{ext} chứa mã trang web (HTML/SVG), không được đăng",
            f"the .{ext} file holds web page markup (HTML/SVG) and cannot be published",
        )
    return None


def _link_out(path: Path) -> Problem:
    return problem(
        path,
        None,
        "liên kết tượng trưng (symlink) trỏ ra ngoài thư mục nội dung của đơn vị: không được đăng; "
        "hãy chép tệp thật vào thư mục",
        "symbolic link points outside the unit's content folder: refused; copy the real file "
        "into the folder instead",
    )


def _confusable(path: Path, char: str) -> Problem:
    return problem(
        path,
        None,
        f"tên có ký tự ẩn hoặc dễ nhầm với chữ Latinh ({char}); hãy đặt lại tên bằng chữ "
        "thường không dấu, số và gạch nối",
        f"the name holds an invisible or Latin-looking character ({char}); rename it with "
        "lower-case ASCII letters, digits and hyphens",
    )


def _link_loop(path: Path) -> Problem:
    return problem(
        path,
        None,
        "liên kết tượng trưng (symlink) trỏ về thư mục chứa nó (vòng lặp vô tận): không được đăng",
        "symbolic link points back to a folder holding it (an endless loop): refused",
    )


def _bad_type(path: Path, ext: str) -> Problem:
    shown = f".{ext}" if ext else "(không đuôi / no extension)"
    return problem(
        path,
        None,
        f"loại tệp {shown} không được đăng trên trang của đơn vị (chỉ: Markdown, ảnh, tài liệu, "
        "âm thanh/video); trang web, SVG và mã chạy có thể gây hại cho cả mạng",
        f"file type {shown} cannot be published by a unit (allowed: Markdown, photos, documents, "
        "audio/video); web pages, SVG and scripts could harm the whole network",
    )


def confined_file(
    value: str, base: Path, boundary: Path, *, extensions: frozenset[str] | None = None
) -> Path | None:
    """The file ``value`` names relative to ``base``, if it is a regular file inside
    ``boundary`` (after resolving ``..`` and symlinks) with one of ``extensions``; else ``None``.

    Absolute paths, URLs and anything leaving ``boundary`` give ``None``.
    """
    if not value or "\x00" in value or "://" in value or value.startswith(("/", "\\")):
        return None
    if len(value) > 1024 or (len(value) > 1 and value[1] == ":"):  # C:\…
        return None
    candidate = base / value
    real = os.path.realpath(candidate)
    if not _inside(real, os.path.realpath(boundary)) or not os.path.isfile(real):
        return None
    if extensions is not None and _ext(value) not in extensions:
        return None
    return candidate


def find_symlinks(folder: Path) -> list[Path]:
    """Symbolic links anywhere below ``folder`` (a built site must hold none: copying it would
    publish whatever they point at). Uses ``scandir`` types, so no extra ``stat`` per file."""
    found: list[Path] = []
    stack = [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        found.append(Path(entry.path))
                    elif entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return sorted(found)


def stays_inside(path: str | Path, boundary: str | Path) -> bool:
    """True unless ``path`` is (or lies below) a symbolic link resolving outside ``boundary``:
    what a portal may read of a member's folder (the member's own build refuses such links)."""
    real = os.path.realpath(path)
    return _inside(real, os.path.realpath(boundary))
