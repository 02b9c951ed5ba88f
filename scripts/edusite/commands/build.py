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
@click.option(
    "--force", is_flag=True, help="Xây dựng lại tất cả / rebuild every site, ignoring the cache."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Không dùng bộ nhớ đệm / neither read nor write the build cache.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Bộ nhớ đệm / cache folder (default: <root>/.cache; keep it between CI runs).",
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
        cache_file = None if no_cache else (cache_dir or network.root / ".cache") / "build.json"
        results = build_network(
            network,
            chosen,
            out=out,
            jobs=jobs,
            offline=offline,
            cache_file=cache_file,
            force=force,
            on_done=lambda r: bar.update(1),
        )
    elapsed = time.perf_counter() - start
    click.echo(f"\n{'Đơn vị / unit':32} {'':2} {'trang':>6} {'giây':>6} {'cảnh báo':>8} {'lỗi':>4}")
    for r in results:
        mark = "=" if r.skipped else "✓" if r.ok else "✗"
        click.echo(
            f"{r.unit_id:32} {mark:2} {r.pages:6d} {r.seconds:6.2f} {len(r.warnings):8d} {len(r.errors):4d}"
        )
    for r in results:
        for w in r.warnings:
            click.echo(f"  ⚠ [{r.unit_id}] {w}", err=True)
        for e in r.errors:
            click.echo(f"  ✗ [{r.unit_id}] {e}", err=True)
    failed = [r.unit_id for r in results if not r.ok]
    skipped = sum(1 for r in results if r.skipped)
    click.echo(
        f"{len(results) - len(failed)}/{len(results)} trang xong trong {elapsed:.1f} s, {skipped} không đổi (=)"
        f" / sites done, {skipped} unchanged → {out}"
    )
    if failed:
        click.echo(f"Lỗi / failed: {', '.join(failed)}", err=True)
        sys.exit(1)
