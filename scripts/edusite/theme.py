"""Template data that only the theme needs (logo, emblem, active menu entry).

Kept apart from :mod:`edusite.site` so theme work does not touch the build logic.
"""

from __future__ import annotations

from typing import Any

from .site import SiteState


def initials(name: str, limit: int = 3) -> str:
    """Initials for a generated emblem: "Trường Tiểu học Kim Đồng" → "KĐ" (drops the kind words)."""
    skip = {
        "trường",
        "tiểu",
        "học",
        "trung",
        "cơ",
        "sở",
        "phổ",
        "thông",
        "mầm",
        "non",
        "và",
        "thcs",
        "thpt",
        "th",
        "mn",
    }
    words = [w for w in name.split() if w.lower() not in skip] or name.split()
    return "".join(w[0].upper() for w in words[-limit:])


def theme_context(state: SiteState, src_uri: str) -> dict[str, Any]:
    """Extra data for templates: the unit's logo or emblem initials, and the current section."""
    unit = state.unit
    logo = unit.raw.get("logo")
    section = src_uri.split("/", 1)[0] if "/" in src_uri else src_uri.removesuffix(".md")
    return {
        "logo": logo if isinstance(logo, str) else None,
        "emblem": initials(unit.short_name or unit.name),
        "section": section,
    }
