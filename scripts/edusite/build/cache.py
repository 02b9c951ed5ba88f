"""The incremental build cache: rebuild a site only when something it depends on changed.

A site's key hashes everything its output depends on: the edusite package code, the shared
theme, the base and site configs, every file of its content folder, and what each feature
declares it reads (:mod:`edusite.extensions`: members' feeds, ancestors' documents, members'
content for reports and dashboards, members' search records). Its validity is the earliest date
a feature says its pages change by themselves. The cache file lives in a folder CI can persist (``.cache/build.json``); a
corrupt, foreign or stale file is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from ..context import BuildContext
from ..digests import Digests
from ..extensions import features
from ..memo import code_hash, hash_tree
from ..structure.network import Network, Unit

FORMAT = 1


def network_hash(network: Network) -> str:
    """Hash of what every site shares: package code, base config, theme, environment switches."""
    h = hashlib.sha256(code_hash().encode())
    base = network.root / "mkdocs.yml"
    h.update(base.read_bytes() if base.exists() else b"")
    hash_tree(h, network.root / "shared-theme", network.root)
    return h.hexdigest()


def site_key(ctx: BuildContext, unit: Unit, shared: str, digests: Digests | None = None) -> str:
    """The cache key of one site: what every site shares (``shared``: package code, base
    config, theme), the unit's config and its ancestors' (their names and links are on its
    pages), its content folder, and every feature's declared inputs (:mod:`edusite.extensions`);
    ``digests`` spares re-reading files whose stat is unchanged since they were last hashed."""
    d = digests or Digests()
    network = ctx.network
    assert network is not None
    h = hashlib.sha256(shared.encode())
    h.update(unit.config_file.read_bytes())
    for ancestor in network.ancestors(unit.id):
        h.update(ancestor.config_file.read_bytes())
    h.update(d.tree_hash(network.content_dir(unit)).encode())
    for feature in features():
        for item in feature.inputs(ctx, unit):
            if isinstance(item, str):
                h.update(f"{feature.name}\0={item}\n".encode())
            elif item.is_dir():
                h.update(f"{feature.name}\0{item}/\0{d.tree_hash(item)}\n".encode())
            else:
                h.update(f"{feature.name}\0{item}\0{d.of(item)}\n".encode())
    return h.hexdigest()


def site_expiry(ctx: BuildContext, unit: Unit, config: Any) -> datetime | None:
    """When a freshly built site goes stale with no input changing: the earliest of every
    feature's ``expires`` (:mod:`edusite.extensions`), or ``None``."""
    dates = [e for f in features() if (e := f.expires(ctx, unit, config)) is not None]
    return min(dates) if dates else None


class BuildCache:
    """``{unit id: {"key": ..., "valid_until": iso date or None}}`` stored as JSON."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        self.problem: str | None = None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if (
                not isinstance(data, dict)
                or data.get("format") != FORMAT
                or not isinstance(data.get("sites"), dict)
            ):
                raise ValueError("unexpected structure")
            for uid, entry in data["sites"].items():
                if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
                    raise ValueError(f"bad entry {uid!r}")
            self.entries = data["sites"]
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:  # corrupt or foreign: start afresh
            self.problem = f"{path}: bộ nhớ đệm hỏng, xây dựng lại / corrupt cache ignored ({exc})"
            self.entries = {}

    def fresh(self, unit_id: str, key: str, out: Path, now: datetime) -> bool:
        """True when ``unit_id`` was built with ``key``, its output exists and no scheduled post is due."""
        entry = self.entries.get(unit_id)
        if not entry or entry.get("key") != key or not (out / unit_id / "index.html").exists():
            return False
        until = entry.get("valid_until")
        return not (until and now >= datetime.fromisoformat(until))

    def store(self, unit_id: str, key: str, valid_until: datetime | None) -> None:
        self.entries[unit_id] = {
            "key": key,
            "valid_until": valid_until.isoformat() if valid_until else None,
        }

    def save(self) -> None:
        """Write atomically (a crash mid-write leaves the old file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"format": FORMAT, "sites": dict(sorted(self.entries.items()))}, indent=1),
            encoding="utf-8",
        )
        tmp.replace(self.path)
