"""``edusite shard plan``: how many CI shards, and which subtrees each builds, by measured cost.

The plan job of a CI pipeline runs it before the shard jobs: it reads the per-unit build times
the previous run recorded (``.cache/shards/costs.json``, kept by every ``edusite build``; units
never measured are estimated from their pages), chooses the number of shards from the network's
size (enough that each shard finishes within ``--minutes`` with ``--jobs`` workers), balances
whole subtrees by cost, writes the plan file every shard job reads (``edusite build --shard K/N
--plan FILE``) and prints the matrix for GitHub Actions or the shard count for GitLab.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import load_network, root_option


@click.group("shard")
def command() -> None:
    """Phân mảnh bản dựng cho CI / sharded CI builds."""


@command.command("plan")
@root_option
@click.option(
    "--shards",
    "count",
    type=click.IntRange(1, 256),
    default=None,
    help="Số phân mảnh (mặc định: tính từ quy mô mạng) / number of shards (default: computed"
    " from the network's size and measured costs).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Số tiến trình mỗi máy CI / worker processes per CI runner.",
)
@click.option(
    "--minutes",
    type=click.FloatRange(0.5, 360),
    default=10.0,
    show_default=True,
    help="Thời gian mong muốn mỗi phân mảnh / wanted build time per shard (minutes).",
)
@click.option(
    "--max-shards",
    type=click.IntRange(1, 256),
    default=64,
    show_default=True,
    help="Tối đa số phân mảnh (GitLab: giá trị parallel:) / at most this many shards (GitLab:"
    " the build job's parallel: value).",
)
@click.option(
    "--costs",
    "cost_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Thời gian đo được: tệp costs.json hoặc thư mục kết quả có .edusite/ (lặp lại được;"
    " mặc định <root>/.cache/shards/costs.json) / measured costs: a costs.json or an output"
    " folder with build reports (repeatable).",
)
@click.option(
    "--previous",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Kế hoạch lần trước, giữ nếu vẫn cân / the previous plan, kept while still balanced"
    " (default: <root>/.cache/shards/plan.json).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("shard-plan.json"),
    show_default=True,
    help="Tệp kế hoạch / the plan file the shard jobs read.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "gitlab"]),
    default="text",
    show_default=True,
    help="text: bảng; github: matrix=… và count=… cho $GITHUB_OUTPUT; gitlab: EDUSITE_SHARDS=N"
    " (dotenv) / text table; github: lines for $GITHUB_OUTPUT; gitlab: a dotenv line.",
)
def plan(
    root: Path,
    count: int | None,
    jobs: int,
    minutes: float,
    max_shards: int,
    cost_paths: tuple[Path, ...],
    previous: Path | None,
    output: Path,
    fmt: str,
) -> None:
    """Lập kế hoạch phân mảnh / plan the CI shards (count and balance by measured cost)."""
    from ..publishing.shard import (
        COSTS_FILE,
        PLAN_FILE,
        ShardError,
        describe_plan,
        make_plan,
        measured_costs,
        read_plan,
        subtrees,
        write_plan,
    )

    network = load_network(root)
    paths = list(cost_paths) or [p for p in (network.root / ".cache" / COSTS_FILE,) if p.is_file()]
    measured = measured_costs(paths)
    before = None
    prev_path = previous or network.root / ".cache" / PLAN_FILE
    if prev_path.is_file():
        try:
            before = read_plan(prev_path)
        except ShardError as exc:
            click.echo(f"⚠ {exc}", err=True)
    if count is not None and count > max_shards:
        click.echo(f"--shards {count} > --max-shards {max_shards}", err=True)
        sys.exit(2)
    the_plan = make_plan(
        network,
        count=count,
        measured=measured,
        previous=before,
        jobs=jobs,
        budget=minutes * 60,
        most=max_shards,
    )
    write_plan(output, the_plan)
    loads = [sum(the_plan.costs.get(u, 0.0) for u in s) for s in the_plan.shards]
    total = sum(the_plan.costs.values())
    summary = (
        f"{sum(1 for _ in network)} đơn vị / units, {len(subtrees(network))} cây con / subtrees;"
        f" {the_plan.measured} đo được / measured; ~{total:.0f} s công việc / of work;"
        f" {the_plan.count} phân mảnh / shards, nặng nhất / heaviest ~{max(loads):.0f} s"
        f" (~{max(loads) / jobs / 60:.1f} min with {jobs} jobs) → {output}"
    )
    if fmt == "github":
        click.echo(f"matrix={json.dumps({'shard': list(range(1, the_plan.count + 1))})}")
        click.echo(f"count={the_plan.count}")
        click.echo(summary, err=True)
    elif fmt == "gitlab":
        click.echo(f"EDUSITE_SHARDS={the_plan.count}")
        click.echo(summary, err=True)
    elif fmt == "json":
        click.echo(json.dumps({**the_plan.to_json(), "loads": [round(x, 1) for x in loads]}))
    else:
        for line in describe_plan(network, the_plan.count, the_plan):
            click.echo(line)
        click.echo(summary)
