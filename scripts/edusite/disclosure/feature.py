"""3 công khai for the build (:mod:`edusite.extensions`): the rules (the network's own file
when it has one); a portal's dashboard reads its members' pages and configs. Both the school's
index ("tình trạng tính đến ngày …", due and overdue items) and a portal's dashboard are counted
in days: they expire at the next midnight."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..extensions import Feature, Input, next_midnight
from . import DISCLOSURE_DIR


def _rules_file(ctx: Any) -> list[Input]:
    network = ctx.network
    extra = (network.settings.get("disclosure_rules") if network is not None else None) or None
    return [network.root / str(extra)] if isinstance(extra, str) else []


def inputs(ctx: Any, unit: Any) -> Iterable[Input]:
    network = ctx.network
    if network is None:
        return []
    found = _rules_file(ctx)
    if unit.is_portal:
        for member in network.descendants(unit.id):  # the same trees the report hashes
            found += [network.content_dir(member), member.config_file]
    return found


def expires(ctx: Any, unit: Any, config: Any) -> datetime | None:
    network = ctx.network
    if network is None:
        return None
    if (network.content_dir(unit) / DISCLOSURE_DIR).is_dir() or (
        unit.is_portal and network.descendants(unit.id)
    ):
        return next_midnight(ctx.now)
    return None


FEATURE = Feature("disclosure", inputs=inputs, expires=expires)
