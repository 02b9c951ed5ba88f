"""Attachments of disclosure pages: type, human size, "does it open?", and their text.

A PDF must open with pypdf; XLSX/DOCX/ODS/ODT must be intact zip files holding the parts
their format requires; legacy XLS/DOC must carry the OLE signature. The text is extracted so
the privacy scan can read inside attachments, not only the page, with where each line came
from (``Sheet1!C7``, ``trang 2``, ``bảng 1, hàng 3``). Spreadsheets are read with openpyxl as
Excel shows them: dates as dd/mm/yyyy, numbers with their format's leading zeros.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
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
_MAX_TOTAL = 200 * 1024 * 1024  # nor more than 200 MB of one file's parts (pictures included)
_NS_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class Inspection:
    """What we learnt from opening one attachment file."""

    ok: bool
    vi: str = ""
    en: str = ""
    pages: int | None = None
    text: str = ""
    #: Where each line of ``text`` came from: ``"Sheet1!{col}7"`` (``{col}``: the cell's column
    #: letter), ``"trang 2"``, ``"bảng 1, hàng 3"``; empty when not known.
    where: list[str] = field(default_factory=list)

    def location(self, line: int, column: int | None = None) -> str:
        """``Sheet1!C7``, ``trang 2``… for 1-based ``line`` (and a table cell), or ``dòng N``."""
        label = self.where[line - 1] if 0 < line <= len(self.where) else ""
        if not label:
            return f"dòng {line}"
        if "{col}" in label:
            from openpyxl.utils import get_column_letter

            return label.replace("{col}", get_column_letter((column or 0) + 1))
        return label


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
        text, where = _pdf_text(reader)
    except Exception as exc:  # pypdf raises many types for broken files; all mean "unreadable"
        reason = str(exc).strip() or type(exc).__name__
        return Inspection(
            False,
            f"PDF hỏng, không mở được ({reason})",
            f"corrupt PDF, cannot be opened ({reason})",
        )
    return Inspection(True, pages=count, text=text, where=where)


def _pdf_text(reader: Any) -> tuple[str, list[str]]:
    lines: list[str] = []
    where: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        for line in (page.extract_text() or "").split("\n"):
            lines.append(line)
            where.append(f"trang {number}")
    return "\n".join(lines), where


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
            # Sizes first: testzip() inflates every part, and a part over the cap could not
            # be read for the privacy scan (zip bombs; text that would go unchecked).
            too_big = [i.filename for i in zf.infolist() if i.file_size > _MAX_XML]
            if too_big:
                raise ValueError(f"{too_big[0][:100]} > {_MAX_XML // 1024 // 1024} MB")
            total = sum(i.file_size for i in zf.infolist())
            if total > _MAX_TOTAL:
                raise ValueError(f"{total:,} byte > {_MAX_TOTAL // 1024 // 1024} MB")
            bad = zf.testzip()
            if bad is not None:
                return Inspection(
                    False,
                    f"tệp {label} hỏng (lỗi dữ liệu trong {bad[:100]})",
                    f"corrupt {label} file (bad data in {bad[:100]})",
                )
    except (zipfile.BadZipFile, ElementTree.ParseError, ValueError) as exc:
        return Inspection(False, f"tệp {label} hỏng ({exc})", f"corrupt {label} file ({exc})")
    try:
        if suffix == ".xlsx":
            try:
                text, where = _xlsx_text(path)
            except Exception:  # noqa: BLE001 - openpyxl is stricter than Excel: read the XML
                with zipfile.ZipFile(path) as zf:
                    text, where = _xlsx_raw_text(zf)
        else:
            with zipfile.ZipFile(path) as zf:
                text, where = _zip_text(zf, suffix)
    except Exception as exc:  # noqa: BLE001 - openpyxl and the XML parser raise many types
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        return Inspection(False, f"tệp {label} hỏng ({reason})", f"corrupt {label} file ({reason})")
    return Inspection(True, text=text, where=where)


def _read_xml(zf: zipfile.ZipFile, name: str) -> Element | None:
    info = zf.getinfo(name)
    if info.file_size > _MAX_XML:
        return None
    return ElementTree.fromstring(zf.read(name))


def _zip_text(zf: zipfile.ZipFile, suffix: str) -> tuple[str, list[str]]:
    """Text of a Word or OpenDocument file; Word tables become ``| a | b |`` lines."""
    if suffix == ".docx":
        return _docx_text(zf)
    root = _read_xml(zf, "content.xml")
    lines = [] if root is None else [t.strip() for t in root.itertext() if t.strip()]
    return "\n".join(lines), []


#: Most rows and columns read from one sheet (the privacy scan's budget; a disclosure
#: spreadsheet is a few hundred rows).
MAX_ROWS = 20_000
MAX_COLS = 60
_ZERO_FORMAT_RE = re.compile(r'^(?:"0"|\\0)?(0+)$')


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell as Excel shows it: dates ``dd/mm/yyyy``, ``000000000000`` keeps leading zeros,
    whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}" if value.time() == time(0) else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        fmt = (number_format or "General").strip()
        m = _ZERO_FORMAT_RE.match(fmt)
        if isinstance(value, int) and value >= 0 and m:
            width = len(m.group(1)) + (1 if fmt.startswith(('"0"', "\\0")) else 0)
            return str(value).zfill(width)
        return str(value)
    return " ".join(str(value).split("\n"))


def _xlsx_text(path: Path) -> tuple[str, list[str]]:
    """Every sheet's rows as ``| a | b |`` lines (a separator after each sheet's first row)."""
    import openpyxl

    lines: list[str] = []
    where: list[str] = []
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            first = True
            for number, row in enumerate(ws.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLS), start=1):
                cells = [cell_text(c.value, getattr(c, "number_format", "General")) for c in row]
                while cells and not cells[-1]:
                    cells.pop()
                if not cells:
                    continue
                row_no = getattr(row[0], "row", None) or number
                lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
                where.append(f"{ws.title}!{{col}}{row_no}")
                if first:
                    lines.append("|" + "---|" * max(1, len(cells)))
                    where.append(f"{ws.title}!{{col}}{row_no}")
                    first = False
            lines.append("")
            where.append("")
    finally:
        wb.close()
    return "\n".join(lines), where


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _xlsx_raw_text(zf: zipfile.ZipFile) -> tuple[str, list[str]]:
    """Rows of a spreadsheet openpyxl cannot open, read from its XML (values as stored)."""
    shared: list[str] = []
    if "xl/sharedStrings.xml" in zf.namelist():
        root = _read_xml(zf, "xl/sharedStrings.xml")
        if root is not None:
            shared = ["".join(si.itertext()) for si in root.iter(f"{_NS_MAIN}si")]
    lines: list[str] = []
    where: list[str] = []
    sheets = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    for name in sheets:
        root = _read_xml(zf, name)
        if root is None:
            continue
        title = Path(name).stem
        first = True
        for number, row in enumerate(root.iter(f"{_NS_MAIN}row"), start=1):
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
            row_no = row.get("r") or str(number)
            lines.append("| " + " | ".join(cells) + " |")
            where.append(f"{title}!{{col}}{row_no}")
            if first:
                lines.append("|" + "---|" * max(1, len(cells)))
                where.append(f"{title}!{{col}}{row_no}")
                first = False
        lines.append("")
        where.append("")
    return "\n".join(lines), where


def _docx_text(zf: zipfile.ZipFile) -> tuple[str, list[str]]:
    root = _read_xml(zf, "word/document.xml")
    if root is None:
        return "", []
    lines: list[str] = []
    where: list[str] = []
    body = root.find(f"{_NS_W}body")
    paragraph = table = 0
    for block in list(body) if body is not None else []:
        if block.tag == f"{_NS_W}tbl":
            table += 1
            for i, row in enumerate(block.iter(f"{_NS_W}tr")):
                cells = ["".join(tc.itertext()).strip() for tc in row.iter(f"{_NS_W}tc")]
                lines.append("| " + " | ".join(cells) + " |")
                where.append(f"bảng {table}, hàng {i + 1}")
                if i == 0:
                    lines.append("|" + "---|" * max(1, len(cells)))
                    where.append(f"bảng {table}, hàng 1")
            lines.append("")
            where.append("")
        else:
            paragraph += 1
            lines.append("".join(block.itertext()))
            where.append(f"đoạn {paragraph}")
    return "\n".join(lines), where
