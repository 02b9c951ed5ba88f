"""Shard plans balanced by measured cost (``edusite shard plan``, ``build --shard K/N --plan``)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import make_network
from edusite.cli import main
from edusite.publishing.shard import (
    COSTS_FILE,
    ShardError,
    ShardPlan,
    balance,
    choose_count,
    estimated_costs,
    make_plan,
    measured_costs,
    partition,
    read_plan,
    subtrees,
)
from edusite.structure.network import get_network
from test_shard import UNITS, digest, network_files


@pytest.fixture
def root(tmp_path: Path, pinned_now: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")
    return make_network(tmp_path / "net", UNITS, network_files())


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def loads(shards: list[list[str]], costs: dict[str, float]) -> list[float]:
    return [sum(costs[u] for u in s) for s in shards]


def whole_subtrees(network: Any, shards: list[list[str]]) -> bool:
    owner = {u: i for i, s in enumerate(shards) for u in s}
    return all(len({owner[u] for u in t}) == 1 for t in subtrees(network)) and sorted(
        owner
    ) == sorted(u for t in subtrees(network) for u in t)


def test_balance_by_cost_not_by_unit_count(root: Path) -> None:
    network = get_network(root)
    # thpt-x is one unit but the costliest (a big school with many albums); pgd-a's four are cheap.
    costs = {u: 1.0 for u in UNITS if u != "so"}
    costs["thpt-x"] = 12.0
    by_count = partition(network, 2)
    by_cost = balance(network, 2, costs)
    assert whole_subtrees(network, by_cost)
    assert max(loads(by_cost, costs)) == 12.0  # thpt-x alone; the seven others together
    assert by_cost == [["thpt-x"], ["pgd-a", "pgd-b", "th-a1", "th-a2", "th-b1", "th-y", "thcs-a3"]]
    assert max(loads(by_count, costs)) > max(loads(by_cost, costs))
    assert balance(get_network(root), 2, dict(costs)) == by_cost  # deterministic


def test_greedy_balance_is_within_the_known_bound_on_random_costs(root: Path) -> None:
    network = get_network(root)
    rng = random.Random(7)
    for _ in range(50):
        costs = {u: rng.uniform(0.1, 20) for u in UNITS if u != "so"}
        trees = [sum(costs[u] for u in t) for t in subtrees(network)]
        for n in (1, 2, 3, 4):
            shards = balance(network, n, costs)
            assert whole_subtrees(network, shards)
            worst = max(loads(shards, costs))
            # LPT: at most the average plus the largest subtree, and never below either
            assert worst <= sum(trees) / n + max(trees) + 1e-9
            assert worst >= max(max(trees), sum(trees) / n) - 1e-9


def test_previous_plan_is_kept_while_balanced_and_new_subtrees_fill_the_lightest(
    root: Path,
) -> None:
    network = get_network(root)
    costs = {u: 1.0 for u in UNITS if u != "so"}
    first = ShardPlan(count=2, shards=balance(network, 2, costs), costs=costs)
    # a small drift: the same plan (the shards' caches stay valid)
    drift = dict(costs, **{"th-y": 1.1, "thpt-x": 0.9})
    assert balance(network, 2, drift, previous=first) == first.shards
    # two schools of the same shard become costly: far off the best balance, so it is redone
    heavy = dict(costs, **{"thpt-x": 10.0, "th-y": 10.0})
    redone = balance(network, 2, heavy, previous=first)
    assert redone == balance(network, 2, heavy)
    assert max(loads(redone, heavy)) == 14.0 < max(loads(first.shards, heavy)) == 22.0
    # a new subtree (a unit never planned) joins the lightest shard of the kept plan
    partial = ShardPlan(count=2, shards=[s for s in first.shards], costs=costs)
    partial.shards = [[u for u in s if u != "th-y"] for s in partial.shards]
    kept = balance(network, 2, costs, previous=partial)
    assert kept[0] == first.shards[0] and "th-y" in kept[1]
    # a plan for another shard count is not reused
    other = ShardPlan(count=3, shards=[[], [], []])
    assert balance(network, 2, costs, previous=other) == balance(network, 2, costs)


def test_count_grows_with_the_work() -> None:
    assert choose_count(0, jobs=4, budget=600, trees=10) == 1
    assert choose_count(2000, jobs=4, budget=600, trees=100) == 1
    assert choose_count(2401, jobs=4, budget=600, trees=100) == 2
    assert choose_count(20_000, jobs=4, budget=180, trees=100) == 28
    assert choose_count(20_000, jobs=4, budget=180, trees=5) == 5  # one subtree per shard at most
    assert choose_count(1e9, jobs=1, budget=60, trees=10_000, most=64) == 64


def test_costs_come_from_build_reports_and_unmeasured_units_are_estimated(
    root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "s1"
    result = cli(
        "build", "--root", str(root), "-j", "1", "--offline", "--shard", "1/2", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / ".edusite/build-shard-1-of-2.json").read_text(encoding="utf-8"))
    built = sorted(report["sites"])
    assert all(report["sites"][u]["seconds"] > 0 for u in built)
    measured = measured_costs([out])
    assert sorted(measured) == built
    recorded = measured_costs([root / ".cache" / COSTS_FILE])  # every build keeps them
    assert recorded == measured
    network = get_network(root)
    costs = estimated_costs(network, measured)
    assert sorted(costs) == sorted(u for u in UNITS if u != "so")
    assert all(costs[u] == measured[u] for u in built)
    assert all(costs[u] > 0 for u in costs)
    # an unchanged (skipped) unit keeps the cost of its last real build
    again = cli(
        "build", "--root", str(root), "-j", "1", "--offline", "--shard", "1/2", "--out", str(out)
    )
    assert again.exit_code == 0
    assert measured_costs([out]) == measured


def test_plan_command_and_sharded_build_from_the_plan(root: Path, tmp_path: Path) -> None:
    whole = cli("build", "--root", str(root), "-j", "1", "--offline", "--no-cache")
    assert whole.exit_code == 0, whole.output
    expected = digest(root / "public")
    costs = tmp_path / "costs.json"
    heavy = {u: 1.0 for u in UNITS if u != "so"} | {"thpt-x": 12.0}
    costs.write_text(json.dumps({"format": 1, "recorded": "x", "costs": heavy}))
    plan_file = tmp_path / "plan.json"
    result = cli(
        "shard", "plan", "--root", str(root), "--shards", "2", "--costs", str(costs),
        "-o", str(plan_file), "--format", "github",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert 'matrix={"shard": [1, 2]}' in result.stdout.splitlines()
    assert "count=2" in result.stdout.splitlines()
    plan = read_plan(plan_file)
    assert plan.shards == [
        ["thpt-x"],
        ["pgd-a", "pgd-b", "th-a1", "th-a2", "th-b1", "th-y", "thcs-a3"],
    ]
    assert plan.measured == 8
    shards = tmp_path / "shards"
    for k in (1, 2):
        result = cli(
            "build", "--root", str(root), "-j", "1", "--offline", "--no-cache",
            "--shard", f"{k}/2", "--plan", str(plan_file), "--out", str(shards / str(k)),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    report = json.loads((shards / "1/.edusite/build-shard-1-of-2.json").read_text("utf-8"))
    assert sorted(report["sites"]) == ["thpt-x"]
    final = tmp_path / "final"
    result = cli(
        "build", "--root", str(root), "-j", "1", "--offline", "--no-cache",
        "--shard", "final", "--merge", str(shards), "--out", str(final),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert digest(final) == expected  # the cost-balanced plan builds the same network
    # the GitLab form: a dotenv line; the count from the network's size within --max-shards
    result = cli(
        "shard", "plan", "--root", str(root), "--costs", str(costs), "-o", str(plan_file),
        "--format", "gitlab", "--minutes", "0.5", "--jobs", "1", "--max-shards", "3",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "EDUSITE_SHARDS=1"  # 23 s of work fits in one shard
    # a plan that does not match the network (or the shard count) is refused
    result = cli(
        "build", "--root", str(root), "--shard", "1/3", "--plan", str(plan_file), "--no-cache"
    )
    assert result.exit_code == 2 and "the plan has 1 shards, not 3" in result.output
    stale = ShardPlan(count=2, shards=[["thpt-x"], ["pgd-a"]])
    with pytest.raises(ShardError, match="does not match"):
        stale.check(get_network(root), 2)


def test_make_plan_counts_shards_from_estimated_size(root: Path) -> None:
    network = get_network(root)
    plan = make_plan(network, jobs=1, budget=0.3, most=8)  # nothing measured: pages estimate
    assert plan.measured == 0 and plan.count == 4  # 4 subtrees: at most one shard each
    assert whole_subtrees(network, plan.shards)
    assert sum(plan.costs.values()) > 8 * 0.15
