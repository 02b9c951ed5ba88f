"""Photo albums ("Thư viện ảnh"): folders of photos with a short front matter become gallery
pages with an accessible lightbox. Pure data and HTML; no MkDocs.

An album is ``thu-vien-anh/<yyyy-mm-dd>-<slug>/index.md``::

    ---
    title: Lễ khai giảng năm học 2026-2027
    date: 2026-09-05
    consent: true          # the school confirms parents' consent to publish these photos
    description: Học sinh khối 1 nhận quà.
    cover: IMG_0012.jpg    # optional; the first photo otherwise
    captions:              # optional
      IMG_0012.jpg: Thầy hiệu trưởng đánh trống khai giảng
    ---

Every image in the folder is a photo of the album, in natural file-name order.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from ..errors import EdusiteError, Problem, problem
from ..text import format_date, nfc, parse_datetime
from ..yamlio import load_front_matter, read_text_file, split_front_matter
from .gallery_assets import DIALOG
from .markup import relative_url
from .pipeline import ImageRecord

ALBUM_DIR = "thu-vien-anh"
ALBUM_INDEX_TITLE = "Thư viện ảnh"
CSS_FILE = "assets/edusite-gallery.css"
JS_FILE = "assets/edusite-gallery.js"
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


@dataclass
class Photo:
    src_uri: str
    caption: str = ""


@dataclass
class Album:
    """One album page and its photos."""

    src_uri: str  # thu-vien-anh/2026-09-05-khai-giang/index.md
    title: str
    date: datetime | None
    consent: bool
    description: str = ""
    cover: str | None = None  # src_uri of the cover photo
    photos: list[Photo] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return str(PurePosixPath(self.src_uri).parent)

    @property
    def url(self) -> str:
        return self.folder + "/"


def is_album_page(src_uri: str, album_dir: str = ALBUM_DIR) -> bool:
    """``thu-vien-anh/<album>/index.md`` (any depth below the album folder)."""
    p = PurePosixPath(src_uri)
    return len(p.parts) >= 3 and p.parts[0] == album_dir and p.name == "index.md"


def natural_key(name: str) -> list[object]:
    """``IMG_2`` before ``IMG_10``."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def load_album(
    src_uri: str, abs_path: Path, images: list[str], *, require_consent: bool = False
) -> tuple[Album | None, list[Problem]]:
    """Read an album's front matter; ``images`` are the src_uris of images in its folder."""
    problems: list[Problem] = []
    try:
        raw, _body = split_front_matter(nfc(read_text_file(abs_path)))
        meta = load_front_matter(raw, abs_path) if raw else {}
    except EdusiteError as exc:
        return None, exc.problems
    if not isinstance(meta, dict):
        meta = {}
    folder = PurePosixPath(src_uri).parent
    title = str(meta.get("title") or "").strip()
    if not title:
        title = folder.name
        problems.append(
            problem(abs_path, "title", "album chưa có tiêu đề", "the album has no title", "warning")
        )
    date = None
    prefix = _DATE_PREFIX.match(folder.name)
    raw_date = meta.get("date") or (prefix.group(1) if prefix else None)
    if raw_date:
        try:
            date = parse_datetime(raw_date)
        except ValueError:
            problems.append(
                problem(
                    abs_path,
                    "date",
                    f"ngày không hợp lệ '{raw_date}' (dùng yyyy-mm-dd)",
                    f"invalid date '{raw_date}' (use yyyy-mm-dd)",
                )  # fmt: skip
            )
    consent = meta.get("consent") is True
    if not consent:
        problems.append(
            problem(
                abs_path,
                "consent",
                "chưa xác nhận đồng ý của cha mẹ học sinh (ghi 'consent: true' khi nhà trường đã "
                "có sự đồng ý để đăng ảnh học sinh)",
                "parental consent not confirmed (write 'consent: true' once the school has "
                "parents' consent to publish these photos)",
                "error" if require_consent else "warning",
            )  # fmt: skip
        )
    names = {PurePosixPath(u).name: u for u in images}
    captions = meta.get("captions") or {}
    if not isinstance(captions, dict):
        captions = {}
    for name in captions:
        if str(name) not in names:
            problems.append(
                problem(
                    abs_path,
                    "captions",
                    f"không có ảnh '{name}' trong thư mục album",
                    f"no photo '{name}' in the album folder",
                    "warning",
                )  # fmt: skip
            )
    # Natural order; names it cannot tell apart (``a1``/``a01``, ``A1``/``a1``) by the name
    # itself, never by the order ``images`` came in (the plugin gathers them from a set).
    ordered = sorted(names, key=lambda n: (natural_key(n), n))
    photos = [Photo(names[n], str(captions.get(n) or "").strip()) for n in ordered]
    if not photos:
        problems.append(
            problem(abs_path, None, "album chưa có ảnh nào", "the album has no photos", "warning")
        )
    cover = meta.get("cover")
    cover_uri = names.get(str(cover)) if cover else None
    if cover and cover_uri is None:
        problems.append(
            problem(
                abs_path,
                "cover",
                f"không có ảnh '{cover}' trong thư mục album",
                f"no photo '{cover}' in the album folder",
            )  # fmt: skip
        )
    album = Album(
        src_uri, title, date, consent, str(meta.get("description") or "").strip(),
        cover_uri or (photos[0].src_uri if photos else None), photos,
    )  # fmt: skip
    return album, problems


def _srcset(variants, page_url: str) -> str:
    return ", ".join(f"{relative_url(v.path, page_url)} {v.width}w" for v in variants)


def gallery_html(album: Album, records: dict[str, ImageRecord], page_url: str) -> str:
    """Thumbnails (links to the full photo, so they work without JavaScript) and one dialog."""
    e = html.escape
    count = len(album.photos)
    meta = [f"{count} ảnh"]
    if album.date:
        meta.insert(
            0, f'<time datetime="{album.date.date().isoformat()}">{format_date(album.date)}</time>'
        )
    out = [
        f'<link rel="stylesheet" href="{relative_url(CSS_FILE, page_url)}">',
        '<div class="es-album">',
    ]
    if album.description:
        out.append(f'<p class="es-album__desc">{e(album.description)}</p>')
    out.append(f'<p class="es-album__meta">{" · ".join(meta)}</p>')
    out.append(f'<ul class="es-gallery" aria-label="{e(album.title)}">')
    for i, photo in enumerate(album.photos, 1):
        rec = records.get(photo.src_uri)
        if rec is None:
            continue
        fb = rec.fallback_format("base")
        full = rec.largest("base", fb)
        alt = photo.caption or f"{album.title}: ảnh {i}/{count}"
        link = [
            ("class", "es-gallery__link"),
            ("href", relative_url(full.path, page_url) if full else ""),
            ("data-es-webp", _srcset(rec.group("base", "webp"), page_url)),
            ("data-es-srcset", _srcset(rec.group("base", fb), page_url)),
            ("data-es-caption", photo.caption),
        ]
        attrs = "".join(f' {k}="{e(v)}"' for k, v in link)
        img = (
            f'<img class="es-gallery__img" src="{e(relative_url(photo.src_uri, page_url))}" '
            f'alt="{e(alt)}">'
        )
        caption = (
            f'<figcaption class="es-gallery__caption">{e(photo.caption)}</figcaption>'
            if photo.caption
            else ""
        )
        out.append(
            f'<li><figure class="es-gallery__item"><a{attrs}>{img}</a>{caption}</figure></li>'
        )
    out.append("</ul></div>")
    out.append(DIALOG)
    out.append(f'<script src="{relative_url(JS_FILE, page_url)}" defer></script>')
    return "\n".join(out)


def index_html(albums: list[Album], page_url: str) -> str:
    """Album cards, newest first, for the ``thu-vien-anh/`` page."""
    e = html.escape
    if not albums:
        return '<p class="es-albums__empty">Chưa có album ảnh.</p>'
    out = ['<div class="es-cards es-albums">']
    for album in sorted(
        albums, key=lambda a: (a.date.timestamp() if a.date else 0, a.src_uri), reverse=True
    ):
        img = ""
        if album.cover:
            img = (
                f'<img class="es-card__img" src="{e(relative_url(album.cover, page_url))}" alt="">'
            )
        meta = [f"{len(album.photos)} ảnh"]
        if album.date:
            meta.insert(
                0,
                f'<time datetime="{album.date.date().isoformat()}">{format_date(album.date)}</time>',
            )
        out.append(
            f'<article class="es-card">{img}<div class="es-card__body">'
            f'<p class="es-card__meta">{" · ".join(meta)}</p>'
            f'<h2 class="es-card__title"><a href="{e(relative_url(album.url, page_url))}/">'
            f"{e(album.title)}</a></h2></div></article>"
        )
    out.append("</div>")
    return "\n".join(out)
