"""Search for the build (:mod:`edusite.extensions`): a portal's index merges its members'
records.

Inputs: every descendant's own records (``.edusite/search/records.json``) (a portal keeps each member's best records,
:mod:`edusite.search.network`; which ones depends on nothing else but ``network_records`` in
the base ``mkdocs.yml``, already part of every cache key). The members' block cache
(``.cache/search/<portal>.blocks``) is derived from those files and is not an input."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..extensions import Feature, Input
from .index import cache_inputs


def inputs(ctx: Any, unit: Any) -> Iterable[Input]:
    return list(cache_inputs(ctx.network, unit, ctx.out)) if ctx.network is not None else []


FEATURE = Feature("search", inputs=inputs)
