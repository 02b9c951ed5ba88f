"""Report periods in Vietnam time: months, quarters, school years, and weeks inside them.

Rules (documented in ``docs/reports.md``):

* Dates are local dates in Asia/Ho_Chi_Minh: a post at 2026-03-31 23:30 +07:00 is in March,
  one at 2026-03-31 17:30Z (= 2026-04-01 00:30 +07:00) is in April.
* A school year runs from 1 September to 31 August.
* Weeks run Monday to Sunday and belong to the month (quarter, school year) of their Thursday,
  as ISO weeks belong to the year of their Thursday; a week keeps all seven days even when some
  fall in the neighbouring month.
* A period of another kind belongs to a report period when it lies entirely inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from ..text import to_local

KINDS = ("week", "month", "quarter", "school-year")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})-(\d{4})$")


@dataclass(frozen=True)
class Period:
    """A closed range of local dates ``[start, end]`` with a label and a Vietnamese title."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        """Machine label: ``2026-03``, ``2026-Q1``, ``2025-2026``, ``2026-W14``."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "school-year":
            return f"{self.start.year}-{self.end.year}"
        year, week, _ = (self.start + timedelta(days=3)).isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def title(self) -> str:
        """Reader's title: ``Tháng 03/2026``, ``Quý I/2026``, ``Năm học 2025-2026``, a week."""
        if self.kind == "month":
            return f"Tháng {self.start:%m/%Y}"
        if self.kind == "quarter":
            return f"Quý {ROMAN[(self.start.month - 1) // 3 + 1]}/{self.start.year}"
        if self.kind == "school-year":
            return f"Năm học {self.start.year}-{self.end.year}"
        return f"Tuần {self.start:%d/%m}–{self.end:%d/%m/%Y}"

    def contains(self, moment: datetime | date) -> bool:
        """True when ``moment`` (converted to Vietnam time) falls on a day of the period."""
        day = to_local(moment).date() if isinstance(moment, datetime) else moment
        return self.start <= day <= self.end

    def anchor(self) -> date:
        """The day that decides which period this one belongs to (a week's Thursday)."""
        return self.start + timedelta(days=3) if self.kind == "week" else self.start

    def within(self, other: Period) -> bool:
        """True when this period belongs to ``other`` (weeks: by their Thursday)."""
        if self.kind == "week":
            return other.start <= self.anchor() <= other.end
        return other.start <= self.start and self.end <= other.end


def month(year: int, month_no: int) -> Period:
    """The calendar month ``year``-``month_no``."""
    start = date(year, month_no, 1)
    nxt = date(year + (month_no == 12), month_no % 12 + 1, 1)
    return Period("month", start, nxt - timedelta(days=1))


def quarter(year: int, number: int) -> Period:
    """Quarter ``number`` (1–4) of ``year``."""
    first = month(year, 3 * number - 2)
    last = month(year, 3 * number)
    return Period("quarter", first.start, last.end)


def school_year(start_year: int) -> Period:
    """School year ``start_year``-``start_year + 1``: 1 September to 31 August."""
    return Period("school-year", date(start_year, 9, 1), date(start_year + 1, 8, 31))


def week_of(day: date) -> Period:
    """The Monday–Sunday week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def current(kind: str, moment: datetime) -> Period:
    """The period of ``kind`` containing ``moment`` (Vietnam time)."""
    day = to_local(moment).date()
    if kind == "month":
        return month(day.year, day.month)
    if kind == "quarter":
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == "school-year":
        return school_year(day.year if day.month >= 9 else day.year - 1)
    return week_of(day)


def parse_period(kind: str, text: str) -> Period:
    """Parse ``2026-03`` (month), ``2026-Q1`` (quarter) or ``2025-2026`` (school year).

    Raises ``ValueError`` with a bilingual message.
    """
    text = text.strip()
    if kind == "month":
        m = _MONTH_RE.match(text)
        if m and 1 <= int(m.group(2)) <= 12:
            return month(int(m.group(1)), int(m.group(2)))
        expected = ("tháng dạng yyyy-mm, ví dụ 2026-03", "a month as yyyy-mm, e.g. 2026-03")
    elif kind == "quarter":
        m = _QUARTER_RE.match(text)
        if m:
            return quarter(int(m.group(1)), int(m.group(2)))
        expected = ("quý dạng yyyy-Qn, ví dụ 2026-Q1", "a quarter as yyyy-Qn, e.g. 2026-Q1")
    elif kind == "school-year":
        m = _YEAR_RE.match(text)
        if m and int(m.group(2)) == int(m.group(1)) + 1:
            return school_year(int(m.group(1)))
        expected = (
            "năm học dạng yyyy-yyyy liên tiếp, ví dụ 2025-2026",
            "a school year as two consecutive years, e.g. 2025-2026",
        )
    else:
        raise ValueError(f"loại kỳ '{kind}' không hợp lệ / unknown period kind '{kind}'")
    raise ValueError(
        f"'{text}' không hợp lệ: cần {expected[0]} / invalid '{text}': expected {expected[1]}"
    )


def split(period: Period, kind: str) -> list[Period]:
    """The periods of ``kind`` belonging to ``period``, in order.

    Weeks: every Monday–Sunday week whose Thursday lies in ``period``. Months, quarters and
    school years: those lying entirely inside ``period`` (none when it is shorter).
    """
    return list(_split(period, kind))


@lru_cache(maxsize=256)  # a portal's report asks the same for each of hundreds of members
def _split(period: Period, kind: str) -> list[Period]:
    """:func:`split`, cached (so never handed out: :func:`split` returns a copy)."""
    out: list[Period] = []
    if kind == "week":
        monday = week_of(period.start).start
        while monday <= period.end:
            week = Period("week", monday, monday + timedelta(days=6))
            if week.within(period):
                out.append(week)
            monday += timedelta(days=7)
        return out
    day = period.start
    while day <= period.end:
        candidate = current(kind, datetime(day.year, day.month, day.day))
        if candidate.within(period) and candidate not in out:
            out.append(candidate)
        day = candidate.end + timedelta(days=1)
    return out
