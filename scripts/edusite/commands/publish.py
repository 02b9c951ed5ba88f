"""``edusite publish``: push the built sites to git branches (ghp-import), all or nothing.

Exit codes: 0 when every target was published or already up to date (or, with ``--dry-run``,
could be), 1 when a target was blocked (a failed or missing build, a blocking check) or its push
failed, 2 on bad input (invalid network, options, not a git repository).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from ..publishing.publish import LAYOUTS
from .common import load_network, root_option


@click.command("publish")
@click.argument("ids", nargs=-1)
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Thư mục đã xây dựng / built output folder (default: <root>/public).",
)
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default="network",
    show_default=True,
    help="network: cả mạng trên một tên miền (/<mã>/) / the whole network under one host;"
    " per-unit: mỗi đơn vị một nhánh / one branch per unit (own domain).",
)
@click.option(
    "--remote",
    default=None,
    help="Tên remote, URL hoặc đường dẫn; per-unit cho phép {id} / remote name, URL or path;"
    " per-unit may use {id} (default: origin).",
)
@click.option(
    "--branch",
    default=None,
    help="Nhánh đích / target branch (default: gh-pages; per-unit: gh-pages-{id}).",
)
@click.option(
    "--cname",
    default=None,
    help="Tên miền cho tệp CNAME (network) / domain for the CNAME file (default: from"
    " extra.network.publish.cname or the site_url host).",
)
@click.option("--no-cname", is_flag=True, help="Không ghi CNAME / write no CNAME file.")
@click.option(
    "--no-history",
    is_flag=True,
    help="Nhánh chỉ giữ một commit (đẩy --force) / keep a single commit (force-pushed).",
)
@click.option("--force", is_flag=True, help="Đẩy --force / force the push.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Chỉ liệt kê tệp sẽ thêm, sửa, xoá / only list the files that would be added,"
    " changed, removed.",
)
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Ghi cây sẽ xuất bản vào thư mục này thay vì đẩy git (GitLab Pages, máy chủ khác;"
    " per-unit: <DIR>/<mã>/) / write the tree instead of pushing (GitLab Pages, other hosts).",
)
@click.option(
    "--build",
    "run_build",
    is_flag=True,
    help="Xây dựng trước (dùng bộ nhớ đệm) / run the build first (with the cache).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Với --build: không tải nguồn tin từ xa / with --build: offline.",
)
@click.option(
    "-j",
    "--jobs",
    type=int,
    default=None,
    help="Với --build: số tiến trình / with --build: worker processes (default: CPU count).",
)
@click.option(
    "--skip-check",
    is_flag=True,
    help="Bỏ qua kiểm tra công khai / skip the blocking disclosure check.",
)
def command(
    ids: tuple[str, ...],
    root: Path,
    out: Path | None,
    layout: str,
    remote: str | None,
    branch: str | None,
    cname: str | None,
    no_cname: bool,
    no_history: bool,
    force: bool,
    dry_run: bool,
    export_dir: Path | None,
    run_build: bool,
    offline: bool,
    jobs: int | None,
    skip_check: bool,
) -> None:
    """Xuất bản các trang đã xây dựng lên nhánh git / publish the built sites to git branches.

    Nothing is pushed for a target when one of its sites failed (or never ran) its last build,
    or fails a blocking check; an unchanged tree makes no commit.
    """
    from ..publishing.publish import (
        PublishError,
        blocking_check,
        commit_message,
        export_tree,
        gate_reasons,
        plan_changes,
        plan_targets,
        push_changes,
        redact,
        repo_root,
        stage_target,
    )
    from ..publishing.shard import read_build_status, source_info, write_build_report

    network = load_network(root)
    out = (out or network.root / "public").resolve()
    try:
        targets = plan_targets(
            network,
            layout,
            ids,
            remote=remote,
            branch=branch,
            cname=cname,
            no_cname=no_cname,
        )
        repo = repo_root(network.root) if export_dir is None else None
    except PublishError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)

    if run_build:
        from ..build.builder import build_network

        source = source_info(network.root)
        results = build_network(
            network,
            None,
            out=out,
            jobs=jobs or os.cpu_count() or 1,
            offline=offline,
            cache_file=network.root / ".cache" / "build.json",
        )
        write_build_report(out, results, label="all", source=source)
    statuses = read_build_status(out)
    units = sorted({u for t in targets for u in t.units})
    check = None
    if skip_check:
        click.echo("Bỏ qua kiểm tra công khai (--skip-check) / disclosure check skipped")
    else:
        check = blocking_check(network, units)
        if check.note:
            click.echo(check.note)

    status = 0
    work = network.root / ".cache" / "publish"
    work.mkdir(parents=True, exist_ok=True)
    for target in targets:
        click.echo(
            f"\nMục tiêu / target {target.name}: nhánh / branch {target.branch}"
            f" @ {redact(target.remote)} ({len(target.units)} đơn vị / units)"
        )
        reasons = gate_reasons(target, statuses, out, check)
        if reasons:
            click.echo(
                "  ✗ KHÔNG xuất bản, không đẩy gì lên / NOT published, nothing pushed:", err=True
            )
            for reason in reasons:
                click.echo(f"    - {reason}", err=True)
            status = 1
            continue
        if export_dir is not None:
            dest = export_dir if target.layout == "network" else export_dir / target.name
            for warning in export_tree(network, target, out, dest):
                click.echo(f"  ⚠ {warning}", err=True)
            click.echo(f"  ✓ đã ghi / written: {dest}")
            continue
        assert repo is not None
        try:
            with tempfile.TemporaryDirectory(prefix="stage-", dir=work) as tmp:
                staged = Path(tmp) / "tree"
                for warning in stage_target(network, target, out, staged):
                    click.echo(f"  ⚠ {warning}", err=True)
                changes = plan_changes(repo, target, staged)
                now = changes.tip[:12] if changes.tip else "chưa có nhánh / new branch"
                click.echo(f"  hiện tại / now: {now}")
                if dry_run:
                    for mark, paths in (
                        ("+", changes.added),
                        ("~", changes.changed),
                        ("-", changes.removed),
                    ):
                        for path in paths:
                            click.echo(f"  {mark} {path}")
                click.echo(
                    f"  thêm / added {len(changes.added)}, sửa / changed {len(changes.changed)},"
                    f" xoá / removed {len(changes.removed)}"
                )
                if changes.unchanged:
                    click.echo(
                        "  = không có thay đổi, không tạo commit / nothing changed, no commit"
                    )
                    continue
                if dry_run:
                    click.echo("  (--dry-run: không đẩy / nothing pushed)")
                    continue
                message = commit_message(target, statuses, repo)
                sha = push_changes(
                    repo, changes, staged, message, no_history=no_history, force=force
                )
                click.echo(f"  ✓ đã xuất bản / published {sha[:12]}: {message.splitlines()[0]}")
        except PublishError as exc:
            click.echo(f"  ✗ {exc}", err=True)
            status = 1
    sys.exit(status)
