"""``edusite check --explain``: the rules as a person reads them, with the source and confidence
of every legal fact (regimes, sections, items, deadlines, the update rules, the holidays)."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import display_path, log_line
from ..structure.network import LEVELS, Unit
from .checker import disclosure_flags
from .dates import school_year_label
from .model import Deadline, Rules, Section

CONFIDENCE_VI = {"H": "cao", "M": "trung bình", "L": "thấp", "mem": "theo trí nhớ, chưa kiểm chứng"}


def _conf(mark: str) -> str:
    return f"[{mark}: {CONFIDENCE_VI.get(mark, mark)}]"


def _deadline(d: Deadline) -> str:
    if d.kind == "yearly":
        text = f"hằng năm, ngày {d.day:02d}/{d.month:02d} của năm Y (thư mục Y-(Y+1))"
        if d.year_offset:
            text = f"hằng năm, ngày {d.day:02d}/{d.month:02d} của năm Y{d.year_offset:+d}"
    elif d.kind == "annual_report":
        text = f"báo cáo năm Y{d.report_year_offset:+d}, hạn {d.day:02d}/{d.month:02d} năm sau đó"
    elif d.kind == "monthly":
        text = f"ngày {d.day} của {d.months_before} tháng trước; {d.lookback} kỳ gần nhất"
    else:
        text = f"thứ {d.weekday + 2} của {d.weeks_before} tuần trước; {d.lookback} kỳ gần nhất"
    return f"{text} {_conf(d.confidence)}" + (f" — {d.source}" if d.source else "")


def _section(section: Section, levels: list[str] | None, flags: dict) -> list[str]:
    owed_levels = levels if levels is not None else list(section.levels)
    lines = [
        f"  ■ {section.title} ({section.slug}) {_conf(section.confidence)}",
        f"      cấp học: {', '.join(LEVELS.get(lv, lv) for lv in section.levels) or '—'}"
        + (
            "; thêm khi có cờ: "
            + "; ".join(
                f"{flag}: {', '.join(lvs)}" for flag, lvs in section.levels_with_flag.items()
            )
            if section.levels_with_flag
            else ""
        ),
        f"      căn cứ: {section.basis_for(owed_levels) or section.basis.get('*', '')}",
    ]
    if section.source:
        lines.append(f"      nguồn: {section.source}")
    lines.append(f"      hạn: {_deadline(section.deadline)}")
    if section.update:
        u = section.update
        lines.append(
            f"      cập nhật: trong {u.working_days} ngày làm việc sau ngày số liệu (as_of), "
            f"mức {u.severity} {_conf(u.confidence)}" + (f" — {u.source}" if u.source else "")
        )
    if section.finalization:
        f = section.finalization
        lines.append(
            f"      sau quyết toán: ghi '{f.field}', cập nhật trong {f.working_days} ngày làm việc; "
            f"chưa ghi đến {f.day:02d}/{f.month:02d} năm Y{f.year_offset:+d} là {f.severity} "
            f"{_conf(f.confidence)} — {f.source}"
        )
    items = section.owed_items(levels, flags) if levels is not None else list(section.items)
    if items:
        lines.append("      nội dung bắt buộc:")
    for item in items:
        scope = []
        if item.levels:
            scope.append("cấp " + ", ".join(LEVELS.get(lv, lv) for lv in item.levels))
        if item.flag:
            scope.append(f"khi extra.unit.disclosure.{item.flag}: true")
        extra = f" ({'; '.join(scope)})" if scope and levels is None else ""
        lines.append(
            f"        - {item.title} [{item.id}]{extra} {_conf(item.confidence)}"
            + (f" — {item.source}" if item.source else "")
        )
    return lines


def explain_text(rules: Rules, units: Iterable[Unit] = ()) -> str:
    """The rules in Vietnamese; with ``units``, what each of them owes."""
    out = [
        "Quy tắc công khai / disclosure rules: " + ", ".join(display_path(p) for p in rules.files)
    ]
    out.append(
        f"Hạn 'trước ngày …' tính cả ngày đó: {'có' if rules.deadline_inclusive else 'không'} "
        f"{_conf(rules.deadline_inclusive_confidence)}"
        + (f" — {rules.deadline_inclusive_source}" if rules.deadline_inclusive_source else "")
    )
    out.append(f"Lưu trữ: {rules.retention_years} năm học (năm hiện tại và các năm trước)")
    years = sorted(rules.calendar_years)
    calendar = display_path(rules.calendar_file) if rules.calendar_file else "—"
    span = f"{years[0]}-{years[-1]}" if years else "không có"
    out.append(
        f"Ngày làm việc: thứ Hai - thứ Sáu trừ ngày nghỉ lễ, Tết ({calendar}, năm {span}; "
        f"{rules.calendar_source}); năm ngoài lịch chỉ trừ 1/1, 30/4, 1/5, 2/9"
    )
    out.append(
        f"Dữ liệu cá nhân: năm sinh trước {rules.historical_before} (hoặc trước năm thành lập) là lịch sử"
    )
    units = list(units)
    for regime in rules.regimes:
        first = school_year_label(regime.first_year) if regime.first_year else "trước đó"
        last = school_year_label(regime.last_year) if regime.last_year else "nay"
        out += ["", f"{regime.title} — năm học {first} đến {last} {_conf(regime.confidence)}"]
        if regime.source:
            out.append(f"  nguồn: {regime.source}")
        for start, day in sorted(regime.due_overrides.items()):
            out.append(f"  hạn riêng năm học {school_year_label(start)}: {day:%d/%m/%Y}")
        if not units:
            for section in regime.sections:
                out += _section(section, None, {})
            continue
        for unit in units:
            flags = disclosure_flags(unit)
            levels = unit.school_levels
            out.append(
                f"  ▶ {unit.name} ({unit.id}): {', '.join(LEVELS.get(lv, lv) for lv in levels)}"
            )
            for section in regime.owed(levels, flags):
                out += ["  " + line for line in _section(section, levels, flags)]
    return "\n".join(log_line(line) for line in out) + "\n"  # names from configs
