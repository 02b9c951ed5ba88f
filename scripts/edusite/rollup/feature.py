"""The roll-up for the build (:mod:`edusite.extensions`): a portal depends on its members'
built feeds; one with remote members is stale as soon as it is built (they are fetched at every
build, unless offline).

What else a portal reads from its members, and why it needs no input of its own:

* **archive documents** (RFC 5005, read on a gap): written from the same posts as the
  subscription document, which changes whenever they do;
* **covers** (:mod:`.images`): an in-repo member's feed names them by content-hashed file names
  (``anh-bia.og.3f1c98c0.jpg``), so a cover that changes changes the feed file, an input; remote
  members' covers come with their feeds, fetched at every build.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..extensions import Feature, Input
from .policy import inputs as feed_inputs


def inputs(ctx: Any, unit: Any) -> Iterable[Input]:
    if not unit.is_portal or ctx.network is None:
        return []
    return list(feed_inputs(ctx.network, unit.id, ctx.out))


def expires(ctx: Any, unit: Any, config: Any) -> datetime | None:
    if unit.is_portal and unit.rollup.get("remote") and not ctx.offline:
        return ctx.now
    return None


FEATURE = Feature("rollup", inputs=inputs, expires=expires)
