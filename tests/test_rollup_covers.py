"""Remote members' covers, fetched once by the portal's build into its image pipeline (a real
HTTP server on 127.0.0.1, real MkDocs builds): served from the portal, refused from another host,
refused when not an image or a decompression bomb, reused without a second request, kept for
``--offline`` builds."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from browser_support import photo
from conftest import make_network
from conftest_rollup import (
    FeedServer,
    reply,
    server_fixture,  # noqa: F401 (fixture "server")
)
from edusite.build.builder import build_network
from edusite.structure.network import get_network
from PIL import Image


def phone_photo() -> bytes:
    """A JPEG with EXIF, including a GPS position (what phones write)."""
    img = Image.open(io.BytesIO(photo(4, (1200, 675))))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)}  # GPSInfo
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    assert b"PhoneMaker" in buf.getvalue()
    return buf.getvalue()


def bomb() -> bytes:
    """A small PNG that declares 70 million pixels (over the 60 MP cap)."""
    buf = io.BytesIO()
    Image.new("1", (10_000, 7_000)).save(buf, "PNG")
    return buf.getvalue()


def feed(server: FeedServer) -> bytes:
    items = [
        ("ok", "Ảnh đúng", server.url("/anh/ok.jpg"), "2024-11-04"),
        ("far", "Ảnh máy chủ khác", "https://cdn.elsewhere.example/a.jpg", "2024-11-03"),
        ("html", "Không phải ảnh", server.url("/anh/trang.jpg"), "2024-11-02"),
        ("bomb", "Ảnh quá lớn", server.url("/anh/bom.png"), "2024-11-01"),
    ]
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>{server.url('/')}</link><description>d</description>"
    ]
    for guid, title, image, day in items:
        parts.append(
            f"<item><title>{title}</title><link>{server.url('/tin/' + guid)}</link>"
            f'<guid isPermaLink="false">{guid}</guid>'
            f"<pubDate>{day[8:]} Nov 2024 08:00:00 +0700</pubDate>"
            f'<enclosure url="{image}" length="0" type="image/jpeg"/></item>'
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


@pytest.fixture
def portal(tmp_path: Path, server: FeedServer) -> Path:
    server.routes["/feed.xml"] = reply(200, feed(server))
    server.routes["/anh/ok.jpg"] = reply(200, phone_photo(), "image/jpeg")
    server.routes["/anh/trang.jpg"] = reply(200, b"<html>not an image</html>", "text/html")
    server.routes["/anh/bom.png"] = reply(200, bomb(), "image/png")
    units = {
        "so": {
            "name": "Sở GDĐT Thử",
            "kind": "so",
            "rollup": {
                "policy": "all",
                "remote": [
                    {"id": "ngoai", "name": "Trường Ngoài Mạng", "feed": server.url("/feed.xml")}
                ],
            },
        }
    }
    return make_network(tmp_path / "net", units)


def build(root: Path, offline: bool = False) -> tuple[str, list[str]]:
    results = build_network(
        get_network(root), out=root / "public", jobs=1, offline=offline, cache_dir=root / ".cache"
    )
    assert all(r.ok for r in results), [r.errors for r in results]
    page = (root / "public/so/tin-don-vi/index.html").read_text(encoding="utf-8")
    return page, [w for r in results for w in r.warnings]


def cards(page: str) -> dict[str, str]:
    found = re.findall(r'<article class="es-card">.*?</article>', page, re.S)
    return {re.search(r'es-card__title"><a [^>]*>([^<]+)<', c).group(1): c for c in found}


def test_remote_covers_are_fetched_once_and_served_by_the_portal(
    portal: Path, server: FeedServer, pinned_now: str
) -> None:
    page, warnings = build(portal)
    by_title = cards(page)
    ok = by_title["Ảnh đúng"]
    img = re.search(r"<img [^>]*>", ok).group(0)
    assert 'src="anh/' in img and "http" not in img  # the portal's own copy, never hot-linked
    assert 'alt="Ảnh đúng"' in img  # no description in the feed: the title
    src = re.search(r'src="([^"]+)"', img).group(1)
    assert (portal / "public/so/tin-don-vi" / src).is_file()
    # Through the pipeline like a local photo: no EXIF (camera, GPS) in anything published.
    published = list((portal / "public/so/tin-don-vi/anh").iterdir())
    assert published and not [p for p in published if b"PhoneMaker" in p.read_bytes()]
    # The others show the member's emblem, and each is a warning naming why.
    for title in ("Ảnh máy chủ khác", "Không phải ảnh", "Ảnh quá lớn"):
        assert "es-card__img--none" in by_title[title], title
        assert "<img" not in by_title[title]
    text = "\n".join(warnings)
    assert "ảnh bìa ở máy chủ khác" in text
    assert "kiểu nội dung sai: text/html (không phải ảnh)" in text
    assert re.search(r"/anh/bom\.png: .*70 megapixels, limit 60", text), text  # the cap
    assert not server.hits("/a.jpg")  # the other host was never asked
    # Once: a second build asks the server for the feed again, not for the picture.
    build(portal)
    assert len(server.hits("/anh/ok.jpg")) == 1
    # Offline: the kept copy.
    server.routes.pop("/anh/ok.jpg")
    page, _ = build(portal, offline=True)
    assert 'src="anh/' in cards(page)["Ảnh đúng"]
