"""Untrusted HTML and text: page bodies through an nh3 allow-list, text fields with no markup.

Post and page bodies are written by unit editors (Markdown, which lets raw HTML through). After
Markdown has made HTML, :func:`sanitize_body` keeps what school pages need — headings, tables,
figures, lists, footnotes, details, images, audio/video, links — and removes everything that
could run code or change the page around it: scripts, styles, forms, ``on*`` handlers,
``javascript:``/``data:`` URLs, SVG/MathML (mutation-XSS vehicles), ``<base>``/``<meta>``.
Iframes survive only from the embed hosts in ``mkdocs.yml`` and become a click-to-load
placeholder (:func:`embed_placeholder`): nothing third-party loads until the reader asks.

:func:`plain_text` is for fields that are text by definition (titles, summaries, names): every
tag is removed and every escape decoded until nothing changes, so text escaped five times cannot
turn back into markup later; bidi overrides and zero-width characters are dropped.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

import nh3

from .urls import INVISIBLE, LINK, WEB, safe_url

#: Iframe hosts allowed by default (plugin option ``embed_hosts`` replaces the list).
EMBED_HOSTS = (
    "www.youtube.com",
    "youtube.com",
    "www.youtube-nocookie.com",
    "player.vimeo.com",
    "www.facebook.com",
    "www.google.com",
    "docs.google.com",
    "drive.google.com",
)

#: Elements kept in bodies (their attributes are limited by :data:`ATTRIBUTES`).
TAGS = frozenset(
    nh3.ALLOWED_TAGS - {"map", "area"}  # image maps: extra link targets nobody writes by hand
    | {"iframe", "video", "audio", "source", "track", "figure", "figcaption", "details", "summary"}
)
#: Elements removed with everything inside them.
DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "object", "embed", "applet", "noscript", "template", "svg", "math",
        "textarea", "select", "option", "head", "title", "frame", "frameset", "noembed",
        "noframes", "xmp", "plaintext",
    }
)  # fmt: skip
_GLOBAL = {"id", "class", "title", "lang", "style"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL,
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers", "align"},
    "th": {"colspan", "rowspan", "headers", "scope", "align"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "ins": {"cite", "datetime"},
    "del": {"cite", "datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "details": {"open"},
    "iframe": {"src", "width", "height", "allowfullscreen"},
    "video": {"src", "controls", "width", "height", "poster", "preload", "loop", "muted"},
    "audio": {"src", "controls", "preload", "loop"},
    "source": {"src", "type", "media"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "abbr": set(),
    "bdo": {"dir"},
}
#: CSS properties a ``style`` attribute may keep (Word and table alignment use these).
STYLE_PROPERTIES = frozenset(
    {
        "text-align", "vertical-align", "width", "height", "max-width", "color",
        "background-color", "font-weight", "font-style", "text-decoration", "margin-left",
        "padding-left", "border", "border-collapse",
    }
)  # fmt: skip
_URL_ATTRS = {"href", "src", "cite", "poster"}

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE_RE = re.compile(r"\s+")
_IFRAME_RE = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.DOTALL)
_ATTR_RE = re.compile(r'([a-zA-Z][\w:-]*)(?:="([^"]*)")?')


def _attribute_filter(hosts: frozenset[str]):  # type: ignore[no-untyped-def]
    def keep(tag: str, attr: str, value: str) -> str | None:
        if attr in _URL_ATTRS:
            if tag == "iframe":
                return embed_src(value, hosts)
            url = safe_url(html.unescape(value), schemes=LINK if tag == "a" else WEB, relative=True)
            return url
        if attr == "id" and value.startswith("__"):  # Material's own ids (__drawer, __config)
            return None
        return value

    return keep


def embed_src(value: str, hosts: Iterable[str]) -> str | None:
    """``value`` if it is an ``https`` URL on one of the allowed embed ``hosts``, else ``None``."""
    url = safe_url(html.unescape(value), schemes=frozenset({"https"}), relative=False)
    if url is None:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return url if host in set(hosts) else None


def sanitize_body(fragment: str, embed_hosts: Iterable[str] = EMBED_HOSTS) -> str:
    """The body HTML of an untrusted page, reduced to the allow-list; iframes from
    ``embed_hosts`` become click-to-load placeholders, other iframes disappear."""
    hosts = frozenset(h.lower() for h in embed_hosts)
    cleaned = nh3.clean(
        _CONTROL_RE.sub("", fragment),
        tags=set(TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        attribute_filter=_attribute_filter(hosts),
        url_schemes=set(LINK),
        link_rel=None,  # no target=_blank survives; the referrer policy covers the rest
        strip_comments=True,
        filter_style_properties=set(STYLE_PROPERTIES),
    )
    if "<iframe" in cleaned:
        cleaned = _IFRAME_RE.sub(lambda m: embed_placeholder(_attrs(m.group(1))), cleaned)
    return cleaned


def _attrs(text: str) -> dict[str, str]:
    """Attributes of a tag as nh3 serialises them (double-quoted, escaped)."""
    return {k.lower(): html.unescape(v or "") for k, v in _ATTR_RE.findall(text)}


def embed_placeholder(attrs: dict[str, str]) -> str:
    """What an allowed iframe becomes: a link to the embedded page that the theme's script turns
    into the iframe when clicked (``data-es-embed``). An iframe without an allowed ``src`` is
    dropped."""
    src = attrs.get("src") or ""
    if not src:
        return ""
    host = urlsplit(src).hostname or ""
    title = plain_text(attrs.get("title") or "", 200) or "Nội dung nhúng"
    esc = html.escape
    size = ""
    for key in ("width", "height"):
        if attrs.get(key, "").isdigit():
            size += f' data-es-{key}="{esc(attrs[key])}"'
    return (
        f'<div class="es-embed" data-es-embed="{esc(src)}" data-es-title="{esc(title)}"{size}>'
        f'<a class="es-embed__link" href="{esc(src)}" rel="noopener noreferrer">'
        f"{esc(title)}: bấm để xem (nội dung từ {esc(host)})</a></div>"
    )


#: Rounds of "strip tags, decode entities" before a text field is declared hostile.
MAX_TEXT_ROUNDS = 32
#: What text fields lose before anything else: C0/C1 controls except whitespace, DEL, invisibles.
_TEXT_JUNK_RE = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{INVISIBLE}]")
_TEXT_DROP = frozenset({"script", "style", "template", "noscript", "svg", "math", "title"})


@lru_cache(maxsize=4096)
def clean_text(value: str, max_chars: int = 0) -> tuple[str, bool]:
    """``(text, ok)``: ``value`` with every tag removed (scripts and styles with their content)
    and every character reference decoded, repeated until nothing changes, then control, bidi
    and zero-width characters removed, whitespace collapsed, NFC, cut to ``max_chars`` at a
    word boundary (0: no cut).

    Stripping repeats until stable, so markup escaped any number of times (``&amp;lt;script``…)
    cannot turn back into markup once decoded; a value still changing after
    :data:`MAX_TEXT_ROUNDS` rounds is hostile: ``("", False)``. With a cut, only the first
    ``max(1024, 8 × max_chars)`` characters are looked at (each round is an nh3 pass).
    """
    if max_chars:
        value = value[: max(1024, 8 * max_chars)]
    text = unicodedata.normalize("NFC", _TEXT_JUNK_RE.sub("", value))
    for _ in range(MAX_TEXT_ROUNDS):
        if "<" not in text and "&" not in text:
            break  # nothing to strip or decode: stable
        if "<" in text:
            text_only = nh3.clean(text, tags=set(), clean_content_tags=set(_TEXT_DROP))
        else:  # no tag to strip: nh3 would only decode and re-escape, as unescape() decodes
            text_only = text
        stripped = unicodedata.normalize("NFC", _TEXT_JUNK_RE.sub("", html.unescape(text_only)))
        if stripped == text:
            break
        text = stripped
    else:
        return "", False
    text = _SPACE_RE.sub(" ", text).strip()
    return (cut(text, max_chars) if max_chars else text), True


def plain_text(value: str, max_chars: int = 0) -> str:
    """The text of :func:`clean_text` (``""`` for a hostile value)."""
    return clean_text(value, max_chars)[0]


def cut(text: str, max_chars: int) -> str:
    """``text`` shortened at a word boundary to at most ``max_chars`` characters, with "…"."""
    if len(text) <= max_chars:
        return text
    head = text[: max_chars - 1]
    if " " in head[max_chars // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,.;:-") + "…"
