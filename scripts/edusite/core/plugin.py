"""The ``edusite`` MkDocs plugin: thin event handlers that delegate to :mod:`edusite.core.site`.

Each handler checks ``enabled`` and hands MkDocs objects' plain data to our own modules, so the
logic survives a change of engine (Material reaches end of life in 2027).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .. import context, disclosure, yamlio
from ..build import speedups
from ..config import EdusiteConfig
from ..context import BuildContext
from ..errors import EdusiteError, Problem, problem
from ..security import confine, csp, limits, markup, personal_data
from ..security.urls import safe_url
from ..text import EPOCH_LOCAL, format_date, format_datetime, nfc, toc_slugify
from . import assets, glue, pagefix, portal
from .feeds import FeedSettings, page_feeds, unit_feed_settings, write_feeds
from .site import SiteState, post_context, site_unit
from .theme import theme_context

log = get_plugin_logger(__name__)

#: Templates chosen by source path when a page does not name one.
DEFAULT_TEMPLATES = {"index.md": "home.html"}


class EdusitePlugin(BasePlugin[EdusiteConfig]):
    """Collects posts, generates listing pages, writes feeds, and feeds templates their data."""

    def __init__(self) -> None:
        self.state: SiteState | None = None
        self.shared_assets: tuple[set[str], str] | None = None
        self.rollup: Any = None  # RollupResult for portals
        self.rules: Any = None  # disclosure rules, loaded on the first "Công khai" page
        self._shared_ctx: dict[str, Any] | None = None
        self.embed_hosts: tuple[str, ...] = markup.EMBED_HOSTS
        self.trusted_html = False
        self.page_problems: list[Problem] = []
        self.ctx: BuildContext | None = None
        self.feeds = FeedSettings()
        self._csp_remote = csp.policy(markup.EMBED_HOSTS, remote_images=True)
        self._documents_feed = False  # the site has van-ban/feed.xml (documents plugin)
        #: Lines for the build's output (read by build/worker.py from every plugin that has
        #: them): a portal's roll-up summary.
        self.build_notes: list[str] = []
        self._scratch: Path | None = None  # --no-cache: members' covers fetched for this build

    # MkDocs calls on_config before anything is read: resolve the unit (the menu comes later).
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Resolve this site's unit in the network and reset per-build state."""
        self.rollup = None
        self.rules = None
        self._shared_ctx = None
        self.build_notes = []
        self._remove_scratch()
        if not self.config.enabled:
            return None
        try:
            self.ctx, network, unit = site_unit(config)
        except EdusiteError as exc:
            raise PluginError(str(exc)) from exc
        if self.config.cache_dir and context.running() is None:  # plain mkdocs build option
            self.ctx = self.ctx.but(cache=Path(self.config.cache_dir))
        unit_id = unit.id
        # The content boundary, before MkDocs walks the folder (it follows symlinks).
        found = confine.scan_content(Path(config.docs_dir))
        if found:
            raise PluginError("\n".join(str(p) for p in found))
        self.embed_hosts = (
            tuple(self.config.embed_hosts)
            if self.config.embed_hosts is not None
            else markup.EMBED_HOSTS
        )
        self.trusted_html = unit_id in self.config.trusted_units
        self.page_problems = []
        # Heading anchors folded like every slug (đ→d), unless the network chose a slugify.
        if "toc" in config.markdown_extensions:
            config.mdx_configs.setdefault("toc", {}).setdefault("slugify", toc_slugify)
        config.site_name = nfc(config.site_name or "")
        if config.site_description:
            config.site_description = nfc(config.site_description)
        self.feeds = site_feed_settings(network, unit_id)
        self.state = SiteState(
            network=network,
            unit=network[unit_id],
            docs_dir=Path(config.docs_dir),
            site_dir=Path(config.site_dir),
            categories=dict(self.config.categories),
            per_page=self.config.pagination_per_page,
            today=self.ctx.now,
            output_root=self.ctx.out,
        )
        return config

    def on_page_read_source(self, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """Read each page's source ourselves, within caps: its size and shape
        (:mod:`edusite.security.limits`) and its front matter (:func:`yamlio.check_page_source`:
        alias bombs, nesting, huge values). A page over one is replaced by an empty page for the
        rest of this build and the site fails in ``on_env`` with the reason, before anything is
        written: one hostile file costs little, and MkDocs never parses it."""
        if not self.config.enabled or self.state is None or not page.file.abs_src_path:
            return None
        path = page.file.abs_src_path
        try:
            too_big = limits.too_large(path)
            if too_big is not None:
                found, text = [too_big], ""
            else:
                text = yamlio.read_text_file(path)
                found = limits.check_markdown(text, path) + yamlio.check_page_source(text, path)
        except EdusiteError as exc:  # not UTF-8, unreadable
            found, text = exc.problems, ""
        except OSError as exc:
            found = [
                problem(path, None, f"không đọc được tệp: {exc}", f"cannot read the file: {exc}")
            ]
            text = ""
        self.page_problems += found
        if any(p.severity == "error" for p in found):
            return '---\ntitle: ""\n---\n'
        return nfc(text)  # text pasted from Word or Zalo is often decomposed (NFD)

    # Priority -50: other plugins may add pages first; we then see the complete file list.
    @event_priority(-50)
    def _on_files_posts(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Load and validate posts, hide drafts and future posts, add listing pages."""
        if not self.config.enabled or self.state is None:
            return None
        state = self.state
        state.collect_posts(
            [
                (f.src_uri, Path(f.abs_src_path))
                for f in files.documentation_pages()
                if f.abs_src_path
            ]
        )
        _report(state)
        hidden_dirs = tuple(state.hidden_bundle_dirs())
        for f in list(files):
            if f.src_uri in state.hidden or (hidden_dirs and f.src_uri.startswith(hidden_dirs)):
                files.remove(f)
        listings = [(listing, "news-list.html") for listing in state.make_listings()]
        if state.unit.is_portal:
            listings += self._roll_up(state, files, config)
        for listing, template in listings:
            if files.get_file_from_path(listing.src_uri) is None:
                files.append(glue.virtual_page(config, listing.src_uri, listing.title, template))
        if files.get_file_from_path("index.md") is None:
            files.append(glue.virtual_page(config, "index.md", "Trang chủ", "home.html"))
        return files

    # Priority -100: after every plugin (images adds thu-vien-anh/ at -60), so the menu and the
    # shared theme assets see the final file list.
    @event_priority(-100)
    def _on_files_menu(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Set the top menu from the sections that exist; move theme assets to the shared folder."""
        if not self.config.enabled or self.state is None:
            return None
        self._share_theme_assets(files, config)
        if self.rollup is not None:  # covers the images plugin could not process: no picture
            failed = {f.src_uri for f in files if getattr(f, glue.IMAGE_FAILED, False)}
            if failed:
                self.rollup = portal.without_images(self.rollup, failed)
                self._rollup_pages(self.state)
        existing = {f.src_uri for f in files.documentation_pages()}
        if any(uri.startswith(disclosure.DISCLOSURE_DIR + "/") for uri in existing):
            for path, data in disclosure.page_assets().items():  # 3 công khai styles, filters
                glue.add(files, File.generated(config, path, content=data))
        config.nav = [{m["title"]: m["src"]} for m in self.state.menu(existing)]
        self._documents_feed = files.get_file_from_path("van-ban/feed.xml") is not None
        return files

    on_files = CombinedEvent(_on_files_posts, _on_files_menu)

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Choose templates (posts, home, lists, "Công khai") unless the page names one; set lastmod."""
        if not self.config.enabled or self.state is None:
            return None
        src = page.file.src_uri
        _plain_meta(page.meta)
        if page.file.abs_src_path and not page.file.generated_by:
            self._scan_personal_data(page)
            chosen = page.meta.get("template")
            if chosen is not None and chosen not in _page_templates(config.theme.custom_dir):
                self.page_problems.append(_bad_template(page.file.abs_src_path, chosen, config))
                page.meta.pop("template")
        # Sitemap <lastmod>: content dates, not the build date, so unchanged sites stay identical.
        post = self.state.post_by_src(src)
        newest = self.state.posts[0].date if self.state.posts else EPOCH_LOCAL
        page.update_date = (post.date if post else newest).strftime("%Y-%m-%d")
        if "template" not in page.meta and (
            chosen := disclosure.template_for(self.state.unit, src)
        ):
            page.meta["template"] = chosen
        if "template" not in page.meta:
            if post is not None:
                page.meta["template"] = "post.html"
            elif src in DEFAULT_TEMPLATES:
                page.meta["template"] = DEFAULT_TEMPLATES[src]
            elif src in self.state.listings:
                page.meta["template"] = "news-list.html"
        return None

    # Priority 100: before every other plugin adds its own (trusted) markup to the body.
    @event_priority(100)
    def _on_page_content_sanitize(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Reduce the body written by the unit's editors to the allow-list (docs/security.md)."""
        if not self.config.enabled or self.state is None or self.trusted_html:
            return None
        return markup.sanitize_body(html, self.embed_hosts)

    def _on_page_content_keep(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Keep each post's rendered HTML: listings and feeds reuse it (rendered once)."""
        if self.config.enabled and self.state is not None:
            post = self.state.post_by_src(page.file.src_uri)
            if post is not None:
                post.content_html = html
        return None

    on_page_content = CombinedEvent(_on_page_content_sanitize, _on_page_content_keep)

    def _scan_personal_data(self, page: Page) -> None:
        """Citizen IDs, birth dates (blocking) and outside phone numbers (warnings) in a page."""
        state = self.state
        assert state is not None and page.file.abs_src_path
        try:
            text = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            return
        from ..security.privacy import unit_allowed

        allowed = unit_allowed(state.unit.raw, state.unit.phone, state.docs_dir)
        blocking = personal_data.blocking_kinds(state.network.settings)
        self.page_problems += personal_data.scan_page(
            text, page.file.abs_src_path, blocking=blocking, allowed=allowed
        )

    def on_env(
        self, env: Environment, /, *, config: MkDocsConfig, files: Files
    ) -> Environment | None:
        """Template filters for Vietnamese dates; autoescape for our templates; stop here when a
        page holds blocking personal data (nothing of the site has been written yet)."""
        if self.state is not None and self.page_problems:
            found, self.page_problems = self.page_problems, []
            _report_problems(found)
        env.filters["vndate"] = format_date
        env.filters["vndatetime"] = format_datetime
        env.filters["href"] = _href
        env.filters["lazy_images"] = _lazy_images
        env.globals["edusite_csp"] = csp.policy(self.embed_hosts)
        self._csp_remote = csp.policy(self.embed_hosts, remote_images=True)
        env.globals["edusite_referrer"] = csp.REFERRER
        env.autoescape = _autoescape_for(config.theme.custom_dir)
        speedups.use_bytecode_cache(env, self.cache_dir())
        if self.shared_assets:
            uris, digest = self.shared_assets
            env.filters["url"] = assets.shared_url_filter(env.filters["url"], uris, digest)
        return env

    def on_page_context(
        self, context: dict[str, Any], /, *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any] | None:
        """Add ``edusite`` (unit, menu, posts) and, on list pages, ``listing`` to the context."""
        if not self.config.enabled or self.state is None:
            return None
        state = self.state
        ctx = dict(self._site_context())
        post = state.post_by_src(page.file.src_uri)
        if post is not None:
            ctx["post"] = post_context(post)
            ctx["related"] = [
                post_context(p) for p in state.related(post, self.config.related_posts)
            ]
        listing = state.listings.get(page.file.src_uri)
        if listing is not None:
            context["listing"] = listing
            context["listing_items"] = [
                post_context(i) if hasattr(i, "src_uri") and hasattr(i, "categories") else i
                for i in listing.items
            ]
        ctx.update(theme_context(state, page.file.src_uri))
        ctx["feeds"] = page_feeds(
            page.file.src_uri,
            site_name=state.unit.name,
            categories=state.categories,
            used=ctx["used_categories"],
            portal=state.unit.is_portal,
            documents=self._documents_feed,
        )
        if csp.has_remote_media(page.content or ""):  # an editor's picture from elsewhere
            ctx["csp"] = self._csp_remote
        context["edusite"] = ctx
        if page.file.src_uri.startswith(disclosure.DISCLOSURE_DIR + "/"):
            context["disclosure"] = self._disclosure(page)
            if (context["disclosure"] or {}).get("kind") == "dashboard":  # its CSV download
                d = context["disclosure"]
                target = Path(config.site_dir) / disclosure.DISCLOSURE_DIR / d["csv_name"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(disclosure.dashboard_csv(d))
        return context

    def _disclosure(self, page: Page) -> dict[str, Any] | None:
        """Context of a "Công khai" page: the school's index, a portal's dashboard, or a section."""
        state = self.state
        assert state is not None
        if self.rules is None:
            self.rules = disclosure.get_rules(state.network.root, state.network.settings)
        if page.file.src_uri == f"{disclosure.DISCLOSURE_DIR}/index.md":
            if state.unit.is_portal:
                return disclosure.dashboard_context(
                    state.network,
                    state.unit.id,
                    state.today.date(),
                    self.rules,
                    memo_dir=self.ctx.cache_dir("disclosure") if self.ctx else None,
                )
            return disclosure.disclosure_index_context(
                state.unit, state.docs_dir, state.today.date(), self.rules
            )
        if page.file.abs_src_path and not state.unit.is_portal:
            return disclosure.section_context(
                state.unit, Path(page.file.abs_src_path), page.meta, self.rules
            )
        return None

    def _roll_up(
        self, state: SiteState, files: Files, config: MkDocsConfig
    ) -> list[tuple[Any, str]]:
        """Collect members' news for a portal, bring their covers into the site (the images
        plugin processes them); return its listing pages and their templates."""
        assert self.ctx is not None
        self.rollup = portal.collect_for(state, self.ctx)
        for line in portal.health_warnings(self.rollup):
            log.warning(line)
        if self.ctx.cache_dir("rollup") is None:  # --no-cache: nothing kept after the build
            self._scratch = Path(tempfile.mkdtemp(prefix="edusite-covers-"))
        self.rollup, covers, problems = portal.covers_for(
            self.rollup, state, self.ctx, self._scratch
        )
        for p in problems:
            log.warning(str(p))
        for uri, (path, origin) in covers.items():
            cover = glue.generated_image(config, uri, str(path), portal.COVER_GROUPS, origin)
            glue.add(files, cover)
        self.build_notes = [portal.summary(self.rollup, state.unit.short_name or state.unit.name)]
        return self._rollup_pages(state)

    def _rollup_pages(self, state: SiteState) -> list[tuple[Any, str]]:
        out = []
        for listing in portal.rollup_listings(self.rollup, state.per_page, state.network):
            state.add_listings([listing])
            out.append(
                (
                    listing,
                    "rollup-health.html" if listing.kind == "rollup-health" else "rollup-list.html",
                )
            )
        return out

    def cache_dir(self) -> Path | None:
        """This build's cache folder (the context's; the ``cache_dir`` option for a plain
        ``mkdocs build``); ``None`` with ``--no-cache`` or before ``on_config``."""
        return self.ctx.cache if self.ctx is not None else None

    def _share_theme_assets(self, files: Files, config: MkDocsConfig) -> None:
        """Under ``edusite build``: take theme static files out of the site (see :mod:`assets`)."""
        self.shared_assets = None
        if self.ctx is None or not self.ctx.shared_assets or self.state is None:
            return
        theme = [
            f
            for f in files
            if f.src_dir and Path(f.src_dir) != Path(config.docs_dir) and not f.generated_by
        ]
        for f in theme:
            files.remove(f)
        options = {
            "material_js": bool(config.extra.get("material_js")),
            "palette": bool(config.theme.get("palette")),
            "favicon": str(config.theme.get("favicon") or ""),
        }
        kept = [
            (f.src_uri, f.abs_src_path) for f in theme if not assets.unused(f.src_uri, **options)
        ]
        digest = assets.assets_hash(kept)
        assets.write_shared(self.ctx.out, digest, kept)
        self.shared_assets = ({uri for uri, _ in kept}, digest)

    def _site_context(self) -> dict[str, Any]:
        """What every page of the site shares (identity, latest, featured), computed once."""
        if self._shared_ctx is None:
            state = self.state
            assert state is not None
            ctx = state.unit_context()
            ctx["latest"] = [post_context(p) for p in state.posts[: self.config.home_latest]]
            featured = [p for p in state.posts if p.featured][: self.config.home_featured]
            ctx["featured"] = [post_context(p) for p in featured]
            ctx["used_categories"] = state.used_categories()
            if self.rollup is not None:
                items = self.rollup.items[: self.config.home_latest]
                ctx["rollup_latest"] = [portal.item_context(i, state.network) for i in items]
            self._shared_ctx = ctx
        return self._shared_ctx

    def on_template_context(
        self, context: dict[str, Any], /, *, template_name: str, config: MkDocsConfig
    ) -> dict[str, Any] | None:
        """Theme-level templates (the 404 page) get the unit's identity too."""
        if not self.config.enabled or self.state is None or "edusite" in context:
            return None
        context["edusite"] = {
            **self.state.unit_context(),
            **theme_context(self.state, template_name),
        }
        return context

    def _remove_scratch(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def on_build_error(self, *, error: Exception) -> None:
        """A failed ``--no-cache`` build leaves no temporary folder behind."""
        self._remove_scratch()

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """One skip link, to ``<main>``; no attribute the Nu HTML Checker refuses
        (:mod:`edusite.core.pagefix`)."""
        return pagefix.fix_page(output) if self.config.enabled else None

    def on_post_template(
        self, output_content: str, /, *, template_name: str, config: MkDocsConfig
    ) -> str | None:
        """The same for theme-level pages (404.html)."""
        if not self.config.enabled or not template_name.endswith(".html"):
            return None
        return pagefix.fix_page(output_content)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write the site's RSS and Atom feeds."""
        self._remove_scratch()  # the images plugin has read the covers
        if not self.config.enabled or self.state is None:
            return
        state = self.state
        write_feeds(
            Path(config.site_dir),
            state.posts,
            site_url=state.unit.site_url,
            site_name=state.unit.name,
            description=config.site_description or state.unit.name,
            categories=state.categories,
            settings=self.feeds,
            unit_id=state.unit.id,
        )
        if self.rollup is not None:
            portal.write_rollup_feed(
                Path(config.site_dir),
                self.rollup,
                site_url=state.unit.site_url,
                site_name=state.unit.name,
                settings=self.feeds,
                unit_id=state.unit.id,
                network=state.network,
            )


def site_feed_settings(network: Any, unit_id: str) -> FeedSettings:
    """The network's feed settings (``extra.network.feeds``); a wrong value stops the site with
    the key named (warnings are logged)."""
    found, problems = unit_feed_settings(network, unit_id)
    _report_problems(problems)
    return found


def _report(state: SiteState) -> None:
    """Log warnings; raise one PluginError listing every error of the site."""
    _report_problems(state.problems)


def _report_problems(problems: list[Problem]) -> None:
    glue.report(problems, log)


#: Front-matter keys that are plain text wherever a template prints them.
_TEXT_META = ("title", "description", "summary", "author", "image_alt")


def _plain_meta(meta: dict[str, Any]) -> None:
    """Text fields of any page's front matter hold no markup, escapes or invisible characters
    (templates escape them too; feeds and Material's own templates print some unescaped)."""
    for key in _TEXT_META:
        value = meta.get(key)
        if isinstance(value, str):
            meta[key] = markup.plain_text(value)
        elif value is not None and not isinstance(value, (int, float)):
            meta.pop(key)  # a mapping or list where text belongs: reported by the validators


def _href(value: Any) -> str:
    """Template filter: a URL from data as a safe ``href`` (``#`` when it is not one)."""
    return safe_url(value, relative=True) or "#"


def _lazy_images(html: Any) -> Any:
    """Template filter: the body's images load lazily (unless the images plugin decided)."""
    from markupsafe import Markup

    text = str(html)
    if "loading=" not in text:
        text = text.replace("<img ", '<img loading="lazy" decoding="async" ')
    return Markup(text)  # noqa: S704 - sanitised body HTML


_OWN_TEMPLATES: dict[str, frozenset[str]] = {}


def _page_templates(custom_dir: str | None) -> frozenset[str]:
    """Templates a page's front matter may name: the shared theme's page templates (Material's
    own print front-matter values unescaped)."""
    if not custom_dir:
        return frozenset()
    return frozenset(n for n in _own_templates(custom_dir) if "/" not in n and n.endswith(".html"))


def _bad_template(file: str, chosen: Any, config: MkDocsConfig) -> Problem:
    allowed = ", ".join(sorted(_page_templates(config.theme.custom_dir)))
    return problem(
        file,
        "template",
        f"mẫu trang '{chosen}' không có trong giao diện chung; bỏ trường này hoặc chọn: {allowed}",
        f"page template '{chosen}' is not one of the shared theme's; drop the field or use: "
        f"{allowed}",
    )


def _own_templates(custom_dir: str) -> frozenset[str]:
    """Names of the shared theme's templates (read once per folder and process)."""
    key = os.path.realpath(custom_dir)
    names = _OWN_TEMPLATES.get(key)
    if names is None:
        root = Path(key)
        names = frozenset(
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.suffix in (".html", ".xml") and "languages" not in p.parts  # Material's strings
        )
        _OWN_TEMPLATES[key] = names
    return names


def _autoescape_for(custom_dir: str | None) -> Any:
    """Jinja's ``autoescape`` switch: on for every template of the shared theme (ours), off for
    Material's, which print trusted HTML (page bodies, icons) unescaped by design."""
    if not custom_dir:
        return False
    names = _own_templates(custom_dir)

    def autoescape(name: str | None) -> bool:
        return name is not None and name in names

    return autoescape
