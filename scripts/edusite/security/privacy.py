"""Personal data that must not be published: the scanner of 3 công khai pages and their
attachments (``edusite check``) and of every page a unit publishes (the build,
:mod:`.personal_data`).

Disclosure is aggregate data (counts, rates, amounts); it never needs a person's citizen ID,
a parent's phone or a child's birth date. Text is first normalised (NFKC; every kind of space,
non-breaking ones included, becomes a space; dashes become ``-``; invisible characters go), then
read line by line, with Markdown and HTML tables read as tables (their header says what each
column holds). The kinds found:

* ``cccd``: a 12-digit citizen ID number (``0`` + a province code ``001``-``096``), written
  in one block or in groups (``001 204 012 345``, ``001-204-012-345``, ``0012 0401 2345``);
  any 10-12 digit number in a column headed CCCD/căn cước/số định danh (a spreadsheet that
  stored it as a number lost its leading zeros);
* ``cmnd``: a 9-digit identity card number next to "CMND"/"chứng minh" (or in such a column);
* ``phone``: a Vietnamese phone number (mobile ``0[35789]x`` 10 digits, landline ``02x`` 11
  digits, ``+84``; in a phone column also 9 digits that lost their leading 0) that is not one of
  the unit's declared public contacts;
* ``birth_date``: a table with a birth-date column (Ngày sinh, Năm sinh, Sinh năm, NS, NTNS,
  Ngày tháng năm sinh…) holding dates, or years next to people's names; a line pairing a birth
  keyword ("ngày sinh", "sinh ngày", "sinh", "NS:") with a date (2- or 4-digit year,
  ``12 tháng 5 năm 2019``), or "sinh năm 2015" next to a person's name;
* ``address``: a list of people with their home addresses (a table with a name column and an
  address column, or a list item pairing a name with thôn/xóm/ấp/số nhà…);
* ``class_list``: a list of pupils with their classes (a table with a name column and a class
  column whose names are not teachers).

Allowed: aggregates ("Năm sinh | Số trẻ"), "ngày sinh hoạt", the unit's own contacts, and
historical dates: before the unit's founding year and in any case before ``historical_before``
(1945), or on a line naming an anniversary ("kỷ niệm … năm ngày sinh Chủ tịch Hồ Chí Minh").
Findings quote the value masked (``001*******45``, ``**/**/2015``) with the line, so the report
itself does not spread the data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .. import memo
from ..text import fold
from .confine import stays_inside

#: Every kind the scanner reports, in report order.
KINDS = ("cccd", "cmnd", "phone", "birth_date", "address", "class_list")
#: Birth years before this are historical whatever the unit's founding year.
HISTORICAL_BEFORE = 1945

# Province codes of citizen ID numbers (the first three digits), Thông tư 59/2021/TT-BCA.
_PROVINCES = frozenset(
    re.findall(
        r"\d{3}",
        "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
        "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
        "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096",
    )
)

_SPACES = dict.fromkeys(
    map(ord, "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
        "\u202f\u205f\u3000\t"),
    " ",
)  # fmt: skip
_SPACES.update(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\r"), None))
_SPACES.update(
    dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"), "-")
)
_SPACES.update(dict.fromkeys(map(ord, "\u2024\u2027\u30fb"), "."))

# A run of digits with single separators between them (space, dot, dash, slash never).
_NUMBER_RE = re.compile(r"(?<![\d.,/])(?:\+84[ .\-]?)?\d(?:[ .\-]?\d)*(?![\d/])")
_CCCD_RE = re.compile(r"(?<![\d.,/])0(?:[ .\-]?\d){11}(?![\d/])")
_PHONE_RE = re.compile(r"(?<![\w+.,/])(?:\+84[ .\-]?|0)\d(?:[ .\-]?\d){7,9}(?![\w/])")

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
#: Full dates: d/m/yyyy, d-m-yy, d.m.yyyy, yyyy-mm-dd, "12 tháng 5 năm 2019" (lower-case text).
_DATE_RE = re.compile(
    rf"(?<![\d/.\-]){_DAY}\s?[/.\-]\s?{_MONTH}\s?[/.\-]\s?(?P<y1>(?:1[89]|20)\d\d|\d\d)(?![\d/]|\.\d)"
    rf"|(?<![\d/.\-])(?P<y2>(?:19|20)\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)"
    rf"|(?<!\d){_DAY}\s*(?:th[aá]ng|-|/)\s*{_MONTH}\s*(?:n[aă]m|,|-|/)\s*(?P<y3>(?:1[89]|20)\d\d)(?!\d)"
)
_YEAR_RE = re.compile(r"(?<![\d/.,])(?P<y>(?:1[89]|20)\d\d)(?![\d/]|[.,]\d)")

#: Words (lower-case, with tones) that announce a birth date on a line. A lone "sinh" counts,
#: but not in "học sinh", "tuyển sinh", "vệ sinh", "sinh hoạt", "phát sinh"…
_NOT_BIRTH = (
    r"(?<![\w])(?<!học\s)(?<!vệ\s)(?<!tuyển\s)(?<!phát\s)(?<!khai\s)(?<!nữ\s)(?<!nam\s)"
    r"(?<!thí\s)(?<!hy\s)(?<!hồi\s)(?<!tái\s)(?<!giáng\s)(?<!hoc\s)(?<!tuyen\s)"
)
_BIRTH_WORD_RE = re.compile(
    r"(?:ngày\s*,?\s*tháng\s*,?\s*năm\s+sinh|ngày\s+sinh(?!\s*(?:hoạt|nhật))|năm\s+sinh"
    r"|ngay\s+sinh(?!\s*(?:hoat|nhat))|\bntns\b|\bd\.?o\.?b\b|date\s+of\s+birth"
    rf"|birth\s*date|\bborn\b|\bns\s*[:.]|{_NOT_BIRTH}sinh\s+(?:ngày|năm|ngay)"
    rf"|{_NOT_BIRTH}(?<!sinh\s)sinh(?![\w])"
    r"(?!\s+(?:hoạt|viên|học|lý|thái|nhật|sản|động|sống|kế|khí|con|ra\b|đẻ|trưởng|thành|tồn|lợi"
    r"|mạng|mệnh|ngữ|phần|vật|thực|sôi|ý|lực)))"
)
_ANNIVERSARY_RE = re.compile(
    r"\b(?:ky\s+niem|nam\s+ngay\s+sinh|ngay\s+sinh\s+(?:cua\s+)?(?:bac|chu\s+tich|dai\s+tuong|anh\s+hung|nha\s+tho|danh\s+nhan|co\s+tong\s+bi\s+thu|tong\s+bi\s+thu)|anniversary)\b"
)
#: Words (folded) that say a number is not a person's (bank account, tax code, social insurance).
_NOT_ID_RE = re.compile(
    r"\b(?:tai\s+khoan|stk|so\s+tk|tk\s*(?:so|:)|ma\s+so\s+thue|mst|ma\s+(?:so\s+)?bhxh|ma\s+qhns"
    r"|quan\s+he\s+ngan\s+sach|ma\s+truong|ma\s+don\s+vi|so\s+hieu|hop\s+dong|hoa\s+don)\b"
)
_CMND_WORD_RE = re.compile(
    r"\b(?:cmnd|cmt|chung\s+minh|cccd|can\s+cuoc|dinh\s+danh|so\s+cc|cc\s*:)\b"
)
_RESIDENCE_RE = re.compile(
    r"\b(?:thon|xom|ap|ban|to\s+dan\s+pho|khu\s+pho|so\s+nha|ngo|hem|kiet|tru\s+tai|cho\s+o|noi\s+o|dia\s+chi|que\s+quan|thuong\s+tru|tam\s+tru)\b"
)

#: Words that say where a person lives, even outside a list.
_STRONG_RESIDENCE_RE = re.compile(
    r"\b(?:tru\s+tai|thuong\s+tru|tam\s+tru|noi\s+o|cho\s+o|ho\s+khau|que\s+quan|dia\s+chi\s+nha)\b"
)
#: Right after a person's name: "(12/05/2019)", " – 12/05/2019", ", 12/05/2019".
_NAME_DATE_RE = re.compile(r"\s*(?:\(|[,–:-])\s*")

# Column roles, from the folded header cell.
_HEAD_BIRTH_RE = re.compile(
    r"^(?:ngay\s*,?\s*(?:/\s*)?thang\s*,?\s*(?:/\s*)?nam\s+sinh|ngay\s+sinh|nam\s+sinh|sinh\s+nam|sinh\s+ngay"
    r"|thang\s+nam\s+sinh|ns|ntns|n\.s\.?|dob|date\s+of\s+birth|birth\s*date|year\s+of\s+birth)\b"
)
_HEAD_NAME_RE = re.compile(
    r"^(?:ho\s*(?:va|,|&)?\s*ten|ten(?:\s+(?:hoc\s+sinh|tre|hoc\s+vien|nguoi|giao\s+vien))?$|hoc\s+sinh$|tre$"
    r"|nguoi\s+(?:nhan|duoc)|phu\s+huynh|cha\s+me|full\s+name|name$)"
)
_HEAD_STAFF_RE = re.compile(
    r"\b(?:giao\s+vien|gvcn|chu\s+nhiem|can\s+bo|nhan\s+vien|to\s+truong|phu\s+trach|chuc\s+vu"
    r"|trinh\s+do|chuyen\s+mon|vi\s+tri)\b"
)
_HEAD_ID_RE = re.compile(r"\b(?:cccd|cmnd|cmt|can\s+cuoc|chung\s+minh|dinh\s+danh|so\s+cc)\b")
_HEAD_PHONE_RE = re.compile(r"\b(?:dien\s+thoai|sdt|dt|so\s+dt|phone|zalo|di\s+dong)\b")
_HEAD_ADDRESS_RE = re.compile(
    r"\b(?:dia\s+chi|noi\s+o|cho\s+o|ho\s+khau|thuong\s+tru|tam\s+tru|que\s+quan|thon|xom|ap|to\s+dan\s+pho|khu\s+pho|address)\b"
)
_HEAD_CLASS_RE = re.compile(r"^(?:lop|chi\s+doi|nhom\s+lop|nhom|class)\b")
_HEAD_COUNT_RE = re.compile(
    r"\b(?:so\s+(?:tre|hoc\s+sinh|hoc\s+vien|luong|nguoi|em|chau)|ti\s+le|ty\s+le|tong)\b"
)
_CLASS_VALUE_RE = re.compile(
    r"^(?:lop\s+)?(?:\d{1,2}\s*[a-z]\d{0,2}|[a-z]{1,3}\s*\d{1,2}|mam|choi|la|nha\s+tre)\b"
)
_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)]|[a-z][.)])\s")

_SURNAMES = re.findall(
    r"\S+",
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Đinh Lâm "
    "Mai Trịnh Cao Tạ Hà Lương Lưu Chu Châu Tô Tăng Quách Vương Kiều Thái La Khúc Mạc Lò Lục "
    "Hứa Âu Giang Triệu Đàm Nông Thân Doãn Tống Kim Diệp Ông Phùng Tôn Từ Quan Nghiêm Lại Cù "
    "Khổng Bạch Hầu Tiêu Lã Đồng Lạc Trương Cấn Lăng Viên Ninh Bế Sầm Vi Giáp Khuất Phí Phó Tào "
    "Thạch Lục Mẫn Ma Quàng Lường Sùng Vàng Giàng Thào",
)
_SURNAME_SET = frozenset(_SURNAMES)
_TOKEN_RE = re.compile(r"[^\W\d_]+")
#: Words (folded) before a capitalised name that make it a place or an institution, not a person.
_NOT_PERSON_BEFORE_RE = re.compile(
    r"(?:truong|thpt|thcs|th|mn|mam\s+non|tieu\s+hoc|duong|pho|phuong|xa|huyen|quan|tinh|thon|xom|ap|cau"
    r"|cho|cong\s+vien|nha\s+van\s+hoa|lien\s+doi|chi\s+doi|doi|giai|cup|quy|tp|thanh\s+pho|khu|to|ban"
    r"|hoi|lang|benh\s+vien|trung\s+tam|so|phong|cong\s+ty|chi\s+nhanh|ngan\s+hang|ubnd|huong|lo)\s*$"
)


@dataclass(frozen=True)
class Hit:
    """One personal-data match: its kind, a masked excerpt and where it was found.

    ``line`` is the 1-based line of the scanned text; ``column`` the 0-based cell of a table row
    (a spreadsheet's column); ``in_table``: part of a table listing people (the build blocks
    birth dates only there).
    """

    kind: str
    masked: str
    line: int
    in_table: bool = False
    column: int | None = None


@dataclass
class Allowed:
    """What a unit may publish: its declared contacts and how old a date must be to be history."""

    phones: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # folded names of declared people
    founded: int | None = None
    historical_before: int = HISTORICAL_BEFORE

    @property
    def cutoff(self) -> int:
        """Birth years before this are historical (the founding year, capped at 1945)."""
        if self.founded is None:
            return self.historical_before
        return min(self.founded, self.historical_before)


def normalize(text: str) -> str:
    """NFKC, spaces (non-breaking ones too) to ``' '``, dashes to ``-``, invisible characters out.

    Line breaks are kept, so line numbers stay those of the file.
    """
    return unicodedata.normalize("NFKC", text.translate(_SPACES)).translate(_SPACES)


def normalize_phone(text: str) -> str | None:
    """Digits of a Vietnamese phone number in national form (``0912345678``), or ``None``."""
    text = normalize(text)
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+84"):
        digits = "0" + digits[2:]
    if len(digits) == 10 and digits[:2] in ("03", "05", "07", "08", "09"):
        return digits
    if len(digits) == 11 and digits.startswith("02"):
        return digits
    return None


def find_phones(text: str) -> set[str]:
    """Every phone number in ``text``, normalised."""
    out: set[str] = set()
    for m in _PHONE_RE.finditer(normalize(text)):
        number = normalize_phone(m.group(0))
        if number:
            out.add(number)
    return out


def mask(digits: str) -> str:
    """Keep the first three and last two digits: ``001*******67``."""
    digits = re.sub(r"\D", "", digits)
    return digits[:3] + "*" * max(0, len(digits) - 5) + digits[-2:]


def _mask_year(year: int) -> str:
    return f"**/**/{year}"


def _full_year(match: re.Match[str]) -> int:
    """The year of a :data:`_DATE_RE` match; 2-digit years are read as 19xx or 20xx (≤ 30)."""
    text = match.group("y1") or match.group("y2") or match.group("y3")
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= 30 else 1900
    return year


def _name_spans(line: str) -> list[tuple[int, int]]:
    """Spans of "Surname Given Names" (2-4 capitalised words, the first a Vietnamese surname)."""
    tokens = list(_TOKEN_RE.finditer(line))
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.group(0) in _SURNAME_SET:
            j = i
            while (
                j + 1 < len(tokens)
                and j - i < 3
                and tokens[j + 1].group(0)[0].isupper()
                and tokens[j + 1].group(0)[1:].islower()
                and line[tokens[j].end() : tokens[j + 1].start()] == " "
            ):
                j += 1
            if j > i:
                out.append((t.start(), tokens[j].end()))
                i = j + 1
                continue
        i += 1
    return out


def is_person_name(text: str) -> bool:
    """True when ``text`` (a table cell) looks like a Vietnamese person's full name."""
    text = " ".join(text.split()).strip(" *_")
    spans = _name_spans(text)
    return (
        bool(spans)
        and spans[0][0] <= 4
        and len(text.split()) <= 6
        and not any(c.isdigit() for c in text)
    )


def _names_in(line: str) -> list[tuple[int, int]]:
    """Person names in a line, not places or institutions named after people."""
    out = []
    for start, end in _name_spans(line):
        before = fold(line[max(0, start - 20) : start])
        if _NOT_PERSON_BEFORE_RE.search(before):
            continue
        out.append((start, end))
    return out


# ---- Reading text: lines, and tables as rows of cells --------------------------------------------


@dataclass
class _Row:
    line: int
    cells: list[str]


@dataclass
class _Table:
    header: list[str]
    header_line: int
    rows: list[_Row]


class _HtmlTables(HTMLParser):
    """Rows of ``<table>`` markup, each with the source line of its ``<tr>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[int, int, list[tuple[int, list[str], bool]]]] = []
        self.stack: list[tuple[int, list[tuple[int, list[str], bool]]]] = []
        self.row: list[str] | None = None
        self.row_line = 0
        self.row_header = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag == "table":
            self.stack.append((line, []))
        elif self.stack and tag == "tr":
            self.row, self.row_line, self.row_header = [], line, False
        elif self.stack and tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row_header = self.row_header or tag == "th"
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.stack:
            self.stack[-1][1].append((self.row_line, self.row, self.row_header))
            self.row = None
        elif tag == "table" and self.stack:
            start, rows = self.stack.pop()
            self.tables.append((start, self.getpos()[0], rows))

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _records(text: str) -> list[tuple[int, str]]:
    """``(line number, text)`` of each line; HTML tables become pipe rows on their ``<tr>`` line."""
    lines = text.split("\n")
    records = list(enumerate(lines, start=1))
    if "<table" not in text.lower():
        return records
    parser = _HtmlTables()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: BLE001 - malformed markup: read the text as it is
        return records
    if not parser.tables:
        return records
    hidden: set[int] = set()
    extra: list[tuple[int, str]] = []
    for start, end, rows in parser.tables:
        hidden.update(range(start, end + 1))
        for i, (line, cells, _header) in enumerate(rows):
            extra.append((line, "| " + " | ".join(cells) + " |"))
            if i == 0:
                extra.append((line, "|" + "---|" * max(1, len(cells))))
    kept = [(n, t) for n, t in records if n not in hidden]
    return sorted(kept + extra, key=lambda r: r[0])  # stable: rows keep their order


def _split_row(text: str) -> list[str]:
    body = text.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def _tables(records: list[tuple[int, str]]) -> tuple[list[_Table], set[int]]:
    """Pipe tables (a header, a separator, rows) and the indexes of the records they use."""
    tables: list[_Table] = []
    used: set[int] = set()
    i = 0
    while i < len(records) - 1:
        (hline, header), (_, sep) = records[i], records[i + 1]
        if "|" in header and _SEPARATOR_RE.match(sep):
            j = i + 2
            rows: list[_Row] = []
            while j < len(records) and "|" in records[j][1] and records[j][1].strip():
                if not _SEPARATOR_RE.match(records[j][1]):
                    rows.append(_Row(records[j][0], _split_row(records[j][1])))
                j += 1
            tables.append(_Table(_split_row(header), hline, rows))
            used.update(range(i, j))
            i = j
        else:
            i += 1
    return tables, used


# ---- Matching ------------------------------------------------------------------------------------


def _ids_in(line: str, folded: str, id_column: bool = False) -> Iterator[tuple[str, str, int]]:
    """``(kind, digits, start)`` of the citizen and identity card numbers in one line or cell.

    A number right after "tài khoản", "mã số thuế", "mã BHXH"… is not a person's.
    """

    def not_id(start: int) -> bool:
        return not id_column and bool(_NOT_ID_RE.search(folded[max(0, start - 32) : start]))

    seen: list[tuple[int, int]] = []
    for m in _CCCD_RE.finditer(line):
        digits = re.sub(r"\D", "", m.group(0))
        if (digits[:3] in _PROVINCES or id_column) and not not_id(m.start()):
            seen.append(m.span())
            yield "cccd", digits, m.start()
    context = id_column or bool(_CMND_WORD_RE.search(folded))
    for m in _NUMBER_RE.finditer(line):
        if any(a <= m.start() < b for a, b in seen) or m.group(0).startswith("+"):
            continue
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) == 9 and context and not not_id(m.start()):
            yield "cmnd", digits, m.start()
        elif id_column and 10 <= len(digits) <= 11 and not digits.startswith("0"):
            yield "cccd", digits.zfill(12), m.start()  # a spreadsheet number lost its zeros


def _phones_in(
    line: str, folded: str, taken: list[tuple[int, int]], phone_column: bool
) -> Iterator[str]:
    for m in _PHONE_RE.finditer(line):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if not phone_column and _NOT_ID_RE.search(folded[max(0, m.start() - 32) : m.start()]):
            continue  # a tax code or an account number, not a phone
        number = normalize_phone(m.group(0))
        if number:
            yield number
    if phone_column:
        for m in _NUMBER_RE.finditer(line):
            digits = re.sub(r"\D", "", m.group(0))
            if len(digits) == 9 and digits[0] in "35789":
                yield "0" + digits  # a spreadsheet number lost its leading 0


def _birth_in_line(low: str, folded: str, allowed: Allowed, has_name: bool) -> int | None:
    """The year of a birth date announced on this line (``low``: lower-case), or ``None``."""
    if _ANNIVERSARY_RE.search(folded):
        return None
    for w in _BIRTH_WORD_RE.finditer(low):
        tail = low[w.end() : w.end() + 30]
        d = _DATE_RE.search(tail)
        if d and not re.search(r"\d", tail[: d.start()]):
            year = _full_year(d)
            if year >= allowed.cutoff:
                return year
        y = _YEAR_RE.match(tail.lstrip(" :,(-"))
        if y and has_name and int(y.group("y")) >= allowed.cutoff:
            return int(y.group("y"))
    return None


def _cell_date_year(cell: str) -> int | None:
    folded = fold(cell)
    d = _DATE_RE.search(folded)
    if d:
        return _full_year(d)
    return None


def _excel_serial_year(cell: str) -> int | None:
    """A birth-date cell that holds an Excel serial day number (a date stored without format)."""
    value = cell.strip()
    if re.fullmatch(r"\d{4,5}(?:\.0+)?", value):
        n = int(float(value))
        if 7000 <= n <= 60000:  # 1919 … 2064
            return (date(1899, 12, 30) + timedelta(days=n)).year
    return None


def _roles(header: Sequence[str]) -> dict[str, list[int]]:
    roles: dict[str, list[int]] = {}
    for i, cell in enumerate(header):
        head = fold(cell).strip(" *_:.").replace("\u0111", "d")
        head = " ".join(head.split())
        for role, regex in (
            ("birth", _HEAD_BIRTH_RE),
            ("name", _HEAD_NAME_RE),
            ("class", _HEAD_CLASS_RE),
        ):
            if regex.match(head):
                roles.setdefault(role, []).append(i)
        for role, regex in (
            ("id", _HEAD_ID_RE),
            ("phone", _HEAD_PHONE_RE),
            ("address", _HEAD_ADDRESS_RE),
            ("count", _HEAD_COUNT_RE),
            ("staff", _HEAD_STAFF_RE),
        ):
            if regex.search(head):
                roles.setdefault(role, []).append(i)
    return roles


def _table_hits(table: _Table, allowed: Allowed) -> Iterator[Hit]:
    roles = _roles(table.header)
    names = roles.get("name", [])

    def cell(row: _Row, i: int) -> str:
        return row.cells[i] if i < len(row.cells) else ""

    def people(row: _Row) -> bool:
        if any(cell(row, i).strip() for i in names):
            return True
        return any(is_person_name(c) for c in row.cells)

    listing = [r for r in table.rows if people(r)]
    listed_people = bool(names) or bool(listing)
    aggregate = "count" in roles and not listed_people
    # Birth dates: a birth column with dates (or with years next to people).
    dated: list[tuple[_Row, int, int]] = []
    for i in roles.get("birth", []):
        for row in table.rows:
            value = cell(row, i)
            year = _cell_date_year(value) or _excel_serial_year(value)
            if year is None and listed_people and people(row):
                y = _YEAR_RE.fullmatch(value.strip())
                year = int(y.group("y")) if y else None
            if year is not None and year >= allowed.cutoff and not aggregate:
                dated.append((row, i, year))
    if dated:
        row, i, year = dated[0]
        yield Hit("birth_date", f"{_mask_year(year)} ({len(dated)})", row.line, True, i)
    staff = roles.get("staff", [])
    people_rows = [r for r in table.rows if people(r)]
    # Addresses next to people.
    if people_rows:
        for i in roles.get("address", []):
            if i in names:
                continue
            filled = [r for r in people_rows if cell(r, i).strip() not in ("", "-", "—", "…")]
            if filled:
                yield Hit("address", f"{len(filled)} địa chỉ", filled[0].line, True, i)
                break
        if names and not staff:  # pupils' names with their classes (not teachers')
            for i in roles.get("class", []):
                classed = [
                    r for r in people_rows if _CLASS_VALUE_RE.match(fold(cell(r, i)).strip())
                ]
                if classed:
                    yield Hit("class_list", f"{len(classed)} học sinh", classed[0].line, True, i)
                    break
    # Numbers in any cell: IDs (an ID column makes any long number one) and phones.
    id_cols = set(roles.get("id", []))
    phone_cols = set(roles.get("phone", []))
    for row in table.rows:
        for i, value in enumerate(row.cells):
            norm = value
            folded = fold(norm)
            taken: list[tuple[int, int]] = []
            for kind, digits, start in _ids_in(norm, folded, id_column=i in id_cols):
                taken.append((start, start + len(digits) + 4))
                yield Hit(kind, mask(digits), row.line, True, i)
            for number in _phones_in(norm, folded, taken, i in phone_cols):
                if number not in allowed.phones:
                    yield Hit("phone", mask(number), row.line, True, i)


def _line_hits(line_no: int, line: str, allowed: Allowed) -> Iterator[Hit]:
    folded = fold(line)
    taken: list[tuple[int, int]] = []
    for kind, digits, start in _ids_in(line, folded):
        taken.append((start, start + len(digits) + 4))
        yield Hit(kind, mask(digits), line_no)
    for number in _phones_in(line, folded, taken, False):
        if number not in allowed.phones:
            yield Hit("phone", mask(number), line_no)
    names = [s for s in _names_in(line) if fold(line[s[0] : s[1]]) not in allowed.names]
    low = line.lower()
    year = _birth_in_line(low, folded, allowed, bool(names))
    if year is None and not _ANNIVERSARY_RE.search(folded):
        year = _date_after_name(low, names, allowed)
    if year is not None:
        yield Hit("birth_date", _mask_year(year), line_no)
    if names:
        after = folded[names[0][1] :]
        listed = _LIST_ITEM_RE.match(line) or ";" in line
        if (listed and _RESIDENCE_RE.search(after)) or _STRONG_RESIDENCE_RE.search(after):
            yield Hit("address", "1 địa chỉ", line_no)


def _date_after_name(low: str, names: list[tuple[int, int]], allowed: Allowed) -> int | None:
    """A full date written right after a person's name (a list of names with birth dates)."""
    for _start, end in names:
        gap = _NAME_DATE_RE.match(low, end)
        if gap is None:
            continue
        d = _DATE_RE.match(low, gap.end())
        if d and _full_year(d) >= allowed.cutoff:
            return _full_year(d)
    return None


def scan(
    text: str,
    allowed_phones: Iterable[str] = (),
    *,
    allowed: Allowed | None = None,
) -> list[Hit]:
    """Find citizen and identity card numbers, foreign phone numbers, birth dates, home addresses
    and class lists in page or attachment text. Results are in line order.

    ``allowed`` (the unit's contacts, names and founding year) replaces ``allowed_phones``.
    """
    if allowed is None:
        allowed = Allowed(phones=set(allowed_phones))
    key = (
        text,
        frozenset(allowed.phones),
        frozenset(allowed.names),
        allowed.founded,
        allowed.historical_before,
    )
    found = _SCANNED.get(key)
    if found is None:
        found = _scan(text, allowed)
        _SCANNED[key] = found
        while len(_SCANNED) > _SCANNED_MAX:
            del _SCANNED[next(iter(_SCANNED))]
    return list(found)


#: The last pages scanned, by text and what the unit may publish: a build scans a 3 công khai
#: page for its gate and again for the page's status (:mod:`edusite.disclosure`); the second
#: costs nothing.
_SCANNED: dict[tuple[Any, ...], tuple[Hit, ...]] = {}
_SCANNED_MAX = 64


def _scan(text: str, allowed: Allowed) -> tuple[Hit, ...]:
    records = _records(normalize(text))
    tables, used = _tables(records)
    hits: list[Hit] = []
    for table in tables:
        hits.extend(_table_hits(table, allowed))
    for index, (line_no, line) in enumerate(records):
        if index in used or not line.strip():
            continue
        hits.extend(_line_hits(line_no, line, allowed))
    unique = list(dict.fromkeys(hits))
    return tuple(sorted(unique, key=lambda h: (h.line, KINDS.index(h.kind), h.column or 0)))


# ---- The unit's own contacts -----------------------------------------------------------------------

_PHONES: dict[tuple[Any, ...], frozenset[str]] = {}


def contact_phones(unit_raw: Any, phone: str, docs_dir: Path | None) -> set[str]:
    """The unit's own phone numbers: its config (``extra.unit``, the spokesperson included),
    about and contact pages.

    Kept per process while those inputs are unchanged (every disclosure page asks again).
    """
    candidates: list[Path] = []
    if docs_dir is not None:
        for name in ("gioi-thieu", "lien-he"):
            candidates.append(docs_dir / f"{name}.md")
            folder = docs_dir / name
            if folder.is_dir():
                candidates.extend(sorted(folder.rglob("*.md")))
    stamps = memo.stamp(candidates)
    key = (repr(unit_raw), phone, stamps) if stamps is not None else None
    if key is not None and key in _PHONES:
        return set(_PHONES[key])
    found = find_phones(phone or "")
    for value in _strings(unit_raw):
        found |= find_phones(value)
    for path in candidates:
        if path.is_file() and (docs_dir is None or stays_inside(path, docs_dir)):
            found |= find_phones(path.read_text(encoding="utf-8-sig", errors="replace"))
    if key is not None:
        _PHONES[key] = frozenset(found)
    return found


def unit_allowed(unit_raw: Any, phone: str, docs_dir: Path | None) -> Allowed:
    """What a unit may publish: :func:`contact_phones`, the names of its editor and spokesperson,
    and its founding year (``extra.unit.founded``)."""
    raw = unit_raw if isinstance(unit_raw, dict) else {}
    names: set[str] = set()
    for key in ("editor", "spokesperson"):
        person = raw.get(key)
        if isinstance(person, dict) and isinstance(person.get("name"), str):
            names.add(fold(" ".join(person["name"].split())))
    founded = raw.get("founded")
    return Allowed(
        phones=contact_phones(unit_raw, phone, docs_dir),
        names=names,
        founded=founded if isinstance(founded, int) and not isinstance(founded, bool) else None,
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
