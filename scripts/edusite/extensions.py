"""What a feature declares to the build: what its pages depend on, and when they go stale.

Like MkDocs' ``plugins.py`` for its events, this is the one place where the build learns about
features. Each feature module exposes ``FEATURE = Feature(...)``:

* ``inputs(ctx, unit)``: what the unit's pages read beyond the unit's own content folder and
  config: files and folders (hashed by content; a folder as the tree of its files) and strings
  (taken as they are: an address, a setting). The build always hashes the package code, the
  base ``mkdocs.yml``, the shared theme, the unit's config, its ancestors' configs (names and
  links on every page) and its content folder itself.
* ``expires(ctx, unit, config)``: after the unit was built (``config`` is that build's MkDocs
  config: the plugins hold their state), when its pages go stale although no input changed: the
  next scheduled post, the next midnight for a page that prints the day's date or status, the
  build's own time for remote feeds fetched at each build. ``None``: never.

:mod:`edusite.build.cache` computes a site's key from every feature's ``inputs`` and its
validity from the earliest ``expires``: adding a feature cannot forget freshness. Features are
the modules of :data:`BUILTIN`, plus any ``edusite.features`` entry point of another package.
The build package imports no feature: it goes through :func:`features`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .text import TZ, to_local

if TYPE_CHECKING:
    from .context import BuildContext
    from .structure.network import Unit

Input = Path | str
BUILTIN = (
    "edusite.core.feature",
    "edusite.rollup.feature",
    "edusite.documents.feature",
    "edusite.search.feature",
    "edusite.disclosure.feature",
    "edusite.cms.feature",
)


def _no_inputs(ctx: BuildContext, unit: Unit) -> Iterable[Input]:
    return ()


def _never(ctx: BuildContext, unit: Unit, config: Any) -> datetime | None:
    return None


@dataclass(frozen=True)
class Feature:
    """One feature's declaration (see the module docstring)."""

    name: str
    inputs: Callable[[BuildContext, Unit], Iterable[Input]] = _no_inputs
    expires: Callable[[BuildContext, Unit, Any], datetime | None] = _never


@lru_cache(maxsize=1)
def features() -> tuple[Feature, ...]:
    """Every registered feature, built-in first, then entry points (by name)."""
    from importlib.metadata import entry_points

    found = [importlib.import_module(name).FEATURE for name in BUILTIN]
    extra = sorted(entry_points(group="edusite.features"), key=lambda e: e.name)
    found += [e.load() for e in extra]
    return tuple(found)


def next_midnight(moment: datetime) -> datetime:
    """The next local midnight after ``moment``: pages that print the date or a status
    counted in days expire then."""
    day = to_local(moment).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=TZ)
