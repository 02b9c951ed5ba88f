"""Disclosure pages on disk: ``cong-khai/<năm học>/<section>.md`` and their front matter.

Yearly sections are one page each; periodic sections (menu, weekly and monthly plans) are one
page per period in a folder named after the section::

    cong-khai/2026-2027/thu-chi-tai-chinh.md
    cong-khai/2026-2027/thu-chi-tai-chinh/du-toan-2026.pdf     (attachments beside the page)
    cong-khai/2026-2027/thuc-don/2026-W48.md                  (period: 2026-W48)

Front matter is validated here, independent of MkDocs; every problem names the file and the
field in Vietnamese and English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import EdusiteError, Problem, problem
from ..security import limits
from ..security.confine import confined_file, stays_inside
from ..security.markup import plain_text
from ..structure import frontmatter
from ..structure.posts import read_source, shown, unreadable
from ..text import human_size, nfc, parse_datetime
from ..yamlio import load_front_matter, split_front_matter
from .attachments import TYPES, Inspection, file_type, inspect
from .dates import Period, parse_period, parse_school_year, school_year_label
from .model import Regime, Section

DISCLOSURE_DIR = "cong-khai"
_YEAR_DIR_RE = re.compile(r"^\d{4}-\d{4}$")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)

#: Fields a disclosure page may carry: name -> (Vietnamese, English) description.
FIELDS: dict[str, tuple[str, str]] = {
    "title": ("tiêu đề (chuỗi)", "title (text)"),
    "section": (
        "mã mục công khai, ví dụ thu-chi-tai-chinh",
        "section slug, e.g. thu-chi-tai-chinh",
    ),
    "school_year": ("năm học dạng 2026-2027", "school year as 2026-2027"),
    "published": ("ngày đăng yyyy-mm-dd", "publication date yyyy-mm-dd"),
    "updated": ("ngày cập nhật yyyy-mm-dd", "update date yyyy-mm-dd"),
    "as_of": ("số liệu tính đến ngày yyyy-mm-dd", "data as-of date yyyy-mm-dd"),
    "period": (
        "kỳ: tháng 2026-11, hoặc tuần 2026-W47 / ngày đầu tuần 2026-11-16",
        "period: month 2026-11, or week 2026-W47 / its start date 2026-11-16",
    ),
    "report_year": (
        "năm của báo cáo thường niên, ví dụ 2025",
        "year of the annual report, e.g. 2025",
    ),
    "attachments": (
        "danh sách tệp đính kèm {file: đường dẫn tương đối, title: tên}",
        "list of attachments {file: relative path, title: name}",
    ),
    "items": (
        "nội dung có trong tệp đính kèm {mã nội dung: tên tệp đính kèm}",
        "items found in an attachment {item id: attached file}",
    ),
    "quyet_toan": (
        "ngày duyệt quyết toán yyyy-mm-dd",
        "date the accounts were approved (quyết toán) yyyy-mm-dd",
    ),
}

#: Longest accepted title (of the page or of an attachment), in characters.
MAX_TITLE = 300
#: Most attachments one page may list.
MAX_ATTACHMENTS = 100
#: Longest attachment path accepted, in characters (a file system allows 255 bytes a name).
MAX_FILE_NAME = 500


@dataclass
class Attachment:
    """One attached file as declared in front matter, with what opening it showed."""

    file: str
    title: str
    path: Path
    exists: bool = False
    size: int | None = None
    type: str = ""
    inspection: Inspection | None = None

    @property
    def readable(self) -> bool:
        """True when the file exists and opened without error."""
        return self.exists and self.inspection is not None and self.inspection.ok

    @property
    def size_text(self) -> str:
        """Human size such as ``245 KB`` (empty when the file is missing)."""
        return human_size(self.size) if self.size is not None else ""


@dataclass
class DisclosurePage:
    """One disclosure page: where it is, what its front matter says, and its body."""

    path: Path
    src_uri: str
    school_year: int
    section: str
    title: str = ""
    published: date | None = None
    updated: date | None = None
    as_of: date | None = None
    period: Period | None = None
    report_year: int | None = None
    attachments: list[Attachment] = field(default_factory=list)
    body: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Line of the file where ``body`` starts (line numbers of findings are the file's).
    body_line: int = 1
    #: Front matter ``items``: item id -> attached file that holds it.
    declared_items: dict[str, str] = field(default_factory=dict)
    #: Other dates the section's rules ask for (``quyet_toan``).
    dates: dict[str, date] = field(default_factory=dict)

    @property
    def has_body(self) -> bool:
        """True when the body holds more than headings, comments and blank lines."""
        text = _COMMENT_RE.sub("", self.body)
        return any(ln.strip() and not ln.lstrip().startswith("#") for ln in text.splitlines())

    @property
    def last_change(self) -> date | None:
        """The update date, or the publication date when never updated."""
        return self.updated or self.published

    @property
    def url(self) -> str:
        """Site-relative URL with directory URLs: ``cong-khai/2026-2027/thuc-don/2026-W48/``."""
        p = PurePosixPath(self.src_uri)
        base = p.parent if p.name == "index.md" else p.with_suffix("")
        return f"{base}/"


def year_folders(docs_dir: Path) -> dict[int, Path]:
    """School-year folders under ``cong-khai/`` by start year; badly named ones are skipped."""
    root = docs_dir / DISCLOSURE_DIR
    out: dict[int, Path] = {}
    if not root.is_dir():
        return out
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and _YEAR_DIR_RE.match(folder.name):
            try:
                out[parse_school_year(folder.name)] = folder
            except ValueError:
                continue
    return out


def expected_year_name(name: str) -> str | None:
    """The school-year folder a misnamed one probably meant: ``2025-26``, ``nam-hoc-2025-2026``,
    ``2025_2026`` → ``2025-2026``; ``None`` when no year can be read."""
    m = re.search(r"((?:19|20)\d{2})(?:\D{0,3}(\d{2,4}))?", name)
    if not m:
        return None
    return school_year_label(int(m.group(1)))


def bad_year_folders(docs_dir: Path) -> list[Problem]:
    """Folders under ``cong-khai/`` that are not a school year (``2025-26``, ``nam-hoc-2024-2025``,
    ``2025-2027``), each with the name expected; their pages are not sections of any year."""
    root = docs_dir / DISCLOSURE_DIR
    problems: list[Problem] = []
    if not root.is_dir():
        return problems
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or not stays_inside(folder, root):
            continue
        try:
            parse_school_year(folder.name)
            continue
        except ValueError:
            pass
        guess = expected_year_name(folder.name)
        hint_vi = f"; đổi tên thành '{guess}'" if guess else ""
        hint_en = f"; rename it '{guess}'" if guess else ""
        problems.append(
            problem(
                folder,
                None,
                f"tên thư mục '{folder.name}' không phải năm học; cần dạng 2026-2027{hint_vi} "
                "(các trang trong thư mục này không được tính là đã công khai)",
                f"folder name '{folder.name}' is not a school year; expected e.g. 2026-2027"
                f"{hint_en} (the pages in it do not count as disclosed)",
            )
        )
    return problems


def page_files(year_dir: Path) -> list[Path]:
    """Markdown pages of one year folder: ``<section>.md`` and ``<section>/<period>.md``."""
    files = [p for p in sorted(year_dir.glob("*.md")) if p.name != "index.md"]
    files += [p for p in sorted(year_dir.glob("*/*.md")) if p.name != "index.md"]
    return [p for p in files if stays_inside(p, year_dir)]  # a link out is never read


def load_page(path: Path, docs_dir: Path, start: int, regime: Regime) -> DisclosurePage:
    """Read and validate one page of school year ``start`` under ``regime``.

    Never raises: a file that cannot be read (not UTF-8, hostile YAML) or any other failure
    is an error of the page naming the file, so ``edusite check`` reports it as a finding and a
    portal's dashboard shows it.
    """
    src_uri = path.relative_to(docs_dir).as_posix()
    nested = path.parent.name != school_year_label(start)
    expected_slug = path.parent.name if nested else path.stem
    try:
        return _load_page(path, src_uri, nested, expected_slug, start, regime)
    except Exception as exc:  # noqa: BLE001 - one file's failure must stay that file's
        return DisclosurePage(
            path=path,
            src_uri=src_uri,
            school_year=start,
            section=expected_slug,
            problems=[unreadable(path, exc, ("trang công khai", "disclosure page"))],
        )


def _load_page(
    path: Path, src_uri: str, nested: bool, expected_slug: str, start: int, regime: Regime
) -> DisclosurePage:
    page = DisclosurePage(path=path, src_uri=src_uri, school_year=start, section=expected_slug)

    def err(key: str | None, vi: str, en: str, severity: str = "error") -> None:
        page.problems.append(problem(path, key, vi, en, severity))

    too_big = limits.too_large(path)
    if too_big is not None:  # never read: the build refuses it the same way
        page.problems.append(too_big)
        return page
    try:
        text = read_source(path)
    except EdusiteError as exc:
        page.problems.extend(exc.problems)
        return page
    capped = limits.check_markdown(text, path)
    if capped:  # the build refuses the page: nothing of it is published, or scanned
        page.problems.extend(capped)
        return page
    raw, page.body = split_front_matter(text)
    page.body_line = text[: len(text) - len(page.body)].count("\n") + 1 if page.body else 1
    meta: Any = {}
    if raw is None:
        err(
            None,
            "thiếu front matter giữa hai dòng ---",
            "missing front matter between two --- lines",
        )
    else:
        try:
            meta = load_front_matter(raw, path) or {}
        except EdusiteError as exc:
            page.problems.extend(exc.problems)
            meta = {}
        if not isinstance(meta, dict):
            err(None, "front matter phải là bảng YAML", "front matter must be a YAML mapping")
            meta = {}
    page.meta = meta

    slug = meta.get("section")
    if slug is not None and not isinstance(slug, str):
        err(
            "section",
            f"cần {FIELDS['section'][0]}, không phải '{shown(slug)}'",
            f"expected a {FIELDS['section'][1]}, not '{shown(slug)}'",
        )
        slug = expected_slug
    section = regime.section(str(slug)) if slug is not None else None
    if slug is None:
        err("section", f"bắt buộc: {FIELDS['section'][0]}", f"required: {FIELDS['section'][1]}")
    elif section is None:
        names = ", ".join(s.slug for s in regime.sections)
        err(
            "section",
            f"mục '{slug}' không có trong {regime.basis}; dùng một trong: {names}",
            f"section '{slug}' is not part of {regime.basis}; expected one of: {names}",
        )
    elif slug != expected_slug:
        where = "thư mục" if nested else "tên tệp"
        where_en = "folder" if nested else "file name"
        err(
            "section",
            f"mục '{slug}' khác {where} '{expected_slug}'",
            f"section '{slug}' differs from the {where_en} '{expected_slug}'",
        )
    if section is None:
        section = regime.section(expected_slug)
    if section is not None and section.periodic != nested:
        if section.periodic:
            err(
                "section",
                f"mục định kỳ '{section.slug}': mỗi kỳ một trang trong thư mục {section.slug}/",
                f"periodic section '{section.slug}': one page per period in the folder {section.slug}/",
            )
        else:
            err(
                "section",
                f"mục '{section.slug}' là một trang {section.slug}.md ngay trong thư mục năm học",
                f"section '{section.slug}' is one page {section.slug}.md in the school-year folder",
            )

    year = meta.get("school_year")
    if year is not None and not isinstance(year, str):
        err(
            "school_year",
            f"cần {FIELDS['school_year'][0]}, không phải '{shown(year)}'",
            f"expected a {FIELDS['school_year'][1]}, not '{shown(year)}'",
        )
    elif year is None:
        err(
            "school_year",
            f"bắt buộc: {FIELDS['school_year'][0]}",
            f"required: {FIELDS['school_year'][1]}",
        )
    elif str(year).strip() != school_year_label(start):
        err(
            "school_year",
            f"năm học '{year}' khác thư mục '{school_year_label(start)}'",
            f"school year '{year}' differs from the folder '{school_year_label(start)}'",
        )

    page.title = frontmatter.text_field(
        meta,
        "title",
        FIELDS["title"],
        err,
        required="title" in meta,  # optional, but not blank when given
        limit=MAX_TITLE,
        plain=True,
    )

    page.published = _date_field(meta, "published", err)
    page.updated = _date_field(meta, "updated", err)
    page.as_of = _date_field(meta, "as_of", err)
    if page.published and page.updated and page.updated < page.published:
        err(
            "updated",
            f"ngày cập nhật {page.updated:%d/%m/%Y} trước ngày đăng {page.published:%d/%m/%Y}",
            f"update date {page.updated:%Y-%m-%d} is before the publication date {page.published:%Y-%m-%d}",
        )
    if page.as_of and page.last_change and page.as_of > page.last_change:
        err(
            "as_of",
            f"số liệu tính đến {page.as_of:%d/%m/%Y}, sau ngày đăng/cập nhật {page.last_change:%d/%m/%Y}",
            f"data as of {page.as_of:%Y-%m-%d} is later than the publication/update {page.last_change:%Y-%m-%d}",
        )

    if section is not None:
        _section_fields(page, section, meta, start, err)
    page.attachments = _attachments(meta.get("attachments"), path, err)
    page.declared_items = _declared_items(meta.get("items"), page, section, err)
    return page


def _declared_items(
    value: Any, page: DisclosurePage, section: Section | None, err: Any
) -> dict[str, str]:
    """Front matter ``items: {<item id>: <attached file>}``, checked against the section and
    the page's attachments."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        err("items", f"cần {FIELDS['items'][0]}", f"expected {FIELDS['items'][1]}")
        return {}
    known = {i.id for i in section.items} if section is not None else set()
    files = {a.file for a in page.attachments}
    out: dict[str, str] = {}
    for key, file in value.items():
        if str(key) not in known:
            names = ", ".join(sorted(known)) or "—"
            err(
                f"items.{key}",
                f"mục '{page.section}' không có nội dung '{shown(key)}'; dùng một trong: {names}",
                f"section '{page.section}' has no item '{shown(key)}'; expected one of: {names}",
            )
        elif not isinstance(file, str) or file.strip() not in files:
            err(
                f"items.{key}",
                f"'{shown(file)}' không có trong attachments của trang",
                f"'{shown(file)}' is not one of the page's attachments",
            )
        else:
            out[str(key)] = file.strip()
    return out


def _date_field(meta: dict[str, Any], key: str, err: Any) -> date | None:
    value = meta.get(key)
    if value is None:
        return None
    try:
        if isinstance(value, (bool, int, float)):
            raise ValueError(value)
        return parse_datetime(value).date()
    except ValueError:  # the only exception parse_datetime raises
        err(
            key,
            f"ngày '{shown(value)}' không hợp lệ; cần {FIELDS[key][0]}",
            f"invalid date '{shown(value)}'; expected {FIELDS[key][1]}",
        )
        return None


def _section_fields(
    page: DisclosurePage, section: Section, meta: dict[str, Any], start: int, err: Any
) -> None:
    """Fields the rules demand for this section, the period and the annual report's year."""
    for name in section.required_fields:
        value = meta.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            vi, en = FIELDS.get(name, (name, name))
            err(
                name,
                f"bắt buộc với mục '{section.slug}': {vi}",
                f"required for section '{section.slug}': {en}",
            )
    raw_period = meta.get("period")
    if section.periodic and raw_period is not None:
        try:
            page.period = parse_period(section.deadline.kind, raw_period)
        except ValueError:
            example = "2026-11" if section.deadline.kind == "monthly" else "2026-W47"
            err(
                "period",
                f"kỳ '{shown(raw_period)}' không hợp lệ; cần dạng {example}",
                f"invalid period '{shown(raw_period)}'; expected e.g. {example}",
            )
        if page.period and page.period.school_year != start:
            err(
                "period",
                f"kỳ {page.period.label} không thuộc năm học {school_year_label(start)}",
                f"period {page.period.label} is not in school year {school_year_label(start)}",
            )
    elif raw_period is not None:
        err(
            "period",
            f"chỉ dùng cho mục định kỳ; mục '{section.slug}' công khai theo năm học",
            f"only for periodic sections; section '{section.slug}' is yearly",
        )
    if section.finalization is not None:
        name = section.finalization.field
        if meta.get(name) is not None:
            try:
                value = meta[name]
                if isinstance(value, (bool, int, float)):
                    raise ValueError(value)
                page.dates[name] = parse_datetime(value).date()
            except ValueError:
                vi, en = FIELDS.get(name, (name, name))
                err(
                    name,
                    f"ngày '{shown(meta[name])}' không hợp lệ; cần {vi}",
                    f"invalid date '{shown(meta[name])}'; expected {en}",
                )
    report_year = meta.get("report_year")
    if report_year is not None:
        expected = section.deadline.report_year(start)
        if section.deadline.kind != "annual_report":
            err(
                "report_year",
                "chỉ dùng cho báo cáo thường niên",
                "only for the annual report",
            )
        elif report_year != expected:
            err(
                "report_year",
                f"thư mục năm học {school_year_label(start)} chứa báo cáo thường niên năm {expected}, không phải '{shown(report_year)}'",
                f"the {school_year_label(start)} folder holds the annual report of {expected}, not '{shown(report_year)}'",
            )
        else:
            page.report_year = expected


def _attachments(value: Any, page_path: Path, err: Any) -> list[Attachment]:
    if value is None:
        return []
    if not isinstance(value, list):
        err(
            "attachments",
            f"cần {FIELDS['attachments'][0]}",
            f"expected a {FIELDS['attachments'][1]}",
        )
        return []
    if len(value) > MAX_ATTACHMENTS:
        err(
            "attachments",
            f"quá nhiều tệp đính kèm: {len(value)}, tối đa {MAX_ATTACHMENTS}",
            f"too many attachments: {len(value)}, at most {MAX_ATTACHMENTS}",
        )
        return []
    out: list[Attachment] = []
    supported = ", ".join(label for label, _ in TYPES.values())
    for i, item in enumerate(value):
        key = f"attachments[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            err(
                key,
                "cần dạng {file: tên tệp, title: tên hiển thị}",
                "expected {file: name, title: label}",
            )
            continue
        name = item["file"].strip()
        if len(name) > MAX_FILE_NAME:
            err(
                f"{key}.file",
                f"'{shown(name)}': tên tệp quá dài ({len(name):,} ký tự, tối đa {MAX_FILE_NAME})",
                f"'{shown(name)}': file name too long ({len(name):,} characters, at most {MAX_FILE_NAME})",
            )
            continue
        rel = PurePosixPath(name)
        if "://" in name or rel.is_absolute() or ".." in rel.parts or not name:
            err(
                f"{key}.file",
                f"'{name}': tệp phải nằm cạnh trang hoặc trong thư mục con (đường dẫn tương đối, không có ..)",
                f"'{name}': the file must sit beside the page or in a sub-folder (relative path, no ..)",
            )
            continue
        kind = file_type(name)
        if kind is None:
            err(
                f"{key}.file",
                f"'{name}': loại tệp không được hỗ trợ; dùng {supported}",
                f"'{name}': unsupported file type; use {supported}",
            )
            continue
        title = item.get("title")
        if title is not None and (
            not isinstance(title, (str, int, float)) or len(str(title)) > MAX_TITLE
        ):
            err(
                f"{key}.title",
                f"cần tên hiển thị (chuỗi, tối đa {MAX_TITLE} ký tự)",
                f"expected a label (text, at most {MAX_TITLE} characters)",
            )
            title = None
        path = page_path.parent / rel
        att = Attachment(
            file=name,
            title=plain_text(nfc(str(title) if title else rel.stem)),  # a name is text too
            path=path,
            type=kind,
        )
        unit_dir = next((p.parent for p in page_path.parents if p.name == DISCLOSURE_DIR), None)
        boundary = unit_dir or page_path.parent
        if path.exists() and confined_file(name, page_path.parent, boundary) is None:
            # Through a symbolic link out of the unit's folder: never read (the build refuses
            # the link by name; `edusite check` says so here).
            err(
                f"{key}.file",
                f"'{name}': liên kết tượng trưng trỏ ra ngoài thư mục của đơn vị",
                f"'{name}': a symbolic link pointing outside the unit's folder",
            )
        elif path.is_file():
            att.exists = True
            att.size = path.stat().st_size
            att.inspection = inspect(path)
        out.append(att)
    return out


def load_year(year_dir: Path, docs_dir: Path, start: int, regime: Regime) -> list[DisclosurePage]:
    """Every page of one school-year folder, validated against ``regime``."""
    return [load_page(p, docs_dir, start, regime) for p in page_files(year_dir)]
