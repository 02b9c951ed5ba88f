"""``edusite serve ID``: live preview of one unit's site (MkDocs' own dev server)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EdusiteError


@click.command("serve")
@click.argument("unit_id")
@click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True
)
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="IP:PORT")
def command(unit_id: str, root: Path, dev_addr: str) -> None:
    """Xem trước trực tiếp / live preview of UNIT_ID at http://127.0.0.1:8000/."""
    from mkdocs.commands.serve import serve

    from ..structure.network import get_network

    try:
        network = get_network(root)
    except EdusiteError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if unit_id not in network:
        click.echo(f"Không có đơn vị / unknown unit: {unit_id}", err=True)
        sys.exit(2)
    serve(str(network[unit_id].config_file), dev_addr=dev_addr, livereload=True)
