"""The ``edusite-search`` MkDocs plugin: a Vietnamese-aware static search on every site.

* ``on_files`` adds the results page ``tim-kiem/index.md`` and the script and stylesheet;
* ``on_page_content`` turns each content page (posts, documents, disclosure, other pages; not
  listings, pagination or other generated pages) into a :class:`~.index.Record`;
* ``on_post_build`` writes ``search/``; a portal first merges its members' own records
  from the build output (members are built first).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from .. import context
from ..core import glue
from ..core.site import site_unit
from ..errors import EdusiteError
from ..structure.network import Network, Unit
from . import background
from . import index as ix
from . import network as net
from .index import output_root
from .page import CSS_PATH, JS_PATH, PAGE_SRC, PAGE_TITLE, render

log = get_plugin_logger(__name__)
ASSETS = Path(__file__).with_name("assets")

#: Pages never indexed (source paths): the home page and the search page itself.
SKIP = {"index.md", PAGE_SRC}


class SearchConfig(base.Config):
    """Options under ``plugins: edusite-search:``."""

    enabled = c.Type(bool, default=True)
    """Switch search off (no results page, no index)."""

    network = c.Type(bool, default=True)
    """On portals, merge the members' indexes (network-wide search)."""

    network_records = c.Type(int, default=net.BUDGET)
    """Records a portal takes from its members at most (each member ``max(1, this // members)``,
    its best: documents and featured posts, then posts, newest first). Bounds the index, and
    what a phone downloads for a query, whatever the network's size (docs/search.md)."""


class SearchPlugin(BasePlugin[SearchConfig]):
    """Collects one record per content page and writes the chunked index."""

    def __init__(self) -> None:
        self.network: Network | None = None
        self.unit: Unit | None = None
        self.records: list[ix.Record] = []
        self.skip: set[str] = set()
        self.merge: background.MemberMerge | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.network, self.unit, self.records, self.skip = None, None, [], set()
        if not self.config.enabled:
            return None
        try:
            _ctx, self.network, self.unit = site_unit(config)
        except EdusiteError as exc:
            raise PluginError(str(exc)) from exc
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Add the results page and its assets (an author's own file wins)."""
        if self.unit is None:
            return None
        page = f'---\ntitle: "{PAGE_TITLE}"\nsearch_exclude: true\n---\n'
        for path, content in (
            (PAGE_SRC, page.encode()),
            (JS_PATH, (ASSETS / "search.js").read_bytes()),
            (CSS_PATH, (ASSETS / "search.css").read_bytes()),
        ):
            glue.add(files, File.generated(config, path, content=content))
        return files

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Index the page; on the results page, put the search UI below its text."""
        if self.unit is None:
            return None
        src = page.file.src_uri
        if src == PAGE_SRC:
            return html + render(
                self.unit,
                portal=self.unit.is_portal and self.config.network,
                link=lambda t: get_relative_url(t, page.url),
            )
        record = self._record(page, html, config)
        if record is not None:
            self.records.append(record)
        return None

    def _record(self, page: Page, html: str, config: MkDocsConfig) -> ix.Record | None:
        src = page.file.src_uri
        if src in SKIP or page.meta.get("search_exclude") or page.file.generated_by:
            return None
        core = config.plugins.get("edusite")
        state = getattr(core, "state", None)
        if state is not None and src in state.listings:
            return None
        date, kind = None, "trang"
        post = state.post_by_src(src) if state is not None else None
        featured = False
        if post is not None:
            date, kind, featured = post.date, "tin-tuc", bool(post.featured)
        elif src.startswith("van-ban/"):
            docs = config.plugins.get("edusite-documents")
            site = getattr(docs, "site", None)
            doc = site.document_by_src(src) if site is not None else None
            if doc is None:
                return None  # a list page of documents
            date, kind = doc.ngay_ban_hanh, "van-ban"
        elif src.startswith("cong-khai/"):
            kind = "cong-khai"
        text = ix.html_text(html)
        title = page.title or ""
        if text.startswith(title):  # the page's own <h1>
            text = text[len(title) :].lstrip()
        assert self.unit is not None
        return ix.Record.make(page.url, title, self.unit.id, date, kind, text, featured)

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """On a big portal, start merging the members' indexes in a forked child now."""
        self.merge = None
        if self.unit is None or self.network is None:
            return
        if self.unit.is_portal and self.config.network:
            staging = Path(config.site_dir)
            self.merge = background.start(
                self._members(config),
                self.unit.id,
                self.unit.name,
                self.unit.site_url,
                staging / ix.DIR,
                staging.parent / f".{staging.name}.search-own.pickle",
                budget=self._budget(),
                cache=self._cache(),
            )

    def on_build_error(self, *, error: Exception) -> None:
        if getattr(self, "merge", None) is not None:
            self.merge.cancel()
            self.merge = None

    def _members(self, config: MkDocsConfig) -> list[net.Member]:
        """Every member (id, name, site_url, search folder in the build output)."""
        assert self.unit is not None and self.network is not None
        out = output_root(Path(config.site_dir))
        return [
            net.Member(d.id, d.name, d.site_url, out / d.id / ix.DIR)
            for d in self.network.descendants(self.unit.id)
        ]

    def _budget(self) -> int:
        return max(1, int(self.config.network_records))

    def _cache(self) -> Path | None:
        """The members' block cache of this portal (none for a plain ``mkdocs build`` or
        ``--no-cache``)."""
        ctx = context.running()
        assert self.unit is not None
        return net.cache_path(ctx.cache if ctx is not None else None, self.unit.id)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write ``search/``: this site's records, and on portals the members' too."""
        if self.unit is None or self.network is None:
            return
        unit = self.unit
        target = Path(config.site_dir) / ix.DIR
        merge, self.merge = getattr(self, "merge", None), None
        if merge is not None and merge.finish(self.records):
            return  # the child wrote search/
        members = self._members(config) if unit.is_portal and self.config.network else []
        for m in members:
            if not ix.records_file(m.folder).is_file():
                log.info("search: no index for member %s yet (build it first)", m.id)
        background.write_blocks(
            self.records,
            members,
            unit.id,
            unit.name,
            unit.site_url,
            target,
            budget=self._budget(),
            cache=self._cache() if members else None,
        )
