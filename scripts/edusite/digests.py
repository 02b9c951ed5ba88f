"""Content digests of input files, remembered by their stat so unchanged files are not re-read.

The build cache keys every site by the bytes of its inputs; a province holds tens of thousands
of posts and photos, and reading them all on every build costs seconds. Like git's index, a
file whose size, modification time (ns) and inode are unchanged keeps its remembered digest.
A file modified in the last two seconds is never remembered (its time stamp could hide a second
write in the same tick), and a fresh checkout (new times) simply hashes everything once: the
digests are of the bytes, so keys stay equal and nothing is rebuilt.

The table lives in ``<cache>/digests.json``; a corrupt or foreign file is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .memo import settled, write_atomic

FORMAT = 1
MISSING = "missing"


def _within(path: str, inside: str) -> bool:
    """True unless ``path`` is a symbolic link resolving outside ``inside`` (a real path + sep)."""
    if not os.path.islink(path):
        return True
    return (os.path.realpath(path) + os.sep).startswith(inside)


class Digests:
    """``path → sha256`` with a stat check; :meth:`save` keeps what was learned."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.known: dict[str, list[Any]] = {}  # path -> [size, mtime_ns, ino, hexdigest]
        self.seen: dict[str, str] = {}  # this run's answers (also for racy files)
        self.trees: dict[str, str] = {}  # this run's folder hashes
        self.dirty = False
        self.readonly = False  # a shared table: remember nothing new
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("format") == FORMAT:
                    files = data.get("files")
                    if isinstance(files, dict):
                        self.known = files
            except (OSError, ValueError):
                pass

    def of(self, path: str | os.PathLike[str]) -> str:
        """The hex sha256 of the file's bytes, or ``"missing"``."""
        name = os.fspath(path)
        hit = self.seen.get(name)
        if hit is not None:
            return hit
        try:
            st = os.stat(name)
        except OSError:
            self.seen[name] = MISSING
            return MISSING
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        entry = self.known.get(name)
        if isinstance(entry, list) and len(entry) == 4 and entry[:3] == stamp:
            digest = str(entry[3])
        else:
            try:
                with open(name, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                digest = MISSING
            if self.readonly:
                pass
            elif digest != MISSING and settled(st.st_mtime_ns):
                self.known[name] = [*stamp, digest]
                self.dirty = True
            elif name in self.known:
                del self.known[name]
                self.dirty = True
        self.seen[name] = digest
        return digest

    def tree(self, folder: Path) -> list[tuple[str, str]]:
        """``(path relative to folder, digest)`` of every file below ``folder``, sorted."""
        out: list[tuple[str, str]] = []
        base = os.fspath(folder).rstrip("/")
        inside = os.path.realpath(base) + os.sep
        for top, dirs, names in os.walk(base, followlinks=True):  # as MkDocs reads docs
            # ...but never out of the folder: a link out is refused by the build
            # (edusite.security.confine); here it counts by its target's name, unread.
            dirs[:] = sorted(
                d for d in dirs if d != "__pycache__" and _within(os.path.join(top, d), inside)
            )
            rel = top[len(base) + 1 :].replace(os.sep, "/")  # os.walk's tops start with base
            for n in sorted(names):
                path = f"{top}/{n}"
                digest = self.of(path) if _within(path, inside) else "link:" + os.readlink(path)
                out.append((f"{rel}/{n}" if rel else n, digest))
        return out

    def tree_hash(self, folder: Path) -> str:
        """One hash of :meth:`tree` (paths and digests), computed once per folder and run."""
        key = os.fspath(folder)
        if key not in self.trees:
            h = hashlib.sha256()
            for rel, digest in self.tree(folder):
                h.update(f"{rel}\0{digest}\n".encode())
            self.trees[key] = h.hexdigest()
        return self.trees[key]

    def real_trees(self) -> dict[str, str]:
        """This run's folder hashes keyed by real path (so other processes can look up a folder
        however they spell it)."""
        return {os.path.realpath(k): v for k, v in self.trees.items()}

    def save(self) -> None:
        """Write the table atomically (only when something changed)."""
        if self.path is None or not self.dirty:
            return
        data = json.dumps({"format": FORMAT, "files": self.known}, separators=(",", ":"))
        if write_atomic(self.path, data):
            self.dirty = False


_TABLES: dict[tuple[str, int, int], dict[str, list[Any]]] = {}


def reader(path: Path) -> Digests:
    """A fresh, read-only view of the table at ``path`` (for build workers: the parent saves).

    The parsed table is kept per process while the file is unchanged; answers are not, so a
    long-lived process (tests, ``edusite serve``) never reuses a digest from an earlier build.
    """
    view = Digests()
    view.path = None  # never saved
    try:
        st = path.stat()
    except OSError:
        return view
    stamp = (os.fspath(path), st.st_mtime_ns, st.st_size)
    if stamp not in _TABLES:
        _TABLES.clear()
        _TABLES[stamp] = Digests(path).known
    view.known = _TABLES[stamp]
    view.readonly = True
    return view


_TREES: dict[tuple[str, int], dict[str, str]] = {}


def build_trees() -> dict[str, str]:
    """Content-folder hashes (real path → hash) the running ``edusite build`` computed for its
    cache keys (the build context's ``trees``); empty outside such a build. A portal's memos of
    its members (report counts, disclosure status) use them instead of listing every file again."""
    from . import context

    ctx = context.running()
    return dict(ctx.trees) if ctx is not None else {}


def folder_hash(folder: Path, table: Path | None = None) -> str:
    """The hash of every file below ``folder`` (paths and bytes), as the cache keys use it: the
    one this build computed (:func:`build_trees`) when there is one, else computed now with the
    digest table at ``table`` (read only) sparing files whose stat is unchanged."""
    known = build_trees().get(os.path.realpath(folder))
    if known is not None:
        return known
    return (reader(table) if table is not None else Digests()).tree_hash(folder)
