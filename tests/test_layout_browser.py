"""Pictures sized for the layout, measured in Chromium (issue #18): at every width from a small
phone to a 2,560-px screen, each picture's ``sizes`` (what the browser fetches for) is at least
the box it is drawn in and not much more; on a 375-px phone the notices come right after the
lead picture, before the long news list, and list thumbnails are fetched at their small size.

Debian's Chromium via Playwright against the theme network (tests/browser_support.py), built
with the real builder and served on 127.0.0.1; skipped with the reason when Chromium is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import CHROMIUM, build, launch, photo, serve, theme_network
from conftest import post, write_files

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

WIDTHS = [320, 375, 414, 600, 719, 720, 768, 900, 959, 960, 961, 1024, 1219, 1220, 1280, 1440,
          1599, 1600, 1920, 1999, 2000, 2560]  # fmt: skip
BIG_POST = "tin-tuc/2026/2026-11-21-san-truong/"
PAGES = [
    "th-a/",
    "th-a/tin-tuc/",
    f"th-a/{BIG_POST}",
    "th-a/thu-vien-anh/le-hoi/",
    "pgd/tin-don-vi/",
]

#: The slot ``sizes`` gives a picture in this window (the first media condition that matches).
SLOT_JS = """img => {
  for (const part of img.sizes.split(/,(?![^(]*\\))/)) {
    const m = part.trim().match(/^(\\([^)]*\\))\\s+(.+)$/);
    let length = part.trim();
    if (m) { if (!matchMedia(m[1]).matches) continue; length = m[2]; }
    const probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;height:1px;width:" + length;
    document.body.appendChild(probe);
    const w = probe.getBoundingClientRect().width;
    probe.remove();
    return w;
  }
  return null;
}"""


FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = theme_network(tmp_path_factory.mktemp("layout"))
    write_files(
        root,
        {
            f"content/th-a/{BIG_POST}index.md": post(
                "Sân trường mới",
                "2026-11-21 08:00",
                id="th-a-san-truong",
                image="bia.jpg",
                image_alt="Sân trường nhìn từ trên cao",
                body="![Học sinh chơi đá cầu](san.jpg)\n\nNội dung.\n",
            ),
            f"content/th-a/{BIG_POST}bia.jpg": photo(7, (2400, 1350)),
            f"content/th-a/{BIG_POST}san.jpg": photo(8, (3000, 2000)),
            "content/th-a/thu-vien-anh/le-hoi/index.md": post("Lễ hội", "2026-11-10", consent=True),
            **{
                f"content/th-a/thu-vien-anh/le-hoi/anh-{i}.jpg": photo(i, (1200, 900))
                for i in range(5)
            },
        },
    )
    saved = os.environ.get("EDUSITE_NOW")
    os.environ["EDUSITE_NOW"] = "2026-11-22 12:00"
    try:
        build(root, ["th-a", "pgd", "so"])
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


def test_every_picture_is_fetched_for_the_box_it_is_drawn_in(browser: Any, base: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    bad: list[str] = []
    seen: set[str] = set()
    try:
        for path in PAGES:
            page.goto(f"{base}/{path}", wait_until="load")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.evaluate(FRAMES)  # let the new layout settle before measuring
                for img in page.query_selector_all("main img[sizes]"):
                    box = img.evaluate("i => i.getBoundingClientRect().width")
                    slot = img.evaluate(SLOT_JS)
                    kind = (img.get_attribute("class") or "body").split()[0]
                    seen.add(kind)
                    if box < 8:  # hidden (e.g. a lightbox)
                        continue
                    # Never smaller than the box (a blurry picture), never far larger (bytes).
                    if slot is None or slot < box - 1 or slot > box * 1.4 + 24:
                        bad.append(f"{path} at {width}px: {kind} drawn {box:.0f}, sizes {slot}")
    finally:
        context.close()
    assert seen >= {
        "es-lead__img",
        "es-card__img--home",
        "es-card__img",
        "es-card__img--related",
        "es-post__cover",
        "body",
        "es-gallery__img",
    }, seen
    assert bad == []


def test_a_phone_sees_notices_before_the_news_and_small_thumbnails(browser: Any, base: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(f"{base}/th-a/", wait_until="load")
        top = page.evaluate(
            "s => document.querySelector(s).getBoundingClientRect().top + scrollY", "#es-notices"
        )
        first_card = page.evaluate(
            "() => document.querySelector('.es-home__main .es-card').getBoundingClientRect().top + scrollY"
        )
        quick = page.evaluate(
            "() => document.querySelector('#es-quick').getBoundingClientRect().top + scrollY"
        )
        assert top < first_card < quick
        assert top < 1300, top  # right after the lead picture (was ~2,240 px down)
    finally:
        context.close()
    # A fresh context: Chromium would reuse the larger copy the home page's lead downloaded.
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(f"{base}/th-a/tin-tuc/", wait_until="load")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        chosen = page.evaluate(
            "() => [...document.querySelectorAll('img.es-card__img')].map(i => i.currentSrc)"
        )
        loaded = [c for c in chosen if c]
        assert loaded and all(".card-320." in c for c in loaded), [
            c.rsplit("/", 1)[1] for c in loaded
        ]
    finally:
        context.close()
