"""Per-site RSS 2.0 and Atom feeds written with feedgen.

Output is reproducible: entries are added in explicit newest-first order, the feed's
``updated``/``lastBuildDate`` is the newest entry's date (never "now"), and guids are the posts'
stable ids, so moving or retitling a post never republishes it.
"""

from __future__ import annotations

import html
import mimetypes
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from ..structure.posts import Post
from ..text import TZ

#: Fallback date for a feed with no entries (keeps empty feeds reproducible).
EPOCH = datetime(2000, 1, 1, tzinfo=TZ)
_URL_ATTR_RE = re.compile(r'(\s(?:href|src)=")([^"#][^"]*)"')


@dataclass(frozen=True)
class FeedEntry:
    """One feed entry, whatever it came from (a post of this site, a rolled-up item)."""

    id: str
    title: str
    link: str  # absolute
    published: datetime
    updated: datetime | None = None
    summary: str = ""
    content_html: str = ""  # links already absolute
    author: str = ""
    categories: tuple[tuple[str, str], ...] = ()  # (term, label)
    enclosure: tuple[str, int, str] | None = None  # (url, length, mime)
    source: tuple[str, str] | None = None  # (title, url) of the originating site


def post_entry(post: Post, site_url: str, categories: dict[str, str]) -> FeedEntry:
    """The feed entry of one of this site's posts."""
    link = urljoin(site_url, post.url)
    enclosure = None
    content = absolutize(post.content_html, link)
    if post.image:
        size = post.abs_path.parent.joinpath(post.image).stat().st_size if post.abs_path else 0
        mime = mimetypes.guess_type(post.image)[0] or "image/jpeg"
        enclosure = (urljoin(link, post.image), size, mime)
        # Readers (and portals) take the cover's alt text from the content; enclosures have none.
        alt = html.escape(post.image_alt, quote=True)
        content = (
            f'<p><img src="{html.escape(enclosure[0], quote=True)}" alt="{alt}"></p>\n{content}'
        )

    return FeedEntry(
        id=post.id,
        title=post.title,
        link=link,
        published=post.date,
        updated=post.date,
        summary=post.summary,
        content_html=content,
        author=post.author,
        categories=tuple((slug, categories.get(slug, slug)) for slug in post.categories),
        enclosure=enclosure,
    )


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: which posts, where, and under what title."""

    title: str
    rss_path: str  # site-relative output path, e.g. "feed.xml"
    atom_path: str
    html_url: str  # site-relative page the feed mirrors, e.g. "tin-tuc/"


def absolutize(html: str, base_url: str) -> str:
    """Make relative ``href``/``src`` URLs in rendered HTML absolute against ``base_url``."""

    def repl(m: re.Match[str]) -> str:
        url = m.group(2)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
            return m.group(0)
        return f'{m.group(1)}{urljoin(base_url, url)}"'

    return _URL_ATTR_RE.sub(repl, html)


def build_feed(
    entries: Sequence[FeedEntry], spec: FeedSpec, *, site_url: str, description: str
) -> tuple[bytes, bytes]:
    """Return ``(rss_bytes, atom_bytes)`` for ``entries`` (already sorted newest first)."""
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(urljoin(site_url, spec.atom_path))
    fg.title(spec.title)
    fg.subtitle(description or spec.title)
    fg.link(href=urljoin(site_url, spec.html_url), rel="alternate")
    fg.link(href=urljoin(site_url, spec.atom_path), rel="self")
    fg.language("vi")
    fg.generator("edusite", uri="https://pypi.org/project/edusite/")
    # Sets Atom <updated> and RSS <lastBuildDate>; feedgen would otherwise stamp "now".
    fg.updated(max((e.updated or e.published for e in entries), default=EPOCH))
    for entry in entries:
        fe = fg.add_entry(order="append")
        fe.id(entry.id)
        fe.guid(entry.id, permalink=False)
        fe.title(entry.title)
        fe.link(href=entry.link)
        fe.published(entry.published)
        fe.updated(entry.updated or entry.published)
        if entry.summary:
            # Text, in a field readers take as HTML (RSS description, Atom summary type=html):
            # escaped, so it shows as the same text and never becomes markup.
            fe.summary(html.escape(entry.summary, quote=False), type="html")
        if entry.content_html:
            fe.content(entry.content_html, type="CDATA")
        if entry.author:
            fe.author(name=entry.author)
            fe.dc.dc_creator(entry.author)
        for term, label in entry.categories:
            fe.category(term=term, label=label)
        if entry.enclosure:
            url, length, mime = entry.enclosure
            fe.enclosure(url, str(length), mime)
        if entry.source:
            fe.source(title=entry.source[0], url=entry.source[1])
    return fg.rss_str(pretty=True), fg.atom_str(pretty=True)


def write_feed(
    site_dir: Path, entries: Sequence[FeedEntry], spec: FeedSpec, *, site_url: str, description: str
) -> list[str]:
    """Write one RSS + Atom pair; return their site-relative paths."""
    rss, atom = build_feed(entries, spec, site_url=site_url, description=description)
    for rel, data in ((spec.rss_path, rss), (spec.atom_path, atom)):
        out = site_dir / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return [spec.rss_path, spec.atom_path]


def write_feeds(
    site_dir: Path,
    posts: Sequence[Post],
    *,
    site_url: str,
    site_name: str,
    description: str,
    categories: dict[str, str],
) -> list[str]:
    """Write all feeds of a site; return their site-relative paths.

    Feeds: ``feed.xml``/``atom.xml`` (all news), ``featured.xml``/``featured-atom.xml``, and for
    each category with posts ``tin-tuc/chuyen-muc/<slug>/feed.xml`` and ``atom.xml``.
    """
    written: list[str] = []
    specs: list[tuple[FeedSpec, Iterable[Post]]] = [
        (FeedSpec(f"{site_name} - Tin tức", "feed.xml", "atom.xml", "tin-tuc/"), posts),
        (
            FeedSpec(
                f"{site_name} - Tin tiêu biểu", "featured.xml", "featured-atom.xml", "tin-tuc/"
            ),
            [p for p in posts if p.featured],
        ),
    ]
    for slug, name in categories.items():
        chosen = [p for p in posts if slug in p.categories]
        if chosen:
            base = f"tin-tuc/chuyen-muc/{slug}/"
            specs.append(
                (
                    FeedSpec(f"{site_name} - {name}", base + "feed.xml", base + "atom.xml", base),
                    chosen,
                )
            )
    for spec, chosen in specs:
        entries = [post_entry(p, site_url, categories) for p in chosen]
        written += write_feed(site_dir, entries, spec, site_url=site_url, description=description)
    return written
