"""A unit's web-editor configuration (Decap CMS, written as ``config.json``), generated from the network model.

Every collection writes exactly the files ``edusite build`` reads, at the paths it expects, with
widgets that leave no room for what the build would refuse where the model knows the answer:

* **Tin tức** (posts): page bundles ``content/<id>/tin-tuc/<yyyy>/<yyyy-mm-dd>-<slug>/index.md``
  (photos in the same folder); the folder's date is the post's own date as typed (Vietnam time,
  never shifted to UTC); categories and the tổ/đoàn thể are selects from the base
  ``mkdocs.yml`` and the unit's ``groups``; required title; a photo needs its description;
  featured and draft toggles; lengths capped as the build caps them.
* **Văn bản** (documents): ``van-ban/<yyyy>/<số hiệu>/index.md`` with its file beside it; the
  number must match the build's pattern, the type is a select from ``documents/types.yml``.
* **Công khai** (disclosure): one entry per section the unit owes in the current school year,
  from the rules data (``data/disclosure-rules.yml`` + network override), at
  ``cong-khai/<năm học>/<section>.md``, section and school year fixed, required fields as the
  rules demand, attachments in the section's folder.
* **Trang** (pages): the home text, ``gioi-thieu/index.md`` and ``lien-he.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ..structure.network import Network, Unit
from .settings import CmsSettings

#: Post folders ``<yyyy>/<yyyy-mm-dd>-<slug>``: the date as typed (Vietnam time). Decap's own
#: ``{{year}}``/``{{month}}``/``{{day}}`` are UTC (a post written before 7:00 would land under the
#: day before), so the date comes from the field: in ``slug`` through the ``date('…')`` filter;
#: in ``path``, which Decap lower-cases and strips of quotes and dots before use, as the first
#: four characters of the field (``truncate(4)`` gives ``2026...``, whose dots the slug rule
#: then removes).
POST_SLUG = "{{fields.date | date('YYYY-MM-DD')}}-{{slug}}"
POST_PATH = "{{date | truncate(4)}}/{{slug}}/index"
DOCUMENT_SLUG = "{{so_hieu}}"
DOCUMENT_PATH = "{{ngay_ban_hanh | truncate(4)}}/{{slug}}/index"
#: The project's slug rule as far as the CMS can apply it: tones folded (đ→d), lower-case ASCII,
#: anything else a hyphen (edusite.text.slugify; admin.js checks the folder on save).
SLUG = {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"}
DATETIME = {
    "widget": "datetime",
    "date_format": "DD/MM/YYYY",
    "time_format": "HH:mm",
    "format": "YYYY-MM-DD HH:mm",
}
DATE = {
    "widget": "datetime",
    "date_format": "DD/MM/YYYY",
    "time_format": False,
    "format": "YYYY-MM-DD",
}


def _anycase(text: str) -> str:
    """``pdf`` → ``[pP][dD][fF]`` (JavaScript patterns in the CMS take no inline flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in text)


#: The body editor: rich text only (Decap's Markdown switch has no accessible name), and no
#: heading or "+" drop-downs (a button inside a button for screen readers and the keyboard).
MARKDOWN = {
    "widget": "markdown",
    "modes": ["rich_text"],
    "buttons": ["bold", "italic", "link", "quote", "bulleted-list", "numbered-list"],
    "editor_components": [],
    "sanitize_preview": True,
}
IMAGE_EXTENSIONS = "(?:jpe?g|png|webp)"
#: Documents the build accepts as attachments (security/confine.py).
DOCUMENT_EXTENSIONS = "(?:pdf|docx?|xlsx?|pptx?|odt|ods|odp|csv|txt|zip|rar|7z)"
IMAGE_PATTERN = [rf"^[^/\\]+\.{_anycase(IMAGE_EXTENSIONS)}$", "Ảnh JPG, PNG hoặc WebP"]
DOCUMENT_HINT = "Tệp PDF, Word, Excel, PowerPoint, OpenDocument, CSV, TXT hoặc nén (ZIP, RAR, 7z)"
DOCUMENT_PATTERN = [rf"^[^/\\]+\.{_anycase(DOCUMENT_EXTENSIONS)}$", DOCUMENT_HINT]


def _max(n: int, what: str = "ký tự") -> list[str]:
    return [rf"^[\s\S]{{0,{n}}}$", f"Tối đa {n:,} {what}".replace(",", ".")]


def js_pattern(regex: re.Pattern[str]) -> str:
    """A Python pattern as a JavaScript one (named groups unnamed)."""
    return re.sub(r"\(\?P<[A-Za-z_]+>", "(?:", regex.pattern)


def school_year(today: date) -> int:
    """Start year of the school year holding ``today`` (1 September starts a new one, as in
    :mod:`edusite.disclosure.dates`)."""
    return today.year if today.month >= 9 else today.year - 1


def _rel(network: Network, path: Path) -> str:
    try:
        return path.resolve().relative_to(network.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def posts_collection(
    content: str, categories: Mapping[str, str], groups: Iterable[str]
) -> dict[str, Any]:
    groups = list(groups)
    fields: list[dict[str, Any]] = [
        {"name": "title", "label": "Tiêu đề", "widget": "string", "pattern": _max(300)},
        {
            "name": "date",
            "label": "Ngày đăng (giờ Việt Nam)",
            **DATETIME,
            "default": "{{now}}",
            "hint": "Bài có ngày trong tương lai chỉ hiện từ thời điểm đó.",
        },
        {
            "name": "summary",
            "label": "Tóm tắt",
            "widget": "text",
            "required": False,
            "pattern": _max(1000),
            "hint": "Một hai câu cho danh sách tin, tin RSS và khi chia sẻ.",
        },
        {
            "name": "image",
            "label": "Ảnh đại diện",
            "widget": "image",
            "required": False,
            "choose_url": False,
            "pattern": IMAGE_PATTERN,
        },
        {
            "name": "image_alt",
            "label": "Mô tả ảnh",
            "widget": "mo-ta-anh",
            "image_field": "image",
            "required": False,
            "hint": "Bắt buộc khi có ảnh: người khiếm thị nghe được ảnh có gì.",
        },
        {
            "name": "categories",
            "label": "Chuyên mục",
            "widget": "select",
            "multiple": True,
            "required": False,
            "max": 20,
            "options": [{"label": name, "value": slug} for slug, name in categories.items()],
        },
    ]
    if groups:
        fields.append(
            {
                "name": "group",
                "label": "Tổ / đoàn thể",
                "widget": "select",
                "required": False,
                "options": groups,
            }
        )
    fields += [
        {
            "name": "author",
            "label": "Tác giả",
            "widget": "string",
            "required": False,
            "pattern": _max(200),
        },
        {
            "name": "featured",
            "label": "Tin tiêu biểu",
            "widget": "boolean",
            "default": False,
            "required": False,
        },
        {
            "name": "draft",
            "label": "Bản nháp (không đăng)",
            "widget": "boolean",
            "default": False,
            "required": False,
        },
        {"name": "body", "label": "Nội dung", **MARKDOWN},
    ]
    return {
        "name": "tin-tuc",
        "label": "Tin tức",
        "label_singular": "bài viết",
        "description": "Tin bài của đơn vị. Ảnh được lưu cùng thư mục với bài.",
        "folder": f"{content}/tin-tuc",
        "create": True,
        "extension": "md",
        "format": "frontmatter",
        "path": POST_PATH,
        "slug": POST_SLUG,
        "media_folder": "",
        "public_folder": "",
        "summary": "{{fields.date | date('DD/MM/YYYY')}} – {{title}}",
        "sortable_fields": ["date", "title"],
        "view_filters": [
            {"label": "Tin tiêu biểu", "field": "featured", "pattern": True},
            {"label": "Bản nháp", "field": "draft", "pattern": True},
        ],
        "fields": fields,
    }


def documents_collection(
    content: str, unit: Unit, types: Iterable[str], number: str
) -> dict[str, Any]:
    return {
        "name": "van-ban",
        "label": "Văn bản",
        "label_singular": "văn bản",
        "description": "Văn bản của đơn vị: số hiệu, ngày ban hành, trích yếu và tệp đính kèm.",
        "folder": f"{content}/van-ban",
        "create": True,
        "extension": "md",
        "format": "frontmatter",
        "path": DOCUMENT_PATH,
        "slug": DOCUMENT_SLUG,
        "identifier_field": "trich_yeu",
        "media_folder": "",
        "public_folder": "",
        "summary": "{{so_hieu}} – {{trich_yeu}}",
        "sortable_fields": ["ngay_ban_hanh", "so_hieu"],
        "fields": [
            {
                "name": "so_hieu",
                "label": "Số hiệu",
                "widget": "string",
                "pattern": [
                    number,
                    "Dạng số/[năm/]LOẠI-CƠ QUAN, ví dụ 30/TB-THKĐ hoặc 25/2026/TT-BGDĐT",
                ],
            },
            {"name": "ngay_ban_hanh", "label": "Ngày ban hành", **DATE},
            {
                "name": "co_quan_ban_hanh",
                "label": "Cơ quan ban hành",
                "widget": "string",
                "default": unit.name,
                "pattern": _max(300),
            },
            {
                "name": "loai_van_ban",
                "label": "Loại văn bản",
                "widget": "select",
                "options": list(types),
            },
            {"name": "trich_yeu", "label": "Trích yếu", "widget": "text", "pattern": _max(1000)},
            {"name": "hieu_luc", "label": "Ngày có hiệu lực", **DATE, "required": False},
            {
                "name": "linh_vuc",
                "label": "Lĩnh vực",
                "widget": "string",
                "required": False,
                "pattern": _max(200),
            },
            {
                "name": "tep",
                "label": "Tệp văn bản (PDF)",
                "widget": "file",
                "choose_url": False,
                "pattern": DOCUMENT_PATTERN,
            },
            {"name": "body", "label": "Ghi chú", **MARKDOWN, "required": False},
        ],
    }


def section_template(section: Any) -> str | None:
    """Hook for the disclosure section templates (issue 17): a section that carries a Markdown
    ``template`` (its headings and tables to fill in) pre-fills the body of a new page."""
    value = getattr(section, "template", None)
    return value if isinstance(value, str) and value.strip() else None


def disclosure_collection(
    content: str, unit: Unit, rules: Any, start: int
) -> dict[str, Any] | None:
    """One entry per yearly section the unit owes in school year ``start`` (periodic sections,
    one page per week or month, are written in their own folder outside the editor)."""
    if unit.kind not in ("school", "center"):
        return None
    regime = rules.regime_for(start)
    if regime is None:
        return None
    flags = unit.raw.get("disclosure") if isinstance(unit.raw.get("disclosure"), dict) else {}
    label = f"{start}-{start + 1}"
    files = []
    for section in regime.owed(unit.school_levels, flags):
        if section.periodic:
            continue
        required = set(section.required_fields)
        fields: list[dict[str, Any]] = [
            # A page not written yet opens empty (Decap applies no defaults to a missing file of
            # a files collection): admin.js fills every empty field that has a default on save.
            {
                "name": "title",
                "label": "Tiêu đề",
                "widget": "string",
                "required": False,
                "default": f"{section.title} năm học {label}",
                "hint": f"Để trống: “{section.title} năm học {label}”",
                "pattern": _max(300),
            },
            {"name": "section", "label": "Mục", "widget": "hidden", "default": section.slug},
            {"name": "school_year", "label": "Năm học", "widget": "hidden", "default": label},
            {
                "name": "published",
                "label": "Ngày đăng",
                **DATE,
                "required": "published" in required,
            },
            {
                "name": "as_of",
                "label": "Số liệu tính đến ngày",
                **DATE,
                "required": "as_of" in required,
            },
            {"name": "updated", "label": "Ngày cập nhật", **DATE, "required": False},
        ]
        if section.deadline.kind == "annual_report":
            fields.append(
                {
                    "name": "report_year",
                    "label": "Năm báo cáo",
                    "widget": "hidden",
                    "default": section.deadline.report_year(start),
                }
            )
        attach_required = section.content in ("attachment", "both")
        fields.append(
            {
                "name": "attachments",
                "label": "Tệp đính kèm",
                "label_singular": "tệp",
                "widget": "list",
                "required": attach_required,
                "min": 1 if attach_required else 0,
                "fields": [
                    {
                        "name": "file",
                        "label": "Tệp",
                        "widget": "file",
                        "choose_url": False,
                        "pattern": [
                            rf"^{section.slug}/[^/\\]+\.{_anycase(DOCUMENT_EXTENSIONS)}$",
                            DOCUMENT_HINT,
                        ],
                    },
                    {"name": "title", "label": "Tên tệp", "widget": "string", "pattern": _max(300)},
                ],
            }
        )
        body: dict[str, Any] = {
            "name": "body",
            "label": "Nội dung",
            **MARKDOWN,
            "required": section.content in ("body", "both"),
        }
        if (template := section_template(section)) is not None:
            body["default"] = template
        fields.append(body)
        files.append(
            {
                "name": section.slug,
                "label": section.title,
                "file": f"{content}/cong-khai/{label}/{section.slug}.md",
                "media_folder": section.slug,
                "public_folder": section.slug,
                "description": section.description,
                "fields": fields,
            }
        )
    if not files:
        return None
    return {
        "name": "cong-khai",
        "label": f"Công khai {label}",
        "label_singular": "mục công khai",
        "description": f"Các mục công khai năm học {label} theo {regime.basis}.",
        "extension": "md",
        "format": "frontmatter",
        "files": files,
    }


def pages_collection(content: str) -> dict[str, Any]:
    def page(name: str, label: str, file: str) -> dict[str, Any]:
        return {
            "name": name,
            "label": label,
            "file": f"{content}/{file}",
            "fields": [
                {
                    "name": "title",
                    "label": "Tiêu đề",
                    "widget": "string",
                    "required": name != "trang-chu",
                    "pattern": _max(300),
                },
                {"name": "body", "label": "Nội dung", **MARKDOWN},
            ],
        }

    return {
        "name": "trang",
        "label": "Trang",
        "label_singular": "trang",
        "extension": "md",
        "format": "frontmatter",
        "files": [
            page("gioi-thieu", "Giới thiệu", "gioi-thieu/index.md"),
            page("lien-he", "Liên hệ", "lien-he.md"),
        ],
    }


def editor_config(
    network: Network,
    unit: Unit,
    settings: CmsSettings,
    *,
    categories: Mapping[str, str],
    document_types: Iterable[str],
    document_number: str,
    rules: Any,
    today: date,
    local_url: str | None = None,
    local_workflow: bool = False,
) -> dict[str, Any]:
    """The Decap CMS configuration of ``unit`` (a plain mapping, dumped as ``config.json``).

    ``local_url``: the local editing server (``decap-server``'s ``/api/v1``) used instead of
    the git host, for ``edusite serve --editor`` and the tests; it saves straight into the
    working tree (publish mode ``simple``) unless ``local_workflow`` (its git mode: drafts are
    branches of the local repository, publishing merges them)."""
    content = _rel(network, network.content_dir(unit))
    branch = "main"
    mode = settings.publish_mode
    if local_url:
        backend: dict[str, Any] = {"name": "proxy", "proxy_url": local_url, "branch": branch}
        mode = mode if local_workflow else "simple"
    else:
        backend = dict(settings.backend or {})
        if backend.get("name") == "gitea":  # Decap's gitea backend has no editorial workflow
            mode = "simple"
        backend.setdefault("branch", branch)
        backend.setdefault("cms_label_prefix", "cms/")
    backend.setdefault(
        "commit_messages",
        {
            "create": f"{unit.id}: thêm {{{{collection}}}} “{{{{slug}}}}”",
            "update": f"{unit.id}: sửa {{{{collection}}}} “{{{{slug}}}}”",
            "delete": f"{unit.id}: xoá {{{{collection}}}} “{{{{slug}}}}”",
            "uploadMedia": f"{unit.id}: tải lên “{{{{path}}}}”",
            "deleteMedia": f"{unit.id}: xoá tệp “{{{{path}}}}”",
        },
    )
    collections = [posts_collection(content, categories, unit.groups)]
    collections.append(documents_collection(content, unit, document_types, document_number))
    disclosure = disclosure_collection(content, unit, rules, school_year(today))
    if disclosure is not None:
        collections.append(disclosure)
    collections.append(pages_collection(content))
    return {
        "backend": backend,
        "publish_mode": mode,
        "locale": "vi",
        "site_url": unit.site_url,
        "display_url": unit.site_url,
        "media_folder": f"{content}/tep",
        "public_folder": "tep",
        "slug": dict(SLUG),
        "editor": {"preview": False},
        "collections": collections,
    }
