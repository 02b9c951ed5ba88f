"""The Content-Security-Policy in Debian's Chromium: the site still works under it (search,
share, copy link, tables, click-to-load embeds) with no violation reported, and the hostile
network's pages run none of the payloads (no dialog, no violation, no script from content)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import CHROMIUM, build, launch, serve, theme_network
from conftest import post
from hostile import SCHOOL, make_hostile_network

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

#: Records every CSP violation and dialog the page causes, before any page script runs.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""
EMBED = "tin-tuc/2026/2026-11-21-video-khai-giang/"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The theme network plus a post with an embedded video, and the hostile network, served."""
    saved = os.environ.get("EDUSITE_NOW")
    os.environ["EDUSITE_NOW"] = "2026-11-22 12:00"
    try:
        root = theme_network(tmp_path_factory.mktemp("csp") / "net")
        video = '<iframe src="https://www.youtube.com/embed/abc123" title="Lễ khai giảng"></iframe>'
        (root / "content/th-a" / EMBED / "index.md").parent.mkdir(parents=True)
        (root / "content/th-a" / EMBED / "index.md").write_text(
            post("Video lễ khai giảng", "2026-11-21 08:00", body=f"Xem video.\n\n{video}\n"),
            encoding="utf-8",
        )
        build(root, ["th-a", "pgd", "so"])
        hostile = make_hostile_network(tmp_path_factory.mktemp("csp-hostile") / "net")
        build(hostile)
        shutil.copytree(hostile / "public", root / "public" / "hostile")
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


class Tab:
    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.base = base
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.console.append(m.text))

    def open(self, path: str) -> Any:
        return self.page.goto(f"{self.base}/{path}", wait_until="load")

    def violations(self) -> list[str]:
        refused = [c for c in self.console if "Content Security Policy" in c]
        return list(self.page.evaluate("window.__violations")) + refused


@pytest.fixture
def tab(browser: Any, sites: str) -> Iterator[Tab]:
    t = Tab(browser, sites)
    yield t
    t.context.close()


@pytest.mark.parametrize(
    "path",
    ["th-a/", "th-a/tin-tuc/", "th-a/gioi-thieu/", "th-a/lien-he/", "pgd/tin-don-vi/", "so/"],
)
def test_pages_work_under_the_policy_without_violations(tab: Tab, path: str) -> None:
    response = tab.open(path)
    assert response.status == 200
    csp = tab.page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert tab.page.locator('meta[name="referrer"]').get_attribute("content")
    assert tab.violations() == []


def test_search_share_and_copy_work_under_the_policy(tab: Tab) -> None:
    tab.open("th-a/tim-kiem/?q=khai%20giang")
    tab.page.wait_for_selector(".es-sr-item", timeout=10_000)
    assert tab.page.locator(".es-sr-item").count() >= 1
    tab.open("th-a/" + EMBED)
    tab.page.get_by_role("button", name="Sao chép liên kết").click()
    assert tab.page.evaluate("navigator.clipboard.readText()").endswith(EMBED)
    assert tab.violations() == []


def test_embeds_load_only_when_clicked(tab: Tab) -> None:
    requests: list[str] = []
    tab.page.on("request", lambda r: requests.append(r.url))
    tab.open("th-a/" + EMBED)
    assert tab.page.locator("iframe").count() == 0
    assert [u for u in requests if "youtube" in u] == []
    tab.page.get_by_role("link", name=re.compile("Lễ khai giảng: bấm để xem")).click()
    frame = tab.page.locator("iframe")
    frame.wait_for(timeout=5_000)
    assert frame.get_attribute("src") == "https://www.youtube.com/embed/abc123"
    assert "allow-scripts" in (frame.get_attribute("sandbox") or "")
    assert tab.violations() == []


@pytest.mark.parametrize(
    "path",
    [
        f"{SCHOOL}/tin-tuc/2026/2026-11-20-bai-thu-an-toan/",
        f"{SCHOOL}/",
        f"{SCHOOL}/gioi-thieu/",
        f"{SCHOOL}/cong-khai/2026-2027/thong-tin-chung/",
        f"{SCHOOL}/van-ban/",
        f"{SCHOOL}/tim-kiem/?q=alert",
        "phong-gd-song-cau/tin-don-vi/",
        "so-gddt/",
    ],
)
def test_hostile_pages_run_no_payload(tab: Tab, path: str) -> None:
    tab.open("hostile/" + path)
    tab.page.wait_for_timeout(300)  # let deferred scripts and lazy images run
    for element in tab.page.locator("img, a, details, input, svg").all()[:200]:
        element.dispatch_event("mouseover")
    assert tab.dialogs == []
    assert tab.violations() == []
    assert tab.page.evaluate("document.querySelectorAll('script:not([src])').length") == sum(
        1
        for s in tab.page.locator("script:not([src])").all()
        if (s.get_attribute("type") or "") in ("application/ld+json", "application/json")
    )
