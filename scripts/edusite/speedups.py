"""Process-wide caches for building many sites in one process (``edusite build`` workers).

MkDocs makes a fresh Jinja environment for every build, so each site would list the theme's
~14,000 files (Material's icons) and compile every template again: about 0.3 s per site. A build
worker serves one checkout whose theme does not change while it runs, so both results can be
kept for the life of the process. Not installed for ``mkdocs serve``, where templates change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2

_installed = False
_LISTINGS: dict[tuple[str, ...], list[str]] = {}


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
        key = tuple(str(p) for p in self.searchpath)
        if key not in _LISTINGS:
            _LISTINGS[key] = original(self)
        return list(_LISTINGS[key])

    jinja2.FileSystemLoader.list_templates = list_templates  # type: ignore[method-assign]
    _installed = True


def use_bytecode_cache(env: Any) -> None:
    """Share compiled templates between the builds of this process."""
    env.bytecode_cache = BYTECODE_CACHE
