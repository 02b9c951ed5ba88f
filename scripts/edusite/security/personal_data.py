"""Personal data caught while building: a blocking finding fails the unit before anything of it
is written where others read it (pages, feeds, the search indexes of the unit and its portals).

The scanner is :func:`edusite.security.privacy.scan`, the one ``edusite check`` runs on the
3 công khai pages; here it runs on every page a unit publishes (posts included). Only the kinds
that block publishing are reported (``extra.network.publish.blocking_checks``, default citizen
and identity card numbers and birth dates: the high-precision findings), and birth dates only
where they are a list of people: a table with a birth-date column. A birth date in a sentence
("kỷ niệm ngày sinh Bác Hồ 19/5/1890", "trẻ sinh năm 2021") is ordinary news, and a table of
historical dates ("Năm sinh - năm mất" of Chủ tịch Hồ Chí Minh) is history; ``edusite check``
still reports every kind on 3 công khai pages. ``cccd`` in ``blocking_checks`` covers both ID
kinds (``cccd`` and ``cmnd``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import Problem, problem
from .privacy import KINDS, scan

#: Finding kinds that fail a build and block publishing unless the network says otherwise.
DEFAULT_BLOCKING = ("cccd", "cmnd", "birth_date")

#: Every kind the scanner reports (:data:`KINDS`, in report order), with its words.
TEXT = {
    "cccd": ("số căn cước công dân (12 chữ số)", "a citizen ID number (12 digits)"),
    "cmnd": ("số chứng minh nhân dân (9 chữ số)", "an identity card number (9 digits)"),
    "phone": (
        "số điện thoại không thuộc liên hệ của đơn vị",
        "a phone number that is not one of the unit's contacts",
    ),
    "birth_date": ("ngày sinh trong danh sách/bảng", "birth dates in a list or table"),
    "address": (
        "địa chỉ nơi ở của cá nhân trong danh sách",
        "people's home addresses in a list",
    ),
    "class_list": (
        "danh sách học sinh kèm lớp",
        "a list of pupils with their classes",
    ),
}


#: Places one finding lists; the others are counted (a page or a sheet can hold thousands, and
#: every report, the problem list included, would repeat them all).
MAX_LISTED = 20


def listed(values: Iterable[str], more: str) -> str:
    """The distinct ``values`` joined by commas, at most :data:`MAX_LISTED` of them, then
    ``… (+N <more>)``."""
    unique = list(dict.fromkeys(values))
    text = ", ".join(unique[:MAX_LISTED])
    if len(unique) > MAX_LISTED:
        text += f", … (+{len(unique) - MAX_LISTED} {more})"
    return text


def blocking_kinds(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The blocking kinds of a network (``extra.network.publish.blocking_checks``)."""
    publish = settings.get("publish")
    chosen = publish.get("blocking_checks") if isinstance(publish, dict) else None
    if not isinstance(chosen, list):
        return DEFAULT_BLOCKING
    return with_id_cards(chosen)


def with_id_cards(chosen: Iterable[Any]) -> tuple[str, ...]:
    """``chosen`` as kinds, ``cmnd`` added when ``cccd`` is there: one ID rule covers the old
    9-digit card too (the build's gate and the publish gate share this)."""
    kinds = [str(k) for k in chosen]
    if "cccd" in kinds and "cmnd" not in kinds:
        kinds.append("cmnd")
    return tuple(kinds)


def scan_page(
    text: str,
    file: str | Path,
    *,
    phones: Iterable[str] = (),
    blocking: Iterable[str] = DEFAULT_BLOCKING,
    allowed: Any = None,
) -> list[Problem]:
    """Errors for the blocking personal data in one page's ``text`` (the whole file, so line
    numbers are the editor's). Numbers are shown masked, with the line. ``allowed``
    (:class:`~edusite.security.privacy.Allowed`: contacts, founding year) replaces ``phones``."""
    stop = set(blocking)
    hits = scan(text, phones, allowed=allowed)
    found = [h for h in hits if h.kind in stop and (h.kind != "birth_date" or h.in_table)]
    out: list[Problem] = []
    for kind in KINDS:
        hits = [h for h in found if h.kind == kind]
        if not hits:
            continue
        vi, en = TEXT[kind]
        places = [f"{h.masked} (dòng/line {h.line})" for h in hits]
        out.append(
            problem(
                file,
                None,
                f"dữ liệu cá nhân: {vi}: {listed(places, 'chỗ khác')}; trang của đơn vị không "
                "được xây dựng và đăng cho đến khi xóa (Luật Bảo vệ dữ liệu cá nhân)",
                f"personal data: {en}: {listed(places, 'more')}; the unit's site is not built or "
                "published until it is removed",
            )
        )
    return out
