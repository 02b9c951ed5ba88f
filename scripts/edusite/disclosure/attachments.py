"""Attachments of disclosure pages: type, human size, "does it open?", and their text.

A PDF must open with pypdf; XLSX/DOCX/ODS/ODT must be intact zip files holding the parts
their format requires; legacy XLS/DOC must carry the OLE signature. The text is extracted so
the privacy scan can read inside attachments, not only the page.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from .. import context, memo

#: extension -> (type label, Vietnamese description)
TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("PDF", "tài liệu PDF"),
    ".xlsx": ("XLSX", "bảng tính Excel"),
    ".docx": ("DOCX", "văn bản Word"),
    ".xls": ("XLS", "bảng tính Excel (cũ)"),
    ".doc": ("DOC", "văn bản Word (cũ)"),
    ".ods": ("ODS", "bảng tính OpenDocument"),
    ".odt": ("ODT", "văn bản OpenDocument"),
}
#: Zip parts each Office format must contain.
_ZIP_PARTS = {
    ".xlsx": ("[Content_Types].xml", "xl/workbook.xml"),
    ".docx": ("[Content_Types].xml", "word/document.xml"),
    ".ods": ("mimetype", "content.xml"),
    ".odt": ("mimetype", "content.xml"),
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_XML = 20 * 1024 * 1024  # never inflate more than 20 MB of one XML part (zip bombs)
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class Inspection:
    """What we learnt from opening one attachment file."""

    ok: bool
    vi: str = ""
    en: str = ""
    pages: int | None = None
    text: str = ""


def file_type(name: str) -> str | None:
    """``PDF``, ``XLSX``, … from the file name, or ``None`` when the type is not supported."""
    entry = TYPES.get(Path(name).suffix.lower())
    return entry[0] if entry else None


_SEEN: dict[tuple[tuple[str, int, int], ...], Inspection] = {}


def inspect(path: Path) -> Inspection:
    """Open ``path`` according to its extension and report whether it is readable.

    Opening a PDF and extracting its text costs milliseconds, and a portal's dashboard checks
    every member's attachments on each build: results are kept per process by the file's stat,
    and in the build context's ``<cache>/attachments/`` (``edusite build`` and ``check``) by a hash of the
    file's bytes and of the edusite code, so a changed file or checker is never trusted.
    """
    seen = memo.stamp([path])
    if not seen:  # missing, or too young to be remembered by its stat
        return _inspect_cached(path)
    if seen not in _SEEN:
        _SEEN[seen] = _inspect_cached(path)
    return _SEEN[seen]


def _inspect_cached(path: Path) -> Inspection:
    folder = context.cache_dir("attachments")
    try:
        data = path.read_bytes() if folder else None
    except OSError:
        data = None
    if not folder or data is None:
        return _inspect(path)
    memo_key = memo.key(path.suffix.lower(), hashlib.sha256(data).digest())
    memo_file = folder / f"{memo_key}.json"
    found = memo.load(memo_file, memo_key)
    if isinstance(found, dict):
        with contextlib.suppress(TypeError):
            return Inspection(**found)
    result = _inspect(path)
    memo.store(memo_file, memo_key, asdict(result))
    return result


def _inspect(path: Path) -> Inspection:
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            return _inspect_pdf(path)
        if suffix in _ZIP_PARTS:
            return _inspect_zip(path, suffix)
        if suffix in (".xls", ".doc"):
            with path.open("rb") as fh:
                if fh.read(8) != _OLE_MAGIC:
                    return Inspection(
                        False,
                        "không phải tệp Office hợp lệ (thiếu chữ ký OLE)",
                        "not a valid Office file (no OLE signature)",
                    )
            return Inspection(True)
    except OSError as exc:
        return Inspection(False, f"không đọc được tệp: {exc}", f"cannot read the file: {exc}")
    return Inspection(False, "loại tệp không được hỗ trợ", "unsupported file type")


def _inspect_pdf(path: Path) -> Inspection:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return Inspection(
                False,
                "PDF có mật khẩu, người dân không mở được",
                "the PDF is password-protected; the public cannot open it",
            )
        count = len(reader.pages)
        if count == 0:
            return Inspection(False, "PDF không có trang nào", "the PDF has no pages")
        text = "\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception as exc:  # pypdf raises many types for broken files; all mean "unreadable"
        reason = str(exc).strip() or type(exc).__name__
        return Inspection(
            False,
            f"PDF hỏng, không mở được ({reason})",
            f"corrupt PDF, cannot be opened ({reason})",
        )
    return Inspection(True, pages=count, text=text)


def _inspect_zip(path: Path, suffix: str) -> Inspection:
    label = TYPES[suffix][0]
    if not zipfile.is_zipfile(path):
        return Inspection(
            False,
            f"tệp {label} hỏng (không phải tệp nén zip hợp lệ)",
            f"corrupt {label} file (not a valid zip archive)",
        )
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            missing = [p for p in _ZIP_PARTS[suffix] if p not in names]
            if missing:
                return Inspection(
                    False,
                    f"tệp {label} thiếu thành phần {', '.join(missing)}",
                    f"the {label} file lacks the part(s) {', '.join(missing)}",
                )
            bad = zf.testzip()
            if bad is not None:
                return Inspection(
                    False,
                    f"tệp {label} hỏng (lỗi dữ liệu trong {bad})",
                    f"corrupt {label} file (bad data in {bad})",
                )
            text = _zip_text(zf, suffix)
    except (zipfile.BadZipFile, ElementTree.ParseError, ValueError) as exc:
        return Inspection(False, f"tệp {label} hỏng ({exc})", f"corrupt {label} file ({exc})")
    return Inspection(True, text=text)


def _read_xml(zf: zipfile.ZipFile, name: str) -> Element | None:
    info = zf.getinfo(name)
    if info.file_size > _MAX_XML:
        return None
    return ElementTree.fromstring(zf.read(name))


def _zip_text(zf: zipfile.ZipFile, suffix: str) -> str:
    """Text of an Office file; spreadsheet rows and Word tables become ``| a | b |`` lines."""
    if suffix == ".xlsx":
        return _xlsx_text(zf)
    if suffix == ".docx":
        return _docx_text(zf)
    root = _read_xml(zf, "content.xml")
    return "" if root is None else "\n".join(t.strip() for t in root.itertext() if t.strip())


def _xlsx_text(zf: zipfile.ZipFile) -> str:
    shared: list[str] = []
    if "xl/sharedStrings.xml" in zf.namelist():
        root = _read_xml(zf, "xl/sharedStrings.xml")
        if root is not None:
            shared = ["".join(si.itertext()) for si in root.iter(f"{_NS_MAIN}si")]
    lines: list[str] = []
    sheets = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    for name in sheets:
        root = _read_xml(zf, name)
        if root is None:
            continue
        first = True
        for row in root.iter(f"{_NS_MAIN}row"):
            cells = []
            for cell in row.iter(f"{_NS_MAIN}c"):
                value = cell.find(f"{_NS_MAIN}v")
                if cell.get("t") == "s" and value is not None and value.text:
                    index = int(value.text)
                    cells.append(shared[index] if 0 <= index < len(shared) else "")
                elif cell.get("t") == "inlineStr":
                    cells.append("".join(cell.itertext()))
                else:
                    cells.append(value.text or "" if value is not None else "")
            lines.append("| " + " | ".join(cells) + " |")
            if first:
                lines.append("|" + "---|" * max(1, len(cells)))
                first = False
        lines.append("")
    return "\n".join(lines)


def _docx_text(zf: zipfile.ZipFile) -> str:
    root = _read_xml(zf, "word/document.xml")
    if root is None:
        return ""
    lines: list[str] = []
    body = root.find(f"{_NS_W}body")
    for block in list(body) if body is not None else []:
        if block.tag == f"{_NS_W}tbl":
            for i, row in enumerate(block.iter(f"{_NS_W}tr")):
                cells = ["".join(tc.itertext()).strip() for tc in row.iter(f"{_NS_W}tc")]
                lines.append("| " + " | ".join(cells) + " |")
                if i == 0:
                    lines.append("|" + "---|" * max(1, len(cells)))
            lines.append("")
        else:
            lines.append("".join(block.itertext()))
    return "\n".join(lines)
