"""The web editor for the build (:mod:`edusite.extensions`): a unit's ``quan-tri/config.json``
depends, beyond the unit's own config and the base ``mkdocs.yml`` (hashed for every site), on
the document types, the disclosure rules data and the vendored bundle with our scripts; and on
the school year (its "Công khai" entries), which changes on 1 September."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..extensions import Feature, Input
from ..text import TZ, to_local
from .config import school_year
from .vendor import ASSETS, VENDOR


def inputs(ctx: Any, unit: Any) -> Iterable[Input]:
    data = Path(__file__).resolve().parent.parent
    found: list[Input] = [VENDOR / "manifest.json", ASSETS, data / "documents" / "types.yml"]
    found.append(data / "data" / "disclosure-rules.yml")
    network = ctx.network
    override = (network.settings.get("disclosure_rules") if network is not None else None) or ""
    if isinstance(override, str) and override:
        found.append(network.root / override)
    found.append(f"school-year:{school_year(to_local(ctx.now).date())}")
    return found


def expires(ctx: Any, unit: Any, config: Any) -> datetime | None:
    """The next 1 September: the editor's "Công khai" entries move to the new school year."""
    start = school_year(to_local(ctx.now).date())
    return datetime(start + 1, 9, 1, tzinfo=TZ)


FEATURE = Feature("cms", inputs=inputs, expires=expires)
