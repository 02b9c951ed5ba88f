"""What the caches share: atomic writes, keyed JSON memos, and when a file's stat can be trusted.

* :func:`write_atomic`: a temporary file in the same folder, then a rename, so a crash leaves
  the old file, never half a new one.
* :func:`load` / :func:`store`: ``{"key": …, "value": …}`` JSON files; a missing, corrupt or
  stale (other key) file reads as ``None``, never as a value.
* :func:`key`: a hash of the edusite code (:func:`code_hash`) and the given parts, so a new
  version never trusts an old memo.
* :func:`settled` / :func:`stamp`: a file changed in the last two seconds may hide a second
  write behind the same time stamp, so nothing keyed by stat may remember it yet.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

RACY_NS = 2_000_000_000  # files younger than this are read every time


def settled(mtime_ns: int) -> bool:
    """True when a file last modified at ``mtime_ns`` may be remembered by its stat."""
    return time.time_ns() - mtime_ns > RACY_NS


def stamp(paths: Iterable[str | os.PathLike[str]]) -> tuple[tuple[str, int, int], ...] | None:
    """``(path, size, mtime_ns)`` of each existing file, for a per-process memo key; ``None``
    when one of them is too young to be trusted (:func:`settled`)."""
    out = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        if not settled(st.st_mtime_ns):
            return None
        out.append((os.fspath(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def write_atomic(path: Path, data: bytes | str) -> bool:
    """Write ``data`` to ``path`` through a temporary file and a rename; False on failure
    (a cache that cannot be written only costs the next run a recomputation)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        tmp.replace(path)
        return True
    except OSError:
        return False


_PACKAGE_DIR = Path(__file__).resolve().parent
_CODE_HASH: list[str] = []


def hash_tree(h: Any, folder: Path, base: Path) -> None:
    """Feed ``h`` every file below ``folder`` (path relative to ``base`` and content digest,
    sorted; links out of the folder count by their target's name, unread)."""
    from .digests import Digests

    if not folder.exists():
        h.update(f"missing:{folder}".encode())
        return
    prefix = folder.relative_to(base).as_posix() if folder != base else ""
    for rel, digest in Digests().tree(folder):
        h.update(f"{prefix}/{rel}".encode() + b"\0" + digest.encode())


def code_hash() -> str:
    """Hash of the installed edusite package (code, data) and its version; computed once."""
    if not _CODE_HASH:
        from . import __version__

        h = hashlib.sha256(f"edusite {__version__}".encode())
        hash_tree(h, _PACKAGE_DIR, _PACKAGE_DIR)
        _CODE_HASH.append(h.hexdigest())
    return _CODE_HASH[0]


def key(*parts: Any) -> str:
    """Hash of the edusite code and ``parts`` (JSON-able, or ``bytes``)."""
    h = hashlib.sha256(code_hash().encode())
    for part in parts:
        h.update(b"\0")
        h.update(
            part
            if isinstance(part, bytes)
            else json.dumps(part, sort_keys=True, default=str).encode()
        )
    return h.hexdigest()


def load(path: Path, memo_key: str) -> Any | None:
    """The value stored at ``path`` under ``memo_key``; ``None`` when missing, corrupt or stale."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["value"] if data.get("key") == memo_key else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store(path: Path, memo_key: str, value: Any) -> None:
    """Keep ``value`` (JSON-able) at ``path`` under ``memo_key``, atomically."""
    write_atomic(path, json.dumps({"key": memo_key, "value": value}, ensure_ascii=False))
