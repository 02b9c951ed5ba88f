"""Results of the disclosure check: findings, and statuses per period, section, year and unit.

Plain data shared by the CLI report, JSON and JUnit outputs, the index page and the dashboards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..structure.network import Unit
from .dates import Period, school_year_label
from .model import Regime, Section
from .pages import DisclosurePage

#: Finding kinds and the status they give an item when their severity is "error".
KIND_STATUS = {
    "missing": "missing",
    "empty": "missing",
    "content": "missing",
    "late": "late",
    "late-update": "late",
    "attachment-missing": "error",
    "attachment-unreadable": "error",
    "stale": "error",
    "item-missing": "missing",
    "placeholder": "missing",
    "removed": "missing",
    "finalization": "late",
    "index-missing": "error",
    "unrecognised": "error",
    "cccd": "error",
    "cmnd": "error",
    "phone": "error",
    "birth_date": "error",
    "address": "error",
    "class_list": "error",
    "front-matter": "error",
}
#: Item statuses, worst first, with their Vietnamese label and mark.
STATUSES = {
    "missing": ("thiếu", "✗"),
    "late": ("trễ hạn", "✗"),
    "error": ("lỗi", "✗"),
    "warning": ("cảnh báo", "⚠"),
    "ok": ("đạt", "✓"),
    "not-due": ("chưa đến hạn", "…"),
    "unchecked": ("không yêu cầu", "–"),
}


@dataclass
class Finding:
    """One thing wrong (or worth a warning) about a unit's disclosure."""

    kind: str
    severity: str
    unit: str
    vi: str
    en: str
    school_year: str | None = None
    section: str | None = None
    period: str | None = None
    file: str | None = None
    field: str | None = None

    @property
    def message(self) -> str:
        """``vi / en``."""
        return f"{self.vi} / {self.en}"

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON form (see docs/disclosure.md)."""
        return {
            "unit": self.unit,
            "school_year": self.school_year,
            "section": self.section,
            "period": self.period,
            "kind": self.kind,
            "severity": self.severity,
            "file": self.file,
            "field": self.field,
            "message_vi": self.vi,
            "message_en": self.en,
        }


@dataclass
class PeriodResult:
    """One month or week of a periodic section."""

    period: Period
    due: date
    required: bool
    page: DisclosurePage | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        """Status of this period (see :data:`STATUSES`)."""
        if self.page is None and not self.required:
            return "unchecked"
        return status_of(self.findings)


@dataclass
class ItemResult:
    """One (school year, section) of a unit: the section's page(s), due date and findings."""

    section: Section
    school_year: int
    owed: bool
    due: date | None
    page: DisclosurePage | None = None
    periods: list[PeriodResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    status: str = "ok"

    @property
    def all_findings(self) -> list[Finding]:
        """The item's findings and those of its periods."""
        return self.findings + [f for p in self.periods for f in p.findings]


@dataclass
class YearResult:
    """One school year of a unit under its regime."""

    school_year: int
    regime: Regime
    required: bool
    items: list[ItemResult] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``2026-2027``."""
        return school_year_label(self.school_year)


@dataclass
class UnitResult:
    """Everything the check found for one unit."""

    unit: Unit
    today: date
    years: list[YearResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # not tied to one section

    @property
    def all_findings(self) -> list[Finding]:
        """Every finding of the unit, in report order."""
        out = list(self.findings)
        for year in self.years:
            for item in year.items:
                out.extend(item.all_findings)
        return out

    @property
    def bad_input(self) -> bool:
        """True when a page's front matter is invalid (the CLI then exits with 2)."""
        return any(f.kind == "front-matter" for f in self.all_findings)

    def year(self, start: int) -> YearResult | None:
        """The result for school year ``start``, if it was checked."""
        return next((y for y in self.years if y.school_year == start), None)


def status_of(findings: list[Finding]) -> str:
    """The worst status among error findings; ``warning`` when only warnings; else ``ok``."""
    errors = [KIND_STATUS.get(f.kind, "error") for f in findings if f.severity == "error"]
    for status in ("missing", "late", "error"):
        if status in errors:
            return status
    return "warning" if findings else "ok"
