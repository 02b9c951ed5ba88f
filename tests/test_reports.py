"""Reports: periods, counting at period edges, quotas, CSV/XLSX read back, the SVG chart."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import make_network, post
from edusite.errors import EdusiteError
from edusite.reports.chart import BAR_AREA, bar_chart
from edusite.reports.collect import media_counts
from edusite.reports.output import summary_header, to_csv, to_text, to_xlsx
from edusite.reports.periods import parse_period, split
from edusite.reports.quotas import Rule, load_rules, quotas_file
from edusite.reports.report import make_report, select_units
from edusite.structure.network import get_network
from edusite.text import TZ
from openpyxl import load_workbook

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=TZ)
UNITS: dict[str, dict[str, Any]] = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so"},
    "pgd": {"name": "Phòng GDĐT Thử", "kind": "portal", "parent": "so"},
    "th-a": {
        "name": "Trường Tiểu học A",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
        "groups": ["Tổ 1", "Công đoàn"],
    },
    "th-b": {"name": "Trường Tiểu học B", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
}


def news(unit: str, folder: str, date_text: str, **meta: Any) -> dict[str, str]:
    """One post of ``unit`` in ``tin-tuc/<yyyy>/<folder>/``."""
    meta.setdefault("categories", ["thong-bao"])
    return {
        f"content/{unit}/tin-tuc/{folder[:4]}/{folder}/index.md": post(folder, date_text, **meta)
    }


def network(tmp_path: Path, *posts: dict[str, str]):
    files: dict[str, str | bytes] = {}
    for p in posts:
        files.update(p)
    return get_network(make_network(tmp_path, UNITS, files))


def rule(**kw: Any) -> Rule:
    base: dict[str, Any] = {"id": "r", "ten": "Quy tắc", "kinds": ("school",), "metric": "posts"}
    base.update(kw)
    base.setdefault("every", "month")
    base.setdefault("min", 1)
    return Rule(**base)


# -- periods ---------------------------------------------------------------------------------


def test_parse_periods() -> None:
    assert (parse_period("month", "2026-03").start, parse_period("month", "2026-03").end) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    q = parse_period("quarter", "2026-q1")
    assert (q.start, q.end, q.title) == (date(2026, 1, 1), date(2026, 3, 31), "Quý I/2026")
    y = parse_period("school-year", "2025-2026")
    assert (y.start, y.end, y.label) == (date(2025, 9, 1), date(2026, 8, 31), "2025-2026")
    with pytest.raises(ValueError) as exc:
        parse_period("month", "2026-13")
    assert str(exc.value) == (
        "'2026-13' không hợp lệ: cần tháng dạng yyyy-mm, ví dụ 2026-03 / "
        "invalid '2026-13': expected a month as yyyy-mm, e.g. 2026-03"
    )
    with pytest.raises(ValueError, match="two consecutive years"):
        parse_period("school-year", "2025-2027")


def test_weeks_belong_to_the_month_of_their_thursday() -> None:
    october = parse_period("month", "2026-10")  # 1 October 2026 is a Thursday
    weeks = [(w.start, w.end) for w in split(october, "week")]
    assert weeks[0] == (date(2026, 9, 28), date(2026, 10, 4))  # spans two months: October's
    assert weeks[-1] == (date(2026, 10, 26), date(2026, 11, 1))
    assert len(weeks) == 5
    september = [w.start for w in split(parse_period("month", "2026-09"), "week")]
    assert date(2026, 9, 28) not in september and september[-1] == date(2026, 9, 21)
    year = parse_period("school-year", "2025-2026")
    assert [q.label for q in split(year, "quarter")] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert len(split(year, "month")) == 12 and split(october, "quarter") == []


# -- counting at period edges ----------------------------------------------------------------


def test_time_zone_and_period_edges(tmp_path: Path) -> None:
    net = network(
        tmp_path,
        news("th-a", "2026-03-01-dau-thang", "2026-03-01 00:00"),
        news("th-a", "2026-03-31-cuoi-thang", "2026-03-31 23:30 +07:00"),
        news("th-a", "2026-04-01-utc", "2026-03-31 17:30Z"),  # 00:30 on 1 April in Vietnam
        news("th-a", "2026-02-28-thang-truoc", "2026-02-28 23:59"),
        news("th-a", "2026-03-15-nhap", "2026-03-15", draft=True),
    )
    march = make_report(net, parse_period("month", "2026-03"), ["th-a"], now=NOW, rules=[])
    april = make_report(net, parse_period("month", "2026-04"), ["th-a"], now=NOW, rules=[])
    assert march.units[0].posts == 2  # first day 00:00 and last day 23:30; no draft
    assert april.units[0].posts == 1


def test_future_posts_are_not_counted(tmp_path: Path) -> None:
    net = network(
        tmp_path,
        news("th-a", "2026-11-20-da-dang", "2026-11-20 08:00"),
        news("th-a", "2026-11-22-hen-gio", "2026-11-22 12:01"),  # one minute after "now"
        news("th-a", "2026-12-01-thang-sau", "2026-12-01 08:00"),
    )
    november = make_report(net, parse_period("month", "2026-11"), ["th-a"], now=NOW, rules=[])
    assert november.units[0].posts == 1
    quarter = make_report(net, parse_period("quarter", "2026-Q4"), ["th-a"], now=NOW, rules=[])
    assert quarter.units[0].posts == 1


def test_counts_per_group_category_featured_and_media(tmp_path: Path) -> None:
    body = (
        "![Ảnh 1](anh-1.jpg)\n\n<img src='anh-2.jpg' alt=''>\n\n![bìa](anh.jpg)\n\n"
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ và https://youtu.be/dQw4w9WgXcQ\n\n"
        '<video controls src="clip.mp4"></video>\n'
    )
    net = network(
        tmp_path,
        news("th-a", "2026-10-05-a", "2026-10-05", group="Tổ 1", featured=True, body=body),
        news("th-a", "2026-10-06-b", "2026-10-06", group="Tổ 1", categories=["tuyen-sinh"]),
        news("th-a", "2026-10-07-c", "2026-10-07"),
    )
    report = make_report(net, parse_period("month", "2026-10"), ["th-a"], now=NOW, rules=[])
    row = report.units[0]
    assert (row.posts, row.featured, row.photos, row.videos) == (3, 1, 3, 2)
    assert row.by_group == {"Tổ 1": 2, "Công đoàn": 0, "(chưa ghi tổ/đoàn thể)": 1}
    assert row.by_category == {"thong-bao": 2, "tuyen-sinh": 1}
    assert media_counts("![x](a.jpg) ![y](./anh.jpg)", "anh.jpg") == (2, 0)  # cover once


def test_memo_reuses_unchanged_units_and_rereads_changed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A portal's report re-reads hundreds of members: unchanged files are not parsed again."""
    import importlib

    collect_module = importlib.import_module("edusite.reports.collect")
    net = network(
        tmp_path,
        news("th-a", "2026-11-20-da-dang", "2026-11-20 08:00", featured=True),
        news("th-a", "2026-11-22-hen-gio", "2026-11-22 12:01"),  # after "now": not counted yet
        news("th-b", "2026-11-02-b", "2026-11-02"),
    )
    memo = tmp_path / "memo"
    month = parse_period("month", "2026-11")

    def counts(now: datetime = NOW) -> list[tuple[int, int]]:
        rep = make_report(net, month, ["th-a", "th-b"], now=now, rules=[], memo_dir=memo)
        return [(u.posts, u.featured) for u in rep.units]

    assert counts() == [(1, 1), (1, 0)]
    assert sorted(p.name for p in memo.iterdir()) == ["th-a.json", "th-b.json"]
    parsed: list[str] = []
    real = collect_module.load_post

    def spy(path: Path, src_uri: str, **kw: Any) -> Any:
        parsed.append(kw["unit_id"])
        return real(path, src_uri, **kw)

    monkeypatch.setattr(collect_module, "load_post", spy)
    assert counts() == [(1, 1), (1, 0)] and parsed == []
    # Time passes: the scheduled post counts now, from the memo (no re-read needed).
    assert counts(datetime(2026, 11, 23, tzinfo=TZ)) == [(2, 1), (1, 0)] and parsed == []
    # One member edits a post: only that member is read again.
    edited = tmp_path / "content/th-b/tin-tuc/2026/2026-11-02-b/index.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("date:", "featured: true\ndate:"))
    assert counts() == [(1, 1), (1, 1)] and parsed == ["th-b"]
    # A corrupt memo is ignored and rewritten, never trusted.
    (memo / "th-a.json").write_text("{not json", encoding="utf-8")
    assert counts() == [(1, 1), (1, 1)] and parsed == ["th-b", "th-a", "th-a"]
    assert json.loads((memo / "th-a.json").read_text(encoding="utf-8"))["value"]["items"]


def test_album_photos_count(tmp_path: Path) -> None:
    files = {
        "content/th-b/thu-vien-anh/2026/2026-10-20-hoi-thao/1.jpg": b"x",
        "content/th-b/thu-vien-anh/2026/2026-10-20-hoi-thao/2.webp": b"x",
        "content/th-b/thu-vien-anh/2026/2026-10-20-hoi-thao/ghi-chu.txt": b"x",
    }
    net = network(tmp_path, files)
    row = make_report(net, parse_period("month", "2026-10"), ["th-b"], now=NOW, rules=[]).units[0]
    assert (row.posts, row.photos) == (0, 2)


def test_unit_selection(tmp_path: Path) -> None:
    net = network(tmp_path)
    assert [u.id for u in select_units(net)] == ["so", "pgd", "th-a", "th-b"]  # tree order
    assert [u.id for u in select_units(net, ["pgd"])] == ["pgd", "th-a", "th-b"]
    assert [u.id for u in select_units(net, ["th-b", "th-a"])] == ["th-b", "th-a"]
    with pytest.raises(EdusiteError) as exc:
        select_units(net, ["th-z"])
    assert str(exc.value) == "--: không có đơn vị 'th-z' / unknown unit 'th-z'"


# -- quotas ----------------------------------------------------------------------------------


def test_group_quota_pass_and_fail(tmp_path: Path) -> None:
    net = network(tmp_path, news("th-a", "2026-10-05-a", "2026-10-05", group="Tổ 1"))
    rules = [rule(per_group=True)]
    [row] = make_report(net, parse_period("month", "2026-10"), ["th-a"], now=NOW, rules=rules).units
    assert [(q.subject, q.status, q.summary) for q in row.quotas] == [
        ("Tổ 1", "ok", "Tổ 1: đạt 1/1 tháng"),
        ("Công đoàn", "fail", "Công đoàn: đạt 0/1 tháng"),
    ]


def test_weekly_featured_quota_with_a_week_across_months(tmp_path: Path) -> None:
    featured = [
        news("th-a", f"2026-{d}-noi-bat", f"2026-{d} 09:00", featured=True)
        for d in ("09-29", "10-06", "10-13", "10-20")  # 29 Sept is in October's first week
    ]
    net = network(tmp_path, *featured)
    rules = [rule(metric="featured", every="week")]
    october = make_report(net, parse_period("month", "2026-10"), ["th-a"], now=NOW, rules=rules)
    [q] = october.units[0].quotas
    assert [c.actual for c in q.checks] == [1, 1, 1, 1, 0]
    assert q.status == "fail" and q.summary == "đạt 4/5 tuần"
    assert q.missed[0].period.title == "Tuần 26/10–01/11/2026"
    assert october.units[0].featured == 3  # the September post is not an October post
    september = make_report(net, parse_period("month", "2026-09"), ["th-a"], now=NOW, rules=rules)
    assert september.units[0].featured == 1
    assert [c.actual for c in september.units[0].quotas[0].checks] == [0, 0, 0, 0]


def test_running_and_future_periods(tmp_path: Path) -> None:
    net = network(tmp_path, news("th-a", "2026-11-02-a", "2026-11-02"))
    rules = [rule(every="school-year", min=40), rule(id="m", every="month")]
    year = parse_period("school-year", "2026-2027")
    [row] = make_report(net, year, ["th-a"], now=NOW, rules=rules).units
    yearly, monthly = row.quotas
    assert yearly.status == "pending" and yearly.checks[0].actual == 1
    # September and October are over without a post; November is running; December onwards
    # have not started and are not checked.
    assert [(c.period.label, c.status) for c in monthly.checks] == [
        ("2026-09", "fail"),
        ("2026-10", "fail"),
        ("2026-11", "ok"),
    ]


def test_portal_quota_per_quarter_and_kinds(tmp_path: Path) -> None:
    posts = [news("pgd", f"2026-0{m}-10-tin", f"2026-0{m}-10") for m in (1, 2)]
    net = network(tmp_path, *posts)
    rules = [rule(kinds=("portal",), every="quarter", min=3)]
    report = make_report(
        net, parse_period("school-year", "2025-2026"), ["pgd"], now=NOW, rules=rules
    )
    pgd = report.units[0]
    assert [(c.period.label, c.actual, c.status) for c in pgd.quotas[0].checks] == [
        ("2025-Q4", 0, "fail"),
        ("2026-Q1", 2, "fail"),
        ("2026-Q2", 0, "fail"),
    ]
    assert [r.unit.id for r in report.units] == ["pgd", "th-a", "th-b"]  # a portal's members
    assert all(r.quotas == [] for r in report.units[1:])  # the rule is for portals only


def test_default_quota_file_and_network_override(tmp_path: Path) -> None:
    rules = load_rules()
    assert {r.id: (r.metric, r.every, r.min) for r in rules} == {
        "to-doan-the-1-tin-thang": ("posts", "month", 1),
        "truong-1-tin-tieu-bieu-tuan": ("featured", "week", 1),
        "cong-3-bai-quy": ("posts", "quarter", 3),
        "don-vi-1-anh-video-thang": ("media", "month", 1),
        "truong-40-tin-nam-hoc": ("posts", "school-year", 40),
    }
    root = make_network(tmp_path, UNITS)
    base = root / "mkdocs.yml"
    base.write_text(
        base.read_text(encoding="utf-8").replace(
            "extra:\n  network:\n", "extra:\n  network:\n    quotas: data/quotas.yml\n", 1
        ),
        encoding="utf-8",
    )
    (root / "data").mkdir()
    (root / "data/quotas.yml").write_text(
        "rules:\n  - {id: x, ten: X, kinds: [school, lop], metric: likes, every: day, min: 0}\n",
        encoding="utf-8",
    )
    net = get_network(root)
    assert quotas_file(net) == root / "data/quotas.yml"
    with pytest.raises(EdusiteError) as exc:
        load_rules(quotas_file(net))
    assert [f"{p.field}: {p.vi} / {p.en}" for p in exc.value.problems] == [
        "rules[0].kinds: cần danh sách trong: so, portal, school, center / "
        "expected a list of: so, portal, school, center",
        "rules[0].metric: cần một trong: posts, featured, photos, videos, media / "
        "expected one of: posts, featured, photos, videos, media",
        "rules[0].every: cần một trong: week, month, quarter, school-year / "
        "expected one of: week, month, quarter, school-year",
        "rules[0].min: cần số nguyên ≥ 1 / expected an integer ≥ 1",
    ]


# -- outputs ---------------------------------------------------------------------------------


@pytest.fixture
def october(tmp_path: Path):
    net = network(
        tmp_path,
        news(
            "th-a",
            "2026-10-05-a",
            "2026-10-05",
            group="Tổ 1",
            featured=True,
            image="anh.jpg",
            image_alt="Ảnh",
        ),
        {"content/th-a/tin-tuc/2026/2026-10-05-a/anh.jpg": "x"},
        news("th-a", "2026-10-06-b", "2026-10-06", group="Công đoàn"),
        news("th-b", "2026-10-07-c", "2026-10-07", categories=["tuyen-sinh"]),
    )
    return make_report(net, parse_period("month", "2026-10"), ["pgd"], now=NOW)


def test_csv_has_a_bom_and_reads_back(october) -> None:
    data = to_csv(october)
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == summary_header(october)
    assert rows[0][:7] == [
        "Mã đơn vị",
        "Đơn vị",
        "Loại",
        "Tin bài",
        "Tin tiêu biểu",
        "Ảnh",
        "Video",
    ]
    table = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert list(table) == ["pgd", "th-a", "th-b"]
    a = table["th-a"]
    assert (a["Đơn vị"], a["Tin bài"], a["Tin tiêu biểu"], a["Ảnh"]) == (
        "Trường Tiểu học A",
        "2",
        "1",
        "1",
    )
    assert a["Theo tổ/đoàn thể"] == "Tổ 1: 1; Công đoàn: 1"
    assert (a["Thông báo"], table["th-b"]["Tuyển sinh"]) == ("2", "1")
    # th-b: no featured post in any of October's 5 weeks, no photo; th-a misses the weeks
    # without a featured post. One line per rule.
    assert table["th-b"]["Chưa đạt (chi tiết)"].splitlines() == [
        "Mỗi trường ít nhất 1 tin tiêu biểu mỗi tuần: đạt 0/5 tuần",
        "Mỗi đơn vị ít nhất 1 ảnh hoặc video mỗi tháng: đạt 0/1 tháng",
    ]
    assert a["Chưa đạt (chi tiết)"] == "Mỗi trường ít nhất 1 tin tiêu biểu mỗi tuần: đạt 1/5 tuần"


def test_xlsx_reads_back(october, tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(to_xlsx(october))
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp", "Tổ - đoàn thể", "Chuyên mục", "Chỉ tiêu", "Thông tin"]
    summary = [list(r) for r in wb["Tổng hợp"].iter_rows(values_only=True)]
    assert summary[0] == summary_header(october)
    assert [r[:7] for r in summary[1:]] == [
        ["pgd", "Phòng GDĐT Thử", "Cổng", 0, 0, 0, 0],
        ["th-a", "Trường Tiểu học A", "Trường", 2, 1, 1, 0],
        ["th-b", "Trường Tiểu học B", "Trường", 1, 0, 0, 0],
    ]
    groups = [list(r) for r in wb["Tổ - đoàn thể"].iter_rows(min_row=2, values_only=True)]
    assert groups == [
        ["th-a", "Trường Tiểu học A", "Tổ 1", 1],
        ["th-a", "Trường Tiểu học A", "Công đoàn", 1],
        ["th-b", "Trường Tiểu học B", "(chưa ghi tổ/đoàn thể)", 1],
    ]
    checks = list(wb["Chỉ tiêu"].iter_rows(min_row=2, values_only=True))
    assert (
        "th-a",
        "Trường Tiểu học A",
        "Mỗi tổ/đoàn thể ít nhất 1 tin mỗi tháng",
        "Tổ 1",
        "Tháng 10/2026",
        1,
        1,
        "Đạt",
    ) in checks


def test_terminal_table(october) -> None:
    text = to_text(october)
    lines = text.splitlines()
    assert lines[0] == "BÁO CÁO TIN BÀI - THÁNG 10/2026 (01/10/2026–31/10/2026)"
    assert lines[3].split() == [
        "Đơn",
        "vị",
        "Loại",
        "Tin",
        "bài",
        "Tiêu",
        "biểu",
        "Ảnh",
        "Video",
        "Đạt",
        "Chưa",
        "đạt",
        "Theo",
        "dõi",
    ]
    assert any(
        line.split()[:8] == ["Trường", "Tiểu", "học", "A", "Trường", "2", "1", "1"]
        for line in lines
    )
    start = lines.index("Chỉ tiêu chưa đạt (4; chi tiết từng kỳ trong tệp XLSX):")
    assert lines[start + 1 : start + 5] == [
        "  ✗ pgd — Mỗi đơn vị ít nhất 1 ảnh hoặc video mỗi tháng: đạt 0/1 tháng",
        "  ✗ th-a — Mỗi trường ít nhất 1 tin tiêu biểu mỗi tuần: đạt 1/5 tuần",
        "  ✗ th-b — Mỗi trường ít nhất 1 tin tiêu biểu mỗi tuần: đạt 0/5 tuần",
        "  ✗ th-b — Mỗi đơn vị ít nhất 1 ảnh hoặc video mỗi tháng: đạt 0/1 tháng",
    ]


# -- chart -----------------------------------------------------------------------------------


def test_svg_chart_has_one_bar_per_unit_with_proportional_lengths() -> None:
    svg = bar_chart(
        [("Trường Tiểu học A", 12), ("Trường Tiểu học B", 3), ("Trường Mầm non <Hoa Sen>", 0)],
        title="Số tin bài theo đơn vị",
        desc="Ba đơn vị",
    )
    ns = {"s": "http://www.w3.org/2000/svg"}
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find("s:title", ns).text == "Số tin bài theo đơn vị"
    assert root.find("s:desc", ns).text == "Ba đơn vị"
    bars = root.findall(".//s:rect[@class='es-bar']", ns)
    assert [float(b.get("width")) for b in bars] == [BAR_AREA, BAR_AREA / 4, 0.0]
    labels = [t.text for t in root.findall(".//s:g/s:text", ns)]
    assert labels == [
        "Trường Tiểu học A",
        "12",
        "Trường Tiểu học B",
        "3",
        "Trường Mầm non <Hoa Sen>",
        "0",
    ]
    assert [g.find("s:title", ns).text for g in root.findall("s:g", ns)][
        0
    ] == "Trường Tiểu học A: 12 tin"


def test_cache_inputs_and_expiry(tmp_path: Path) -> None:
    from edusite.documents.site import cache_inputs
    from edusite.reports.page import valid_until

    net = network(
        tmp_path,
        news("th-a", "2026-10-05-a", "2026-10-05"),
        news("th-b", "2019-10-05-cu", "2019-10-05"),  # years the report never reads
    )
    out = tmp_path / "public"
    sodoc = tmp_path / "content/so/van-ban/2026/kh/index.md"
    sodoc.parent.mkdir(parents=True)
    sodoc.write_text("---\n---\n", encoding="utf-8")
    (sodoc.parent / "kh.pdf").write_bytes(b"%PDF")
    # The ancestors' documents folders (van-ban/cap-tren/ lists them).
    assert cache_inputs(net, net["pgd"], out) == [sodoc, sodoc.parent / "kh.pdf"]
    assert cache_inputs(net, net["th-a"], out) == [sodoc, sodoc.parent / "kh.pdf"]
    assert cache_inputs(net, net["so"], out) == []
    # The report counts members' posts by group: a change no feed shows still changes the
    # portal's cache key (it hashes its members' content), and only the portals above.
    from edusite.build.cache import site_key
    from edusite.context import BuildContext

    ctx = BuildContext(root=tmp_path, out=out, cache=None, network=net)
    keys = {u: site_key(ctx, net[u], "") for u in ("pgd", "so", "th-b")}
    edited = tmp_path / "content/th-a/tin-tuc/2026/2026-10-05-a/index.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("date:", "group: Tổ 1\ndate:"), encoding="utf-8"
    )
    after = {u: site_key(ctx, net[u], "") for u in ("pgd", "so", "th-b")}
    assert [u for u in keys if keys[u] != after[u]] == ["pgd", "so"]
    assert valid_until(NOW) == datetime(2026, 11, 23, tzinfo=TZ)
