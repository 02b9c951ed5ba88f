"""Process-wide caches for building many sites in one process (``edusite build`` workers).

MkDocs makes a fresh Jinja environment for every build, so each site would list the theme's
~14,000 files (Material's icons) and compile every template again: about 0.3 s per site. A build
worker serves one checkout whose theme does not change while it runs, so both results can be
kept for the life of the process. Not installed for ``mkdocs serve``, where templates change.

Each speed-up replaces or wraps code of MkDocs, Jinja or Python-Markdown, so each is applied only
under the exact versions it was written against (:data:`WRITTEN_FOR`); under any other, the stock
code runs and a debug line says so. ``edusite build --no-speedups`` (:func:`set_enabled`) runs the
stock code for one build; ``tests/test_speedups.py`` builds the demo both ways and compares every
byte.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .. import memo

log = logging.getLogger(__name__)

#: The exact versions each speed-up was written against, read in the installed packages' code:
#: MkDocs 1.6.1's ``Page.render`` (copied), ``Files.add_files_from_theme``, ``yaml_load`` (its
#: recursive ``INHERIT`` merge) and ``get_themes``; Jinja 3.1.6's ``FileSystemLoader.
#: list_templates`` and ``BytecodeCache``; Python-Markdown 3.11.4's ``Markdown.reset``. Another
#: version leaves that speed-up out until someone reads its code and adds the version here.
WRITTEN_FOR: dict[str, dict[str, tuple[str, ...]]] = {
    "template-listing": {"jinja2": ("3.1.6",)},
    "theme-files": {"mkdocs": ("1.6.1",)},
    "markdown-reuse": {"mkdocs": ("1.6.1",), "markdown": ("3.11.4",)},
    "config-parsing": {"mkdocs": ("1.6.1",)},
    "bytecode-cache": {"jinja2": ("3.1.6",)},
}

_enabled = True  # set_enabled(False): --no-speedups
_installed = False
#: Which speed-ups :func:`install` applied in this process (name → True/False).
APPLIED: dict[str, bool] = {}
#: What :func:`uninstall` restores: (owner, attribute, whether the owner had it itself, value).
_PATCHES: list[tuple[Any, str, bool, Any]] = []
_LISTINGS: dict[tuple[Any, ...], list[str]] = {}
_THEME_FILES: dict[tuple[Any, ...], list[tuple[str, str]]] = {}


def installed_versions() -> dict[str, str]:
    """The versions :data:`WRITTEN_FOR` is checked against."""
    import markdown
    import mkdocs

    return {
        "jinja2": jinja2.__version__,
        "mkdocs": mkdocs.__version__,
        "markdown": markdown.__version__,
    }


def fits(name: str, versions: Mapping[str, str] | None = None) -> bool:
    """True when speed-up ``name`` was written for the installed (or given) versions; else
    logs at debug level which version differs, and the stock code must run."""
    have = installed_versions() if versions is None else versions
    wrong = {
        pkg: have.get(pkg, "?")
        for pkg, known in WRITTEN_FOR[name].items()
        if have.get(pkg) not in known
    }
    if wrong:
        log.debug(
            "speed-up %s left out, stock code runs: written for %s, installed %s",
            name,
            ", ".join(f"{pkg} {'/'.join(WRITTEN_FOR[name][pkg])}" for pkg in wrong),
            ", ".join(f"{pkg} {v}" for pkg, v in wrong.items()),
        )
    return not wrong


def set_enabled(on: bool) -> None:
    """Turn the speed-ups on or off for this process and the workers it forks afterwards
    (``edusite build --no-speedups``); off also undoes an earlier :func:`install`."""
    global _enabled
    _enabled = on
    if not on:
        uninstall()


def enabled() -> bool:
    """Whether speed-ups may be used now: not turned off by :func:`set_enabled`, nor by the
    running build's context (``BuildContext.speedups``)."""
    if not _enabled:
        return False
    from .. import context

    ctx = context.running()
    return ctx is None or bool(getattr(ctx, "speedups", True))


def _patch(owner: Any, name: str, value: Any) -> None:
    """``setattr(owner, name, value)``, remembered for :func:`uninstall`."""
    own = vars(owner)
    _PATCHES.append((owner, name, name in own, own.get(name)))
    setattr(owner, name, value)


def uninstall() -> None:
    """Put the stock code back and forget every process-wide cache (tests, ``--no-speedups``)."""
    global _installed
    while _PATCHES:
        owner, name, had, value = _PATCHES.pop()
        if had:
            setattr(owner, name, value)
        else:
            delattr(owner, name)
    for kept in (_LISTINGS, _THEME_FILES, _YAML, _MARKDOWN):
        kept.clear()
    BYTECODE_CACHE.clear()
    APPLIED.clear()
    _installed = False


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, keyed by Jinja on template name and source checksum,
    and on disk in ``<cache>/jinja/`` when a cache folder is known, so a new worker process
    does not compile the theme again (about 0.3 s). Jinja checks each entry's magic number
    (its and Python's version) and the template source's checksum before using it."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}
        self.folder: Path | None = None

    def clear(self) -> None:
        """Forget the compiled templates kept in memory (the disk copies stay)."""
        self._store.clear()

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> jinja2.bccache.Bucket:
        """Jinja's key knows name and file but not whether the template was compiled with
        autoescape (on for the shared theme, off for Material's): that decides the key too,
        so code compiled under one setting is never run under the other."""
        auto = environment.autoescape
        escaped = bool(auto(name) if callable(auto) else auto)
        bucket = super().get_bucket(environment, f"{name}\0autoescape={escaped}", filename, source)
        return bucket

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja keys on the file name as found: every site reaches the shared theme through
        its own folder (``sites/<id>/../../shared-theme``), so key on the real path."""
        return super().get_cache_key(name, _real(filename) if filename else None)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is None and self.folder is not None:
            try:
                data = (self.folder / f"{bucket.key}.bc").read_bytes()
            except OSError:
                data = None
        if data is not None:
            bucket.bytecode_from_string(data)  # resets the bucket when stale
            if bucket.code is not None:
                self._store[bucket.key] = data

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        self._store[bucket.key] = data
        if self.folder is not None:
            memo.write_atomic(self.folder / f"{bucket.key}.bc", data)


@lru_cache(maxsize=1024)
def _real(path: str) -> str:
    return os.path.realpath(path)


BYTECODE_CACHE = MemoryBytecodeCache()


def install() -> None:
    """Apply, for this process, every speed-up written for the installed versions (idempotent).
    When they are turned off (:func:`enabled`: ``--no-speedups``, or the running build context
    says so), put the stock code back instead, should an earlier build have installed them."""
    global _installed
    if not enabled():
        if _installed:
            uninstall()
        return
    if _installed:
        return
    versions = installed_versions()
    for name, apply in (
        ("template-listing", _cache_template_listing),
        ("theme-files", _keep_theme_files),
        ("markdown-reuse", _reuse_markdown),
        ("config-parsing", _keep_config_parsing),
    ):
        APPLIED[name] = fits(name, versions)
        if APPLIED[name]:
            apply()
    APPLIED["bytecode-cache"] = _fits_once("bytecode-cache")
    _installed = True


@cache
def _fits_once(name: str) -> bool:
    """:func:`fits` for the installed versions, asked (and logged) once per process."""
    return fits(name)


def _cache_template_listing() -> None:
    """Jinja lists every file below the theme folders (Material's ~14,000) on each call: keep
    the list per folder set (the folders do not change while a worker runs)."""
    original: Callable[..., list[str]] = jinja2.FileSystemLoader.list_templates

    def list_templates(self: jinja2.FileSystemLoader) -> list[str]:
        key = (tuple(_real(p) for p in self.searchpath), self.followlinks)
        if key not in _LISTINGS:
            _LISTINGS[key] = original(self)
        return list(_LISTINGS[key])

    _patch(jinja2.FileSystemLoader, "list_templates", list_templates)


def _keep_theme_files() -> None:
    """MkDocs filters the ~14,000 theme files with fnmatch for every site: keep the result."""
    from mkdocs import utils
    from mkdocs.structure.files import File, Files

    add_original = Files.add_files_from_theme

    def add_files_from_theme(self: Files, env: jinja2.Environment, config: Any) -> None:
        # Each site names the shared theme relative to its own folder ("sites/<id>/../../
        # shared-theme"): compare real paths, or every site would miss the cache.
        key = (
            tuple(_real(d) for d in config.theme.dirs),
            tuple(sorted(config.theme.static_templates)),
            tuple(sorted(utils.markdown_extensions)),
        )
        if key not in _THEME_FILES:
            # A new worker would list Material's 14,000 files again (about 0.2 s): the
            # filtered list is also kept in <cache>/theme-files.json, under _theme_key.
            from .. import context

            build = context.running()
            memo_file = build.cache_dir("theme-files.json") if build is not None else None
            memo_key = _theme_key(key) if memo_file else ""
            stored = memo.load(memo_file, memo_key) if memo_file else None
            if stored is None:
                probe = Files([])
                add_original(probe, env, config)
                stored = [[f.src_uri, f.src_dir] for f in probe]
                if memo_file:
                    memo.store(memo_file, memo_key, stored)
            _THEME_FILES[key] = [(str(path), str(folder)) for path, folder in stored]
        for path, folder in _THEME_FILES[key]:
            if self.get_file_from_path(path) is None:  # docs files win over theme files
                self.append(File(path, folder, config.site_dir, config.use_directory_urls))

    _patch(Files, "add_files_from_theme", add_files_from_theme)


def _theme_key(key: tuple[Any, ...]) -> str:
    """What the theme's file list depends on: the listing key, MkDocs' and Material's versions
    (an installed theme changes only with them) and the name, size and time of every file of
    theme folders outside ``site-packages`` (the network's own ``shared-theme``)."""
    import material
    import mkdocs

    files = []
    for folder in key[0]:
        if "site-packages" in folder:
            continue
        for top, dirs, names in os.walk(folder):
            dirs.sort()
            for n in sorted(names):
                st = os.stat(os.path.join(top, n))
                files.append([os.path.join(top, n), st.st_size, st.st_mtime_ns])
    return memo.key(list(key), mkdocs.__version__, material.__version__, files)


#: Config file as opened (absolute path) → (the identities of it and of every file it inherits,
#: nearest first; its parsed and merged value).
_YAML: dict[str, tuple[tuple[tuple[Any, ...], ...], Any]] = {}
#: One list per ``yaml_load`` call in progress: the identities of the files read below it
#: (``None`` for one that cannot be trusted: too young, tagged, not a file).
_READING: list[list[tuple[Any, ...] | None]] = []


def _identity(path: str, st: os.stat_result) -> tuple[Any, ...]:
    """What must be unchanged for a file's parse to be reused: the path it was opened by (an
    ``INHERIT`` resolves against it), the file it leads to, its size, time and inode."""
    return (os.path.abspath(path), os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ino)


def _unchanged(identity: tuple[Any, ...]) -> bool:
    try:
        return _identity(identity[0], os.stat(identity[0])) == identity
    except OSError:
        return False


def _keep_config_parsing() -> None:
    """Parse each config file once per process, and list installed themes once.

    Every site's ``mkdocs.yml`` inherits the network's base ``mkdocs.yml`` (about 8 ms to
    parse), and MkDocs clears its cached list of installed themes each time it loads a theme,
    so every site scans all packages' entry points again (about 9 ms).

    MkDocs' ``yaml_load`` merges the ``INHERIT`` chain itself (it calls itself for the base
    file, through this wrapper), so what is kept for a site's file is the merged result: it is
    reused only while that file *and every file it inherits* keep their path, size, time and
    inode (an edited base ``mkdocs.yml`` is seen by the next site). Values are returned as deep
    copies (MkDocs merges configs in place). A chain with a file too young to trust its stamp,
    or with YAML tags (``!ENV``, ``!relative``: values bound to one config or the
    environment), is parsed every time.
    """
    import copy

    from mkdocs import utils
    from mkdocs.config import defaults
    from mkdocs.utils import yaml as mkdocs_yaml

    _patch(utils.get_themes, "cache_clear", lambda: None)
    original = mkdocs_yaml.yaml_load

    def note(identities: tuple[tuple[Any, ...], ...] | None) -> None:
        """Tell the ``yaml_load`` call that inherits this file (if any) what it read."""
        if _READING:
            _READING[-1].extend(identities if identities is not None else [None])

    def yaml_load(source: Any, loader: Any = None) -> dict[str, Any]:
        name = getattr(source, "name", None)
        if loader is None or not isinstance(name, str) or not hasattr(source, "fileno"):
            note(None)
            return original(source, loader)
        me = _identity(name, os.fstat(source.fileno()))
        kept = _YAML.get(me[0])
        if kept is not None and kept[0][0] == me and all(map(_unchanged, kept[0][1:])):
            note(kept[0])
            return copy.deepcopy(kept[1])
        start = source.tell()
        tagged = b"!" in source.read() if "b" in getattr(source, "mode", "") else True
        source.seek(start)
        below: list[tuple[Any, ...] | None] = []
        _READING.append(below)
        try:
            result = original(source, loader)  # calls yaml_load (this one) for INHERIT
        finally:
            _READING.pop()
        chain = (me, *below)
        if tagged or not memo.settled(me[3]) or None in below:
            note(None)
            return result
        _YAML[me[0]] = (chain, copy.deepcopy(result))  # type: ignore[assignment]
        note(chain)  # type: ignore[arg-type]
        return result

    _patch(mkdocs_yaml, "yaml_load", yaml_load)
    _patch(defaults, "yaml_load", yaml_load)


_MARKDOWN: dict[str, Any] = {}


def _reuse_markdown() -> None:
    """One ``markdown.Markdown`` per extension set, reset between pages.

    MkDocs builds a new converter for every page, loading every extension again (about 0.4 ms
    a page). Python-Markdown is made for reuse (``reset()`` clears the references, footnotes
    and table of contents); MkDocs' per-page tree processors are registered again under their
    fixed names, which replaces the previous page's. Extensions given as objects rather than
    names (none in our configs) keep the stock behaviour.
    """
    import json

    import markdown
    from mkdocs.structure import pages

    original = pages.Page.render

    def render(self: pages.Page, config: Any, files: Any) -> None:
        extensions = config["markdown_extensions"]
        if self.markdown is None or not all(isinstance(e, str) for e in extensions):
            return original(self, config, files)
        options = config["mdx_configs"] or {}
        key = json.dumps([extensions, options], sort_keys=True, default=repr)
        md = _MARKDOWN.get(key)
        if md is None:
            md = _MARKDOWN[key] = markdown.Markdown(
                extensions=extensions, extension_configs=options
            )
        md.reset()
        raw_html_ext = pages._RawHTMLPreprocessor()
        raw_html_ext._register(md)
        extract_anchors_ext = pages._ExtractAnchorsTreeprocessor(self.file, files, config)
        extract_anchors_ext._register(md)
        relative_path_ext = pages._RelativePathTreeprocessor(self.file, files, config)
        relative_path_ext._register(md)
        extract_title_ext = pages._ExtractTitleTreeprocessor()
        extract_title_ext._register(md)
        self.content = md.convert(self.markdown)
        self.toc = pages.get_toc(getattr(md, "toc_tokens", []))
        self._title_from_render = extract_title_ext.title
        self.present_anchor_ids = (
            extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        )
        if pages.log.getEffectiveLevel() > logging.DEBUG:
            self.links_to_anchors = relative_path_ext.links_to_anchors
        return None

    _patch(pages.Page, "render", render)


def use_bytecode_cache(env: Any, cache_dir: Path | None = None) -> None:
    """Share compiled templates between the builds of this process (and, with ``cache_dir``,
    between processes, in ``<cache_dir>/jinja/``). Nothing when the speed-ups are off or not
    written for the installed Jinja (each build then compiles its templates, as stock MkDocs)."""
    if not enabled() or not _fits_once("bytecode-cache"):
        return
    if cache_dir is not None:
        BYTECODE_CACHE.folder = cache_dir / "jinja"
    env.bytecode_cache = BYTECODE_CACHE
