"""Vietnamese text helpers: NFC, slugs (tones folded, đ→d), folding for search, dates.

Everything here is pure Python and independent of MkDocs.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from slugify import slugify as _slugify

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: Date used where a feed item has none (sorted last, reproducible).
EPOCH_LOCAL = datetime(2000, 1, 1, tzinfo=TZ)


def nfc(text: str) -> str:
    """Normalise ``text`` to Unicode NFC (Word and Zalo copy-paste often yields NFD)."""
    return unicodedata.normalize("NFC", text)


class _FoldMap(dict[int, "str | None"]):
    """``str.translate`` table, filled on first use of each character: combining marks go,
    a character with marks becomes its base letter(s), đ/Đ become d/D."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        if unicodedata.combining(char):
            value: str | None = None
        else:
            decomposed = unicodedata.normalize("NFD", char)
            value = "".join(c for c in decomposed if not unicodedata.combining(c))
            value = unicodedata.normalize("NFC", value)
        self[code] = value
        return value


_FOLD = _FoldMap({ord("đ"): "d", ord("Đ"): "D"})


def fold(text: str) -> str:
    """Lower-case ``text`` and remove Vietnamese tones and marks, mapping đ to d.

    ``fold("Đại hội Đoàn")`` gives ``"dai hoi doan"``; used for slugs and search keys.
    The same as NFD, dropping combining marks, NFC, lower-case (a test checks every code point), one
    character at a time through a table (about 10x faster: a build folds every page).
    """
    folded = text.translate(_FOLD)
    return (folded if folded.isascii() else unicodedata.normalize("NFC", folded)).lower()


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII URL slug: tones folded, đ→d, words joined by hyphens (``dai-hoi-doan``)."""
    return _slugify(fold(text), max_length=max_length, word_boundary=True) or "bai-viet"


def toc_slugify(value: str, separator: str = "-") -> str:
    """Heading anchors (Python-Markdown's ``toc`` ``slugify``, set in the base ``mkdocs.yml``):
    the same folding as :func:`slugify`, so "Địa chỉ và điện thoại" is ``#dia-chi-va-dien-thoai``
    (the default dropped đ: ``#ia-chi-va-ien-thoai``); never cut."""
    return _slugify(fold(value), max_length=0, separator=separator) or "muc"


def format_date(value: date | datetime) -> str:
    """Format as ``dd/mm/yyyy`` in Asia/Ho_Chi_Minh."""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime) -> str:
    """Format as ``HH:MM dd/mm/yyyy`` in Asia/Ho_Chi_Minh."""
    return to_local(value).strftime("%H:%M %d/%m/%Y")


def to_local(value: datetime | date) -> datetime:
    """Return a timezone-aware datetime in Asia/Ho_Chi_Minh (naive values are taken as local)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0, 0))
    if value.tzinfo is None:
        return value.replace(tzinfo=TZ)
    return value.astimezone(TZ)


_DATE_RE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_VN_DATE_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?\s*$")


#: Dates outside these years are refused: typos (``0226``, ``20266``) and values whose time-zone
#: arithmetic would overflow (``0001-01-01`` has no UTC timestamp one day earlier).
MIN_YEAR, MAX_YEAR = 1900, 2999
#: Longer strings are not dates (and are not run through the patterns).
_MAX_DATE_TEXT = 64


def parse_datetime(value: object) -> datetime:
    """Parse a front-matter date into an aware datetime (Asia/Ho_Chi_Minh when no zone is given).

    Accepts YAML dates and datetimes, ``yyyy-mm-dd[ HH:MM[:SS]][zone]`` and ``dd/mm/yyyy[ HH:MM]``,
    in the years :data:`MIN_YEAR` to :data:`MAX_YEAR`. Raises ``ValueError`` (and nothing else)
    for anything else: other types, NaN, impossible days (30/02), out-of-range values.
    """
    try:
        result = _parse_datetime(value)
    except (ArithmeticError, TypeError) as exc:  # OverflowError of a time-zone shift, …
        raise ValueError(f"invalid date: {exc}") from exc
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ValueError(f"year {result.year} outside {MIN_YEAR}-{MAX_YEAR}")
    return result


def _parse_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return to_local(value)
    if isinstance(value, date):
        return to_local(value)
    if not isinstance(value, str) or len(value) > _MAX_DATE_TEXT:
        raise ValueError("not a date")
    m = _DATE_RE.match(value)
    if m:
        y, mo, d, hh, mm, ss, zone = m.groups()
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        if zone:
            return to_local(
                datetime.fromisoformat(dt.isoformat() + ("+00:00" if zone == "Z" else zone))
            )
        return dt.replace(tzinfo=TZ)
    m = _VN_DATE_RE.match(value)
    if m:
        d, mo, y, hh, mm = m.groups()
        return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), tzinfo=TZ)
    raise ValueError(value)


_PINNED: list[datetime] = []


def pin_now(moment: datetime | None) -> None:
    """Make :func:`now` return ``moment`` (a build run's time, :mod:`edusite.context`), or
    release the pin with ``None``."""
    _PINNED[:] = [to_local(moment)] if moment is not None else []


def now() -> datetime:
    """The current time in Asia/Ho_Chi_Minh: the running build's, else ``EDUSITE_NOW`` (ISO date
    or datetime, read at the command-line edge), else the clock."""
    import os

    if _PINNED:
        return _PINNED[0]
    pinned = os.environ.get("EDUSITE_NOW")
    if pinned:
        return parse_datetime(pinned)
    return datetime.now(TZ)


def human_size(size: int) -> str:
    """``532 B``, ``245 KB``, ``3,4 MB`` (1 KB = 1024 bytes; Vietnamese decimal comma)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
