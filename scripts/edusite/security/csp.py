"""The Content-Security-Policy every page carries (a ``<meta>`` tag: static hosting sets no
headers), and the referrer policy.

Defence in depth behind sanitising and escaping: even if markup slipped through, the browser
runs no inline script, no script from another origin, no plugin, and sends no form elsewhere.

* ``script-src 'self'``: only the theme's files (no inline scripts or handlers anywhere);
* ``style-src 'self' 'unsafe-inline'``: the theme's colours and table alignment are inline
  styles; CSS cannot run script in current browsers;
* ``img-src 'self' data:``: the site's own photos (portals serve their copies of members'
  covers, :mod:`edusite.rollup.images`) and Material's inline icons; a page whose body shows a
  picture from another site (an editor's link to a ministry infographic) gets ``https:`` too
  (:func:`has_remote_media`), no other page does: a roll-up page showing hostile members'
  items cannot load anything from elsewhere;
* ``frame-src``: only the embed hosts of ``mkdocs.yml`` (iframes appear on click);
* ``object-src 'none'``, ``base-uri 'self'``, ``form-action 'self'``.

A ``<meta>`` policy cannot set ``frame-ancestors`` or reporting; docs/security.md gives the
headers a province server should add.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REFERRER = "strict-origin-when-cross-origin"
#: An image (or a video's poster) loaded from another site, in a page body.
_REMOTE_MEDIA_RE = re.compile(
    r"""<(?:img|source|video)\b[^>]*?\s(?:src|srcset|poster)\s*=\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def has_remote_media(body: str) -> bool:
    """True when ``body`` (a page's sanitised HTML) shows a picture from another site."""
    return bool(_REMOTE_MEDIA_RE.search(body or ""))


def policy(
    embed_hosts: Iterable[str] = (),
    extra_script_hashes: Iterable[str] = (),
    remote_images: bool = False,
) -> str:
    """The policy text for a page (``extra_script_hashes``: ``sha256-…`` of inline scripts a
    trusted template needs, e.g. Material's when ``extra.material_js`` is on;
    ``remote_images``: the page's body shows pictures from other sites)."""
    frames = " ".join(f"https://{h}" for h in sorted(set(embed_hosts))) or "'none'"
    scripts = " ".join(["'self'", *(f"'{h}'" for h in extra_script_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: https:" if remote_images else "img-src 'self' data:",
            "media-src 'self' https:",
            "font-src 'self' data:",
            "connect-src 'self'",
            f"frame-src {frames}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )
