"""The admin page ``/<unit>/quan-tri/`` and its Content-Security-Policy.

The page is not a MkDocs page: it is written after the site's build (plugin ``on_post_build``),
so no sitemap, search index, feed, menu or page-weight budget ever sees it. It holds no content
of the unit: a title, three scripts of our own origin and ``config.json`` beside it (read by admin.js).

Its policy allows what Decap CMS needs and the git host, nothing else (docs/security.md):

* ``script-src 'self' 'unsafe-eval'``: the bundle, its chunks and our two scripts; Decap
  validates its configuration with ajv, which compiles validators with ``new Function`` (it
  does not start without ``'unsafe-eval'``, measured). No ``'unsafe-inline'``: no inline script
  or handler runs, so markup in an entry cannot run script here either;
* ``style-src 'self' 'unsafe-inline'``: the editor's styles are CSS-in-JS (emotion);
* ``img-src 'self' data: blob:`` + the git host: previews of uploaded photos are ``blob:``
  URLs, avatars come from the host;
* ``connect-src 'self' blob: data:`` + the git host's API and sign-in server (GitLab and Gitea
  PKCE exchange the code for a token there), or the local editing server on 127.0.0.1;
* ``media-src 'self' blob:``; ``font-src 'self' data:``; ``worker-src 'self' blob:``;
  ``frame-src 'self' blob:``; ``object-src 'none'``; ``base-uri 'self'``; ``form-action 'self'``.

``<meta name="robots" content="noindex, nofollow">``: search engines never list it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

ADMIN_DIR = "quan-tri"
TITLE = "Quản trị nội dung"


def admin_policy(origins: Iterable[str] = ()) -> str:
    """The admin page's Content-Security-Policy, with the git host's ``origins``."""
    hosts = " ".join(dict.fromkeys(origins))
    extra = f" {hosts}" if hosts else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{extra}",
            "media-src 'self' blob:",
            "font-src 'self' data:",
            f"connect-src 'self' blob: data:{extra}",
            "worker-src 'self' blob:",
            "frame-src 'self' blob:",
            "manifest-src 'none'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def admin_page(unit_name: str, scripts_url: str, origins: Iterable[str] = ()) -> str:
    """The HTML of ``quan-tri/index.html``: ``scripts_url`` is the bundle's folder, relative to
    the page (``../../_shared/cms/decap-cms-…/``)."""
    base = scripts_url.rstrip("/")
    name = html.escape(unit_name, quote=True)
    policy = html.escape(admin_policy(origins), quote=True)
    return (
        "<!doctype html>\n"
        '<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="referrer" content="strict-origin-when-cross-origin">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{TITLE} – {name}</title>\n"
        f'<link rel="stylesheet" href="{base}/admin.css">\n'
        "</head>\n<body>\n"
        "<noscript>Trang quản trị cần bật JavaScript. / The editor needs JavaScript.</noscript>\n"
        f'<script src="{base}/cms-init.js"></script>\n'
        f'<script src="{base}/decap-cms.js"></script>\n'
        f'<script src="{base}/admin.js"></script>\n'
        "</body>\n</html>\n"
    )
