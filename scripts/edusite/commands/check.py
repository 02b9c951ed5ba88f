"""``edusite check``: verify the disclosure ("3 công khai") of schools and centres.

Exit codes: 0 when no error-severity finding (warnings allowed), 1 when a rule fails, 2 on bad
input (invalid rules file, invalid network, unknown unit id; a page that cannot be read or whose
front matter is invalid, reported as a finding naming the file and the field) and on an internal
failure, reported as one bilingual paragraph (``EDUSITE_DEBUG=1`` shows the traceback instead).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from .. import context
from ..context import BuildContext
from ..disclosure.checker import check_network
from ..disclosure.report import exit_code, format_json, format_junit, format_text
from ..disclosure.rules import get_rules
from ..errors import EdusiteError, log_line
from ..structure.network import get_network
from ..text import now

FORMATS = {"text": format_text, "json": format_json, "junit": format_junit}


def _parse_today(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    if value is None:
        return now().date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"ngày '{value}' không hợp lệ, cần YYYY-MM-DD / invalid date '{value}', expected YYYY-MM-DD"
        ) from None


@click.command(name="check")
@click.argument("ids", nargs=-1)
@click.option(
    "--today",
    callback=_parse_today,
    metavar="YYYY-MM-DD",
    help="Ngày kiểm tra (mặc định: hôm nay, giờ Việt Nam) / reference date (default: today in Asia/Ho_Chi_Minh).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="Định dạng báo cáo / report format.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi báo cáo vào tệp thay vì màn hình / write the report to a file.",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Thư mục gốc của mạng (chứa sites/) / network root (holding sites/).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="In các quy tắc (mục, nội dung bắt buộc, hạn, nguồn, độ tin cậy) thay vì kiểm tra; với "
    "IDS: những gì đơn vị phải công khai / print the rules (sections, required items, deadlines, "
    "sources, confidence) instead of checking; with IDS: what those units owe.",
)
def command(
    ids: tuple[str, ...], today: date, fmt: str, output: Path | None, root: Path, explain: bool
) -> None:
    """Kiểm tra công khai của trường và trung tâm / check schools' and centres' disclosures.

    IDS are unit ids; a portal or the Sở stands for all schools and centres below it. Without
    IDS every school and centre of the network is checked.
    """
    try:
        if explain:
            _explain(ids, root)
        _check(ids, today, fmt, output, root)
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except EdusiteError as exc:
        for p in exc.problems:
            click.echo(log_line(p), err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        if os.environ.get("EDUSITE_DEBUG"):
            raise
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        click.echo(
            f"Lỗi nội bộ của edusite khi kiểm tra công khai ({detail}); nội dung của bạn có thể "
            "không sai: hãy gửi lệnh vừa chạy và thông báo này cho người quản trị (chạy lại với "
            "EDUSITE_DEBUG=1 để xem chi tiết). / Internal edusite error while checking "
            f"disclosures ({detail}); your content may be fine: send the command you ran and "
            "this message to your administrator (run again with EDUSITE_DEBUG=1 for details).",
            err=True,
        )
        sys.exit(2)


def _explain(ids: tuple[str, ...], root: Path) -> None:
    from ..disclosure.checker import select_units
    from ..disclosure.explain import explain_text

    try:
        network = get_network(root)
        rules = get_rules(network.root, network.settings)
        units = select_units(network, list(ids)) if ids else []
    except KeyError as exc:
        click.echo(f"không tìm thấy đơn vị / unknown unit id: {exc.args[0]}", err=True)
        sys.exit(2)
    click.echo(explain_text(rules, units), nl=False)
    sys.exit(0)


def _check(ids: tuple[str, ...], today: date, fmt: str, output: Path | None, root: Path) -> None:
    try:
        network = get_network(root)
        rules = get_rules(network.root, network.settings)
    except EdusiteError as exc:
        for p in exc.problems:
            click.echo(log_line(p), err=True)
        sys.exit(2)
    unknown = [i for i in ids if i not in network]
    if unknown:
        known = ", ".join(u.id for u in network)
        click.echo(
            f"không tìm thấy đơn vị: {', '.join(unknown)} (có: {known}) / "
            f"unknown unit id(s): {', '.join(unknown)} (known: {known})",
            err=True,
        )
        sys.exit(2)
    # Attachment inspections (opening every PDF and spreadsheet) are remembered by content in
    # the build's cache folder, shared with `edusite build` (only when the network has one:
    # checking a folder never leaves files in it).
    cache = network.root / ".cache"
    ctx = BuildContext(
        root=network.root,
        out=network.root / "public",
        cache=cache if cache.is_dir() else None,  # a built network's cache only
        network=network,
    )
    with context.active(ctx):
        results = check_network(network, today, rules, list(ids) or None)
    text = FORMATS[fmt](results, today, rules)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        if fmt != "text":
            click.echo(format_text(results, today, rules), nl=False)
    else:
        click.echo(text, nl=False)
    sys.exit(exit_code(results))
