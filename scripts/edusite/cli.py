"""The ``edusite`` command line: a thin click group.

Each sub-command lives in ``edusite.commands.<name>`` as a click command named ``command``; this
module only loads them on demand so ``edusite --help`` stays fast and one broken command module
cannot take the others down.
"""

from __future__ import annotations

import importlib

import click

#: sub-command name -> module under edusite.commands
COMMANDS = {
    "build": "build",
    "serve": "serve",
    "new": "new",
    "check": "check",
    "publish": "publish",
    "report": "report",
    "cms": "cms",
    "guard": "guard",
    "shard": "shard",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        name = f"edusite.commands.{module}"
        try:
            return importlib.import_module(name).command
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command not installed in this version
                return None
            raise


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="edusite")
def main() -> None:
    """edusite: xây dựng mạng website ngành giáo dục / build an education website network."""


if __name__ == "__main__":  # pragma: no cover
    main()
