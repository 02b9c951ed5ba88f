"""The disclosure rules as typed objects: regimes, sections, deadlines.

Built by :mod:`edusite.disclosure.rules` from the YAML data file after validation; everything
here is immutable and free of I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..security.privacy import KINDS
from .dates import (
    Period,
    clamp_date,
    is_working_day,
    previous_weekday,
    shift_month,
    working_days_between,
)

PERIODIC_KINDS = ("monthly", "weekly")
DEADLINE_KINDS = ("yearly", "annual_report", *PERIODIC_KINDS)
SEVERITIES = ("error", "warning")
CONFIDENCES = ("H", "M", "L", "mem")
CONTENT_KINDS = ("any", "body", "attachment", "both")
#: Privacy patterns the checker knows; their severity and confidence come from the data.
PRIVACY_KINDS = KINDS


@dataclass(frozen=True)
class Deadline:
    """When a section (or one period of it) must be online."""

    kind: str
    month: int = 6
    day: int = 30
    year_offset: int = 0
    report_year_offset: int = -1
    months_before: int = 1
    weekday: int = 5
    weeks_before: int = 1
    lookback: int = 2
    months: tuple[int, ...] = tuple(range(1, 13))
    confidence: str = "M"
    source: str = ""

    @property
    def periodic(self) -> bool:
        """True for monthly and weekly sections (one page per period)."""
        return self.kind in PERIODIC_KINDS

    def due_for_year(self, start: int) -> date:
        """Deadline of a yearly or annual-report section in school year ``start``.

        ``yearly``: ``day/month`` of ``start + year_offset``. ``annual_report``: the report
        covers year ``R = start + report_year_offset`` and is due ``day/month`` of ``R + 1``.
        """
        if self.kind == "annual_report":
            return clamp_date(self.report_year(start) + 1, self.month, self.day)
        return clamp_date(start + self.year_offset, self.month, self.day)

    def report_year(self, start: int) -> int:
        """The calendar year an annual report in school year ``start`` covers."""
        return start + self.report_year_offset

    def due_for_period(self, period: Period) -> date:
        """Deadline of one month or week: e.g. the 25th of the month before, the Saturday before."""
        if self.kind == "monthly":
            y, m = shift_month(period.start.year, period.start.month, -self.months_before)
            return clamp_date(y, m, self.day)
        return previous_weekday(period.start, self.weekday, self.weeks_before)


@dataclass(frozen=True)
class UpdateRule:
    """Changes must be online within ``working_days`` working days of the data date (``as_of``)."""

    working_days: int = 10
    severity: str = "warning"
    confidence: str = "M"
    source: str = ""


@dataclass(frozen=True)
class FinalizationRule:
    """The previous year's finance is updated after the accounts are approved (quyết toán).

    The page records the approval date in front-matter ``field``; ``updated`` must follow within
    ``working_days``. Without the date, from ``due`` (``day/month`` of ``Y + year_offset`` for the
    folder ``Y-(Y+1)``) the page is reported as not yet updated.
    """

    field: str = "quyet_toan"
    working_days: int = 10
    month: int = 12
    day: int = 31
    year_offset: int = 0
    severity: str = "warning"
    confidence: str = "M"
    source: str = ""


@dataclass(frozen=True)
class Item:
    """One required item of a section (a clause or point of the circular) a page must cover.

    A page covers it with a heading (or a row label of a table, or an attachment's title) that
    contains one of ``match`` (compared without tones), or by naming it in front matter
    (``items: {<id>: <attached file>}``). ``levels`` limits it to some levels; ``flag`` to units
    whose ``extra.unit.disclosure.<flag>`` is true.
    """

    id: str
    title: str
    source: str = ""
    confidence: str = "M"
    levels: tuple[str, ...] = ()
    flag: str | None = None
    match: tuple[str, ...] = ()
    severity: str | None = None

    def owed_by(self, levels: Iterable[str], flags: Mapping[str, object]) -> bool:
        """True when a unit teaching ``levels`` with ``flags`` owes this item."""
        if self.flag is not None and flags.get(self.flag) is not True:
            return False
        return not self.levels or any(lv in self.levels for lv in levels)


@dataclass(frozen=True)
class StaleRule:
    """Data older than ``max_age_days`` before the deadline is stale (copied from an old year)."""

    max_age_days: int = 365
    severity: str = "warning"


@dataclass(frozen=True)
class Section:
    """One disclosure section of a regime and what it demands."""

    slug: str
    title: str
    deadline: Deadline
    levels: tuple[str, ...] = ()
    levels_with_flag: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    basis: Mapping[str, str] = field(default_factory=dict)
    forms: Mapping[str, str] = field(default_factory=dict)
    required_fields: tuple[str, ...] = ()
    content: str = "any"
    severity: str = "error"
    confidence: str = "M"
    update: UpdateRule | None = None
    stale: StaleRule | None = None
    description: str = ""
    source: str = ""
    items: tuple[Item, ...] = ()
    finalization: FinalizationRule | None = None

    def owed_items(self, levels: Iterable[str], flags: Mapping[str, object]) -> list[Item]:
        """The items a unit teaching ``levels`` owes (liên cấp: the union over its levels)."""
        levels = list(levels)
        return [i for i in self.items if i.owed_by(levels, flags)]

    @property
    def periodic(self) -> bool:
        """True when the section is published per month or week."""
        return self.deadline.periodic

    def owing_levels(self, levels: Iterable[str], flags: Mapping[str, object]) -> list[str]:
        """Which of ``levels`` owe this section, given the unit's disclosure flags."""
        out: list[str] = []
        for level in levels:
            if level in self.levels:
                out.append(level)
                continue
            for flag, flagged in self.levels_with_flag.items():
                if level in flagged and flags.get(flag) is True:
                    out.append(level)
                    break
        return out

    def basis_for(self, levels: Iterable[str]) -> str:
        """Legal basis for a unit's levels; per-level articles are joined (liên cấp)."""
        texts: list[str] = []
        for level in levels:
            text = self.basis.get(level, self.basis.get("*", ""))
            if text and text not in texts:
                texts.append(text)
        return "; ".join(texts) or self.basis.get("*", "")

    def forms_for(self, levels: Iterable[str]) -> str:
        """Legacy form numbers (TT36 "Biểu mẫu") for a unit's levels, if the data lists any."""
        texts = [self.forms[lv] for lv in levels if lv in self.forms]
        return "; ".join(dict.fromkeys(texts))


@dataclass(frozen=True)
class Regime:
    """A legal regime applying to a range of school years (e.g. TT 09/2024 from 2024-2025)."""

    id: str
    title: str
    basis: str
    sections: tuple[Section, ...]
    first_year: int | None = None
    last_year: int | None = None
    confidence: str = "H"
    due_overrides: Mapping[int, date] = field(default_factory=dict)
    source: str = ""

    def covers(self, start: int) -> bool:
        """True when school year ``start`` falls in ``[from, until]``."""
        return (self.first_year is None or start >= self.first_year) and (
            self.last_year is None or start <= self.last_year
        )

    def section(self, slug: str) -> Section | None:
        """The section with ``slug``, if the regime has one."""
        return next((s for s in self.sections if s.slug == slug), None)

    def owed(self, levels: Iterable[str], flags: Mapping[str, object]) -> list[Section]:
        """Sections owed by a unit teaching ``levels`` (liên cấp: the union over its levels)."""
        levels = list(levels)
        return [s for s in self.sections if s.owing_levels(levels, flags)]


@dataclass(frozen=True)
class PrivacyRule:
    """Severity and confidence of one personal-data pattern."""

    severity: str = "error"
    confidence: str = "H"


@dataclass(frozen=True)
class Rules:
    """The complete, validated rule set (default data merged with any network override)."""

    regimes: tuple[Regime, ...]
    files: tuple[Path, ...] = ()
    retention_years: int = 5
    deadline_inclusive: bool = True
    holidays: frozenset[date] = frozenset()
    privacy: Mapping[str, PrivacyRule] = field(default_factory=dict)
    #: Saturdays made working days (làm bù), from the holiday calendar.
    working_saturdays: frozenset[date] = frozenset()
    #: Years the holiday calendar covers, its file and source.
    calendar_years: frozenset[int] = frozenset()
    calendar_file: Path | None = None
    calendar_source: str = ""
    #: Names of the holidays (for ``edusite check --explain``).
    holiday_names: Mapping[date, str] = field(default_factory=dict)
    deadline_inclusive_source: str = ""
    deadline_inclusive_confidence: str = "H"
    placeholders: tuple[str, ...] = ()
    historical_before: int = 1945

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday minus holidays, plus the Saturdays made working days."""
        return is_working_day(day, self.holidays, self.working_saturdays, self.calendar_years)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]`` (see :meth:`is_working_day`)."""
        return working_days_between(
            start, end, self.holidays, self.working_saturdays, self.calendar_years
        )

    def regime_for(self, start: int) -> Regime | None:
        """The regime of school year ``start`` (the data's ``from``/``until`` decide)."""
        return next((r for r in self.regimes if r.covers(start)), None)

    def due_for_year(self, regime: Regime, section: Section, start: int) -> date:
        """Deadline of a yearly section, honouring the regime's per-year overrides."""
        override = regime.due_overrides.get(start)
        return override if override is not None else section.deadline.due_for_year(start)

    def is_late(self, day: date, due: date) -> bool:
        """True when ``day`` misses ``due`` (on the day itself is in time when inclusive)."""
        return day > due if self.deadline_inclusive else day >= due

    def privacy_rule(self, kind: str) -> PrivacyRule:
        """Severity for a personal-data pattern (``cccd``, ``phone``, ``birth_date``)."""
        return self.privacy.get(kind, PrivacyRule())
