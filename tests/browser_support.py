"""Helpers for the theme's browser tests, page-weight bench and screenshots.

* :func:`theme_network` writes a small network (Sở → Phòng → school) with posts, generated
  photos, an about page, a contact page and a home text, so browser tests never depend on the
  demo content's wording.
* :func:`serve` serves a built ``public/`` folder on 127.0.0.1 with a real ``http.server`` in a
  thread; missing paths get the site's own ``404.html`` with status 404, as GitHub Pages does.
* :func:`launch` starts Debian's Chromium through Playwright with the flags this machine needs.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conftest import make_network, post

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

UNITS: dict[str, dict[str, Any]] = {
    "so": {
        "name": "Sở Giáo dục và Đào tạo tỉnh Thử",
        "short_name": "Sở GDĐT Thử",
        "kind": "so",
    },
    "pgd": {
        "name": "Phòng Giáo dục và Đào tạo huyện Thử",
        "kind": "portal",
        "parent": "so",
        "rollup": {"policy": "all"},
    },
    "th-a": {
        "name": "Trường Tiểu học Kim Đồng",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
        "address": "Số 5 đường Hoà Bình, xã Thử, huyện Thử",
        "phone": "0207 3851 000",
        "email": "c1kimdong@example.edu.vn",
        "editor": {"name": "Nguyễn Thị Hoa", "title": "Hiệu trưởng"},
        "social": {"facebook": "https://www.facebook.com/thkimdong.example"},
    },
}

#: (slug, title, categories, featured, with image)
POSTS = [
    ("khai-giang", "Lễ khai giảng năm học 2026-2027", ["tin-tuc-su-kien"], True, True),
    ("thong-bao-hop-phu-huynh", "Thông báo họp phụ huynh đầu năm", ["thong-bao"], False, False),
    ("trung-thu", "Vui Tết Trung thu cùng các em học sinh", ["tin-tuc-su-kien"], False, True),
    ("chuyen-de-toan", "Chuyên đề dạy học môn Toán lớp 4", ["hoat-dong-chuyen-mon"], False, True),
    ("thong-bao-nghi-le", "Thông báo lịch nghỉ lễ 20/11", ["thong-bao"], False, False),
    ("an-toan-giao-thong", "Tuyên truyền an toàn giao thông", ["an-toan-truong-hoc"], False, True),
    (
        "hoi-giang",
        "Hội giảng chào mừng ngày Nhà giáo Việt Nam",
        ["phong-trao-thi-dua"],
        False,
        True,
    ),
    ("thu-vien-xanh", "Khai trương thư viện xanh", ["tin-tuc-su-kien"], False, True),
    ("chuyen-doi-so", "Ứng dụng chuyển đổi số trong quản lý", ["chuyen-doi-so"], False, True),
    (
        "tuyen-sinh",
        "Thông báo tuyển sinh lớp 1 năm học mới",
        ["thong-bao", "tuyen-sinh"],
        False,
        True,
    ),
    ("doi-tuyen", "Đội tuyển cờ vua đạt giải cấp huyện", ["tin-tuc-su-kien"], False, True),
    ("trai-nghiem", "Hoạt động trải nghiệm tại vườn rau", ["hoat-dong-chuyen-mon"], False, True),
]

ABOUT = """\
# Giới thiệu

Trường Tiểu học Kim Đồng được thành lập năm 1985, hiện có 24 lớp với 780 học sinh.

## Lịch sử

Trải qua gần 40 năm xây dựng và phát triển, nhà trường nhiều năm liền đạt danh hiệu
Tập thể lao động xuất sắc.

## Cơ cấu tổ chức

| Bộ phận | Số người |
| --- | --- |
| Ban giám hiệu | 3 |
| Giáo viên | 36 |
| Nhân viên | 6 |

## Sứ mệnh

Xây dựng môi trường học tập thân thiện, an toàn, nơi mỗi học sinh đều có cơ hội phát triển.
"""


def photo(seed: int, size: tuple[int, int] = (800, 450)) -> bytes:
    """A small JPEG that looks like an illustration: a sky gradient, a sun and two hills."""
    from PIL import Image, ImageDraw

    hues = [(46, 134, 222), (235, 125, 52), (76, 175, 80), (156, 39, 176), (0, 150, 136)]
    top = hues[seed % len(hues)]
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(c + (255 - c) * t * 0.8) for c in top))
    sx = (seed * 137) % (w - 120) + 60
    draw.ellipse([sx - 40, 60, sx + 40, 140], fill=(255, 226, 120))
    draw.ellipse([-w // 4, h * 2 // 3, w * 3 // 4, h * 5 // 3], fill=(58, 125, 68))
    draw.ellipse([w // 3, h * 3 // 4, w * 3 // 2, h * 2], fill=(92, 160, 82))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def theme_files() -> dict[str, str | bytes]:
    """Content of the school ``th-a`` (and a line of text for the portals)."""
    files: dict[str, str | bytes] = {
        "content/th-a/index.md": (
            "## Chào mừng\n\nChào mừng quý phụ huynh và các em học sinh đến với trang thông tin"
            " của nhà trường.\n"
        ),
        "content/th-a/gioi-thieu/index.md": ABOUT,
        "content/th-a/lien-he.md": "# Liên hệ\n\nMọi ý kiến xin gửi về văn phòng nhà trường.\n",
        "content/pgd/index.md": "Trang thông tin Phòng Giáo dục và Đào tạo.\n",
        "content/so/index.md": "Trang thông tin Sở Giáo dục và Đào tạo.\n",
    }
    for i, (slug, title, cats, featured, image) in enumerate(POSTS):
        day = f"2026-11-{20 - i:02d}"
        folder = f"content/th-a/tin-tuc/2026/{day}-{slug}"
        meta: dict[str, Any] = {
            "id": f"th-a-{slug}",
            "summary": f"Tóm tắt: {title.lower()}, với sự tham gia của thầy cô và học sinh.",
            "categories": cats,
            "author": "Tổ Văn phòng",
        }
        if featured:
            meta["featured"] = True
        if image:
            meta.update(image="anh.jpg", image_alt=f"Ảnh minh hoạ: {title.lower()}")
            files[f"{folder}/anh.jpg"] = photo(i)
        body = (
            f"Sáng ngày {day[8:]}/11/2026, nhà trường tổ chức {title.lower()}.\n\n"
            "## Nội dung chính\n\nCác hoạt động diễn ra sôi nổi, an toàn và hiệu quả.\n"
        )
        files[f"{folder}/index.md"] = post(title, f"{day} 08:00", body=body, **meta)
    return files


def theme_network(root: Path) -> Path:
    """Write the theme test network below ``root`` and return ``root``."""
    return make_network(root, UNITS, theme_files())


def build(root: Path, ids: list[str] | None = None) -> None:
    """Build with the real builder (pinned clock, offline); fail loudly on any site error."""
    from edusite.build.builder import build_network
    from edusite.structure.network import get_network

    results = build_network(get_network(root), ids, out=root / "public", jobs=1, offline=True)
    bad = [(r.unit_id, r.errors) for r in results if not r.ok]
    assert not bad, bad


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files; a site's ``404.html`` for missing paths; no request logging."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        site = self.path.lstrip("/").split("/", 1)[0]
        page = Path(self.directory) / site / "404.html"
        if code == 404 and site and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (random port) in a thread; yield the base URL."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, with background networking off (no stray requests)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
