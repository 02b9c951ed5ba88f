"""The theme's HTML output, without a browser: metadata, JSON-LD, share links, lightness rules,
Vietnamese UI strings, and the colour and emblem helpers of :mod:`edusite.core.theme`."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import material
import pytest
from browser_support import POSTS, build, theme_network
from edusite.core.theme import contrast, darken_to, initials, palette

SITE = "https://lamgiang.edu.vn/th-a/"
LEAD = "tin-tuc/2026/2026-11-20-khai-giang/"  # featured, with a cover image


class Page(HTMLParser):
    """Collects what the tests look at: meta tags, links, scripts, images, anchors, JSON-LD."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.scripts: list[dict[str, str]] = []
        self.imgs: list[dict[str, str]] = []
        self.anchors: list[dict[str, str]] = []
        self.jsonld: list[str] = []
        self.lang = ""
        self._in_ld = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "meta" and ("name" in a or "property" in a):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content", ""))
        elif tag == "link":
            self.links.append(a)
        elif tag == "script":
            self.scripts.append(a)
            self._in_ld = a.get("type") == "application/ld+json"
        elif tag == "img":
            self.imgs.append(a)
        elif tag == "a":
            self.anchors.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.jsonld.append(data)

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def link(self, rel: str) -> str | None:
        found = [x["href"] for x in self.links if x.get("rel") == rel]
        return found[0] if found else None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The theme test network, built once for this module with a pinned clock."""
    root = tmp_path_factory.mktemp("theme")
    saved = os.environ.get("EDUSITE_NOW")
    os.environ["EDUSITE_NOW"] = "2026-11-22 12:00"
    try:
        build(theme_network(root))
    finally:
        if saved is None:
            os.environ.pop("EDUSITE_NOW", None)
        else:
            os.environ["EDUSITE_NOW"] = saved
    return root / "public" / "th-a"


def page(site: Path, rel: str) -> Page:
    return Page((site / rel / "index.html").read_text(encoding="utf-8"))


def test_post_has_open_graph_twitter_dublin_core_and_canonical(site: Path) -> None:
    p = page(site, LEAD)
    url = SITE + LEAD
    assert p.lang == "vi"
    assert p.link("canonical") == url
    assert p.one("og:url") == url and p.one("DC.identifier") == url
    assert p.one("og:type") == "article"
    assert p.one("og:title") == "Lễ khai giảng năm học 2026-2027" == p.one("twitter:title")
    summary = "Tóm tắt: lễ khai giảng năm học 2026-2027, với sự tham gia của thầy cô và học sinh."
    assert p.one("description") == summary == p.one("og:description")
    # The image plugin's 1200x630 Open Graph variant of the cover (the original is never published).
    og = p.one("og:image")
    assert re.fullmatch(re.escape(url) + r"anh\.og\.[0-9a-f]{8}\.jpg", og) and og == p.one(
        "twitter:image"
    )
    assert (site / LEAD / og.rsplit("/", 1)[1]).is_file()
    from PIL import Image

    with Image.open(
        site / LEAD / og.rsplit("/", 1)[1]
    ) as img:  # an 800-px source is never upscaled
        assert (p.one("og:image:width"), p.one("og:image:height")) == (
            str(img.width),
            str(img.height),
        )
        assert img.width <= 1200 and abs(img.width / img.height - 1200 / 630) < 0.02
    assert p.one("og:image:alt") == "Ảnh minh hoạ: lễ khai giảng năm học 2026-2027"
    assert p.one("twitter:card") == "summary_large_image"
    assert p.one("og:locale") == "vi_VN"
    assert p.one("article:published_time") == "2026-11-20T08:00:00+07:00"
    assert p.one("DC.date") == "2026-11-20" and p.one("DC.language") == "vi"
    assert p.one("author") == "Tổ Văn phòng" == p.one("DC.creator")
    assert p.one("DC.publisher") == "Trường Tiểu học Kim Đồng"


def test_post_json_ld_is_a_news_article(site: Path) -> None:
    p = page(site, LEAD)
    assert len(p.jsonld) == 1
    data = json.loads(p.jsonld[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Lễ khai giảng năm học 2026-2027"
    assert data["datePublished"] == "2026-11-20T08:00:00+07:00"
    assert data["image"] == [p.one("og:image")] and "anh.og." in data["image"][0]
    assert data["mainEntityOfPage"]["@id"] == SITE + LEAD == data["url"]
    assert data["author"] == {"@type": "Person", "name": "Tổ Văn phòng"}
    assert data["publisher"]["@type"] == "ElementarySchool"
    assert data["publisher"]["name"] == "Trường Tiểu học Kim Đồng"
    assert data["articleSection"] == ["Tin tức - Sự kiện"]


def test_json_ld_cannot_close_its_script(tmp_path: Path, pinned_now: str) -> None:
    root = theme_network(tmp_path)
    bad = root / "content/th-a/tin-tuc/2026/2026-11-20-khai-giang/index.md"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace(
            "title: Lễ khai giảng năm học 2026-2027", "title: 'Lễ </script><b>x</b> & co'"
        ),
        encoding="utf-8",
    )
    build(root, ["th-a"])
    text = (root / "public/th-a" / LEAD / "index.html").read_text(encoding="utf-8")
    p = Page(text)
    # Titles are plain text (docs/security.md): the tags are removed when the post is read,
    # the rest is escaped where it lands; the JSON-LD parses and nothing closes its script.
    assert len(p.jsonld) == 1
    assert json.loads(p.jsonld[0])["headline"] == "Lễ x & co"
    assert p.one("og:title") == "Lễ x & co"  # attribute escaped, parsed back
    assert "<b>x</b>" not in text and "</script><b>" not in text


def test_share_links_carry_the_encoded_canonical_url(site: Path) -> None:
    p = page(site, LEAD)
    hrefs = {urlsplit(a["href"]).netloc: a["href"] for a in p.anchors if "share" in a["href"]}
    fb = hrefs["www.facebook.com"]
    assert fb == "https://www.facebook.com/sharer/sharer.php?u=" + (
        "https%3A%2F%2Flamgiang.edu.vn%2Fth-a%2Ftin-tuc%2F2026%2F2026-11-20-khai-giang%2F"
    )
    assert parse_qs(urlsplit(hrefs["zalo.me"]).query)["url"] == [SITE + LEAD]


def test_home_metadata_and_blocks(site: Path) -> None:
    text = (site / "index.html").read_text(encoding="utf-8")
    p = Page(text)
    assert p.one("og:type") == "website" and p.one("og:title") == "Trường Tiểu học Kim Đồng"
    assert p.link("canonical") == SITE
    assert "og:image" not in p.meta  # no logo, and the home page has no own picture
    assert p.one("twitter:card") == "summary"
    site_ld = json.loads(p.jsonld[0])
    assert site_ld["@type"] == "WebSite" and site_ld["url"] == SITE
    # The lead (featured) post is not repeated among the latest cards.
    assert text.count(f'href="{LEAD}"') == 1
    # Notices: only posts in "thong-bao", newest first.
    notices = re.search(r'<ul class="es-notices">(.*?)</ul>', text, re.S)
    assert notices is not None
    titles = re.findall(r'<a href="[^"]+">([^<]+)</a>', notices.group(1))
    assert titles == [t for _, t, cats, _, _ in POSTS if "thong-bao" in cats]


def test_listing_pages_chain_and_describe_themselves(site: Path) -> None:
    first, second = page(site, "tin-tuc"), page(site, "tin-tuc/trang/2")
    assert first.link("next") == "trang/2/" and first.link("prev") is None
    assert second.link("prev") == "../../" and second.link("next") is None
    assert second.one("description") == "Tin tức, trang 2 - Trường Tiểu học Kim Đồng"
    text = (site / "tin-tuc/trang/2/index.html").read_text(encoding="utf-8")
    assert "<title>Tin tức (trang 2) - Trường Tiểu học Kim Đồng</title>" in text
    assert 'aria-current="page"><span class="es-visually-hidden">Trang </span>2</span>' in text


def test_images_are_lazy_with_dimensions_and_nothing_loads_from_elsewhere(site: Path) -> None:
    for html_file in sorted(site.rglob("*.html")):
        p = Page(html_file.read_text(encoding="utf-8"))
        eager_cards = 0
        for img in p.imgs:
            assert img.get("width") and img.get("height"), (html_file, img)
            if img.get("loading") == "lazy":
                continue
            # Only what is on screen at once loads eagerly: the home page's lead picture, a
            # post's cover, and the first row (3) of cards on a listing page.
            cls = img.get("class", "")
            assert "es-lead__img" in cls or "es-post__cover" in cls or "es-card__img" in cls
            eager_cards += "es-card__img" in cls
        assert eager_cards <= 3, html_file
        fetched = [s.get("src", "") for s in p.scripts] + [i["src"] for i in p.imgs]
        fetched += [x["href"] for x in p.links if x.get("rel") in ("stylesheet", "icon", "preload")]
        for url in fetched:
            assert not re.match(r"^(https?:)?//", url), (html_file, url)
        # No Material JavaScript bundle; only posts load our own small script.
        assert not any("bundle" in s.get("src", "") for s in p.scripts), html_file
    home_cards = [
        i for i in Page((site / "index.html").read_text("utf-8")).imgs if "es-card" in i["class"]
    ]
    assert home_cards and all(i.get("loading") == "lazy" for i in home_cards)
    post_scripts = [s["src"] for s in page(site, LEAD).scripts if s.get("src")]
    assert len(post_scripts) == 1 and post_scripts[0].endswith("assets/edusite.js")


def test_body_images_get_lazy_loading(tmp_path: Path, pinned_now: str) -> None:
    root = theme_network(tmp_path)
    folder = root / "content/th-a/tin-tuc/2026/2026-11-18-trung-thu"
    index = folder / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n![Múa lân](anh.jpg)\n", "utf-8")
    build(root, ["th-a"])
    text = (root / "public/th-a/tin-tuc/2026/2026-11-18-trung-thu/index.html").read_text("utf-8")
    # A body image after the first becomes a lazy <picture> (WebP + JPEG) with its size.
    body = re.search(
        r'<picture><source type="image/webp" srcset="[^"]+"[^>]*><img ([^>]*alt="Múa lân"[^>]*)>',
        text,
    )
    assert body, text
    assert 'loading="lazy"' in body.group(1) and 'decoding="async"' in body.group(1)
    assert re.search(r'width="\d+" height="\d+"', body.group(1))


def test_menu_marks_the_current_section(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="es-menu__link" href="\." aria-current="page">Trang chủ</a>', home)
    post = (site / LEAD / "index.html").read_text(encoding="utf-8")
    active = re.findall(r'es-menu__item--active">\s*<a class="es-menu__link" href="[^"]*"', post)
    assert len(active) == 1 and active[0].endswith('href="../../"')  # Tin tức, from the post
    assert 'aria-current="page"' not in re.search(r'<nav class="es-menu".*?</nav>', post, re.S)[0]


def test_404_page_is_vietnamese_with_absolute_links(site: Path) -> None:
    text = (site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="vi"' in text
    assert "<title>Không tìm thấy trang (lỗi 404) - Trường Tiểu học Kim Đồng</title>" in text
    assert "<h1>Không tìm thấy trang</h1>" in text
    p = Page(text)
    assert {"/th-a/.", "/th-a/tin-tuc/"} <= {a["href"] for a in p.anchors}
    css = [x["href"] for x in p.links if x.get("rel") == "stylesheet"]
    assert css and all(h.startswith("/") for h in css)  # resolves from any missing URL


def test_vietnamese_ui_strings_are_complete() -> None:
    """Our vi.html has every key of Material's en.html, and none still in English."""
    templates = Path(material.__file__).parent / "templates/partials/languages"
    ours = Path(__file__).parent.parent / "shared-theme/partials/languages/vi.html"

    def strings(path: Path) -> dict[str, str]:
        return dict(re.findall(r'^\s*"([^"]+)": "(.*)",?$', path.read_text("utf-8"), re.M))

    en, vi = strings(templates / "en.html"), strings(ours)
    assert set(en) <= set(vi), sorted(set(en) - set(vi))
    same = {k for k in en if en[k] == vi[k]}
    assert same <= {"direction", "search.config.separator"}, same
    assert vi["action.skip"] == "Chuyển đến nội dung chính" and vi["top"] == "Lên đầu trang"


def test_palette_is_aa_safe_and_overridable() -> None:
    weak = palette({"primary": "#66aaff", "accent": "#ffcc00"}, {})
    assert contrast(weak["primary"], "#ffffff") >= 4.5
    assert contrast(weak["accent"], "#ffffff") >= 4.5
    assert palette({"primary": "#0b4f8a"}, {})["primary"] == "#0b4f8a"  # already AA: unchanged
    own = palette({"primary": "#0b4f8a"}, {"colors": {"primary": "#1b5e20"}})
    assert own["primary"] == "#1b5e20"
    assert palette({"primary": "not-a-colour"}, {})["primary"] == "#0b4f8a"
    assert darken_to("#000000") == "#000000"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Trường Tiểu học Kim Đồng", "KĐ"),
        ("Trường THCS Nguyễn Du", "ND"),
        ("Phòng Giáo dục và Đào tạo huyện Mường Tè", "MT"),
        ("Sở GDĐT Lâm Giang", "LG"),
        ("Trường Mầm non Hoa Sen", "HS"),
    ],
)
def test_emblem_initials(name: str, expected: str) -> None:
    assert initials(name) == expected
