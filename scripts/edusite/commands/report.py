"""``edusite report``: count what units published in a period and check the quotas."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EdusiteError


@click.command("report")
@click.argument("ids", nargs=-1)
@click.option("--month", help="Tháng / month: yyyy-mm, e.g. 2026-03.")
@click.option("--quarter", help="Quý / quarter: yyyy-Qn, e.g. 2026-Q1.")
@click.option("--school-year", help="Năm học / school year: yyyy-yyyy, e.g. 2025-2026.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="Định dạng / output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi ra tệp / write to this file (default: the terminal; required for xlsx).",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Thư mục mạng (chứa sites/) / network folder (holding sites/).",
)
def command(
    ids: tuple[str, ...],
    month: str | None,
    quarter: str | None,
    school_year: str | None,
    fmt: str,
    output: Path | None,
    root: Path,
) -> None:
    """Báo cáo tin bài theo kỳ / count posts per unit, group and category; check quotas.

    IDS: đơn vị cần báo cáo; mã một cổng gồm cả các đơn vị trực thuộc (mặc định: tất cả) /
    units to report on; a portal's id includes its members (default: all).
    """
    from ..reports.output import to_csv, to_text, to_xlsx
    from ..reports.periods import parse_period
    from ..reports.report import make_report
    from ..structure.network import get_network

    chosen = [
        (k, v)
        for k, v in (("month", month), ("quarter", quarter), ("school-year", school_year))
        if v
    ]
    if len(chosen) != 1:
        raise click.UsageError(
            "Cần đúng một kỳ: --month, --quarter hoặc --school-year / "
            "give exactly one period: --month, --quarter or --school-year"
        )
    try:
        period = parse_period(*chosen[0])
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{chosen[0][0]}") from exc
    if fmt == "xlsx" and output is None:
        raise click.UsageError(
            "Định dạng xlsx cần --output TỆP / the xlsx format needs --output FILE"
        )
    try:
        report = make_report(get_network(root), period, ids)
    except EdusiteError as exc:
        click.echo("Không lập được báo cáo / cannot make the report:", err=True)
        for p in exc.problems:
            click.echo(f"  ✗ {p}", err=True)
        sys.exit(2)
    if fmt == "table":
        data = to_text(report).encode("utf-8")
    elif fmt == "csv":
        data = to_csv(report)
    else:
        data = to_xlsx(report)
    if output is None and fmt == "table":
        click.echo(data.decode("utf-8"), nl=False)
    elif output is None:
        click.echo(data, nl=False)  # bytes go to the binary stream untouched (BOM included)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        click.echo(
            f"Đã ghi / written: {output} ({len(report.units)} đơn vị / units, {period.title})",
            err=True,
        )
    if fmt != "table" and report.problems:
        click.echo(
            f"⚠ Bỏ qua {len(report.problems)} bài viết lỗi / skipped invalid posts:", err=True
        )
        for p in report.problems:
            click.echo(f"  ⚠ {p}", err=True)
