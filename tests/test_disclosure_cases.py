"""Single rule kinds and the school-year window, on small networks written per test."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import yaml
from conftest import make_network, write_files
from edusite.disclosure import check_unit, exit_code, get_rules
from edusite.disclosure.results import UnitResult
from edusite.structure.network import get_network
from PIL import Image

YEARLY = [
    "thong-tin-chung",
    "thu-chi-tai-chinh",
    "dieu-kien-bao-dam-chat-luong",
    "ke-hoach-va-ket-qua",
    "bao-cao-thuong-nien",
]
SO = {"name": "Sở", "kind": "so"}


def pdf() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (40, 40), 255).save(buf, "PDF")
    return buf.getvalue()


RULES = get_rules()


def item_body(slug: str, start: int) -> str:
    """A body covering every required item of the section (one heading each, with content)."""
    section = RULES.regime_for(start).section(slug)
    return "".join(
        f"\n## {item.title}\n\nSố liệu tổng hợp của đơn vị về {item.title.lower()}.\n"
        for item in section.items
    )


def year_pages(uid: str, start: int, skip: tuple[str, ...] = (), **meta: object) -> dict:
    """Complete yearly pages of a TT09 school year (and the unit's "Công khai" index)."""
    label = f"{start}-{start + 1}"
    files: dict[str, str | bytes] = {
        f"content/{uid}/cong-khai/index.md": "---\ntemplate: disclosure-index.html\n---\n\nCông khai.\n"
    }
    for slug in YEARLY:
        if slug in skip:
            continue
        fm = {
            "title": slug,
            "section": slug,
            "school_year": label,
            "published": f"{start}-06-20",
            "as_of": f"{start}-06-10",
            **meta,
        }
        if slug == "bao-cao-thuong-nien":
            fm.update(report_year=start - 1, as_of=f"{start - 1}-12-31")
            fm["attachments"] = [{"file": "bctn.pdf", "title": "Báo cáo"}]
            files[f"content/{uid}/cong-khai/{label}/bctn.pdf"] = pdf()
        if slug == "thu-chi-tai-chinh" and start < 2026:  # the finance updated after quyết toán
            fm.update(quyet_toan=f"{start}-09-15", updated=f"{start}-09-22", as_of=f"{start}-09-15")
        text = (
            "---\n"
            + yaml.safe_dump(fm, allow_unicode=True)
            + "---\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
            + item_body(slug, start)
        )
        files[f"content/{uid}/cong-khai/{label}/{slug}.md"] = text
    return files


def run(tmp_path: Path, units: dict, files: dict, today: date, uid: str = "th") -> UnitResult:
    root = make_network(tmp_path, {"so": SO, **units}, files)
    network = get_network(root)
    rules = get_rules(root, network.settings)
    unit = network[uid]
    return check_unit(unit, unit.docs_dir, today, rules)


def kinds(result: UnitResult) -> list[tuple[str | None, str | None, str, str]]:
    return [(f.school_year, f.section, f.kind, f.severity) for f in result.all_findings]


TH = {"th": {"name": "Trường TH", "kind": "school", "level": "tieu-hoc", "parent": "so"}}


def test_complete_year_passes(tmp_path: Path) -> None:
    result = run(tmp_path, TH, year_pages("th", 2026), date(2026, 11, 22))
    assert kinds(result) == []
    assert [y.label for y in result.years] == ["2026-2027"]
    assert exit_code([result]) == 0


def test_annual_report_needs_its_attachment(tmp_path: Path) -> None:
    files = year_pages("th", 2026)
    path = "content/th/cong-khai/2026-2027/bao-cao-thuong-nien.md"
    files[path] = files[path].replace("attachments:\n- file: bctn.pdf\n  title: Báo cáo\n", "")
    del files["content/th/cong-khai/2026-2027/bctn.pdf"]  # a file attached to no page is an error
    result = run(tmp_path, TH, files, date(2026, 11, 22))
    (finding,) = result.all_findings
    assert (finding.kind, finding.field) == ("content", "attachments")
    assert finding.vi == "mục 'bao-cao-thuong-nien' cần tệp đính kèm (ví dụ bản PDF đã ký)"
    assert finding.en == "section 'bao-cao-thuong-nien' needs an attachment (e.g. the signed PDF)"


def test_since_demands_every_year_in_the_window(tmp_path: Path) -> None:
    units = {"th": {**TH["th"], "disclosure": {"since": "2024-2025"}}}
    result = run(tmp_path, units, year_pages("th", 2026), date(2026, 11, 22))
    missing = [(f.school_year, f.section) for f in result.all_findings if f.kind == "missing"]
    assert missing == [("2025-2026", s) for s in YEARLY] + [("2024-2025", s) for s in YEARLY]
    first = next(f for f in result.all_findings if f.school_year == "2024-2025")
    assert "hạn 30/09/2024" in first.vi  # the TT09 transition deadline from the data
    # the window is five school years: in 2029-2030 the 2024-2025 year is no longer checked
    later = run(tmp_path / "b", units, {}, date(2029, 11, 22))
    assert [y.label for y in later.years] == [
        "2029-2030",
        "2028-2029",
        "2027-2028",
        "2026-2027",
        "2025-2026",
    ]


def test_sections_not_yet_due(tmp_path: Path) -> None:
    files = year_pages("th", 2026, skip=("bao-cao-thuong-nien", "thong-tin-chung"))
    result = run(tmp_path, TH, files, date(2026, 6, 15))
    assert kinds(result) == []
    year = result.year(2026)
    assert year is not None
    statuses = {i.section.slug: i.status for i in year.items}
    assert statuses["bao-cao-thuong-nien"] == "not-due"
    assert statuses["thu-chi-tai-chinh"] == "ok"
    # on 01/07/2026 they are late
    result = run(tmp_path / "b", TH, files, date(2026, 7, 1))
    assert [(f.section, f.kind) for f in result.all_findings] == [
        ("thong-tin-chung", "missing"),
        ("bao-cao-thuong-nien", "missing"),
    ]


def test_a_unit_without_any_page_owes_the_current_year(tmp_path: Path) -> None:
    result = run(tmp_path, TH, {}, date(2026, 11, 22))
    assert [(f.school_year, f.kind) for f in result.all_findings] == [(None, "index-missing")] + [
        ("2026-2027", "missing")
    ] * 5


def test_bad_folder_duplicate_period_and_old_years(tmp_path: Path) -> None:
    units = {"mn": {"name": "MN", "kind": "school", "level": "mam-non", "parent": "so"}}
    week = "---\ntitle: T\nsection: thuc-don\nschool_year: 2026-2027\npublished: 2026-11-13\nperiod: {p}\n---\n\nMón ăn.\n"
    files = {
        "content/mn/cong-khai/2025-2027/thong-tin-chung.md": "x",
        "content/mn/cong-khai/2019-2020/rac.md": "not checked: outside the retention window",
        "content/mn/cong-khai/2026-2027/thuc-don/a.md": week.format(p="2026-W47"),
        "content/mn/cong-khai/2026-2027/thuc-don/b.md": week.format(p="2026-11-18"),
    }
    result = run(tmp_path, units, files, date(2026, 11, 22), uid="mn")
    bad = [f for f in result.all_findings if f.kind == "front-matter"]
    assert [(f.field, f.en) for f in bad] == [
        (
            None,
            "folder name '2025-2027' is not a school year; expected e.g. 2026-2027; rename it "
            "'2025-2026' (the pages in it do not count as disclosed)",
        ),
        (
            "period",
            "period 2026-W47 already has the page cong-khai/2026-2027/thuc-don/a.md",
        ),
    ]
    assert exit_code([result]) == 2


def test_override_can_make_a_section_a_warning(tmp_path: Path) -> None:
    files = year_pages("th", 2026, skip=("bao-cao-thuong-nien",))
    files["rules/extra.yml"] = yaml.safe_dump(
        {
            "regimes": {
                "tt09-2024": {"sections": [{"slug": "bao-cao-thuong-nien", "severity": "warning"}]}
            }
        }
    )
    root = make_network(tmp_path, {"so": SO, **TH}, files)
    base = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    base.setdefault("extra", {}).setdefault("network", {})["disclosure_rules"] = "rules/extra.yml"
    write_files(root, {"mkdocs.yml": yaml.safe_dump(base, allow_unicode=True)})
    network = get_network(root)
    unit = network["th"]
    result = check_unit(unit, unit.docs_dir, date(2026, 11, 22), get_rules(root, network.settings))
    assert kinds(result) == [("2026-2027", "bao-cao-thuong-nien", "missing", "warning")]
    assert exit_code([result]) == 0
