"""Errors and findings that speak to teachers and IT staff alike.

Every problem a user can cause names the file, the field and what was expected, in Vietnamese
first and English second, so the message can be pasted into a chat with either audience.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One finding about user input: where it is, and what is wrong in both languages."""

    file: str
    field: str | None
    vi: str
    en: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = (
            self.file
            if not self.field
            else f"{self.file}: trường '{self.field}' / field '{self.field}'"
        )
        return f"{where}: {self.vi} / {self.en}"


class EdusiteError(Exception):
    """An error caused by user input; carries one or more :class:`Problem` items."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def problem(
    file: str | Path, field: str | None, vi: str, en: str, severity: str = "error"
) -> Problem:
    """Build a :class:`Problem`, displaying paths relative to the working directory when possible."""
    return Problem(display_path(file), field, vi, en, severity)


def display_path(file: str | Path) -> str:
    """Return ``file`` relative to the current directory when it lies below it."""
    p = Path(file)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


#: Line breaks of every kind (a CI runner and a terminal start a new line at each).
_BREAKS_RE = re.compile("\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def log_line(text: object) -> str:
    """``text`` as one line of printable text for a terminal or a CI log.

    Messages quote what editors and pull requests wrote (file names, field values, units'
    names). Line breaks become " ⏎ "; every other character that is not printable (terminal
    escapes, bidi and zero-width characters) is shown as Python writes it (``\\x1b``,
    ``\\u202e``), a byte of a file name that was not UTF-8 as ``\\xff``; and neither a leading
    ``::`` nor ``##[`` (GitHub Actions workflow commands) is left as it was. So no value can
    start a line of its own, recolour the terminal or command the CI runner."""
    out = []
    for c in _BREAKS_RE.sub(" ⏎ ", str(text)):
        if c.isprintable():
            out.append(c)
        elif 0xDC80 <= ord(c) <= 0xDCFF:  # surrogateescape: a byte that was not UTF-8
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        else:
            out.append(c.encode("unicode_escape", "backslashreplace").decode("ascii"))
    line = "".join(out).replace("##[", "#\\x23[")
    if line.lstrip().startswith("::"):
        line = line.replace(":", "\\x3a", 1)
    return line
