"""The core feature for the build (:mod:`edusite.extensions`): posts and listings read nothing
outside the unit's folder; a site changes by itself when a scheduled post's time comes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..extensions import Feature


def expires(ctx: Any, unit: Any, config: Any) -> datetime | None:
    """The earliest future post (hidden until then)."""
    state = getattr(config.plugins.get("edusite"), "state", None)
    return state.next_scheduled if state is not None else None


FEATURE = Feature("core", expires=expires)
