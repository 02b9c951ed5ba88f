"""From the network to files: a unit's ``config.json`` and its ``quan-tri/`` folder.

Gathers what the configuration depends on (the base config's categories, the document types
and number pattern, the disclosure rules, the date) and writes the admin page; the plugin and
``edusite cms`` both call :func:`write_admin`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..structure.network import Network, Unit, base_categories
from .config import editor_config, js_pattern
from .page import ADMIN_DIR, admin_page
from .settings import CmsSettings, load_settings
from .vendor import bundle, write_bundle

SHARED_DIR = "_shared"
CONFIG_FILE = "config.json"


def unit_config(
    network: Network,
    unit: Unit,
    *,
    today: date,
    settings: CmsSettings | None = None,
    categories: dict[str, str] | None = None,
    local_url: str | None = None,
    local_workflow: bool = False,
) -> dict[str, Any]:
    """The CMS configuration of ``unit`` (see :func:`edusite.cms.config.editor_config`)."""
    from ..disclosure import get_rules
    from ..documents import LAW_RE, SO_HIEU_RE, load_types

    if settings is None:
        settings = load_settings(network.settings, network.root / "mkdocs.yml")
    number = f"(?:{js_pattern(SO_HIEU_RE)})|(?:{js_pattern(LAW_RE)})"
    return editor_config(
        network,
        unit,
        settings,
        categories=base_categories(network.root) if categories is None else categories,
        document_types=[t.name for t in load_types()],
        document_number=number,
        rules=get_rules(network.root, network.settings),
        today=today,
        local_url=local_url,
        local_workflow=local_workflow,
    )


def dump_config(config: dict[str, Any]) -> str:
    """``config.json`` text. JSON, not ``config.json``: admin.js reads it itself, whatever
    content type the static host gives a ``.yml`` file (Decap ignores a YAML config served as
    ``application/octet-stream`` once the page passes any setting of its own)."""
    return json.dumps(config, ensure_ascii=False, indent=1) + "\n"


def write_admin(
    site_dir: Path,
    network: Network,
    unit: Unit,
    *,
    today: date,
    shared_root: Path | None = None,
    settings: CmsSettings | None = None,
    categories: dict[str, str] | None = None,
    local_url: str | None = None,
    local_workflow: bool = False,
) -> Path:
    """Write ``<site_dir>/quan-tri/index.html`` and ``config.json``; the bundle once to
    ``<shared_root>/_shared/cms/`` (a network build), else into ``<site_dir>/_shared/cms/``.
    Returns the admin folder."""
    if settings is None:
        settings = load_settings(network.settings, network.root / "mkdocs.yml")
    config = unit_config(
        network,
        unit,
        today=today,
        settings=settings,
        categories=categories,
        local_url=local_url,
        local_workflow=local_workflow,
    )
    holder = shared_root if shared_root is not None else site_dir
    folder = write_bundle(holder / SHARED_DIR / "cms")
    admin = site_dir / ADMIN_DIR
    admin.mkdir(parents=True, exist_ok=True)
    # Relative to <site>/quan-tri/: the shared folder sits beside the sites (the site may be
    # built in a staging folder elsewhere, so the path is not computed from where it is now).
    url = (
        f"../../{SHARED_DIR}/cms/{folder.name}"
        if shared_root is not None
        else f"../{SHARED_DIR}/cms/{folder.name}"
    )
    if local_url:
        parts = urlsplit(local_url)
        origins: tuple[str, ...] = (f"{parts.scheme}://{parts.netloc}",)
    else:
        origins = settings.origins()
    (admin / "index.html").write_text(admin_page(unit.name, url, origins), encoding="utf-8")
    (admin / CONFIG_FILE).write_text(dump_config(config), encoding="utf-8")
    return admin


__all__ = ["bundle", "dump_config", "unit_config", "write_admin"]
