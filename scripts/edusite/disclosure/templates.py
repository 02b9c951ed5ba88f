"""Section templates: a new disclosure page with every required item as a heading to fill in.

``edusite new disclosure <unit> <section> [--year 2026-2027]`` writes one (and the "Công khai"
index when the unit has none); the editor (issue 16's web editor too) calls
:func:`section_page` to get the path and the text. A template is made from the rules data: one
``##`` heading per item the unit owes (its levels, its flags), the item's legal source in a
comment, and a table skeleton where the item is figures. Until it is filled in, ``edusite check``
reports every item as empty: the cells are ``…`` and the text lines are placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from ..errors import EdusiteError, problem
from ..structure.network import LEVELS, Unit
from .checker import disclosure_flags
from .dates import Period, period_containing, school_year_label, school_year_of
from .model import Item, Regime, Rules, Section
from .pages import DISCLOSURE_DIR

#: Table skeletons of the items that are figures: item id -> (header, row labels).
TABLES: dict[str, tuple[list[str], list[str]]] = {
    "doi-ngu": (
        [
            "Vị trí việc làm",
            "Tổng số",
            "Đạt chuẩn trình độ đào tạo",
            "Trên chuẩn",
            "Chuẩn nghề nghiệp từ Khá trở lên",
        ],
        ["Cán bộ quản lý", "Giáo viên", "Nhân viên"],
    ),
    "co-so-vat-chat": (
        ["Hạng mục", "Số lượng", "Ghi chú"],
        [
            "Diện tích khuôn viên (m²)",
            "Phòng học",
            "Phòng học bộ môn, phòng chức năng",
            "Thư viện",
            "Thiết bị dạy học tối thiểu",
        ],
    ),
    "sach-giao-khoa": (
        ["Khối lớp", "Bộ sách giáo khoa được lựa chọn", "Quyết định phê duyệt"],
        ["Lớp …"],
    ),
    "kiem-dinh": (
        ["Nội dung", "Kết quả", "Năm, quyết định"],
        ["Tự đánh giá", "Kiểm định chất lượng giáo dục", "Công nhận đạt chuẩn quốc gia"],
    ),
    "tinh-hinh-tai-chinh": (
        ["Nguồn thu / nội dung chi", "Số tiền (triệu đồng)"],
        [
            "Ngân sách nhà nước cấp",
            "Thu học phí, các khoản thu khác",
            "Tài trợ, viện trợ",
            "Chi lương và các khoản theo lương",
            "Chi hoạt động chuyên môn",
            "Chi mua sắm, sửa chữa",
            "Chi hỗ trợ người học",
        ],
    ),
    "khoan-thu": (
        ["Khoản thu", "Mức thu", "Căn cứ, ghi chú"],
        ["Học phí", "Tiền ăn bán trú", "Bảo hiểm y tế học sinh"],
    ),
    "so-du-quy": (["Quỹ", "Số dư (triệu đồng)"], ["Quỹ khen thưởng", "Quỹ phúc lợi"]),
    "ket-qua": (["Khối lớp", "Số học sinh", "Hoàn thành / lên lớp", "Tỉ lệ"], ["…"]),
    "tuyen-sinh": (
        ["Nội dung", "Kế hoạch"],
        ["Đối tượng", "Chỉ tiêu", "Phương thức", "Thời gian nhận hồ sơ"],
    ),
    "lanh-dao": (["Họ và tên", "Chức vụ", "Điện thoại, thư điện tử", "Nhiệm vụ"], ["…"]),
}


@dataclass
class NewPage:
    """A page to write: where, and its text."""

    path: Path
    text: str
    section: Section
    school_year: int
    period: Period | None = None


def _skeleton(item: Item) -> str:
    if item.id in TABLES:
        header, rows = TABLES[item.id]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + label + " |" + " … |" * (len(header) - 1) for label in rows]
        return "\n".join(lines)
    return "Đang cập nhật."


def section_body(section: Section, levels: list[str], flags: dict, basis: str) -> str:
    """The Markdown body: one heading per owed item, each with a skeleton to fill in."""
    parts = [
        "<!-- Công khai theo " + basis + ". Điền mỗi mục dưới đây bằng số liệu, thông tin thật"
        ' (bảng, đoạn văn); xóa chữ "Đang cập nhật." và dấu "…". Nội dung đã có trong tệp'
        " đính kèm: khai báo trong front matter, ví dụ items: {<mã nội dung>: <tệp>}."
        " Không ghi ngày sinh, số căn cước, địa chỉ, số điện thoại của cá nhân. -->",
        "",
    ]
    for n, item in enumerate(section.owed_items(levels, flags), start=1):
        parts += [
            f"## {n}. {item.title}",
            "",
            f"<!-- {item.source} (mã: {item.id}) -->",
            "",
            _skeleton(item),
            "",
        ]
    if not section.items:
        parts += ["Đang cập nhật.", ""]
    return "\n".join(parts)


def section_page(
    unit: Unit,
    docs_dir: Path,
    slug: str,
    rules: Rules,
    *,
    year: int | None = None,
    today: date,
) -> NewPage:
    """The template page of section ``slug`` for ``unit`` in school year ``year`` (default: the
    year whose disclosure is due next: the current one until 30/6, then the next).

    Raises :class:`EdusiteError` (naming the section) when the year has no regime or the
    section is not part of it, or is not owed by the unit.
    """
    if year is None:
        year = school_year_of(today) + (1 if today.month in (6, 7, 8) else 0)
    regime = rules.regime_for(year)
    label = school_year_label(year)
    if regime is None:
        raise EdusiteError(
            problem(
                "--year",
                None,
                f"năm học {label} không thuộc quy định công khai nào",
                f"school year {label} is covered by no disclosure regime",
            )
        )
    section = regime.section(slug)
    flags = disclosure_flags(unit)
    owed = regime.owed(unit.school_levels, flags)
    if section is None or section not in owed:
        names = ", ".join(s.slug for s in owed)
        why_vi = "không có trong" if section is None else "không bắt buộc với đơn vị theo"
        why_en = "is not part of" if section is None else "is not owed by the unit under"
        raise EdusiteError(
            problem(
                "SECTION",
                None,
                f"mục '{slug}' {why_vi} {regime.basis}; dùng một trong: {names}",
                f"section '{slug}' {why_en} {regime.basis}; expected one of: {names}",
            )
        )
    return _page(unit, docs_dir, regime, section, year, flags, today)


def _page(
    unit: Unit,
    docs_dir: Path,
    regime: Regime,
    section: Section,
    year: int,
    flags: dict,
    today: date,
) -> NewPage:
    label = school_year_label(year)
    levels = unit.school_levels
    meta: dict[str, object] = {
        "title": f"{section.title} năm học {label}",
        "section": section.slug,
        "school_year": label,
        "published": today.isoformat(),
    }
    folder = docs_dir / DISCLOSURE_DIR / label
    period = None
    if section.periodic:
        kind = section.deadline.kind
        period = period_containing(kind, today).shifted(1)
        if period.school_year != year:
            period = period_containing(kind, date(year, 9, 1) + timedelta(days=3))
        meta["title"] = f"{section.title} {period.text_vi}"
        meta["period"] = period.label
        path = folder / section.slug / f"{period.label}.md"
    else:
        meta["as_of"] = today.isoformat()
        path = folder / f"{section.slug}.md"
    if section.deadline.kind == "annual_report":
        report = section.deadline.report_year(year)
        meta["title"] = f"Báo cáo thường niên năm {report}"
        meta["report_year"] = report
        meta["as_of"] = f"{report}-12-31"
        meta["attachments"] = [
            {
                "file": f"{section.slug}/{section.slug}-{report}.pdf",
                "title": f"Báo cáo thường niên năm {report} (bản ký, PDF)",
            }
        ]
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    if section.finalization is not None:
        front += (
            f"# {section.finalization.field}: yyyy-mm-dd   # ngày duyệt quyết toán năm {year - 1};"
            " khi có, cập nhật trang và ghi updated:\n"
        )
    basis = section.basis_for(levels) or regime.basis
    levels_text = ", ".join(LEVELS.get(lv, lv) for lv in levels)
    body = (
        f"<!-- {unit.name} ({levels_text}): mục '{section.title}', năm học {label}. -->\n\n"
        + section_body(section, levels, flags, basis)
    )
    return NewPage(path, f"---\n{front}---\n\n{body}", section, year, period)


INDEX_TEXT = """---
title: Công khai
template: disclosure-index.html
---

Nhà trường công khai thông tin theo Thông tư số 09/2024/TT-BGDĐT của Bộ Giáo dục và Đào tạo.
Bảng dưới đây cho biết tình trạng của từng mục theo năm học.
"""


def index_page(docs_dir: Path) -> NewPage | None:
    """``cong-khai/index.md`` when the unit has none (the menu needs it), else ``None``."""
    path = docs_dir / DISCLOSURE_DIR / "index.md"
    if path.exists():
        return None
    return NewPage(path, INDEX_TEXT, Section("index", "Công khai", deadline=None), 0)  # type: ignore[arg-type]
