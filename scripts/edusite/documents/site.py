"""One site's documents section during a build, independent of MkDocs objects.

The plugin hands it ``(src_uri, path)`` pairs and asks for pages, feeds and HTML; everything
here is testable without running MkDocs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import context, memo
from ..core.feeds import unit_feed_settings
from ..errors import Problem
from ..security.confine import stays_inside
from ..structure.network import Network, Unit
from .feed import (
    RSS_PATH,
    UpperDocument,
    build_documents_feed,
    documents_feed_files,
    parse_documents_feed,
    read_documents_feed,
)
from .load import load_documents
from .model import DOCS_DIR, Document, DocumentType, is_document, load_types
from .pages import DocPage, FacetValue, facet_values, get_pages
from .render import Link, list_page, metadata_table, upper_page

log = logging.getLogger("mkdocs.plugins.edusite.documents")


def output_root(site_dir: Path) -> Path:
    """Folder holding every unit's built site: the running build's output, else the site dir's
    parent. The same rule as :attr:`edusite.core.site.SiteState.output_root`."""
    ctx = context.running()
    return ctx.out if ctx is not None else site_dir.parent


def upper_inputs(network: Network, unit: Unit, root: Path) -> list[Path]:
    """The built feed files ``van-ban/cap-tren/`` falls back to (for a build cache key; some
    may not exist)."""
    return [root / a.id / RSS_PATH for a in network.ancestors(unit.id)]


def documents_folder(network: Network, unit: Unit) -> Path:
    """``content/<id>/van-ban``: the unit's documents (its ``docs_dir`` when set)."""
    return network.content_dir(unit) / DOCS_DIR


_UPPER_MEMO: dict[tuple[object, ...], list[UpperDocument] | None] = {}


def _files(folder: Path) -> list[Path]:
    """Every file below ``folder``, sorted (none when it does not exist)."""
    return sorted(
        Path(top) / n
        for top, _dirs, names in os.walk(folder)
        for n in names
        if stays_inside(os.path.join(top, n), folder)  # a link out is never read
    )


def documents_of(
    network: Network, unit: Unit, types: Sequence[DocumentType]
) -> list[UpperDocument] | None:
    """The documents ``unit``'s own feed lists, read from its content (the same functions its
    build uses), or ``None`` when its documents have errors (its build would fail, so its last
    built feed stays the truth).

    Schools build before their parents, so reading a parent's *built* feed would show the
    previous build's documents (and a cold build would need two passes to settle). Kept per
    process by the files' stats: the hundreds of schools under one Sở read its folder once.
    """
    folder = documents_folder(network, unit)
    files = _files(folder)
    stamps = memo.stamp(files)  # None: a file too young to be remembered by its stat
    key = (unit.id, unit.site_url, unit.name, tuple(types), stamps)
    if stamps is None or key not in _UPPER_MEMO:
        found = _read_documents(folder, files, unit, types)
        if stamps is None:
            return found
        if len(_UPPER_MEMO) > 256:
            _UPPER_MEMO.clear()
        _UPPER_MEMO[key] = found
    found = _UPPER_MEMO[key]
    return list(found) if found is not None else None


def _read_documents(
    folder: Path, files: list[Path], unit: Unit, types: Sequence[DocumentType]
) -> list[UpperDocument] | None:
    """What :func:`documents_of` computes; ``None`` on any error (never raises: a unit's bad
    file fails its own build, not its members')."""
    try:
        sources = [(p.relative_to(folder.parent).as_posix(), p) for p in files]
        documents, problems = load_documents(
            [(uri, p) for uri, p in sources if is_document(uri)], unit_id=unit.id, types=types
        )
        if any(p.severity == "error" for p in problems):
            return None
        rss, _atom = build_documents_feed(
            documents, site_url=unit.site_url, site_name=unit.name, unit_id=unit.id
        )
        return parse_documents_feed(rss)
    except Exception as exc:  # noqa: BLE001 - fall back to the unit's last built feed
        log.warning(
            "%s: không đọc được văn bản (%s: %s) / cannot read the documents (%s: %s)",
            folder, type(exc).__name__, exc, type(exc).__name__, exc,
        )  # fmt: skip
        return None


def cache_inputs(network: Network, unit: Unit, root: Path) -> list[Path]:
    """Every file outside the unit's own content that this plugin's pages depend on: the
    files of its ancestors' ``van-ban/`` folders (``van-ban/cap-tren/`` lists their documents).

    A portal's report page (``bao-cao/``) also reads its members' posts and albums:
    :func:`edusite.build.cache.site_key` covers those by hashing every member's content folder.
    ``root`` (the build output root) is unused; the signature matches the other plugins'
    ``cache_inputs`` (see :func:`edusite.build.cache.plugin_inputs`).
    """
    ancestors = network.ancestors(unit.id)
    return sorted(f for a in ancestors for f in _files(documents_folder(network, a)))


@dataclass
class DocumentsSite:
    """The documents, generated pages and upper-level documents of one unit's site."""

    network: Network
    unit: Unit
    output_root: Path
    types: tuple[DocumentType, ...] = field(default_factory=load_types)
    upper_enabled: bool = True
    upper_limit: int = 200
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    upper: list[tuple[str, list[UpperDocument]]] = field(default_factory=list)
    pages: dict[str, DocPage] = field(default_factory=dict)  # by src_uri
    values: dict[str, list[FacetValue]] = field(default_factory=dict)
    _by_src: dict[str, Document] = field(default_factory=dict, repr=False)

    def collect(self, sources: Sequence[tuple[str, Path]]) -> None:
        """Load and validate the documents among the site's Markdown files."""
        chosen = [(uri, path) for uri, path in sources if is_document(uri)]
        self.documents, self.problems = load_documents(
            chosen, unit_id=self.unit.id, types=self.types
        )
        self._by_src = {d.src_uri: d for d in self.documents}

    def read_upper(self) -> None:
        """Documents of every level above, as their ``van-ban/feed.xml`` lists them.

        Read from the ancestors' content (:func:`documents_of`), so a new Sở document reaches
        every school in the same build; an ancestor whose documents have errors is read from
        its last built feed instead.
        """
        self.upper = []
        if not self.upper_enabled:
            return
        ancestors = self.network.ancestors(self.unit.id)
        for ancestor, path in zip(
            ancestors, upper_inputs(self.network, self.unit, self.output_root), strict=True
        ):
            docs = documents_of(self.network, ancestor, self.types)
            if docs is None:
                log.warning(
                    "van-ban/cap-tren: văn bản của %s có lỗi, dùng danh sách của lần xây dựng "
                    "thành công trước / %s's documents have errors, using its last built list",
                    ancestor.id,
                    ancestor.id,
                )
                docs = read_documents_feed(path, self.upper_limit)
            elif self.upper_limit > 0:
                docs = docs[: self.upper_limit]
            if docs:
                self.upper.append((ancestor.name, docs))

    def make_pages(self) -> list[DocPage]:
        """The generated pages; none when the unit has neither documents nor upper documents."""
        if not self.documents and not self.upper:
            self.pages = {}
            return []
        self.values = facet_values(self.documents, self.types)
        pages = get_pages(self.documents, self.types, upper=bool(self.upper))
        self.pages = {p.src_uri: p for p in pages}
        return pages

    def feeds(self) -> dict[str, bytes]:
        """The files of the unit's own documents feed, ``{site-relative path: bytes}``: RSS and
        Atom, bounded and archived per the network's feed settings (none without documents)."""
        if not self.documents:
            return {}
        settings, _problems = unit_feed_settings(self.network, self.unit.id)  # core reports them
        return documents_feed_files(
            self.documents,
            site_url=self.unit.site_url,
            site_name=self.unit.name,
            settings=settings,
            unit_id=self.unit.id,
        )

    def document_by_src(self, src_uri: str) -> Document | None:
        """The document whose page is ``src_uri`` (a dict lookup: called for every page)."""
        return self._by_src.get(src_uri)

    def render(self, src_uri: str, link: Link) -> str | None:
        """HTML to put on page ``src_uri`` (before its own content), or ``None``."""
        doc = self.document_by_src(src_uri)
        if doc is not None:
            return metadata_table(doc, link)
        page = self.pages.get(src_uri)
        if page is None:
            return None
        if page.kind == "upper":
            return upper_page(self.upper, self.values, link)
        return list_page(page, self.values, link, upper=bool(self.upper))
