"""Build many unit sites: children before parents, in warm worker processes, atomically.

Each site is written to a staging folder and swapped into ``<out>/<id>/`` only when its build
succeeded, so a failed build never replaces (or half-replaces) the last good site, and portals
keep reading the last good feeds of members that failed. Sites whose inputs did not change since
the last build are skipped (see :mod:`edusite.build.cache`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from datetime import datetime
from pathlib import Path

from ..digests import Digests
from ..memo import write_atomic
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


def write_trees(folder: Path, digests: Digests) -> Path:
    """This run's content-folder hashes, for portals' report memos (see
    :func:`edusite.reports.collect.collect_unit`): a portal then needs not list its members'
    posts to know they are unchanged. Lives in the staging folder, gone after the build."""
    path = folder / "trees.json"
    write_atomic(path, json.dumps(digests.real_trees()))
    return path


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
) -> list[SiteResult]:
    """Build the chosen units (all by default) into ``out``; return one result per unit.

    A portal starts only after every selected descendant finished (successfully or not), and
    its cache key includes the member feeds those builds wrote. ``jobs`` > 1 uses forked worker
    processes that import MkDocs once and build many sites each. ``cache_file`` enables the
    incremental cache (``force`` ignores its entries but refreshes them).
    """
    selected = network.build_order(ids)
    deps = dependencies(network, selected)
    out = out.resolve()
    (out / STAGING).mkdir(parents=True, exist_ok=True)
    env = {
        "EDUSITE_OUTPUT_ROOT": str(out),
        "EDUSITE_OFFLINE": "1" if offline else "",
        "EDUSITE_SHARED_ASSETS": "1",
        "EDUSITE_TREES": "",
        # Names this run: workers trust the network they loaded for its duration.
        "EDUSITE_BUILD_RUN": f"{os.getpid()}-{time.time_ns()}",
    }
    folder = cache_dir or (cache_file.parent if cache_file else None)
    if folder is not None:  # images, roll-up state and the memos go there too
        env["EDUSITE_CACHE_DIR"] = str(folder.resolve())
    saved_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the parent computes portal keys with the same switches
    cache = BuildCache(cache_file) if cache_file else None
    digests = Digests(cache_file.parent / "digests.json") if cache_file else None
    shared = network_hash(network) if cache else ""
    moment: datetime = now()
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
            keys[uid] = site_key(network, network[uid], out, shared, digests)
            if not force and cache.fresh(uid, keys[uid], out, moment):
                finish(SiteResult(uid, ok=True, skipped=True))
                return None
        staging = out / STAGING / uid
        if staging.exists():
            shutil.rmtree(staging)
        nonlocal warmed
        if not warmed:  # only when a site needs building (a no-op build imports nothing)
            warm_up()
            warmed = True
        site_env = env
        if digests is not None and network[uid].is_portal:
            site_env = {**env, "EDUSITE_TREES": str(write_trees(out / STAGING, digests))}
        return pool.submit(build_site, uid, str(network[uid].config_file), str(staging), site_env)

    pending = set(selected)
    rank = priorities(network, selected)
    parallel = jobs > 1 and len(selected) > 1
    slots = jobs if parallel else 1
    warmed = not parallel  # workers fork from this process: import MkDocs & co. once, first
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    pool: Executor = (
        ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) if parallel else _InProcess()
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
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(out / STAGING, ignore_errors=True)
        if cache is not None:
            cache.save()
        if digests is not None:
            digests.save()
    return [results[uid] for uid in selected]
