"""Disclosure check v2 (issue 17): required items clause by clause, placeholders, nothing under
``cong-khai/`` ignored, retention from git history, working days with Vietnamese holidays, the
update after quyết toán, sources in the rules data, section templates."""

from __future__ import annotations

import io
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import make_network, write_files
from edusite.cli import main
from edusite.disclosure import check_unit, get_rules, load_rules, section_page
from edusite.disclosure.explain import explain_text
from edusite.structure.network import get_network
from test_disclosure_cases import SO, TH, YEARLY, item_body, kinds, run, year_pages

TODAY = date(2026, 11, 22)
INFO = "content/th/cong-khai/2026-2027/thong-tin-chung.md"


def page(slug: str, body: str, year: str = "2026-2027", **meta: object) -> str:
    fm = {"title": slug, "section": slug, "school_year": year, "published": f"{year[:4]}-06-20"}
    fm["as_of"] = f"{year[:4]}-06-10"
    fm.update(meta)
    return "---\n" + yaml.safe_dump(fm, allow_unicode=True) + "---\n\n" + body


# ---- Required items, placeholders ---------------------------------------------------------------


def test_a_placeholder_page_is_not_disclosed_and_each_missing_item_is_named(tmp_path: Path) -> None:
    files = year_pages("th", 2026)
    files[INFO] = page("thong-tin-chung", "Đang cập nhật.\n")
    result = run(tmp_path, TH, files, TODAY)
    item = next(i for i in result.year(2026).items if i.section.slug == "thong-tin-chung")
    assert item.status == "missing"  # was "ok" (✓ đạt) when only existence was checked
    found = [(f.kind, f.vi) for f in item.findings]
    assert found[0] == (
        "placeholder",
        "dòng 9: nội dung giữ chỗ 'Đang cập nhật.' không phải là công khai; điền số liệu, "
        "thông tin thật",
    )
    missing = [vi.split("'")[1] for kind, vi in found if kind == "item-missing"]
    assert missing == [
        "Tên cơ sở giáo dục",
        "Địa chỉ, điện thoại, thư điện tử, trang thông tin điện tử",
        "Loại hình, cơ quan quản lý trực tiếp",
        "Sứ mạng, tầm nhìn, mục tiêu",
        "Tóm tắt lịch sử phát triển",
        "Quyết định thành lập, cho phép hoạt động giáo dục",
        "Hội đồng trường",
        "Lãnh đạo cơ sở giáo dục (họ tên, chức vụ, điện thoại, thư điện tử, nhiệm vụ)",
        "Cơ cấu tổ chức, sơ đồ tổ chức",
        "Quy chế tổ chức và hoạt động, quy chế nội bộ",
        "Người phát ngôn",
    ]  # not the investor (public school) nor a foreign programme (no flag)
    assert all("TT 09/2024 Điều 4" in vi for kind, vi in found if kind == "item-missing")


def test_items_are_covered_by_headings_rows_labels_and_attachments(tmp_path: Path) -> None:
    files = year_pages("th", 2026)
    body = item_body("thong-tin-chung", 2026).replace(
        "## Người phát ngôn\n\nSố liệu tổng hợp của đơn vị về người phát ngôn.\n", ""
    )
    files[INFO] = page(
        "thong-tin-chung",
        "| Thông tin | Nội dung |\n|---|---|\n| Người phát ngôn | Hiệu trưởng |\n" + body,
    )
    assert kinds(run(tmp_path / "a", TH, files, TODAY)) == []
    # a heading with nothing under it, an empty table, a label that only says "sẽ cập nhật"
    files[INFO] = page(
        "thong-tin-chung",
        body + "\n## Người phát ngôn\n\n| Họ tên | Điện thoại |\n|---|---|\n| … | |\n"
        "\nGhi chú: sẽ cập nhật sau\n",
    )
    result = run(tmp_path / "b", TH, files, TODAY)
    messages = [f.vi for f in result.all_findings]
    assert [f.kind for f in result.all_findings] == ["placeholder"] * 3
    assert any(m.startswith("dòng ") and "bảng chưa điền số liệu" in m for m in messages)
    assert any("'Ghi chú: sẽ cập nhật sau'" in m for m in messages)
    assert any(
        m.startswith("nội dung 'Người phát ngôn'") and "chưa có thông tin" in m for m in messages
    )


def test_liên_cấp_owes_the_items_of_each_level_and_flags_add_items(tmp_path: Path) -> None:
    rules = load_rules()
    dk = rules.regime_for(2026).section("dieu-kien-bao-dam-chat-luong")
    assert [i.id for i in dk.owed_items(["mam-non"], {})] == [
        "doi-ngu",
        "co-so-vat-chat",
        "kiem-dinh",
    ]
    assert "sach-giao-khoa" in [i.id for i in dk.owed_items(["mam-non", "tieu-hoc"], {})]
    info = rules.regime_for(2026).section("thong-tin-chung")
    assert "chuong-trinh-lien-ket" not in [i.id for i in info.owed_items(["thpt"], {})]
    assert "chuong-trinh-lien-ket" in [
        i.id for i in info.owed_items(["thpt"], {"foreign_programme": True})
    ]


# ---- Templates -------------------------------------------------------------------------------------


def test_new_disclosure_writes_every_item_and_fails_until_filled(tmp_path: Path) -> None:
    units = {
        "th": TH["th"],
        "mn": {"name": "Trường MN", "kind": "school", "level": "mam-non", "parent": "so"},
    }
    root = make_network(tmp_path, {"so": SO, **units}, {})
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["new", "disclosure", "th", "dieu-kien-bao-dam-chat-luong", "--year", "2026-2027",
         "--root", str(root)],
        env={"EDUSITE_NOW": "2026-06-20 08:00"},  # published before the deadline
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = (root / "content/th/cong-khai/2026-2027/dieu-kien-bao-dam-chat-luong.md").read_text(
        encoding="utf-8"
    )
    assert (root / "content/th/cong-khai/index.md").is_file()  # the menu needs the index
    headings = [ln for ln in written.splitlines() if ln.startswith("## ")]
    assert headings == [
        "## 1. Đội ngũ nhà giáo, cán bộ quản lý và nhân viên",
        "## 2. Cơ sở vật chất, thiết bị dạy học",
        "## 3. Danh mục sách giáo khoa, tài liệu giáo dục địa phương",
        "## 4. Tự đánh giá, kiểm định chất lượng, công nhận đạt chuẩn",
    ]
    network = get_network(root)
    rules = get_rules(root, network.settings)
    unit = network["th"]
    result = check_unit(unit, unit.docs_dir, TODAY, rules, years=[2026])
    item = next(
        i for i in result.year(2026).items if i.section.slug == "dieu-kien-bao-dam-chat-luong"
    )
    assert item.status == "missing"
    assert {f.kind for f in item.findings} == {"placeholder"}
    filled = written.replace("…", "12").replace(
        "Đang cập nhật.", "Đạt chuẩn quốc gia mức độ 2 năm 2023."
    )
    (root / "content/th/cong-khai/2026-2027/dieu-kien-bao-dam-chat-luong.md").write_text(
        filled, encoding="utf-8"
    )
    result = check_unit(unit, unit.docs_dir, TODAY, rules, years=[2026])
    item = next(
        i for i in result.year(2026).items if i.section.slug == "dieu-kien-bao-dam-chat-luong"
    )
    assert item.findings == [] and item.status == "ok"
    # the reusable function: a mầm non school owes no textbooks; an unknown section is refused
    mn = section_page(
        network["mn"], network["mn"].docs_dir, "ke-hoach-va-ket-qua", rules, year=2026, today=TODAY
    )
    assert "## 3. Nuôi dưỡng, chăm sóc sức khỏe trẻ" in mn.text and "sách giáo khoa" not in mn.text
    bad = runner.invoke(main, ["new", "disclosure", "th", "huong-nghiep", "--root", str(root)])
    assert bad.exit_code == 2 and "mục 'huong-nghiep' không có trong" in bad.output


# ---- Nothing ignored ----------------------------------------------------------------------------------


def test_misnamed_year_folders_are_errors_and_still_scanned(tmp_path: Path) -> None:
    files = year_pages("th", 2026)
    files["content/th/cong-khai/2025-26/thu-chi-tai-chinh.md"] = page(
        "thu-chi-tai-chinh", "Người nhận: Lê Văn Tâm, CCCD 001-204-012-345\n", "2025-2026"
    )
    files["content/th/cong-khai/nam-hoc-2024-2025/thong-tin-chung.md"] = page(
        "thong-tin-chung", "Thông tin.\n", "2024-2025"
    )
    result = run(tmp_path, TH, files, TODAY)
    bad = [f.en for f in result.findings if f.kind == "front-matter"]
    assert bad == [
        "folder name '2025-26' is not a school year; expected e.g. 2026-2027; rename it "
        "'2025-2026' (the pages in it do not count as disclosed)",
        "folder name 'nam-hoc-2024-2025' is not a school year; expected e.g. 2026-2027; rename "
        "it '2024-2025' (the pages in it do not count as disclosed)",
    ]
    (cccd,) = [f for f in result.findings if f.kind == "cccd"]
    assert cccd.file.endswith("cong-khai/2025-26/thu-chi-tai-chinh.md")
    assert "001*******45, dòng 9" in cccd.vi


def test_the_index_is_required_and_stray_files_are_named(tmp_path: Path) -> None:
    files = year_pages("th", 2026)
    del files["content/th/cong-khai/index.md"]
    files["content/th/cong-khai/2026-2027/danh-sach.xlsx"] = b"not attached"
    files["content/th/cong-khai/2026-2027/cong-khai-tai-chinh.md"] = page("thu-chi", "x\n")
    files["content/th/cong-khai/ghi-chu.md"] = "Ghi chú.\n"
    result = run(tmp_path, TH, files, TODAY)
    unit_level = [(f.kind, f.file.split("cong-khai/")[1]) for f in result.findings]
    assert ("index-missing", "index.md") in unit_level
    assert ("unrecognised", "2026-2027/danh-sach.xlsx") in unit_level
    assert ("unrecognised", "ghi-chu.md") in unit_level
    stray = next(f for f in result.findings if f.file.endswith("danh-sach.xlsx"))
    assert "không được trang nào đính kèm" in stray.vi and "attachments:" in stray.vi


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.vn",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.vn"}  # fmt: skip
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def test_a_published_year_removed_later_is_an_error_naming_it(tmp_path: Path) -> None:
    files = {**year_pages("th", 2025), **year_pages("th", 2026)}
    root = make_network(tmp_path, {"so": SO, **TH}, files)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "công khai")
    network = get_network(root)
    rules = get_rules(root, network.settings)
    unit = network["th"]
    assert kinds(check_unit(unit, unit.docs_dir, TODAY, rules)) == []
    # the oldest year is deleted (before: silently no longer demanded)
    for path in sorted((root / "content/th/cong-khai/2025-2026").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (root / "content/th/cong-khai/2025-2026").rmdir()
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "xóa năm cũ")
    result = check_unit(unit, unit.docs_dir, TODAY, rules)
    removed = [f for f in result.all_findings if f.kind == "removed"]
    assert [(f.school_year, f.severity) for f in removed] == [("2025-2026", "error")]
    assert "năm học 2025-2026 đã được công khai" in removed[0].vi
    assert [(f.section, f.kind) for f in result.all_findings if f.kind == "missing"] == [
        (s, "missing") for s in YEARLY
    ]


# ---- Working days, the update after quyết toán, sources --------------------------------------------


def test_working_days_skip_tet_national_day_and_count_swapped_saturdays() -> None:
    rules = load_rules()
    # Thursday 12/02/2026 → Friday 27/02/2026: Tết is 16-20/02 (was counted: 11 days)
    assert rules.working_days_between(date(2026, 2, 12), date(2026, 2, 27)) == 6
    # 24/08 → 08/09/2026: 31/08 (swapped), 1/9 and 2/9 off; Saturday 22/08 worked before it
    assert rules.working_days_between(date(2026, 8, 24), date(2026, 9, 8)) == 8
    assert rules.is_working_day(date(2026, 8, 22)) and not rules.is_working_day(date(2026, 4, 27))
    assert not rules.is_working_day(date(2031, 9, 2))  # beyond the calendar: fixed dates only


def test_the_update_rule_uses_the_holidays(tmp_path: Path) -> None:
    files = year_pages("th", 2026)
    path = "content/th/cong-khai/2026-2027/ke-hoach-va-ket-qua.md"
    files[path] = page(
        "ke-hoach-va-ket-qua", item_body("ke-hoach-va-ket-qua", 2026), as_of="2026-08-24",
        updated="2026-09-08",
    )  # fmt: skip
    assert kinds(run(tmp_path, TH, files, TODAY)) == []  # 8 working days, not 11


def test_the_finance_update_after_quyet_toan_is_checked(tmp_path: Path) -> None:
    files = year_pages("th", 2025)
    path = "content/th/cong-khai/2025-2026/thu-chi-tai-chinh.md"
    body = item_body("thu-chi-tai-chinh", 2025)
    files[path] = page("thu-chi-tai-chinh", body, "2025-2026")
    late = [f for f in run(tmp_path / "a", TH, files, date(2026, 1, 5)).all_findings]
    assert [(f.kind, f.severity, f.field) for f in late] == [
        ("finalization", "warning", "quyet_toan")
    ]
    assert "chưa cập nhật số liệu tài chính năm 2024 sau quyết toán (hạn 31/12/2025)" in late[0].vi
    files[path] = page(
        "thu-chi-tai-chinh", body, "2025-2026", quyet_toan="2025-09-15", updated="2025-10-20",
        as_of="2025-10-20",
    )  # fmt: skip
    (slow,) = run(tmp_path / "b", TH, files, date(2026, 1, 5)).all_findings
    assert slow.kind == "finalization"
    assert slow.vi == (
        "cập nhật số liệu quyết toán ngày 20/10/2025, 25 ngày làm việc sau ngày duyệt quyết toán "
        "15/09/2025 (tối đa 10)"
    )
    files[path] = page(
        "thu-chi-tai-chinh", body, "2025-2026", quyet_toan="2025-09-15", updated="2025-09-26",
        as_of="2025-09-15",
    )  # fmt: skip
    assert kinds(run(tmp_path / "c", TH, files, date(2026, 1, 5))) == []


def test_every_legal_fact_in_the_rules_data_has_a_source(tmp_path: Path) -> None:
    rules = load_rules()
    assert rules.deadline_inclusive_source and rules.deadline_inclusive_confidence == "L"
    for regime in rules.regimes:
        assert regime.source
        for section in regime.sections:
            assert section.source and section.deadline.source, section.slug
            for item in section.items:
                assert item.source and item.confidence in ("H", "M", "L", "mem"), item.id
    text = explain_text(rules)
    assert "Người phát ngôn [nguoi-phat-ngon] [L: thấp]" in text
    assert "Hạn 'trước ngày …' tính cả ngày đó: có [L: thấp]" in text
    assert "holidays-vn.yml, năm 2018-2030" in text
    root = make_network(tmp_path, {"so": SO, **TH}, {})
    out = CliRunner().invoke(main, ["check", "--explain", "th", "--root", str(root)])
    assert out.exit_code == 0
    assert "▶ Trường TH (th): Tiểu học" in out.output
    assert "Danh mục sách giáo khoa, tài liệu giáo dục địa phương [sach-giao-khoa]" in out.output
    # a wrong item in a network override is named with its file and key
    files = {"rules/x.yml": yaml.safe_dump({"regimes": {"tt09-2024": {"sections": [
        {"slug": "thong-tin-chung", "items": [{"id": "Sai Mã", "title": "x"}]}]}}})}  # fmt: skip
    write_files(root, files)
    with pytest.raises(
        Exception, match=r"x\.yml: trường 'regimes\.tt09-2024\.sections\[0\]\.items\[0\]\.id'"
    ):
        load_rules(None, [root / "rules/x.yml"])


# ---- Privacy in the check -------------------------------------------------------------------------------


def _xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Danh sách"
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_spreadsheet_numbers_and_dates_are_read_as_excel_shows_them(tmp_path: Path) -> None:
    files = year_pages("th", 2026)
    path = "content/th/cong-khai/2026-2027/thu-chi-tai-chinh.md"
    text = files[path]
    files[path] = text.replace(
        "as_of:", "attachments:\n- file: ho-tro.xlsx\n  title: Hỗ trợ\nas_of:", 1
    )
    files["content/th/cong-khai/2026-2027/ho-tro.xlsx"] = _xlsx(
        [["STT", "Họ và tên", "Số CCCD", "Ngày sinh"],
         [1, "Nguyễn Văn Tâm", 1081012345, date(2015, 5, 12)]]
    )  # fmt: skip
    found = {f.kind: f for f in run(tmp_path, TH, files, TODAY).all_findings}
    assert set(found) == {"cccd", "birth_date"}
    assert "(001*******45, Danh sách!C2)" in found["cccd"].vi
    assert "(**/**/2015 (1), Danh sách!D2)" in found["birth_date"].vi


def test_the_spokesperson_and_parents_phones_are_allowed(tmp_path: Path) -> None:
    units = {
        "th": {**TH["th"], "phone": "0207 3862 408",
               "spokesperson": {"name": "Nguyễn Thị Hạnh", "title": "Hiệu trưởng", "phone": "0912 000 111"}},
    }  # fmt: skip
    so = {**SO, "phone": "0207 3851 234"}
    files = year_pages("th", 2026)
    files[INFO] = page(
        "thong-tin-chung",
        item_body("thong-tin-chung", 2026)
        + "\nNgười phát ngôn: bà Nguyễn Thị Hạnh, ĐT 0912 000 111; đường dây nóng của Sở: "
        "0207 3851 234.\n",
    )
    root = make_network(tmp_path, {"so": so, **units}, files)
    network = get_network(root)
    assert [w for w in network.warnings if "spokesperson" in str(w)] == []  # a known key
    result = CliRunner().invoke(main, ["check", "th", "--root", str(root), "--today", "2026-11-22"])
    assert result.exit_code == 0, result.output
