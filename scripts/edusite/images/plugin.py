"""The ``edusite-images`` MkDocs plugin: thin handlers over the pure modules of this package.

* ``on_files`` (after the core plugin hid drafts): find the images of the docs folder, mark
  them excluded so MkDocs never copies the originals (links to them still resolve), process
  them (cache first), load albums, rename attachments to URL-safe names.
* ``on_page_content`` (before the core keeps post bodies for feeds): light ``src`` variants,
  album galleries, attachment labels, missing-``alt`` warnings.
* ``on_post_page``: ``<picture>``/``srcset``, lazy loading, social images.
* ``on_post_build``: copy the variants from the cache; point feed enclosures at them.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from .. import context
from ..core import glue
from ..errors import Problem, problem
from . import albums as alb
from .attachments import Attachment, label_links, plan_names
from .cache import ImageCache
from .config import ImagesConfig
from .feeds import rewrite_feed
from .gallery_assets import GALLERY_CSS, GALLERY_JS
from .markup import DEFAULT_CLASSES, ClassRule, Match, Options, Resolver, rewrite_body, rewrite_page
from .pipeline import ImageRecord, process_images, write_variants
from .roles import cover_refs, plan_groups
from .settings import IMAGE_EXTENSIONS, Crop, Settings, parse_ratio

log = get_plugin_logger(__name__)


class ImagesPlugin(BasePlugin[ImagesConfig]):
    """Processes photos, builds albums and labels attachments for one site."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.records: dict[str, ImageRecord] = {}
        self.lookup: dict[str, Match] = {}
        self.renamed: dict[str, str] = {}  # attachment src_uri -> new dest_uri
        self.attachments: dict[str, Attachment] = {}  # by dest_uri
        self.albums: dict[str, alb.Album] = {}  # by page src_uri
        self.album_index: str | None = None
        self.resolver = Resolver(self.lookup.get, self.renamed.get)
        self.options = Options()
        if getattr(self, "_scratch", None) is not None:  # a failed --no-cache build's
            shutil.rmtree(self._scratch, ignore_errors=True)
        self._scratch: Path | None = None  # temporary image cache of a --no-cache build

    # -- configuration ------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Turn the options into settings; find the cache folder."""
        if not self.config.enabled:
            return None
        self._reset()
        cfg = self.config
        try:
            self.settings = Settings(
                widths=tuple(cfg.widths),
                card=Crop(parse_ratio(cfg.card_ratio), tuple(cfg.card_widths)),
                thumb=Crop(parse_ratio(cfg.thumb_ratio), tuple(cfg.thumb_widths)),
                og_size=(int(cfg.og_size[0]), int(cfg.og_size[1])),
                webp_quality=cfg.webp_quality,
                jpeg_quality=cfg.jpeg_quality,
                max_pixels=cfg.max_megapixels * 1_000_000,
            )
        except (ValueError, IndexError) as exc:
            raise PluginError(f"{config.config_file_path}: plugins.edusite-images: {exc}") from exc
        classes = dict(DEFAULT_CLASSES)
        for name, rule in cfg.classes.items():
            rule = rule or {}
            if not isinstance(rule, dict) or rule.get("crop") not in (None, "card", "thumb"):
                raise PluginError(
                    f"{config.config_file_path}: plugins.edusite-images.classes.{name}: "
                    "expected {crop: card|thumb, sizes: '...'}"
                )
            classes[str(name)] = ClassRule(rule.get("crop"), rule.get("sizes"))
        self.options = Options(default_width=cfg.default_width, sizes=cfg.sizes, classes=classes)
        self.resolver = Resolver(self.lookup.get, self.renamed.get, config.site_url or "")
        self.cache = ImageCache(self._cache_root(config))
        return config

    def _cache_root(self, config: MkDocsConfig) -> Path:
        """Own option ``cache_dir``, else the build context's ``<cache>/images``; with no cache
        (``--no-cache``) a temporary folder, removed after the build (nothing left behind)."""
        if self.config.cache_dir:
            return Path(self.config.cache_dir)
        ctx = context.for_site(config.config_file_path, config.site_dir)
        core = config.plugins.get("edusite")
        chosen = getattr(getattr(core, "config", None), "cache_dir", None)
        if chosen and context.running() is None:
            return Path(chosen) / "images"
        folder = ctx.cache_dir("images")
        if folder is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="edusite-images-"))
            return self._scratch
        return folder

    # -- files --------------------------------------------------------------------------------

    @event_priority(-60)
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Process images (originals excluded from the output), load albums, name attachments."""
        if not self.config.enabled:
            return None
        docs = os.path.normpath(config.docs_dir)
        images: list[File] = []
        attached: list[File] = []
        generated: dict[str, File] = {}  # images from outside the docs folder (glue.IMAGE_GROUPS)
        att_ext = {e.lower().lstrip(".") for e in self.config.attachment_extensions}
        for f in files:
            groups = getattr(f, glue.IMAGE_GROUPS, None)
            if groups and f.abs_src_path:
                if PurePosixPath(f.src_uri).suffix.lower().lstrip(".") in IMAGE_EXTENSIONS:
                    images.append(f)
                    generated[f.src_uri] = f
                continue
            if f.is_documentation_page() or not f.abs_src_path or f.generated_by:
                continue
            if not f.src_dir or os.path.normpath(f.src_dir) != docs:
                continue  # theme files
            ext = PurePosixPath(f.src_uri).suffix.lower().lstrip(".")
            if ext in IMAGE_EXTENSIONS and any(
                fnmatch.fnmatchcase(f.src_uri, pattern) for pattern in self.config.keep_originals
            ):
                continue
            if ext in IMAGE_EXTENSIONS:
                images.append(f)
            elif self.config.attachments and ext in att_ext:
                attached.append(f)
        image_uris = {f.src_uri for f in images}
        problems: list[Problem] = []
        covers, album_photos = self._scan_pages(files, image_uris, problems)
        plan = plan_groups(image_uris, covers, album_photos)
        for uri, f in generated.items():
            plan[uri] = list(getattr(f, glue.IMAGE_GROUPS))
        jobs = [(f.src_uri, Path(f.abs_src_path), plan[f.src_uri]) for f in images]
        records, found = process_images(jobs, self.settings, self.cache, self.config.threads)
        # A generated image comes from elsewhere (a member's cover): its failure is a warning
        # naming it, the image is left out and the page shows no picture (glue.IMAGE_FAILED).
        by_path = {os.path.normpath(f.abs_src_path): f for f in generated.values()}
        for p in found:
            f = by_path.get(os.path.normpath(str(p.file)))
            if f is None:
                problems.append(p)
                continue
            setattr(f, glue.IMAGE_FAILED, True)
            origin = getattr(f, glue.IMAGE_ORIGIN, f.src_uri)
            problems.append(problem(origin, p.field, p.vi, p.en, "warning"))
        for f in generated.values():
            if f.src_uri not in records:
                setattr(f, glue.IMAGE_FAILED, True)
        _report(problems)
        for f in images:
            f.inclusion = InclusionLevel.EXCLUDED  # never copied; links still resolve
        self.records = records
        for rec in records.values():
            self.lookup[rec.src_uri] = Match(rec, "base")
            for v in rec.variants:
                self.lookup[v.path] = Match(rec, v.group)
        self._name_attachments(files, attached)
        self._add_album_files(files, config)
        return files

    def _scan_pages(
        self, files: Files, image_uris: set[str], problems: list[Problem]
    ) -> tuple[list[str], list[str]]:
        """Covers named in front matter, and albums with their photos."""
        covers: list[str] = []
        photos: list[str] = []
        album_dir = self.config.album_dir.strip("/")
        for page in files.documentation_pages():
            if not page.abs_src_path:
                continue
            path = Path(page.abs_src_path)
            is_album = self.config.albums and alb.is_album_page(page.src_uri, album_dir)
            try:
                with open(path, encoding="utf-8-sig") as fh:
                    head = fh.read(8192)
            except OSError:
                continue
            covers += cover_refs(page.src_uri, head)
            if not is_album:
                continue
            folder = str(PurePosixPath(page.src_uri).parent)
            mine = [u for u in image_uris if str(PurePosixPath(u).parent) == folder]
            album, found = alb.load_album(
                page.src_uri, path, mine, require_consent=self.config.require_consent
            )
            problems += found
            if album is not None:
                self.albums[page.src_uri] = album
                photos += [p.src_uri for p in album.photos]
                if album.cover:
                    covers.append(album.cover)
        return covers, photos

    def _name_attachments(self, files: Files, attached: list[File]) -> None:
        if not attached:
            return
        mine = {f.src_uri for f in attached}
        taken = {f.dest_uri for f in files if f.src_uri not in mine}
        planned = plan_names(
            [(f.src_uri, os.path.getsize(f.abs_src_path)) for f in attached if f.abs_src_path],
            taken,
        )
        by_src = {f.src_uri: f for f in attached}
        for att in planned:
            f = by_src[att.src_uri]
            if att.dest_uri != f.dest_uri:
                self.renamed[att.src_uri] = att.dest_uri
                f.dest_uri = att.dest_uri
                f.url = att.dest_uri
                f.abs_dest_path = os.path.normpath(os.path.join(f.dest_dir, att.dest_uri))
            self.attachments[att.dest_uri] = att

    def _add_album_files(self, files: Files, config: MkDocsConfig) -> None:
        if not self.albums:
            return
        files.append(File.generated(config, alb.CSS_FILE, content=GALLERY_CSS))
        files.append(File.generated(config, alb.JS_FILE, content=GALLERY_JS))
        index = f"{self.config.album_dir.strip('/')}/index.md"
        self.album_index = index
        if self.config.album_index:
            glue.add(files, glue.virtual_page(config, index, alb.ALBUM_INDEX_TITLE))

    # -- pages --------------------------------------------------------------------------------

    @event_priority(50)  # before the core plugin keeps post bodies for feeds and listings
    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Light image variants, galleries, attachment labels; warn about missing ``alt``."""
        if not self.config.enabled:
            return None
        url = page.file.url
        body = rewrite_body(html, url, self.resolver, self.options)
        if self.config.warn_missing_alt:
            where = page.file.abs_src_path or page.file.src_uri
            for src in body.missing_alt:
                log.warning(str(_missing_alt(where, src)))
        html = body.html
        album = self.albums.get(page.file.src_uri)
        extra = ""
        if album is not None:
            extra = alb.gallery_html(album, self.records, url)
        elif page.file.src_uri == self.album_index:
            extra = alb.index_html(list(self.albums.values()), url)
        if extra:
            html += "\n" + rewrite_body(extra, url, self.resolver, self.options).html
        if self.attachments:
            html = label_links(html, url, self.attachments.get, self.resolver.site_url)
        return html

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """``<picture>``/``srcset``/lazy loading everywhere, including theme markup."""
        if not self.config.enabled or not (self.lookup or self.renamed):
            return None
        return rewrite_page(output, page.file.url, self.resolver, self.options)

    def on_build_error(self, *, error: Exception) -> None:
        """A failed ``--no-cache`` build leaves no temporary image cache behind."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    @event_priority(-100)  # after the plugins that write feeds
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Copy the variants into the site; point feed enclosures at published files."""
        if not self.config.enabled:
            return
        site = Path(config.site_dir)
        write_variants(self.records.values(), site)
        if self._scratch is not None:  # --no-cache: the variants are in the site now
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        if not (self.records or self.renamed):
            return
        feeds = [  # os.walk lists each folder once (Path.rglob twice)
            Path(top) / n for top, _d, names in os.walk(site) for n in names if n.endswith(".xml")
        ]
        for xml in sorted(feeds):
            text = xml.read_text(encoding="utf-8")
            if "<rss" not in text[:500] and "<feed" not in text[:500]:
                continue
            new = rewrite_feed(text, self.resolver, self.config.default_width)
            if new != text:
                xml.write_text(new, encoding="utf-8")


def _missing_alt(where: str, src: str) -> Problem:
    # The src of the rendered page is percent-encoded (%E1%BA%A3nh…): say the name as written.
    src = unquote(src)
    if " " in src:  # Markdown needs <…> around a link with spaces
        src = f"<{src}>"
    return problem(
        where, None,
        f"ảnh '{src}' chưa có mô tả thay thế (alt) cho người khiếm thị: viết ![mô tả ảnh]({src})",
        f"image '{src}' has no text alternative (alt) for screen readers: write "
        f"![description]({src})",
        "warning",
    )  # fmt: skip


def _report(problems: list[Problem]) -> None:
    glue.report(problems, log)
