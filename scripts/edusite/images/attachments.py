"""Attached files (PDF, DOCX, XLSX, …): URL-safe output names and "(PDF, 245 KB)" link labels.

Pure functions: the plugin gives them paths and sizes and applies the results to MkDocs files.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..text import human_size
from .markup import get, parse_attrs, site_path
from .slugs import safe_path

_LINK_RE = re.compile(
    r"""<a\b((?:[^>"']|"[^"]*"|'[^']*')*)>((?:(?!</?a\b).)*?)</a>""", re.IGNORECASE | re.DOTALL
)
_TAGS_RE = re.compile(r"<[^>]*>")
LABEL_CLASS = "es-file-meta"


@dataclass(frozen=True)
class Attachment:
    """An attached file and where it is published."""

    src_uri: str
    dest_uri: str
    size: int

    @property
    def kind(self) -> str:
        """Upper-case extension shown to readers: ``PDF``, ``DOCX``."""
        return posixpath.splitext(self.src_uri)[1].lstrip(".").upper() or "Tệp"

    @property
    def label(self) -> str:
        """``(PDF, 245 KB)``."""
        return f"({self.kind}, {human_size(self.size)})"


def plan_names(files: Iterable[tuple[str, int]], taken: Iterable[str]) -> list[Attachment]:
    """Output names for ``(src_uri, size)`` files: URL-safe, never clashing with ``taken`` paths
    or with each other (``ke-hoach-2.pdf`` when two names fold to the same)."""
    used = set(taken)
    files = sorted(files)
    keep = [(src, size) for src, size in files if safe_path(src) == src]
    used.update(src for src, _size in keep)  # names that are already safe never move
    out = [Attachment(src, src, size) for src, size in keep]
    for src_uri, size in files:
        dest = safe_path(src_uri)
        if dest == src_uri:
            continue
        if dest in used:
            stem, ext = posixpath.splitext(dest)
            n = 2
            while f"{stem}-{n}{ext}" in used:
                n += 1
            dest = f"{stem}-{n}{ext}"
        used.add(dest)
        out.append(Attachment(src_uri, dest, size))
    return out


def label_links(
    html: str, page_url: str, find: Callable[[str], Attachment | None], site_url: str = ""
) -> str:
    """Append ``<span class="es-file-meta">(PDF, 245 KB)</span>`` inside links to attachments
    (skipped when the link already says its type, e.g. a documents table)."""

    def repl(m: re.Match[str]) -> str:
        href = get(parse_attrs(f"<a{m.group(1)}>"), "href")
        path = site_path(href, page_url, site_url) if href else None
        att = find(path) if path else None
        inner = m.group(2)
        if att is None or LABEL_CLASS in inner:
            return m.group(0)
        after = re.split(r"<a\b", html[m.end() : m.end() + 120], maxsplit=1)[0]
        nearby = _TAGS_RE.sub("", inner + " " + after)  # the link and what follows, to the next
        kind = re.escape(att.kind)
        if re.search(rf"\(\s*{kind}\b|\b{kind}\s*[,(]\s*[\d.,]+\s*[KMG]?B\b", nearby):
            return m.group(0)  # already labelled (e.g. a documents table)
        return f'<a{m.group(1)}>{inner} <span class="{LABEL_CLASS}">{att.label}</span></a>'

    return _LINK_RE.sub(repl, html)
