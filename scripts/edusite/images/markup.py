"""Rewrite built HTML so pages use the processed images. Pure text in, text out; no MkDocs.

Only the tags that need a change are rebuilt (``<img>``, ``<a>``/``<link>`` ``href``,
``<meta>`` Open Graph images, JSON-LD image URLs); everything else is left byte for byte. Tags
are found with a quote-aware pattern and their attributes read with :mod:`html.parser`, so
``alt="a > b"`` or entities do not confuse it. Scripts and styles are skipped.

Two passes:

* :func:`rewrite_body` (page body, before feeds keep it): ``src`` points at a light fallback
  variant with ``width``/``height``, links to originals point at a published variant, images
  without ``alt`` are reported.
* :func:`rewrite_page` (final page): each image becomes ``<picture>`` with a WebP ``<source>``
  and a fallback ``<img srcset>``, lazy except the first image of the content (the LCP
  candidate: ``fetchpriority="high"``); ``og:image``/``twitter:image`` point at the 1200x630
  variant.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlsplit

from .pipeline import ImageRecord, Variant

#: Tags we look at; scripts and styles are skipped to their end tag.
_TAG_RE = re.compile(
    r"""<(/?)(img|a|link|meta|picture|script|style)\b((?:[^>"']|"[^"]*"|'[^']*')*)>""",
    re.IGNORECASE,
)
_END_SCRIPT = re.compile(r"</script", re.IGNORECASE)
_END_STYLE = re.compile(r"</style", re.IGNORECASE)
_CONTENT_RE = re.compile(r'data-md-component="content"|<main\b', re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_JSON_URL_RE = re.compile(r'"(https?://[^"\s]+)"')
_OG_IMAGE = {"og:image", "og:image:url", "og:image:secure_url", "twitter:image"}

Attrs = list[tuple[str, str | None]]


@dataclass(frozen=True)
class Match:
    """An image a URL points at, and which variant group it asked for."""

    image: ImageRecord
    group: str = "base"


@dataclass
class Resolver:
    """How URLs found in a page map to processed files (all paths site-relative)."""

    images: Callable[[str], Match | None]
    links: Callable[[str], str | None] = lambda path: None  # href target -> new path
    site_url: str = ""


@dataclass(frozen=True)
class ClassRule:
    """What an ``<img class="…">`` asks for: a crop (``card``/``thumb``) and/or ``sizes``."""

    crop: str | None = None
    sizes: str | None = None


#: ``sizes`` come from the theme's layout, never from a file's width: for each image class, the
#: width its box has at each breakpoint of ``shared-theme/assets/edusite.css`` and Material 9.7
#: (breakpoints in px, as media queries count them: 720 = 44.9375em, 961 = 60em, 1220 = 76.25em,
#: 1600 and 2000 where Material's root font grows from 20 to 22 and 24 px). Each rule is an
#: upper bound of the box (never smaller: a browser would fetch too small a picture) and close to
#: it; ``tests/test_browser.py`` measures every class in Chromium from 300 to 2,600 px wide.
#:
#: The reading column of posts and text pages: 100vw - 2 x .8rem margins, at most 46rem.
READING = (
    "(min-width: 2000px) 1104px, (min-width: 1600px) 1012px, (min-width: 952px) 920px, "
    "calc(100vw - 32px)"
)
#: Post cards in lists (news, categories, archives, roll-ups): a 7rem thumbnail on phones, then
#: 2, 3 or 4 columns of at least 14rem.
CARD_LIST = (
    "(min-width: 2000px) 335px, (min-width: 1600px) 307px, (min-width: 1220px) 279px, "
    "(min-width: 920px) calc(33.4vw - 26px), (min-width: 720px) calc(50vw - 29px), 140px"
)
#: Cards of the home page: beside the notices and links from 961 px (17rem aside).
CARD_HOME = (
    "(min-width: 2000px) 472px, (min-width: 1600px) 433px, (min-width: 1220px) 393px, "
    "(min-width: 961px) calc(50vw - 214px), (min-width: 860px) calc(33.4vw - 26px), "
    "(min-width: 720px) calc(50vw - 29px), 140px"
)
#: "Tin liên quan" below a post: two columns of the reading column.
CARD_RELATED = (
    "(min-width: 2000px) 537px, (min-width: 1600px) 492px, (min-width: 952px) 447px, "
    "(min-width: 720px) calc(50vw - 29px), 140px"
)
#: The home page's lead picture: the full column on phones, 3/5 of it from 961 px.
LEAD = (
    "(min-width: 2000px) 856px, (min-width: 1600px) 785px, (min-width: 1220px) 713px, "
    "(min-width: 961px) calc(60vw - 18px), calc(100vw - 32px)"
)
#: Album thumbnails: columns of at least 9rem.
GALLERY = (
    "(min-width: 2000px) 228px, (min-width: 1600px) 209px, (min-width: 1220px) 190px, "
    "(min-width: 600px) 250px, (min-width: 410px) calc(50vw - 21px), calc(100vw - 32px)"
)

#: Classes of the shared theme and of album pages (plugin option ``classes`` adds/overrides).
#: A card names its place first (``es-card__img--home es-card__img``): the first class with a
#: rule decides.
DEFAULT_CLASSES: dict[str, ClassRule] = {
    "es-card__img--home": ClassRule("card", CARD_HOME),
    "es-card__img--related": ClassRule("card", CARD_RELATED),
    "es-card__img": ClassRule("card", CARD_LIST),
    "es-lead__img": ClassRule("card", LEAD),
    "es-gallery__img": ClassRule("thumb", GALLERY),
    "es-brand__logo": ClassRule(None, "64px"),
}


@dataclass
class Options:
    """Markup choices (plugin options)."""

    default_width: int = 960
    sizes: str = READING
    classes: dict[str, ClassRule] = field(default_factory=lambda: dict(DEFAULT_CLASSES))

    def rule(self, attrs: Attrs) -> ClassRule | None:
        for name in (get(attrs, "class") or "").split():
            if name in self.classes:
                return self.classes[name]
        return None


@dataclass
class BodyResult:
    """The rewritten body and the ``src`` of images that have no text alternative."""

    html: str
    missing_alt: list[str] = field(default_factory=list)


# -- URLs -------------------------------------------------------------------------------------


def page_dir(page_url: str) -> str:
    """The folder a page's relative URLs start from (``""`` for the site root)."""
    if page_url in ("", ".", "./"):
        return ""
    return page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"


def site_path(url: str, page_url: str, site_url: str = "") -> str | None:
    """The site-relative file path ``url`` points at from ``page_url``, or ``None`` when it
    leaves the site (another host, ``data:``, ``mailto:``, a bare ``#anchor``)."""
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    parts = urlsplit(url)
    if parts.scheme or url.startswith("//"):
        base = urlsplit(site_url)
        if not site_url or parts.netloc != base.netloc or parts.scheme not in ("http", "https"):
            return None
        prefix = base.path or "/"
        if not parts.path.startswith(prefix):
            return None
        path = parts.path[len(prefix) :]
    elif url.startswith("/"):
        prefix = urlsplit(site_url).path or "/"
        if not parts.path.startswith(prefix):
            return None
        path = parts.path[len(prefix) :]
    else:
        path = posixpath.normpath(page_dir(page_url) + parts.path)
        if path.startswith("../") or path == "..":
            return None
    return unquote(path).lstrip("/")


def relative_url(path: str, page_url: str) -> str:
    """URL of site-relative ``path`` as seen from ``page_url``."""
    return quote(posixpath.relpath(path, page_dir(page_url) or "."), safe="/-._~")


def absolute_url(path: str, site_url: str) -> str:
    return site_url.rstrip("/") + "/" + quote(path, safe="/-._~") if site_url else "/" + path


# -- tags -------------------------------------------------------------------------------------


class _TagParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: Attrs = []

    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        self.attrs = attrs

    handle_startendtag = handle_starttag


def parse_attrs(tag: str) -> Attrs:
    """Attributes of one start tag, entities decoded, in source order (a new list: callers
    edit it)."""
    return list(_parse_attrs(tag))


@lru_cache(maxsize=8192)  # the logo, meta and menu tags repeat on every page of a site
def _parse_attrs(tag: str) -> tuple[tuple[str, str | None], ...]:
    parser = _TagParser()
    parser.feed(tag)
    parser.close()
    return tuple(parser.attrs)


def get(attrs: Attrs, name: str) -> str | None:
    for k, v in attrs:
        if k == name:
            return v if v is not None else ""
    return None


def put(attrs: Attrs, name: str, value: str | None) -> None:
    """Set (``value`` not None) or remove an attribute, keeping the position of the first."""
    idx = next((i for i, (k, _v) in enumerate(attrs) if k == name), None)
    attrs[:] = [a for a in attrs if a[0] != name]
    if value is not None:
        attrs.insert(len(attrs) if idx is None else idx, (name, value))


def build_tag(name: str, attrs: Attrs) -> str:
    body = "".join(
        f" {k}" if v is None else f' {k}="{html.escape(v, quote=True)}"' for k, v in attrs
    )
    return f"<{name}{body}>"


def _iter_tags(text: str):
    """Yield ``(match, closing, name)`` for the tags of interest, skipping script/style bodies
    (``<script type="application/ld+json">`` bodies are yielded as name ``"ld+json"``)."""
    pos = 0
    while True:
        m = _TAG_RE.search(text, pos)
        if not m:
            return
        closing, name = m.group(1) == "/", m.group(2).lower()
        pos = m.end()
        if name in ("script", "style") and not closing:
            found = (_END_SCRIPT if name == "script" else _END_STYLE).search(text, pos)
            end = found.start() if found else len(text)
            if name == "script" and "ld+json" in m.group(3).lower():
                yield (m.start(), pos, end), False, "ld+json"
            pos = end
            continue
        yield m, closing, name


# -- shared decisions -------------------------------------------------------------------------


def _group(attrs: Attrs, match: Match, opts: Options) -> str:
    rule = opts.rule(attrs)
    if rule and rule.crop and match.image.group(rule.crop):
        return rule.crop
    return match.group if match.group in ("card", "thumb") else "base"


def _box(attrs: Attrs, image: ImageRecord, group: str) -> tuple[int, int, bool]:
    """``(width, height, author_sized)`` for the ``<img>``: the variant's own size unless the
    author set a display size. Sizes of the original file and of any variant (the first pass
    writes the largest one's) are not the author's: they are replaced, and ``sizes`` then comes
    from the layout (a 4,000-px photo used to get ``sizes="1600px"``)."""
    top = image.largest(group)
    w, h = (top.width, top.height) if top else (image.width, image.height)
    aw, ah = _int(get(attrs, "width")), _int(get(attrs, "height"))
    stale = {image.original, image.original[::-1], (image.width, image.height)}
    stale |= {(v.width, v.height) for v in image.variants}
    if aw and ah and (aw, ah) not in stale:
        return aw, ah, True
    if aw and not ah and (aw, aw) not in stale:
        return aw, max(1, round(aw * h / w)), True
    return w, h, False


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip().removesuffix("px")) if value else None
    except ValueError:
        return None


def _srcset(variants: list[Variant], page_url: str) -> str:
    return ", ".join(f"{relative_url(v.path, page_url)} {v.width}w" for v in variants)


# -- pass 1: the page body --------------------------------------------------------------------


def rewrite_body(text: str, page_url: str, resolver: Resolver, opts: Options) -> BodyResult:
    """Point body images at light variants, links at published files; report missing alt."""
    out: list[str] = []
    pos = 0
    missing: list[str] = []
    for m, closing, name in _iter_tags(text):
        if closing or name not in ("img", "a", "link") or isinstance(m, tuple):
            continue
        attrs = parse_attrs(m.group(0))
        new: str | None = None
        if name == "img":
            alt = get(attrs, "alt")
            if alt is None or not alt.strip():
                missing.append(get(attrs, "src") or "")
            new = _body_img(attrs, page_url, resolver, opts)
        else:
            new = _link(name, attrs, page_url, resolver)
        if new is not None:
            out += [text[pos : m.start()], new]
            pos = m.end()
    out.append(text[pos:])
    return BodyResult("".join(out), missing)


def _body_img(attrs: Attrs, page_url: str, resolver: Resolver, opts: Options) -> str | None:
    src = get(attrs, "src")
    path = site_path(src, page_url, resolver.site_url) if src else None
    match = resolver.images(path) if path else None
    if match is None:
        return None
    group = _group(attrs, match, opts)
    image = match.image
    variant = image.nearest(group, image.fallback_format(group), opts.default_width)
    if variant is None:
        return None
    w, h, _author = _box(attrs, image, group)
    put(attrs, "src", relative_url(variant.path, page_url))
    put(attrs, "width", str(w))
    put(attrs, "height", str(h))
    return build_tag("img", attrs)


def _link(name: str, attrs: Attrs, page_url: str, resolver: Resolver) -> str | None:
    href = get(attrs, "href")
    path = site_path(href, page_url, resolver.site_url) if href else None
    if not path:
        return None
    target = resolver.links(path)
    if target is None:
        match = resolver.images(path)
        if match is None or match.image.src_uri != path:
            return None  # not a link to an original (variants are already published)
        top = match.image.largest("base")
        target = top.path if top else None
    if target is None or target == path:
        return None
    fragment = urlsplit(href or "").fragment
    put(attrs, "href", relative_url(target, page_url) + (f"#{fragment}" if fragment else ""))
    return build_tag(name, attrs)


# -- pass 2: the whole page -------------------------------------------------------------------


def rewrite_page(text: str, page_url: str, resolver: Resolver, opts: Options) -> str:
    """``<picture>``/``srcset`` for every processed image, lazy loading, social images."""
    found = _CONTENT_RE.search(text)
    content_start = found.start() if found else 0
    out: list[str] = []
    pos = 0
    in_picture = 0
    first_seen = False
    og: Variant | None = None
    for m, closing, name in _iter_tags(text):
        if name == "ld+json":
            start, body_start, end = m  # type: ignore[misc]
            body = text[body_start:end]
            new_body = _JSON_URL_RE.sub(lambda j: _json_url(j, resolver), body)
            if new_body != body:
                out += [text[pos:body_start], new_body]
                pos = end
            continue
        if name == "picture":
            in_picture += -1 if closing else 1
            continue
        if closing:
            continue
        new: str | None = None
        if name == "img":
            in_content = m.start() >= content_start
            is_first = in_content and not first_seen
            first_seen = first_seen or in_content
            if not in_picture:
                attrs = parse_attrs(m.group(0))
                new = _picture(attrs, page_url, resolver, opts, is_first, in_content)
        elif name in ("a", "link"):
            if _maybe_file(m.group(3)):
                new = _link(name, parse_attrs(m.group(0)), page_url, resolver)
        elif name == "meta" and "image" in m.group(3):
            new, og = _meta(parse_attrs(m.group(0)), resolver, og)
        if new is not None:
            out += [text[pos : m.start()], new]
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


@lru_cache(maxsize=8192)  # menus and footers repeat the same links on every page
def _maybe_file(raw_attrs: str) -> bool:
    """Cheap pre-filter: does an ``href`` look like it names a file (has an extension)?"""
    m = re.search(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", raw_attrs, re.IGNORECASE)
    if not m:
        return False
    path = urlsplit(html.unescape(next(g for g in m.groups() if g is not None))).path
    return "." in posixpath.basename(path)


def _picture(
    attrs: Attrs, page_url: str, resolver: Resolver, opts: Options, first: bool, in_content: bool
) -> str | None:
    src = get(attrs, "src")
    if not src or get(attrs, "srcset") is not None:
        return None
    path = site_path(src, page_url, resolver.site_url)
    match = resolver.images(path) if path else None
    if match is None:
        return None
    image = match.image
    group = _group(attrs, match, opts)
    fallback = image.fallback_format(group)
    w, h, author_sized = _box(attrs, image, group)
    put(attrs, "width", str(w))
    put(attrs, "height", str(h))
    if first:
        put(attrs, "loading", None)
        put(attrs, "decoding", None)
        put(attrs, "fetchpriority", "high")
    elif in_content:
        put(attrs, "loading", "lazy")
        put(attrs, "decoding", "async")
        if get(attrs, "fetchpriority") == "high":
            put(attrs, "fetchpriority", None)
    else:
        put(attrs, "decoding", "async")
    if image.animated and group == "base":
        anim = image.group("base")
        put(attrs, "src", relative_url(anim[-1].path, page_url))
        return build_tag("img", attrs)
    webp, fb = image.group(group, "webp"), image.group(group, fallback)
    default = image.nearest(group, fallback, opts.default_width)
    if not webp or not fb or default is None:
        return None
    rule = opts.rule(attrs)
    sizes = (
        get(attrs, "sizes")
        or (rule.sizes if rule else None)
        or (f"{w}px" if author_sized else opts.sizes)
    )
    put(attrs, "src", relative_url(default.path, page_url))
    put(attrs, "srcset", _srcset(fb, page_url))
    put(attrs, "sizes", sizes)
    source = build_tag(
        "source", [("type", "image/webp"), ("srcset", _srcset(webp, page_url)), ("sizes", sizes)]
    )
    return f"<picture>{source}{build_tag('img', attrs)}</picture>"


def social_variant(image: ImageRecord) -> Variant | None:
    og = image.group("og")
    return og[-1] if og else image.largest("base")


def _meta(
    attrs: Attrs, resolver: Resolver, og: Variant | None
) -> tuple[str | None, Variant | None]:
    prop = (get(attrs, "property") or get(attrs, "name") or "").lower()
    content = get(attrs, "content")
    if content is None:
        return None, og
    if prop in _OG_IMAGE:
        path = site_path(content, "", resolver.site_url)
        match = resolver.images(path) if path else None
        variant = social_variant(match.image) if match else None
        if variant is None:
            return None, og
        put(attrs, "content", absolute_url(variant.path, resolver.site_url))
        return build_tag("meta", attrs), (variant if prop.startswith("og:") else og)
    if og is not None and prop in ("og:image:width", "og:image:height"):
        value = str(og.width if prop.endswith("width") else og.height)
        if value != content:
            put(attrs, "content", value)
            return build_tag("meta", attrs), og
    if og is not None and prop == "og:image:type" and content != og.mime:
        put(attrs, "content", og.mime)
        return build_tag("meta", attrs), og
    return None, og


def _json_url(m: re.Match[str], resolver: Resolver) -> str:
    path = site_path(m.group(1), "", resolver.site_url)
    match = resolver.images(path) if path else None
    variant = social_variant(match.image) if match else None
    if variant is None:
        return m.group(0)
    return f'"{absolute_url(variant.path, resolver.site_url)}"'
