"""Turning feed bytes into sanitised :class:`RollupItem` objects.

Documents are checked before feedparser sees them: over the size cap, or declaring a DOCTYPE or
ENTITY (billion laughs, XXE), they are rejected after scanning at most the prolog. feedparser is
then always given bytes (``io.BytesIO``), never a string it could take for a URL or a path, with
its own sanitiser and URL resolution off: :mod:`.sanitize` does both, the same way for every feed.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import feedparser

from ..errors import Problem
from ..text import nfc, parse_datetime, to_local
from . import sanitize as S
from .model import RollupItem, Source

#: Largest document accepted (bytes), local or remote.
MAX_DOCUMENT = 5 * 1024 * 1024
#: Entries read from one document (in document order; feeds list newest first by convention).
MAX_ENTRIES = 500
#: Items kept from one feed after sorting newest first.
MAX_FEED_ITEMS = 200
#: How much of the document the prolog scan may look at.
PROLOG_SCAN = 64 * 1024
NO_TITLE = "(Không có tiêu đề)"

_EMAIL_NAME_RE = re.compile(r"^\S+@\S+\s*\((.+)\)$")
_EMAIL_RE = re.compile(r"^\S+@\S+\.\S+$")


class FeedError(Exception):
    """A feed could not be used; carries the reason in Vietnamese and English."""

    def __init__(self, vi: str, en: str, http_status: int | None = None) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.http_status = http_status


@dataclass
class ParsedFeed:
    """Items of one document, newest first, plus what the parse had to warn about."""

    items: list[RollupItem]
    warnings: list[Problem] = field(default_factory=list)
    site_link: str = ""  # the channel's own home page link, if http(s)


def _prolog_text(data: bytes) -> str:
    """The start of ``data`` as text, enough to read the prolog's markup characters."""
    head = data[:PROLOG_SCAN]
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(enc, errors="replace")
    if head.startswith(b"<\x00\x00\x00"):
        return head.decode("utf-32-le", errors="replace")
    if head.startswith(b"\x00\x00\x00<"):
        return head.decode("utf-32-be", errors="replace")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="replace")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="replace")
    # Every other encoding we accept keeps ASCII markup characters as single bytes.
    return head.decode("latin-1")


def check_document(data: bytes, max_bytes: int = MAX_DOCUMENT) -> None:
    """Raise :class:`FeedError` unless ``data`` is a reasonably sized XML document without a DTD.

    Only the prolog (XML declaration, comments, processing instructions) is scanned, so the check
    costs at most :data:`PROLOG_SCAN` characters whatever the document holds.
    """
    if len(data) > max_bytes:
        raise FeedError(
            f"tệp quá lớn ({len(data):,} byte; tối đa {max_bytes:,})",
            f"document too large ({len(data):,} bytes; limit {max_bytes:,})",
        )
    text = _prolog_text(data)
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("<?", i):
            end = text.find("?>", i + 2)
            if end < 0:
                break
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                break
            i = end + 3
        elif text.startswith("<!", i):
            raise FeedError(
                "tài liệu có khai báo DOCTYPE/ENTITY (bị từ chối để chống tấn công mở rộng thực thể)",
                "document has a DOCTYPE/ENTITY declaration (rejected: entity expansion, XXE)",
            )
        elif text[i] == "<":
            return
        else:
            raise FeedError("không phải tài liệu XML", "not an XML document")
    raise FeedError("không tìm thấy phần tử gốc của XML", "no XML root element found")


def parse_document(
    data: bytes,
    source: Source,
    *,
    doc_url: str,
    content_type: str,
    now: datetime,
    max_bytes: int = MAX_DOCUMENT,
) -> ParsedFeed:
    """Check and parse one RSS/Atom document; raise :class:`FeedError` if it is unusable.

    ``doc_url`` is the document's address: item links, enclosures and the channel link resolve
    against it, an item's HTML against the item's link (or an explicit ``xml:base``).
    ``content_type`` is the HTTP header (it may name the encoding).
    """
    check_document(data, max_bytes)
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": content_type, "content-location": doc_url},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(exc, feedparser.ThingsNobodyCaresAboutButMe):
        raise FeedError(f"XML không hợp lệ: {exc}", f"malformed XML: {exc}")
    if not parsed.get("version"):
        raise FeedError("không phải nguồn tin RSS hoặc Atom", "not an RSS or Atom feed")
    site_link = S.absolute_url(str(parsed.feed.get("link") or ""), doc_url) or ""
    out = ParsedFeed(items=[], site_link=site_link)
    for index, entry in enumerate(parsed.entries[:MAX_ENTRIES]):
        item = _item(entry, index, source, doc_url, site_link, now, out.warnings)
        out.items.append(item)
    if len(parsed.entries) > MAX_ENTRIES:
        out.warnings.append(
            _warn(
                source,
                None,
                f"nguồn tin có {len(parsed.entries)} bài; chỉ đọc {MAX_ENTRIES} bài đầu",
                f"the feed has {len(parsed.entries)} entries; only the first {MAX_ENTRIES} were read",
            )
        )
    out.items = _unique(sorted(out.items, key=RollupItem.sort_key))[:MAX_FEED_ITEMS]
    return out


def _unique(items: list[RollupItem]) -> list[RollupItem]:
    """Drop later items repeating a guid within one feed."""
    seen: set[str] = set()
    out = []
    for item in items:
        if item.guid not in seen:
            seen.add(item.guid)
            out.append(item)
    return out


def _warn(source: Source, fld: str | None, vi: str, en: str) -> Problem:
    return Problem(source.url, fld, vi, en, severity="warning")


def _detail_html(detail: dict[str, Any], base: str, max_chars: int) -> tuple[str, bool]:
    """Sanitised HTML of a feedparser text construct (``type`` text/plain is escaped)."""
    value = str(detail.get("value") or "")
    if detail.get("type") == "text/plain":
        return S.text_as_html(value, max_chars)
    return S.clean_html(value, base, max_chars)


def _html_base(detail: dict[str, Any] | None, link: str, doc_url: str) -> str:
    """The base for relative URLs in an item's HTML: an explicit xml:base, else the item's link."""
    base = str((detail or {}).get("base") or "")
    if base and base != doc_url and S.absolute_url(base, ""):
        return base
    return link or doc_url


def _date(entry: dict[str, Any], keys: tuple[str, ...]) -> datetime | None:
    """First usable date among ``keys``; zone-less ISO dates are read as Vietnam time.

    ``dict.get`` skips feedparser's deprecated updated→published aliasing.
    """
    for key in keys:
        raw = dict.get(entry, key)
        if not raw:
            continue
        try:
            return parse_datetime(str(raw))
        except ValueError:
            pass
        struct = dict.get(entry, f"{key}_parsed")
        if struct:
            return to_local(datetime(*struct[:6], tzinfo=timezone.utc))
    return None


def _item(
    entry: dict[str, Any],
    index: int,
    source: Source,
    doc_url: str,
    site_link: str,
    now: datetime,
    warnings: list[Problem],
) -> RollupItem:
    """Build one sanitised item; append any warnings about it to ``warnings``."""
    link = S.absolute_url(str(entry.get("link") or ""), doc_url) or ""
    where = link or f"#{index + 1}"

    contents = list(entry.get("content") or [])
    content_detail = next(
        (c for c in contents if c.get("type") != "text/plain"), contents[0] if contents else None
    )
    content_html, cut_content = (
        _detail_html(content_detail, _html_base(content_detail, link, doc_url), S.MAX_CONTENT)
        if content_detail
        else ("", False)
    )
    summary_detail = entry.get("summary_detail")
    summary_html, cut_summary = (
        _detail_html(summary_detail, _html_base(summary_detail, link, doc_url), S.MAX_SUMMARY)
        if summary_detail
        else ("", False)
    )
    if not content_html:
        content_html = summary_html
    summary_text = S.plain_text(summary_html or content_html, S.MAX_SUMMARY_TEXT)
    if cut_content or cut_summary:
        warnings.append(
            _warn(
                source,
                "content" if cut_content else "summary",
                f"bài {where}: nội dung quá dài, đã cắt bớt",
                f"item {where}: content too long, truncated",
            )
        )

    title = S.plain_text(str((entry.get("title_detail") or {}).get("value") or ""), S.MAX_TITLE)
    if not title:
        title = S.first_words(summary_text) if summary_text else NO_TITLE
        warnings.append(
            _warn(
                source,
                "title",
                f"bài {where} không có tiêu đề; dùng “{title}”",
                f"item {where} has no title; using “{title}”",
            )
        )

    published = _date(entry, ("published", "updated", "created"))
    updated = _date(entry, ("updated",))
    if published is None:
        warnings.append(
            _warn(
                source,
                "pubDate",
                f"bài {where} không có ngày đăng; xếp cuối danh sách",
                f"item {where} has no date; listed last",
            )
        )
    elif (published - now).total_seconds() > 86_400:
        warnings.append(
            _warn(
                source,
                "pubDate",
                f"bài {where} có ngày đăng ở tương lai ({published.isoformat()}); đồng hồ máy chủ sai?",
                f"item {where} is dated in the future ({published.isoformat()}); clock skew?",
            )
        )

    guid = nfc(str(entry.get("id") or "")).strip()[:1000] or link
    if not guid:
        digest = hashlib.sha256(
            f"{source.unit_id}\n{title}\n{published}\n{summary_text}".encode()
        ).hexdigest()[:24]
        guid = f"urn:edusite:rollup:{source.unit_id}:{digest}"

    image = _image(entry, doc_url)
    return RollupItem(
        guid=guid,
        link=link,
        title=title,
        summary_html=summary_html,
        summary_text=summary_text,
        content_html=content_html,
        published=published,
        updated=updated,
        image=image,
        image_alt=S.image_alt(content_html, image),
        categories=_categories(entry),
        author=_author(entry),
        source_id=source.unit_id,
        source_name=source.unit_name,
        source_url=source.site_url or site_link or S.origin(doc_url),
        featured=source.featured,
    )


def _image(entry: dict[str, Any], base: str) -> str:
    """The cover image: an image enclosure, else Media RSS content or thumbnail."""
    candidates: list[str] = []
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type") or "").startswith("image/"):
            candidates.append(str(link.get("href") or ""))
    for media in entry.get("media_content") or []:
        kind = str(media.get("medium") or media.get("type") or "")
        if kind == "image" or kind.startswith("image/"):
            candidates.append(str(media.get("url") or ""))
    for thumb in entry.get("media_thumbnail") or []:
        candidates.append(str(thumb.get("url") or ""))
    for url in candidates:
        good = S.absolute_url(url, base)
        if good:
            return good
    return ""


def _categories(entry: dict[str, Any]) -> tuple[str, ...]:
    """Category names (label, else term), de-duplicated in order, at most 20."""
    out: list[str] = []
    for tag in entry.get("tags") or []:
        name = S.plain_text(str(tag.get("label") or tag.get("term") or ""), S.MAX_SHORT)
        if name and name not in out:
            out.append(name)
    return tuple(out[:20])


def _author(entry: dict[str, Any]) -> str:
    """The author's name; an RSS ``email (Name)`` gives the name, a bare e-mail address nothing."""
    raw = S.plain_text(str(entry.get("author") or ""), S.MAX_SHORT)
    m = _EMAIL_NAME_RE.match(raw)
    if m:
        return m.group(1).strip()
    return "" if _EMAIL_RE.match(raw) else raw
