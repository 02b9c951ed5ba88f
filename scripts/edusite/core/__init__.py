"""The core MkDocs plugin and what it renders: posts, listings, menus, feeds, portals' roll-up
pages, template data (``plugin.py`` holds thin hooks; ``site.py``, ``portal.py``, ``theme.py``,
``feeds.py``, ``assets.py`` do the work, independent of MkDocs where they can be)."""
