"""Report outputs: a terminal table, CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl).

All three are built from the same rows (:func:`summary_rows` and friends), so the numbers
always agree. Headers are Vietnamese: the readers are school and Sở staff.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..security.cells import safe_cell
from ..text import format_date, format_datetime
from .quotas import METRICS, PERIOD_NAMES, STATUS_TITLES
from .report import Report, UnitReport

KIND_SHORT = {"so": "Sở", "portal": "Cổng", "school": "Trường", "center": "Trung tâm"}
Cell = str | int


def _failed_text(row: UnitReport) -> str:
    """The quotas a unit missed, one rule per line (see :meth:`UnitReport.missed_by_rule`)."""
    return "\n".join(row.missed_by_rule())


def summary_header(report: Report) -> list[str]:
    return [
        "Mã đơn vị",
        "Đơn vị",
        "Loại",
        "Tin bài",
        "Tin tiêu biểu",
        "Ảnh",
        "Video",
        *report.categories.values(),
        "Theo tổ/đoàn thể",
        "Chỉ tiêu đạt",
        "Chỉ tiêu chưa đạt",
        "Đang theo dõi",
        "Chưa đạt (chi tiết)",
    ]


def summary_rows(report: Report) -> list[list[Cell]]:
    """One row per unit (see :func:`summary_header`)."""
    rows: list[list[Cell]] = []
    for r in report.units:
        rows.append(
            [
                r.unit.id,
                r.unit.name,
                KIND_SHORT.get(r.unit.kind, r.unit.kind),
                r.posts,
                r.featured,
                r.photos,
                r.videos,
                *(r.by_category.get(slug, 0) for slug in report.categories),
                "; ".join(f"{g}: {n}" for g, n in r.by_group.items()),
                r.quota_count("ok"),
                r.quota_count("fail"),
                r.quota_count("pending"),
                _failed_text(r),
            ]
        )
    return rows


GROUP_HEADER = ["Mã đơn vị", "Đơn vị", "Tổ/đoàn thể", "Tin bài"]
CATEGORY_HEADER = ["Mã đơn vị", "Đơn vị", "Chuyên mục", "Tin bài"]
QUOTA_HEADER = [
    "Mã đơn vị",
    "Đơn vị",
    "Chỉ tiêu",
    "Tổ/đoàn thể",
    "Kỳ",
    "Đạt được",
    "Yêu cầu",
    "Kết quả",
]


def group_rows(report: Report) -> list[list[Cell]]:
    return [[r.unit.id, r.unit.name, g, n] for r in report.units for g, n in r.by_group.items()]


def category_rows(report: Report) -> list[list[Cell]]:
    return [
        [r.unit.id, r.unit.name, name, r.by_category.get(slug, 0)]
        for r in report.units
        for slug, name in report.categories.items()
        if r.by_category.get(slug)
    ]


def quota_rows(report: Report) -> list[list[Cell]]:
    """One row per check: unit, rule, group, period, actual, minimum, status."""
    return [
        [
            r.unit.id,
            r.unit.name,
            q.rule.ten,
            q.subject,
            c.period.title,
            c.actual,
            q.rule.min,
            STATUS_TITLES[c.status],
        ]
        for r in report.units
        for q in r.quotas
        for c in q.checks
    ]


def _safe_rows(rows: Sequence[Sequence[Cell]]) -> list[list[Cell]]:
    return [[safe_cell(c) for c in row] for row in rows]


def to_csv(report: Report) -> bytes:
    """The per-unit summary as CSV, UTF-8 with a BOM so Excel reads Vietnamese correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(summary_header(report))
    writer.writerows(_safe_rows(summary_rows(report)))
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(report: Report) -> bytes:
    """A workbook: summary, groups, categories, quota checks and the report's parameters."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.properties.creator = "edusite"
    wb.properties.title = f"Báo cáo tin bài - {report.period.title}"
    sheets: list[tuple[str, Sequence[str], list[list[Cell]]]] = [
        ("Tổng hợp", summary_header(report), summary_rows(report)),
        ("Tổ - đoàn thể", GROUP_HEADER, group_rows(report)),
        ("Chuyên mục", CATEGORY_HEADER, category_rows(report)),
        ("Chỉ tiêu", QUOTA_HEADER, quota_rows(report)),
        (
            "Thông tin",
            ["Mục", "Giá trị"],
            [
                ["Kỳ báo cáo", report.period.title],
                ["Từ ngày", format_date(report.period.start)],
                ["Đến ngày", format_date(report.period.end)],
                ["Số liệu tính đến", format_datetime(report.now)],
                *(
                    [
                        f"Chỉ tiêu {rule.id}",
                        f"{rule.ten} (≥ {rule.min} {METRICS[rule.metric][0]}/"
                        f"{PERIOD_NAMES[rule.every]})",
                    ]
                    for rule in report.rules
                ),
            ],
        ),
    ]
    for index, (title, header, rows) in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = title
        ws.append(list(header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in _safe_rows(rows):
            ws.append(row)
        ws.freeze_panes = "A2"
        for col, name in enumerate(header, start=1):
            values = [str(name)] + [str(row[col - 1]) for row in rows]
            width = min(60, max(len(v) for v in values) + 2)
            ws.column_dimensions[get_column_letter(col)].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _table(header: Sequence[str], rows: Sequence[Sequence[Cell]], right: set[int]) -> list[str]:
    """Fixed-width text table (Vietnamese in NFC is one column per character)."""
    widths = [max(len(str(v)) for v in [h, *(r[i] for r in rows)]) for i, h in enumerate(header)]

    def line(values: Sequence[Cell]) -> str:
        cells = [
            str(v).rjust(widths[i]) if i in right else str(v).ljust(widths[i])
            for i, v in enumerate(values)
        ]
        return "  ".join(cells).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def to_text(report: Report, *, name_width: int = 36) -> str:
    """The terminal report: a summary table, groups, categories and the quotas missed."""
    out = [
        f"BÁO CÁO TIN BÀI - {report.period.title.upper()} "
        f"({format_date(report.period.start)}–{format_date(report.period.end)})",
        f"Số liệu tính đến {format_datetime(report.now)}",
        "",
    ]
    header = [
        "Đơn vị",
        "Loại",
        "Tin bài",
        "Tiêu biểu",
        "Ảnh",
        "Video",
        "Đạt",
        "Chưa đạt",
        "Theo dõi",
    ]
    rows: list[list[Cell]] = []
    for r in report.units:
        name = r.unit.short_name or r.unit.name
        if len(name) > name_width:
            name = name[: name_width - 1] + "…"
        rows.append(
            [
                name,
                KIND_SHORT.get(r.unit.kind, r.unit.kind),
                r.posts,
                r.featured,
                r.photos,
                r.videos,
                r.quota_count("ok"),
                r.quota_count("fail"),
                r.quota_count("pending"),
            ]
        )
    totals: list[Cell] = ["Tổng cộng", "", *(sum(int(r[i]) for r in rows) for i in range(2, 6))]
    out += _table(header, [*rows, [*totals, "", "", ""]], right=set(range(2, 9)))
    out += ["", "Theo tổ/đoàn thể:"]
    for r in report.units:
        if r.by_group:
            groups = " · ".join(f"{g}: {n}" for g, n in r.by_group.items())
            out.append(f"  {r.unit.id}: {groups}")
    out += ["", "Theo chuyên mục (toàn bộ đơn vị):"]
    for slug, name in report.categories.items():
        total = sum(r.by_category.get(slug, 0) for r in report.units)
        if total:
            out.append(f"  {name}: {total}")
    missed = [(r.unit.id, line) for r in report.units for line in r.missed_by_rule()]
    out.append("")
    if missed:
        out.append(f"Chỉ tiêu chưa đạt ({len(missed)}; chi tiết từng kỳ trong tệp XLSX):")
        out += [f"  ✗ {unit_id} — {line}" for unit_id, line in missed]
    else:
        out.append("Chỉ tiêu: không có chỉ tiêu chưa đạt.")
    if report.problems:
        out += ["", f"Bỏ qua {len(report.problems)} bài viết lỗi / skipped invalid posts:"]
        out += [f"  ⚠ {p}" for p in report.problems]
    return "\n".join(out) + "\n"
