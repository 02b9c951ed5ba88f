"""Last touches to a built page that Material 9.7's ``base.html`` writes outside any block.

* **One skip link, to ``<main>``.** Material adds its own "skip to content" link (to the first
  heading of the table of contents, hidden by our CSS) before the header; ours, in the header,
  is the one. Material's is removed, and ``<main>`` carries the target id :data:`MAIN_ID`.
* **Valid HTML** (Nu HTML Checker): ``autocomplete="off"`` is not allowed on Material's hidden
  checkbox toggles; it is removed.

Pure text in, text out: the exact markup of Material 9.7 is replaced, anything else is left
alone (a page without it is returned unchanged).
"""

from __future__ import annotations

import re

#: The skip link's target: the page's ``<main>`` element.
MAIN_ID = "noi-dung"

_MATERIAL_SKIP_RE = re.compile(
    r'(<div data-md-component="skip">)\s*<a href="[^"]*" class="md-skip">[^<]*</a>\s*(</div>)'
)
_TOGGLE_RE = re.compile(r'(<input class="md-toggle"[^>]*type="checkbox"[^>]*?) autocomplete="off"')
_MAIN = '<main class="md-main" data-md-component="main">'


def fix_page(html: str) -> str:
    """``html`` with Material's skip link removed, ``<main id="noi-dung" tabindex="-1">``,
    and no ``autocomplete`` on checkboxes."""
    html = _MATERIAL_SKIP_RE.sub(r"\1\2", html, count=1)
    html = _TOGGLE_RE.sub(r"\1", html)
    return html.replace(
        _MAIN, f'<main class="md-main" data-md-component="main" id="{MAIN_ID}" tabindex="-1">', 1
    )
