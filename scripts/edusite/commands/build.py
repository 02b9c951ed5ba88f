"""``edusite build``: validate the network and build the chosen sites."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import load_network, root_option

if TYPE_CHECKING:
    from ..structure.network import Network


@click.command("build")
@click.argument("ids", nargs=-1)
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Thư mục xuất / output folder (default: <root>/public).",
)
@click.option(
    "-j",
    "--jobs",
    type=int,
    default=None,
    help="Số tiến trình / worker processes (default: CPU count).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Không tải nguồn tin từ xa / do not fetch remote feeds; use stored state.",
)
@click.option(
    "--force", is_flag=True, help="Xây dựng lại tất cả / rebuild every site, ignoring the cache."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Không dùng bộ nhớ đệm / neither read nor write any cache (build cache, images,"
    " roll-up state, memos): a cold build that leaves no file outside --out.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Bộ nhớ đệm / cache folder (default: <root>/.cache; keep it between CI runs).",
)
@click.option(
    "--shard",
    "shard_text",
    metavar="K/N|final",
    default=None,
    help="Chỉ xây phân mảnh K trong N (theo cây con), hoặc 'final': các đơn vị bao trùm nhiều"
    " phân mảnh (Sở) / build only shard K of N (whole subtrees), or 'final': the units spanning"
    " shards (the Sở), after --merge.",
)
@click.option(
    "--merge",
    "merge_dirs",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Với --shard final: gộp kết quả của phân mảnh (hoặc thư mục chứa các phân mảnh) vào"
    " --out trước / with --shard final: merge this shard output (or folder of shard outputs)"
    " into --out first. Repeatable.",
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Với --shard K/N: kế hoạch từ 'edusite shard plan' (cân theo thời gian đo được) / with"
    " --shard K/N: the plan written by 'edusite shard plan' (balanced by measured cost).",
)
@click.option(
    "--only",
    is_flag=True,
    help="Chỉ xây các đơn vị đã nêu, không xây lại cấp trên (Phòng, Sở) / build just the given"
    " IDS; by default their portals above (Phòng, Sở) are rebuilt too, so they show the change.",
)
@click.option(
    "--no-speedups",
    is_flag=True,
    help="Chạy mã gốc của MkDocs/Jinja, không tăng tốc / run MkDocs' and Jinja's stock code, without"
    " edusite's process-wide caches (build/speedups.py), e.g. to rule them out.",
)
def command(
    ids: tuple[str, ...],
    root: Path,
    out: Path | None,
    jobs: int | None,
    offline: bool,
    force: bool,
    no_cache: bool,
    cache_dir: Path | None,
    shard_text: str | None,
    merge_dirs: tuple[Path, ...],
    plan_file: Path | None,
    only: bool,
    no_speedups: bool,
) -> None:
    """Xây dựng các trang / build the sites (all by default), children before parents.

    Given IDS, their portals above (Phòng, Sở) are built after them, unless --only.
    """
    from ..build.builder import build_network

    network = load_network(root, ids)
    out = out or network.root / "public"
    jobs = jobs or os.cpu_count() or 1
    from ..publishing.shard import source_info, write_build_report

    label = "all"
    chosen: list[str] | None
    if shard_text is not None or merge_dirs or plan_file is not None:
        chosen, label = _shard_selection(network, ids, shard_text, merge_dirs, out, plan_file)
    else:
        chosen = _selection(network, ids, only)
    source = source_info(network.root)  # before building: the commit the output comes from
    total = len(network.build_order(chosen))
    start = time.perf_counter()
    with click.progressbar(length=total, label="Đang xây dựng / building", file=sys.stderr) as bar:
        # --no-cache: no cache folder at all (build cache, images, roll-up state, memos).
        folder = None if no_cache else (cache_dir or network.root / ".cache")
        results = build_network(
            network,
            chosen,
            out=out,
            jobs=jobs,
            offline=offline,
            cache_file=folder / "build.json" if folder is not None else None,
            force=force,
            cache_dir=folder,
            on_done=lambda r: bar.update(1),
            speedups=not no_speedups,  # the build context carries it to every worker
        )
    elapsed = time.perf_counter() - start
    write_build_report(out, results, label=label, source=source)
    if folder is not None:  # what the next `edusite shard plan` balances on
        from ..publishing.shard import COSTS_FILE, record_costs

        record_costs(folder / COSTS_FILE, out)
    click.echo(f"\n{'Đơn vị / unit':32} {'':2} {'trang':>6} {'giây':>6} {'cảnh báo':>8} {'lỗi':>4}")
    for r in results:
        mark = "=" if r.skipped else "✓" if r.ok else "✗"
        click.echo(
            f"{r.unit_id:32} {mark:2} {r.pages:6d} {r.seconds:6.2f} {len(r.warnings):8d} {len(r.errors):4d}"
        )
    from ..errors import log_line  # messages quote hostile names: one line each

    for r in results:  # a portal's roll-up summary (docs/rollup.md, "Feed health")
        for note in r.notes:
            click.echo(log_line(note))
    for r in results:
        for w in r.warnings:
            click.echo(f"  ⚠ [{r.unit_id}] {log_line(w)}", err=True)
        for e in r.errors:
            click.echo(f"  ✗ [{r.unit_id}] {log_line(e)}", err=True)
    _write_problems(network, out)
    failed = [r.unit_id for r in results if not r.ok]
    skipped = sum(1 for r in results if r.skipped)
    click.echo(
        f"{len(results) - len(failed)}/{len(results)} trang xong trong {elapsed:.1f} s, {skipped} không đổi (=)"
        f" / sites done, {skipped} unchanged → {out}"
    )
    if failed:
        click.echo(f"Lỗi / failed: {', '.join(failed)}", err=True)
        sys.exit(1)


def _shard_selection(
    network: Network,
    ids: tuple[str, ...],
    shard_text: str | None,
    merge_dirs: tuple[Path, ...],
    out: Path,
    plan_file: Path | None = None,
) -> tuple[list[str], str]:
    """The units and report label of a ``--shard`` run (merging shard outputs for ``final``)."""
    from ..publishing.shard import (
        ShardError,
        describe_plan,
        merge_outputs,
        parse_shard,
        read_plan,
        units_for,
    )

    plan = None

    try:
        if ids:
            raise ShardError(
                "dùng IDS hoặc --shard, không dùng cả hai / give IDS or --shard, not both"
            )
        if shard_text is None:
            raise ShardError("--merge cần --shard final / --merge needs --shard final")
        spec = parse_shard(shard_text)
        if merge_dirs and not spec.final:
            raise ShardError("--merge chỉ dùng với --shard final / --merge only with --shard final")
        if plan_file is not None and not spec.final:
            plan = read_plan(plan_file)
        chosen = units_for(network, spec, plan)  # checks a plan against this network
        if merge_dirs:
            summary = merge_outputs(merge_dirs, out, {u.id for u in network})
            click.echo(
                f"Đã gộp / merged {len(summary.shards)} phân mảnh / shards,"
                f" {len(summary.units)} đơn vị / units → {out}"
            )
            if summary.missing:
                click.echo(
                    f"  ⚠ thiếu phân mảnh / missing shards: {', '.join(summary.missing)}", err=True
                )
    except ShardError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if not spec.final:
        for line in describe_plan(network, spec.count, plan):
            click.echo(("→ " if line.startswith(f"{spec.index}/") else "  ") + line)
    click.echo(
        f"Phân mảnh / shard {spec}: {len(chosen)} đơn vị / units"
        + (f" ({', '.join(chosen)})" if spec.final else "")
    )
    return chosen, spec.label


def _selection(network: Network, ids: tuple[str, ...], only: bool) -> list[str] | None:
    """The units to build: all (no IDS), the IDS (``--only``), or the IDS and their ancestors,
    so a school's Phòng and Sở roll up its change (the builder orders members first)."""
    if not ids:
        return None
    chosen = list(dict.fromkeys(ids))
    if only:
        return chosen
    added = [a.id for uid in chosen for a in network.ancestors(uid)]
    added = [a for a in dict.fromkeys(added) if a not in chosen]
    if added:
        click.echo(
            f"Xây lại cả cấp trên / also rebuilding the portals above: {', '.join(added)}"
            " (--only: chỉ các đơn vị đã nêu / just the given units)"
        )
    return chosen + added


def _write_problems(network: Network, out: Path) -> None:
    """The per-unit problem list (``<out>/.edusite/problems.md|json``, ``$GITHUB_STEP_SUMMARY``)
    of every unit's latest recorded build in ``out``."""
    from ..publishing.problems import build_problems, build_states, write_problems
    from ..publishing.shard import read_build_status

    statuses = read_build_status(out)
    states = build_states(network, statuses, out)
    failed = sum(1 for s in states.values() if s != "built")
    path = write_problems(
        out,
        network,
        f"edusite build: {failed}/{len(states)} đơn vị lỗi / units failed",
        states,
        build_problems(network, statuses),
    )
    click.echo(f"Danh sách lỗi / problem list: {path}")
