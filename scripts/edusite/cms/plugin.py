"""The ``edusite-cms`` MkDocs plugin: after a site is built, write its admin page
``quan-tri/`` (not a MkDocs page: no sitemap, search, feed or menu sees it) when the network
enables the web editor (``extra.network.cms.backend``), or when ``edusite serve --editor`` sets
``local_backend`` (the local editing server's URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from ..core.site import site_unit
from ..errors import EdusiteError
from .build import write_admin
from .settings import load_settings


class CmsConfig(base.Config):
    enabled = c.Type(bool, default=True)
    #: The local editing server (decap-server) instead of the git host: set by
    #: ``edusite serve --editor``, never in mkdocs.yml of a published network.
    local_backend = c.Optional(c.Type(str))
    #: With ``local_backend``: the editorial workflow on the local repository's branches
    #: (decap-server ``MODE=git``) instead of saving straight into the working tree.
    local_workflow = c.Type(bool, default=False)


class CmsPlugin(BasePlugin[CmsConfig]):
    """Writes ``<site>/quan-tri/index.html`` and ``config.json`` (see :mod:`edusite.cms`)."""

    def __init__(self) -> None:
        self.site: Any = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.site = None
        if not self.config.enabled:
            return None
        try:
            ctx, network, unit = site_unit(config)
        except EdusiteError as exc:
            raise PluginError(str(exc)) from exc
        settings = load_settings(network.settings, network.root / "mkdocs.yml")
        if settings.problems:
            raise PluginError("\n".join(str(p) for p in settings.problems))
        if settings.enabled or self.config.local_backend:
            categories = dict(
                getattr(config.plugins.get("edusite"), "config", {}).get("categories") or {}
            )
            self.site = (ctx, network, unit, settings, categories)
        return config

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.site is None:
            return
        ctx, network, unit, settings, categories = self.site
        try:
            write_admin(
                Path(config.site_dir),
                network,
                unit,
                today=ctx.now.date(),
                shared_root=ctx.out if ctx.shared_assets else None,
                settings=settings,
                categories=categories,
                local_url=self.config.local_backend,
                local_workflow=self.config.local_workflow,
            )
        except EdusiteError as exc:
            raise PluginError(str(exc)) from exc
