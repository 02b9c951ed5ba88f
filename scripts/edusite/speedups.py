"""Process-wide caches for building many sites in one process (``edusite build`` workers).

MkDocs makes a fresh Jinja environment for every build, so each site would list the theme's
~14,000 files (Material's icons) and compile every template again: about 0.3 s per site. A build
worker serves one checkout whose theme does not change while it runs, so both results can be
kept for the life of the process. Not installed for ``mkdocs serve``, where templates change.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import jinja2

_installed = False
_LISTINGS: dict[tuple[str, ...], list[str]] = {}
_THEME_FILES: dict[tuple[Any, ...], list[tuple[str, str]]] = {}


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, keyed by Jinja on template name and source checksum."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


BYTECODE_CACHE = MemoryBytecodeCache()


def install() -> None:
    """Cache theme file listings per search path for this process (idempotent)."""
    global _installed
    if _installed:
        return
    original: Callable[..., list[str]] = jinja2.FileSystemLoader.list_templates

    def list_templates(self: jinja2.FileSystemLoader) -> list[str]:
        key = tuple(os.path.realpath(p) for p in self.searchpath)
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
            tuple(os.path.realpath(d) for d in config.theme.dirs),
            tuple(sorted(config.theme.static_templates)),
            tuple(sorted(utils.markdown_extensions)),
        )
        if key not in _THEME_FILES:
            probe = Files([])
            add_original(probe, env, config)
            _THEME_FILES[key] = [(f.src_uri, f.src_dir) for f in probe]
        for path, folder in _THEME_FILES[key]:
            if self.get_file_from_path(path) is None:  # docs files win over theme files
                self.append(File(path, folder, config.site_dir, config.use_directory_urls))

    Files.add_files_from_theme = add_files_from_theme  # type: ignore[method-assign]
    _installed = True


def use_bytecode_cache(env: Any) -> None:
    """Share compiled templates between the builds of this process."""
    env.bytecode_cache = BYTECODE_CACHE
