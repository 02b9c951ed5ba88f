"""The Content-Security-Policy every page carries (a ``<meta>`` tag: static hosting sets no
headers), and the referrer policy.

Defence in depth behind sanitising and escaping: even if markup slipped through, the browser
runs no inline script, no script from another origin, no plugin, and sends no form elsewhere.

* ``script-src 'self'``: only the theme's files (no inline scripts or handlers anywhere);
* ``style-src 'self' 'unsafe-inline'``: the theme's colours and table alignment are inline
  styles; CSS cannot run script in current browsers;
* ``img-src 'self' data: https:``: photos of members on portals, and Material's inline icons;
* ``frame-src``: only the embed hosts of ``mkdocs.yml`` (iframes appear on click);
* ``object-src 'none'``, ``base-uri 'self'``, ``form-action 'self'``.

A ``<meta>`` policy cannot set ``frame-ancestors`` or reporting; docs/security.md gives the
headers a province server should add.
"""

from __future__ import annotations

from collections.abc import Iterable

REFERRER = "strict-origin-when-cross-origin"


def policy(embed_hosts: Iterable[str] = (), extra_script_hashes: Iterable[str] = ()) -> str:
    """The policy text for a page (``extra_script_hashes``: ``sha256-…`` of inline scripts a
    trusted template needs, e.g. Material's when ``extra.material_js`` is on)."""
    frames = " ".join(f"https://{h}" for h in sorted(set(embed_hosts))) or "'none'"
    scripts = " ".join(["'self'", *(f"'{h}'" for h in extra_script_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: https:",
            "media-src 'self' https:",
            "font-src 'self' data:",
            "connect-src 'self'",
            f"frame-src {frames}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )
