"""Reading and validating documents' front matter, independent of MkDocs.

Imitates :mod:`edusite.structure.posts`: every problem names the file and the field, Vietnamese
first and English second; one file's errors never hide another's.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import EdusiteError, Problem, problem
from ..security.urls import WEB, safe_url
from ..structure import frontmatter
from ..structure.posts import post_url, read_source, shown, unreadable
from ..text import nfc, parse_datetime
from ..yamlio import load_front_matter, split_front_matter
from .model import DOCS_DIR, Attachment, Document, DocumentType, find_type, parse_so_hieu

#: front-matter key -> (Vietnamese description, English description)
FIELDS: dict[str, tuple[str, str]] = {
    "so_hieu": (
        "số hiệu dạng số/[năm/]LOẠI-CƠ QUAN, ví dụ 141/KH-BGDĐT hoặc 25/2026/TT-BGDĐT",
        "number shaped number/[year/]TYPE-ISSUER, e.g. 141/KH-BGDĐT or 25/2026/TT-BGDĐT",
    ),
    "ngay_ban_hanh": (
        "ngày ban hành dạng yyyy-mm-dd hoặc dd/mm/yyyy",
        "date of issue as yyyy-mm-dd or dd/mm/yyyy",
    ),
    "co_quan_ban_hanh": ("cơ quan ban hành (chuỗi)", "issuing body (text)"),
    "loai_van_ban": ("loại văn bản trong danh sách", "document type from the list"),
    "trich_yeu": ("trích yếu nội dung (chuỗi, là tiêu đề trang)", "summary (text, the page title)"),
    "hieu_luc": (
        "ngày có hiệu lực dạng yyyy-mm-dd hoặc dd/mm/yyyy (không bắt buộc)",
        "date of effect as yyyy-mm-dd or dd/mm/yyyy (optional)",
    ),
    "linh_vuc": ("lĩnh vực, ví dụ Giáo dục phổ thông", "field, e.g. Giáo dục phổ thông"),
    "tep": (
        "tệp đính kèm: tên tệp trong cùng thư mục hoặc liên kết https://, một hoặc danh sách",
        "attached files: names in the same folder or https:// links, one or a list",
    ),
    "files": ("như 'tep'", "same as 'tep'"),
    "id": ("mã văn bản cố định (chuỗi)", "stable document id (text)"),
    "title": ("tiêu đề trang (mặc định là trích yếu)", "page title (default: the summary)"),
    "description": ("mô tả cho máy tìm kiếm", "description for search engines"),
    "template": ("mẫu trang", "page template"),
}

#: Longest accepted text of a field, in characters (longer is an error naming the field).
MAX_LENGTHS: dict[str, int] = {
    "so_hieu": 100,
    "co_quan_ban_hanh": 300,
    "loai_van_ban": 100,
    "trich_yeu": 1000,
    "linh_vuc": 200,
    "id": 300,
    "title": 300,
    "description": 1000,
    "template": 100,
}
#: Most attached files one document may list.
MAX_FILES = 50


def load_document(
    abs_path: Path, src_uri: str, *, unit_id: str, types: Sequence[DocumentType]
) -> tuple[Document | None, list[Problem]]:
    """Read and validate one document file.

    Arguments:
        abs_path: the Markdown file on disk (attachments are looked up beside it).
        src_uri: its path relative to the docs folder (``van-ban/2026/ke-hoach-x.md``).
        unit_id: the owning unit, used for the fallback id.
        types: the controlled list of document types.

    Returns:
        The document (or ``None`` when an error makes it unusable) and every problem found.
        Never raises: an unreadable file (not UTF-8, hostile YAML) or any other failure is an
        error naming the file, so the children reading their parents' documents go on.
    """
    try:
        return _load_document(abs_path, src_uri, unit_id=unit_id, types=types)
    except Exception as exc:  # noqa: BLE001 - one file's failure must stay that file's
        return None, [unreadable(abs_path, exc, ("văn bản", "document"))]


def _load_document(
    abs_path: Path, src_uri: str, *, unit_id: str, types: Sequence[DocumentType]
) -> tuple[Document | None, list[Problem]]:
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
                "thiếu phần thông tin văn bản (front matter) giữa hai dòng ---",
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
                abs_path, None, "front matter phải là bảng YAML", "front matter must be a mapping"
            )
        ]
    return validate_document_meta(meta, abs_path, src_uri, unit_id=unit_id, types=types)


def validate_document_meta(
    meta: dict[str, Any],
    abs_path: Path,
    src_uri: str,
    *,
    unit_id: str,
    types: Sequence[DocumentType],
) -> tuple[Document | None, list[Problem]]:
    """Validate front matter already parsed into ``meta`` (see :func:`load_document`)."""
    problems: list[Problem] = []

    def err(key: str | None, vi: str, en: str, severity: str = "error") -> None:
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
            plain=True,  # every document field is text by definition
            collapse=True,
        )

    def date_field(key: str, required: bool = False) -> date | None:
        value = meta.get(key)
        if value is None or value == "":
            if required:
                err(key, f"bắt buộc: {FIELDS[key][0]}", f"required: {FIELDS[key][1]}")
            return None
        try:
            return parse_datetime(value).date()
        except ValueError:  # the only exception parse_datetime raises
            err(
                key,
                f"ngày '{shown(value)}' không hợp lệ; cần {FIELDS[key][0]}",
                f"invalid date '{shown(value)}'; expected {FIELDS[key][1]}",
            )
            return None

    so_hieu = text_field("so_hieu", required=True).replace(" ", "")
    match = parse_so_hieu(so_hieu) if so_hieu else None
    if so_hieu and match is None:
        err(
            "so_hieu",
            f"số hiệu '{so_hieu}' không đúng dạng; cần {FIELDS['so_hieu'][0]}",
            f"number '{so_hieu}' is malformed; expected {FIELDS['so_hieu'][1]}",
        )
    issued = date_field("ngay_ban_hanh", required=True)
    effective = date_field("hieu_luc")
    issuer = text_field("co_quan_ban_hanh", required=True)
    summary = text_field("trich_yeu", required=True)
    field_name = text_field("linh_vuc")

    doc_type: DocumentType | None = None
    type_value = text_field("loai_van_ban", required=True)
    names = ", ".join(t.name for t in types)
    if type_value:
        doc_type = find_type(type_value, tuple(types))
        if doc_type is None:
            err(
                "loai_van_ban",
                f"loại văn bản '{type_value}' không có trong danh sách; chọn trong: {names}",
                f"unknown document type '{type_value}'; expected one of: {names}",
            )

    if match and doc_type and doc_type.ky_hieu:
        code = match.group("code").split("-", 1)[0]
        if code not in doc_type.ky_hieu:
            err(
                "so_hieu",
                f"số hiệu '{so_hieu}' có ký hiệu '{code}', khác ký hiệu của "
                f"{doc_type.name} ({', '.join(doc_type.ky_hieu)})",
                f"number '{so_hieu}' has the abbreviation '{code}', not that of "
                f"{doc_type.name} ({', '.join(doc_type.ky_hieu)})",
                "warning",
            )
    if match and issued and match.group("year") and int(match.group("year")) != issued.year:
        err(
            "so_hieu",
            f"năm trong số hiệu '{so_hieu}' khác năm ban hành {issued.year}",
            f"the year in number '{so_hieu}' differs from the year of issue {issued.year}",
            "warning",
        )
    if issued and effective and effective < issued:
        err(
            "hieu_luc",
            f"ngày hiệu lực {effective:%d/%m/%Y} trước ngày ban hành {issued:%d/%m/%Y}",
            f"date of effect {effective:%Y-%m-%d} is before the date of issue {issued:%Y-%m-%d}",
            "warning",
        )
    folder_year = PurePosixPath(src_uri).parts[1]
    if issued and folder_year != str(issued.year):
        err(
            "ngay_ban_hanh",
            f"văn bản ban hành năm {issued.year} nhưng nằm trong thư mục {DOCS_DIR}/{folder_year}/",
            f"issued in {issued.year} but filed under {DOCS_DIR}/{folder_year}/",
            "warning",
        )

    files = _attachments(meta, abs_path, src_uri, err)
    doc_id = text_field("id") or f"urn:edusite:{unit_id}:{DOCS_DIR}:{_stem(src_uri)}"
    for key in ("title", "description", "template"):  # read by MkDocs: type and length only
        text_field(key)
    if any(p.severity == "error" for p in problems) or not (
        issued and doc_type and so_hieu and summary and issuer
    ):
        return None, problems
    return Document(
        id=doc_id,
        so_hieu=so_hieu,
        ngay_ban_hanh=issued,
        co_quan_ban_hanh=issuer,
        loai=doc_type,
        trich_yeu=summary,
        src_uri=src_uri,
        url=post_url(src_uri),
        hieu_luc=effective,
        linh_vuc=field_name,
        files=files,
        abs_path=abs_path,
    ), problems


def _stem(src_uri: str) -> str:
    """``2026/ke-hoach-x`` for ``van-ban/2026/ke-hoach-x.md`` or ``…/ke-hoach-x/index.md``."""
    p = PurePosixPath(src_uri)
    p = p.parent if p.name in ("index.md", "README.md") else p.with_suffix("")
    return "/".join(p.parts[1:])


def _attachments(meta: dict[str, Any], abs_path: Path, src_uri: str, err: Any) -> list[Attachment]:
    """Validate ``tep`` / ``files``: local files must exist below the document's folder."""
    if "tep" in meta and "files" in meta:
        err(
            "files",
            "chỉ dùng một trong hai trường 'tep' hoặc 'files'",
            "use only one of the fields 'tep' or 'files'",
        )
        return []
    key = "files" if "files" in meta else "tep"
    value = meta.get(key)
    if value is None or value == [] or value == "":
        err(
            key,
            "văn bản chưa có tệp đính kèm",
            "the document has no attached file",
            "warning",
        )
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        err(key, f"cần {FIELDS['tep'][0]}", f"expected {FIELDS['tep'][1]}")
        return []
    if len(values) > MAX_FILES or any(len(v) > 2000 for v in values):
        err(
            key,
            f"tối đa {MAX_FILES} tệp, mỗi tên hoặc liên kết tối đa 2.000 ký tự",
            f"at most {MAX_FILES} files, each name or link at most 2,000 characters",
        )
        return []
    folder = posixpath.dirname(src_uri)
    out: list[Attachment] = []
    for raw in values:
        name = nfc(raw.strip())
        if name.startswith(("https://", "http://")):
            link = safe_url(name, schemes=WEB, relative=False)
            if link is None:
                err(
                    key,
                    f"liên kết '{shown(name)}' không hợp lệ",
                    f"the link '{shown(name)}' is not a valid http(s) address",
                )
            else:  # percent-encoded: nothing in it can end an attribute or a feed field
                out.append(Attachment(name=link, url=link))
            continue
        if "://" in name or name.startswith("/") or ".." in PurePosixPath(name).parts:
            err(
                key,
                f"'{name}' phải là tên tệp trong thư mục của văn bản hoặc liên kết https://",
                f"'{name}' must be a file in the document's folder or an https:// link",
            )
            continue
        path = abs_path.parent / name
        if not path.is_file():
            err(
                key,
                f"không tìm thấy tệp đính kèm '{name}' cạnh {abs_path.name}",
                f"attached file '{name}' not found next to {abs_path.name}",
            )
            continue
        out.append(
            Attachment(name=name, url=posixpath.join(folder, name), size=path.stat().st_size)
        )
    return out


def check_duplicates(docs: Sequence[Document]) -> tuple[list[Document], list[Problem]]:
    """Find documents of one unit sharing a number or an id.

    Returns the documents to keep (the first by path of each clash) and one error per later
    file, naming both files.
    """
    problems: list[Problem] = []
    kept: list[Document] = []
    by_number: dict[str, Document] = {}
    by_id: dict[str, Document] = {}
    for doc in sorted(docs, key=lambda d: d.src_uri):
        where = doc.abs_path or doc.src_uri
        first_number = by_number.setdefault(doc.so_hieu.casefold(), doc)
        first_id = by_id.setdefault(doc.id, doc)
        if first_number is not doc:
            problems.append(
                problem(
                    where,
                    "so_hieu",
                    f"số hiệu '{doc.so_hieu}' bị trùng với {first_number.src_uri}",
                    f"duplicate number '{doc.so_hieu}', also used by {first_number.src_uri}",
                )
            )
        if first_id is not doc:
            problems.append(
                problem(
                    where,
                    "id",
                    f"mã văn bản '{doc.id}' bị trùng với {first_id.src_uri}",
                    f"duplicate document id '{doc.id}', also used by {first_id.src_uri}",
                )
            )
        if first_number is doc and first_id is doc:
            kept.append(doc)
    return kept, problems


def load_documents(
    sources: Sequence[tuple[str, Path]], *, unit_id: str, types: Sequence[DocumentType]
) -> tuple[list[Document], list[Problem]]:
    """Load every document among ``(src_uri, abs_path)``, newest first, with all problems.

    Of duplicates (same number or id) the first file by path is kept; the others are errors.
    """
    docs: list[Document] = []
    problems: list[Problem] = []
    for src_uri, abs_path in sorted(sources):
        doc, found = load_document(abs_path, src_uri, unit_id=unit_id, types=types)
        problems.extend(found)
        if doc is not None:
            docs.append(doc)
    kept, dupes = check_duplicates(docs)
    problems.extend(dupes)
    return sorted(kept, key=lambda d: d.sort_key()), problems
