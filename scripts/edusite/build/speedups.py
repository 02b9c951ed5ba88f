"""Process-wide caches for building many sites in one process (``edusite build`` workers).

MkDocs makes a fresh Jinja environment for every build, so each site would list the theme's
~14,000 files (Material's icons) and compile every template again: about 0.3 s per site. A build
worker serves one checkout whose theme does not change while it runs, so both results can be
kept for the life of the process. Not installed for ``mkdocs serve``, where templates change.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .. import memo

_installed = False
_LISTINGS: dict[tuple[str, ...], list[str]] = {}
_THEME_FILES: dict[tuple[Any, ...], list[tuple[str, str]]] = {}


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, keyed by Jinja on template name and source checksum,
    and on disk in ``<cache>/jinja/`` when a cache folder is known, so a new worker process
    does not compile the theme again (about 0.3 s). Jinja checks each entry's magic number
    (its and Python's version) and the template source's checksum before using it."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}
        self.folder: Path | None = None

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
    """Cache theme file listings per search path for this process (idempotent)."""
    global _installed
    if _installed:
        return
    original: Callable[..., list[str]] = jinja2.FileSystemLoader.list_templates

    def list_templates(self: jinja2.FileSystemLoader) -> list[str]:
        key = tuple(_real(p) for p in self.searchpath)
        if key not in _LISTINGS:
            _LISTINGS[key] = original(self)
        return list(_LISTINGS[key])

    jinja2.FileSystemLoader.list_templates = list_templates  # type: ignore[method-assign]

    # MkDocs filters the ~14,000 theme files with fnmatch for every site: keep the result.
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
            folder = os.environ.get("EDUSITE_CACHE_DIR")
            memo_file = Path(folder) / "theme-files.json" if folder else None
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

    Files.add_files_from_theme = add_files_from_theme  # type: ignore[method-assign]
    _reuse_markdown()
    _keep_config_parsing()
    _installed = True


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


_YAML: dict[tuple[Any, ...], Any] = {}


def _keep_config_parsing() -> None:
    """Parse each config file once per process, and list installed themes once.

    Every site's ``mkdocs.yml`` inherits the network's base ``mkdocs.yml`` (about 8 ms to
    parse), and MkDocs clears its cached list of installed themes each time it loads a theme,
    so every site scans all packages' entry points again (about 9 ms). Files are keyed by
    path, size, time and inode and returned as deep copies (MkDocs merges configs in place);
    a file with YAML tags (``!ENV``, ``!relative``: values bound to one config or the
    environment) is parsed every time.
    """
    import copy

    from mkdocs import utils
    from mkdocs.config import defaults
    from mkdocs.utils import yaml as mkdocs_yaml

    utils.get_themes.cache_clear = lambda: None  # type: ignore[method-assign]
    original = mkdocs_yaml.yaml_load

    def yaml_load(source: Any, loader: Any = None) -> dict[str, Any]:
        name = getattr(source, "name", None)
        if loader is None or not isinstance(name, str) or not hasattr(source, "fileno"):
            return original(source, loader)
        st = os.fstat(source.fileno())
        if not memo.settled(st.st_mtime_ns):  # too young to trust its stamp
            return original(source, loader)
        key = (os.path.realpath(name), st.st_size, st.st_mtime_ns, st.st_ino)
        if key not in _YAML:
            start = source.tell()
            tagged = b"!" in source.read() if "b" in getattr(source, "mode", "") else True
            source.seek(start)
            result = original(source, loader)
            if tagged:
                return result
            _YAML[key] = copy.deepcopy(result)
        return copy.deepcopy(_YAML[key])

    mkdocs_yaml.yaml_load = yaml_load
    defaults.yaml_load = yaml_load  # type: ignore[attr-defined]


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

    pages.Page.render = render  # type: ignore[method-assign]


def use_bytecode_cache(env: Any, cache_dir: Path | None = None) -> None:
    """Share compiled templates between the builds of this process (and, with ``cache_dir``,
    between processes, in ``<cache_dir>/jinja/``)."""
    if cache_dir is not None:
        BYTECODE_CACHE.folder = cache_dir / "jinja"
    env.bytecode_cache = BYTECODE_CACHE
