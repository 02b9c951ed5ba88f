"""Build many unit sites: children before parents, in warm worker processes, atomically.

Each site is written to a staging folder and swapped into ``<out>/<id>/`` only when its build
succeeded, so a failed build never replaces (or half-replaces) the last good site, and portals
keep reading the last good feeds of members that failed. Sites whose inputs did not change since
the last build are skipped (see :mod:`edusite.build.cache`).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from datetime import datetime
from pathlib import Path

from .. import context
from ..context import BuildContext
from ..digests import Digests
from ..structure.network import Network
from ..text import now
from .cache import BuildCache, network_hash, site_key
from .worker import SiteResult, build_site, warm_up

STAGING = ".staging"


def dependencies(network: Network, ids: Iterable[str]) -> dict[str, set[str]]:
    """For each selected unit, the selected units it must wait for (its descendants)."""
    chosen = set(ids)
    return {uid: {d.id for d in network.descendants(uid)} & chosen for uid in chosen}


def priorities(network: Network, selected: list[str]) -> dict[str, tuple[int, int]]:
    """Scheduling rank of each unit (lower first): portals before schools (a portal is on the
    path to the Sở, which waits for all), then the tree's post-order (children first, each
    subtree together), so each Phòng's schools finish close together and the Phòng can build
    while other schools still do."""
    order: list[str] = []

    def visit(uid: str) -> None:
        for child in network.children(uid):
            visit(child.id)
        order.append(uid)

    for unit in network:
        if not unit.parent or unit.parent not in network:
            visit(unit.id)
    index = {uid: i for i, uid in enumerate(order)}
    return {uid: (0 if network[uid].is_portal else 1, index[uid]) for uid in selected}


def swap_into_place(out: Path, unit_id: str, staging: Path) -> None:
    """Replace ``out/<id>`` by ``staging`` with renames (never a half-written site)."""
    target = out / unit_id
    old = out / STAGING / f"{unit_id}.old"
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)


class _InProcess(Executor):
    """Runs submitted calls at once in this process (``--jobs 1``, tests, debugging)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller like a pool would
            fut.set_exception(exc)
        return fut


def build_network(
    network: Network,
    ids: Iterable[str] | None = None,
    *,
    out: Path,
    jobs: int = 1,
    offline: bool = False,
    cache_file: Path | None = None,
    force: bool = False,
    cache_dir: Path | None = None,
    on_done: Callable[[SiteResult], None] | None = None,
    speedups: bool = True,
) -> list[SiteResult]:
    """Build the chosen units (all by default) into ``out``; return one result per unit.

    A portal starts only after every selected descendant finished (successfully or not), and
    its cache key includes the member feeds those builds wrote. ``jobs`` > 1 uses forked worker
    processes that import MkDocs once and build many sites each. ``cache_file`` enables the
    incremental cache (``force`` ignores its entries but refreshes them); every other cache and
    memo goes to ``cache_dir`` (default: the cache file's folder). Without either, nothing is
    read from or written to any cache folder (``--no-cache``).

    The run is described once by a :class:`~edusite.context.BuildContext` (output, cache,
    offline, now, run id, network), active while it lasts; workers fork inside it.
    """
    selected = network.build_order(ids)
    deps = dependencies(network, selected)
    out = out.resolve()
    (out / STAGING).mkdir(parents=True, exist_ok=True)
    folder = cache_dir or (cache_file.parent if cache_file else None)
    ctx = BuildContext(
        root=network.root,
        out=out,
        cache=folder.resolve() if folder is not None else None,
        now=now(),
        offline=offline,
        run_id=f"{os.getpid()}-{time.time_ns()}",
        network=network,
        shared_assets=True,
        speedups=speedups,
    )
    with context.active(ctx):
        return _build(ctx, selected, deps, jobs, cache_file, force, on_done)


def _build(
    ctx: BuildContext,
    selected: list[str],
    deps: dict[str, set[str]],
    jobs: int,
    cache_file: Path | None,
    force: bool,
    on_done: Callable[[SiteResult], None] | None,
) -> list[SiteResult]:
    network, out = ctx.network, ctx.out
    assert network is not None
    cache = BuildCache(cache_file) if cache_file else None
    digests = Digests(cache_file.parent / "digests.json" if cache_file else None)
    shared = network_hash(network) if cache else ""
    keys: dict[str, str] = {}
    results: dict[str, SiteResult] = {}

    def finish(result: SiteResult) -> None:
        staging = out / STAGING / result.unit_id
        if result.ok and not result.skipped:
            swap_into_place(out, result.unit_id, staging)
            if cache is not None:
                until = datetime.fromisoformat(result.valid_until) if result.valid_until else None
                cache.store(result.unit_id, keys[result.unit_id], until)
        else:
            shutil.rmtree(staging, ignore_errors=True)
        results[result.unit_id] = result
        if on_done:
            on_done(result)

    def start(pool: Executor, uid: str) -> Future[SiteResult] | None:
        if cache is not None:
            keys[uid] = site_key(ctx, network[uid], shared, digests)
            if not force and cache.fresh(uid, keys[uid], out, ctx.now):
                finish(SiteResult(uid, ok=True, skipped=True))
                return None
        staging = out / STAGING / uid
        if staging.exists():
            shutil.rmtree(staging)
        nonlocal warmed
        if not warmed:  # only when a site needs building (a no-op build imports nothing)
            warm_up(ctx.speedups)
            warmed = True
        # A portal's memos of its members use the content-folder hashes made for the keys.
        trees = digests.real_trees() if network[uid].is_portal else None
        return pool.submit(build_site, uid, str(network[uid].config_file), str(staging), trees)

    pending = set(selected)
    rank = priorities(network, selected)
    parallel = jobs > 1 and len(selected) > 1
    slots = jobs if parallel else 1
    warmed = not parallel  # workers fork from this process: import MkDocs & co. once, first
    mp = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    pool: Executor = (
        ProcessPoolExecutor(
            max_workers=jobs, mp_context=mp, initializer=context.activate, initargs=(ctx,)
        )
        if parallel
        else _InProcess()
    )
    try:
        running: dict[Future[SiteResult], str] = {}
        while pending or running:
            # Keep only as many sites in flight as there are workers, so a portal whose
            # members are done goes next instead of waiting behind every queued school.
            ready = sorted((u for u in pending if deps[u] <= results.keys()), key=rank.__getitem__)
            for uid in ready:
                if len(running) >= slots:
                    break
                pending.discard(uid)
                fut = start(pool, uid)
                if fut is not None:
                    running[fut] = uid
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: running[f]):
                uid = running.pop(fut)
                try:
                    finish(fut.result())
                except Exception as exc:  # a crashed worker fails its site only
                    finish(SiteResult(uid, ok=False, errors=[f"{type(exc).__name__}: {exc}"]))
    finally:
        pool.shutdown()
        shutil.rmtree(out / STAGING, ignore_errors=True)
        if cache is not None:
            cache.save()
        digests.save()
    return [results[uid] for uid in selected]
