"""``edusite guard``: may the author of a pull/merge request change every file it touches?

    edusite guard --author hoa.nguyen --base origin/main          # paths from git diff
    edusite guard --author hoa.nguyen content/th-a/tin-tuc/x.md   # paths given
    git diff --name-only -z main... | edusite guard --author hoa.nguyen -   # NUL or lines

A unit's editors (``extra.unit.editors``) may change ``content/<id>/`` and ``sites/<id>/``;
the network's admins (``extra.network.cms.admins``) everything. Exit 0 when allowed, 1 when a
file is not the author's to change (each named, with the unit's editors, Vietnamese then
English), 2 when the network or the git range is invalid. ``--units FILE`` writes the ids of
the units touched (one per line; ``*`` when a network file changed) for CI to build them and
their portals.

Paths (from the pull request) and unit names (from the units' own configs) are hostile: every
line printed goes through :func:`log_line`, one line of printable text that no CI runner reads
as a command (GitHub's ``::…`` and ``##[…]``, GitLab's terminal escapes).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from ..errors import log_line
from ..structure.network import Network
from .common import load_network, root_option


def _echo(text: str, *, err: bool = False) -> None:
    click.echo(log_line(text), err=err)


def changed_paths(root: Path, base: str, head: str) -> list[str]:
    """Paths changed between the merge base of ``base`` and ``head`` (both sides of renames,
    deletions included)."""
    try:
        out = subprocess.run(
            ["git", "diff", "--name-only", "--no-renames", "-z", f"{base}...{head}"],
            cwd=root,
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or str(exc).encode()
        _echo(
            f"Không đọc được thay đổi {base}...{head} / cannot diff {base}...{head}: "
            f"{detail.decode(errors='replace').strip()}",
            err=True,
        )
        sys.exit(2)
    return [p for p in out.decode("utf-8", errors="surrogateescape").split("\0") if p]


def network_at(root: Path, ref: str, tmp: Path) -> Path:
    """A copy of the network's configs as they are at ``ref`` (``mkdocs.yml``, every
    ``sites/<id>/mkdocs.yml``, empty content folders): who may edit what is read from the
    target branch, never from the change under review (which could name its author an editor,
    or break the base config)."""

    def git(*args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True).stdout

    try:
        (tmp / "mkdocs.yml").write_bytes(git("show", f"{ref}:mkdocs.yml"))
        names = git("ls-tree", "-r", "-z", "--name-only", ref, "--", "sites").split(b"\0")
        for raw in names:
            name = raw.decode("utf-8", errors="surrogateescape")
            parts = name.split("/")
            if len(parts) == 3 and parts[2] == "mkdocs.yml":
                (tmp / "sites" / parts[1]).mkdir(parents=True, exist_ok=True)
                (tmp / name).write_bytes(git("show", f"{ref}:{name}"))
                (tmp / "content" / parts[1]).mkdir(parents=True, exist_ok=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or str(exc).encode()
        _echo(
            f"Không đọc được cấu hình ở {ref} / cannot read the configs at {ref}: "
            f"{detail.decode(errors='replace').strip()}",
            err=True,
        )
        sys.exit(2)
    return tmp


@click.command("guard")
@click.argument("paths", nargs=-1)
@root_option
@click.option("--author", required=True, help="Tài khoản tác giả / the author's git host login.")
@click.option("--team", "teams", multiple=True, help="Nhóm của tác giả / a team of the author.")
@click.option("--base", default=None, help="So với nhánh / compare with REF (git diff REF...HEAD).")
@click.option("--head", default="HEAD", show_default=True)
@click.option(
    "--units",
    "units_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi các đơn vị bị thay đổi / write the changed units' ids to FILE.",
)
def command(
    paths: tuple[str, ...],
    root: Path,
    author: str,
    teams: tuple[str, ...],
    base: str | None,
    head: str,
    units_file: Path | None,
) -> None:
    """Kiểm tra quyền sửa / check the author may change every changed file."""
    import tempfile

    given = list(paths)
    if given == ["-"]:  # git diff --name-only, with -z (NUL-separated) or without (lines)
        raw = sys.stdin.buffer.read().decode("utf-8", errors="surrogateescape")
        names = raw.split("\0") if "\0" in raw else [n.removesuffix("\r") for n in raw.split("\n")]
        given = [n for n in names if n]  # each name as it is: never trimmed
    if base is not None:
        given += changed_paths(root, base, head)
    elif not given:
        click.echo("Cần --base hoặc danh sách tệp / give --base or paths", err=True)
        sys.exit(2)
    with tempfile.TemporaryDirectory(prefix="edusite-guard-") as tmp:
        # Permissions as the target branch has them (network_at); the working tree's network
        # only when paths are given without --base.
        network = load_network(network_at(root, base, Path(tmp)) if base else root)
        _judge(network, given, author, teams, units_file)


def _judge(
    network: Network,
    given: list[str],
    author: str,
    teams: tuple[str, ...],
    units_file: Path | None,
) -> None:
    from ..cms import guard, load_settings

    settings = load_settings(network.settings, network.root / "mkdocs.yml")
    if settings.problems:
        for p in settings.problems:
            _echo(f"  ✗ {p}", err=True)
        sys.exit(2)
    verdict = guard(network, given, author, settings, teams=teams)
    if units_file is not None:
        ids = ["*"] if verdict.network_files else list(verdict.units)
        units_file.write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
    if verdict.ok:
        _echo(
            f"✓ {author}: được sửa cả {len(set(given))} tệp / may change all "
            f"{len(set(given))} files ({', '.join(verdict.units) or '—'})"
        )
        return
    _echo(f"✗ {author} sửa tệp ngoài quyền của mình / changes files outside their units:", err=True)
    for p in verdict.problems:
        _echo(f"  ✗ {p}", err=True)
    sys.exit(1)
