"""Options and steps every command shares: the network root, loading and validating the network."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import click

from ..errors import EdusiteError, Problem, log_line
from ..structure.network import Network, Unit

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Thư mục mạng (chứa sites/) / network folder (holding sites/).",
)


def feature_checks(units: Mapping[str, Unit]) -> list[Problem]:
    """What the features check in ``extra.unit`` when the network loads: each portal's roll-up
    policy (the roll-up package, feed fetching included, is imported only when a unit has one)."""
    if not any(u.rollup for u in units.values()):
        return []
    from ..rollup.policy import check_policies

    return check_policies(units.values())


def load_network(root: Path, ids: Iterable[str] = ()) -> Network:
    """The validated network, or every problem printed and exit code 2 (also for unknown ids).

    Besides the units' configs and the tree, the features' own settings are checked
    (:func:`feature_checks`): an invalid roll-up policy stops here, listed with the rest."""
    from ..structure.network import get_network

    try:
        network = get_network(root, checks=(feature_checks,))
    except EdusiteError as exc:
        click.echo("Mạng đơn vị không hợp lệ / the network is invalid:", err=True)
        for p in exc.problems:
            click.echo(f"  ✗ {log_line(p)}", err=True)
        sys.exit(2)
    for p in network.warnings:
        click.echo(f"  ⚠ {log_line(p)}", err=True)
    unknown = [i for i in ids if i not in network]
    if unknown:
        click.echo(log_line(f"Không có đơn vị / unknown unit: {', '.join(unknown)}"), err=True)
        sys.exit(2)
    return network
