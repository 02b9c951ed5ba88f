"""``edusite publish``: push the built sites to git branches (ghp-import), unit by unit.

Every unit that is good is published; a unit whose last build failed is published with its last
good output; a unit with no good output, a symbolic link in it, or a blocking check (personal
data) is left out while the branch keeps what it had for it (:mod:`edusite.publishing.publish`).
``--strict``: all or nothing per target, as before.

Exit codes: 0 when every unit was published as built, or already up to date (or, with
``--dry-run``, could be); 1 when a unit was held back (last good or previous version kept), a
target was blocked (``--strict``) or a push failed; 2 on bad input (invalid network, options,
not a git repository). The per-unit problem list goes to ``<out>/.edusite/problems.md|json``
and ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..publishing.publish import LAYOUTS
from .common import load_network, root_option

if TYPE_CHECKING:
    from ..publishing.publish import CheckGate, Target, UnitDecision
    from ..publishing.rsync import RsyncTarget
    from ..publishing.shard import SiteStatus
    from ..structure.network import Network


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
    "--rsync",
    "rsync_target",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[USER@HOST:/PATH]",
    help="Xuất bản lên máy chủ của tỉnh qua rsync/SSH: bản mới trong releases/, rồi đổi liên"
    " kết 'current' một lần (không ai thấy bản dở) / publish to a province server with rsync over"
    " SSH: a new release folder, then an atomic switch of the 'current' link (without a value:"
    " extra.network.publish.rsync).",
)
@click.option(
    "--ssh-config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Với --rsync: tệp cấu hình ssh (cổng, khoá, known_hosts) / with --rsync: an ssh"
    " config file (port, key, known hosts).",
)
@click.option(
    "--keep-releases",
    type=click.IntRange(2, 100),
    default=None,
    help="Với --rsync: số bản giữ trên máy chủ / with --rsync: releases kept on the server"
    " (default 3: the new one, the previous ones for a rollback).",
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
@click.option(
    "--strict",
    is_flag=True,
    help="Tất cả hoặc không: không đẩy gì nếu một đơn vị lỗi / all or nothing: push nothing"
    " for a target when one of its units is not good (default: publish the good ones).",
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
    rsync_target: str | None,
    ssh_config: Path | None,
    keep_releases: int | None,
    run_build: bool,
    offline: bool,
    jobs: int | None,
    skip_check: bool,
    strict: bool,
) -> None:
    """Xuất bản các trang đã xây dựng lên nhánh git / publish the built sites to git branches.

    Every good unit is published; a unit whose last build failed goes out with its last good
    output; one with none, or with a blocking check, keeps what the branch has (exit 1 then).
    --strict: nothing is pushed for a target unless all its units are good. An unchanged
    tree makes no commit.
    """
    from ..errors import log_line  # messages quote hostile names: one line each
    from ..publishing.publish import (
        BUILT,
        KEPT,
        BranchTree,
        PublishError,
        blocking_check,
        commit_message,
        decide_units,
        export_tree,
        gate_reasons,
        plan_changes,
        plan_targets,
        push_changes,
        read_branch,
        redact,
        repo_root,
        stage_target,
    )
    from ..publishing.shard import read_build_status, source_info, write_build_report

    network = load_network(root)
    out = (out or network.root / "public").resolve()
    server = None
    try:
        if rsync_target is not None:
            server = _rsync_target(network, rsync_target, layout, export_dir, no_history, force)
        elif ssh_config is not None or keep_releases is not None:
            raise PublishError(
                "--ssh-config và --keep-releases chỉ dùng với --rsync / --ssh-config and"
                " --keep-releases are for --rsync"
            )
        targets = plan_targets(
            network,
            layout,
            ids,
            remote=remote,
            branch=branch,
            cname=cname,
            no_cname=no_cname,
        )
        repo = repo_root(network.root) if export_dir is None and server is None else None
    except PublishError as exc:
        click.echo(log_line(exc), err=True)
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
    # A portal's network search holds its members' pages: check them too (per-unit layout).
    members = {d.id for u in units if network[u].is_portal for d in network.descendants(u)}
    check = None
    if skip_check:
        click.echo("Bỏ qua kiểm tra công khai (--skip-check) / disclosure check skipped")
    else:
        check = blocking_check(network, sorted({*units, *members}))
        if check.note:
            click.echo(log_line(check.note))

    status = 0
    work = network.root / ".cache" / "publish"
    work.mkdir(parents=True, exist_ok=True)
    decided: dict[str, UnitDecision] = {}
    for target in targets:
        where = (
            f"máy chủ / server {server}"
            if server is not None
            else f"nhánh / branch {target.branch} @ {redact(target.remote)}"
        )
        click.echo(
            f"\nMục tiêu / target {target.name}: {where} ({len(target.units)} đơn vị / units)"
        )
        decisions = decide_units(network, target, statuses, out, check)
        decided.update(decisions)
        if strict:
            reasons = gate_reasons(target, statuses, out, check)
            if reasons:
                click.echo(
                    "  ✗ KHÔNG xuất bản, không đẩy gì lên (--strict) / NOT published, nothing"
                    " pushed (--strict):",
                    err=True,
                )
                for reason in reasons:
                    click.echo(f"    - {log_line(reason)}", err=True)
                for decision in decisions.values():  # the summary: nothing went out
                    if decision.state == BUILT:
                        decision.reasons.append(
                            "--strict: không xuất bản vì đơn vị khác lỗi / not published"
                            " because another unit is not good"
                        )
                    decision.state = KEPT
                status = 1
                continue
        held = [d for d in decisions.values() if d.state != BUILT]
        for decision in held:
            if decision.state == KEPT:
                head = "  ✗ giữ bản đang có trên nhánh / kept as the branch has it:"
            else:
                head = "  ⚠ xuất bản bản tốt gần nhất / publishing its last good output:"
            click.echo(f"{head} {decision.unit}", err=True)
            for reason in decision.reasons:
                click.echo(f"    - {decision.unit}: {log_line(reason)}", err=True)
        if held:
            status = 1
        published = [u for u in target.units if decisions[u].published]
        if not published:
            click.echo(
                "  ✗ không đơn vị nào xuất bản được, không đẩy gì lên / no unit can be"
                " published, nothing pushed",
                err=True,
            )
            continue
        if server is not None:
            if not _publish_rsync(
                network,
                target,
                out,
                server,
                published,
                decisions,
                work,
                dry_run,
                ssh_config,
                keep_releases,
            ):
                status = 1
            continue
        if export_dir is not None:
            dest = export_dir if target.layout == "network" else export_dir / target.name
            for warning in export_tree(network, target, out, dest, units=published):
                click.echo(f"  ⚠ {log_line(warning)}", err=True)
            click.echo(f"  ✓ đã ghi / written: {dest}")
            continue
        assert repo is not None
        try:
            branch_now = read_branch(repo, target)
            with tempfile.TemporaryDirectory(prefix="stage-", dir=work) as tmp:
                staged = Path(tmp) / "tree"
                keep = BranchTree(repo, branch_now.files)
                for warning in stage_target(
                    network, target, out, staged, units=published, keep=keep
                ):
                    click.echo(f"  ⚠ {log_line(warning)}", err=True)
                changes = plan_changes(repo, target, staged, branch_now)
                now = changes.tip[:12] if changes.tip else "chưa có nhánh / new branch"
                click.echo(f"  hiện tại / now: {now}")
                if dry_run:
                    for mark, paths in (
                        ("+", changes.added),
                        ("~", changes.changed),
                        ("-", changes.removed),
                    ):
                        for path in paths:
                            click.echo(f"  {mark} {log_line(path)}")
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
                message = commit_message(target, statuses, repo, decisions)
                sha = push_changes(
                    repo, changes, staged, message, no_history=no_history, force=force
                )
                click.echo(f"  ✓ đã xuất bản / published {sha[:12]}: {message.splitlines()[0]}")
        except PublishError as exc:
            click.echo(f"  ✗ {log_line(exc)}", err=True)
            status = 1
            for decision in decisions.values():  # the branch still holds its old version
                if decision.published:
                    decision.state = KEPT
                    decision.reasons.append(f"không đẩy được / not pushed: {exc}")
    _summary(network, out, statuses, decided, check)
    labels = {KEPT: "không xuất bản / not published", "last-good": "bản tốt gần nhất / last good"}
    held_units = [f"{d.unit} ({labels[d.state]})" for d in decided.values() if d.state != BUILT]
    if held_units:
        click.echo(f"\nGiữ lại / held back: {', '.join(held_units)}", err=True)
    sys.exit(status)


def _rsync_target(
    network: Network,
    text: str,
    layout: str,
    export_dir: Path | None,
    no_history: bool,
    force: bool,
) -> RsyncTarget:
    """The validated ``--rsync`` target (``""``: ``extra.network.publish.rsync``)."""
    from ..publishing.publish import PublishError, publish_settings
    from ..publishing.rsync import parse_target

    if layout != "network" or export_dir is not None or no_history or force:
        raise PublishError(
            "--rsync xuất bản cả mạng (bố cục network), không dùng với --export, --layout"
            " per-unit, --no-history, --force / --rsync publishes the network layout; not with"
            " --export, --layout per-unit, --no-history or --force"
        )
    if not text:
        configured = publish_settings(network).get("rsync")
        if not isinstance(configured, str) or not configured:
            raise PublishError(
                "--rsync không có giá trị và mkdocs.yml không có extra.network.publish.rsync"
                " / --rsync without a value needs extra.network.publish.rsync in mkdocs.yml"
            )
        text = configured
    return parse_target(text)


def _publish_rsync(
    network: Network,
    target: Target,
    out: Path,
    server: RsyncTarget,
    published: list[str],
    decisions: dict[str, UnitDecision],
    work: Path,
    dry_run: bool,
    ssh_config: Path | None,
    keep_releases: int | None,
) -> bool:
    """One ``--rsync`` publish; False when it failed (``current`` unchanged then)."""
    from ..errors import log_line
    from ..publishing.publish import KEPT, PublishError, publish_settings
    from ..publishing.rsync import KEEP_RELEASES, publish_rsync
    from ..publishing.shard import source_info

    settings = publish_settings(network)
    keep = keep_releases or settings.get("rsync_keep") or KEEP_RELEASES
    try:
        result = publish_rsync(
            network,
            target,
            out,
            server,
            units=published,
            work=work,
            commit=source_info(network.root).get("commit"),
            dry_run=dry_run,
            ssh_config=ssh_config,
            keep=int(keep) if isinstance(keep, int) and keep >= 2 else KEEP_RELEASES,
            echo=click.echo,
        )
    except PublishError as exc:
        click.echo(
            f"  ✗ {log_line(exc)}\n  ✗ không xuất bản gì, 'current' giữ nguyên / nothing published,"
            " 'current' unchanged",
            err=True,
        )
        for decision in decisions.values():
            if decision.published:
                decision.state = KEPT
                decision.reasons.append(f"không chép được / not copied: {exc}")
        return False
    for warning in result.warnings:
        click.echo(f"  ⚠ {log_line(warning)}", err=True)
    click.echo(f"  hiện tại / now: {log_line(result.previous or 'chưa có / none')}")
    if dry_run:
        for mark, paths in (("+", result.added), ("~", result.changed), ("-", result.removed)):
            for path in paths:
                click.echo(f"  {mark} {log_line(path)}")
    click.echo(
        f"  thêm / added {len(result.added)}, sửa / changed {len(result.changed)},"
        f" xoá / removed {len(result.removed)}"
    )
    if dry_run:
        click.echo("  (--dry-run: không chép, không đổi 'current' / nothing copied or switched)")
        return True
    if not result.switched:
        click.echo("  = không có thay đổi, 'current' giữ nguyên / nothing changed, no new release")
        return True
    click.echo(f"  ✓ đã xuất bản / published: current -> releases/{result.release}")
    if result.pruned:
        click.echo(f"  đã xoá bản cũ / removed old releases: {', '.join(result.pruned)}")
    return True


def _summary(
    network: Network,
    out: Path,
    statuses: dict[str, SiteStatus],
    decisions: dict[str, UnitDecision],
    check: CheckGate | None,
) -> None:
    """The per-unit problem list of this publish (``<out>/.edusite/``, ``$GITHUB_STEP_SUMMARY``):
    each unit's state and why, its build's errors and warnings, its blocking findings."""
    from ..publishing.problems import build_problems, make_problem, unique, write_problems

    problems = build_problems(network, {u: s for u, s in statuses.items() if u in decisions})
    if check is not None:
        for uid, findings in sorted(check.findings.items()):
            if uid in decisions:
                for f in findings:
                    problems.append(
                        make_problem(
                            network,
                            uid,
                            "check",
                            "blocking",
                            f["message"],
                            file=f["file"],
                            field=f["field"],
                        )
                    )
        roots = [u for u in sorted(decisions) if network[u].parent is None] or sorted(decisions)
        for message in check.blocking.get("*", []) if roots else []:  # once, on the root unit
            problems.append(make_problem(network, roots[0], "check", "blocking", message))
    explained = {p.unit for p in problems if p.severity != "warning"}
    for uid, decision in sorted(decisions.items()):
        if decision.state == "kept" and uid not in explained:  # not built, symlink, portal…
            for reason in decision.reasons:
                if not reason.startswith("--strict"):  # the other units' problems say why
                    problems.append(make_problem(network, uid, "publish", "held", reason))
    states = {u: d.state for u, d in decisions.items()}
    held = sum(1 for s in states.values() if s != "built")
    path = write_problems(
        out,
        network,
        f"edusite publish: {held}/{len(states)} đơn vị bị giữ lại / units held back",
        states,
        unique(problems),
        {u: d.reasons for u, d in decisions.items()},
    )
    click.echo(f"Danh sách lỗi / problem list: {path}")
