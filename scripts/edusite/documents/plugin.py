"""The ``edusite-documents`` MkDocs plugin: documents (văn bản) and the portals' report page.

Thin handlers delegating to :class:`~edusite.documents.site.DocumentsSite` and
:mod:`edusite.reports.page`. ``on_files`` runs at the default priority, before the core
``edusite`` plugin (-50) computes the top menu, so the menu sees ``van-ban/index.md``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from ..core import glue
from ..core.site import site_unit
from ..errors import EdusiteError, Problem
from ..reports import ReportPage, portal_report, render_page, valid_until
from ..text import now
from .render import CSS_PATH, JS_PATH
from .site import DocumentsSite

log = get_plugin_logger(__name__)
ASSETS = Path(__file__).with_name("assets")


class DocumentsConfig(base.Config):
    """Options under ``plugins: edusite-documents:`` in ``mkdocs.yml``."""

    enabled = c.Type(bool, default=True)
    """Switch the plugin off (no documents pages, feed or report page)."""

    upper_enabled = c.Type(bool, default=True)
    """List the documents of the levels above on ``van-ban/cap-tren/`` (from their built feed)."""

    upper_limit = c.Type(int, default=200)
    """At most this many documents per level above (newest first); 0 for all."""

    report_enabled = c.Type(bool, default=True)
    """On portals (Sở, Phòng, xã), generate ``bao-cao/``: the members' counts and quotas."""


class DocumentsPlugin(BasePlugin[DocumentsConfig]):
    """Validates documents, generates their list pages and feed, and the portal report page."""

    def __init__(self) -> None:
        self.site: DocumentsSite | None = None
        self.report: ReportPage | None = None
        #: When the generated pages may change with no input changing (the report's date).
        self.valid_until: datetime | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Find this site's unit in the network."""
        self.site, self.report, self.valid_until = None, None, None
        if not self.config.enabled:
            return None
        try:
            ctx, network, unit = site_unit(config)
        except EdusiteError as exc:
            raise PluginError(str(exc)) from exc
        self.site = DocumentsSite(
            network=network,
            unit=unit,
            output_root=ctx.out,
            upper_enabled=self.config.upper_enabled,
            upper_limit=self.config.upper_limit,
        )
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Validate documents; add their pages, feed and assets, and a portal's report page."""
        site = self.site
        if site is None:
            return None
        site.collect(
            [
                (f.src_uri, Path(f.abs_src_path))
                for f in files.documentation_pages()
                if f.abs_src_path
            ]
        )
        _raise_errors(site.problems)
        site.read_upper()
        for page in site.make_pages():
            glue.add(files, glue.virtual_page(config, page.src_uri, page.title))
        for path, data in site.feeds().items():  # RSS, Atom and their archives
            glue.add(files, File.generated(config, path, content=data))
        if self.config.report_enabled and site.unit.is_portal:
            moment = now()
            try:
                self.report = portal_report(
                    site.network, site.unit, moment, memo_dir=_memo_dir(config)
                )
                self.valid_until = valid_until(moment) if self.report else None
            except EdusiteError as exc:  # a broken quota file
                raise PluginError(str(exc)) from exc
            skipped = self.report.reports[0].problems if self.report and self.report.reports else []
            for line in dict.fromkeys(str(p) for p in skipped):
                log.warning(
                    "báo cáo: bỏ qua bài viết lỗi của đơn vị thành viên / "
                    "report: skipped a member's invalid post: %s",
                    line,
                )
        if self.report is not None:
            glue.add(files, glue.virtual_page(config, self.report.src_uri, self.report.title))
            for path, data in self.report.files.items():
                glue.add(files, File.generated(config, path, content=data))
        if site.pages or self.report is not None:
            for path, name in ((JS_PATH, "documents.js"), (CSS_PATH, "documents.css")):
                asset = (ASSETS / name).read_bytes()
                glue.add(files, File.generated(config, path, content=asset))
        return files

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """A document page is titled by its summary (trích yếu) unless it sets ``title``."""
        doc = self.site.document_by_src(page.file.src_uri) if self.site else None
        if doc is not None:
            page.meta.setdefault("title", doc.trich_yeu)
            page.meta.setdefault("description", f"{doc.so_hieu}: {doc.trich_yeu}")
        return None

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Put the metadata table above a document, and the tables below list pages' text."""
        if self.site is None:
            return None
        src = page.file.src_uri

        def link(target: str) -> str:
            return target if "://" in target else get_relative_url(target, page.url)

        if self.report is not None and src == self.report.src_uri:
            return html + render_page(self.report, link)
        extra = self.site.render(src, link)
        if extra is None:
            return None
        if self.site.document_by_src(src) is not None:
            return extra + html
        return html + extra


def _memo_dir(config: MkDocsConfig) -> Path | None:
    """Where the report keeps what members' posts gave (``<cache>/reports``), if known."""
    core = config.plugins.get("edusite")
    folder = core.cache_dir() if core is not None and hasattr(core, "cache_dir") else None
    return folder / "reports" if folder is not None else None


def _raise_errors(problems: list[Problem]) -> None:
    """Log warnings; raise one PluginError listing every error (the site is not built)."""
    glue.report(problems, log)
