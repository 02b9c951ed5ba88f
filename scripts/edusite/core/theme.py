"""Template data that only the theme needs: identity, colours, home blocks and page metadata.

Kept apart from :mod:`edusite.core.site` so theme work does not touch the build logic. Everything
here is plain data computed from a :class:`~edusite.core.site.SiteState`; the templates only print it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ..text import to_local
from .site import SiteState, post_context

#: Category whose posts the home page lists as notices ("Thông báo").
NOTICE_CATEGORY = "thong-bao"
NOTICE_COUNT = 5

#: Words that name the kind of unit, skipped when making emblem initials.
_KIND_WORDS = {
    "trường", "tiểu", "học", "trung", "cơ", "sở", "phổ", "thông", "mầm", "non", "và",
    "thcs", "thpt", "th", "mn", "phòng", "giáo", "dục", "đào", "tạo", "gdđt", "gd&đt",
    "tỉnh", "huyện", "xã", "phường", "quận",
}  # fmt: skip

#: schema.org type of each unit kind (JSON-LD on the home page).
_ORG_TYPES = {"so": "GovernmentOrganization", "portal": "GovernmentOrganization"}
_SCHOOL_TYPES = {
    "mam-non": "Preschool",
    "tieu-hoc": "ElementarySchool",
    "thcs": "MiddleSchool",
    "thpt": "HighSchool",
}


def initials(name: str, limit: int = 3) -> str:
    """Initials for a generated emblem: "Trường Tiểu học Kim Đồng" → "KĐ" (drops the kind words)."""
    words = [w for w in name.split() if w.lower() not in _KIND_WORDS] or name.split()
    return "".join(w[0].upper() for w in words[-limit:])


# -- colours --------------------------------------------------------------------------------------


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) != 6:
        raise ValueError(f"not a #rrggbb colour: {hex_colour!r}")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: str, b: str, weight: float) -> str:
    """``a`` mixed with ``b``; ``weight`` is the share of ``b`` (0 to 1)."""
    ra, rb = _rgb(a), _rgb(b)
    return _hex(tuple(x + (y - x) * weight for x, y in zip(ra, rb, strict=True)))


def darken_to(colour: str, against: str = "#ffffff", ratio: float = 4.5) -> str:
    """``colour``, darkened in small steps until it reaches ``ratio`` against ``against``."""
    out, step = colour, 0.0
    while contrast(out, against) < ratio and step < 1:
        step += 0.05
        out = mix(colour, "#000000", step)
    return out


def palette(settings: dict[str, Any], unit_raw: dict[str, Any]) -> dict[str, str]:
    """Theme colours, AA-safe: a unit's ``colors`` override the network's ``primary``/``accent``.

    The primary colour is the header band and link colour, so it is darkened where needed to
    reach 4.5:1 against white (white text on it, and it as text on white are the same ratio).
    """
    own = unit_raw.get("colors") if isinstance(unit_raw.get("colors"), dict) else {}
    primary = str(own.get("primary") or settings.get("primary") or "#0b4f8a")
    accent = str(own.get("accent") or settings.get("accent") or "#b3261e")
    try:
        primary, accent = darken_to(primary), darken_to(accent)
    except ValueError:
        primary, accent = "#0b4f8a", "#b3261e"
    return {
        "primary": primary,
        "primary_dark": mix(primary, "#000000", 0.3),
        "primary_tint": mix(primary, "#ffffff", 0.92),
        "accent": accent,
    }


# -- metadata -------------------------------------------------------------------------------------


def absolute(site_url: str, path: str | None) -> str | None:
    """``site_url`` joined with a site-relative ``path``; full URLs pass through."""
    if not path:
        return None
    if path.startswith(("http://", "https://")):
        return path
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def _logo_size(state: SiteState, logo: str | None) -> tuple[int, int] | None:
    """Pixel size of a raster logo inside the docs folder (SVGs and missing files: ``None``)."""
    if not logo or logo.endswith(".svg") or logo.startswith(("http://", "https://")):
        return None
    return _image_size(str(state.docs_dir / logo))


@lru_cache(maxsize=256)
def _image_size(path: str) -> tuple[int, int] | None:
    """Read once per build process: every page of a site asks for the same logo."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            return img.size
    except Exception:  # noqa: BLE001 - a broken logo must not stop the site (the images plugin names it)
        return None


def _org(state: SiteState, logo_url: str | None) -> dict[str, Any]:
    unit = state.unit
    kind = _ORG_TYPES.get(unit.kind) or _SCHOOL_TYPES.get(
        unit.level or "", "EducationalOrganization"
    )
    org: dict[str, Any] = {"@type": kind, "name": unit.name, "url": unit.site_url}
    if logo_url:
        org["logo"] = {"@type": "ImageObject", "url": logo_url}
    return org


def _jsonld(data: dict[str, Any]) -> str:
    """JSON for a ``<script type="application/ld+json">``: readable Vietnamese, no ``</``."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def quick_links(state: SiteState) -> list[dict[str, str]]:
    """The unit's own ``quick_links`` (``[{title, url}]``) then the parent portal and the Sở."""
    out: list[dict[str, str]] = []
    raw = state.unit.raw.get("quick_links")
    if isinstance(raw, list):
        out += [
            {"title": str(q["title"]), "url": str(q["url"])}
            for q in raw
            if isinstance(q, dict) and q.get("title") and q.get("url")
        ]
    seen = {state.unit.id}
    for unit in state.network.ancestors(state.unit.id):
        if unit.id not in seen:
            seen.add(unit.id)
            out.append({"title": unit.name, "url": unit.site_url})
    return out


def theme_context(state: SiteState, src_uri: str) -> dict[str, Any]:
    """Extra data for templates: identity, colours, home blocks and this page's metadata.

    Keys: ``logo`` (+ ``logo_width``/``logo_height``), ``emblem`` (initials), ``section`` (first
    path segment: the active menu entry), ``colors``, ``notices`` (newest ``thong-bao`` posts, home page only),
    ``quick_links``, and for the page: ``description``, ``og_type``, ``og_image``,
    ``og_image_alt``, ``published`` and ``jsonld`` (a JSON string, or ``None``).
    """
    unit = state.unit
    site_url = unit.site_url
    logo = unit.raw.get("logo") if isinstance(unit.raw.get("logo"), str) else None
    size = _logo_size(state, logo)
    logo_url = absolute(site_url, logo)
    section = src_uri.split("/", 1)[0] if "/" in src_uri else src_uri.removesuffix(".md")
    ctx: dict[str, Any] = {
        "logo": logo,
        "logo_width": size[0] if size else None,
        "logo_height": size[1] if size else None,
        "emblem": initials(unit.short_name or unit.name),
        "section": section,
        "colors": palette(state.network.settings, unit.raw),
        "notices": [],
        "quick_links": quick_links(state),
        "description": None,
        "og_type": "website",
        "og_image": logo_url if size else None,
        "og_image_alt": f"Biểu trưng {unit.name}" if size else None,
        "published": None,
        "jsonld": None,
    }
    post = state.post_by_src(src_uri)
    listing = state.listings.get(src_uri)
    if post is not None:
        url = absolute(site_url, post.url)
        image = absolute(site_url, f"{post.url}{post.image}") if post.image else None
        published = to_local(post.date).isoformat()
        article: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": post.title[:110],
            "datePublished": published,
            "dateModified": published,
            "inLanguage": "vi",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "url": url,
            "author": (
                {"@type": "Person", "name": post.author} if post.author else _org(state, None)
            ),
            "publisher": _org(state, logo_url if size else None),
        }
        if post.summary:
            article["description"] = post.summary
        if image:
            article["image"] = [image]
        if post.categories:
            article["articleSection"] = [state.categories.get(c, c) for c in post.categories]
        ctx.update(
            description=post.summary or None,
            og_type="article",
            published=published,
            jsonld=_jsonld(article),
        )
        if image:
            ctx.update(og_image=image, og_image_alt=post.image_alt or post.title)
    elif listing is not None:
        page = f", trang {listing.page}" if listing.page > 1 else ""
        ctx["description"] = f"{listing.title}{page} - {unit.name}"
    elif src_uri == "index.md":
        ctx["notices"] = [post_context(p) for p in state.posts if NOTICE_CATEGORY in p.categories][
            :NOTICE_COUNT
        ]
        home = {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": unit.name,
            "url": site_url,
            "inLanguage": "vi",
            "publisher": _org(state, logo_url if size else None),
        }
        ctx["jsonld"] = _jsonld(home)
        ctx["description"] = f"Trang thông tin điện tử {unit.name}"
    return ctx
