"""Typed options of the ``edusite`` MkDocs plugin (flat, one docstring each)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class EdusiteConfig(base.Config):
    """Options under ``plugins: edusite:`` in ``mkdocs.yml``."""

    enabled = c.Type(bool, default=True)
    """Switch the plugin off (the site then builds as plain Material)."""

    categories = c.Type(dict, default={})
    """Controlled list of news categories: slug -> Vietnamese name."""

    pagination_per_page = c.Type(int, default=10)
    """Posts per page on the news index, category and archive pages."""

    home_latest = c.Type(int, default=6)
    """How many latest posts the home page shows."""

    home_featured = c.Type(int, default=3)
    """How many featured posts the home page shows."""

    related_posts = c.Type(int, default=4)
    """How many related posts ("Tin liên quan") a post page shows."""

    network_root = c.Optional(c.Dir(exists=True))
    """Repository root holding ``sites/``; found by walking up from the config file when unset."""

    cache_dir = c.Optional(c.Type(str))
    """Folder for roll-up state and the build cache (default ``<root>/.cache``)."""

    embed_hosts = c.Optional(c.ListOfItems(c.Type(str)))
    """Hosts whose ``<iframe>`` embeds (video, maps, forms) posts may use, shown click-to-load
    (default: :data:`edusite.security.markup.EMBED_HOSTS`; ``[]`` allows none)."""

    trusted_units = c.ListOfItems(c.Type(str), default=[])
    """Unit ids whose pages keep their raw HTML unsanitised (network admins' own pages only:
    their editors can then run script on the whole network's origin)."""
