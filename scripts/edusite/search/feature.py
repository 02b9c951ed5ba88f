"""Search for the build (:mod:`edusite.extensions`): a portal's index merges its members'
records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..extensions import Feature, Input
from .index import cache_inputs


def inputs(ctx: Any, unit: Any) -> Iterable[Input]:
    return list(cache_inputs(ctx.network, unit, ctx.out)) if ctx.network is not None else []


FEATURE = Feature("search", inputs=inputs)
