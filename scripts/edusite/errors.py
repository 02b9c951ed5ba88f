"""Errors and findings that speak to teachers and IT staff alike.

Every problem a user can cause names the file, the field and what was expected, in Vietnamese
first and English second, so the message can be pasted into a chat with either audience.
"""

from __future__ import annotations

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
