"""The documents feed (``van-ban/feed.xml`` + ``van-ban/atom.xml``) and reading it back.

Written with the writer of :mod:`edusite.core.feeds`, under the same rules (bounded, archived,
valid, reproducible): entries newest first, ``updated`` = the newest document's date, RSS guid =
the document's stable id, Atom id its ``tag:`` URI. Each entry carries
its metadata in Dublin Core (``dc:identifier`` = số hiệu, ``dc:publisher`` = cơ quan ban hành,
``dc:type`` = loại) and its field as a category, so a lower level can list the documents of the
level above (``van-ban/cap-tren/``) from the feed alone.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urljoin

import feedparser

from ..core.feeds import FeedEntry, FeedSettings, FeedSpec, feed_files
from ..text import TZ, format_date, nfc
from .model import DOCS_DIR, Document

log = logging.getLogger(__name__)

RSS_PATH = f"{DOCS_DIR}/feed.xml"
ATOM_PATH = f"{DOCS_DIR}/atom.xml"
TYPE_SCHEME = "urn:edusite:loai-van-ban"
FIELD_SCHEME = "urn:edusite:linh-vuc"
#: Larger feeds are not read (a broken or hostile file must not exhaust memory).
MAX_FEED_BYTES = 10 * 1024 * 1024

_MIME = {
    "PDF": "application/pdf",
    "DOC": "application/msword",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "XLS": "application/vnd.ms-excel",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ZIP": "application/zip",
}


def summary_text(doc: Document) -> str:
    """One line of metadata for feed readers that show only the summary."""
    parts = [
        f"Số hiệu: {doc.so_hieu}",
        f"Loại: {doc.loai.name}",
        f"Ngày ban hành: {format_date(doc.ngay_ban_hanh)}",
        f"Cơ quan ban hành: {doc.co_quan_ban_hanh}",
    ]
    if doc.hieu_luc:
        parts.append(f"Hiệu lực: {format_date(doc.hieu_luc)}")
    if doc.linh_vuc:
        parts.append(f"Lĩnh vực: {doc.linh_vuc}")
    return "; ".join(parts)


def _entries(docs: Sequence[Document], site_url: str) -> list[FeedEntry]:
    out = []
    for doc in docs:
        enclosure = None
        if doc.files:  # RSS allows one enclosure: the first file (all are on the page)
            first = doc.files[0]
            enclosure = (
                urljoin(site_url, first.url),
                first.size or 0,
                _MIME.get(first.format, "application/octet-stream"),
            )
        categories: list[tuple[str, ...]] = [(doc.loai.slug, doc.loai.name, TYPE_SCHEME)]
        if doc.linh_vuc:
            categories.append((doc.linh_vuc, doc.linh_vuc, FIELD_SCHEME))
        out.append(
            FeedEntry(
                id=doc.id,
                title=doc.trich_yeu,
                link=urljoin(site_url, doc.url),
                published=doc.issued_at,
                updated=doc.issued_at,
                summary=summary_text(doc),
                author=doc.co_quan_ban_hanh,
                categories=tuple(categories),
                enclosure=enclosure,
                dc=(
                    ("identifier", doc.so_hieu),
                    ("publisher", doc.co_quan_ban_hanh),
                    ("type", doc.loai.name),
                ),
            )
        )
    return out


def _spec(site_name: str) -> FeedSpec:
    return FeedSpec(f"{site_name} - Văn bản", RSS_PATH, ATOM_PATH, f"{DOCS_DIR}/")


def documents_feed_files(
    docs: Sequence[Document],
    *,
    site_url: str,
    site_name: str,
    settings: FeedSettings | None = None,
    unit_id: str = "",
) -> dict[str, bytes]:
    """Every file of the documents feed (newest :attr:`FeedSettings.items` documents, older ones
    in RFC 5005 archives), ``{site-relative path: bytes}``; ``docs`` sorted newest first."""
    return feed_files(
        _entries(docs, site_url),
        _spec(site_name),
        site_url=site_url,
        description=f"Văn bản chỉ đạo, điều hành của {site_name}",
        settings=settings,
        unit_id=unit_id,
        author=site_name,
    )


def build_documents_feed(
    docs: Sequence[Document], *, site_url: str, site_name: str, unit_id: str = ""
) -> tuple[bytes, bytes]:
    """``(rss_bytes, atom_bytes)`` of all of ``docs`` (already sorted newest first) in one
    document each: what a lower level reads its parents' documents from (never published)."""
    everything = FeedSettings(items=max(1, len(docs)))
    files = documents_feed_files(
        docs, site_url=site_url, site_name=site_name, settings=everything, unit_id=unit_id
    )
    return files[RSS_PATH], files[ATOM_PATH]


@dataclass(frozen=True)
class UpperDocument:
    """A document of a level above, as read from its feed (links absolute)."""

    id: str
    so_hieu: str
    ngay_ban_hanh: date
    trich_yeu: str
    co_quan_ban_hanh: str
    loai: str
    linh_vuc: str
    link: str
    file_url: str | None = None
    file_type: str = ""
    file_size: int | None = None


def _http(url: str | None) -> str | None:
    return url if url and url.startswith(("https://", "http://")) else None


def parse_documents_feed(data: bytes) -> list[UpperDocument]:
    """Documents in a documents feed (RSS or Atom bytes), newest first; junk entries skipped."""
    parsed = feedparser.parse(data)
    out: list[UpperDocument] = []
    for e in parsed.entries:
        link = _http(e.get("link"))
        when = e.get("published_parsed") or e.get("updated_parsed")
        if not link or not when or not e.get("title"):
            continue
        issued = datetime.fromtimestamp(calendar.timegm(when), timezone.utc).astimezone(TZ).date()
        field_name = next(
            (t.get("term", "") for t in e.get("tags", []) if t.get("scheme") == FIELD_SCHEME), ""
        )
        enclosure = next(iter(e.get("enclosures", [])), None)
        size = str(enclosure.get("length", "")) if enclosure else ""
        out.append(
            UpperDocument(
                id=str(e.get("id") or link),
                so_hieu=nfc(str(e.get("dc_identifier", ""))),
                ngay_ban_hanh=issued,
                trich_yeu=nfc(str(e.get("title"))),
                co_quan_ban_hanh=nfc(str(e.get("publisher") or e.get("author") or "")),
                loai=nfc(str(e.get("dc_type", ""))),
                linh_vuc=nfc(str(field_name)),
                link=link,
                file_url=_http(enclosure.get("href")) if enclosure else None,
                file_type=enclosure.get("type", "") if enclosure else "",
                file_size=int(size) if size.isdigit() and int(size) > 0 else None,
            )
        )
    out.sort(key=lambda d: (-d.ngay_ban_hanh.toordinal(), d.so_hieu, d.id))
    return out


def read_documents_feed(path: Path, limit: int = 0) -> list[UpperDocument] | None:
    """The documents in a built feed file; ``None`` when the file is missing or unreadable."""
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            log.warning("%s: tệp quá lớn, bỏ qua / file too large, skipped", path)
            return None
        docs = parse_documents_feed(path.read_bytes())
    except OSError:
        return None
    return docs[:limit] if limit > 0 else docs
