"""The labelled personal-data corpus (``tests/data/privacy-corpus.yml``) and spreadsheet cases,
shared by ``tests/test_privacy_corpus.py`` and ``bench/privacy.py``."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml
from edusite.security.privacy import KINDS, Allowed, find_phones
from edusite.text import fold

CORPUS = Path(__file__).resolve().parent / "data" / "privacy-corpus.yml"

__all__ = ["KINDS", "Case", "Result", "corpus", "evaluate", "xlsx_cases"]


@dataclass
class Case:
    """One labelled sample: its text, the kinds a reader finds in it, what the unit allows."""

    text: str
    expect: set[str]
    allowed: Allowed
    label: str = ""


def _allowed(unit: dict) -> Allowed:
    phones: set[str] = set()
    for p in unit.get("phones", []):
        phones |= find_phones(p)
    return Allowed(
        phones=phones,
        names={fold(n) for n in unit.get("names", [])},
        founded=unit.get("founded"),
    )


def corpus() -> list[Case]:
    """The corpus file's cases."""
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    allowed = _allowed(data.get("unit") or {})
    out = []
    for i, item in enumerate(data["cases"], start=1):
        text = str(item["text"])
        out.append(Case(text, set(item.get("expect") or []), allowed, f"#{i}: {text[:70]!r}"))
    return out


def _workbook(rows: list[list[object]], formats: dict[int, str] | None = None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    for row in rows:
        ws.append(row)
    for col, fmt in (formats or {}).items():
        for cells in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            for cell in cells:
                cell.number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: (label, rows, number formats by 1-based column, expected kinds)
XLSX = [
    (
        "CCCD stored as numbers (leading zeros lost)",
        [
            ["STT", "Họ và tên", "Số CCCD"],
            [1, "Nguyễn Văn Tâm", 1081012345],
            [2, "Lê Thị Hoa", 36186004321],
        ],
        {},
        {"cccd"},
    ),
    (
        "CCCD as numbers with a 000000000000 format",
        [["Họ tên", "Căn cước"], ["Trần Văn Long", 1204012345]],
        {2: "000000000000"},
        {"cccd"},
    ),
    (
        "phones without their leading 0",
        [
            ["Họ và tên học sinh", "SĐT phụ huynh"],
            ["Phạm Minh Khôi", 912345678],
            ["Vũ Thu Hà", 355123456],
        ],
        {},
        {"phone"},
    ),
    (
        "birth dates as Excel dates",
        [
            ["Họ và tên", "Ngày sinh"],
            ["Đỗ Gia Huy", datetime(2019, 5, 12)],
            ["Hồ Bảo Anh", date(2019, 9, 3)],
        ],
        {2: "dd/mm/yyyy"},
        {"birth_date"},
    ),
    (
        "birth dates as bare serial numbers",
        [["Họ tên trẻ", "NS"], ["Lý Minh Thư", 44330], ["Mai Đức Phúc", 44500]],
        {},
        {"birth_date"},
    ),
    (
        "CMND as numbers",
        [["Người nhận", "Số CMND"], ["Đinh Văn Hải", 125678901]],
        {},
        {"cmnd"},
    ),
    (
        "amounts and counts (nothing personal)",
        [
            ["Khoản thu", "Mức thu (đồng)", "Số học sinh"],
            ["Tiền ăn bán trú", 560000, 320],
            ["Bảo hiểm y tế", 1105650, 635],
        ],
        {2: "#,##0"},
        set(),
    ),
    (
        "aggregate by birth year",
        [["Năm sinh", "Số trẻ"], [2021, 95], [2022, 88]],
        {},
        set(),
    ),
    (
        "finance with dates of payment",
        [["Ngày chi", "Nội dung", "Số tiền"], [datetime(2026, 3, 15), "Mua bàn ghế", 45000000]],
        {1: "dd/mm/yyyy"},
        set(),
    ),
]


def xlsx_cases() -> list[Case]:
    """Spreadsheets written with openpyxl, read back the way ``edusite check`` reads them."""
    from edusite.disclosure.attachments import inspect

    out = []
    allowed = Allowed()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, rows, formats, expect) in enumerate(XLSX, start=1):
            path = Path(tmp) / f"case{i}.xlsx"
            path.write_bytes(_workbook(rows, formats))
            text = inspect(path).text
            out.append(Case(text, set(expect), allowed, f"xlsx {i}: {label}"))
    return out


@dataclass
class Result:
    """Per-kind counts of one scanner on the cases, and the cases it got wrong."""

    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    fn: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def counts(self, kind: str) -> tuple[int, int, int]:
        kinds = {"ids": ("cccd", "cmnd"), "all": KINDS}.get(kind, (kind,))
        return tuple(sum(d.get(k, 0) for k in kinds) for d in (self.tp, self.fp, self.fn))  # type: ignore[return-value]

    def precision(self, kind: str) -> float:
        tp, fp, _ = self.counts(kind)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, kind: str) -> float:
        tp, _, fn = self.counts(kind)
        return tp / (tp + fn) if tp + fn else 1.0


def evaluate(cases: list[Case], scanner: Callable[[Case], set[str]]) -> Result:
    """Score ``scanner`` (case → kinds found) against the labels."""
    result = Result()
    for case in cases:
        found = scanner(case)
        for kind in KINDS:
            if kind in case.expect and kind in found:
                result.tp[kind] = result.tp.get(kind, 0) + 1
            elif kind in found:
                result.fp[kind] = result.fp.get(kind, 0) + 1
            elif kind in case.expect:
                result.fn[kind] = result.fn.get(kind, 0) + 1
        if found != case.expect:
            result.misses.append(
                f"{case.label}: expected {sorted(case.expect)}, found {sorted(found)}"
            )
    return result
