"""Search in a real browser on the demo network: Chromium via Playwright against 127.0.0.1.

A fixed list of queries (with and without tones, đ/d, abbreviations, multi-word, a miss) runs
against the Sở portal's network-wide search and one school's own search; the expected top results
come from the demo content (``content/*/tin-tuc``, ``van-ban``, ``cong-khai``). Also: filters,
highlighting, JS folding equal to Python's ``fold()``, axe-core, a 375 px phone, the header form,
and that no request leaves 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, launch, serve
from test_search_support import build_demo, query

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

SO = "so-gddt"
SCHOOL = "th-kim-dong"

#: (site, query, title expected first, titles expected among the first 3 (optional))
QUERIES: list[tuple[str, str, str, list[str]]] = [
    # tones / no tones / đ and d, on the network search
    (
        SO,
        "dai hoi",
        "Đại hội Liên đội nhiệm kỳ 2026-2027",
        ["Đại hội Đoàn TNCS Hồ Chí Minh Trường THPT Trần Phú nhiệm kỳ 2026-2027"],
    ),
    (
        SO,
        "Đại hội",
        "Đại hội Liên đội nhiệm kỳ 2026-2027",
        ["Đại hội Đoàn TNCS Hồ Chí Minh Trường THPT Trần Phú nhiệm kỳ 2026-2027"],
    ),
    (
        SO,
        "đuối nước",
        "Xã Tân Phú triển khai các biện pháp phòng, chống đuối nước trẻ em dịp hè 2026",
        ["Dặn dò học sinh phòng chống đuối nước trước kỳ nghỉ hè"],
    ),
    (
        SO,
        "duoi nuoc",
        "Xã Tân Phú triển khai các biện pháp phòng, chống đuối nước trẻ em dịp hè 2026",
        ["Dặn dò học sinh phòng chống đuối nước trước kỳ nghỉ hè"],
    ),
    (
        SO,
        "DUOI NUOC",
        "Xã Tân Phú triển khai các biện pháp phòng, chống đuối nước trẻ em dịp hè 2026",
        [],
    ),
    (
        SO,
        "hoc phi",
        "Quyết định quy định mức thu học phí năm học 2026-2027 đối với cơ sở giáo dục công lập trên địa bàn tỉnh Lâm Giang",
        [],
    ),
    (
        SO,
        "hoc phí",
        "Quyết định quy định mức thu học phí năm học 2026-2027 đối với cơ sở giáo dục công lập trên địa bàn tỉnh Lâm Giang",
        [],
    ),
    (
        SO,
        "diem chuan",
        "Công bố điểm chuẩn trúng tuyển lớp 10 THPT công lập năm học 2026-2027",
        ["Thông báo điểm chuẩn và hướng dẫn nhập học lớp 10 năm học 2026-2027"],
    ),
    # multi-word: the phrase (bigrams) ranks first
    (
        SO,
        "tuyen sinh lop 10",
        "Tuyển sinh lớp 10 giáo dục thường xuyên kết hợp học nghề năm học 2026-2027",
        ["Kỳ thi tuyển sinh lớp 10 THPT năm học 2026-2027 diễn ra an toàn, nghiêm túc"],
    ),
    (
        SO,
        "Tuyển sinh lớp 10",
        "Tuyển sinh lớp 10 giáo dục thường xuyên kết hợp học nghề năm học 2026-2027",
        [],
    ),
    (
        SO,
        "ky thi tot nghiep THPT",
        "Hội nghị triển khai công tác tổ chức Kỳ thi tốt nghiệp THPT năm 2026",
        [],
    ),
    (
        SO,
        "day them hoc them",
        "Tăng cường kiểm tra việc thực hiện quy định về dạy thêm, học thêm",
        [],
    ),
    (
        SO,
        "hoc ba so",
        "Tập huấn triển khai học bạ số cấp THCS cho cán bộ quản lý",
        ["Hoàn thành cập nhật sổ điểm điện tử và học bạ số giữa học kì I"],
    ),
    (
        SO,
        "nha giao tieu bieu",
        "Tuyên dương 12 nhà giáo tiêu biểu xã Tân Phú năm 2026",
        ["Tôn vinh 120 nhà giáo tiêu biểu nhân kỷ niệm 44 năm Ngày Nhà giáo Việt Nam"],
    ),
    (
        SO,
        "quy che cong thong tin",
        "Quyết định ban hành Quy chế hoạt động của Cổng thông tin điện tử ngành Giáo dục và Đào tạo tỉnh Lâm Giang",
        [],
    ),
    # abbreviations <-> full forms (data/search-synonyms.yml)
    (
        SO,
        "THCS",
        "Hội thi giáo viên dạy giỏi cụm THCS Sông Cầu năm học 2026-2027",
        ["Tổ Khoa học tự nhiên tập huấn dạy học tích hợp ở cấp THCS"],
    ),
    (
        SO,
        "GDĐT",
        "Kế hoạch thực hiện nhiệm vụ năm học 2026-2027 của Phòng Giáo dục và Đào tạo huyện Sông Cầu",
        [],
    ),
    (
        SO,
        "GD&ĐT",
        "Kế hoạch thực hiện nhiệm vụ năm học 2026-2027 của Phòng Giáo dục và Đào tạo huyện Sông Cầu",
        [],
    ),
    (SO, "MN", "Giáo viên mầm non học bồi dưỡng thường xuyên trong kỳ nghỉ hè", []),
    (SO, "mam non", "Giáo viên mầm non học bồi dưỡng thường xuyên trong kỳ nghỉ hè", []),
    (SO, "GDTX", "Tuyển sinh lớp 10 giáo dục thường xuyên kết hợp học nghề năm học 2026-2027", []),
    (SO, "CMHS", "Sổ điểm điện tử và ứng dụng liên lạc: những điều phụ huynh cần biết", []),
    # one school's own search
    (SCHOOL, "Đại hội", "Đại hội Liên đội nhiệm kỳ 2026-2027", []),
    (
        SCHOOL,
        "tuyen sinh",
        "Thông báo tuyển sinh lớp 1 năm học 2026-2027",
        ["Thông báo tuyển sinh vào lớp 1 năm học 2026-2027"],
    ),
    (SCHOOL, "dem hoi trang ram", 'Đêm hội trăng rằm "Rước đèn ông sao"', []),
    (SCHOOL, "khai giang", "Lễ khai giảng năm học 2026-2027", []),
    (SCHOOL, "BGH", "Đại hội Liên đội nhiệm kỳ 2026-2027", []),
    (
        SCHOOL,
        "so diem dien tu",
        "Hoàn thành cập nhật sổ điểm điện tử và học bạ số giữa học kì I",
        [],
    ),
    (SCHOOL, "lien doi", "Đại hội Liên đội nhiệm kỳ 2026-2027", []),
]

#: Queries with no result anywhere (typo-free words the demo never uses).
MISSES = [(SO, "tàu vũ trụ"), (SCHOOL, "tau vu tru"), (SCHOOL, "bóng rổ")]

#: Strings whose folding must be identical in JavaScript and Python.
TRICKY = [
    "Đại hội Đoàn",
    "ĐẠI HỘI",
    "đ Đ d D",
    "Nguyễn Thị Hoà",
    "Hoà Hòa hoà",
    "Khuổi Tát",
    "Quý Đôn",
    "Ưu tiên ƯU TIÊN ưu",
    "giáo dục và đào tạo",
    "GD&ĐT",
    "THCS Lê Quý Đôn",
    "Tiếng Việt: ă â ê ô ơ ư",
    "e\u0301 (NFD é)",
    "Ô\u0300 (NFD Ồ)",
    "Å Ç Ñ ü ß",
    "İstanbul",
    "naïve café",
    "①②③ ½",
    "한국어",
    "日本語",
    "ﬁ ligature",
    "tab\tand\nnewline",
    "",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    out = tmp_path_factory.mktemp("search-demo") / "public"
    build_demo(out)
    with serve(out) as url:
        yield url, out


@pytest.fixture(scope="module")
def page(site: tuple[str, Path]) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        pg.on("request", lambda r: requests.append(r.url))
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.requests = requests  # type: ignore[attr-defined]
        pg.errors = errors  # type: ignore[attr-defined]
        yield pg
        browser.close()


def _local(page: Any, base: str) -> None:
    foreign = [u for u in page.requests if not u.startswith(base + "/")]
    assert foreign == []
    assert page.errors == []


@pytest.mark.parametrize(
    ("site_id", "q", "first", "top3"), QUERIES, ids=[f"{s}:{q}" for s, q, *_ in QUERIES]
)
def test_query_top_results(
    page: Any, site: tuple[str, Path], site_id: str, q: str, first: str, top3: list[str]
) -> None:
    base, _ = site
    got = query(page, base, site_id, q)
    titles = [r["title"] for r in got["results"]]
    assert titles, (q, got["status"])
    assert titles[0] == first, (q, titles[:5])
    for t in top3:
        assert t in titles[:3], (q, t, titles[:5])
    assert got["status"].endswith(f"kết quả cho “{q}”"), got["status"]
    assert got["results"][0]["marks"], "matched words are highlighted"
    if site_id == SCHOOL:
        assert all(r["href"].startswith(f"{base}/{SCHOOL}/") for r in got["results"])
    _local(page, base)


@pytest.mark.parametrize(("site_id", "q"), MISSES)
def test_miss_says_no_results(page: Any, site: tuple[str, Path], site_id: str, q: str) -> None:
    base, _ = site
    got = query(page, base, site_id, q)
    assert got["results"] == []
    assert got["status"] == f"Không tìm thấy kết quả nào cho “{q}”."
    _local(page, base)


def test_query_list_is_long_enough() -> None:
    assert len(QUERIES) + len(MISSES) >= 20


def test_highlight_folds_both_sides(page: Any, site: tuple[str, Path]) -> None:
    base, _ = site
    got = query(page, base, SCHOOL, "dai hoi")
    first = got["results"][0]
    assert first["marks"][:2] == ["Đại", "hội"]
    got = query(page, base, SO, "GDTX")
    assert any(m.lower() == "giáo dục thường xuyên" for m in got["results"][0]["marks"])


def test_network_results_link_to_members_and_filter_by_unit(
    page: Any, site: tuple[str, Path]
) -> None:
    base, _ = site
    got = query(page, base, SO, "tuyen sinh")
    units = {r["href"].split("/")[3] for r in got["results"]}
    assert len(units) >= 3, units  # several units' pages, links resolve on this server
    # the unit filter: by URL parameter ...
    got = query(page, base, SO, "tuyen sinh", unit=SCHOOL)
    assert got["results"] and all(f"/{SCHOOL}/" in r["href"] for r in got["results"])
    assert all("Trường Tiểu học Kim Đồng" in r["meta"] for r in got["results"])
    # ... and with the keyboard on the <select>
    query(page, base, SO, "tuyen sinh")
    page.focus("#es-sr-unit")
    page.select_option("#es-sr-unit", "thpt-tran-phu")
    page.wait_for_function(
        "document.querySelector('.es-sr-item a').href.includes('/thpt-tran-phu/')"
    )
    hrefs = page.eval_on_selector_all(".es-sr-item a", "els => els.map(e => e.href)")
    assert hrefs and all("/thpt-tran-phu/" in h for h in hrefs)
    assert "unit=thpt-tran-phu" in page.url
    # a result link opens the member's page on the same server
    page.click(".es-sr-item a")
    page.wait_for_load_state("load")
    assert page.url.startswith(f"{base}/thpt-tran-phu/")
    _local(page, base)


def test_kind_filter_by_keyboard(page: Any, site: tuple[str, Path]) -> None:
    base, _ = site
    got = query(page, base, SO, "tuyen sinh")
    assert any(r["meta"].startswith("Văn bản") for r in got["results"])
    page.focus('input[name="kind"][value="van-ban"]')
    page.keyboard.press("Space")
    page.wait_for_function(
        "[...document.querySelectorAll('.es-sr-meta')].every(e => !e.textContent.startsWith('Văn bản'))"
    )
    before = int(got["status"].split()[0])
    page.wait_for_function(
        f"parseInt(document.getElementById('es-sr-status').textContent) < {before}"
    )
    got = query(page, base, SO, "tuyen sinh", kind="van-ban")
    assert got["results"] and all(r["meta"].startswith("Văn bản") for r in got["results"])


def test_js_fold_equals_python_fold(page: Any, site: tuple[str, Path]) -> None:
    from edusite.search.index import tokenize
    from edusite.text import fold

    base, _ = site
    page.goto(f"{base}/{SO}/tim-kiem/", wait_until="load")
    page.wait_for_selector('.es-sr[data-state="done"]')
    js = page.evaluate("xs => xs.map(s => [edusiteFold(s), edusiteTokens(s)])", TRICKY)
    assert [j[0] for j in js] == [fold(s) for s in TRICKY]
    assert [j[1] for j in js] == [tokenize(s) for s in TRICKY]


def test_results_page_passes_axe_and_fits_a_phone(page: Any, site: tuple[str, Path]) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, _ = site
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        got = query(page, base, SO, "dai hoi")
        assert got["results"]
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width, overflow)
    page.set_viewport_size({"width": 1280, "height": 900})
    _local(page, base)


def test_header_form_submits_to_results_page(page: Any, site: tuple[str, Path]) -> None:
    base, _ = site
    page.goto(f"{base}/{SCHOOL}/gioi-thieu/", wait_until="load")
    page.fill("#es-hsearch-q", "khai giảng")
    page.press("#es-hsearch-q", "Enter")
    page.wait_for_selector('.es-sr[data-state="done"]')
    assert page.url.startswith(f"{base}/{SCHOOL}/tim-kiem/?q=")
    assert page.input_value("#es-sr-q") == "khai giảng"
    assert page.text_content(".es-sr-item .es-sr-title") == "Lễ khai giảng năm học 2026-2027"


def test_without_javascript_the_page_explains(site: tuple[str, Path]) -> None:
    _, out = site
    html = (out / SO / "tim-kiem" / "index.html").read_text(encoding="utf-8")
    assert "<noscript>" in html and 'role="search"' in html and 'aria-live="polite"' in html
    assert 'id="es-sr-unit"' in html
    school = (out / SCHOOL / "tim-kiem" / "index.html").read_text(encoding="utf-8")
    assert 'id="es-sr-unit"' not in school  # a school searches itself only


#: Small hand-made sites (one results page, the real script, ``search/`` by ``index.build``), one
#: per shard prefix, and one with a manifest from before version 2 (no "prefix": 2 characters).
TINY = {"p0": 0, "p1": 1, "p2": 2, "legacy": None}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from datetime import date

    from edusite.search import index as ix
    from edusite.search.page import CSS_PATH, JS_PATH, render
    from edusite.search.plugin import ASSETS

    root = tmp_path_factory.mktemp("search-tiny")
    records = [
        ix.Record.make(
            "tin-tuc/tuyen-sinh/",
            "Thông báo tuyển sinh lớp 1",
            "th-a",
            date(2026, 6, 1),
            "tin-tuc",
            "Nhà trường thông báo tuyển sinh lớp 1 năm học 2026-2027.",
        ),
        ix.Record.make(
            "tin-tuc/khai-giang/",
            "Lễ khai giảng",
            "th-a",
            date(2026, 9, 5),
            "tin-tuc",
            "Học sinh dự lễ khai giảng; phụ huynh đưa đón.",
        ),
        ix.Record.make("gioi-thieu/", "Giới thiệu", "th-a", None, "trang", "Trường Tiểu học A."),
    ]
    ui = render(None, portal=False, link=lambda t: "../" + t)  # type: ignore[arg-type]
    for name, prefix in TINY.items():
        site = root / name
        files = ix.build(
            records, [("th-a", "Trường A")], "/", prefix=2 if prefix is None else prefix
        )
        if prefix is None:
            del files["manifest.json"]["prefix"]
            files["manifest.json"]["version"] = 1
        ix.write(site / ix.DIR, files, records)
        for path, asset in ((JS_PATH, "search.js"), (CSS_PATH, "search.css")):
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_bytes((ASSETS / asset).read_bytes())
        (site / "tim-kiem").mkdir()
        (site / "tim-kiem" / "index.html").write_text(
            f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tìm kiếm</title>'
            f"</head><body><main><h1>Tìm kiếm</h1>{ui}</main></body></html>",
            encoding="utf-8",
        )
    with serve(root) as url:
        yield url, root


@pytest.mark.parametrize("name", list(TINY))
def test_small_indexes_fetch_their_shards(page: Any, tiny: tuple[str, Path], name: str) -> None:
    """Prefix 0 fetches index/all.json only; 1 and 2 (and old manifests) the query's shards."""
    base, _ = tiny
    before = len(page.requests)
    got = query(page, base, name, "tuyen sinh")
    assert [r["title"] for r in got["results"]] == ["Thông báo tuyển sinh lớp 1"]
    assert got["results"][0]["href"].endswith("tin-tuc/tuyen-sinh/")
    fetched = sorted(
        u.rsplit("/", 1)[1] for u in page.requests[before:] if f"/{name}/search/index/" in u
    )
    want = {"p0": ["all.json"], "p1": ["s.json", "t.json"]}.get(name, ["si.json", "tu.json"])
    assert fetched == want
    got = query(page, base, name, "khai giang")
    assert [r["title"] for r in got["results"]] == ["Lễ khai giảng"]
    assert page.errors == []


def test_script_shard_key_matches_every_shard(
    page: Any, site: tuple[str, Path], tiny: tuple[str, Path]
) -> None:
    """Every term of every built index lies in the shard that search.js computes for it."""
    import json

    from edusite.search.index import shard_key

    base, out = site
    page.goto(f"{base}/{SO}/tim-kiem/", wait_until="load")
    page.wait_for_selector('.es-sr[data-state="done"]')
    folders = sorted(out.glob("*/search")) + sorted(tiny[1].glob("*/search"))
    prefixes = set()
    for folder in folders:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        n = m.get("prefix", 2)
        prefixes.add(n)
        terms, keys = [], []
        for shard in sorted((folder / "index").glob("*.json")):
            data = json.loads(shard.read_text(encoding="utf-8"))
            terms += list(data)
            keys += [shard.stem] * len(data)
        assert sorted(m["shards"]) == sorted(set(keys)), folder
        js = page.evaluate("([ts, n]) => ts.map(t => edusiteShardKey(t, n))", [terms, n])
        assert js == keys, folder
        assert [shard_key(t, n) for t in terms] == keys
    extra = ["한국", "\U00020000a", "a", "é", "x y"]
    for n in (0, 1, 2):
        js = page.evaluate("([ts, n]) => ts.map(t => edusiteShardKey(t, n))", [extra, n])
        assert js == [shard_key(t, n) for t in extra]
    assert prefixes == {0, 1, 2}
