"""A hostile disclosure folder costs ``edusite check`` little, and its reports stay small.

* a page, or any other text file under ``cong-khai/``, over the page cap
  (:data:`edusite.security.limits.MAX_BYTES`, the build's) is refused by name, unread;
* a page under the cap holding thousands of personal-data matches gives findings of bounded
  length (the places are counted past a few), in ``edusite check`` and in the build's gate.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from edusite.cli import main
from edusite.security import limits
from edusite.security.personal_data import scan_page

REPO = Path(__file__).resolve().parents[2]
NET = REPO / "tests" / "networks" / "disclosure"
YEAR = "content/lc-f/cong-khai/2026-2027"
PAGE = f"{YEAR}/thu-chi-tai-chinh.md"
#: One table row of a list of people: a citizen ID, a phone and a birth date.
ROW = "| Nguyễn Văn An {n} | 0012040{n:05d} | 09123{n:05d} | 12/05/2015 | thôn Đông |\n"
HEAD = "\n| Họ và tên | CCCD | Điện thoại | Ngày sinh | Địa chỉ |\n|---|---|---|---|---|\n"
#: Longest finding message accepted (twenty places and the words around them).
MAX_MESSAGE = 2_000


def _rows(count: int) -> str:
    return HEAD + "".join(ROW.format(n=n) for n in range(count))


@pytest.fixture
def net(tmp_path: Path) -> Path:
    root = tmp_path / "net"
    shutil.copytree(NET, root)
    return root


def _check(root: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(
        main, ["check", "lc-f", "--root", str(root), "--today", "2026-11-22", "--format", "json"]
    )
    assert isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def _too_large(report: dict, name: str) -> list[dict]:
    return [
        f
        for f in report["findings"]
        if (f["file"] or "").endswith(name) and "too large" in f["message_en"]
    ]


def test_a_page_over_the_cap_is_refused_unread(net: Path) -> None:
    page = net / PAGE
    text = page.read_text(encoding="utf-8")
    page.write_text(text + _rows(limits.MAX_BYTES // 60), encoding="utf-8")
    assert page.stat().st_size > limits.MAX_BYTES
    code, report = _check(net)
    assert code == 2
    assert _too_large(report, "thu-chi-tai-chinh.md"), report["findings"]
    assert not [f for f in report["findings"] if f["kind"] in ("cccd", "phone", "birth_date")]


def test_a_page_over_a_markdown_cap_is_refused(net: Path) -> None:
    page = net / PAGE
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "<b>x</b>" * (limits.MAX_TAGS), encoding="utf-8")
    assert page.stat().st_size < limits.MAX_BYTES
    code, report = _check(net)
    assert code == 2
    assert [
        f
        for f in report["findings"]
        if (f["file"] or "").endswith("thu-chi-tai-chinh.md") and "HTML tags" in f["message_en"]
    ], report["findings"]


@pytest.mark.parametrize("name", ["danh-sach.txt", "danh-sach.csv", "ghi-chu.md"])
def test_any_other_text_file_over_the_cap_is_refused_unread(net: Path, name: str) -> None:
    (net / YEAR / name).write_text(_rows(limits.MAX_BYTES // 60), encoding="utf-8")
    _code, report = _check(net)
    assert _too_large(report, name), report["findings"]


def test_thousands_of_matches_give_short_findings(net: Path) -> None:
    page = net / PAGE
    text = page.read_text(encoding="utf-8")
    count = 3_000
    page.write_text(text + _rows(count), encoding="utf-8")
    assert page.stat().st_size < limits.MAX_BYTES
    _code, report = _check(net)
    privacy = [f for f in report["findings"] if f["kind"] in ("cccd", "phone")]
    assert {f["kind"] for f in privacy} == {"cccd", "phone"}
    for f in privacy:
        assert len(f["message_vi"]) < MAX_MESSAGE and len(f["message_en"]) < MAX_MESSAGE, f
        assert "dòng" in f["message_vi"] and "line" in f["message_en"]  # places still listed


def test_the_builds_gate_gives_short_findings_too() -> None:
    found = scan_page(_rows(3_000), "trang.md", blocking=("cccd", "birth_date"))
    assert found
    for p in found:
        assert len(p.vi) < MAX_MESSAGE and len(p.en) < MAX_MESSAGE, p
