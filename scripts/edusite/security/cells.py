"""Spreadsheet cells that never run: what every CSV or XLSX edusite writes puts in a cell.

Names, titles and groups come from units' configs and pages; a cell that starts like a formula
(``=``, ``+``, ``-``, ``@``, a tab or a line break) gets a leading apostrophe, OWASP's advice
against CSV injection. Numbers are kept as they are.
"""

from __future__ import annotations

from typing import TypeVar

#: A text cell starting with one of these is a formula to Excel and LibreOffice (a unit or group
#: named ``=HYPERLINK(…)`` would run in the inspector's spreadsheet).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

T = TypeVar("T")


def safe_cell(value: T) -> T:
    """``value`` as a spreadsheet shows it and never runs (formula-like text gets an
    apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # type: ignore[return-value]
    return value
