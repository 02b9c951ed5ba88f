"""Which school years a unit has ever published, from the repository's git history.

A year folder ``cong-khai/<Y>-<Y+1>/`` that was committed once was published once, and the law
asks to keep it online for the retention period: deleting or renaming it later must not make
the year vanish from the check. One ``git log`` lists every file ever added under a
``cong-khai/`` folder of the repository (per process, per ``HEAD``); each unit's years are
picked from it by the unit's content folder.

Without git (a copied folder, no ``git`` program) the history is unknown and the check falls
back to ``extra.unit.disclosure.since`` and the folders present. A shallow clone knows only its
last commits: CI should fetch the whole history (``fetch-depth: 0``) for this rule to see old
years (docs/disclosure.md).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

from .dates import parse_school_year

_YEAR_IN_PATH_RE = re.compile(r"(?:^|/)cong-khai/(\d{4}-\d{4})/")


def _git(args: list[str], cwd: Path) -> str | None:
    if shutil.which("git") is None:
        return None
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


@functools.lru_cache(maxsize=64)
def _toplevel(folder: Path) -> Path | None:
    out = _git(["rev-parse", "--show-toplevel"], folder)
    return Path(out.strip()).resolve() if out and out.strip() else None


@functools.lru_cache(maxsize=8)
def _added_paths(top: Path, head: str) -> tuple[str, ...]:
    """Every path (relative to ``top``) ever added under a ``cong-khai/`` year folder."""
    out = _git(
        [
            "log",
            "--format=",
            "--name-only",
            "--diff-filter=A",
            "--no-renames",
            "--",
            ":(glob)**/cong-khai/*/**",
        ],
        top,
    )
    return tuple(sorted({line.strip() for line in (out or "").splitlines() if line.strip()}))


def published_years(docs_dir: Path) -> set[int] | None:
    """Start years of the school-year folders ever committed under ``docs_dir/cong-khai/``.

    ``None`` when ``docs_dir`` is not in a git repository (or git is missing).
    """
    folder = docs_dir.resolve()
    if not folder.is_dir():
        return None
    top = _toplevel(folder)
    if top is None:
        return None
    head = (_git(["rev-parse", "HEAD"], top) or "").strip()
    if not head:
        return set()  # a repository without commits: nothing published yet
    try:
        prefix = folder.relative_to(top).as_posix()
    except ValueError:
        return None
    prefix = "" if prefix == "." else prefix + "/"
    years: set[int] = set()
    for path in _added_paths(top, head):
        if not path.startswith(prefix):
            continue
        m = _YEAR_IN_PATH_RE.match("/" + path[len(prefix) :])
        if m:
            try:
                years.add(parse_school_year(m.group(1)))
            except ValueError:
                continue
    return years
