"""The web editor (Decap CMS) on every unit site, and who may change what.

* :func:`editor_config`: a unit's CMS configuration from the network model (``config.py``);
* :func:`write_admin`: ``/<unit>/quan-tri/`` (page, ``config.json``) and the shared bundle;
* :func:`load_settings` / :func:`unit_editors`: ``extra.network.cms`` and ``extra.unit.editors``;
* :func:`codeowners` and :func:`guard`: the generated ``CODEOWNERS`` and ``edusite guard``
  (``permissions.py``);
* :func:`bundle` / :func:`find_server`: the vendored bundle and the local editing server.

The MkDocs glue is ``plugin.py`` (entry point ``edusite-cms``); ``feature.py`` declares what a
site's admin page depends on to the build cache.
"""

from __future__ import annotations

from .build import unit_config, write_admin
from .config import editor_config
from .page import ADMIN_DIR, admin_page, admin_policy
from .permissions import Verdict, codeowners, guard, owner_of
from .settings import CmsSettings, load_settings, unit_editors
from .vendor import bundle, find_server

__all__ = [
    "ADMIN_DIR",
    "CmsSettings",
    "Verdict",
    "admin_page",
    "admin_policy",
    "bundle",
    "codeowners",
    "editor_config",
    "find_server",
    "guard",
    "load_settings",
    "owner_of",
    "unit_config",
    "unit_editors",
    "write_admin",
]
