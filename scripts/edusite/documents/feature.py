"""Documents and reports for the build (:mod:`edusite.extensions`): a unit lists its ancestors'
documents (their ``van-ban/`` folders); a portal's report page counts its members' posts and
photos (their content folders and configs) and changes with the date (quota periods)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..extensions import Feature, Input
from .site import cache_inputs


def inputs(ctx: Any, unit: Any) -> Iterable[Input]:
    network = ctx.network
    if network is None:
        return []
    found: list[Input] = list(cache_inputs(network, unit, ctx.out))
    if unit.is_portal:
        for member in network.descendants(unit.id):
            found += [network.content_dir(member), member.config_file]
    return found


def expires(ctx: Any, unit: Any, config: Any) -> datetime | None:
    return getattr(config.plugins.get("edusite-documents"), "valid_until", None)


FEATURE = Feature("documents", inputs=inputs, expires=expires)
