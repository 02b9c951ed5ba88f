"""The disclosure rules as typed objects: regimes, sections, deadlines.

Built by :mod:`edusite.disclosure.rules` from the YAML data file after validation; everything
here is immutable and free of I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .dates import Period, clamp_date, previous_weekday, shift_month

PERIODIC_KINDS = ("monthly", "weekly")
DEADLINE_KINDS = ("yearly", "annual_report", *PERIODIC_KINDS)
SEVERITIES = ("error", "warning")
CONFIDENCES = ("H", "M", "L", "mem")
CONTENT_KINDS = ("any", "body", "attachment", "both")
#: Privacy patterns the checker knows; their severity and confidence come from the data.
PRIVACY_KINDS = ("cccd", "phone", "birth_date")


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
