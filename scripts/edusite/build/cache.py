"""The incremental build cache: rebuild a site only when something it depends on changed.

A site's key hashes everything its output depends on: the edusite package code, the shared
theme, the base and site configs, every file of its content folder, and for portals the member
feeds they roll up. The cache file lives in a folder CI can persist (``.cache/build.json``); a
corrupt, foreign or stale file is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..digests import Digests
from ..structure.network import Network, Unit

FORMAT = 1
_PACKAGE_DIR = Path(__file__).resolve().parent
_CODE_HASH: str | None = None


def _hash_tree(h: Any, folder: Path, base: Path, digests: Digests | None = None) -> None:
    """Feed every file below ``folder`` (path relative to ``base`` and content digest, sorted)."""
    if not folder.exists():
        h.update(f"missing:{folder}".encode())
        return
    prefix = folder.relative_to(base).as_posix() if folder != base else ""
    for rel, digest in (digests or Digests()).tree(folder):
        h.update(f"{prefix}/{rel}".encode() + b"\0" + digest.encode())


def code_hash() -> str:
    """Hash of the installed edusite package (code, data) and its version; computed once."""
    global _CODE_HASH
    if _CODE_HASH is None:
        h = hashlib.sha256(f"edusite {__version__}".encode())
        _hash_tree(h, _PACKAGE_DIR, _PACKAGE_DIR)
        _CODE_HASH = h.hexdigest()
    return _CODE_HASH


def network_hash(network: Network) -> str:
    """Hash of what every site shares: package code, base config, theme, environment switches."""
    h = hashlib.sha256(code_hash().encode())
    base = network.root / "mkdocs.yml"
    h.update(base.read_bytes() if base.exists() else b"")
    _hash_tree(h, network.root / "shared-theme", network.root)
    return h.hexdigest()


def member_feeds(network: Network, unit: Unit, out: Path) -> list[Path]:
    """Local feed files a portal reads from its members' built output."""
    try:
        from ..rollup import inputs  # the roll-up engine knows its policy's exact inputs
    except ImportError:  # pragma: no cover - roll-up not installed
        inputs = None
    if inputs is not None:
        return list(inputs(network, unit.id, out))
    paths: list[Path] = []
    for member in network.descendants(unit.id):
        paths += [out / member.id / "feed.xml", out / member.id / "featured.xml"]
    return paths


def plugin_inputs(network: Network, unit: Unit, out: Path) -> list[Path]:
    """Files outside the unit's content that other edusite plugins read (parents' documents, members' posts)."""
    from ..documents.site import cache_inputs as document_inputs
    from ..search import cache_inputs as search_inputs

    paths = document_inputs(network, unit, out) + search_inputs(network, unit, out)
    return sorted(set(paths))


def site_key(
    network: Network, unit: Unit, out: Path, shared: str, digests: Digests | None = None
) -> str:
    """The cache key of one site (see the module docstring); ``digests`` spares re-reading
    files whose stat is unchanged since they were last hashed."""
    d = digests or Digests()
    h = hashlib.sha256(shared.encode())
    h.update(unit.config_file.read_bytes())
    for ancestor in network.ancestors(unit.id):  # their names and links appear on our pages
        h.update(ancestor.config_file.read_bytes())
    h.update(d.tree_hash(network.content_dir(unit)).encode())
    for extra in plugin_inputs(network, unit, out):
        h.update(f"{extra}\0{d.of(extra)}".encode())
    if unit.is_portal:
        # The report page counts the members' posts and photos: depend on their content
        # (hashed once per build, when the member's own key was made).
        # Its disclosure dashboard reads their configs too (levels, flags, contacts).
        for member in network.descendants(unit.id):
            h.update(f"{member.id}\0{d.tree_hash(network.content_dir(member))}\0".encode())
            h.update(d.of(member.config_file).encode())
        for feed in member_feeds(network, unit, out):
            h.update(f"{feed}\0{d.of(feed)}".encode())
        if unit.rollup.get("remote") and not os.environ.get("EDUSITE_OFFLINE"):
            h.update(datetime.now().isoformat().encode())  # remote members: always refetch
    return h.hexdigest()


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
