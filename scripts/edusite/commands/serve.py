"""``edusite serve ID``: live preview of one unit's site (MkDocs' own dev server)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import load_network, root_option


@click.command("serve")
@click.argument("unit_id")
@root_option
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="IP:PORT")
def command(unit_id: str, root: Path, dev_addr: str) -> None:
    """Xem trước trực tiếp / live preview of UNIT_ID at http://127.0.0.1:8000/."""
    from mkdocs.commands.serve import serve

    network = load_network(root, [unit_id])
    serve(str(network[unit_id].config_file), dev_addr=dev_addr, livereload=True)
