"""The theme in a real browser: Debian's Chromium driven by Playwright against a built network
served by ``http.server`` on 127.0.0.1. Checks rendering, sharing, metadata, axe-core,
keyboard focus, 375 px phones, pages without JavaScript, and that no request leaves 127.0.0.1.

Skipped (with the reason) when /usr/bin/chromium or Playwright is missing; CI installs both.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import CHROMIUM, POSTS, build, launch, serve, theme_network

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

SITE = "https://lamgiang.edu.vn/th-a/"
LEAD = "tin-tuc/2026/2026-11-20-khai-giang/"

#: name -> (path below /th-a/, what must be on the page)
PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "home": (
        "",
        {
            "h2": "Tin mới nhất",
            ".es-card": 4,
            ".es-headlines li": 1,
            ".es-notices li": 3,
            ".es-lead": 1,
        },
    ),
    "news": ("tin-tuc/", {"h1": "Tin tức (trang 1/2)", ".es-card": 10, ".es-pagination a": 2}),
    "post": (LEAD, {"h1": "Lễ khai giảng năm học 2026-2027", ".es-related .es-card": 4}),
    "category": ("tin-tuc/chuyen-muc/thong-bao/", {"h1": "Thông báo", ".es-card": 3}),
    "about": ("gioi-thieu/", {"h1": "Giới thiệu", "table": 1}),
    "contact": ("lien-he/", {"h1": "Liên hệ", ".es-contact": 1}),
    "404": ("khong-co-trang-nay/", {"h1": "Không tìm thấy trang"}),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the theme network once and serve ``public/``; yields ``http://127.0.0.1:port``."""
    root = tmp_path_factory.mktemp("browser")
    saved = os.environ.get("EDUSITE_NOW")
    os.environ["EDUSITE_NOW"] = "2026-11-22 12:00"
    try:
        build(theme_network(root), ["th-a", "pgd", "so"])
    finally:
        if saved is None:
            os.environ.pop("EDUSITE_NOW", None)
        else:
            os.environ["EDUSITE_NOW"] = saved
    with serve(root / "public") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


class Visit:
    """A page in a fresh context that records every request it makes."""

    def __init__(self, browser: Any, base: str, width: int = 1280, **options: Any) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": 800}, **options)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: str) -> Any:
        response = self.page.goto(f"{self.base}/th-a/{path}", wait_until="load")
        return response

    def foreign(self) -> list[str]:
        """Requests that went anywhere but the local test server."""
        return [u for u in self.requests if not u.startswith(self.base + "/")]


@pytest.fixture
def visit(browser: Any, base: str) -> Iterator[Any]:
    opened: list[Visit] = []

    def make(**options: Any) -> Visit:
        v = Visit(browser, base, **options)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_accessibly_and_stays_local(visit: Any, name: str) -> None:
    """Key elements are there, axe-core finds no violation, nothing is fetched from elsewhere."""
    from axe_playwright_python.sync_playwright import Axe

    path, expected = PAGES[name]
    v = visit()
    response = v.open(path)
    assert response.status == (404 if name == "404" else 200)
    page = v.page
    assert page.locator("html").get_attribute("lang") == "vi"
    # Identity and menu on every page, styled (the CSS loaded, also from the 404 address).
    assert page.locator(".es-brand__name").text_content() == "Trường Tiểu học Kim Đồng"
    assert page.locator(".es-brand__parent").count() == 1  # also on the 404 page
    menu = page.locator("nav.es-menu a").all_inner_texts()
    assert menu == ["Trang chủ", "Giới thiệu", "Tin tức", "Liên hệ"]
    bg = page.locator(".es-menu").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(11, 79, 138)"
    assert (
        "Chịu trách nhiệm nội dung: Nguyễn Thị Hoa" in page.get_by_role("contentinfo").inner_text()
    )
    for selector, want in expected.items():
        found = page.locator(selector)
        if isinstance(want, int):
            assert found.count() == want, (selector, found.count())
        else:
            texts = [t.strip() for t in found.all_text_contents()]  # as written, not as styled
            assert want in texts, (selector, texts)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert v.foreign() == []
    assert any(u.endswith("edusite.css") for u in v.requests)


def test_post_page_metadata_share_links_and_copy(visit: Any) -> None:
    v = visit(permissions=["clipboard-read", "clipboard-write"])
    v.open(LEAD)
    page = v.page
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == SITE + LEAD

    def meta(key: str) -> str | None:
        return page.locator(f'meta[property="{key}"], meta[name="{key}"]').get_attribute("content")

    assert meta("og:title") == "Lễ khai giảng năm học 2026-2027"
    assert meta("og:url") == canonical and meta("og:type") == "article"
    # Absolute, as Facebook and Zalo need: the image plugin's 1200x630 variant of the cover.
    assert re.fullmatch(re.escape(canonical) + r"anh\.og\.[0-9a-f]{8}\.jpg", meta("og:image") or "")
    assert meta("description").startswith("Tóm tắt: lễ khai giảng")
    ld = json.loads(page.locator('script[type="application/ld+json"]').inner_text())
    assert ld["@type"] == "NewsArticle" and ld["headline"] == meta("og:title")
    # Date shown as dd/mm/yyyy, machine-readable with the Vietnam offset.
    time = page.locator(".es-post__meta time")
    assert time.inner_text() == "20/11/2026"
    assert time.get_attribute("datetime") == "2026-11-20T08:00:00+07:00"
    assert "Tổ Văn phòng" in page.locator(".es-post__meta").inner_text()
    # Share links: plain links whose parameter is the canonical URL, fully encoded.
    fb = page.get_by_role("link", name=re.compile("^Chia sẻ lên Facebook"))
    zalo = page.get_by_role("link", name=re.compile("^Chia sẻ lên Zalo"))
    fb_href, zalo_href = fb.get_attribute("href"), zalo.get_attribute("href")
    assert fb_href.startswith("https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2F")
    assert parse_qs(urlsplit(fb_href).query)["u"] == [canonical]
    assert parse_qs(urlsplit(zalo_href).query)["url"] == [canonical]
    # The copy button (shown by our script) copies the canonical URL and says so.
    page.get_by_role("button", name="Sao chép liên kết").click()
    assert page.evaluate("navigator.clipboard.readText()") == canonical
    assert page.locator(".es-share__status").inner_text() == "Đã sao chép liên kết bài viết."
    assert page.get_by_role("button", name="In bài viết").is_visible()
    assert v.foreign() == []


def test_without_javascript_the_site_still_works(visit: Any) -> None:
    v = visit(java_script_enabled=False)
    v.open(LEAD)
    page = v.page
    assert page.get_by_role("link", name=re.compile("^Chia sẻ lên Facebook")).is_visible()
    assert page.get_by_role("link", name=re.compile("^Chia sẻ lên Zalo")).is_visible()
    assert not page.get_by_role("button", name="Sao chép liên kết").is_visible()
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Tin tức").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/th-a/tin-tuc/")
    page.locator(".es-pagination").get_by_role("link", name="Trang 2").click()
    page.wait_for_load_state("load")
    assert page.locator(".es-card").count() == len(POSTS) - 10


def test_keyboard_reaches_the_menu_with_visible_focus(visit: Any) -> None:
    v = visit()
    v.open("")
    page = v.page
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent.trim()")
    assert skip == "Chuyển đến nội dung chính"
    assert page.evaluate("document.activeElement.getBoundingClientRect().height") > 0  # shown
    reached: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
                return {menu: !!e.closest('nav.es-menu'), text: e.textContent.trim(),
                        style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
        )
        if info["menu"]:
            assert info["style"] != "none" and info["width"] >= 2, info  # focus is visible
            reached.append(info["text"])
    assert reached[:4] == ["Trang chủ", "Giới thiệu", "Tin tức", "Liên hệ"]
    # The skip link moves focus to the content.
    page.goto(page.url)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "noi-dung"


def test_phone_width_has_no_horizontal_overflow(visit: Any) -> None:
    v = visit(width=375)
    for path, _ in PAGES.values():
        v.open(path)
        width = v.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    assert v.foreign() == []


# -- The demo network (content/), when it exists: accessibility and locality only, never wording.

REPO = Path(__file__).resolve().parent.parent
DEMO_SITES = ["th-kim-dong", "so-gddt"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The whole demo network built once into a temporary folder and served."""
    if not all((REPO / "content" / s / "index.md").exists() for s in DEMO_SITES):
        pytest.skip("demo content (content/th-kim-dong, content/so-gddt) not present")
    from edusite.build.builder import build_network
    from edusite.structure.network import get_network

    out = tmp_path_factory.mktemp("demo") / "public"
    saved = os.environ.get("EDUSITE_NOW")
    os.environ["EDUSITE_NOW"] = "2026-11-22 12:00"
    try:
        results = build_network(get_network(REPO), out=out, jobs=2, offline=True)
    finally:
        if saved is None:
            os.environ.pop("EDUSITE_NOW", None)
        else:
            os.environ["EDUSITE_NOW"] = saved
    assert all(r.ok for r in results if r.unit_id in DEMO_SITES)
    with serve(out) as url:
        yield url, out


def demo_paths(public: Path, site: str) -> list[str]:
    """Home, news index, newest post, a category, about, contact and a missing page."""
    folder = public / site
    posts = sorted((folder / "tin-tuc").glob("[0-9][0-9][0-9][0-9]/*/index.html"))
    cats = sorted((folder / "tin-tuc" / "chuyen-muc").glob("*/index.html"))
    paths = ["", "tin-tuc/", "khong-co-trang-nay/"]
    paths += [str(p.parent.relative_to(folder)) + "/" for p in posts[-1:] + cats[:1]]
    paths += [p for p in ("gioi-thieu/", "lien-he/") if (folder / p / "index.html").exists()]
    return paths


@pytest.mark.parametrize("site", DEMO_SITES)
def test_demo_pages_pass_axe_and_stay_local(
    browser: Any, demo: tuple[str, Path], site: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, public = demo
    paths = demo_paths(public, site)
    assert len(paths) == 7, paths
    v = Visit(browser, base)
    try:
        for path in paths:
            response = v.page.goto(f"{base}/{site}/{path}", wait_until="load")
            assert response.status == (404 if path.startswith("khong-co") else 200), path
            results = Axe().run(v.page)
            assert results.violations_count == 0, (path, results.generate_report())
        assert v.foreign() == []
    finally:
        v.context.close()
