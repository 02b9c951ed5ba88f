"""Disclosure ("3 công khai"): rules as data, the check, reports and page context.

Public entry points:

* :func:`get_rules` / :func:`load_rules`: the validated rules (default data + network override);
* :func:`check_unit` / :func:`check_network`: findings per unit, school year and section;
* :func:`format_text`, :func:`format_json`, :func:`format_junit`: the ``edusite check`` reports;
* :func:`disclosure_index_context`, :func:`section_context`, :func:`dashboard_context`: template
  context for the "Công khai" index, a section page and a portal's compliance dashboard;
* :func:`template_for`: which of our templates a page under ``cong-khai/`` uses;
* :func:`section_page`, :func:`index_page`: a new section page (every required item as a
  heading to fill in) and the "Công khai" index, for ``edusite new disclosure`` and editors.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..structure.network import Unit
from .checker import check_network, check_page, check_unit, select_units
from .context import dashboard_context, dashboard_csv, disclosure_index_context, section_context
from .model import Rules
from .pages import DISCLOSURE_DIR
from .report import exit_code, format_json, format_junit, format_text
from .rules import get_rules, load_rules
from .templates import NewPage, index_page, section_page

__all__ = [
    "DISCLOSURE_DIR",
    "NewPage",
    "index_page",
    "page_assets",
    "section_page",
    "Rules",
    "check_network",
    "check_page",
    "check_unit",
    "dashboard_context",
    "dashboard_csv",
    "disclosure_index_context",
    "exit_code",
    "format_json",
    "format_junit",
    "format_text",
    "get_rules",
    "load_rules",
    "section_context",
    "select_units",
    "template_for",
]


#: The stylesheet and the dashboard's filter script, written into a site that has
#: ``cong-khai/`` pages (not theme files: a site without them publishes neither).
ASSETS = {
    "assets/edusite-disclosure.css": "disclosure.css",
    "assets/edusite-disclosure.js": "disclosure.js",
}


def page_assets() -> dict[str, bytes]:
    """Site path -> bytes of the assets the "Công khai" templates link."""
    folder = Path(__file__).resolve().parent / "assets"
    return {path: (folder / name).read_bytes() for path, name in ASSETS.items()}


def template_for(unit: Unit, src_uri: str) -> str | None:
    """Template of a page under ``cong-khai/`` (``None`` for any other page).

    ``cong-khai/index.md`` is the dashboard on a portal or the Sở and the index on a school;
    ``cong-khai/<năm học>/…`` pages are section pages. A page's own ``template`` wins.
    """
    parts = PurePosixPath(src_uri).parts
    if not parts or parts[0] != DISCLOSURE_DIR or not src_uri.endswith(".md"):
        return None
    if len(parts) == 2 and parts[1] == "index.md":
        return "disclosure-dashboard.html" if unit.is_portal else "disclosure-index.html"
    if len(parts) >= 3 and parts[-1] != "index.md":
        return "disclosure-section.html"
    return None
