"""Caps on one page's Markdown, checked before it is converted: a single hostile file must not
cost a build more than a few seconds or a few hundred MB (``bench/hostile.py`` measures it).

Python-Markdown is not built for adversarial input: 1 MB of raw ``<script>`` tags takes about
7 s, a 2,000-column table of 500 rows 18 s and 860 MB, 1,000 nested list levels 6 s and 600 MB,
100,000 nested ``*`` a RecursionError. Real pages are far below every cap (the largest demo page
is 2.6 KB; a long disclosure table is a few hundred cells), so a page over one is refused with a
message saying which cap and what to do, and the rest of the site is not affected by its cost.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Problem, problem

MAX_BYTES = 1_000_000  # a page's Markdown (photos and documents are files of their own)
MAX_TAGS = 10_000  # raw HTML tags
MAX_CELLS = 50_000  # table cell separators ("|")
MAX_INDENT = 256  # columns of leading whitespace (about 64 levels of nested lists)
MAX_QUOTE = 64  # levels of nested block quotes
MAX_RUN = 200  # the same emphasis/bracket character in a row (nested emphasis recursion)

_TAG_RE = re.compile(r"<[A-Za-z/!?]")
_INDENT_RE = re.compile(rf"^[ \t]{{{MAX_INDENT + 1},}}", re.MULTILINE)
_QUOTE_RE = re.compile(rf"^(?:[ ]{{0,3}}>){{{MAX_QUOTE + 1},}}", re.MULTILINE)
_RUN_RE = re.compile(rf"([*_\[\](){{}}<>~`])\1{{{MAX_RUN},}}")


def too_large(path: str | Path) -> Problem | None:
    """An error when the file at ``path`` is over :data:`MAX_BYTES`, told without reading it
    (the build and ``edusite check`` refuse such a page unread); ``None`` otherwise, or when it
    cannot be stat'ed (reading it then says why)."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return None
    if size <= MAX_BYTES:
        return None
    return problem(
        path,
        None,
        f"trang quá lớn: {size:,} byte, tối đa {MAX_BYTES:,}",
        f"page too large: {size:,} bytes, at most {MAX_BYTES:,}",
    )


def check_markdown(text: str, file: str | Path) -> list[Problem]:
    """The caps ``text`` (one page's Markdown, front matter included) exceeds, as errors."""
    out: list[Problem] = []

    def refuse(vi: str, en: str) -> None:
        out.append(
            problem(
                file,
                None,
                f"{vi}; hãy chia thành nhiều trang hoặc đưa số liệu vào tệp đính kèm (PDF/Excel)",
                f"{en}; split it into several pages or attach the data as a file (PDF/Excel)",
            )
        )

    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        refuse(
            f"trang quá lớn: {size:,} byte, tối đa {MAX_BYTES:,}",
            f"page too large: {size:,} bytes, at most {MAX_BYTES:,}",
        )
        return out  # the other counts would only repeat it
    tags = len(_TAG_RE.findall(text))
    if tags > MAX_TAGS:
        refuse(
            f"quá nhiều thẻ HTML: {tags:,}, tối đa {MAX_TAGS:,}",
            f"too many HTML tags: {tags:,}, at most {MAX_TAGS:,}",
        )
    cells = text.count("|")
    if cells > MAX_CELLS:
        refuse(
            f"bảng quá lớn: {cells:,} ô, tối đa {MAX_CELLS:,}",
            f"tables too large: {cells:,} cells, at most {MAX_CELLS:,}",
        )
    if _INDENT_RE.search(text) or _QUOTE_RE.search(text):
        refuse(
            "danh sách hoặc trích dẫn lồng nhau quá sâu",
            "lists or quotes nested too deeply",
        )
    if _RUN_RE.search(text):
        refuse(
            f"hơn {MAX_RUN} ký tự định dạng (* _ [ ( …) liền nhau",
            f"more than {MAX_RUN} formatting characters (* _ [ ( …) in a row",
        )
    return out
