"""Format 3 (big network indexes) in Chromium: the same results as format 2 for the same records.

Two hand-made sites hold the same records: one written in format 2 (``index/<2 chars>.json``
triples), one in format 3 (id gaps, ``meta.json``, shards split down to 4 characters: the split
threshold is lowered so a small index splits). The real ``search.js`` must rank, filter and show
them identically, find every term's shard as Python does, and fetch ``meta.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, launch, serve
from test_search_support import query

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

TOPICS = [
    "Tuyển sinh lớp 10 năm học 2026-2027",
    "Hội giảng chào mừng ngày Nhà giáo Việt Nam",
    "Đại hội Liên đội nhiệm kỳ mới",
    "Phòng chống đuối nước cho học sinh",
    "Kỳ thi tốt nghiệp THPT",
    "Trường THCS tập huấn chuyển đổi số",
]
QUERIES = [
    "tuyen sinh lop 10",
    "dai hoi",
    "Đuối nước",
    "THCS",
    "trung hoc co so",
    "truong",
    "hoc sinh",
]


def records() -> list[Any]:
    from edusite.search import index as ix

    out = []
    for u in range(12):
        for i, topic in enumerate(TOPICS):
            out.append(
                ix.Record.make(
                    f"../th-{u}/tin-tuc/bai-{i}/",
                    f"{topic} ({u})",
                    f"th-{u}",
                    date(2026, 1 + (u + i) % 12, 1 + i),
                    "van-ban" if i == 4 else "tin-tuc",
                    f"{topic}. Trường {u} thông báo tới học sinh và phụ huynh.",
                )
            )
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from edusite.search import index as ix
    from edusite.search.page import CSS_PATH, JS_PATH, render
    from edusite.search.plugin import ASSETS

    root = tmp_path_factory.mktemp("search-compact")
    units = [("so", "Sở")] + [(f"th-{u}", f"Trường {u}") for u in range(12)]
    recs = records()
    unit = type("U", (), {"id": "so", "name": "Sở", "is_portal": True})()
    ui = render(unit, portal=True, link=lambda t: "../" + t)  # type: ignore[arg-type]
    saved = ix.SPLIT_BYTES
    try:
        for name, compact in (("v2", False), ("v3", True)):
            ix.SPLIT_BYTES = 300  # small shards split down to 3 and 4 characters
            builder = ix.IndexBuilder(units)
            builder.add(ix.order(recs))
            files = builder.files("/", compact=compact)
            site = root / name
            ix.write(site / ix.DIR, files, [])
            for path, asset in ((JS_PATH, "search.js"), (CSS_PATH, "search.css")):
                (site / path).parent.mkdir(parents=True, exist_ok=True)
                (site / path).write_bytes((ASSETS / asset).read_bytes())
            (site / "tim-kiem").mkdir()
            (site / "tim-kiem" / "index.html").write_text(
                '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tìm kiếm'
                f"</title></head><body><main><h1>Tìm kiếm</h1>{ui}</main></body></html>",
                encoding="utf-8",
            )
    finally:
        ix.SPLIT_BYTES = saved
    manifest = json.loads((root / "v3/search/manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == 3 and {len(k) for k in manifest["shards"]} >= {2, 3, 4}
    with serve(root) as url:
        yield url, root


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        pg = browser.new_page()
        pg.requests = []  # type: ignore[attr-defined]
        pg.errors = []  # type: ignore[attr-defined]
        pg.on("request", lambda r: pg.requests.append(r.url))  # type: ignore[attr-defined]
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))  # type: ignore[attr-defined]
        yield pg
        browser.close()


@pytest.mark.parametrize("q", QUERIES)
def test_compact_index_gives_the_same_results(page: Any, sites: tuple[str, Path], q: str) -> None:
    base, _ = sites
    old = query(page, base, "v2", q)
    before = len(page.requests)
    new = query(page, base, "v3", q)
    assert new["results"] and new["results"] == old["results"], q
    assert new["status"] == old["status"]
    fetched = [u.split("/v3/search/")[1] for u in page.requests[before:] if "/v3/search/" in u]
    assert "meta.json" in fetched and any(f.startswith("index/") for f in fetched)
    assert page.errors == []


def test_filters_work_on_the_compact_index(page: Any, sites: tuple[str, Path]) -> None:
    base, _ = sites
    for params in ({"unit": "th-3"}, {"kind": "van-ban"}):
        old = query(page, base, "v2", "truong", **params)
        new = query(page, base, "v3", "truong", **params)
        assert new["results"] and new["results"] == old["results"], params
    got = query(page, base, "v3", "truong", unit="th-3")
    assert all("/th-3/" in r["href"] for r in got["results"])


def test_every_term_is_found_in_its_split_shard(page: Any, sites: tuple[str, Path]) -> None:
    from edusite.search.index import compact_key

    base, root = sites
    folder = root / "v3" / "search"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    keys = set(manifest["shards"])
    terms, where = [], []
    for key in sorted(keys):
        data = json.loads((folder / "index" / f"{key}.json").read_text(encoding="utf-8"))
        terms += list(data)
        where += [key] * len(data)
    assert [compact_key(t, keys) for t in terms] == where
    page.goto(f"{base}/v3/tim-kiem/", wait_until="load")
    page.wait_for_selector('.es-sr[data-state="done"]')
    assert page.evaluate("ts => ts.map(t => edusiteKeyOf(t))", terms) == where
