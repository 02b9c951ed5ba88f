"""Which required items a disclosure page covers, and what on it is only a placeholder.

A page declares the items of its section (TT 09/2024 clause by clause, see
``data/disclosure-rules.yml``) the way editors already write them:

* a heading (``## 3. Người phát ngôn``), a bold label (``- **Tuyển sinh:** …``), a label line
  (``Người phát ngôn: …``) or the first cell of a table row (``| Loại hình | Công lập |``)
  that contains one of the item's ``match`` phrases, compared without tones; the heading's
  block (up to the next heading of the same or a higher level) or the rest of the line/row must
  hold real content;
* an attachment whose title (or file name) contains one of the phrases;
* front matter ``items: {<item id>: <attached file>}`` for an attachment whose title does not say.

Placeholders are errors wherever they are: a line or a table cell that says only "đang cập nhật"
(any phrase of the rules' ``placeholders``, at most 8 words), and a table whose value cells are
all empty or ``…``. Line numbers are the file's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..text import fold
from .model import Item

_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LABEL_RE = re.compile(r"^\s*(?:[-*+]\s+|\d{1,3}[.)]\s+)?\*\*(.+?)\*\*\s*:?\s*(.*)$")
_LABEL_RE = re.compile(r"^\s*(?:[-*+]\s+)?([^:|#*]{3,80}?)\s*:\s+(\S.*)$")
_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_NUMBERING_RE = re.compile(r"^(?:[ivxlc]+|\d+(?:\.\d+)*|[a-z])\s*[.)/-]\s*")
_ATTR_RE = re.compile(r"\{[^}]*\}\s*$")
_MARKUP_RE = re.compile(r"[*_`~\[\]()>#!]|\{[^}]*\}")
#: A cell that holds nothing (the skeleton tables of ``edusite new disclosure``).
FILLERS = frozenset({"", "…", "...", "-", "—", "–", ".", "x", "?", "…………", "......"})


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    """Folded, markup and numbering stripped: ``## 3. **Người phát ngôn**`` → ``nguoi phat ngon``.

    Memoised: a province's pages repeat the same labels and cells thousands of times."""
    text = _ATTR_RE.sub("", text)
    text = fold(_MARKUP_RE.sub(" ", text))
    text = " ".join(text.split())
    return _NUMBERING_RE.sub("", text).strip(" :.-")


@lru_cache(maxsize=4096)
def _phrases_re(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for "any of ``phrases`` as whole words" (longest first), or ``None``."""
    if not phrases:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _contains(label: str, phrases: Iterable[str]) -> bool:
    pattern = _phrases_re(tuple(phrases))
    return pattern is not None and pattern.search(label) is not None


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


@lru_cache(maxsize=65536)
def _is_placeholder(text: str, phrases: tuple[str, ...]) -> bool:
    """``text`` says only "đang cập nhật" (one of ``phrases``, folded) in at most 8 words."""
    words = _norm(text)
    if not words or len(words.split()) > 8:
        return False
    return _contains(words, phrases)


@dataclass
class Coverage:
    """What one page covers and what is only a placeholder on it."""

    #: item id -> where it is covered ("dòng 12", "tệp 'x.pdf'")
    covered: dict[str, str] = field(default_factory=dict)
    #: item id -> line of a heading or label whose content is empty or a placeholder
    hollow: dict[str, int] = field(default_factory=dict)
    #: (line, text) of lines and cells that are placeholders
    placeholders: list[tuple[int, str]] = field(default_factory=list)
    #: lines of the header rows of tables with nothing filled in
    empty_tables: list[int] = field(default_factory=list)


class _Page:
    """The body as numbered lines, its headings and tables."""

    def __init__(self, body: str, first_line: int, placeholders: Sequence[str]) -> None:
        body = _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), body)
        self.lines = body.split("\n")
        self.first = first_line
        self.phrases = tuple(fold(p) for p in placeholders)
        self.headings: list[tuple[int, int, str]] = []  # (index, level, text)
        self.table_rows: dict[int, list[str]] = {}  # index -> cells of body rows
        self.tables: list[tuple[int, list[int]]] = []  # (header index, row indexes)
        in_fence = False
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
            elif not in_fence:
                m = _HEADING_RE.match(line)
                if m:
                    self.headings.append((i, len(m.group(1)), m.group(2)))
                elif (
                    "|" in line
                    and i + 1 < len(self.lines)
                    and _SEPARATOR_RE.match(self.lines[i + 1])
                ):
                    rows = []
                    j = i + 2
                    while j < len(self.lines) and "|" in self.lines[j] and self.lines[j].strip():
                        self.table_rows[j] = _cells(self.lines[j])
                        rows.append(j)
                        j += 1
                    self.tables.append((i, rows))
                    for k in range(i, j):
                        self.table_rows.setdefault(k, [])
                    i = j
                    continue
            i += 1

    def line_no(self, index: int) -> int:
        return self.first + index

    def is_placeholder(self, text: str) -> bool:
        return _is_placeholder(text, self.phrases)

    def has_content(self, start: int, end: int) -> bool:
        """True when lines ``[start, end)`` hold text or a filled table row (not placeholders)."""
        for i in range(start, end):
            line = self.lines[i]
            if not line.strip() or _HEADING_RE.match(line) or _SEPARATOR_RE.match(line):
                continue
            if i in self.table_rows:
                cells = self.table_rows[i]
                if any(c.strip() not in FILLERS and not self.is_placeholder(c) for c in cells[1:]):
                    return True
                continue
            if not self.is_placeholder(line) and _norm(line) not in FILLERS:
                return True
        return False

    def block_end(self, index: int, level: int) -> int:
        for i, lv, _ in self.headings:
            if i > index and lv <= level:
                return i
        return len(self.lines)


def analyse(
    body: str,
    first_line: int,
    items: Sequence[Item],
    *,
    attachments: Sequence[tuple[str, str, bool]] = (),
    declared: Mapping[str, str] | None = None,
    placeholders: Sequence[str] = (),
) -> Coverage:
    """Coverage of ``items`` by a page body whose first line is line ``first_line`` of the file.

    ``attachments`` are ``(file, title, readable)``; ``declared`` the front matter ``items``.
    """
    page = _Page(body, first_line, placeholders)
    out = Coverage()
    # Placeholders anywhere, and tables with nothing in them.
    for i, line in enumerate(page.lines):
        if i in page.table_rows:
            for cell in page.table_rows[i]:
                if page.is_placeholder(cell):
                    out.placeholders.append((page.line_no(i), cell.strip()))
        elif line.strip() and not _SEPARATOR_RE.match(line) and page.is_placeholder(line):
            out.placeholders.append((page.line_no(i), line.strip()))
    for header, rows in page.tables:
        values = [c for r in rows for c in page.table_rows[r][1:]]
        if len(page.table_rows[rows[0]] if rows else []) == 1:
            values = [c for r in rows for c in page.table_rows[r]]
        if all(v.strip() in FILLERS or page.is_placeholder(v) for v in values):
            out.empty_tables.append(page.line_no(header))
    # Labels a page may cover an item with: headings, bold labels, label lines, table rows.
    labels: list[tuple[str, int, bool]] = []  # (normalised label, line index, has content)
    for index, level, text in page.headings:
        filled = page.has_content(index + 1, page.block_end(index, level))
        attr = re.search(r"\{[^}]*#([a-z0-9-]+)[^}]*\}\s*$", text)
        if attr:  # "## Sơ đồ {#co-cau-to-chuc}": the item named by its id
            labels.append((f"#{attr.group(1)}", index, filled))
        labels.append((_norm(text), index, filled))
    for i, line in enumerate(page.lines):
        if i in page.table_rows:
            cells = page.table_rows[i]
            if cells and _SEPARATOR_RE.match(line) is None:
                filled = any(
                    c.strip() not in FILLERS and not page.is_placeholder(c) for c in cells[1:]
                )
                labels.append((_norm(cells[0]), i, filled))
            continue
        if _HEADING_RE.match(line):
            continue
        m = _BOLD_LABEL_RE.match(line) or _LABEL_RE.match(line)
        if m:
            rest = m.group(2).strip()
            filled = bool(rest) and not page.is_placeholder(rest) and _norm(rest) not in FILLERS
            if not filled and not rest:  # a label alone on its line: the lines below hold it
                end = next(
                    (k for k in range(i + 1, len(page.lines)) if not page.lines[k].strip()),
                    len(page.lines),
                )
                filled = page.has_content(i + 1, end)
            labels.append((_norm(m.group(1)), i, filled))
    files = [(f, fold(f"{t} {f}"), ok) for f, t, ok in attachments]
    declared = dict(declared or {})
    for item in items:
        phrases = [fold(p) for p in item.match]
        found = [
            (i, ok)
            for label, i, ok in labels
            if label == f"#{item.id}" or _contains(label, phrases)
        ]
        good = next((i for i, ok in found if ok), None)
        if good is not None:
            out.covered[item.id] = f"dòng {page.line_no(good)}"
            continue
        attached = declared.get(item.id)
        if attached is not None and any(f == attached and ok for f, _, ok in files):
            out.covered[item.id] = f"tệp '{attached}'"
            continue
        by_title = next((f for f, title, ok in files if ok and _contains(title, phrases)), None)
        if by_title is not None:
            out.covered[item.id] = f"tệp '{by_title}'"
            continue
        if found:
            out.hollow[item.id] = page.line_no(found[0][0])
    return out
