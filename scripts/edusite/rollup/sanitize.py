"""Sanitising untrusted feed HTML and text with nh3 (ammonia), and normalising URLs.

Aggregated HTML comes from sites we do not control. It goes through an allow-list: no script,
style, iframe, object, form or media elements, no event handlers or style attributes, and only
``http``/``https`` (plus ``mailto``/``tel`` on links) URLs; relative URLs are resolved against
the item's address; every link gets ``rel="noopener noreferrer"``. Text-only fields lose all
markup (unescaped and stripped until stable), bidi controls and zero-width characters. Every URL
kept goes through :func:`safe_url`, which re-serialises it percent-encoded, so no stored URL can
break out of an HTML attribute even unescaped. Sizes are capped so one huge item cannot bloat a
portal, and the input given to nh3 is capped too (length and nesting depth: html5ever's cost
grows with the square of the depth), so one hostile item cannot stall a build.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

from ..security import markup, urls
from ..text import nfc
from .model import RollupItem

#: Elements kept (their attributes are limited by :data:`ATTRIBUTES`).
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
#: Elements removed together with everything inside them.
DROP_WITH_CONTENT = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
    "template", "svg", "math", "form", "button", "select", "textarea", "audio", "video",
    "canvas", "head", "title",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
MEDIA_SCHEMES = frozenset({"http", "https"})

#: Caps (characters). Content beyond the cap is cut and re-sanitised, so tags stay balanced.
MAX_CONTENT = 64_000
MAX_SUMMARY = 4_000
MAX_SUMMARY_TEXT = 300
MAX_TITLE = 300
MAX_SHORT = 200  # author, category, image alt, source name
MAX_GUID = 1_000
#: Raw HTML given to nh3 is cut at this many times the output cap first.
RAW_HTML_FACTOR = 4
#: Deeper raw HTML (estimated) is cut where it gets too deep: nh3's cost grows with depth².
MAX_HTML_DEPTH = 128
NO_TITLE = "(Không có tiêu đề)"

_SPACE_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Bidi embeddings/overrides/isolates and marks, zero-width characters, BOM: invisible, and able
#: to make a title read differently from what it is ("Trojan Source").
_INVISIBLE = urls.INVISIBLE
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
#: What text fields lose before anything else: C0/C1 controls except whitespace, DEL, invisibles.
_GUID_JUNK_RE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE}]")


def safe_url(value: str, base: str = "", schemes: frozenset[str] = MEDIA_SCHEMES) -> str | None:
    """:func:`edusite.security.urls.safe_url` with the roll-up's default (media: ``http(s)``
    only) and no site-relative URLs: a feed's relative URLs resolve against ``base`` or go."""
    return urls.safe_url(value, base, schemes)


def absolute_url(value: str, base: str, schemes: frozenset[str] = MEDIA_SCHEMES) -> str | None:
    """Return ``value`` made absolute against ``base``, or ``None`` if it is not acceptable.

    The same as :func:`safe_url` (kept for its callers): the URL comes back re-serialised.
    """
    return safe_url(value, base, schemes)


def origin(url: str) -> str:
    """``scheme://host/`` of ``url`` (made safe), or ``""``."""
    try:
        parts = urlsplit(safe_url(url) or "")
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else ""


def _html_depth_cut(fragment: str) -> int | None:
    """Where ``fragment``'s estimated element depth first passes :data:`MAX_HTML_DEPTH`, or
    ``None``. The estimate counts start tags minus end tags, ignoring void elements and those
    whose end tag is optional (``p``, ``li``, ``td``…): an upper bound for well-formed HTML."""
    depth = 0
    for m in _TAG_RE.finditer(fragment):
        name = m.group(2).lower()
        if name in _VOID or name in _OPTIONAL_END:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > MAX_HTML_DEPTH:
                return m.start()
    return None


_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
_OPTIONAL_END = frozenset(
    {"p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody", "thead", "tfoot",
     "colgroup", "caption", "rb", "rt", "rp"}
)  # fmt: skip


def clean_html(fragment: str, base: str, max_chars: int = MAX_CONTENT) -> tuple[str, bool]:
    """Sanitise an HTML fragment; return ``(html, truncated)``.

    URLs in ``href``/``src`` are resolved against ``base`` and made safe (:func:`safe_url`),
    dropped unless ``http(s)`` (links may also be ``mailto:``/``tel:``); ``alt`` and ``title``
    lose bidi and zero-width characters, as text fields do. The raw fragment is cut
    at :data:`RAW_HTML_FACTOR` × ``max_chars`` characters, and where it nests deeper than
    :data:`MAX_HTML_DEPTH`, before nh3 sees it (``truncated`` is then true).
    """

    def fix_url(tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src"):
            return safe_url(value, base, LINK_SCHEMES if tag == "a" else MEDIA_SCHEMES)
        if attr in ("alt", "title"):  # short text: no bidi or zero-width characters either
            return _INVISIBLE_RE.sub("", value)
        return value

    def run(text: str) -> str:
        return nh3.clean(
            text,
            tags=TAGS,
            clean_content_tags=DROP_WITH_CONTENT,
            attributes=ATTRIBUTES,
            attribute_filter=fix_url,
            url_schemes=set(LINK_SCHEMES),
            link_rel="noopener noreferrer",
            strip_comments=True,
        )

    raw = _CONTROL_RE.sub("", fragment)
    limit = RAW_HTML_FACTOR * max_chars
    truncated = len(raw) > limit
    if truncated:
        raw = raw[:limit]
    deep = _html_depth_cut(raw)
    if deep is not None:
        raw, truncated = raw[:deep], True
    out = run(nfc(raw)).strip()
    if len(out) <= max_chars and not truncated:
        return out, False
    # Cutting may split a tag or entity; sanitising again closes what was left open.
    return run(out[:max_chars] + "…").strip(), True


def text_as_html(text: str, max_chars: int = MAX_CONTENT) -> tuple[str, bool]:
    """Escape plain text (``type="text"`` content) into a paragraph; return ``(html, truncated)``."""
    text = nfc(_CONTROL_RE.sub("", text)).strip()
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars] + "…"
    return (f"<p>{html.escape(text, quote=False)}</p>" if text else ""), truncated


def clean_text(value: str, max_chars: int = MAX_TITLE) -> tuple[str, bool]:
    """:func:`edusite.security.markup.clean_text`, capped at a feed field's length."""
    return markup.clean_text(str(value), max_chars)


def plain_text(value: str, max_chars: int = MAX_TITLE) -> str:
    """The text of :func:`clean_text` (``""`` for a hostile value)."""
    return clean_text(value, max_chars)[0]


def clean_guid(value: str) -> str:
    """An item id: NFC, no control/bidi/zero-width characters, no outer spaces, capped."""
    return nfc(_GUID_JUNK_RE.sub("", str(value))).strip()[:MAX_GUID]


def clean_item(item: RollupItem, *, html: bool = True) -> RollupItem:
    """``item`` cleaned again field by field, as if it had just come from a feed.

    For items read back from a state file: whoever could write that file (a poisoned build
    cache) must not be able to put markup, an unsafe URL or an invisible character on a portal.
    Cleaning is idempotent on items this module produced, so genuine stored items are unchanged.
    ``html=False`` leaves ``summary_html``/``content_html`` alone (nh3 is most of the cost: the
    state loader cleans everything else of every stored item, and :func:`.collect.collect` cleans
    the HTML of the items it returns).
    """
    link = safe_url(item.link) or ""
    source_url = safe_url(item.source_url) or ""
    title = plain_text(item.title, MAX_TITLE) or NO_TITLE
    summary_text = plain_text(item.summary_text, MAX_SUMMARY_TEXT)
    guid = clean_guid(item.guid) or link
    if not guid:
        digest = hashlib.sha256(f"{item.source_id}\n{title}\n{summary_text}".encode()).hexdigest()
        guid = f"urn:edusite:rollup:{item.source_id}:{digest[:24]}"
    categories: list[str] = []
    for raw in item.categories[:20]:
        name = plain_text(raw, MAX_SHORT)
        if name and name not in categories:
            categories.append(name)
    # Twice the caps: stored HTML was already cut once, and must not be cut differently now.
    return replace(
        item,
        guid=guid,
        link=link,
        title=title,
        summary_html=clean_html(item.summary_html, link, 2 * MAX_SUMMARY)[0]
        if html
        else item.summary_html,
        summary_text=summary_text,
        content_html=clean_html(item.content_html, link, 2 * MAX_CONTENT)[0]
        if html
        else item.content_html,
        image=safe_url(item.image) or "",
        image_alt=plain_text(item.image_alt, MAX_SHORT),
        categories=tuple(categories),
        author=plain_text(item.author, MAX_SHORT),
        source_name=plain_text(item.source_name, MAX_SHORT),
        source_url=source_url,
        featured=item.featured if isinstance(item.featured, bool) else None,
    )


def first_words(text: str, count: int = 12) -> str:
    """The first ``count`` words of ``text``, with "…" when there were more."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _same_picture(a: str, b: str) -> bool:
    """Two variants of one photo: the same folder and file stem before the first dot
    (``…/anh-bia.og.3f1c98c0.jpg`` and ``…/anh-bia.960.35eb652e.jpg``: the enclosure and the
    ``<img>`` a site's images plugin points at different sizes of the same cover)."""
    pa, pb = urlsplit(a), urlsplit(b)
    if (pa.netloc, pa.path.rsplit("/", 1)[0]) != (pb.netloc, pb.path.rsplit("/", 1)[0]):
        return False
    stem_a = pa.path.rsplit("/", 1)[-1].split(".", 1)[0]
    stem_b = pb.path.rsplit("/", 1)[-1].split(".", 1)[0]
    return bool(stem_a) and stem_a == stem_b


class _ImgAlt(HTMLParser):
    """Finds the ``alt`` of the first ``<img>`` whose ``src`` is a given URL (else of the first
    showing another size of the same photo)."""

    def __init__(self, src: str) -> None:
        super().__init__(convert_charrefs=True)
        self.src = src
        self.alt: str | None = None
        self.near: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and self.alt is None:
            found = dict(attrs)
            src, alt = found.get("src") or "", found.get("alt")
            if not alt:
                return
            if src == self.src:
                self.alt = alt
            elif self.near is None and _same_picture(src, self.src):
                self.near = alt


def image_alt(sanitised_html: str, src: str) -> str:
    """The alt text an item's own HTML gives the cover image ``src``, or ``""``."""
    if not src:
        return ""
    finder = _ImgAlt(src)
    finder.feed(sanitised_html)
    return plain_text(finder.alt or finder.near or "", MAX_SHORT)
