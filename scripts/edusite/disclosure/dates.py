"""Calendar arithmetic for disclosure deadlines: school years, working days, periods.

Pure functions on :class:`datetime.date`; nothing here knows about files or MkDocs. A school
year is written ``2025-2026`` and identified in code by its start year (2025). A new school year
starts on 1 September.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ..text import MAX_YEAR, MIN_YEAR

_YEAR_RE = re.compile(r"^(\d{4})-(\d{4})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

#: Weekday names accepted in the rules file (Monday = 0, as in :meth:`date.weekday`).
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
#: Vietnamese weekday names for messages (thứ Hai … Chủ nhật).
WEEKDAY_VI = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


def school_year_label(start: int) -> str:
    """``2025`` → ``"2025-2026"``."""
    return f"{start}-{start + 1}"


def parse_school_year(text: object) -> int:
    """``"2025-2026"`` → ``2025``; raises ``ValueError`` unless the second year follows the first."""
    m = _YEAR_RE.match(str(text).strip()) if isinstance(text, (str, int)) else None
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise ValueError(f"invalid school year {text!r}")
    if not MIN_YEAR <= int(m.group(1)) < MAX_YEAR:
        raise ValueError(f"school year {text!r} outside {MIN_YEAR}-{MAX_YEAR}")
    return int(m.group(1))


def school_year_of(day: date) -> int:
    """Start year of the school year containing ``day`` (1 September starts a new one)."""
    return day.year if day.month >= 9 else day.year - 1


def school_year_bounds(start: int) -> tuple[date, date]:
    """First and last day of school year ``start`` (1/9 to 31/8)."""
    return date(start, 9, 1), date(start + 1, 8, 31)


def clamp_date(year: int, month: int, day: int) -> date:
    """``date(year, month, day)``, moving a day past the month's end to its last day (29/02 → 28/02)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


#: Public holidays on fixed dates: counted for years the holiday calendar does not cover.
FIXED_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 2))


def is_working_day(
    day: date,
    holidays: Iterable[date] = (),
    working_saturdays: Iterable[date] = (),
    calendar_years: Iterable[int] | None = None,
) -> bool:
    """Monday to Friday and not listed in ``holidays``; Saturdays in ``working_saturdays`` work.

    For a year outside ``calendar_years`` (when given), the fixed-date holidays
    (:data:`FIXED_HOLIDAYS`) are days off too.
    """
    if day in set(working_saturdays):
        return True
    if day.weekday() >= 5 or day in set(holidays):
        return False
    years = set(calendar_years) if calendar_years is not None else None
    return not (
        years is not None and day.year not in years and (day.month, day.day) in FIXED_HOLIDAYS
    )


def add_working_days(
    start: date,
    count: int,
    holidays: Iterable[date] = (),
    working_saturdays: Iterable[date] = (),
    calendar_years: Iterable[int] | None = None,
) -> date:
    """The date ``count`` working days after ``start`` (the day after ``start`` is the first candidate).

    ``add_working_days(Friday, 1)`` is the next Monday; with ``count == 0`` it returns ``start``.
    """
    off, on = set(holidays), set(working_saturdays)
    years = set(calendar_years) if calendar_years is not None else None
    day = start
    left = count
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, off, on, years):
            left -= 1
    return day


def working_days_between(
    start: date,
    end: date,
    holidays: Iterable[date] = (),
    working_saturdays: Iterable[date] = (),
    calendar_years: Iterable[int] | None = None,
) -> int:
    """Working days in ``(start, end]``: how many working days after ``start`` ``end`` falls."""
    if end <= start:
        return 0
    off, on = set(holidays), set(working_saturdays)
    years = set(calendar_years) if calendar_years is not None else None
    return sum(
        1
        for i in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(i), off, on, years)
    )


def previous_weekday(week_start: date, weekday: int, weeks_before: int = 1) -> date:
    """The given weekday of the week ``weeks_before`` weeks before the week starting ``week_start``.

    ``previous_weekday(Monday 23/11/2026, 5)`` is Saturday 21/11/2026.
    """
    monday = week_start - timedelta(days=week_start.weekday())
    return monday - timedelta(weeks=weeks_before) + timedelta(days=weekday)


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """``(year, month)`` moved by ``delta`` months (January − 1 → December of the previous year)."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@dataclass(frozen=True, order=True)
class Period:
    """A month (``2026-11``) or an ISO week (``2026-W47``) of a periodic section."""

    kind: str  # "monthly" or "weekly"
    start: date

    @property
    def label(self) -> str:
        """Canonical text: ``2026-11`` or ``2026-W47``."""
        if self.kind == "monthly":
            return f"{self.start:%Y-%m}"
        iso = self.start.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"

    @property
    def end(self) -> date:
        """Last day of the period."""
        if self.kind == "monthly":
            return clamp_date(self.start.year, self.start.month, 31)
        return self.start + timedelta(days=6)

    @property
    def text_vi(self) -> str:
        """Human label: ``tháng 11/2026`` or ``tuần 47 (16/11 - 22/11/2026)``."""
        if self.kind == "monthly":
            return f"tháng {self.start:%m/%Y}"
        iso = self.start.isocalendar()
        return f"tuần {iso[1]} ({self.start:%d/%m} - {self.end:%d/%m/%Y})"

    @property
    def school_year(self) -> int:
        """Start year of the school year the period belongs to (by its first day)."""
        return school_year_of(self.start)

    def shifted(self, count: int) -> Period:
        """The period ``count`` months or weeks later (earlier when negative)."""
        if self.kind == "monthly":
            y, m = shift_month(self.start.year, self.start.month, count)
            return Period("monthly", date(y, m, 1))
        return Period("weekly", self.start + timedelta(weeks=count))


def parse_period(kind: str, value: object) -> Period:
    """Parse a ``period`` front-matter value for a monthly or weekly section.

    Monthly: ``2026-11``. Weekly: an ISO week ``2026-W47`` or any date of the week
    (``2026-11-16``); the period is the Monday-to-Sunday week containing it.
    Raises ``ValueError`` (only) when the text does not fit or the year is outside
    :data:`~edusite.text.MIN_YEAR`-:data:`~edusite.text.MAX_YEAR`.
    """
    period = _parse_period(kind, value)
    if not MIN_YEAR <= period.start.year <= MAX_YEAR:
        raise ValueError(f"period {period.label} outside {MIN_YEAR}-{MAX_YEAR}")
    return period


def _parse_period(kind: str, value: object) -> Period:
    if isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value).strip() if isinstance(value, (str, int)) else ""
    if kind == "monthly":
        m = _MONTH_RE.match(text)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(text)
        return Period("monthly", date(int(m.group(1)), int(m.group(2)), 1))
    if kind == "weekly":
        m = _WEEK_RE.match(text)
        if m:
            return Period("weekly", date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
        m = _DAY_RE.match(text)
        if m:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return Period("weekly", day - timedelta(days=day.weekday()))
        raise ValueError(text)
    raise ValueError(f"not a periodic kind: {kind}")


def period_containing(kind: str, day: date) -> Period:
    """The month or ISO week that contains ``day``."""
    if kind == "monthly":
        return Period("monthly", day.replace(day=1))
    return Period("weekly", day - timedelta(days=day.weekday()))
