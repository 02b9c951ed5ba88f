"""Build many unit sites: children before parents, in warm worker processes, atomically.

Each site is written to a staging folder and swapped into ``<out>/<id>/`` only when its build
succeeded, so a failed build never replaces (or half-replaces) the last good site, and portals
keep reading the last good feeds of members that failed.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from .structure.network import Network
from .worker import SiteResult, build_site, warm_up

STAGING = ".staging"


def dependencies(network: Network, ids: Iterable[str]) -> dict[str, set[str]]:
    """For each selected unit, the selected units it must wait for (its descendants)."""
    chosen = set(ids)
    return {uid: {d.id for d in network.descendants(uid)} & chosen for uid in chosen}


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


def build_network(
    network: Network,
    ids: Iterable[str] | None = None,
    *,
    out: Path,
    jobs: int = 1,
    offline: bool = False,
    on_done: Callable[[SiteResult], None] | None = None,
) -> list[SiteResult]:
    """Build the chosen units (all by default) into ``out``; return one result per unit.

    A portal starts only after every selected descendant finished (successfully or not).
    ``jobs`` > 1 uses forked worker processes that import MkDocs once and build many sites.
    """
    selected = network.build_order(ids)
    deps = dependencies(network, selected)
    out = out.resolve()
    (out / STAGING).mkdir(parents=True, exist_ok=True)
    env = {"EDUSITE_OUTPUT_ROOT": str(out), "EDUSITE_OFFLINE": "1" if offline else ""}

    def args(uid: str) -> tuple[str, str, str, dict[str, str]]:
        staging = out / STAGING / uid
        if staging.exists():
            shutil.rmtree(staging)
        return uid, str(network[uid].config_file), str(staging), env

    def finish(result: SiteResult) -> None:
        if result.ok:
            swap_into_place(out, result.unit_id, out / STAGING / result.unit_id)
        else:
            shutil.rmtree(out / STAGING / result.unit_id, ignore_errors=True)
        results[result.unit_id] = result
        if on_done:
            on_done(result)

    results: dict[str, SiteResult] = {}
    pending = list(selected)
    if jobs <= 1 or len(selected) <= 1:
        saved = {k: os.environ.get(k) for k in env}
        try:
            for uid in pending:
                finish(build_site(*args(uid)))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    else:
        warm_up()
        ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            running: dict[Future[SiteResult], str] = {}
            while pending or running:
                for uid in [u for u in pending if deps[u] <= set(results)]:
                    pending.remove(uid)
                    running[pool.submit(build_site, *args(uid))] = uid
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    uid = running.pop(fut)
                    try:
                        finish(fut.result())
                    except Exception as exc:  # a crashed worker fails its site only
                        finish(SiteResult(uid, ok=False, errors=[f"{type(exc).__name__}: {exc}"]))
    shutil.rmtree(out / STAGING, ignore_errors=True)
    return [results[uid] for uid in selected]
