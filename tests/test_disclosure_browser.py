"""3 công khai, văn bản and báo cáo pages in a real browser (issue 17): the demo network built
once and served; Chromium at 1280 and 375 px. No horizontal scroll on a phone (measured with
``scrollWidth``), axe-core finds nothing, statuses carry icon + text, the dashboard's filters
work from the external script, its CSV downloads, editors' tables stack, báo cáo shows no
internal notes. ``python tests/test_disclosure_browser.py`` writes docs/screenshots/."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_support import CHROMIUM, launch, serve  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)"
    ),
]

REPO = Path(__file__).resolve().parent.parent
#: name -> path of the page in the demo network
PAGES = {
    "so-gddt-cong-khai": "so-gddt/cong-khai/",
    "phong-cong-khai": "phong-gd-song-cau/cong-khai/",
    "so-gddt-bao-cao": "so-gddt/bao-cao/",
    "so-gddt-van-ban": "so-gddt/van-ban/",
    "th-kim-dong-cong-khai": "th-kim-dong/cong-khai/",
    "th-kim-dong-thu-chi": "th-kim-dong/cong-khai/2026-2027/thu-chi-tai-chinh/",
    "th-kim-dong-bao-cao-thuong-nien": "th-kim-dong/cong-khai/2026-2027/bao-cao-thuong-nien/",
}


def build_demo(out: Path) -> None:
    from edusite.build.builder import build_network
    from edusite.structure.network import get_network

    saved = os.environ.get("EDUSITE_NOW")
    os.environ["EDUSITE_NOW"] = "2026-11-22 12:00"
    try:
        results = build_network(get_network(REPO), out=out, jobs=2, offline=True)
    finally:
        if saved is None:
            os.environ.pop("EDUSITE_NOW", None)
        else:
            os.environ["EDUSITE_NOW"] = saved
    bad = [(r.unit_id, r.errors) for r in results if not r.ok]
    assert not bad, bad


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (REPO / "content" / "so-gddt" / "cong-khai" / "index.md").exists():
        pytest.skip("demo content not present")
    out = tmp_path_factory.mktemp("disclosure-demo") / "public"
    build_demo(out)
    with serve(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


def _page(browser: Any, width: int) -> Any:
    return browser.new_context(viewport={"width": width, "height": 800}).new_page()


@pytest.mark.parametrize("width", [375, 1280])
def test_pages_fit_the_screen_and_pass_axe(browser: Any, site: str, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = _page(browser, width)
    try:
        for path in PAGES.values():
            response = page.goto(f"{site}/{path}", wait_until="load")
            assert response.status == 200, path
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (path, scroll)  # no sideways scrolling on a phone
            results = Axe().run(page)
            assert results.violations_count == 0, (path, results.generate_report())
    finally:
        page.context.close()


def test_dashboard_groups_statuses_filters_and_csv(browser: Any, site: str) -> None:
    page = _page(browser, 375)
    try:
        page.goto(f"{site}/so-gddt/cong-khai/", wait_until="load")
        groups = page.locator("[data-es-dash-group] h2").all_inner_texts()
        assert len(groups) == 3 and "Phòng Giáo dục và Đào tạo huyện Sông Cầu" in groups
        # every status says itself: a distinct icon and a word, not only a colour
        badges = page.locator(".es-dash__table td .es-badge")
        assert badges.count() > 20
        icons = {}
        for b in badges.all()[:80]:
            text = b.inner_text().strip()
            icon = b.locator(".es-badge__icon").inner_text()
            assert len(text) > len(icon) + 2, text
            icons.setdefault(b.get_attribute("class").split("--")[-1], icon)
        assert len(set(icons.values())) == len(icons)  # one shape per status
        # one card per unit on a phone: the rows are blocks, the header row hidden
        row = page.locator(".es-dash__table tbody tr").first
        assert row.evaluate("e => getComputedStyle(e).display") == "block"
        # filters from the external script: only the units with a warning
        assert page.locator("[data-es-dash-filters]").is_visible()
        total = page.locator(".es-dash__table tbody tr").count()
        page.select_option("select[name=status]", "warning")
        visible = page.locator(".es-dash__table tbody tr:visible").count()
        assert 1 <= visible < total
        assert (
            page.locator("[data-es-dash-shown]").inner_text()
            == f"Đang hiện {visible}/{total} đơn vị."
        )
        page.select_option("select[name=status]", "")
        page.select_option("select[name=level]", "mam-non")
        assert page.locator(".es-dash__table tbody tr:visible").count() == 2
        href = page.locator("a[download]", has_text="CSV").get_attribute("href")
        data = urlopen(f"{site}/so-gddt/cong-khai/{href}").read().decode("utf-8")
        assert data.startswith("\ufeffĐơn vị,Mã,Cấp học,Trực thuộc,Thông tin chung")
        assert data.count("\n") == total + 1
    finally:
        page.context.close()


def test_dashboard_header_sticks_on_wide_screens(browser: Any, site: str) -> None:
    page = _page(browser, 1280)
    try:
        page.goto(f"{site}/so-gddt/cong-khai/", wait_until="load")
        th = page.locator(".es-dash__table thead th").first
        assert th.evaluate("e => getComputedStyle(e).position") == "sticky"
        border = page.locator(".es-table-wrap").first.evaluate(
            "e => getComputedStyle(e).borderTopStyle"
        )
        assert border == "solid"  # styled, not a bare table
    finally:
        page.context.close()


def test_section_page_tables_stack_and_files_have_a_download_button(
    browser: Any, site: str
) -> None:
    page = _page(browser, 1280)
    try:
        page.goto(f"{site}/th-kim-dong/cong-khai/2026-2027/thu-chi-tai-chinh/", wait_until="load")
        boxes = [t.bounding_box() for t in page.locator(".es-disclosure__body table").all()]
        assert len(boxes) >= 3
        for above, below in zip(boxes, boxes[1:], strict=False):
            assert below["y"] >= above["y"] + above["height"] - 1  # never side by side
        meta = page.locator(".es-meta__list")
        assert meta.evaluate("e => getComputedStyle(e).display") == "grid"
        button = page.locator(".es-file .es-button")
        assert button.inner_text().startswith("Tải về") and button.get_attribute("download") == ""
        assert "XLSX" in page.locator(".es-file__meta").first.inner_text()
        page.locator(".es-meta__items summary").click()
        assert (
            "Nội dung bắt buộc: 4/4 đã công khai"
            in page.locator(".es-meta__items summary").inner_text()
        )
    finally:
        page.context.close()


def test_documents_and_reports_are_cards_on_phones_without_internal_notes(
    browser: Any, site: str
) -> None:
    page = _page(browser, 375)
    try:
        page.goto(f"{site}/so-gddt/van-ban/", wait_until="load")
        row = page.locator("[data-es-docs] tbody tr").first
        assert row.evaluate("e => getComputedStyle(e).display") == "block"
        download = row.locator("td.es-docs-download a").first
        box = download.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375  # in view, no scrolling
        page.goto(f"{site}/so-gddt/bao-cao/", wait_until="load")
        text = page.locator("#noi-dung").inner_text()
        assert "seed" not in text and "[H]" not in text and "[M]" not in text
        assert "Căn cứ: Kế hoạch truyền thông của trường năm 2026" in text
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 8000, height  # was about 11,000 px: quotas not met are folded
    finally:
        page.context.close()


def screenshots(out: Path, site: str) -> None:  # pragma: no cover - run by hand
    from playwright.sync_api import sync_playwright

    shots = REPO / "docs" / "screenshots"
    with sync_playwright() as pw:
        b = launch(pw)
        for suffix, width, height in (("desktop", 1280, 900), ("mobile", 375, 1400)):
            page = b.new_context(viewport={"width": width, "height": height}).new_page()
            for name in (
                "so-gddt-cong-khai",
                "th-kim-dong-cong-khai",
                "th-kim-dong-thu-chi",
                "so-gddt-bao-cao",
                "so-gddt-van-ban",
            ):
                page.goto(f"{site}/{PAGES[name]}", wait_until="load")
                page.screenshot(path=str(shots / f"{name}-{suffix}.png"))
                print(shots / f"{name}-{suffix}.png")
            page.context.close()
        b.close()


if __name__ == "__main__":  # pragma: no cover
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        build_demo(Path(tmp) / "public")
        with serve(Path(tmp) / "public") as url:
            screenshots(Path(tmp), url)
