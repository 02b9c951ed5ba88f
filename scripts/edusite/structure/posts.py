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
from ..text import nfc, parse_datetime, slugify
from ..yamlio import load_yaml, split_front_matter

NEWS_DIR = "tin-tuc"
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
        The post (or ``None`` when an error makes it unusable) and every problem found.
    """
    text = nfc(abs_path.read_text(encoding="utf-8-sig"))
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
        meta = load_yaml(raw, abs_path) or {}
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
        value = meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                err(key, f"bắt buộc: {FIELDS[key][0]}", f"required: {FIELDS[key][1]}")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            err(key, f"cần {FIELDS[key][0]}", f"expected {FIELDS[key][1]}")
            return ""
        return nfc(str(value)).strip()

    def bool_field(key: str) -> bool:
        value = meta.get(key, False)
        if not isinstance(value, bool):
            err(
                key,
                f"cần true hoặc false, nhận được '{value}'",
                f"expected true or false, got '{value}'",
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
        except (ValueError, OverflowError):
            err(
                "date",
                f"ngày '{date_value}' không hợp lệ; cần {FIELDS['date'][0]}",
                f"invalid date '{date_value}'; expected {FIELDS['date'][1]}",
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
    by_slug = _category_names(tuple(categories.items()))
    for value in raw_cats:
        key = slugify(str(value))
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
        elif not (abs_path.parent / image).is_file():
            err(
                "image",
                f"không tìm thấy tệp ảnh '{image}' trong thư mục bài viết",
                f"image file '{image}' not found in the post folder",
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
    featured = bool_field("featured")
    draft = bool_field("draft")
    if any(p.severity == "error" for p in problems) or date is None:
        return None, problems
    post = Post(
        id=post_id,
        title=title,
        date=date,
        src_uri=src_uri,
        url=post_url(src_uri),
        summary=text_field("summary"),
        image=image,
        image_alt=image_alt,
        categories=cats,
        author=text_field("author"),
        group=group,
        featured=featured,
        draft=draft,
        abs_path=abs_path,
    )
    return post, problems
