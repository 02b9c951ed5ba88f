"""News posts: the one model used by listings, feeds, roll-ups and reports.

A post is a page bundle ``tin-tuc/<yyyy>/<yyyy-mm-dd>-<slug>/index.md`` whose front matter is
validated here, independent of MkDocs. Errors and warnings are collected as
:class:`~edusite.errors.Problem` items naming the file and the field in Vietnamese and English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import EdusiteError, Problem, problem
from ..security.confine import IMAGES, confined_file
from ..text import nfc, parse_datetime, slugify
from ..yamlio import load_front_matter, read_text_file, split_front_matter
from . import frontmatter

NEWS_DIR = "tin-tuc"
#: Front-matter fields that are plain text (see :func:`edusite.security.markup.plain_text`).
PLAIN_TEXT = ("title", "summary", "image_alt", "author", "group")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._~/#@+=-]{0,299}$")
_SCRIPT_SCHEME_RE = re.compile(r"^(?:javascript|data|vbscript|file):", re.IGNORECASE)
_BUNDLE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")

#: front-matter key -> (Vietnamese description, English description)
FIELDS: dict[str, tuple[str, str]] = {
    "title": ("tiêu đề (chuỗi, bắt buộc)", "title (text, required)"),
    "date": (
        "ngày đăng dạng yyyy-mm-dd hoặc yyyy-mm-dd HH:MM (giờ Việt Nam)",
        "publication date as yyyy-mm-dd or yyyy-mm-dd HH:MM (Vietnam time)",
    ),
    "summary": ("tóm tắt (chuỗi)", "summary (text)"),
    "image": (
        "ảnh đại diện: tên tệp trong thư mục bài viết",
        "cover image: a file in the post folder",
    ),
    "image_alt": (
        "mô tả ảnh cho người khiếm thị (chuỗi)",
        "image description for screen readers (text)",
    ),
    "categories": ("danh sách chuyên mục", "list of categories"),
    "author": ("tác giả (chuỗi)", "author (text)"),
    "group": ("tổ chuyên môn hoặc đoàn thể (chuỗi)", "teachers' group or union (text)"),
    "featured": ("tin tiêu biểu: true hoặc false", "featured: true or false"),
    "draft": ("bản nháp: true hoặc false", "draft: true or false"),
    "id": ("mã bài viết cố định (chuỗi)", "stable post id (text)"),
    "template": ("mẫu trang", "page template"),
}

#: Longest accepted text of a field, in characters: longer is an error naming the field (cards,
#: feeds and share previews show these; a 1 MB title would be copied into every listing).
MAX_LENGTHS: dict[str, int] = {
    "title": 300,
    "summary": 1000,
    "image": 255,
    "image_alt": 500,
    "author": 200,
    "group": 200,
    "id": 300,
    "template": 100,
}
#: Most categories one post may list.
MAX_CATEGORIES = 20


def shown(value: object, length: int = 60) -> str:
    """``value`` for a message: one line, at most ``length`` characters."""
    text = " ".join(str(value).split()) if isinstance(value, str) else repr(value)
    return text if len(text) <= length else text[: length - 1] + "…"


@dataclass
class Post:
    """A news post: metadata from front matter plus, after rendering, its HTML."""

    id: str
    title: str
    date: datetime
    src_uri: str
    url: str
    summary: str = ""
    image: str | None = None
    image_alt: str = ""
    image_size: tuple[int, int] | None = None
    categories: list[str] = field(default_factory=list)
    author: str = ""
    group: str = ""
    featured: bool = False
    draft: bool = False
    content_html: str = ""
    abs_path: Path | None = None

    @property
    def year_month(self) -> str:
        """``yyyy/mm`` of the local publication date (archive key)."""
        return self.date.strftime("%Y/%m")

    def sort_key(self) -> tuple[float, str]:
        """Newest first, ties broken by id so output order is stable."""
        return (-self.date.timestamp(), self.id)


@lru_cache(maxsize=32)
def _category_names(categories: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Slug of each category's Vietnamese name -> its slug (names are accepted in front matter)."""
    return {slugify(name): slug for slug, name in categories}


def is_post(src_uri: str) -> bool:
    """True for Markdown files below ``tin-tuc/`` other than generated or index pages."""
    p = PurePosixPath(src_uri)
    return (
        p.suffix == ".md" and len(p.parts) >= 3 and p.parts[0] == NEWS_DIR and p.parts[1].isdigit()
    )


def post_url(src_uri: str) -> str:
    """Site-relative URL of a post (directory URLs): ``tin-tuc/2026/2026-09-05-x/``."""
    p = PurePosixPath(src_uri)
    base = p.parent if p.name in ("index.md", "README.md") else p.with_suffix("")
    return f"{base}/"


def load_post(
    abs_path: Path,
    src_uri: str,
    *,
    unit_id: str,
    categories: dict[str, str],
    groups: list[str] | None = None,
) -> tuple[Post | None, list[Problem]]:
    """Read and validate one post file.

    Arguments:
        abs_path: the Markdown file on disk.
        src_uri: its path relative to the docs folder (``tin-tuc/2026/…/index.md``).
        unit_id: the owning unit, used for the fallback id.
        categories: the controlled list, slug -> name.
        groups: the unit's groups; when given, ``group`` must be one of them.

    Returns:
        The post (or ``None`` when an error makes it unusable) and every problem found. Never
        raises: a file that cannot be read (not UTF-8, unreadable, hostile YAML) or any other
        failure is an error naming the file, so one bad post fails its own site only, and
        portals reading members' posts (reports) skip it.
    """
    try:
        return _load_post(abs_path, src_uri, unit_id=unit_id, categories=categories, groups=groups)
    except Exception as exc:  # noqa: BLE001 - one file's failure must stay that file's
        return None, [unreadable(abs_path, exc, ("bài viết", "post"))]


def unreadable(path: Path, exc: BaseException, what: tuple[str, str]) -> Problem:
    """An unexpected failure while reading ``path`` (a ``what`` = (vi, en) noun), as an error."""
    detail = shown(f"{type(exc).__name__}: {exc}", 200)
    return problem(
        path,
        None,
        f"không đọc được {what[0]}: {detail}",
        f"cannot read the {what[1]}: {detail}",
    )


def read_source(abs_path: Path) -> str:
    """The NFC text of a Markdown file; :class:`EdusiteError` naming it when not readable UTF-8."""
    return nfc(read_text_file(abs_path))


def _load_post(
    abs_path: Path,
    src_uri: str,
    *,
    unit_id: str,
    categories: dict[str, str],
    groups: list[str] | None,
) -> tuple[Post | None, list[Problem]]:
    try:
        text = read_source(abs_path)
    except EdusiteError as exc:
        return None, exc.problems
    raw, _body = split_front_matter(text)
    if raw is None:
        return None, [
            problem(
                abs_path,
                None,
                "thiếu phần thông tin đầu bài (front matter) giữa hai dòng ---",
                "missing front matter between two --- lines",
            )
        ]
    try:
        meta = load_front_matter(raw, abs_path) or {}
    except EdusiteError as exc:
        return None, exc.problems
    if not isinstance(meta, dict):
        return None, [
            problem(
                abs_path,
                None,
                "front matter phải là bảng YAML",
                "front matter must be a YAML mapping",
            )
        ]
    return validate_post_meta(
        meta, abs_path, src_uri, unit_id=unit_id, categories=categories, groups=groups
    )


def validate_post_meta(
    meta: dict[str, Any],
    abs_path: Path,
    src_uri: str,
    *,
    unit_id: str,
    categories: dict[str, str],
    groups: list[str] | None = None,
) -> tuple[Post | None, list[Problem]]:
    """Validate front matter already parsed into ``meta`` (see :func:`load_post`)."""
    problems: list[Problem] = []

    def err(key: str, vi: str, en: str, severity: str = "error") -> None:
        problems.append(problem(abs_path, key, vi, en, severity))

    for key in sorted(set(meta) - set(FIELDS)):
        err(
            key,
            f"trường không được hỗ trợ; dùng: {', '.join(FIELDS)}",
            f"unknown field; expected one of: {', '.join(FIELDS)}",
            "warning",
        )

    def text_field(key: str, required: bool = False) -> str:
        return frontmatter.text_field(
            meta,
            key,
            FIELDS[key],
            err,
            required=required,
            limit=MAX_LENGTHS.get(key),
            plain=key in PLAIN_TEXT,
        )

    def bool_field(key: str) -> bool:
        value = meta.get(key, False)
        if not isinstance(value, bool):
            err(
                key,
                f"cần true hoặc false, nhận được '{shown(value)}'",
                f"expected true or false, got '{shown(value)}'",
            )
            return False
        return value

    title = text_field("title", required=True)
    date_value = meta.get("date")
    date: datetime | None = None
    if date_value is None:
        err("date", f"bắt buộc: {FIELDS['date'][0]}", f"required: {FIELDS['date'][1]}")
    else:
        try:
            date = parse_datetime(date_value)
        except ValueError:  # the only exception parse_datetime raises
            err(
                "date",
                f"ngày '{shown(date_value)}' không hợp lệ; cần {FIELDS['date'][0]}",
                f"invalid date '{shown(date_value)}'; expected {FIELDS['date'][1]}",
            )

    cats: list[str] = []
    raw_cats = meta.get("categories", [])
    if isinstance(raw_cats, str):
        raw_cats = [raw_cats]
    if not isinstance(raw_cats, list):
        err(
            "categories",
            "cần một danh sách, ví dụ [thong-bao]",
            "expected a list, e.g. [thong-bao]",
        )
        raw_cats = []
    if len(raw_cats) > MAX_CATEGORIES:
        err(
            "categories",
            f"quá nhiều chuyên mục: {len(raw_cats)}, tối đa {MAX_CATEGORIES}",
            f"too many categories: {len(raw_cats)}, at most {MAX_CATEGORIES}",
        )
        raw_cats = []
    by_slug = _category_names(tuple(categories.items()))
    for value in raw_cats:
        if not isinstance(value, str) or len(value) > MAX_LENGTHS["title"]:
            err(
                "categories",
                f"mỗi chuyên mục là một tên hoặc mã (chuỗi ngắn), không phải '{shown(value)}'",
                f"each category is a name or slug (short text), not '{shown(value)}'",
            )
            continue
        key = slugify(value)
        slug = key if key in categories else by_slug.get(key)
        if slug is None:
            err(
                "categories",
                f"chuyên mục '{value}' không có trong danh sách; chọn trong: {', '.join(categories)}",
                f"unknown category '{value}'; expected one of: {', '.join(categories)}",
            )
        elif slug not in cats:
            cats.append(slug)

    group = text_field("group")
    if group and groups and group not in groups:
        err(
            "group",
            f"tổ/đoàn thể '{group}' không có trong danh sách của đơn vị: {', '.join(groups)}",
            f"group '{group}' is not one of the unit's groups: {', '.join(groups)}",
        )

    image = text_field("image") or None
    image_alt = text_field("image_alt")
    if image:
        if "://" in image or image.startswith("/"):
            err(
                "image",
                "cần tên tệp ảnh trong thư mục bài viết, không phải đường dẫn tuyệt đối",
                "expected an image file in the post folder, not an absolute path or URL",
            )
            image = None
        elif confined_file(image, abs_path.parent, abs_path.parent, extensions=IMAGES) is None:
            # Resolved (.., symlinks) and confined to the post folder: a cover elsewhere
            # would publish another file's size, or the file itself, as the feed enclosure.
            err(
                "image",
                f"không tìm thấy tệp ảnh '{image}' trong thư mục bài viết "
                "(cần tên tệp ảnh JPG/PNG/WebP nằm cạnh index.md)",
                f"image file '{image}' not found in the post folder "
                "(expected a JPG/PNG/WebP file next to index.md)",
            )
            image = None
        if image and not image_alt:
            err(
                "image_alt",
                "ảnh cần mô tả (image_alt) để người khiếm thị đọc được",
                "an image needs a description (image_alt) for screen readers",
                "warning",
            )

    folder = (
        PurePosixPath(src_uri).parent.name
        if PurePosixPath(src_uri).name == "index.md"
        else PurePosixPath(src_uri).stem
    )
    m = _BUNDLE_RE.match(folder)
    if not m:
        suggestion = f"{date:%Y-%m-%d}-{slugify(title)}" if date and title else "yyyy-mm-dd-ten-bai"
        problems.append(
            problem(
                abs_path,
                None,
                f"tên thư mục '{folder}' nên có dạng yyyy-mm-dd-ten-khong-dau, ví dụ '{suggestion}'",
                f"folder name '{folder}' should look like yyyy-mm-dd-ascii-slug, e.g. '{suggestion}'",
                "warning",
            )
        )
    elif date and f"{m.group(1)}-{m.group(2)}-{m.group(3)}" != f"{date:%Y-%m-%d}":
        err(
            "date",
            f"ngày {date:%d/%m/%Y} khác ngày trong tên thư mục '{folder}'",
            f"date {date:%Y-%m-%d} differs from the folder name '{folder}'",
            "warning",
        )

    post_id = text_field("id") or f"urn:edusite:{unit_id}:{folder}"
    if not _ID_RE.match(post_id) or _SCRIPT_SCHEME_RE.match(post_id):
        err(
            "id",
            f"mã bài viết '{post_id}' chỉ gồm chữ không dấu, số và các dấu : / . _ - "
            "(ví dụ urn:truong:2026-khai-giang)",
            f"post id '{post_id}' may hold only ASCII letters, digits and : / . _ - "
            "(e.g. urn:school:2026-opening)",
        )
    featured = bool_field("featured")
    draft = bool_field("draft")
    summary = text_field("summary")
    author = text_field("author")
    text_field("template")  # MkDocs reads it; checked here for its type and length only
    if any(p.severity == "error" for p in problems) or date is None:
        return None, problems
    post = Post(
        id=post_id,
        title=title,
        date=date,
        src_uri=src_uri,
        url=post_url(src_uri),
        summary=summary,
        image=image,
        image_alt=image_alt,
        categories=cats,
        author=author,
        group=group,
        featured=featured,
        draft=draft,
        abs_path=abs_path,
    )
    return post, problems
