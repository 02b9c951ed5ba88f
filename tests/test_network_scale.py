"""Scheduling in O(units): the network's tree index gives the same answers, in the same order,
as the definitions it replaced (``children`` filtering and sorting every unit on every call),
stays right when a test changes ``units`` or a unit's parent, and plans 6,000 units fast."""

from __future__ import annotations

import random
import time
from pathlib import Path

from edusite.build.builder import dependencies, priorities
from edusite.structure.network import Network, Unit


def unit(uid: str, kind: str, parent: str | None) -> Unit:
    return Unit(
        id=uid,
        name=uid,
        kind=kind,
        config_file=Path(f"/net/sites/{uid}/mkdocs.yml"),
        site_url=f"https://x.edu.vn/{uid}/",
        level="thcs" if kind == "school" else None,
        parent=parent,
    )


def random_network(size: int, seed: int = 7) -> Network:
    """A Sở, portals nested up to three deep, schools below any of them; ids shuffled so that
    dict order is not id order."""
    rng = random.Random(seed)
    units = [unit("so", "so", None)]
    portals = ["so"]
    for i in range(size // 20):
        uid = f"p-{rng.randrange(10**6):06d}-{i}"
        units.append(unit(uid, "portal", rng.choice(portals[:50])))
        portals.append(uid)
    while len(units) < size:
        units.append(unit(f"s-{rng.randrange(10**6):06d}-{len(units)}", "school", rng.choice(portals)))  # fmt: skip
    rng.shuffle(units)
    return Network(root=Path("/net"), units={u.id: u for u in units})


# The definitions the index replaced, verbatim.
def old_children(net: Network, uid: str) -> list[Unit]:
    return [u for u in (net.units[k] for k in sorted(net.units)) if u.parent == uid]


def old_descendants(net: Network, uid: str) -> list[Unit]:
    out: list[Unit] = []
    for child in old_children(net, uid):
        out.append(child)
        out.extend(old_descendants(net, child.id))
    return out


def old_priorities(net: Network, selected: list[str]) -> dict[str, tuple[int, int]]:
    order: list[str] = []

    def visit(uid: str) -> None:
        for child in old_children(net, uid):
            visit(child.id)
        order.append(uid)

    for u in (net.units[k] for k in sorted(net.units)):
        if not u.parent or u.parent not in net:
            visit(u.id)
    index = {uid: i for i, uid in enumerate(order)}
    return {uid: (0 if net[uid].is_portal else 1, index[uid]) for uid in selected}


def test_same_answers_in_the_same_order_as_before() -> None:
    net = random_network(600)
    ids = sorted(net.units)
    assert [u.id for u in net] == ids
    for uid in [*ids[:40], "so", "missing"]:
        assert net.children(uid) == old_children(net, uid)
        assert net.descendants(uid) == old_descendants(net, uid)
    order = net.build_order()
    depth = {u: len(net.ancestors(u)) for u in ids}
    assert order == sorted(ids, key=lambda i: (-depth[i], i))
    chosen = ids[::3] + ["so"]
    deps = dependencies(net, chosen)
    assert deps == {u: {d.id for d in old_descendants(net, u)} & set(chosen) for u in chosen}
    assert priorities(net, order) == old_priorities(net, order)


def test_the_index_follows_changes_to_units_and_parents() -> None:
    net = random_network(100)
    school = next(u for u in net if u.kind == "school")
    portal = next(u for u in net if u.kind == "portal")
    if school.parent == portal.id:
        school = next(u for u in net if u.kind == "school" and u.parent != portal.id)
    assert school not in net.children(portal.id)
    net.units["zz-new"] = unit("zz-new", "school", portal.id)  # added
    assert net.children(portal.id)[-1].id == "zz-new"
    assert [u.id for u in net][-1] == "zz-new"
    del net.units["zz-new"]  # removed
    assert "zz-new" not in [u.id for u in net.children(portal.id)]
    school.parent = portal.id  # moved
    assert school in net.children(portal.id) and school in net.descendants("so")
    net.units = {u.id: u for u in net.units.values() if u.id != school.id}  # replaced
    assert school not in net.children(portal.id) and school not in list(net)
    net.units.update({"aa-new": unit("aa-new", "portal", "so")})  # dict methods too
    assert net.children("so")[0].id == "aa-new"
    net.units.pop("aa-new")
    assert "aa-new" not in [u.id for u in net.children("so")]


def test_a_parent_loop_does_not_hang_descendants() -> None:
    """get_network refuses cycles; a network built by hand may have one."""
    net = Network(root=Path("/net"), units={"a": unit("a", "portal", "b"), "b": unit("b", "portal", "a")})  # fmt: skip
    assert [u.id for u in net.descendants("a")] == ["b", "a"]


def test_planning_six_thousand_units_is_linear() -> None:
    """The quadratic path took about 10 s here (``bench/plan.py``); the index takes milliseconds."""
    net = random_network(6000)
    start = time.perf_counter()
    order = net.build_order()
    deps = dependencies(net, order)
    rank = priorities(net, order)
    elapsed = time.perf_counter() - start
    assert len(order) == len(deps) == len(rank) == 6000
    assert len(deps["so"]) == 5999
    assert elapsed < 1.0, f"{elapsed:.2f} s"
