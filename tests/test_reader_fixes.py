"""What a reader (and an editor) sees, issue #18: heading anchors keep đ, NFC text everywhere,
one skip link to <main>, the home page's notices before the long news list and no menu repeated
as quick links, no unused theme file published, readable file names in messages, pages
advertising their own feeds, portals serving their members' covers (alt, the member's emblem)
under a strict image policy, the roll-up summary line and the feed-health page's details.

One small network (Sở → Phòng → two schools) built once by ``edusite build`` (the real CLI)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from browser_support import photo
from click.testing import CliRunner
from conftest import make_network, post
from edusite.cli import main

UNITS = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so", "rollup": {"policy": "all"}},
    "pgd": {
        "name": "Phòng GDĐT Thử",
        "kind": "portal",
        "parent": "so",
        "rollup": {"policy": "all"},
    },
    "th-a": {
        "name": "Trường Tiểu học Đồng Tâm",
        "short_name": "TH Đồng Tâm",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
        "quick_links": [{"title": "Cổng dịch vụ công", "url": "https://dichvucong.gov.vn/"}],
    },
    "th-b": {
        "name": "Trường Tiểu học Bình Minh",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
    },
}

NFD_TITLE = unicodedata.normalize("NFD", "Hội giảng cấp trường môn Tiếng Việt")


def _files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "content/th-a/lien-he.md": "# Liên hệ\n\n## Địa chỉ và điện thoại\n\nSố 1.\n\n## Đường đi\n\nGần chợ.\n",
        "content/th-a/tin-tuc/2026/2026-11-10-hoi-giang/index.md": post(
            NFD_TITLE,
            "2026-11-10 08:00",
            id="th-a-hoi-giang",
            summary=unicodedata.normalize("NFD", "Thầy cô dự giờ, góp ý"),
            body=unicodedata.normalize("NFD", "Buổi hội giảng diễn ra sôi nổi.\n"),
        ),
        # A cover with its own description, and one without (the card's alt is then the title).
        "content/th-a/tin-tuc/2026/2026-11-12-khai-truong/index.md": post(
            "Khai trương thư viện xanh",
            "2026-11-12 08:00",
            id="th-a-thu-vien",
            image="anh-bia.jpg",
            image_alt="Học sinh đọc sách dưới tán cây",
        ),
        "content/th-a/tin-tuc/2026/2026-11-12-khai-truong/anh-bia.jpg": photo(1, (1200, 675)),
        "content/th-a/tin-tuc/2026/2026-11-13-trung-thu/index.md": post(
            "Vui Tết Trung thu", "2026-11-13 08:00", id="th-a-trung-thu", image="anh.jpg"
        ),
        "content/th-a/tin-tuc/2026/2026-11-13-trung-thu/anh.jpg": photo(2, (1200, 675)),
        # A body picture from another site: only this page may load https: images.
        "content/th-a/tin-tuc/2026/2026-11-14-infographic/index.md": post(
            "Infographic của Bộ",
            "2026-11-14 08:00",
            id="th-a-infographic",
            body="![Infographic](https://moet.gov.vn/anh/infographic.png)\n\n![](ảnh thiếu mô tả.jpg)\n",
        ),
        "content/th-a/tin-tuc/2026/2026-11-14-infographic/ảnh thiếu mô tả.jpg": photo(3),
        # A phone photo wider than the largest variant: its sizes must be the layout's.
        "content/th-b/tin-tuc/2026/2026-11-15-anh-lon/index.md": post(
            "Ảnh lớn", "2026-11-15 08:00", id="th-b-anh-lon", body="![Sân trường](san.jpg)\n"
        ),
        "content/th-b/tin-tuc/2026/2026-11-15-anh-lon/san.jpg": photo(5, (2400, 1350)),
        "content/th-b/tin-tuc/2026/2026-11-11-tin/index.md": post(
            "Tin của trường Bình Minh", "2026-11-11 09:00", id="th-b-tin"
        ),
    }
    for n in range(8):  # notices and news, so the home page has a long list
        files[f"content/th-a/tin-tuc/2026/2026-10-{10 + n:02d}-thong-bao-{n}/index.md"] = post(
            f"Thông báo số {n}",
            f"2026-10-{10 + n:02d} 07:00",
            id=f"th-a-tb-{n}",
            categories=["thong-bao"],
        )
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = make_network(tmp_path_factory.mktemp("net"), UNITS, _files())
    mp = pytest.MonkeyPatch()
    mp.setenv("EDUSITE_NOW", "2026-11-22 12:00")
    try:
        result = CliRunner().invoke(
            main,
            ["build", "--root", str(root), "-j", "1", "--offline", "--out", str(root / "public")],
        )
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    return root / "public", result.output


def read(public: Path, rel: str) -> str:
    return (public / rel).read_text(encoding="utf-8")


def test_heading_anchors_keep_d(built: tuple[Path, str]) -> None:
    page = read(built[0], "th-a/lien-he/index.html")
    assert 'id="dia-chi-va-dien-thoai"' in page  # was #ia-chi-va-ien-thoai
    assert 'id="duong-di"' in page


def test_text_is_nfc_in_titles_and_bodies(built: tuple[Path, str]) -> None:
    public = built[0]
    pages = [public / "th-a/index.html", *(public / "th-a/tin-tuc").rglob("index.html")]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), page
    post_page = read(public, "th-a/tin-tuc/2026/2026-11-10-hoi-giang/index.html")
    title = re.search(r"<title>(.*?)</title>", post_page).group(1)
    assert title == "Hội giảng cấp trường môn Tiếng Việt - Trường Tiểu học Đồng Tâm"
    assert "Buổi hội giảng diễn ra sôi nổi." in post_page


def test_one_skip_link_to_main(built: tuple[Path, str]) -> None:
    for rel in ("th-a/index.html", "th-a/lien-he/index.html", "th-a/404.html"):
        page = read(built[0], rel)
        skips = re.findall(r'<a [^>]*class="md-skip[^"]*"[^>]*>', page)
        assert len(skips) == 1 and 'href="#noi-dung"' in skips[0], (rel, skips)
        assert re.search(r'<main [^>]*id="noi-dung"', page), rel
        assert page.count('id="noi-dung"') == 1
        # Not allowed on Material's checkboxes (Nu HTML Checker); the search box may keep it.
        assert not re.search(r'type="checkbox"[^>]*autocomplete', page)


def test_home_puts_notices_first_and_does_not_repeat_the_menu(built: tuple[Path, str]) -> None:
    home = read(built[0], "th-a/index.html")
    notices, latest, quick = (
        home.index(f'id="{x}"') for x in ("es-notices", "es-latest", "es-quick")
    )
    assert notices < latest < quick  # the phone's order is the source order
    box = home[quick : home.index("</aside>", quick)]
    menu = re.findall(r'class="es-menu__link"[^>]*>([^<]+)<', home)
    assert "Giới thiệu" not in box and menu and not any(f">{m.strip()}<" in box for m in menu)
    assert "Cổng dịch vụ công" in box and "Phòng GDĐT Thử" in box  # own links, then parents
    assert "featured.xml" in box


def test_no_unused_theme_file_is_published(built: tuple[Path, str]) -> None:
    shared = [
        p.relative_to(built[0] / "_shared").as_posix()
        for p in (built[0] / "_shared").rglob("*")
        if p.is_file()
    ]
    assert shared and not [
        p for p in shared if "/lunr/" in p or "/workers/" in p or p.endswith(".map")
    ]
    assert not [p for p in shared if "/javascripts/bundle." in p or "palette." in p]
    used = {
        m
        for page in built[0].rglob("*.html")
        for m in re.findall(r"_shared/[0-9a-f]+/([^\"'?#]+)", page.read_text(encoding="utf-8"))
    }
    published = {p.split("/", 1)[1] for p in shared}
    assert published <= used | {"assets/edusite.js"}, published - used


def test_messages_name_files_as_written(built: tuple[Path, str]) -> None:
    output = built[1]
    line = next(x for x in output.splitlines() if "thiếu mô tả" in x)
    assert "ảnh thiếu mô tả.jpg" in line and "%E1" not in line


def test_pages_advertise_their_own_feeds(built: tuple[Path, str]) -> None:
    public = built[0]

    def feeds(rel: str) -> list[str]:
        page = read(public, rel)
        return re.findall(
            r'<link rel="alternate" type="application/rss\+xml"[^>]*href="([^"]+)"', page
        )

    assert feeds("th-a/tin-tuc/chuyen-muc/thong-bao/index.html") == [
        "feed.xml",
        "../../../feed.xml",
    ]
    assert feeds("th-a/index.html") == ["featured.xml", "feed.xml"]
    assert feeds("pgd/tin-don-vi/index.html")[0] == "feed.xml"  # the roll-up's own
    category = read(public, "th-a/tin-tuc/chuyen-muc/thong-bao/index.html")
    assert 'href="feed.xml">Nhận tin chuyên mục này qua RSS' in category


def test_portals_serve_members_covers_themselves(built: tuple[Path, str]) -> None:
    public = built[0]
    page = read(public, "pgd/tin-don-vi/index.html")
    cards = re.findall(r'<article class="es-card">.*?</article>', page, re.S)
    by_title = {re.search(r'es-card__title"><a [^>]*>([^<]+)<', c).group(1): c for c in cards}
    library = by_title["Khai trương thư viện xanh"]
    img = re.search(r"<img [^>]*>", library).group(0)
    # The portal's own copy, processed (card variants, WebP), never the member's address.
    assert 'src="anh/' in img and "card-" in img and "lamgiang.edu.vn/th-a" not in img
    assert 'alt="Học sinh đọc sách dưới tán cây"' in img  # the cover's own description
    src = re.search(r'src="([^"]+)"', img).group(1)
    assert (public / "pgd/tin-don-vi" / src).is_file()
    assert not list((public / "pgd/tin-don-vi/anh").glob("*.jpg")) or all(
        "." in p.stem for p in (public / "pgd/tin-don-vi/anh").glob("*.jpg")
    )  # only variants are published, never the copied original
    moon = re.search(r"<img [^>]*>", by_title["Vui Tết Trung thu"]).group(0)
    assert 'alt="Vui Tết Trung thu"' in moon  # no description: the title
    # A card without a picture shows the member's emblem, not the portal's.
    plain = by_title["Tin của trường Bình Minh"]
    assert re.search(r'es-card__img--none"[^>]*><span>BM</span>', plain)
    # Strict image policy on portals' pages: nothing from another site can load.
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "img-src 'self' data:;" in csp
    # Only a page whose own body shows a picture from elsewhere gets https: for images.
    info = read(public, "th-a/tin-tuc/2026/2026-11-14-infographic/index.html")
    assert "img-src 'self' data: https:;" in info
    assert "img-src 'self' data:;" in read(public, "th-a/index.html")


def test_photos_take_their_sizes_from_the_layout(built: tuple[Path, str]) -> None:
    """A body photo wider than 1600 px used to get sizes="1600px" (phones downloaded the
    largest file); list thumbnails the sizes of a 140-px box on phones."""
    from edusite.images.markup import CARD_LIST, READING

    page = read(built[0], "th-b/tin-tuc/2026/2026-11-15-anh-lon/index.html")
    img = re.search(r'<img [^>]*alt="Sân trường"[^>]*>', page).group(0)
    assert f'sizes="{READING}"' in img and 'sizes="1600px"' not in page
    assert "san.1600." in img and 'width="1600"' in img
    news = read(built[0], "th-a/tin-tuc/index.html")
    cards = re.findall(r'<img class="es-card__img"[^>]*>', news)
    assert cards and all(f'sizes="{CARD_LIST}"' in c and " 320w" in c for c in cards)
    assert CARD_LIST.endswith(", 140px")  # phones: the 7rem thumbnail


def test_the_build_prints_each_portals_roll_up_summary(built: tuple[Path, str]) -> None:
    lines = [x for x in built[1].splitlines() if x.startswith("Nguồn tin của")]
    assert lines == [
        "Nguồn tin của Phòng GDĐT Thử: 2 tốt, 0 không đổi, 0 dùng bản lưu, 0 lỗi; 14 tin"
        " / Feeds of Phòng GDĐT Thử: 2 ok, 0 not modified, 0 stale, 0 failed; 14 items",
        "Nguồn tin của Sở GDĐT Thử: 3 tốt, 0 không đổi, 0 dùng bản lưu, 0 lỗi; 14 tin"
        " / Feeds of Sở GDĐT Thử: 3 ok, 0 not modified, 0 stale, 0 failed; 14 items",
    ]


def test_the_feed_health_page_has_the_documented_details(built: tuple[Path, str]) -> None:
    page = read(built[0], "so/tin-don-vi/tinh-trang-nguon-tin/index.html")
    head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    for column in (
        "Đơn vị",
        "Địa chỉ nguồn tin",
        "Trạng thái",
        "Mã HTTP",
        "Số tin",
        "Lần tốt gần nhất",
        "Lỗi liên tiếp",
        "Thử lại lúc",
        "Lỗi",
    ):
        assert f">{column}</th>" in head, column
    assert "https://lamgiang.edu.vn/th-a/feed.xml" in page
    assert "12:00 22/11/2026" in page  # last success, dd/mm/yyyy
    assert 'Tốt <span lang="en">/ ok</span>' in page
