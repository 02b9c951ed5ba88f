"""Sanitising untrusted feed HTML and text with nh3 (ammonia), and making URLs absolute.

Aggregated HTML comes from sites we do not control. It goes through an allow-list: no script,
style, iframe, object, form or media elements, no event handlers or style attributes, and only
``http``/``https`` (plus ``mailto``/``tel`` on links) URLs; relative URLs are resolved against
the item's address; every link gets ``rel="noopener noreferrer"``. Text-only fields lose all
markup. Sizes are capped so one huge item cannot bloat a portal.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

from ..text import nfc

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
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
MEDIA_SCHEMES = {"http", "https"}

#: Caps (characters). Content beyond the cap is cut and re-sanitised, so tags stay balanced.
MAX_CONTENT = 64_000
MAX_SUMMARY = 4_000
MAX_SUMMARY_TEXT = 300
MAX_TITLE = 300
MAX_SHORT = 200  # author, category, image alt

_SPACE_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def absolute_url(value: str, base: str, schemes: set[str] = MEDIA_SCHEMES) -> str | None:
    """Return ``value`` made absolute against ``base``, or ``None`` if it is not acceptable.

    Accepted: absolute URLs whose scheme is in ``schemes`` (``http``/``https`` ones need a host),
    and relative URLs when ``base`` is an absolute ``http(s)`` URL.
    """
    value = _CONTROL_RE.sub("", value).strip()
    if not value:
        return None
    try:
        scheme = urlsplit(value).scheme.lower()
        if not scheme:
            if urlsplit(base).scheme.lower() not in ("http", "https"):
                return None
            value = urljoin(base, value)
            scheme = urlsplit(value).scheme.lower()
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    if scheme not in schemes:
        return None
    if scheme in ("http", "https") and not parts.hostname:
        return None
    return value


def origin(url: str) -> str:
    """``scheme://host/`` of ``url``, or ``""``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else ""


def clean_html(fragment: str, base: str, max_chars: int = MAX_CONTENT) -> tuple[str, bool]:
    """Sanitise an HTML fragment; return ``(html, truncated)``.

    URLs in ``href``/``src`` are resolved against ``base`` and dropped unless ``http(s)`` (links
    may also be ``mailto:``/``tel:``).
    """

    def fix_url(tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src"):
            return absolute_url(value, base, LINK_SCHEMES if tag == "a" else MEDIA_SCHEMES)
        return value

    def run(text: str) -> str:
        return nh3.clean(
            text,
            tags=TAGS,
            clean_content_tags=DROP_WITH_CONTENT,
            attributes=ATTRIBUTES,
            attribute_filter=fix_url,
            url_schemes=LINK_SCHEMES,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )

    out = run(nfc(_CONTROL_RE.sub("", fragment))).strip()
    if len(out) <= max_chars:
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


def plain_text(value: str, max_chars: int = MAX_TITLE) -> str:
    """Text with every tag removed and entities decoded, whitespace collapsed, NFC, capped.

    Stripping repeats until stable, so escaped markup (``&lt;script&gt;``) cannot turn back into
    markup once decoded.
    """
    text = nfc(_CONTROL_RE.sub("", value))
    for _ in range(4):
        stripped = html.unescape(nh3.clean(text, tags=set(), clean_content_tags=DROP_WITH_CONTENT))
        if stripped == text:
            break
        text = stripped
    text = _SPACE_RE.sub(" ", nfc(text)).strip()
    return cut(text, max_chars)


def cut(text: str, max_chars: int) -> str:
    """``text`` shortened at a word boundary to at most ``max_chars`` characters, with "…"."""
    if len(text) <= max_chars:
        return text
    head = text[: max_chars - 1]
    if " " in head[max_chars // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,.;:-") + "…"


def first_words(text: str, count: int = 12) -> str:
    """The first ``count`` words of ``text``, with "…" when there were more."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


class _ImgAlt(HTMLParser):
    """Finds the ``alt`` of the first ``<img>`` whose ``src`` is a given URL."""

    def __init__(self, src: str) -> None:
        super().__init__(convert_charrefs=True)
        self.src = src
        self.alt: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and self.alt is None:
            found = dict(attrs)
            if found.get("src") == self.src and found.get("alt"):
                self.alt = found["alt"]


def image_alt(sanitised_html: str, src: str) -> str:
    """The alt text an item's own HTML gives the cover image ``src``, or ``""``."""
    if not src:
        return ""
    finder = _ImgAlt(src)
    finder.feed(sanitised_html)
    return plain_text(finder.alt or "", MAX_SHORT)
