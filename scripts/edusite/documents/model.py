"""Official documents (văn bản): the model, the controlled list of types and the number format.

A document is one Markdown file ``van-ban/<yyyy>/<slug>.md`` (or a bundle folder
``van-ban/<yyyy>/<slug>/index.md`` holding its attachments). This module is pure data: loading
and validation live in :mod:`edusite.documents.load`, pages in :mod:`edusite.documents.pages`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath

from ..errors import EdusiteError, problem
from ..text import TZ, fold, human_size, nfc, slugify
from ..yamlio import load_yaml_file

#: Section folder of documents in a unit's content.
DOCS_DIR = "van-ban"
TYPES_FILE = Path(__file__).with_name("types.yml")

_TOKEN = r"[A-ZĐ][A-ZĐa-z0-9]*"
#: ``number/[year/]TYPE-ISSUER``: 141/KH-BGDĐT, 25/2026/TT-BGDĐT, 1234/SGDĐT-GDPT, 24/2026/NĐ-CP.
SO_HIEU_RE = re.compile(
    rf"^(?P<number>\d+)/(?:(?P<year>\d{{4}})/)?(?P<code>{_TOKEN}(?:-{_TOKEN})+)$"
)
#: Laws carry no TYPE-ISSUER pair: 43/2019/QH14 (number/year/QH<legislature>).
LAW_RE = re.compile(r"^(?P<number>\d+)/(?P<year>\d{4})/(?P<code>QH\d+)$")


@dataclass(frozen=True)
class DocumentType:
    """One entry of the controlled list (``types.yml``)."""

    name: str
    slug: str
    ky_hieu: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """An attached file: a file next to the Markdown source, or an external http(s) link."""

    name: str  # as written in front matter
    url: str  # site-relative ("van-ban/2026/x.pdf") or absolute ("https://…")
    size: int | None = None  # bytes, for local files

    @property
    def external(self) -> bool:
        return "://" in self.url

    @property
    def format(self) -> str:
        """Upper-case extension shown to readers: ``PDF``, ``DOCX`` (``Liên kết`` for pages)."""
        suffix = PurePosixPath(self.name.split("?", 1)[0]).suffix.lstrip(".")
        return suffix.upper() if suffix and len(suffix) <= 5 else "Liên kết"

    @property
    def label(self) -> str:
        """``PDF (120 KB)``: format and size, for download links."""
        if self.size is None:
            return self.format
        return f"{self.format} ({human_size(self.size)})"


@dataclass
class Document:
    """One official document, validated."""

    id: str
    so_hieu: str
    ngay_ban_hanh: date
    co_quan_ban_hanh: str
    loai: DocumentType
    trich_yeu: str
    src_uri: str
    url: str  # site-relative page URL, "van-ban/2026/ke-hoach-truyen-thong/"
    hieu_luc: date | None = None
    linh_vuc: str = ""
    files: list[Attachment] = field(default_factory=list)
    abs_path: Path | None = None

    @property
    def year(self) -> int:
        return self.ngay_ban_hanh.year

    @property
    def issued_at(self) -> datetime:
        """Midnight of the issue date in Vietnam time (feed dates)."""
        return datetime(self.year, self.ngay_ban_hanh.month, self.ngay_ban_hanh.day, tzinfo=TZ)

    def sort_key(self) -> tuple[int, str, str]:
        """Newest first; the same day by number then id, so the order is stable."""
        return (-self.ngay_ban_hanh.toordinal(), fold(self.so_hieu), self.id)


def is_document(src_uri: str) -> bool:
    """True for Markdown files below ``van-ban/<yyyy>/`` (generated pages live elsewhere)."""
    p = PurePosixPath(src_uri)
    return (
        p.suffix == ".md"
        and len(p.parts) >= 3
        and p.parts[0] == DOCS_DIR
        and p.parts[1].isdigit()
        and len(p.parts[1]) == 4
    )


def parse_so_hieu(value: str) -> re.Match[str] | None:
    """Match a document number against the accepted shapes (``None`` when it fits none)."""
    return SO_HIEU_RE.match(value) or LAW_RE.match(value)


@lru_cache(maxsize=4)
def _load_types(path: str) -> tuple[DocumentType, ...]:
    data = load_yaml_file(path) or {}
    rows = data.get("types") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise EdusiteError(
            problem(path, "types", "cần danh sách loại văn bản", "expected a list of types")
        )
    out: list[DocumentType] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not row.get("name"):
            raise EdusiteError(
                problem(path, f"types[{i}]", "cần tên loại (name)", "expected a type name")
            )
        name = nfc(str(row["name"])).strip()
        codes = row.get("ky_hieu") or []
        out.append(
            DocumentType(
                name=name,
                slug=str(row.get("slug") or slugify(name)),
                ky_hieu=tuple(nfc(str(c)) for c in codes),
            )
        )
    return tuple(out)


def load_types(path: Path | None = None) -> tuple[DocumentType, ...]:
    """The controlled list of document types, from ``types.yml`` (or ``path``)."""
    return _load_types(str(path or TYPES_FILE))


def find_type(value: str, types: tuple[DocumentType, ...]) -> DocumentType | None:
    """The type named ``value`` (by name or slug, tones and case ignored)."""
    key = slugify(value)
    for t in types:
        if key in (t.slug, slugify(t.name)):
            return t
    return None
