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
from ..security import limits, personal_data
from ..security.confine import stays_inside
from ..security.privacy import Allowed, Hit, scan, unit_allowed
from ..structure.network import Network, Unit
from ..text import format_date
from .attachments import TYPES, Inspection, inspect
from .coverage import analyse
from .dates import (
    Period,
    clamp_date,
    parse_school_year,
    period_containing,
    school_year_label,
    school_year_of,
)
from .history import published_years
from .model import Deadline, Regime, Rules, Section
from .pages import (
    DISCLOSURE_DIR,
    DisclosurePage,
    bad_year_folders,
    load_page,
    load_year,
    year_folders,
)
from .results import Finding, ItemResult, PeriodResult, UnitResult, YearResult, status_of

_PRIVACY_TEXT = personal_data.TEXT  # the same words as the build-time check
#: Files a disclosure folder may hold besides pages: the attachment types, photos (in pages).
_ATTACHMENT_SUFFIXES = {*TYPES, ".png", ".jpg", ".jpeg", ".webp", ".gif"}


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
        self.allowed: Allowed = unit_allowed(unit.raw, unit.phone, docs_dir)
        self.allowed.phones |= set(self.network_phones)
        self.allowed.historical_before = rules.historical_before
        self.result = UnitResult(unit=unit, today=today)
        self.seen: set[Path] = set()  # pages and attachments the check has read

    network_phones: tuple[str, ...] = ()  # set per network by check_unit(parent_phones=…)

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
        published = published_years(self.docs_dir) if years is None else None
        since = self._since(folders, current, published)
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
            if start not in folders and published and start in published and start <= current:
                self.result.findings.append(self._removed(start))
            self.result.years.append(self._year(start, regime, required, pages))
        if years is None:
            self._whole_folder(folders, window)
        return self.result

    def _removed(self, start: int) -> Finding:
        label = school_year_label(start)
        until = school_year_label(start + self.rules.retention_years - 1)
        return self.finding(
            "removed",
            "error",
            f"năm học {label} đã được công khai (có trong lịch sử git) nhưng thư mục "
            f"{DISCLOSURE_DIR}/{label}/ không còn; phải giữ trên trang ít nhất "
            f"{self.rules.retention_years} năm (đến hết năm học {until}): khôi phục thư mục",
            f"school year {label} was published (it is in the git history) but the folder "
            f"{DISCLOSURE_DIR}/{label}/ is gone; it must stay online for "
            f"{self.rules.retention_years} years (until {until}): restore the folder",
            school_year=label,
            file=display_path(self.docs_dir / DISCLOSURE_DIR / label),
        )

    def _whole_folder(self, folders: dict[int, Path], window: list[int]) -> None:
        """``cong-khai/index.md`` must exist; every other file is a page, an attachment of one,
        or an error naming what it should be; all of them are scanned for personal data."""
        root = self.docs_dir / DISCLOSURE_DIR
        if not (root / "index.md").is_file():
            self.result.findings.append(
                self.finding(
                    "index-missing",
                    "error",
                    f"thiếu trang {DISCLOSURE_DIR}/index.md: mục Công khai không có trên menu của "
                    "trang; tạo trang với 'template: disclosure-index.html' (hoặc chạy "
                    "edusite new disclosure)",
                    f"missing page {DISCLOSURE_DIR}/index.md: the site's menu has no "
                    "\"Công khai\"; create it with 'template: disclosure-index.html' (or run "
                    "edusite new disclosure)",
                    file=display_path(root / "index.md"),
                )
            )
        if not root.is_dir():
            return
        known = set(self.seen)
        checked = {y.school_year for y in self.result.years}
        for start, folder in folders.items():
            regime = self.rules.regime_for(start)
            if start not in window or regime is None:  # archive outside the window: not checked
                known.update(p.resolve() for p in folder.rglob("*"))
                continue
            if start in checked:
                continue
            for page in load_year(folder, self.docs_dir, start, regime):
                known.add(page.path.resolve())
                known.update(a.path.resolve() for a in page.attachments)
                self.result.findings.extend(
                    self._privacy(
                        page,
                        {
                            "school_year": school_year_label(start),
                            "section": page.section,
                            "period": None,
                            "file": display_path(page.path),
                        },
                    )
                )
        for path in sorted(root.rglob("*")):
            if not path.is_file() or not stays_inside(path, root):
                continue
            rel = path.relative_to(root)
            resolved = path.resolve()
            if resolved in known:
                continue
            in_year = len(rel.parts) >= 2 and any(
                f == root / rel.parts[0] for f in folders.values()
            )
            if rel.as_posix() == "index.md" or (in_year and path.name == "index.md"):
                self._scan_file(path)  # the index and year introductions: pages of their own
                continue
            if in_year or len(rel.parts) == 1:
                self.result.findings.append(self._stray(path, rel))
            self._scan_file(path)

    def _stray(self, path: Path, rel: Path) -> Finding:
        year = rel.parts[0]
        if len(rel.parts) == 1:
            return self.finding(
                "unrecognised",
                "error",
                f"tệp '{rel.as_posix()}' nằm ngay trong {DISCLOSURE_DIR}/: chỉ index.md ở đây; "
                f"đặt trang, tệp vào thư mục năm học ({DISCLOSURE_DIR}/2026-2027/…)",
                f"file '{rel.as_posix()}' sits directly in {DISCLOSURE_DIR}/: only index.md "
                f"belongs there; put pages and files in a school-year folder "
                f"({DISCLOSURE_DIR}/2026-2027/…)",
                file=display_path(path),
            )
        if path.suffix.lower() == ".md":
            vi = (
                f"trang '{rel.as_posix()}' không phải mục công khai nào: đặt tên "
                f"<mã mục>.md trong {DISCLOSURE_DIR}/{year}/ (ví dụ thu-chi-tai-chinh.md) hoặc "
                f"<mã mục>/<kỳ>.md cho mục định kỳ (ví dụ thuc-don/2026-W48.md)"
            )
            en = (
                f"page '{rel.as_posix()}' is no disclosure section: name it <section>.md in "
                f"{DISCLOSURE_DIR}/{year}/ (e.g. thu-chi-tai-chinh.md) or <section>/<period>.md "
                f"for a periodic section (e.g. thuc-don/2026-W48.md)"
            )
        else:
            vi = (
                f"tệp '{rel.as_posix()}' không được trang nào đính kèm: thêm vào 'attachments:' "
                f"của trang mục công khai trong {DISCLOSURE_DIR}/{year}/, hoặc xóa tệp"
            )
            en = (
                f"file '{rel.as_posix()}' is attached to no page: list it under 'attachments:' "
                f"of a section page in {DISCLOSURE_DIR}/{year}/, or delete it"
            )
        return self.finding(
            "unrecognised",
            "error",
            vi,
            en,
            school_year=year if _is_year(year) else None,
            file=display_path(path),
        )

    def _scan_file(self, path: Path) -> None:
        """Personal data in a file that is not a checked page (it is published all the same)."""
        where = {"file": display_path(path)}
        if path.suffix.lower() in (".md", ".markdown", ".txt", ".csv", ".html"):
            too_big = limits.too_large(path)
            if too_big is not None:  # not read, so not scanned: refused instead
                self.result.findings.append(self._problem(too_big, None))
                return
            try:
                text = path.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                return
            self.result.findings.extend(
                self._privacy_findings(
                    scan(text, allowed=self.allowed), "nội dung", "content", None, where
                )
            )
        elif path.suffix.lower() in TYPES:
            found = inspect(path)
            if found.ok and found.text:
                hits = scan(found.text, allowed=self.allowed)
                self.result.findings.extend(
                    self._privacy_findings(
                        hits, f"tệp '{path.name}'", f"file '{path.name}'", found, where
                    )
                )

    def _since(
        self, folders: dict[int, Path], current: int, published: set[int] | None = None
    ) -> int:
        """First school year the unit must have: ``disclosure.since``, else the oldest year
        published (its git history) or present, within the retention window."""
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
        present = [y for y in {*folders, *(published or ())} if y >= window_start]
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
            self.seen.add(page.path.resolve())
            self.seen.update(a.path.resolve() for a in page.attachments)
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
                where = {"school_year": school_year_label(start), "section": slug, "period": None}
                self.result.findings.extend(
                    self._privacy(page, {**where, "file": display_path(page.path)})
                )
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
        out.extend(self._coverage(item, page, where))
        out.extend(self._finalization(item, page, where))
        if section.update and page.updated and page.as_of:
            n = self.rules.working_days_between(page.as_of, page.updated)
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

    def _coverage(
        self, item: ItemResult, page: DisclosurePage, where: dict[str, Any]
    ) -> list[Finding]:
        """Each required item the page does not cover, by name; placeholders and empty tables."""
        section = item.section
        owed = section.owed_items(self.levels, self.flags)
        if not page.has_body and not page.attachments:
            return []  # "empty" already says it all
        cov = analyse(
            page.body,
            page.body_line,
            owed,
            attachments=[(a.file, a.title, a.readable) for a in page.attachments],
            declared=page.declared_items,
            placeholders=self.rules.placeholders,
        )
        page.coverage = cov  # type: ignore[attr-defined]
        out: list[Finding] = []
        for line, text in cov.placeholders:
            out.append(
                self.finding(
                    "placeholder",
                    section.severity,
                    f"dòng {line}: nội dung giữ chỗ '{text[:60]}' không phải là công khai; "
                    "điền số liệu, thông tin thật",
                    f"line {line}: the placeholder '{text[:60]}' is not a disclosure; fill in "
                    "the real figures and information",
                    **where,
                )
            )
        for line in cov.empty_tables:
            out.append(
                self.finding(
                    "placeholder",
                    section.severity,
                    f"dòng {line}: bảng chưa điền số liệu (mọi ô đều trống hoặc '…')",
                    f"line {line}: a table with nothing filled in (every cell empty or '…')",
                    **where,
                )
            )
        for it in owed:
            if it.id in cov.covered:
                continue
            severity = it.severity or section.severity
            if it.id in cov.hollow:
                line = cov.hollow[it.id]
                out.append(
                    self.finding(
                        "placeholder",
                        severity,
                        f"nội dung '{it.title}' ({it.source}) ở dòng {line} chưa có thông tin",
                        f"item '{it.id}' ({it.source}) at line {line} has no content",
                        **where,
                    )
                )
                continue
            out.append(
                self.finding(
                    "item-missing",
                    severity,
                    f"thiếu nội dung '{it.title}' ({it.source}): thêm mục '## {it.title}' "
                    f"hoặc khai báo 'items: {{{it.id}: <tệp đính kèm>}}'",
                    f"missing item '{it.id}' ({it.source}): add a heading '## {it.title}' or "
                    f"declare 'items: {{{it.id}: <attached file>}}'",
                    **where,
                )
            )
        return out

    def _finalization(
        self, item: ItemResult, page: DisclosurePage, where: dict[str, Any]
    ) -> list[Finding]:
        """The previous year's finance updated within N working days of the quyết toán."""
        rule = item.section.finalization
        if rule is None:
            return []
        approved = page.dates.get(rule.field)
        limit = rule.working_days
        if approved is not None:
            if page.updated is None or page.updated < approved:
                return [
                    self.finding(
                        "finalization",
                        rule.severity,
                        f"quyết toán được duyệt ngày {format_date(approved)} nhưng trang chưa "
                        f"cập nhật sau ngày đó (updated); hạn {limit} ngày làm việc",
                        f"the accounts were approved on {approved:%Y-%m-%d} but the page was "
                        f"not updated after that (updated); {limit} working days allowed",
                        field="updated",
                        **where,
                    )
                ]
            n = self.rules.working_days_between(approved, page.updated)
            if n > limit:
                return [
                    self.finding(
                        "finalization",
                        rule.severity,
                        f"cập nhật số liệu quyết toán ngày {format_date(page.updated)}, {n} ngày "
                        f"làm việc sau ngày duyệt quyết toán {format_date(approved)} (tối đa {limit})",
                        f"finance updated {page.updated:%Y-%m-%d}, {n} working days after the "
                        f"accounts were approved on {approved:%Y-%m-%d} (at most {limit})",
                        field="updated",
                        **where,
                    )
                ]
            return []
        due = clamp_date(item.school_year + rule.year_offset, rule.month, rule.day)
        if self.today != date.max and self.rules.is_late(self.today, due):
            return [
                self.finding(
                    "finalization",
                    rule.severity,
                    f"chưa cập nhật số liệu tài chính năm {item.school_year - 1} sau quyết toán "
                    f"(hạn {format_date(due)}): ghi ngày duyệt quyết toán vào '{rule.field}' và "
                    "cập nhật trang",
                    f"the {item.school_year - 1} finance has not been updated after the accounts "
                    f"were approved (due {due:%Y-%m-%d}): record the approval date in "
                    f"'{rule.field}' and update the page",
                    field=rule.field,
                    **where,
                )
            ]
        return []

    def _privacy(self, page: DisclosurePage, where: dict[str, Any]) -> list[Finding]:
        hits = [
            Hit(h.kind, h.masked, h.line + page.body_line - 1, h.in_table, h.column)
            for h in scan(page.body, allowed=self.allowed)
        ]
        out = self._privacy_findings(hits, "nội dung trang", "page content", None, where)
        for att in page.attachments:
            if att.readable and att.inspection and att.inspection.text:
                found = scan(att.inspection.text, allowed=self.allowed)
                out += self._privacy_findings(
                    found, f"tệp '{att.file}'", f"file '{att.file}'", att.inspection, where
                )
        return out

    def _privacy_findings(
        self,
        hits: list[Hit],
        vi_where: str,
        en_where: str,
        inspection: Inspection | None,
        where: dict[str, Any],
    ) -> list[Finding]:
        """One finding per kind, listing each masked value with its line (or sheet!cell)."""
        out: list[Finding] = []
        for kind in personal_data.KINDS:
            found = [h for h in hits if h.kind == kind]
            if not found:
                continue

            def place(h: Hit) -> tuple[str, str]:
                if inspection is not None:
                    loc = inspection.location(h.line, h.column)
                    return loc, loc.replace("dòng", "line").replace("trang", "page")
                return f"dòng {h.line}", f"line {h.line}"

            vi, en = _PRIVACY_TEXT[kind]
            shown_vi = personal_data.listed(
                (f"{h.masked}, {place(h)[0]}" for h in found), "chỗ khác"
            )
            shown_en = personal_data.listed((f"{h.masked}, {place(h)[1]}" for h in found), "more")
            out.append(
                self.finding(
                    kind,
                    self.rules.privacy_rule(kind).severity,
                    f"dữ liệu cá nhân trong {vi_where}: {vi} ({shown_vi})",
                    f"personal data in the {en_where}: {en} ({shown_en})",
                    **where,
                )
            )
        return out


def _is_year(name: str) -> bool:
    try:
        parse_school_year(name)
    except ValueError:
        return False
    return True


def check_unit(
    unit: Unit,
    docs_dir: Path,
    today: date,
    rules: Rules,
    *,
    years: list[int] | None = None,
    parent_phones: tuple[str, ...] = (),
) -> UnitResult:
    """Check one school or centre as of ``today``.

    Arguments:
        unit: the unit (its levels, flags and contacts matter).
        docs_dir: its content folder (holding ``cong-khai/``).
        today: the reference date for deadlines.
        rules: the validated rules.
        years: restrict to these school years (start years), e.g. the dashboard's current year
            (then neither the git history nor the whole folder is examined).
        parent_phones: the phones of the units above it (public contacts, not personal data).
    """
    checker = _UnitChecker(unit, docs_dir, today, rules)
    checker.allowed.phones |= set(parent_phones)
    return checker.run(years)


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
    return [
        check_unit(
            u, network.content_dir(u), today, rules, parent_phones=ancestor_phones(network, u)
        )
        for u in select_units(network, ids)
    ]


def ancestor_phones(network: Network, unit: Unit) -> tuple[str, ...]:
    """Phone numbers in the configs of the units above ``unit`` (its Phòng, the Sở)."""
    from ..security.privacy import find_phones

    out: set[str] = set()
    parent = unit.parent
    seen: set[str] = set()
    while parent and parent in network and parent not in seen:
        seen.add(parent)
        above = network[parent]
        out |= find_phones(above.phone or "")
        parent = above.parent
    return tuple(sorted(out))


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
