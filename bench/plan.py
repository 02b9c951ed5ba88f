#!/usr/bin/env python3
"""Planning benchmark: what ``edusite build`` does before any site builds, by network size.

    .venv/bin/python bench/plan.py [--units 2000 6000] [--runs 3]

For each size, generates a synthetic network (``gen_network.py``: one Sở, one portal per 100
units, schools, no posts), then times, in this process:

* ``get_network``: reading and validating every ``sites/<id>/mkdocs.yml``;
* planning: ``build_order``, ``builder.dependencies`` and ``builder.priorities``, with the
  network's tree index (built once, O(units)) and with the code path it replaced, copied below
  (``children`` filtered and sorted every unit on every call: quadratic), on the same network.

Both plans are checked equal. Times are the best of ``--runs`` (the quadratic baseline runs once).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from edusite.build.builder import dependencies, priorities  # noqa: E402
from edusite.structure.network import Network, Unit, get_network  # noqa: E402
from gen_network import generate  # noqa: E402


class QuadraticNetwork(Network):
    """The network's tree queries as they were before the index (the baseline)."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.units[k] for k in sorted(self.units))

    def children(self, unit_id: str) -> list[Unit]:
        return [u for u in self if u.parent == unit_id]

    def descendants(self, unit_id: str) -> list[Unit]:
        out: list[Unit] = []
        for child in self.children(unit_id):
            out.append(child)
            out.extend(self.descendants(child.id))
        return out


def old_dependencies(network: Network, ids: Iterable[str]) -> dict[str, set[str]]:
    chosen = set(ids)
    return {uid: {d.id for d in network.descendants(uid)} & chosen for uid in chosen}


def old_priorities(network: Network, selected: list[str]) -> dict[str, tuple[int, int]]:
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


def plan(network: Network, deps: Callable[..., Any], prio: Callable[..., Any]) -> tuple[Any, ...]:
    order = network.build_order()
    return order, deps(network, order), prio(network, order)


def best(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, nargs="+", default=[2000, 6000])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.units:
            portals = max(1, size // 100)
            root = Path(tmp) / f"net-{size}"
            generate(root, size - portals - 1, portals, 0, disclosures=False)
            load, network = best(lambda root=root: get_network(root), args.runs)
            new, ours = best(lambda network=network: plan(network, dependencies, priorities), args.runs)  # fmt: skip
            baseline = QuadraticNetwork(network.root, dict(network.units), network.settings)
            old, theirs = best(lambda b=baseline: plan(b, old_dependencies, old_priorities), 1)
            if ours != theirs:
                raise SystemExit(f"{size} units: the indexed plan differs from the baseline")
            rows.append((len(network.units), load, new, old))
    print("planning before any site builds (seconds; best of runs; plans checked equal)")
    print(f"{'units':>6} {'get_network':>12} {'plan':>8} {'plan (old)':>11} {'total':>7} {'total (old)':>12}")  # fmt: skip
    for units, load, new, old in rows:
        print(
            f"{units:6d} {load:12.3f} {new:8.3f} {old:11.3f} {load + new:7.3f} {load + old:12.3f}"
            f"   plan {old / max(new, 1e-9):,.0f}x faster"
        )


if __name__ == "__main__":
    main()
