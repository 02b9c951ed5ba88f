"""``edusite report`` through click's CliRunner (the command object, before it is registered)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_network
from edusite.commands.report import command
from openpyxl import load_workbook
from test_reports import UNITS, news


@pytest.fixture
def root(tmp_path: Path, pinned_now: str) -> Path:
    files = {
        **news("th-a", "2026-03-31-cuoi-thang", "2026-03-31 23:30", group="Tổ 1", featured=True),
        **news("th-a", "2026-04-01-dau-thang", "2026-03-31 17:30Z", group="Công đoàn"),
        **news("th-b", "2026-03-10-b", "2026-03-10"),
    }
    return make_network(tmp_path / "net", UNITS, files)


def run(*args: str):
    return CliRunner().invoke(command, list(args), catch_exceptions=False)


def test_table_for_a_month(root: Path) -> None:
    result = run("--month", "2026-03", "--root", str(root))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "BÁO CÁO TIN BÀI - THÁNG 03/2026 (01/03/2026–31/03/2026)"
    assert lines[1] == "Số liệu tính đến 12:00 22/11/2026"  # EDUSITE_NOW
    table = {cells[0]: cells[1:] for cells in (re.split(r"\s{2,}", line) for line in lines[5:9])}
    assert list(table) == [
        "Sở GDĐT Thử",
        "Phòng GDĐT Thử",
        "Trường Tiểu học A",
        "Trường Tiểu học B",
    ]
    # Loại, tin bài, tiêu biểu, ảnh, video: the post at 23:30 on 31/03 counts, 17:30Z does not.
    assert table["Trường Tiểu học A"][:5] == ["Trường", "1", "1", "0", "0"]
    assert table["Trường Tiểu học B"][:5] == ["Trường", "1", "0", "0", "0"]
    assert "  th-a: Tổ 1: 1 · Công đoàn: 0" in lines


def test_csv_to_stdout_and_a_portal_with_its_members(root: Path) -> None:
    result = CliRunner().invoke(
        command, ["pgd", "--quarter", "2026-Q1", "--format", "csv", "--root", str(root)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert [(r["Mã đơn vị"], r["Tin bài"]) for r in rows] == [
        ("pgd", "0"),
        ("th-a", "1"),
        ("th-b", "1"),
    ]


def test_xlsx_to_a_file(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "bc" / "nam-hoc.xlsx"
    result = run(
        "th-a",
        "--school-year",
        "2025-2026",
        "--format",
        "xlsx",
        "-o",
        str(out),
        "--root",
        str(root),
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["Tổng hợp"]
    assert [c.value for c in sheet[2]][:4] == ["th-a", "Trường Tiểu học A", "Trường", 2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Cần đúng một kỳ: --month, --quarter hoặc --school-year / give exactly one period"),
        (["--month", "2026-03", "--quarter", "2026-Q1"], "Cần đúng một kỳ"),
        (["--month", "03/2026"], "'03/2026' không hợp lệ: cần tháng dạng yyyy-mm"),
        (["--month", "2026-03", "--format", "xlsx"], "Định dạng xlsx cần --output TỆP"),
    ],
)
def test_usage_errors(root: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(command, [*args, "--root", str(root)])
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_unit(root: Path) -> None:
    result = CliRunner().invoke(command, ["th-z", "--month", "2026-03", "--root", str(root)])
    assert result.exit_code == 2
    assert "✗ --: không có đơn vị 'th-z' / unknown unit 'th-z'" in result.output
