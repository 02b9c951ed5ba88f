"""``edusite build``: validate the network and build the chosen sites."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from ..errors import EdusiteError


@click.command("build")
@click.argument("ids", nargs=-1)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Thư mục mạng (chứa sites/) / network folder (holding sites/).",
)
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
def command(
    ids: tuple[str, ...], root: Path, out: Path | None, jobs: int | None, offline: bool
) -> None:
    """Xây dựng các trang / build the sites (all by default), children before parents."""
    from ..builder import build_network
    from ..structure.network import get_network

    try:
        network = get_network(root)
    except EdusiteError as exc:
        click.echo("Mạng đơn vị không hợp lệ / the network is invalid:", err=True)
        for p in exc.problems:
            click.echo(f"  ✗ {p}", err=True)
        sys.exit(2)
    unknown = [i for i in ids if i not in network]
    if unknown:
        click.echo(f"Không có đơn vị / unknown unit: {', '.join(unknown)}", err=True)
        sys.exit(2)
    out = out or network.root / "public"
    jobs = jobs or os.cpu_count() or 1
    chosen = list(ids) or None
    total = len(network.build_order(chosen))
    start = time.perf_counter()
    with click.progressbar(length=total, label="Đang xây dựng / building", file=sys.stderr) as bar:
        results = build_network(
            network, chosen, out=out, jobs=jobs, offline=offline, on_done=lambda r: bar.update(1)
        )
    elapsed = time.perf_counter() - start
    click.echo(f"\n{'Đơn vị / unit':32} {'':2} {'trang':>6} {'giây':>6} {'cảnh báo':>8} {'lỗi':>4}")
    for r in results:
        mark = "✓" if r.ok else "✗"
        click.echo(
            f"{r.unit_id:32} {mark:2} {r.pages:6d} {r.seconds:6.2f} {len(r.warnings):8d} {len(r.errors):4d}"
        )
    for r in results:
        for w in r.warnings:
            click.echo(f"  ⚠ [{r.unit_id}] {w}", err=True)
        for e in r.errors:
            click.echo(f"  ✗ [{r.unit_id}] {e}", err=True)
    failed = [r.unit_id for r in results if not r.ok]
    click.echo(
        f"{len(results) - len(failed)}/{len(results)} trang đã xây dựng trong {elapsed:.1f} s / sites built → {out}"
    )
    if failed:
        click.echo(f"Lỗi / failed: {', '.join(failed)}", err=True)
        sys.exit(1)
