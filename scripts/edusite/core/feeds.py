"""Per-site RSS 2.0 and Atom 1.0 feeds: valid, bounded, archived, reproducible.

The rules every feed file follows (``tests/feed_rules.py`` checks them on every feed the demo
network writes, with the W3C Feed Validator's names for them; docs/rollup.md, "Feeds"):

* **RSS 2.0** (rssboard.org): the channel's ``<link>`` is the HTML page the feed mirrors, its
  ``atom:link rel="self"`` the file itself; ``<guid isPermaLink="false">`` is the post's ``id``
  exactly as every earlier version wrote it (the migration rule: RSS readers and portals keep
  the read marks and de-duplication they have); dates in RFC 822; authors as ``dc:creator``
  (RSS's ``<author>`` must be an e-mail address).
* **Atom** (RFC 4287): entry ids are ``tag:`` URIs (RFC 4151), ``tag:<authority>:<unit>/<key>``,
  made from the unit id and the post id alone (:func:`tag_uri`), so editing, retitling or moving
  a post never changes them; text constructs are ``type="html"`` (escaped HTML, never CDATA
  labelled as a type); one ``alternate`` link per entry, covers as ``rel="enclosure"``, a
  rolled-up entry's member as ``rel="via"``; the feed's author is the unit, so entries without
  an author are valid.
* **Bounded, with archives** (RFC 5005, "Archived Feeds"): a subscription document holds the
  newest :attr:`FeedSettings.items` entries and links ``prev-archive`` to the newest archive
  document. Archive ``k`` holds the entries ``(k-1)·N … k·N-1`` counted from the oldest, and is
  written only once full, so publishing new posts never changes an archive: only a post dated
  in the past, or one removed, moves the pages after it. Each archive carries ``fh:archive``,
  ``current`` (the subscription document), ``self`` and its neighbours.
* **Summaries**: entries carry the cover image and the summary (the first words of the body
  when there is none); the full body only with :attr:`FeedSettings.full_content`.
* **Reproducible**: entries in explicit newest-first order, ``updated``/``lastBuildDate`` = the
  newest entry's date (never "now").
"""

from __future__ import annotations

import html
import math
import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from ..errors import Problem, problem
from ..security.markup import plain_text
from ..structure.posts import Post
from ..text import TZ, to_local

#: Fallback date for a feed with no entries (keeps empty feeds reproducible).
EPOCH = datetime(2000, 1, 1, tzinfo=TZ)
#: Entries in a subscription document (and in each archive document) unless configured.
DEFAULT_ITEMS = 50
MAX_ITEMS = 1000
#: Date of the ``tag:`` authority when a network sets none (docs/rollup.md: set it once).
DEFAULT_TAG_DATE = "2026-01-01"
#: Characters of body text an entry without a summary shows instead.
EXCERPT_CHARS = 300
GENERATOR_URI = "https://pypi.org/project/edusite/"
RSS_DOCS = "https://www.rssboard.org/rss-specification"
ATOM_NS = "http://www.w3.org/2005/Atom"
FH_NS = "http://purl.org/syndication/history/1.0"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ARCHIVE_DIR = "-archive"  # feed.xml -> feed-archive/<k>.xml

_URL_ATTR_RE = re.compile(r'(\s(?:href|src)=")([^"#][^"]*)"')
#: Characters XML 1.0 does not allow, even escaped.
_XML_JUNK_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Characters kept as they are in a tag URI's specific part (RFC 4151, RFC 3986 pchar).
_TAG_SAFE = ";/?:@&=+$-_.!~*'(),"
_AUTHORITY_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?,\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@dataclass(frozen=True)
class FeedSettings:
    """A network's feed settings (``extra.network.feeds`` of the base ``mkdocs.yml``)."""

    items: int = DEFAULT_ITEMS  # entries per subscription and archive document
    full_content: bool = False  # entries carry the full body, not only the summary
    authority: str = ""  # tag: authority "<host>,<yyyy-mm-dd>"; "" = the site's host


def unit_feed_settings(network: Any, unit_id: str) -> tuple[FeedSettings, list[Problem]]:
    """:func:`feed_settings` for one unit of ``network``: the ``tag:`` authority defaults to
    the host of the unit's top portal (the Sở); problems name the base ``mkdocs.yml``."""
    top = network.root_unit(unit_id)
    return feed_settings(
        network.settings,
        default_host=urlsplit(top.site_url).hostname or "",
        config_file=network.root / "mkdocs.yml",
    )


def feed_settings(
    settings: dict[str, Any], *, default_host: str, config_file: Any = "mkdocs.yml"
) -> tuple[FeedSettings, list[Problem]]:
    """The network's :class:`FeedSettings` from ``extra.network.feeds`` and the problems found
    (errors naming ``config_file`` and the key; defaults are used where a value is wrong).

    ``default_host`` (the Sở's host) and :data:`DEFAULT_TAG_DATE` make the ``tag:`` authority
    when ``id_authority`` is not set.
    """
    raw = settings.get("feeds") or {}
    problems: list[Problem] = []

    def bad(key: str, vi: str, en: str, severity: str = "error") -> None:
        problems.append(problem(config_file, f"extra.network.feeds.{key}", vi, en, severity))

    if not isinstance(raw, dict):
        problems.append(
            problem(
                config_file,
                "extra.network.feeds",
                "phải là một bảng (items, full_content, id_authority)",
                "must be a mapping (items, full_content, id_authority)",
            )
        )
        raw = {}
    for key in sorted(str(k) for k in set(raw) - {"items", "full_content", "id_authority"}):
        bad(
            key,
            "khóa không được hỗ trợ; dùng: items, full_content, id_authority",
            "unknown key; expected one of: items, full_content, id_authority",
            "warning",
        )
    items = raw.get("items", DEFAULT_ITEMS)
    if isinstance(items, bool) or not isinstance(items, int) or not 1 <= items <= MAX_ITEMS:
        bad(
            "items",
            f"phải là số nguyên từ 1 đến {MAX_ITEMS} (đang là {items!r})",
            f"must be a whole number from 1 to {MAX_ITEMS} (got {items!r})",
        )
        items = DEFAULT_ITEMS
    full = raw.get("full_content", False)
    if not isinstance(full, bool):
        bad("full_content", "phải là true hoặc false", "must be true or false")
        full = False
    host = (default_host or "localhost").lower()
    authority = str(raw.get("id_authority") or f"{host},{DEFAULT_TAG_DATE}").strip()
    if not _AUTHORITY_RE.match(authority):
        bad(
            "id_authority",
            f"cần dạng tên-miền,yyyy-mm-dd, ví dụ lamgiang.edu.vn,2026-01-01 (đang là {authority!r})",
            f"expected domain,yyyy-mm-dd, e.g. lamgiang.edu.vn,2026-01-01 (got {authority!r})",
        )
        authority = f"{host},{DEFAULT_TAG_DATE}"
    return FeedSettings(items, full, authority), problems


def tag_uri(authority: str, unit_id: str, key: str) -> str:
    """``tag:<authority>:<unit>/<key>`` (RFC 4151); characters outside the tag grammar (``#``,
    spaces, non-ASCII) are percent-encoded."""
    return f"tag:{authority}:{quote(unit_id, safe=_TAG_SAFE)}/{quote(key, safe=_TAG_SAFE)}"


def item_key(item_id: str, unit_id: str) -> str:
    """What names a post or document within its unit: its id without the default
    ``urn:edusite:<unit>:`` prefix (the unit is already part of the tag)."""
    prefix = f"urn:edusite:{unit_id}:"
    return item_id[len(prefix) :] if item_id.startswith(prefix) else item_id


def default_authority(site_url: str) -> str:
    """The ``tag:`` authority of a site with no configured one: its host and the default date."""
    return f"{(urlsplit(site_url).hostname or 'localhost').lower()},{DEFAULT_TAG_DATE}"


@dataclass(frozen=True)
class FeedEntry:
    """One feed entry, whatever it came from (a post of this site, a document, a rolled-up item).

    ``id`` is the RSS guid (never changed); ``atom_id`` the Atom id (a ``tag:`` URI, made from
    ``id`` by the writer when empty). ``summary`` is plain text; ``cover_html`` an ``<img>`` of
    the cover (links absolute); ``content_html`` the full body (written only when the network
    asks for full content). ``categories`` are ``(term, label)`` or ``(term, label, scheme)``;
    ``dc`` Dublin Core elements ``(name, value)``; ``source`` ``(name, site URL, feed URL)`` of a
    rolled-up entry's member.
    """

    id: str
    title: str
    link: str  # absolute
    published: datetime
    updated: datetime | None = None
    summary: str = ""
    content_html: str = ""  # links already absolute
    author: str = ""
    categories: tuple[tuple[str, ...], ...] = ()
    enclosure: tuple[str, int, str] | None = None  # (url, length, mime)
    source: tuple[str, str, str] | None = None  # (name, site url, feed url)
    atom_id: str = ""
    cover_html: str = ""
    dc: tuple[tuple[str, str], ...] = ()


def post_entry(post: Post, site_url: str, categories: dict[str, str]) -> FeedEntry:
    """The feed entry of one of this site's posts."""
    link = urljoin(site_url, post.url)
    enclosure = None
    cover = ""
    if post.image:
        size = post.abs_path.parent.joinpath(post.image).stat().st_size if post.abs_path else 0
        mime = mimetypes.guess_type(post.image)[0] or "image/jpeg"
        enclosure = (urljoin(link, post.image), size, mime)
        # Readers (and portals) take the cover's alt text from the HTML; enclosures have none.
        alt = html.escape(post.image_alt, quote=True)
        cover = f'<p><img src="{html.escape(enclosure[0], quote=True)}" alt="{alt}"></p>'
    return FeedEntry(
        id=post.id,
        title=post.title,
        link=link,
        published=post.date,
        updated=post.date,
        summary=post.summary,
        content_html=absolutize(post.content_html, link),
        author=post.author,
        categories=tuple((slug, categories.get(slug, slug)) for slug in post.categories),
        enclosure=enclosure,
        cover_html=cover,
    )


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: which posts, where, and under what title."""

    title: str
    rss_path: str  # site-relative output path, e.g. "feed.xml"
    atom_path: str
    html_url: str  # site-relative page the feed mirrors, e.g. "tin-tuc/" ("" = home page)
    archives: bool = True  # older entries in RFC 5005 archive documents


def absolutize(html_text: str, base_url: str) -> str:
    """Make relative ``href``/``src`` URLs in rendered HTML absolute against ``base_url``."""

    def repl(m: re.Match[str]) -> str:
        url = m.group(2)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
            return m.group(0)
        return f'{m.group(1)}{urljoin(base_url, url)}"'

    return _URL_ATTR_RE.sub(repl, html_text)


def archive_path(path: str, page: int) -> str:
    """Where archive ``page`` (1 = oldest) of the feed at ``path`` lives:
    ``feed.xml`` → ``feed-archive/1.xml``, ``tin-tuc/chuyen-muc/x/atom.xml`` →
    ``tin-tuc/chuyen-muc/x/atom-archive/1.xml``."""
    p = PurePosixPath(path)
    return str(p.parent / f"{p.stem}{ARCHIVE_DIR}" / f"{page}.xml").removeprefix("./")


def archive_pages(total: int, size: int) -> int:
    """How many full archive documents hold the entries a subscription document of ``size``
    leaves out: ``ceil((total - size) / size)``, 0 when everything fits."""
    return max(0, math.ceil((total - size) / size)) if size > 0 else 0


# -- writing ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    text = _XML_JUNK_RE.sub("", text)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _x(text: str) -> str:
    """Text content, escaped for XML."""
    return html.escape(_clean(str(text)), quote=False)


def _a(text: str) -> str:
    """An attribute value, escaped for XML (double quotes)."""
    return html.escape(_clean(str(text)), quote=True)


def _rfc822(when: datetime) -> str:
    return format_datetime(to_local(when).replace(microsecond=0))


def _rfc3339(when: datetime) -> str:
    return to_local(when).replace(microsecond=0).isoformat()


def summary_html(entry: FeedEntry) -> str:
    """What an entry's summary shows: the cover, then the summary (escaped text) or, without
    one, the first words of the body."""
    text = entry.summary or (
        plain_text(entry.content_html, EXCERPT_CHARS) if entry.content_html else ""
    )
    parts = [entry.cover_html] if entry.cover_html else []
    if text:
        parts.append(f"<p>{html.escape(text, quote=False)}</p>")
    return "\n".join(parts)


@dataclass(frozen=True)
class _Doc:
    """One feed document to write (subscription or archive)."""

    title: str
    subtitle: str
    html_url: str
    self_url: str
    feed_id: str
    author: str
    entries: Sequence[FeedEntry]
    current: str = ""  # archives: the subscription document of the same format
    prev_archive: str = ""
    next_archive: str = ""

    @property
    def updated(self) -> datetime:
        return max((e.updated or e.published for e in self.entries), default=EPOCH)


def _rss(doc: _Doc, settings: FeedSettings) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<rss version="2.0" xmlns:atom="{ATOM_NS}" xmlns:content="{CONTENT_NS}" '
        f'xmlns:dc="{DC_NS}"' + (f' xmlns:fh="{FH_NS}"' if doc.current else "") + ">",
        "  <channel>",
        f"    <title>{_x(doc.title)}</title>",
        f"    <link>{_x(doc.html_url)}</link>",
        f"    <description>{_x(doc.subtitle)}</description>",
        f'    <atom:link rel="self" type="application/rss+xml" href="{_a(doc.self_url)}"/>',
    ]
    out += _history_links(doc, "atom:link", "application/rss+xml")
    out += [
        "    <language>vi</language>",
        "    <generator>edusite</generator>",
        f"    <docs>{RSS_DOCS}</docs>",
        f"    <lastBuildDate>{_rfc822(doc.updated)}</lastBuildDate>",
    ]
    if doc.current:
        out.append("    <fh:archive/>")
    for e in doc.entries:
        out.append("    <item>")
        out.append(f"      <title>{_x(e.title)}</title>")
        out.append(f"      <link>{_x(e.link)}</link>")
        summary = summary_html(e)
        if summary:
            out.append(f"      <description>{_x(summary)}</description>")
        if settings.full_content and e.content_html:
            body = "\n".join(p for p in (e.cover_html, e.content_html) if p)
            out.append(f"      <content:encoded>{_x(body)}</content:encoded>")
        out.append(f'      <guid isPermaLink="false">{_x(e.id)}</guid>')
        out.append(f"      <pubDate>{_rfc822(e.published)}</pubDate>")
        if e.author:
            out.append(f"      <dc:creator>{_x(e.author)}</dc:creator>")
        for cat in e.categories:
            domain = f' domain="{_a(cat[2])}"' if len(cat) > 2 and cat[2] else ""
            out.append(f"      <category{domain}>{_x(cat[1] or cat[0])}</category>")
        if e.enclosure:
            url, length, mime = e.enclosure
            out.append(
                f'      <enclosure url="{_a(url)}" length="{int(length)}" type="{_a(mime)}"/>'
            )
        for name, value in e.dc:
            out.append(f"      <dc:{name}>{_x(value)}</dc:{name}>")
        if e.source and e.source[2]:
            out.append(f'      <source url="{_a(e.source[2])}">{_x(e.source[0])}</source>')
        out.append("    </item>")
    out += ["  </channel>", "</rss>", ""]
    return "\n".join(out).encode("utf-8")


def _history_links(doc: _Doc, tag: str, mime: str) -> list[str]:
    """RFC 5005 links: ``current`` (archives), ``prev-archive``, ``next-archive``."""
    out = []
    for rel, href in (
        ("current", doc.current),
        ("prev-archive", doc.prev_archive),
        ("next-archive", doc.next_archive),
    ):
        if href:
            out.append(f'    <{tag} rel="{rel}" type="{mime}" href="{_a(href)}"/>')
    return out


def _atom(doc: _Doc, settings: FeedSettings, authority: str, unit_id: str) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xmlns:dc="{DC_NS}"'
        + (f' xmlns:fh="{FH_NS}"' if doc.current else "")
        + ' xml:lang="vi">',
        f"  <id>{_x(doc.feed_id)}</id>",
        f"  <title>{_x(doc.title)}</title>",
        f"  <subtitle>{_x(doc.subtitle)}</subtitle>",
        f"  <updated>{_rfc3339(doc.updated)}</updated>",
        f'  <link rel="alternate" type="text/html" href="{_a(doc.html_url)}"/>',
        f'  <link rel="self" type="application/atom+xml" href="{_a(doc.self_url)}"/>',
    ]
    out += [f"  {line.strip()}" for line in _history_links(doc, "link", "application/atom+xml")]
    out += [
        f"  <author><name>{_x(doc.author)}</name></author>",
        f'  <generator uri="{GENERATOR_URI}">edusite</generator>',
    ]
    if doc.current:
        out.append("  <fh:archive/>")
    for e in doc.entries:
        entry_id = e.atom_id or tag_uri(authority, unit_id, item_key(e.id, unit_id))
        out.append("  <entry>")
        out.append(f"    <id>{_x(entry_id)}</id>")
        out.append(f"    <title>{_x(e.title)}</title>")
        out.append(f'    <link rel="alternate" type="text/html" href="{_a(e.link)}"/>')
        out.append(f"    <published>{_rfc3339(e.published)}</published>")
        out.append(f"    <updated>{_rfc3339(e.updated or e.published)}</updated>")
        if e.author:
            out.append(f"    <author><name>{_x(e.author)}</name></author>")
        for cat in e.categories:
            scheme = f' scheme="{_a(cat[2])}"' if len(cat) > 2 and cat[2] else ""
            out.append(f'    <category term="{_a(cat[0])}"{scheme} label="{_a(cat[1])}"/>')
        summary = summary_html(e)
        if summary:
            out.append(f'    <summary type="html">{_x(summary)}</summary>')
        if settings.full_content and e.content_html:
            body = "\n".join(p for p in (e.cover_html, e.content_html) if p)
            out.append(f'    <content type="html">{_x(body)}</content>')
        if e.enclosure:
            url, length, mime = e.enclosure
            out.append(
                f'    <link rel="enclosure" type="{_a(mime)}" length="{int(length)}" '
                f'href="{_a(url)}"/>'
            )
        if e.source and e.source[1]:
            out.append(
                f'    <link rel="via" type="text/html" href="{_a(e.source[1])}" '
                f'title="{_a(e.source[0])}"/>'
            )
        for name, value in e.dc:
            out.append(f"    <dc:{name}>{_x(value)}</dc:{name}>")
        out.append("  </entry>")
    out += ["</feed>", ""]
    return "\n".join(out).encode("utf-8")


def feed_files(
    entries: Sequence[FeedEntry],
    spec: FeedSpec,
    *,
    site_url: str,
    description: str,
    settings: FeedSettings | None = None,
    unit_id: str = "",
    author: str = "",
) -> dict[str, bytes]:
    """Every file of one feed, ``{site-relative path: bytes}``: the RSS and Atom subscription
    documents and, when ``entries`` (newest first) are more than :attr:`FeedSettings.items`,
    their RFC 5005 archive documents."""
    settings = settings or FeedSettings()
    authority = settings.authority or default_authority(site_url)
    unit_id = unit_id or _unit_of(site_url)
    size = settings.items
    pages = archive_pages(len(entries), size) if spec.archives else 0
    oldest_first = list(reversed(entries))
    html_url = urljoin(site_url, spec.html_url)
    feed_id = tag_uri(authority, unit_id, spec.atom_path)
    title = spec.title
    subtitle = description or spec.title
    owner = author or title
    out: dict[str, bytes] = {}
    for path, kind in ((spec.rss_path, "rss"), (spec.atom_path, "atom")):

        def url(page: int, path: str = path) -> str:
            return urljoin(site_url, archive_path(path, page) if page else path)

        current = _Doc(
            title,
            subtitle,
            html_url,
            url(0),
            feed_id,
            owner,
            entries[:size],
            prev_archive=url(pages) if pages else "",
        )
        docs = [(path, current)]
        for page in range(1, pages + 1):
            chunk = oldest_first[(page - 1) * size : page * size]
            docs.append(
                (
                    archive_path(path, page),
                    _Doc(
                        f"{title} (lưu trữ {page})",
                        subtitle,
                        html_url,
                        url(page),
                        feed_id,
                        owner,
                        list(reversed(chunk)),
                        current=url(0),
                        prev_archive=url(page - 1) if page > 1 else "",
                        next_archive=url(page + 1) if page < pages else "",
                    ),
                )
            )
        for rel, doc in docs:
            out[rel] = (
                _rss(doc, settings) if kind == "rss" else _atom(doc, settings, authority, unit_id)
            )
    return out


def _unit_of(site_url: str) -> str:
    """A unit id for a site written without one: the last folder of its URL, else its host."""
    parts = [p for p in urlsplit(site_url).path.split("/") if p]
    return parts[-1] if parts else (urlsplit(site_url).hostname or "site")


def build_feed(
    entries: Sequence[FeedEntry],
    spec: FeedSpec,
    *,
    site_url: str,
    description: str,
    settings: FeedSettings | None = None,
    unit_id: str = "",
    author: str = "",
) -> tuple[bytes, bytes]:
    """``(rss_bytes, atom_bytes)`` of the subscription documents of ``entries`` (newest
    first); see :func:`feed_files` for the archives."""
    files = feed_files(
        entries,
        spec,
        site_url=site_url,
        description=description,
        settings=settings,
        unit_id=unit_id,
        author=author,
    )
    return files[spec.rss_path], files[spec.atom_path]


def write_feed(
    site_dir: Path,
    entries: Sequence[FeedEntry],
    spec: FeedSpec,
    *,
    site_url: str,
    description: str,
    settings: FeedSettings | None = None,
    unit_id: str = "",
    author: str = "",
) -> list[str]:
    """Write one feed (RSS + Atom, archives included); return the site-relative paths."""
    files = feed_files(
        entries,
        spec,
        site_url=site_url,
        description=description,
        settings=settings,
        unit_id=unit_id,
        author=author,
    )
    for rel, data in files.items():
        out = site_dir / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return list(files)


def feed_specs(
    site_name: str, categories: dict[str, str], used: Iterable[str] = ()
) -> list[tuple[FeedSpec, str | None]]:
    """The feeds of a site and what they hold: ``(spec, None)`` all news, ``(spec, "*")``
    featured news, ``(spec, slug)`` one category (only those in ``used``)."""
    specs: list[tuple[FeedSpec, str | None]] = [
        (FeedSpec(f"{site_name} - Tin tức", "feed.xml", "atom.xml", "tin-tuc/"), None),
        (
            FeedSpec(f"{site_name} - Tin tiêu biểu", "featured.xml", "featured-atom.xml", ""),
            "*",
        ),
    ]
    chosen = set(used)
    for slug, name in categories.items():
        if slug in chosen:
            base = f"tin-tuc/chuyen-muc/{slug}/"
            specs.append(
                (
                    FeedSpec(f"{site_name} - {name}", base + "feed.xml", base + "atom.xml", base),
                    slug,
                )
            )
    return specs


def write_feeds(
    site_dir: Path,
    posts: Sequence[Post],
    *,
    site_url: str,
    site_name: str,
    description: str,
    categories: dict[str, str],
    settings: FeedSettings | None = None,
    unit_id: str = "",
) -> list[str]:
    """Write all feeds of a site; return their site-relative paths.

    Feeds: ``feed.xml``/``atom.xml`` (all news), ``featured.xml``/``featured-atom.xml``, and for
    each category with posts ``tin-tuc/chuyen-muc/<slug>/feed.xml`` and ``atom.xml``; each with
    its archives (:func:`feed_files`).
    """
    entries = [post_entry(p, site_url, categories) for p in posts]
    used = {c for p in posts for c in p.categories}
    written: list[str] = []
    for spec, which in feed_specs(site_name, categories, used):
        chosen = [
            e
            for e, p in zip(entries, posts, strict=True)
            if which is None or (p.featured if which == "*" else which in p.categories)
        ]
        written += write_feed(
            site_dir,
            chosen,
            spec,
            site_url=site_url,
            description=description,
            settings=settings,
            unit_id=unit_id,
            author=site_name,
        )
    return written


_CATEGORY_PAGE_RE = re.compile(r"^tin-tuc/chuyen-muc/([a-z0-9]+(?:-[a-z0-9]+)*)/")


def page_feeds(
    src_uri: str,
    *,
    site_name: str,
    categories: dict[str, str],
    used: Iterable[str],
    portal: bool = False,
    documents: bool = False,
) -> list[dict[str, str]]:
    """The feeds a page advertises (``<link rel="alternate">``), the most specific first: a
    category page its category's, the home page the featured news, roll-up pages the portal's
    roll-up, document pages the documents feed; every page the site's news."""
    out: list[tuple[str, str, str]] = []
    m = _CATEGORY_PAGE_RE.match(src_uri)
    if m and m.group(1) in set(used) and m.group(1) in categories:
        base = f"tin-tuc/chuyen-muc/{m.group(1)}/"
        out.append((categories[m.group(1)], base + "feed.xml", base + "atom.xml"))
    if src_uri == "index.md":
        out.append(("Tin tiêu biểu", "featured.xml", "featured-atom.xml"))
    if portal and src_uri.startswith("tin-don-vi/"):
        out.append(("Tin từ các đơn vị", "tin-don-vi/feed.xml", "tin-don-vi/atom.xml"))
    if documents and src_uri.startswith("van-ban/"):
        out.append(("Văn bản", "van-ban/feed.xml", "van-ban/atom.xml"))
    out.append(("Tin tức", "feed.xml", "atom.xml"))
    return [{"title": f"{site_name} - {t}", "rss": rss, "atom": atom} for t, rss, atom in out]
