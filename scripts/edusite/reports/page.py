"""The report page a portal publishes for its members (``bao-cao/``), as HTML and CSV files.

Built at build time from the members' content (not their feeds: drafts and quotas need the
source), for the current month and the current school year as of "now".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from ..documents import CSS_PATH
from ..structure.network import Network, Unit
from ..text import TZ, format_date, to_local
from .chart import bar_chart
from .output import KIND_SHORT, to_csv
from .periods import current
from .quotas import METRICS, PERIOD_NAMES, Rule
from .report import Report, make_reports

REPORT_DIR = "bao-cao"
TITLE = "Báo cáo tin bài của các đơn vị"


@dataclass
class ReportPage:
    """The page's reports and the downloadable files that go with it."""

    unit: Unit
    reports: list[Report]
    files: dict[str, bytes] = field(default_factory=dict)  # site-relative path -> bytes

    src_uri: str = f"{REPORT_DIR}/index.md"
    title: str = TITLE

    def csv_path(self, report: Report) -> str:
        return f"{REPORT_DIR}/bao-cao-{report.period.label}.csv"


def valid_until(now: datetime) -> datetime:
    """When the page may change without any input changing: the next local midnight.

    Quota states depend on the date only (a period over or running), so a build cache may keep
    the page for the rest of the day.
    """
    day = to_local(now).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=TZ)


def portal_report(
    network: Network, unit: Unit, now: datetime, memo_dir: Path | None = None
) -> ReportPage | None:
    """The report page of portal ``unit`` for its members, or ``None`` when it has none.

    ``memo_dir`` (normally ``.cache/reports``) spares re-reading unchanged members' posts.
    """
    members = [m.id for m in network.descendants(unit.id)]
    if not unit.is_portal or not members:
        return None
    periods = [current("month", now), current("school-year", now)]
    reports = make_reports(network, periods, members, now=now, memo_dir=memo_dir)
    page = ReportPage(unit, reports)
    for report in reports:
        page.files[page.csv_path(report)] = to_csv(report)
    return page


def _rules_html(rules: list[Rule]) -> str:
    items = "".join(
        f"<li>{escape(r.ten)} (≥ {r.min} {METRICS[r.metric][0]}/{PERIOD_NAMES[r.every]}"
        f"{'; mỗi tổ/đoàn thể' if r.per_group else ''}). "
        f"<small>Nguồn: {escape(r.source)}</small></li>"
        for r in rules
    )
    return f"<ul>{items}</ul>"


def _section(report: Report, index: int, csv_href: str) -> str:
    title = report.period.title
    bars = [(r.unit.short_name or r.unit.name, r.posts) for r in report.units]
    top = max(report.units, key=lambda r: r.posts, default=None)
    desc = f"Biểu đồ thanh ngang: số tin bài đã đăng của {len(bars)} đơn vị, {title.lower()}." + (
        f" Nhiều nhất: {top.unit.name} ({top.posts} tin)." if top and top.posts else ""
    )
    chart = bar_chart(
        bars, title=f"Số tin bài theo đơn vị - {title}", desc=desc, chart_id=f"es-chart-{index}"
    )
    rows = []
    for r in report.units:
        lines = r.missed_by_rule()
        missed = "<br>".join(escape(line) for line in lines) if lines else "–"
        rows.append(
            f'<tr><th scope="row"><a href="{escape(r.unit.site_url)}">{escape(r.unit.name)}</a></th>'
            f"<td>{KIND_SHORT.get(r.unit.kind, r.unit.kind)}</td>"
            f"<td>{r.posts}</td><td>{r.featured}</td><td>{r.photos}</td><td>{r.videos}</td>"
            f"<td>{r.quota_count('ok')}</td><td>{r.quota_count('fail')}</td>"
            f"<td>{r.quota_count('pending')}</td><td>{missed}</td></tr>"
        )
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in (
            "Đơn vị",
            "Loại",
            "Tin bài",
            "Tiêu biểu",
            "Ảnh",
            "Video",
            "Chỉ tiêu đạt",
            "Chưa đạt",
            "Đang theo dõi",
            "Chỉ tiêu chưa đạt",
        )
    )
    table = (
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table data-es-report>'
        f"<caption>Tin bài và chỉ tiêu theo đơn vị - {escape(title)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></div>"
    )
    return (
        f'<h2 id="{escape(report.period.label)}">{escape(title)}</h2>'
        f'<figure class="es-report-chart">{chart}</figure>'
        f"{table}"
        f'<p><a href="{escape(csv_href)}" download>Tải bảng số liệu {escape(title.lower())} (CSV, mở bằng Excel)</a></p>'
    )


def render_page(page: ReportPage, link: Callable[[str], str]) -> str:
    """The page body: one section per report, then how counting works and the quotas."""
    if not page.reports:
        return "<p>Chưa có số liệu.</p>"
    first = page.reports[0]
    intro = (
        f'<link rel="stylesheet" href="{escape(link(CSS_PATH))}">'
        f"<p>Số liệu tính đến ngày {format_date(first.now)} từ nội dung của "
        f"{len(first.units)} đơn vị thuộc {escape(page.unit.name)}. Tin bài được tính khi đã "
        "đăng (không phải bản nháp, không hẹn giờ sau thời điểm tính) theo ngày giờ Việt Nam; "
        "ảnh gồm ảnh đại diện, ảnh trong bài và thư viện ảnh; video gồm video YouTube và "
        "thẻ video trong bài. Tuần tính từ thứ Hai đến Chủ nhật và thuộc tháng chứa ngày thứ "
        "Năm của tuần.</p>"
    )
    sections = "".join(
        _section(r, i, link(page.csv_path(r))) for i, r in enumerate(page.reports, start=1)
    )
    return intro + sections + "<h2>Chỉ tiêu</h2>" + _rules_html(first.rules)
