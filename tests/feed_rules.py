"""The rules a feed file must follow, checked on the file itself: RSS 2.0 (rssboard.org), Atom
(RFC 4287), ``tag:`` URIs (RFC 4151), archived feeds (RFC 5005), and the W3C Feed Validator's
checks at its default level (errors and warnings), named after its message classes.

:func:`check_feed` returns the broken rules of one document as ``Finding`` items; :func:`
check_archives` the RFC 5005 rules that span a subscription document and its archives. Used by
the demo's test (every feed file the network writes) and by the feed writer's own tests.

Warnings the W3C validator gives that docs/rollup.md justifies (``ALLOWED``) are reported with
``allowed=True``: ``DuplicateUpdated`` between entries of different members of a roll-up (two
schools publishing at the same minute), and ``ArchiveIncomplete`` on the only archive document
of a feed (RFC 5005 §4: it has no neighbour to link to).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_tz
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"

#: RFC 4151 tag URI (the W3C validator's own pattern, validators.rfc2396.tag_re).
TAG_RE = re.compile(
    r"^tag:([a-z0-9\-._]+?@)?[a-z0-9.\-]+?,\d{4}(-\d{2}(-\d{2})?)?:"
    r"[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*(#[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*)?$"
)
#: RFC 2141 URN (the validator's urn_re): the NSS has no "/".
URN_RE = re.compile(
    r"^[Uu][Rr][Nn]:[a-zA-Z0-9][a-zA-Z0-9-]{1,31}:([a-zA-Z0-9()+,.:=@;$_!*'\-]|%[0-9A-Fa-f]{2})+$"
)
#: RFC 3339 date-time with seconds and a zone (RFC 4287 §3.3).
RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
MIME_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
TEXT_TYPES = {"text", "html", "xhtml"}
ALLOWED = {"DuplicateUpdated", "ArchiveIncomplete"}
_URL_IN_HTML = re.compile(r"""\s(?:href|src)=["']([^"']*)["']""")


@dataclass(frozen=True)
class Finding:
    """One broken rule: ``rule`` is the W3C validator's message class where it has one."""

    rule: str
    where: str
    detail: str
    allowed: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.detail}"


def is_absolute_http(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def valid_id(value: str) -> bool:
    """An Atom id (RFC 4287 §4.2.6: an IRI; the validator: a full URL, a tag: URI or a URN)."""
    if value.startswith("tag:"):
        return bool(TAG_RE.match(value))
    if value.lower().startswith("urn:"):
        return bool(URN_RE.match(value))
    return is_absolute_http(value) and not re.search(r"[\s<>\"{}|\\^`]", value)


def _rfc822(value: str) -> bool:
    return bool(value) and parsedate_tz(value) is not None and re.search(r"[+-]\d{4}$|GMT$", value)


def _html_urls(where: str, text: str, out: list[Finding]) -> None:
    """Relative URLs in entry HTML resolve against nothing a reader knows (W3C ContainsRelRef)."""
    for url in _URL_IN_HTML.findall(text or ""):
        if not is_absolute_http(url) and not url.startswith(("mailto:", "tel:", "#")):
            out.append(Finding("ContainsRelRef", where, f"relative URL {url!r} in HTML"))


def check_feed(data: bytes, url: str) -> list[Finding]:
    """Every rule ``data`` (a feed document served at ``url``) breaks."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [Finding("NotWellFormed", url, str(exc))]
    if not data.startswith(b'<?xml version="1.0" encoding="utf-8"?>'):
        return [Finding("XmlDeclaration", url, "no UTF-8 XML declaration")]
    if root.tag == "rss":
        return _check_rss(root, url)
    if root.tag == f"{ATOM}feed":
        return _check_atom(root, url)
    return [Finding("UndefinedRoot", url, root.tag)]


def _links(parent: ET.Element, tag: str) -> list[dict[str, str]]:
    return [dict(e.attrib) for e in parent.findall(tag)]


def _duplicate_links(where: str, links: list[dict[str, str]], out: list[Finding]) -> None:
    """One link per (rel, type, hreflang) for alternate; one self (W3C DuplicateAtomLink)."""
    seen: set[tuple[str, str, str]] = set()
    for link in links:
        rel = link.get("rel", "alternate")
        if rel not in ("alternate", "self", "current", "prev-archive", "next-archive"):
            continue
        key = (rel, link.get("type", ""), link.get("hreflang", ""))
        if key in seen:
            out.append(Finding("DuplicateAtomLink", where, f"two {rel} links of type {key[1]!r}"))
        seen.add(key)


def _history(where: str, links: list[dict[str, str]], archive: bool, out: list[Finding]) -> None:
    """RFC 5005 §4 within one document."""
    rels = {link.get("rel") for link in links}
    for link in links:
        if link.get("rel") in ("current", "prev-archive", "next-archive") and not is_absolute_http(
            link.get("href")
        ):
            out.append(Finding("InvalidLink", where, f"{link.get('rel')} is not an absolute URL"))
    if archive:
        if "current" not in rels:
            out.append(Finding("MissingCurrentInArchive", where, "archive without rel=current"))
        if not rels & {"prev-archive", "next-archive"}:
            out.append(
                Finding("ArchiveIncomplete", where, "archive with no prev/next-archive", True)
            )
    elif "next-archive" in rels or "current" in rels:
        out.append(Finding("RFC5005", where, "a subscription document links next-archive/current"))


def _check_rss(root: ET.Element, url: str) -> list[Finding]:
    out: list[Finding] = []
    if root.get("version") != "2.0":
        out.append(Finding("InvalidRSSVersion", url, str(root.get("version"))))
    channels = root.findall("channel")
    if len(channels) != 1:
        return [*out, Finding("MissingElement", url, "exactly one channel")]
    ch = channels[0]
    for name in ("title", "link", "description"):
        if not (ch.findtext(name) or "").strip():
            out.append(Finding("MissingElement", url, f"channel/{name}"))
    link = (ch.findtext("link") or "").strip()
    links = _links(ch, f"{ATOM}link")
    selfs = [x.get("href") for x in links if x.get("rel") == "self"]
    if selfs != [url]:
        out.append(Finding("SelfDoesntMatchLocation", url, f"self links {selfs}"))
    if [x.get("type") for x in links if x.get("rel") == "self"] != ["application/rss+xml"]:
        out.append(Finding("InvalidMIMEType", url, "self link not application/rss+xml"))
    # RSS 2.0: "The URL to the HTML website corresponding to the channel".
    if not is_absolute_http(link) or link == url or link.endswith(".xml"):
        out.append(Finding("ChannelLinkNotHtml", url, f"channel link {link!r}"))
    _duplicate_links(url, links, out)
    archive = ch.find(f"{FH}archive") is not None
    _history(url, links, archive, out)
    if ch.findtext("lastBuildDate") is not None and not _rfc822(ch.findtext("lastBuildDate")):
        out.append(Finding("InvalidRFC2822Date", url, "lastBuildDate"))
    guids: set[str] = set()
    dates: list[tuple] = []
    for i, item in enumerate(ch.findall("item")):
        where = f"{url}#item{i + 1}"
        if not (item.findtext("title") or item.findtext("description")):
            out.append(Finding("ItemMustContainTitleOrDescription", where, ""))
        if not is_absolute_http(item.findtext("link")):
            out.append(Finding("InvalidLink", where, f"link {item.findtext('link')!r}"))
        guid = item.find("guid")
        if guid is None or not (guid.text or "").strip():
            out.append(Finding("MissingGuid", where, "no guid"))
        else:
            if guid.text in guids:
                out.append(Finding("DuplicateItem", where, f"guid {guid.text!r} twice"))
            guids.add(guid.text or "")
            permalink = guid.get("isPermaLink", "true") == "true"
            if permalink and not is_absolute_http(guid.text):
                out.append(Finding("InvalidHttpGUID", where, f"permalink guid {guid.text!r}"))
        pub = item.findtext("pubDate") or ""
        if not _rfc822(pub):
            out.append(Finding("InvalidRFC2822Date", where, f"pubDate {pub!r}"))
        else:
            dates.append(parsedate_tz(pub))
        for enc in item.findall("enclosure"):
            if not is_absolute_http(enc.get("url")):
                out.append(Finding("InvalidURLAttribute", where, "enclosure url"))
            if not (enc.get("length") or "").isdigit():
                out.append(Finding("InvalidIntegerAttribute", where, "enclosure length"))
            if not MIME_RE.match(enc.get("type") or ""):
                out.append(Finding("InvalidMIMEType", where, "enclosure type"))
        if item.find("author") is not None:  # must be an e-mail address; we use dc:creator
            out.append(Finding("InvalidContact", where, "RSS author is not an e-mail address"))
        for cat in item.findall("category"):
            if not (cat.text or "").strip():
                out.append(Finding("NotBlank", where, "empty category"))
        source = item.find("source")
        if source is not None and not is_absolute_http(source.get("url")):
            out.append(Finding("MissingAttribute", where, "source url"))
        _html_urls(where, item.findtext("description") or "", out)
        _html_urls(where, item.findtext(f"{CONTENT}encoded") or "", out)
    stamps = [_stamp(d) for d in dates]
    if stamps != sorted(stamps, reverse=True):
        out.append(Finding("NewestFirst", url, "items not newest first"))
    return out


def _stamp(parsed: tuple) -> float:
    from email.utils import mktime_tz

    return float(mktime_tz(parsed))


def _check_atom(root: ET.Element, url: str) -> list[Finding]:
    out: list[Finding] = []
    feed_id = root.findtext(f"{ATOM}id") or ""
    if not valid_id(feed_id):
        out.append(Finding("InvalidFullLink", url, f"feed id {feed_id!r}"))
    for name in ("title", "updated"):
        if len(root.findall(f"{ATOM}{name}")) != 1:
            out.append(Finding("MissingElement", url, f"feed/{name} exactly once"))
    if not RFC3339_RE.match(root.findtext(f"{ATOM}updated") or ""):
        out.append(Finding("InvalidRFC3339Date", url, "feed updated"))
    links = _links(root, f"{ATOM}link")
    selfs = [x.get("href") for x in links if x.get("rel") == "self"]
    if selfs != [url]:
        out.append(Finding("SelfDoesntMatchLocation", url, f"self links {selfs}"))
    if not any(
        x.get("rel", "alternate") == "alternate" and x.get("type") == "text/html" for x in links
    ):
        out.append(Finding("MissingAlternate", url, "no text/html alternate"))
    _duplicate_links(url, links, out)
    _history(url, links, root.find(f"{FH}archive") is not None, out)
    feed_author = root.find(f"{ATOM}author") is not None
    # W3C MisplacedMetadata: feed elements after the first entry.
    seen_entry = False
    for child in root:
        if child.tag == f"{ATOM}entry":
            seen_entry = True
        elif seen_entry:
            out.append(Finding("MisplacedMetadata", url, child.tag))
    ids: set[str] = set()
    updated: dict[str, set[str]] = {}
    for i, entry in enumerate(root.findall(f"{ATOM}entry")):
        where = f"{url}#entry{i + 1}"
        eid = entry.findtext(f"{ATOM}id") or ""
        if not valid_id(eid):
            out.append(Finding("InvalidFullLink", where, f"id {eid!r} is not a URI"))
        if eid in ids:
            out.append(Finding("DuplicateEntries", where, f"id {eid!r} twice"))
        ids.add(eid)
        for name in ("id", "title", "updated"):
            if len(entry.findall(f"{ATOM}{name}")) != 1:
                out.append(Finding("MissingElement", where, f"entry/{name} exactly once"))
        for name in ("updated", "published"):
            value = entry.findtext(f"{ATOM}{name}")
            if value is not None and not RFC3339_RE.match(value):
                out.append(Finding("InvalidRFC3339Date", where, f"{name} {value!r}"))
        if not feed_author and entry.find(f"{ATOM}author") is None:
            out.append(Finding("MissingAuthor", where, "no author in entry or feed"))
        elinks = _links(entry, f"{ATOM}link")
        alternates = [x for x in elinks if x.get("rel", "alternate") == "alternate"]
        if not alternates or not all(is_absolute_http(x.get("href")) for x in alternates):
            out.append(Finding("MissingAlternate", where, "no absolute alternate link"))
        _duplicate_links(where, elinks, out)
        for x in elinks:
            if x.get("rel") == "enclosure" and (
                not MIME_RE.match(x.get("type") or "") or not (x.get("length") or "").isdigit()
            ):
                out.append(Finding("InvalidMIMEType", where, "enclosure without type/length"))
            if not is_absolute_http(x.get("href")):
                out.append(Finding("InvalidIRI", where, f"link {x.get('href')!r}"))
        for name in ("title", "summary", "content"):
            for el in entry.findall(f"{ATOM}{name}"):
                kind = el.get("type", "text")
                if kind not in TEXT_TYPES and "/" not in kind:
                    out.append(Finding("InvalidMIMEType", where, f"{name} type={kind!r}"))
                if kind in ("text", "html") and len(el):
                    out.append(Finding("UndefinedElement", where, f"markup inside {name}"))
                if kind == "text" and re.search(r"<[a-zA-Z/]", el.text or ""):
                    out.append(Finding("NotHtml", where, f"HTML in a text {name}"))
                if kind == "html":
                    _html_urls(where, el.text or "", out)
        content = entry.find(f"{ATOM}content")
        if (content is None or content.get("src")) and entry.find(f"{ATOM}summary") is None:
            out.append(Finding("MissingSummary", where, "no content and no summary"))
        when = entry.findtext(f"{ATOM}updated") or ""
        via = next((x.get("href", "") for x in elinks if x.get("rel") == "via"), "")
        if when in updated:
            # W3C warning; justified only between entries of different members of a roll-up.
            allowed = bool(via) and via not in updated[when]
            out.append(Finding("DuplicateUpdated", where, f"updated {when} twice", allowed))
        updated.setdefault(when, set()).add(via)
    return out


def check_archives(public: Path, base_url: str, current: Path) -> list[Finding]:
    """RFC 5005 across documents: from the subscription document ``current`` (a file under
    ``public``, served at ``base_url`` + its path), follow ``prev-archive`` to the oldest
    archive. Every archive is an archive (``fh:archive``), names ``current``, links back
    (``next-archive`` of the older one is this one), and the documents together hold every entry
    once (overlaps only with the subscription document)."""
    out: list[Finding] = []

    def url_of(path: Path) -> str:
        return base_url + path.relative_to(public).as_posix()

    def load(path: Path) -> tuple[ET.Element, list[dict[str, str]], list[str]]:
        root = ET.fromstring(path.read_bytes())
        box = root.find("channel") if root.tag == "rss" else root
        assert box is not None
        links = _links(box, f"{ATOM}link")
        if root.tag == "rss":
            ids = [i.findtext("guid") or "" for i in box.findall("item")]
        else:
            ids = [e.findtext(f"{ATOM}id") or "" for e in box.findall(f"{ATOM}entry")]
        return box, links, ids

    def href(links: list[dict[str, str]], rel: str) -> str:
        return next((x.get("href", "") for x in links if x.get("rel") == rel), "")

    def path_of(link: str) -> Path | None:
        if not link.startswith(base_url):
            return None
        return public / link[len(base_url) :]

    box, links, current_ids = load(current)
    me = url_of(current)
    seen = set(current_ids)
    archived: list[str] = []
    newer = me
    link = href(links, "prev-archive")
    hops = 0
    while link:
        hops += 1
        path = path_of(link)
        if path is None or not path.is_file() or hops > 10_000:
            out.append(Finding("BrokenArchiveLink", me, f"prev-archive {link!r} is not a file"))
            break
        abox, alinks, ids = load(path)
        if abox.find(f"{FH}archive") is None:
            out.append(Finding("RFC5005", link, "prev-archive target has no fh:archive"))
        if href(alinks, "current") != me:
            out.append(Finding("MissingCurrentInArchive", link, "current is not the feed"))
        expected_next = "" if newer == me else newer
        if href(alinks, "next-archive") != expected_next:
            out.append(Finding("RFC5005", link, f"next-archive is not {expected_next!r}"))
        if not ids:
            out.append(Finding("RFC5005", link, "empty archive document"))
        twice = [i for i in ids if i in archived]
        if twice:
            out.append(Finding("RFC5005", link, f"entries in two archives: {twice[:3]}"))
        archived += ids
        seen.update(ids)
        newer, link = link, href(alinks, "prev-archive")
    return out


def entry_dates(data: bytes) -> list[datetime]:
    """Publication dates of a document's entries (tests of ordering and bounds)."""
    root = ET.fromstring(data)
    if root.tag == "rss":
        from email.utils import parsedate_to_datetime

        return [parsedate_to_datetime(i.findtext("pubDate") or "") for i in root.iter("item")]
    return [
        datetime.fromisoformat(e.findtext(f"{ATOM}published") or "")
        for e in root.iter(f"{ATOM}entry")
    ]
