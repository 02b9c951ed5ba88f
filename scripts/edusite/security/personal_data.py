"""Personal data caught while building: a blocking finding fails the unit before anything of it
is written where others read it (pages, feeds, the search indexes of the unit and its portals).

The scanner is :func:`edusite.security.privacy.scan`, the one ``edusite check`` runs on the
3 công khai pages; here it runs on every page a unit publishes (posts included). Only the kinds
that block publishing are reported (``extra.network.publish.blocking_checks``, default citizen
ID numbers and birth dates), and birth dates only where they are a list of people: a table whose
header names them. A birth date in a sentence ("kỷ niệm ngày sinh Bác Hồ 19/5/1890", "trẻ sinh
năm 2021") is ordinary news; ``edusite check`` still reports every kind on 3 công khai pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import Problem, problem

#: Finding kinds that fail a build and block publishing unless the network says otherwise.
DEFAULT_BLOCKING = ("cccd", "birth_date")

TEXT = {
    "cccd": ("số căn cước công dân (12 chữ số)", "a citizen ID number (12 digits)"),
    "phone": (
        "số điện thoại không thuộc liên hệ của đơn vị",
        "a phone number that is not one of the unit's contacts",
    ),
    "birth_date": ("ngày sinh trong danh sách/bảng", "birth dates in a list or table"),
}


def blocking_kinds(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The blocking kinds of a network (``extra.network.publish.blocking_checks``)."""
    publish = settings.get("publish")
    chosen = publish.get("blocking_checks") if isinstance(publish, dict) else None
    return tuple(str(k) for k in chosen) if isinstance(chosen, list) else DEFAULT_BLOCKING


def scan_page(
    text: str,
    file: str | Path,
    *,
    phones: Iterable[str] = (),
    blocking: Iterable[str] = DEFAULT_BLOCKING,
) -> list[Problem]:
    """Errors for the blocking personal data in one page's ``text`` (the whole file, so line
    numbers are the editor's). Numbers are shown masked, with the line."""
    from .privacy import scan

    stop = set(blocking)
    found = [
        h for h in scan(text, phones) if h.kind in stop and (h.kind != "birth_date" or h.in_table)
    ]
    out: list[Problem] = []
    for kind in ("cccd", "birth_date", "phone"):
        hits = [h for h in found if h.kind == kind]
        if not hits:
            continue
        vi, en = TEXT[kind]
        shown = ", ".join(dict.fromkeys(f"{h.masked} (dòng/line {h.line})" for h in hits))
        out.append(
            problem(
                file,
                None,
                f"dữ liệu cá nhân: {vi}: {shown}; trang của đơn vị không được xây dựng và đăng "
                "cho đến khi xóa (Luật Bảo vệ dữ liệu cá nhân)",
                f"personal data: {en}: {shown}; the unit's site is not built or published until "
                "it is removed",
            )
        )
    return out
