"""Check one unit's (or a whole network's) disclosure pages against the rules.

For each school or centre and each school year in the retention window this finds missing and
empty sections, missing or unreadable attachments, missed deadlines, late updates, stale data
and personal data. The result is plain data (:class:`UnitResult`) used by the CLI report, the
JSON and JUnit outputs, the "Công khai" index page and the portal dashboards alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..errors import Problem, display_path
from ..security import personal_data
from ..security.privacy import contact_phones, scan
from ..structure.network import Network, Unit
from ..text import format_date
from .dates import (
    Period,
    parse_school_year,
    period_containing,
    school_year_label,
    school_year_of,
    working_days_between,
)
from .model import Deadline, Regime, Rules, Section
from .pages import DisclosurePage, bad_year_folders, load_page, load_year, year_folders
from .results import Finding, ItemResult, PeriodResult, UnitResult, YearResult, status_of

_PRIVACY_TEXT = personal_data.TEXT  # the same words as the build-time check


def disclosure_flags(unit: Unit) -> dict[str, Any]:
    """``extra.unit.disclosure`` of a unit (``meals``, ``since``), or an empty mapping."""
    value = unit.raw.get("disclosure") if isinstance(unit.raw, dict) else None
    return value if isinstance(value, dict) else {}


def is_checked_unit(unit: Unit) -> bool:
    """Schools and centres owe disclosure; the Sở and portals do not."""
    return unit.kind in ("school", "center")


def required_periods(deadline: Deadline, today: date, rules: Rules) -> list[Period]:
    """The ``lookback`` most recent periods already due on ``today``, active months only.

    On Sunday 22/11/2026 with a weekly deadline (the Saturday before) and a lookback of 3 this
    is weeks 46, 47 and 48; with a monthly one (the 25th before) and 2, months 10 and 11.
    """
    ahead = max(deadline.months_before, deadline.weeks_before) + 2
    period = period_containing(deadline.kind, today).shifted(ahead)
    due: list[Period] = []
    while len(due) < deadline.lookback:
        if rules.is_late(today, deadline.due_for_period(period)):
            due.append(period)
        period = period.shifted(-1)
    return [p for p in due if p.start.month in deadline.months]


class _UnitChecker:
    def __init__(self, unit: Unit, docs_dir: Path, today: date, rules: Rules) -> None:
        self.unit = unit
        self.docs_dir = docs_dir
        self.today = today
        self.rules = rules
        self.flags = disclosure_flags(unit)
        self.levels = unit.school_levels
        self.phones = contact_phones(unit.raw, unit.phone, docs_dir)
        self.result = UnitResult(unit=unit, today=today)

    def finding(self, kind: str, severity: str, vi: str, en: str, **where: Any) -> Finding:
        return Finding(kind=kind, severity=severity, unit=self.unit.id, vi=vi, en=en, **where)

    def run(self, years: list[int] | None = None) -> UnitResult:
        current = school_year_of(self.today)
        window = list(range(current - self.rules.retention_years + 1, current + 2))
        if years is not None:
            window = [y for y in window if y in years]
        folders = year_folders(self.docs_dir)
        for p in bad_year_folders(self.docs_dir):
            self.result.findings.append(self._problem(p, None))
        since = self._since(folders, current)
        for start in reversed(window):  # newest first, as every report shows them
            regime = self.rules.regime_for(start)
            if regime is None:
                continue
            required = start >= since
            pages = []
            if start in folders:
                pages = load_year(folders[start], self.docs_dir, start, regime)
            if not pages and not (required and self._any_due(regime, start)):
                continue
            self.result.years.append(self._year(start, regime, required, pages))
        return self.result

    def _since(self, folders: dict[int, Path], current: int) -> int:
        """First school year the unit must have: ``disclosure.since``, else its oldest folder."""
        value = self.flags.get("since")
        if value is not None:
            try:
                return parse_school_year(value)
            except ValueError:
                self.result.findings.append(
                    self.finding(
                        "front-matter",
                        "error",
                        f"năm học '{value}' không hợp lệ; cần dạng 2025-2026",
                        f"invalid school year '{value}'; expected e.g. 2025-2026",
                        file=display_path(self.unit.config_file),
                        field="extra.unit.disclosure.since",
                    )
                )
        window_start = current - self.rules.retention_years + 1
        present = [y for y in folders if y >= window_start]
        return min(present) if present else current

    def _any_due(self, regime: Regime, start: int) -> bool:
        """True when a yearly section of school year ``start`` is past its deadline."""
        return any(
            self.rules.is_late(self.today, self.rules.due_for_year(regime, s, start))
            for s in regime.owed(self.levels, self.flags)
            if not s.periodic
        )

    def _problem(self, p: Problem, start: int | None, section: str | None = None) -> Finding:
        return self.finding(
            "front-matter",
            p.severity,
            p.vi,
            p.en,
            file=p.file,
            field=p.field,
            school_year=school_year_label(start) if start is not None else None,
            section=section,
        )

    def _year(
        self, start: int, regime: Regime, required: bool, pages: list[DisclosurePage]
    ) -> YearResult:
        year = YearResult(school_year=start, regime=regime, required=required)
        owed = {s.slug for s in regime.owed(self.levels, self.flags)}
        by_section: dict[str, list[DisclosurePage]] = {}
        for page in pages:
            by_section.setdefault(page.section, []).append(page)
        for section in regime.sections:
            found = by_section.pop(section.slug, [])
            if section.slug not in owed and not found:
                continue
            item = ItemResult(
                section=section,
                school_year=start,
                owed=section.slug in owed,
                due=None if section.periodic else self.rules.due_for_year(regime, section, start),
            )
            if section.periodic:
                self._periodic(item, found, required)
            else:
                self._yearly(item, found, required)
            item.status = self._item_status(item, required)
            year.items.append(item)
        for slug, leftover in sorted(by_section.items()):
            for page in leftover:  # unknown sections: their front matter already says so
                for p in page.problems:
                    self.result.findings.append(self._problem(p, start, slug))
        return year

    def _item_status(self, item: ItemResult, required: bool) -> str:
        if item.section.periodic:
            if not item.periods:
                return "unchecked"
            findings = item.all_findings
            return status_of(findings)
        if item.page is None and not item.findings:
            return "not-due" if required else "unchecked"
        return status_of(item.findings)

    def _where(
        self, item: ItemResult, page: DisclosurePage | None, period: Period | None = None
    ) -> dict[str, Any]:
        return {
            "school_year": school_year_label(item.school_year),
            "section": item.section.slug,
            "period": period.label if period else None,
            "file": display_path(page.path) if page else None,
        }

    def _yearly(self, item: ItemResult, found: list[DisclosurePage], required: bool) -> None:
        section = item.section
        assert item.due is not None
        year_dir = school_year_label(item.school_year)
        main = [p for p in found if p.path.parent.name == year_dir]
        for stray in (p for p in found if p.path.parent.name != year_dir):
            item.findings.extend(
                self._problem(q, item.school_year, section.slug) for q in stray.problems
            )
        item.page = main[0] if main else None
        if item.page is None:
            if item.owed and required and self.rules.is_late(self.today, item.due):
                title = section.title
                create = f"cong-khai/{school_year_label(item.school_year)}/{section.slug}.md"
                item.findings.append(
                    self.finding(
                        "missing",
                        section.severity,
                        f"thiếu mục '{title}' ({section.slug}), hạn {format_date(item.due)}; cần tạo trang {create}",
                        f"missing section '{section.slug}', due {item.due:%Y-%m-%d}; create {create}",
                        **self._where(item, None),
                    )
                )
            return
        item.findings.extend(self._page(item, item.page, item.due, check_deadline=item.owed))

    def _periodic(self, item: ItemResult, found: list[DisclosurePage], required: bool) -> None:
        section = item.section
        deadline = section.deadline
        by_period: dict[str, DisclosurePage] = {}
        for page in found:
            if page.period is None:
                item.findings.extend(
                    self._problem(p, item.school_year, section.slug) for p in page.problems
                )
                continue
            if page.period.label in by_period:
                item.findings.append(
                    self.finding(
                        "front-matter",
                        "error",
                        f"kỳ {page.period.label} đã có trang {by_period[page.period.label].src_uri}",
                        f"period {page.period.label} already has the page {by_period[page.period.label].src_uri}",
                        field="period",
                        **self._where(item, page, page.period),
                    )
                )
                continue
            by_period[page.period.label] = page
        wanted = []
        if item.owed and required:
            wanted = [
                p
                for p in required_periods(deadline, self.today, self.rules)
                if p.school_year == item.school_year
            ]
        labels = {p.label for p in wanted}
        periods = {p.label: p for p in wanted}
        for page in by_period.values():
            assert page.period is not None
            periods.setdefault(page.period.label, page.period)
        for label in sorted(periods, reverse=True):
            period = periods[label]
            page = by_period.get(label)
            result = PeriodResult(period, deadline.due_for_period(period), label in labels, page)
            if page is None:
                create = (
                    f"cong-khai/{school_year_label(item.school_year)}/{section.slug}/{label}.md"
                )
                result.findings.append(
                    self.finding(
                        "missing",
                        section.severity,
                        f"thiếu kỳ {period.text_vi} của mục '{section.title}' ({section.slug}), hạn {format_date(result.due)}; cần tạo trang {create}",
                        f"missing {section.slug} for {label}, due {result.due:%Y-%m-%d}; create {create}",
                        **self._where(item, None, period),
                    )
                )
            else:
                result.findings.extend(
                    self._page(
                        item, page, result.due, check_deadline=result.required, period=period
                    )
                )
            item.periods.append(result)

    def _page(
        self,
        item: ItemResult,
        page: DisclosurePage,
        due: date,
        *,
        check_deadline: bool,
        period: Period | None = None,
    ) -> list[Finding]:
        section = item.section
        where = self._where(item, page, period)
        out = [self._problem(p, item.school_year, section.slug) for p in page.problems]
        for f in out:
            f.period = where["period"]
        sev = section.severity
        has_files = bool(page.attachments)
        if not page.has_body and not has_files:
            out.append(
                self.finding(
                    "empty",
                    sev,
                    "trang trống: không có nội dung và không có tệp đính kèm",
                    "empty page: no content and no attachment",
                    **where,
                )
            )
        else:
            if section.content in ("attachment", "both") and not has_files:
                out.append(
                    self.finding(
                        "content",
                        sev,
                        f"mục '{section.slug}' cần tệp đính kèm (ví dụ bản PDF đã ký)",
                        f"section '{section.slug}' needs an attachment (e.g. the signed PDF)",
                        field="attachments",
                        **where,
                    )
                )
            if section.content in ("body", "both") and not page.has_body:
                out.append(
                    self.finding(
                        "content",
                        sev,
                        f"mục '{section.slug}' cần nội dung trên trang (bảng HTML), không chỉ tệp đính kèm",
                        f"section '{section.slug}' needs content on the page (HTML tables), not only attachments",
                        **where,
                    )
                )
        for i, att in enumerate(page.attachments):
            key = f"attachments[{i}].file"
            if not att.exists:
                out.append(
                    self.finding(
                        "attachment-missing",
                        sev,
                        f"không tìm thấy tệp đính kèm '{att.file}'",
                        f"attachment '{att.file}' not found",
                        field=key,
                        **where,
                    )
                )
            elif att.inspection is not None and not att.inspection.ok:
                out.append(
                    self.finding(
                        "attachment-unreadable",
                        sev,
                        f"tệp đính kèm '{att.file}': {att.inspection.vi}",
                        f"attachment '{att.file}': {att.inspection.en}",
                        field=key,
                        **where,
                    )
                )
        if check_deadline and page.published and self.rules.is_late(page.published, due):
            out.append(
                self.finding(
                    "late",
                    sev,
                    f"đăng ngày {format_date(page.published)}, trễ hạn {format_date(due)}",
                    f"published {page.published:%Y-%m-%d}, after the deadline {due:%Y-%m-%d}",
                    field="published",
                    **where,
                )
            )
        if section.update and page.updated and page.as_of:
            n = working_days_between(page.as_of, page.updated, self.rules.holidays)
            limit = section.update.working_days
            if n > limit:
                out.append(
                    self.finding(
                        "late-update",
                        section.update.severity,
                        f"cập nhật ngày {format_date(page.updated)}, {n} ngày làm việc sau ngày số liệu {format_date(page.as_of)} (tối đa {limit})",
                        f"updated {page.updated:%Y-%m-%d}, {n} working days after the data date {page.as_of:%Y-%m-%d} (at most {limit})",
                        field="updated",
                        **where,
                    )
                )
        if section.stale and page.as_of and not section.periodic:
            oldest = due - timedelta(days=section.stale.max_age_days)
            if page.as_of < oldest:
                out.append(
                    self.finding(
                        "stale",
                        section.stale.severity,
                        f"số liệu cũ: tính đến {format_date(page.as_of)}, trước {format_date(oldest)}",
                        f"stale data: as of {page.as_of:%Y-%m-%d}, before {oldest:%Y-%m-%d}",
                        field="as_of",
                        **where,
                    )
                )
        out.extend(self._privacy(page, where))
        return out

    def _privacy(self, page: DisclosurePage, where: dict[str, Any]) -> list[Finding]:
        sources = [("nội dung trang", "page content", page.body)]
        for att in page.attachments:
            if att.readable and att.inspection and att.inspection.text:
                sources.append((f"tệp '{att.file}'", f"file '{att.file}'", att.inspection.text))
        out: list[Finding] = []
        for vi_where, en_where, text in sources:
            hits = scan(text, self.phones)
            for kind in ("cccd", "phone", "birth_date"):
                found = [h.masked for h in hits if h.kind == kind]
                if not found:
                    continue
                vi, en = _PRIVACY_TEXT[kind]
                shown = ", ".join(dict.fromkeys(found))
                out.append(
                    self.finding(
                        kind,
                        self.rules.privacy_rule(kind).severity,
                        f"dữ liệu cá nhân trong {vi_where}: {vi} ({shown})",
                        f"personal data in the {en_where}: {en} ({shown})",
                        **where,
                    )
                )
        return out


def check_unit(
    unit: Unit, docs_dir: Path, today: date, rules: Rules, *, years: list[int] | None = None
) -> UnitResult:
    """Check one school or centre as of ``today``.

    Arguments:
        unit: the unit (its levels, flags and contacts matter).
        docs_dir: its content folder (holding ``cong-khai/``).
        today: the reference date for deadlines.
        rules: the validated rules.
        years: restrict to these school years (start years), e.g. the dashboard's current year.
    """
    return _UnitChecker(unit, docs_dir, today, rules).run(years)


def select_units(network: Network, ids: list[str] | None) -> list[Unit]:
    """Schools and centres named by ``ids`` (a portal or Sở means its descendants); all if none.

    Raises ``KeyError`` naming the first unknown id.
    """
    if not ids:
        return [u for u in network if is_checked_unit(u)]
    chosen: dict[str, Unit] = {}
    for uid in ids:
        if uid not in network:
            raise KeyError(uid)
        unit = network[uid]
        members = network.descendants(uid) if unit.is_portal else [unit]
        for member in members:
            if is_checked_unit(member):
                chosen.setdefault(member.id, member)
    return [chosen[k] for k in sorted(chosen)]


def check_network(
    network: Network, today: date, rules: Rules, ids: list[str] | None = None
) -> list[UnitResult]:
    """Check the selected units of ``network`` (see :func:`select_units`), sorted by id."""
    return [check_unit(u, network.content_dir(u), today, rules) for u in select_units(network, ids)]


@dataclass
class PageCheck:
    """One section page checked on its own (no reference date needed): for its page template."""

    page: DisclosurePage
    regime: Regime | None
    section: Section | None
    owed: bool
    due: date | None
    findings: list[Finding]

    @property
    def status(self) -> str:
        """Status of the page (see :data:`STATUSES`)."""
        return status_of(self.findings)


def check_page(unit: Unit, docs_dir: Path, page_path: Path, rules: Rules) -> PageCheck | None:
    """Load and check the disclosure page at ``page_path`` (below ``docs_dir/cong-khai/``).

    Returns ``None`` when the path is not inside a school-year folder covered by a regime.
    Deadlines are judged from the page's own dates, so no reference date is needed.
    """
    try:
        rel = page_path.resolve().relative_to(docs_dir.resolve() / "cong-khai")
        start = parse_school_year(rel.parts[0])
    except (ValueError, IndexError):
        return None
    regime = rules.regime_for(start)
    if regime is None:
        return None
    page = load_page(page_path, docs_dir, start, regime)
    checker = _UnitChecker(unit, docs_dir, date.max, rules)
    section = regime.section(page.section)
    if section is None:
        findings = [checker._problem(p, start, page.section) for p in page.problems]
        return PageCheck(page, regime, None, False, None, findings)
    owed = section in regime.owed(checker.levels, checker.flags)
    if section.periodic:
        due = section.deadline.due_for_period(page.period) if page.period else None
    else:
        due = rules.due_for_year(regime, section, start)
    item = ItemResult(section=section, school_year=start, owed=owed, due=due)
    if due is None:
        findings = [checker._problem(p, start, section.slug) for p in page.problems]
    else:
        findings = checker._page(item, page, due, check_deadline=owed, period=page.period)
    return PageCheck(page, regime, section, owed, due, findings)
