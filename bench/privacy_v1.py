"""The personal-data scanner of edusite 0.1 (before scan v2), kept verbatim as the baseline that
``bench/privacy.py`` prints next to the current one. Not used by edusite itself."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from edusite.text import fold

_CCCD_RE = re.compile(r"(?<![\d.,])0\d{2}(?:[ .]?\d{3}){3}(?!\d)")
_PHONE_RE = re.compile(r"(?<![\w+.,])(?:\+84[ .\-]?|0)\d(?:[ .\-]?\d){7,9}(?![\w])")
_FULL_DATE_RE = re.compile(
    r"(?<!\d)(?:(?:0?[1-9]|[12]\d|3[01])[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:19|20)\d{2}"
    r"|(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?!\d)"
)
#: Folded (no tones) wording that names a birth date; "ngày sinh hoạt" is a meeting, not a birth.
_BIRTH_HEADER_RE = re.compile(
    r"\b(?:ngay\s+sinh(?!\s*(?:hoat|nhat))|nam\s+sinh|sinh\s+ngay|ngay\s+thang\s+nam\s+sinh"
    r"|date\s+of\s+birth|birth\s*date|dob)\b"
)
_BIRTH_LINE_RE = re.compile(
    r"\b(?:ngay\s+sinh(?!\s*(?:hoat|nhat))|sinh\s+ngay|ngay\s+thang\s+nam\s+sinh|date\s+of\s+birth|dob)\b"
)
_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class Hit:
    """One personal-data match: its kind, a masked excerpt and the line it was found on."""

    kind: str  # "cccd", "phone" or "birth_date"
    masked: str
    line: int
    in_table: bool = False  # a table whose header names birth dates (a list of people)


def normalize_phone(text: str) -> str | None:
    """Digits of a Vietnamese phone number in national form (``0912345678``), or ``None``."""
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
    for m in _PHONE_RE.finditer(text):
        number = normalize_phone(m.group(0))
        if number:
            out.add(number)
    return out


def mask(digits: str) -> str:
    """Keep the first three and last two digits: ``001*******67``."""
    digits = re.sub(r"\D", "", digits)
    return digits[:3] + "*" * max(0, len(digits) - 5) + digits[-2:]


def scan(text: str, allowed_phones: Iterable[str] = ()) -> list[Hit]:
    """Find citizen IDs, foreign phone numbers and birth dates in page or attachment text.

    HTML tables in ``text`` are read like Markdown tables. Results are in line order.
    """
    allowed = set(allowed_phones)
    lines = _html_tables_to_pipes(text).split("\n")
    hits: list[Hit] = []
    for no, line in enumerate(lines, start=1):
        cccd_spans: list[tuple[int, int]] = []
        for m in _CCCD_RE.finditer(line):
            cccd_spans.append(m.span())
            hits.append(Hit("cccd", mask(m.group(0)), no))
        for m in _PHONE_RE.finditer(line):
            if any(a <= m.start() < b for a, b in cccd_spans):
                continue
            number = normalize_phone(m.group(0))
            if number and number not in allowed:
                hits.append(Hit("phone", mask(number), no))
        if not line.lstrip().startswith("|") and _BIRTH_LINE_RE.search(fold(line)):
            m = _FULL_DATE_RE.search(line)
            if m:
                hits.append(Hit("birth_date", _mask_date(m.group(0)), no))
    hits.extend(_birth_tables(lines))
    return sorted(hits, key=lambda h: (h.line, h.kind))


def _mask_date(text: str) -> str:
    """Keep only the year: ``**/**/2015``."""
    year = re.search(r"(?:19|20)\d{2}", text)
    return f"**/**/{year.group(0)}" if year else "**/**/****"


def _birth_tables(lines: list[str]) -> Iterator[Hit]:
    """Pipe tables whose header names a birth date and whose rows hold full dates."""
    i = 0
    while i < len(lines) - 1:
        header, sep = lines[i], lines[i + 1]
        if "|" in header and _SEPARATOR_RE.match(sep):
            j = i + 2
            rows: list[tuple[int, str]] = []
            while j < len(lines) and "|" in lines[j] and lines[j].strip():
                rows.append((j + 1, lines[j]))
                j += 1
            if _BIRTH_HEADER_RE.search(fold(header)):
                dated = [(no, _FULL_DATE_RE.search(row)) for no, row in rows]
                dated = [(no, m) for no, m in dated if m]
                if dated:
                    no, m = dated[0]
                    yield Hit(
                        "birth_date", f"{_mask_date(m.group(0))} ({len(dated)})", no, in_table=True
                    )
            i = j
        else:
            i += 1


class _TableText(HTMLParser):
    """Rewrite ``<table>`` markup as pipe rows (a separator after the header row)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.depth = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.row_is_header = False
        self.rows_in_table = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
            self.rows_in_table = 0
            self.out.append("\n")
        elif self.depth and tag == "tr":
            self.row, self.row_is_header = [], False
        elif self.depth and tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row_is_header = self.row_is_header or tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.out.append("\n| " + " | ".join(self.row) + " |")
            if self.rows_in_table == 0:
                self.out.append("\n|" + "---|" * max(1, len(self.row)))
            self.rows_in_table += 1
            self.row = None
        elif tag == "table" and self.depth:
            self.depth -= 1
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        elif not self.depth:
            self.out.append(data)


def _html_tables_to_pipes(text: str) -> str:
    if "<table" not in text.lower():
        return text
    parser = _TableText()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)
