"""What one build run is: made once by the command, handed to the builder, its workers and every
plugin. No ``EDUSITE_*`` variable carries configuration between them; the environment is read
only at the command-line edge (``EDUSITE_NOW``, by :func:`edusite.text.now`).

``edusite build`` makes a :class:`BuildContext` and activates it (:func:`active`); worker
processes are forked after that and inherit it, and each site build adds only what changed
(the content-folder hashes a portal's memos use). A plugin asks :func:`current` for it in
``on_config``. A plain ``mkdocs build`` of one site activates nothing: :func:`for_site` then
gives the stock behaviour (output beside the site, cache in ``<root>/.cache``, online).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import text

if TYPE_CHECKING:
    from .structure.network import Network


@dataclass(frozen=True)
class BuildContext:
    """One build run (see the module docstring)."""

    root: Path  # the network's repository (holds sites/, content/, mkdocs.yml)
    out: Path  # every unit's built site: <out>/<id>/ (and theme assets in <out>/_shared/)
    cache: Path | None  # every cache and memo below it; None: --no-cache, nothing read or written
    now: datetime = field(default_factory=text.now)  # "now" for the whole run
    offline: bool = False  # fetch no remote feed; use the stored state
    run_id: str = ""  # names the run: a worker trusts the network it loaded for its duration
    network: Network | None = None  # the validated network (None: load it when needed)
    shared_assets: bool = False  # theme assets written once to <out>/_shared/<hash>/
    trees: Mapping[str, str] = field(default_factory=dict)  # content-folder hashes by real path
    speedups: bool = True  # process-wide caches of build/speedups.py

    def cache_dir(self, name: str) -> Path | None:
        """``<cache>/<name>``, or ``None`` when this run keeps no cache."""
        return self.cache / name if self.cache is not None else None

    def but(self, **changes: Any) -> BuildContext:
        """A copy with ``changes`` (the context itself never changes)."""
        return replace(self, **changes)


_ACTIVE: list[BuildContext] = []


@contextlib.contextmanager
def active(ctx: BuildContext) -> Iterator[BuildContext]:
    """Make ``ctx`` the current context (and its ``now`` the time) while the block runs."""
    _ACTIVE.append(ctx)
    text.pin_now(ctx.now)
    try:
        yield ctx
    finally:
        _ACTIVE.pop()
        text.pin_now(_ACTIVE[-1].now if _ACTIVE else None)


def activate(ctx: BuildContext) -> None:
    """Make ``ctx`` current for the rest of this process (a worker's whole life)."""
    _ACTIVE.append(ctx)
    text.pin_now(ctx.now)


def running() -> BuildContext | None:
    """The context an ``edusite`` command activated, or ``None`` (plain MkDocs)."""
    return _ACTIVE[-1] if _ACTIVE else None


def for_site(config_file: str | Path, site_dir: str | Path) -> BuildContext:
    """The context of one site: the active one, else plain-MkDocs defaults for that site."""
    ctx = running()
    if ctx is not None:
        return ctx
    from .structure.network import find_root

    root = find_root(config_file)
    return BuildContext(root=root, out=Path(site_dir).parent, cache=root / ".cache")


def cache_dir(name: str) -> Path | None:
    """``<cache>/<name>`` of the active context (``None`` without one, or with --no-cache):
    for code that runs outside a site's build too (``edusite check``'s attachment memo)."""
    ctx = running()
    return ctx.cache_dir(name) if ctx is not None else None
