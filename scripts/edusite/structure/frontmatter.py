"""Front-matter field rules shared by every loader (posts, documents, disclosure pages).

A loader describes its fields (``{key: (Vietnamese, English)}``) and its length caps; these
functions apply the common rules and report through the loader's ``err(key, vi, en, severity)``
callback, so every file type says the same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..security.markup import plain_text
from ..text import nfc

Err = Callable[..., None]


def text_field(
    meta: Mapping[str, Any],
    key: str,
    describe: tuple[str, str],
    err: Err,
    *,
    required: bool = False,
    limit: int | None = None,
    plain: bool = False,
    collapse: bool = False,
) -> str:
    """The text of ``meta[key]``, or ``""`` after reporting why it is unusable.

    * missing or blank: an error when ``required``;
    * not text (a list, a mapping, ``true``): an error naming what was expected;
    * over ``limit`` characters: an error;
    * ``plain``: the field is text by definition: HTML tags, character escapes and invisible
      characters are removed (:func:`edusite.security.markup.plain_text`), with a warning;
      they would otherwise reach feeds, where readers take titles and summaries as HTML;
    * ``collapse``: runs of whitespace become one space.
    """
    value = meta.get(key)
    vi, en = describe
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            err(key, f"bắt buộc: {vi}", f"required: {en}")
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        err(key, f"cần {vi}", f"expected {en}")
        return ""
    text = nfc(str(value)).strip()
    if collapse:
        text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        err(
            key,
            f"quá dài: {len(text):,} ký tự, tối đa {limit:,}",
            f"too long: {len(text):,} characters, at most {limit:,}",
        )
        return ""
    if plain:
        cleaned = plain_text(text)
        if cleaned != " ".join(text.split()):
            err(
                key,
                "có thẻ HTML, mã thoát (&lt;…) hoặc ký tự ẩn; đã được loại bỏ",
                "holds HTML tags, escapes (&lt;…) or invisible characters; they were removed",
                "warning",
            )
            if required and not cleaned:
                err(key, f"bắt buộc: {vi}", f"required: {en}")
        text = cleaned
    return text
