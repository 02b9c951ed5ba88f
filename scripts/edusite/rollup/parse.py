"""Turning feed bytes into sanitised :class:`RollupItem` objects.

Nothing untrusted reaches feedparser as it came. A document is, in order:

1. capped in size, then **decoded by us**: a BOM, else the HTTP charset, else the XML
   declaration, else UTF-8/windows-1252. UTF-7 and UTF-32 are refused outright wherever they are
   named or detected (UTF-7 hides markup from any byte-level check: ``+ADw-!DOCTYPE``);
2. checked **on the decoded text**: any DOCTYPE or ENTITY declaration is refused (billion laughs,
   quadratic blowup, XXE), whatever the encoding;
3. re-encoded as UTF-8 with a fresh XML declaration and scanned once with expat (no DTD, no
   entity declarations, no external entities, like :mod:`defusedxml`), bounded in time, depth,
   attributes and element count. The scan also cuts the document after :data:`MAX_ENTRIES`
   items, so feedparser never parses the rest (95,000 tiny items cost feedparser 29 s);
4. only then given to feedparser, as those UTF-8 bytes (``io.BytesIO``, never a string it could
   take for a URL or a path), with its own sanitiser and URL resolution off. feedparser's XML
   parser is :mod:`.saxdriver` (defusedxml's, DTDs forbidden, text buffered).

:mod:`.sanitize` then cleans every field the same way for every feed. Errors are
:class:`FeedError` categories in Vietnamese and English; the raw detail (exception text, offsets)
goes to :attr:`FeedError.detail`, for the build log only.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import time
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import feedparser
import feedparser.api
from defusedxml import DefusedXmlException

from ..errors import Problem
from ..text import parse_datetime, to_local
from . import sanitize as S
from . import saxdriver
from .model import RollupItem, Source

#: Largest document accepted (bytes), local or remote.
MAX_DOCUMENT = 5 * 1024 * 1024
#: Entries read from one document (in document order; feeds list newest first by convention).
MAX_ENTRIES = 500
#: Items kept from one feed after sorting newest first.
MAX_FEED_ITEMS = 200
#: How much of the decoded document the prolog scan may look at (characters).
PROLOG_SCAN = 64 * 1024
#: Deepest element nesting accepted.
MAX_DEPTH = 100
#: Most attributes on one element.
MAX_ATTRIBUTES = 100
#: Elements plus attributes given to feedparser (it spends ~15 µs on each); the document is cut
#: before the item during which this is passed.
MAX_ELEMENTS = 60_000
#: Wall-clock limit for checking, parsing and sanitising one document (seconds). Structural
#: limits keep honest feeds far below it; it is the last resort against what they miss.
PARSE_SECONDS = 4.0
NO_TITLE = S.NO_TITLE

_EMAIL_NAME_RE = re.compile(r"^\S+@\S+\s*\((.+)\)$")
_EMAIL_RE = re.compile(r"^\S+@\S+\.\S+$")
_XML_DECL_RE = re.compile(r"<\?xml[ \t\r\n][^>]*\?>")
_DECLARED_RE = re.compile(r"""\A\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.I)
_REFUSED_ENCODING_RE = re.compile(r"utf[-_ ]?(7|32)|ucs[-_ ]?4|unicode[-_]1[-_]1[-_]utf[-_]7", re.I)
#: Codecs that are not text encodings a feed could use.
_NOT_TEXT = {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}
_FALLBACK_ENCODINGS = ("utf-8", "windows-1252", "iso-8859-2")

#: Categories of failure, as they may appear on a published page (no addresses, no raw text).
NOT_A_FEED = ("không phải nguồn tin RSS hoặc Atom", "not an RSS or Atom feed")
MALFORMED = ("XML không hợp lệ", "malformed XML")
DTD_REFUSED = (
    "tài liệu có khai báo DOCTYPE/ENTITY (bị từ chối để chống tấn công mở rộng thực thể)",
    "document has a DOCTYPE/ENTITY declaration (rejected: entity expansion, XXE)",
)
ENCODING_REFUSED = ("bảng mã ký tự bị từ chối", "character encoding refused")
TOO_COMPLEX = ("nguồn tin quá phức tạp", "feed too complex")
TOO_SLOW = ("xử lý nguồn tin quá lâu", "feed took too long to process")


class FeedError(Exception):
    """A feed could not be used; carries the reason in Vietnamese and English.

    ``vi``/``en`` are categories fit for a published page: never an exception text, address,
    port or path. ``detail`` is the raw cause, for the build log only.
    """

    def __init__(self, vi: str, en: str, http_status: int | None = None, detail: str = "") -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.http_status = http_status
        self.detail = detail


def _error(category: tuple[str, str], detail: str = "", suffix: str = "") -> FeedError:
    vi, en = category
    if suffix:
        vi, en = f"{vi} ({suffix})", f"{en} ({suffix})"
    return FeedError(vi, en, detail=detail)


@dataclass
class ParsedFeed:
    """Items of one document, newest first, plus what the parse had to warn about."""

    items: list[RollupItem]
    warnings: list[Problem] = field(default_factory=list)
    site_link: str = ""  # the channel's own home page link, if http(s)
    #: RFC 5005: the next older archive document (``prev-archive``), absolute http(s), or "".
    prev_archive: str = ""
    archive: bool = False  # the document is an archive document (``fh:archive``)


def _codec(name: str) -> str | None:
    """The codec's canonical name, ``None`` if Python does not know it as a text encoding."""
    try:
        canonical = codecs.lookup(name).name.replace("_", "-")
    except LookupError:
        return None
    return None if canonical in _NOT_TEXT else canonical


def _refuse_encoding(name: str) -> FeedError:
    label = "UTF-7" if "7" in name else "UTF-32"
    return _error(ENCODING_REFUSED, f"declared or detected encoding {name!r}", label)


def decode_document(data: bytes, content_type: str = "") -> str:
    """``data`` as text, decoded the way :func:`parse_document` reads it; raise
    :class:`FeedError` for UTF-7 and UTF-32 (named in ``content_type``'s charset or the XML
    declaration, or detected from a BOM or the first bytes) or bytes that decode in nothing.

    A BOM wins, then the first bytes (``<\\0?\\0`` is UTF-16), then the HTTP charset, then the
    XML declaration, then UTF-8, windows-1252 and ISO-8859-2; the first that decodes strictly is
    used (feedparser's order).
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or data[:4] in (
        b"<\0\0\0",
        b"\0\0\0<",
        b"\0\0<\0",
        b"\0<\0\0",
    ):
        raise _refuse_encoding("utf-32")
    if data.startswith(b"+/v") and data[3:4] in (b"8", b"9", b"+", b"/"):
        raise _refuse_encoding("utf-7")
    fixed = None
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            data, fixed = data[len(bom) :], enc
            break
    else:
        if data.startswith(b"<\0?\0"):
            fixed = "utf-16-le"
        elif data.startswith(b"\0<\0?"):
            fixed = "utf-16-be"
    head = data[:1024].decode(fixed or "latin-1", errors="replace")
    m = _DECLARED_RE.match(head)
    declared = m.group(1) if m else ""
    c = _CHARSET_RE.search(content_type or "")
    http = c.group(1) if c else ""
    for name in (http, declared):
        if name and _REFUSED_ENCODING_RE.search(name):
            raise _refuse_encoding(name)
    if fixed:
        try:
            return data.decode(fixed)
        except UnicodeDecodeError as exc:
            raise _error(ENCODING_REFUSED, str(exc), fixed) from None
    tried = []
    for name in (http, declared, *_FALLBACK_ENCODINGS):
        enc = _codec(name) if name else None
        if not enc or enc in tried:
            continue
        tried.append(enc)
        if _REFUSED_ENCODING_RE.search(enc):
            raise _refuse_encoding(enc)
        try:
            if "<?xml".encode(enc) != b"<?xml":  # not ASCII-compatible: not what the bytes are
                continue
            return data.decode(enc)
        except (UnicodeError, LookupError):
            continue
    raise _error(ENCODING_REFUSED, f"undecodable with {', '.join(tried)}")


def _check_prolog(text: str) -> None:
    """Refuse a DOCTYPE/ENTITY declaration or a non-XML start in the prolog of ``text``."""
    text = text[:PROLOG_SCAN]
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace() or text[i] == "\ufeff":
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
            raise FeedError(*DTD_REFUSED)
        elif text[i] == "<":
            return
        else:
            raise FeedError("không phải tài liệu XML", "not an XML document")
    raise FeedError("không tìm thấy phần tử gốc của XML", "no XML root element found")


def check_document(data: bytes, max_bytes: int = MAX_DOCUMENT, content_type: str = "") -> str:
    """Raise :class:`FeedError` unless ``data`` is a reasonably sized XML document without a
    DTD, in an accepted encoding; return it decoded (:func:`decode_document`).

    The DTD check looks at the decoded text, so no encoding can hide a declaration from it.
    Only the prolog is scanned here (:data:`PROLOG_SCAN` characters at most); :func:`prepare`
    refuses a declaration anywhere else.
    """
    if len(data) > max_bytes:
        raise FeedError(
            f"tệp quá lớn ({len(data):,} byte; tối đa {max_bytes:,})",
            f"document too large ({len(data):,} bytes; limit {max_bytes:,})",
        )
    text = decode_document(data, content_type)
    _check_prolog(text)
    return text


@dataclass
class Prepared:
    """A checked document, ready for feedparser."""

    data: bytes  # UTF-8, our XML declaration, cut after ``entries`` items if ``cut``
    entries: int  # items/entries kept
    cut: str = ""  # "", "entries" (more than MAX_ENTRIES) or "complex" (a structural limit)


class _Stop(Exception):
    """Ends the scan early: the document is cut at ``offset``, inside ``open`` elements."""

    def __init__(self, offset: int, open_: list[str], reason: str) -> None:
        super().__init__(reason)
        self.offset, self.open, self.reason = offset, open_, reason


def prepare(text: str, deadline: float | None = None) -> Prepared:
    """Re-encode decoded ``text`` as UTF-8 and scan it with expat; raise :class:`FeedError` if
    it is not well-formed, declares a DTD/entity anywhere, or cannot be cut within the limits.

    Items (``item`` or ``entry`` under the root or its ``channel``) are counted; the document is
    cut before the first item past :data:`MAX_ENTRIES`, or before the item (else the element)
    during which :data:`MAX_DEPTH`, :data:`MAX_ATTRIBUTES` or :data:`MAX_ELEMENTS` is passed,
    the open elements being closed, so feedparser gets a well-formed prefix. Cost: one expat
    pass over at most the kept part, checked against ``deadline`` (``time.monotonic()``) every
    256 KiB.
    """
    text = text.lstrip("\ufeff \t\r\n")  # a stray BOM or blank line before the declaration
    m = _XML_DECL_RE.match(text)
    body = text[m.end() :] if m else text
    data = ('<?xml version="1.0" encoding="utf-8"?>' + body).encode("utf-8", "surrogatepass")
    parser = xml.parsers.expat.ParserCreate("utf-8", "\x01")
    parser.namespace_prefixes = True
    parser.ordered_attributes = True
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    names: list[str] = []  # open elements, as written (prefix:local)
    locals_: list[str] = []
    state = {"items": 0, "elements": 0, "item_at": 0, "item_depth": -1}

    def refuse(*_args: Any) -> None:
        raise FeedError(*DTD_REFUSED)

    def start(name: str, attrs: list[str]) -> None:
        parts = name.split("\x01")
        local = parts[1] if len(parts) > 1 else parts[0]
        depth = len(names)
        here = parser.CurrentByteIndex
        if local in ("item", "entry") and (depth == 1 or (depth == 2 and locals_[1] == "channel")):
            if state["items"] >= MAX_ENTRIES:
                raise _Stop(here, list(names), "entries")
            state["items"] += 1
            state["item_at"], state["item_depth"] = here, depth
        state["elements"] += 1 + len(attrs) // 2
        if (
            depth >= MAX_DEPTH
            or len(attrs) > 2 * MAX_ATTRIBUTES
            or state["elements"] > MAX_ELEMENTS
        ):
            if state["item_depth"] >= 0:  # drop the item being read, and all after it
                state["items"] -= 1
                item_depth = state["item_depth"]
                raise _Stop(state["item_at"], names[:item_depth], "complex")
            if depth == 0:
                raise _error(TOO_COMPLEX, "root element over the limits")
            raise _Stop(here, list(names), "complex")
        names.append(f"{parts[2]}:{local}" if len(parts) == 3 else local)
        locals_.append(local)

    def end(_name: str) -> None:
        names.pop()
        locals_.pop()
        if len(names) == state["item_depth"]:
            state["item_depth"] = -1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    step = 256 * 1024
    try:
        for at in range(0, len(data), step):
            if deadline is not None and time.monotonic() > deadline:
                raise _error(TOO_SLOW, "scan deadline")
            parser.Parse(data[at : at + step], at + step >= len(data))
        if not data:
            parser.Parse(b"", True)
    except _Stop as stop:
        closers = "".join(f"</{name}>" for name in reversed(stop.open))
        kept = data[: stop.offset] + closers.encode("utf-8")
        return Prepared(kept, state["items"], stop.reason)
    except xml.parsers.expat.ExpatError as exc:
        raise _error(MALFORMED, str(exc)) from None
    return Prepared(data, state["items"])


def parse_document(
    data: bytes,
    source: Source,
    *,
    doc_url: str,
    content_type: str,
    now: datetime,
    max_bytes: int = MAX_DOCUMENT,
    seconds: float = PARSE_SECONDS,
) -> ParsedFeed:
    """Check and parse one RSS/Atom document; raise :class:`FeedError` if it is unusable.

    ``doc_url`` is the document's address: item links, enclosures and the channel link resolve
    against it, an item's HTML against the item's link (or an explicit ``xml:base``).
    ``content_type`` is the HTTP header (it may name the encoding). Checking, parsing and
    sanitising together may take at most ``seconds``.
    """
    deadline = time.monotonic() + seconds
    doc_url = S.safe_url(doc_url) or ""
    prepared = prepare(check_document(data, max_bytes, content_type), deadline)
    try:
        parsed = feedparser.parse(
            io.BytesIO(prepared.data),
            response_headers={
                "content-type": "application/xml; charset=utf-8",
                "content-location": doc_url,
            },
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except DefusedXmlException as exc:  # not reachable after prepare(); kept as a backstop
        raise _error(DTD_REFUSED, repr(exc)) from None
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(exc, feedparser.ThingsNobodyCaresAboutButMe):
        raise _error(MALFORMED, str(exc))
    if not parsed.get("version"):
        raise FeedError(*NOT_A_FEED)
    site_link = S.safe_url(str(parsed.feed.get("link") or ""), doc_url) or ""
    out = ParsedFeed(items=[], site_link=site_link)
    for link in (parsed.feed.get("links") or [])[:100]:
        if link.get("rel") == "prev-archive":
            out.prev_archive = S.safe_url(str(link.get("href") or ""), doc_url) or ""
            break
    out.archive = "fh_archive" in parsed.feed
    if prepared.cut == "entries":
        out.warnings.append(
            _warn(
                source,
                None,
                f"nguồn tin {source.unit_name} có hơn {MAX_ENTRIES} bài; "
                f"chỉ đọc {MAX_ENTRIES} bài đầu",
                f"the feed of {source.unit_name} has more than {MAX_ENTRIES} entries; "
                f"only the first {MAX_ENTRIES} were read",
            )
        )
    elif prepared.cut:
        out.warnings.append(
            _warn(
                source,
                None,
                f"nguồn tin {source.unit_name} quá phức tạp (quá nhiều phần tử, thuộc tính hoặc "
                f"lồng quá sâu); chỉ đọc {prepared.entries} bài đầu",
                f"the feed of {source.unit_name} is too complex (too many elements or "
                f"attributes, or nested too deeply); only the first {prepared.entries} entries "
                "were read",
            )
        )
    entries = parsed.entries[:MAX_ENTRIES]
    for index in _kept(entries, source, doc_url, site_link, now):
        if time.monotonic() > deadline:
            raise _error(TOO_SLOW, f"deadline passed at entry {index}")
        item = _item(entries[index], index, source, doc_url, site_link, now, out.warnings)
        out.items.append(item)
    out.items = _unique(sorted(out.items, key=RollupItem.sort_key))[:MAX_FEED_ITEMS]
    return out


def _kept(
    entries: list[Any], source: Source, doc_url: str, site_link: str, now: datetime
) -> list[int]:
    """Indexes of the entries that can be among the :data:`MAX_FEED_ITEMS` kept, in document
    order: all of them when there are no more than that; otherwise those whose date and guid
    (computed cheaply: only an entry without id and link needs its text sanitised for its guid)
    put them among the newest distinct guids. Sanitising costs far more than dating, and most of
    a 500-entry document would be thrown away after it."""
    if len(entries) <= MAX_FEED_ITEMS:
        return list(range(len(entries)))
    keys = []
    for index, entry in enumerate(entries):
        link = S.safe_url(str(entry.get("link") or ""), doc_url) or ""
        guid = S.clean_guid(str(entry.get("id") or "")) or link
        published = _date(entry, ("published", "updated", "created"))
        if not guid:  # the guid is a digest of the sanitised text: build the item for it
            full = _item(entry, index, source, doc_url, site_link, now, [])
            guid, published = full.guid, full.published
        stamp = -published.timestamp() if published else 0.0
        keys.append(((published is None, stamp, guid), index, guid))
    chosen: list[int] = []
    seen: set[str] = set()
    for _key, index, guid in sorted(keys):
        if guid not in seen:
            seen.add(guid)
            chosen.append(index)
            if len(chosen) == MAX_FEED_ITEMS:
                break
    return sorted(chosen)


# Every feedparser parse in this process uses the defused, text-buffering expat driver.
if saxdriver.__name__ not in feedparser.api.PREFERRED_XML_PARSERS:
    feedparser.api.PREFERRED_XML_PARSERS.insert(0, saxdriver.__name__)


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
    base = S.safe_url(str((detail or {}).get("base") or ""), "") or ""
    if base and base != doc_url:
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
            return parse_datetime(str(raw)[:100])
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
    link = S.safe_url(str(entry.get("link") or ""), doc_url) or ""
    where = link or f"#{index + 1}"

    def text(value: Any, max_chars: int, fld: str) -> str:
        """A clean text field; a hostile one (escaped too many times) is emptied, with a warning."""
        out, ok = S.clean_text(str(value or ""), max_chars)
        if not ok:
            warnings.append(
                _warn(
                    source,
                    fld,
                    f"bài {where}: trường {fld} bị mã hoá HTML lặp quá nhiều lần; đã bỏ",
                    f"item {where}: the {fld} field is HTML-escaped too many times; dropped",
                )
            )
        return out

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
    summary_text = text(summary_html or content_html, S.MAX_SUMMARY_TEXT, "summary")
    if cut_content or cut_summary:
        warnings.append(
            _warn(
                source,
                "content" if cut_content else "summary",
                f"bài {where}: nội dung quá dài, đã cắt bớt",
                f"item {where}: content too long, truncated",
            )
        )

    title = text((entry.get("title_detail") or {}).get("value"), S.MAX_TITLE, "title")
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

    guid = S.clean_guid(str(entry.get("id") or "")) or link
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
        categories=_categories(entry, text),
        author=_author(entry, text),
        source_id=source.unit_id,
        source_name=S.plain_text(source.unit_name, S.MAX_SHORT),
        source_url=S.safe_url(source.site_url) or site_link or S.origin(doc_url),
        featured=source.featured,
    )


def _image(entry: dict[str, Any], base: str) -> str:
    """The cover image: an image enclosure, else Media RSS content or thumbnail."""
    candidates: list[str] = []
    for link in (entry.get("links") or [])[:100]:
        if link.get("rel") == "enclosure" and str(link.get("type") or "").startswith("image/"):
            candidates.append(str(link.get("href") or ""))
    for media in (entry.get("media_content") or [])[:100]:
        kind = str(media.get("medium") or media.get("type") or "")
        if kind == "image" or kind.startswith("image/"):
            candidates.append(str(media.get("url") or ""))
    for thumb in (entry.get("media_thumbnail") or [])[:100]:
        candidates.append(str(thumb.get("url") or ""))
    for url in candidates:
        good = S.safe_url(url, base)
        if good:
            return good
    return ""


def _categories(entry: dict[str, Any], text: Any) -> tuple[str, ...]:
    """Category names (label, else term), de-duplicated in order, at most 20 (of the first 100)."""
    out: list[str] = []
    for tag in (entry.get("tags") or [])[:100]:
        name = text(tag.get("label") or tag.get("term"), S.MAX_SHORT, "category")
        if name and name not in out:
            out.append(name)
    return tuple(out[:20])


def _author(entry: dict[str, Any], text: Any) -> str:
    """The author's name; an RSS ``email (Name)`` gives the name, a bare e-mail address nothing."""
    raw = text(entry.get("author"), S.MAX_SHORT, "author")
    m = _EMAIL_NAME_RE.match(raw)
    if m:
        return m.group(1).strip()
    return "" if _EMAIL_RE.match(raw) else raw
