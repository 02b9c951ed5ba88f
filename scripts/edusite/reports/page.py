"""The report page a portal publishes for its members (``bao-cao/``), as HTML and CSV files.

Built at build time from the members' content (not their feeds: drafts and quotas need the
source), for the current month and the current school year as of "now".
"""

from __future__ import annotations

import re
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


#: Notes for the network's admins in quotas.yml sources: "(seed 004)", confidence marks "[H]".
_INTERNAL_NOTE_RE = re.compile(r"\s*\((?:seed|nguồn nội bộ)[^)]*\)|\s*\[(?:H|M|L|mem)\]", re.I)


def public_source(source: str) -> str:
    """A rule's source as the public may read it: without the admins' notes
    (``"Kế hoạch … năm 2026 (seed 003) [H]"`` → ``"Kế hoạch … năm 2026"``)."""
    return " ".join(_INTERNAL_NOTE_RE.sub("", source).split())


def _rules_html(rules: list[Rule]) -> str:
    items = []
    for r in rules:
        source = public_source(r.source)
        items.append(
            f"<li>{escape(r.ten)} (≥ {r.min} {METRICS[r.metric][0]}/{PERIOD_NAMES[r.every]}"
            f"{'; mỗi tổ/đoàn thể' if r.per_group else ''})."
            + (f" <small>Căn cứ: {escape(source)}</small>" if source else "")
            + "</li>"
        )
    return f"<ul>{''.join(items)}</ul>"


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
    # data-label: the cell's name on phones, where each unit is a card (short: four per row)
    labels = (
        "Loại", "Tin bài", "Tiêu biểu", "Ảnh", "Video", "Đạt", "Chưa đạt",
        "Theo dõi", "Chỉ tiêu chưa đạt",
    )  # fmt: skip
    for r in report.units:
        lines = r.missed_by_rule()
        missed = "–"
        if lines:  # folded: a Sở of 300 units is one screen of rows, not 11,000 px of text
            items = "".join(f"<li>{escape(line)}</li>" for line in lines)
            missed = (
                f'<details class="es-report-missed"><summary>{len(lines)} chỉ tiêu chưa đạt'
                f"</summary><ul>{items}</ul></details>"
            )
        values = (
            KIND_SHORT.get(r.unit.kind, r.unit.kind), r.posts, r.featured, r.photos, r.videos,
            r.quota_count("ok"), r.quota_count("fail"), r.quota_count("pending"), missed,
        )  # fmt: skip
        cells = "".join(
            f'<td data-label="{label}">{value}</td>'
            for label, value in zip(labels, values, strict=True)
        )
        rows.append(
            f'<tr><th scope="row"><a href="{escape(r.unit.site_url)}">{escape(r.unit.name)}</a></th>'
            f"{cells}</tr>"
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
