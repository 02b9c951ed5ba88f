"""Theme assets shared by every site of a network instead of copied into each one.

Stock Material copies ~2.6 MB of CSS, JS and source maps into every site: 2.6 GB for 1,000
schools, past GitHub Pages' 1 GB limit. Under ``edusite build`` the theme's static files are
written once to ``<out>/_shared/<hash>/`` (content-hashed, so a theme change gets a new folder and
browsers never mix versions), and templates' ``'assets/…' | url`` links point there. Source maps
are left out (the build context's ``shared_assets``). ``mkdocs build``/``serve`` of a single site
keep the stock behaviour.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

SHARED_DIR = "_shared"
SKIP_SUFFIXES = (".map",)
#: Material's search (lunr, its language files and the search worker): the network searches
#: with its own engine (edusite.search), so no page ever loads them.
SKIP_PREFIXES = ("assets/javascripts/lunr/", "assets/javascripts/workers/")


def unused(uri: str, *, material_js: bool, palette: bool, favicon: str) -> bool:
    """True for a theme file no page of the network uses, which is not published: source maps,
    Material's search, its JavaScript bundle and our replacements of its inline scripts (only
    with ``extra.material_js``), the palette stylesheet (only with ``theme.palette``), Material's
    default favicon (the theme names its own)."""
    if uri.endswith(SKIP_SUFFIXES) or uri.startswith(SKIP_PREFIXES):
        return True
    name = uri.rsplit("/", 1)[-1]
    if not material_js and (
        (uri.startswith("assets/javascripts/") and name.startswith("bundle."))
        or uri in ("assets/material-scope.js", "assets/material-content.js")
    ):
        return True
    if not palette and uri.startswith("assets/stylesheets/") and name.startswith("palette."):
        return True
    return uri == "assets/images/favicon.png" and favicon != uri


_HASHES: dict[tuple[tuple[str, int, int], ...], str] = {}


def assets_hash(files: Iterable[tuple[str, str]]) -> str:
    """Content hash of ``(src_uri, abs_path)`` theme files; cached per process by size and mtime."""
    items = sorted(files)
    stamp = tuple(
        (uri, *(lambda s: (s.st_size, s.st_mtime_ns))(os.stat(path))) for uri, path in items
    )
    if stamp not in _HASHES:
        h = hashlib.sha256()
        for uri, path in items:
            h.update(uri.encode() + b"\0" + hashlib.sha256(Path(path).read_bytes()).digest())
        _HASHES[stamp] = h.hexdigest()[:12]
    return _HASHES[stamp]


def write_shared(out_root: Path, digest: str, files: Iterable[tuple[str, str]]) -> Path:
    """Write the theme files once to ``out_root/_shared/<digest>/`` (atomically); return it."""
    target = out_root / SHARED_DIR / digest
    if target.exists():
        return target
    tmp = out_root / SHARED_DIR / f".{digest}.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    for uri, path in files:
        dest = tmp / uri
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    try:
        tmp.rename(target)
    except OSError:  # another worker won the race with identical content
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def shared_url_filter(
    original: Callable[..., str], shared: set[str], digest: str
) -> Callable[..., str]:
    """Wrap MkDocs' ``url`` filter so links to shared theme files leave the site folder."""
    import jinja2

    @jinja2.pass_context
    def url(context: Any, value: str) -> str:
        if value in shared:
            base = context.get("base_url", ".")
            joined = posixpath.join(base, "..", SHARED_DIR, digest, value)
            return posixpath.normpath(joined) if joined.startswith("/") else joined
        return original(context, value)

    return url
