"""Point RSS/Atom feeds at published files (the originals are not published).

Feeds are written by other plugins from post data (cover enclosures, cover images prepended to
the content); this pass rewrites their URLs that name original images or renamed attachments.
Pure text in, text out.
"""

from __future__ import annotations

import html
import re

from .markup import Resolver, absolute_url, site_path, social_variant

_ENCLOSURE_RE = re.compile(r"<(enclosure|link)\b([^>]*)>", re.IGNORECASE)
_FEED_URL_RE = re.compile(r"""\b(src|href)=("|&quot;)(.*?)\2""")


def rewrite_feed(xml: str, resolver: Resolver, default_width: int = 960) -> str:
    """Point feeds at published files: RSS ``<enclosure url>`` and Atom ``<link
    rel="enclosure">`` at the Open Graph JPEG (with its length and type), ``src``/``href`` in
    entry content at a light variant, links to renamed attachments at their new name."""

    def enclosure(m: re.Match[str]) -> str:
        tag, body = m.group(1).lower(), m.group(2)
        if tag == "link" and not re.search(r"""rel\s*=\s*["']enclosure["']""", body):
            return m.group(0)
        attr = "url" if tag == "enclosure" else "href"
        found = re.search(rf"""\b{attr}\s*=\s*"([^"]*)\"""", body)
        path = site_path(html.unescape(found.group(1)), "", resolver.site_url) if found else None
        if not found or not path:
            return m.group(0)
        new_path, length, mime = resolver.links(path), None, None
        match = resolver.images(path) if new_path is None else None
        if match is not None and match.image.src_uri == path:
            variant = social_variant(match.image)
            if variant is not None:
                new_path, length, mime = variant.path, variant.size, variant.mime
        if new_path is None:
            return m.group(0)
        url = html.escape(absolute_url(new_path, resolver.site_url), quote=True)
        body = body[: found.start(1)] + url + body[found.end(1) :]
        if length is not None:
            body = re.sub(r'\blength="\d*"', f'length="{length}"', body)
        if mime is not None:
            body = re.sub(r'\btype="[^"]*"', f'type="{mime}"', body)
        return f"<{m.group(1)}{body}>"

    def content_url(m: re.Match[str]) -> str:
        path = site_path(html.unescape(m.group(3)), "", resolver.site_url)
        if not path:
            return m.group(0)
        new_path = resolver.links(path)
        match = resolver.images(path) if new_path is None else None
        if match is not None and match.image.src_uri == path:
            image = match.image
            if m.group(1) == "src":
                variant = image.nearest("base", image.fallback_format(), default_width)
            else:
                variant = image.largest("base")
            # Images made without full-size variants (a portal's copy of a member's cover: card
            # and Open Graph only) show their Open Graph picture.
            variant = variant or social_variant(image)
            new_path = variant.path if variant else None
        if new_path is None:
            return m.group(0)
        return f"{m.group(1)}={m.group(2)}{absolute_url(new_path, resolver.site_url)}{m.group(2)}"

    return _FEED_URL_RE.sub(content_url, _ENCLOSURE_RE.sub(enclosure, xml))
