"""``edusite cms``: the web editor's generated files.

edusite cms config th-kim-dong              # the unit's editor configuration (JSON)
edusite cms config --out DIR                # every unit's: DIR/<id>/quan-tri/ (page + config)
edusite cms codeowners                      # write CODEOWNERS from editors and admins
edusite cms codeowners --check              # exit 1 when CODEOWNERS is not up to date (CI)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import log_line
from .common import load_network, root_option


@click.group("cms")
def command() -> None:
    """Trình biên tập trên web / the web editor (Decap CMS)."""


def _settings(network):  # type: ignore[no-untyped-def]
    from ..cms import load_settings

    settings = load_settings(network.settings, network.root / "mkdocs.yml")
    if settings.problems:
        click.echo("Cấu hình extra.network.cms không hợp lệ / invalid extra.network.cms:", err=True)
        for p in settings.problems:
            click.echo(f"  ✗ {log_line(p)}", err=True)
        sys.exit(2)
    return settings


@command.command("config")
@click.argument("ids", nargs=-1)
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Ghi trang quản trị của từng đơn vị vào DIR/<id>/quan-tri/ / write each admin page.",
)
@click.option(
    "--local",
    "local_url",
    default=None,
    help="Máy chủ biên tập cục bộ / the local editing server, e.g. http://127.0.0.1:8081/api/v1",
)
def config_command(
    ids: tuple[str, ...], root: Path, out: Path | None, local_url: str | None
) -> None:
    """Cấu hình trình biên tập / print or write the units' editor configuration."""
    from ..cms import write_admin
    from ..cms.build import dump_config, unit_config
    from ..errors import EdusiteError
    from ..text import now, to_local

    network = load_network(root, ids)
    settings = _settings(network)
    today = to_local(now()).date()
    chosen = [network[i] for i in ids] if ids else list(network)
    if out is None and len(chosen) != 1:
        click.echo("Cần một mã đơn vị, hoặc --out DIR / give one unit id, or --out DIR", err=True)
        sys.exit(2)
    if not settings.enabled and local_url is None:
        click.echo(
            "  ⚠ extra.network.cms.backend chưa khai báo: cấu hình dùng máy chủ cục bộ "
            "http://127.0.0.1:8081/api/v1 / no backend declared: using the local server",
            err=True,
        )
        local_url = "http://127.0.0.1:8081/api/v1"
    try:
        if out is None:
            click.echo(
                dump_config(
                    unit_config(
                        network, chosen[0], today=today, settings=settings, local_url=local_url
                    )
                ),
                nl=False,
            )
            return
        for unit in chosen:
            folder = write_admin(
                out / unit.id,
                network,
                unit,
                today=today,
                shared_root=out,
                settings=settings,
                local_url=local_url,
            )
            click.echo(f"✓ {unit.id}: {folder}")
    except EdusiteError as exc:
        for p in exc.problems:
            click.echo(f"  ✗ {log_line(p)}", err=True)
        sys.exit(1)


@command.command("codeowners")
@root_option
@click.option("--check", is_flag=True, help="Chỉ kiểm tra / only check it is up to date.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Tệp / file (default: CODEOWNERS at the network root).",
)
def codeowners_command(root: Path, check: bool, output: Path | None) -> None:
    """CODEOWNERS từ người biên tập và quản trị / CODEOWNERS from editors and admins."""
    from ..cms import codeowners

    network = load_network(root)
    text = codeowners(network, _settings(network))
    target = output or network.root / "CODEOWNERS"
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if check:
        if current != text:
            click.echo(
                f"✗ {target.name} chưa cập nhật; chạy `edusite cms codeowners` / "
                f"{target.name} is out of date; run `edusite cms codeowners`",
                err=True,
            )
            sys.exit(1)
        click.echo(f"✓ {target.name}")
        return
    if current != text:
        target.write_text(text, encoding="utf-8")
    click.echo(f"✓ {target}")
