"""Typed options of the ``edusite-images`` MkDocs plugin (``plugins: edusite-images:``)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from .markup import READING
from .settings import ATTACHMENT_EXTENSIONS


class ImagesConfig(base.Config):
    """Options under ``plugins: edusite-images:`` in ``mkdocs.yml``."""

    enabled = c.Type(bool, default=True)
    """Switch the plugin off (images are then copied as they are, metadata included)."""

    widths = c.ListOfItems(c.Type(int), default=[480, 960, 1600])
    """Widths of the full-image variants (never upscaled)."""

    default_width = c.Type(int, default=960)
    """Width of the fallback ``src`` (browsers without ``srcset``, feeds)."""

    card_widths = c.ListOfItems(c.Type(int), default=[320, 480, 720, 960])
    """Widths of the card crop of cover images (phone thumbnails to the home page's lead)."""

    card_ratio = c.Type(str, default="16:9")
    """Aspect ratio of the card crop."""

    thumb_widths = c.ListOfItems(c.Type(int), default=[320, 640])
    """Widths of album thumbnails."""

    thumb_ratio = c.Type(str, default="4:3")
    """Aspect ratio of album thumbnails."""

    og_size = c.ListOfItems(c.Type(int), default=[1200, 630])
    """Open Graph image size of cover images (JPEG)."""

    webp_quality = c.Type(int, default=80)
    jpeg_quality = c.Type(int, default=82)

    max_megapixels = c.Type(int, default=60)
    """Larger images fail the build as possible decompression bombs."""

    sizes = c.Type(str, default=READING)
    """``sizes`` of body and cover images: the reading column of the theme's layout
    (:data:`edusite.images.markup.READING`)."""

    classes = c.Type(dict, default={})
    """Per image class: ``{crop: card|thumb, sizes: "..."}``; added to (or replacing) the
    built-in rules for ``es-card__img``, ``es-lead__img`` (card crop), ``es-gallery__img``
    (thumbnail) and ``es-brand__logo``."""

    cache_dir = c.Optional(c.Type(str))
    """Cache folder; default ``<cache>/images`` where ``<cache>`` is the ``edusite`` plugin's
    ``cache_dir``, else the build context's ``<cache>/images`` (none: a temporary folder)."""

    threads = c.Type(int, default=0)
    """Threads that render images (0: up to 4, one per CPU)."""

    keep_originals = c.ListOfItems(c.Type(str), default=[])
    """Glob patterns (on paths in the docs folder, e.g. ``assets/*.png``) of images that MkDocs
    copies untouched: design assets referenced from CSS. Never use it for photos."""

    albums = c.Type(bool, default=True)
    """Turn ``<album_dir>/<album>/index.md`` folders into photo galleries."""

    album_dir = c.Type(str, default="thu-vien-anh")
    """Top folder of photo albums."""

    album_index = c.Type(bool, default=True)
    """Generate ``<album_dir>/index.md`` listing the albums when the site has none."""

    require_consent = c.Type(bool, default=False)
    """Albums without ``consent: true`` fail the build instead of warning."""

    attachments = c.Type(bool, default=True)
    """URL-safe output names and "(PDF, 245 KB)" labels for attached files."""

    attachment_extensions = c.ListOfItems(c.Type(str), default=list(ATTACHMENT_EXTENSIONS))
    """Extensions treated as attachments."""

    warn_missing_alt = c.Type(bool, default=True)
    """Warn about body images without a text alternative (``alt``)."""
