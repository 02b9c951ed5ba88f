"""Disclosure pages: front-matter validation, attachment checks and the personal-data scan."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import write_files
from edusite.disclosure.attachments import inspect
from edusite.disclosure.pages import load_page
from edusite.disclosure.rules import load_rules
from edusite.security.privacy import find_phones, normalize_phone, scan
from edusite.text import human_size
from PIL import Image
from pypdf import PdfWriter

RULES = load_rules()
TT09 = RULES.regime_for(2026)


def pdf_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (60, 40), 255).save(buf, "PDF")
    return buf.getvalue()


def xlsx_bytes(rows: list[list[str]], parts: bool = True) -> bytes:
    """A minimal spreadsheet written by hand (no openpyxl needed)."""
    strings = [v for row in rows for v in row]
    cells = []
    for r, row in enumerate(rows, start=1):
        cs = "".join(
            f'<c r="{chr(65 + c)}{r}" t="s"><v>{strings.index(v)}</v></c>'
            for c, v in enumerate(row)
        )
        cells.append(f'<row r="{r}">{cs}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        if parts:
            zf.writestr("xl/workbook.xml", f"<workbook {ns}/>")
        zf.writestr(
            "xl/sharedStrings.xml",
            f"<sst {ns}>" + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>",
        )
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {ns}><sheetData>{''.join(cells)}</sheetData></worksheet>",
        )
    return buf.getvalue()


def docx_bytes(text: str) -> bytes:
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(
            "word/document.xml",
            f"<w:document {ns}><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return buf.getvalue()


def test_human_sizes() -> None:
    assert human_size(0) == "0 B"
    assert human_size(1023) == "1023 B"
    assert human_size(1024) == "1 KB"
    assert human_size(245 * 1024 + 300) == "245 KB"
    assert human_size(int(1.25 * 1024 * 1024)) == "1,2 MB"


def test_pdf_checks(tmp_path: Path) -> None:
    good = tmp_path / "a.pdf"
    good.write_bytes(pdf_bytes())
    assert inspect(good).ok and inspect(good).pages == 1
    corrupt = tmp_path / "b.pdf"
    corrupt.write_bytes(b"<html>not a pdf</html>")
    result = inspect(corrupt)
    assert not result.ok
    assert result.vi.startswith("PDF hỏng, không mở được (")
    assert result.en.startswith("corrupt PDF, cannot be opened (")
    truncated = tmp_path / "c.pdf"
    truncated.write_bytes(pdf_bytes()[:600])
    assert not inspect(truncated).ok
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("mat-khau", algorithm="RC4-128")
    locked = tmp_path / "d.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    assert inspect(locked).vi == "PDF có mật khẩu, người dân không mở được"


def test_office_checks_and_text(tmp_path: Path) -> None:
    sheet = tmp_path / "ds.xlsx"
    sheet.write_bytes(xlsx_bytes([["Họ và tên", "Ngày sinh"], ["Trẻ A", "03/04/2021"]]))
    result = inspect(sheet)
    assert result.ok
    assert "| Họ và tên | Ngày sinh |" in result.text
    assert [h.kind for h in scan(result.text)] == ["birth_date"]
    broken = tmp_path / "thieu.xlsx"
    broken.write_bytes(xlsx_bytes([["a"]], parts=False))
    assert inspect(broken).vi == "tệp XLSX thiếu thành phần xl/workbook.xml"
    not_zip = tmp_path / "x.docx"
    not_zip.write_bytes(b"plain text")
    assert inspect(not_zip).en == "corrupt DOCX file (not a valid zip archive)"
    doc = tmp_path / "y.docx"
    doc.write_bytes(docx_bytes("Số CCCD 079123456789 của người nhận"))
    assert [h.kind for h in scan(inspect(doc).text)] == ["cccd"]
    old = tmp_path / "z.xls"
    old.write_bytes(b"PK\x03\x04 not ole")
    assert inspect(old).en == "not a valid Office file (no OLE signature)"


def test_real_xlsx_from_openpyxl(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["Khoản thu", "Mức thu (đồng/tháng)"])
    wb.active.append(["Tiền ăn bán trú", 450000])
    path = tmp_path / "thu.xlsx"
    wb.save(path)
    result = inspect(path)
    assert result.ok
    assert "| Tiền ăn bán trú | 450000 |" in result.text
    assert scan(result.text) == []


def test_phone_numbers() -> None:
    assert normalize_phone("0912 345 678") == "0912345678"
    assert normalize_phone("+84 912.345.678") == "0912345678"
    assert normalize_phone("0207 3851 234") == "02073851234"
    assert normalize_phone("1900 1234") is None
    assert find_phones("Gọi 0207.3851.234 hoặc 098-765-4321") == {"02073851234", "0987654321"}


def test_personal_data_scan() -> None:
    text = """
Điện thoại trường: 0207 3851 234; phụ huynh liên hệ 0987 654 321.
Số CCCD: 001203004567.
Tổng thu: 1.250.000.000 đồng; 125000000000 đồng; diện tích 0,5 ha; giờ học 07.30 - 10.45.
Ngày sinh hoạt chuyên môn: 15/10/2026. Trẻ sinh năm 2021: 95 cháu.
- Em Nguyễn Văn A, sinh ngày 12/03/2015

| Năm sinh | Số trẻ |
|---|---:|
| 2021 | 95 |

<table><tr><th>Họ và tên</th><th>Ngày tháng năm sinh</th></tr>
<tr><td>B</td><td>2015-05-06</td></tr></table>
"""
    hits = scan(text, allowed_phones={"02073851234"})
    assert [(h.kind, h.masked) for h in hits] == [
        ("phone", "098*****21"),
        ("cccd", "001*******67"),
        ("birth_date", "**/**/2015"),
        ("birth_date", "**/**/2015 (1)"),
    ]


def page_text(meta: str, body: str = "Nội dung.\n") -> str:
    return f"---\n{meta.strip()}\n---\n\n{body}"


def test_front_matter_problems_name_file_and_field(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_files(
        docs,
        {
            "cong-khai/2026-2027/thu-chi-tai-chinh.md": page_text(
                """
title: Thu chi
section: thu-chi
school_year: 2025-2026
published: 2026-06-20
updated: 2026-06-10
as_of: 2026-07-01
period: 2026-11
attachments:
  - {file: ../bi-mat.pdf, title: X}
  - {file: bang.png, title: Y}
  - {file: du-toan.pdf}
"""
            ),
        },
    )
    path = docs / "cong-khai/2026-2027/thu-chi-tai-chinh.md"
    page = load_page(path, docs, 2026, TT09)
    got = {(p.field, p.en) for p in page.problems}
    assert ("section", "section 'thu-chi' is not part of Thông tư 09/2024/TT-BGDĐT; expected one of: "
            "thong-tin-chung, thu-chi-tai-chinh, dieu-kien-bao-dam-chat-luong, ke-hoach-va-ket-qua, "
            "bao-cao-thuong-nien, thuc-don, ke-hoach-thang, ke-hoach-tuan") in got  # fmt: skip
    assert ("school_year", "school year '2025-2026' differs from the folder '2026-2027'") in got
    assert ("updated", "update date 2026-06-10 is before the publication date 2026-06-20") in got
    assert ("as_of", "data as of 2026-07-01 is later than the publication/update 2026-06-10") in got
    assert ("period", "only for periodic sections; section 'thu-chi-tai-chinh' is yearly") in got
    assert (
        "attachments[0].file",
        "'../bi-mat.pdf': the file must sit beside the page or in a sub-folder (relative path, no ..)",
    ) in got
    assert (
        "attachments[1].file",
        "'bang.png': unsupported file type; use PDF, XLSX, DOCX, XLS, DOC, ODS, ODT",
    ) in got
    assert len(got) == 7
    assert all(p.file.endswith("thu-chi-tai-chinh.md") for p in page.problems)
    assert [a.file for a in page.attachments] == ["du-toan.pdf"]
    assert page.attachments[0].title == "du-toan" and not page.attachments[0].exists


def test_periodic_and_annual_report_fields(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_files(
        docs,
        {
            "cong-khai/2026-2027/thuc-don/tuan-48.md": page_text(
                "title: Thực đơn\nsection: thuc-don\nschool_year: 2026-2027\npublished: 2026-11-20\nperiod: 2026-11-23"
            ),
            "cong-khai/2026-2027/ke-hoach-thang/2027-09.md": page_text(
                "title: Tháng 9\nsection: ke-hoach-thang\nschool_year: 2026-2027\npublished: 2027-08-20\nperiod: 2027-09"
            ),
            "cong-khai/2026-2027/ke-hoach-tuan.md": page_text(
                "title: Tuần\nsection: ke-hoach-tuan\nschool_year: 2026-2027\npublished: 2026-11-20"
            ),
            "cong-khai/2026-2027/bao-cao-thuong-nien.md": page_text(
                "title: BCTN\nsection: bao-cao-thuong-nien\nschool_year: 2026-2027\npublished: 2026-06-20\nas_of: 2025-12-31\nreport_year: 2026"
            ),
        },
    )
    base = docs / "cong-khai/2026-2027"
    menu = load_page(base / "thuc-don/tuan-48.md", docs, 2026, TT09)
    assert menu.problems == [] and menu.period.label == "2026-W48"
    assert menu.url == "cong-khai/2026-2027/thuc-don/tuan-48/"
    month = load_page(base / "ke-hoach-thang/2027-09.md", docs, 2026, TT09)
    assert [p.en for p in month.problems] == ["period 2027-09 is not in school year 2026-2027"]
    flat = load_page(base / "ke-hoach-tuan.md", docs, 2026, TT09)
    assert [(p.field, p.en) for p in flat.problems] == [
        ("section", "periodic section 'ke-hoach-tuan': one page per period in the folder ke-hoach-tuan/"),
        ("period", "required for section 'ke-hoach-tuan': period: month 2026-11, or week 2026-W47 / its start date 2026-11-16"),
    ]  # fmt: skip
    report = load_page(base / "bao-cao-thuong-nien.md", docs, 2026, TT09)
    assert [p.vi for p in report.problems] == [
        "thư mục năm học 2026-2027 chứa báo cáo thường niên năm 2025, không phải '2026'"
    ]
