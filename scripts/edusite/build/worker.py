"""Build one unit's site with MkDocs inside a worker process (or in-process).

MkDocs and Material are imported once per process; each call loads one site's config and runs
MkDocs' own ``build`` with the startup/shutdown events its CLI would fire. Log records are
captured and returned, so the parent prints one tidy summary.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field

from .. import context
from ..context import BuildContext


@dataclass
class SiteResult:
    """What building one site produced."""

    unit_id: str
    ok: bool
    seconds: float = 0.0
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: bool = False  # unchanged since the last build (cache hit)
    valid_until: str | None = None  # ISO time of the next scheduled post, when the site changes
    notes: list[str] = field(default_factory=list)  # plugins' lines for the output (roll-up)


class LogCapture(logging.Handler):
    """MkDocs' log records of one build, warnings and up (errors name the file)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def warm_up(use_speedups: bool = True) -> None:
    """Import MkDocs, Material and our plugins so forked workers start ready (and install the
    speed-ups unless the build turned them off)."""
    import contextlib
    import importlib

    import material.plugins  # noqa: F401
    import mkdocs.commands.build  # noqa: F401
    import mkdocs.config  # noqa: F401

    from . import speedups

    # What the first site would import lazily, once per worker otherwise (about 0.1 s).
    for name in (
        "edusite.images.plugin",
        "edusite.documents.plugin",
        "edusite.search.plugin",
        "edusite.rollup",
        "edusite.reports.page",
        "edusite.disclosure.context",
        "feedparser",
        "PIL.Image",
        "markdown.extensions.toc",
        "markdown.extensions.tables",
        "markdown.extensions.attr_list",
        "markdown.extensions.md_in_html",
        "markdown.extensions.admonition",
        "markdown.extensions.footnotes",
        "pymdownx.details",
    ):
        with contextlib.suppress(ImportError):  # a missing part: the build will say so
            importlib.import_module(name)

    if use_speedups:
        speedups.install()  # checks the running context too (--no-speedups)


def build_site(
    unit_id: str, config_file: str, site_dir: str, trees: dict[str, str] | None = None
) -> SiteResult:
    """Build ``config_file`` into ``site_dir``; never raises for user errors.

    Arguments:
        unit_id: the unit, for the result.
        config_file: ``sites/<id>/mkdocs.yml``.
        site_dir: where to write (a staging folder; the caller swaps it into place).
        trees: for a portal, the content-folder hashes this run computed (its memos use them).

    The build context is the running one (:mod:`edusite.context`, activated by the builder
    before this worker was forked); its validity after the build comes from the features'
    ``expires`` (:func:`edusite.build.cache.site_expiry`).
    """
    from . import speedups

    ctx = context.running()
    if ctx is None:
        raise RuntimeError("build_site needs an active build context (edusite.context)")
    if trees:
        ctx = ctx.but(trees=trees)
    speedups.install()  # or uninstall, when this run's context turned them off
    with context.active(ctx):
        return _build_one(ctx, unit_id, config_file, site_dir)


def _build_one(ctx: BuildContext, unit_id: str, config_file: str, site_dir: str) -> SiteResult:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from .cache import site_expiry

    capture = LogCapture()
    logger = logging.getLogger("mkdocs")
    old_propagate, old_level = logger.propagate, logger.level
    logger.addHandler(capture)
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    start = time.perf_counter()
    errors: list[str] = []
    valid_until: str | None = None
    notes: list[str] = []
    try:
        cfg = load_config(config_file, site_dir=site_dir)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
            # A plugin's `build_notes`: lines for the command's output (a portal's roll-up).
            notes = [n for p in cfg.plugins.values() for n in getattr(p, "build_notes", ())]
            unit = ctx.network[unit_id] if ctx.network is not None else None
            until = site_expiry(ctx, unit, cfg) if unit is not None else None
            valid_until = until.isoformat() if until is not None else None
        finally:
            cfg.plugins.on_shutdown()
    except (PluginError, ConfigurationError, Abort) as exc:
        errors.append(str(exc))
    except Exception as exc:  # a bug or an unexpected input must not stop other sites
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(capture)
        logger.propagate, logger.level = old_propagate, old_level
    warnings = [r.getMessage() for r in capture.records if r.levelno < logging.ERROR]
    logged = [r.getMessage() for r in capture.records if r.levelno >= logging.ERROR]
    if logged:  # MkDocs logs the real cause, then raises a generic Abort: keep the cause
        errors = [e for e in errors if not e.startswith("Aborted with")]
    errors = list(dict.fromkeys(logged + errors))
    pages = 0
    if not errors:  # os.walk lists each folder once (Path.rglob twice)
        pages = sum(n.endswith(".html") for _t, _d, names in os.walk(site_dir) for n in names)
    return SiteResult(
        unit_id=unit_id,
        ok=not errors,
        seconds=time.perf_counter() - start,
        pages=pages,
        warnings=warnings,
        errors=errors,
        valid_until=valid_until,
        notes=notes,
    )
