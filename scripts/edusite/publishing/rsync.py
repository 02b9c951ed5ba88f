"""A province server target: ``edusite publish --rsync USER@HOST:/path`` (rsync over SSH).

The server holds::

    /path/current -> releases/<id>      the web server's document root (a symbolic link)
    /path/releases/<id>/…              one folder per publish: the whole network tree

A publish assembles the tree locally (the same tree the ``gh-pages`` branch would hold, without
``CNAME``/``.nojekyll``), then

1. copies it with ``rsync --checksum --link-dest=/path/current/`` into a **new** release folder:
   a file whose bytes equal the current release's is hard-linked on the server, not sent, so
   only changed files travel (checksums, not times: CI clones and rebuilds reset every mtime);
2. only when that copy succeeded, switches ``current`` to the new folder. rsync replaces an
   existing symbolic link by creating it under a temporary name and renaming it over the old
   one (``rename(2)``, atomic): a reader gets the old release or the new one, never a mix;
3. reads ``current`` back to check the switch, and removes releases beyond the newest ``keep``
   (the previous one stays, for a rollback by hand: ``ln -sfn releases/<id> current.new && mv
   -T current.new current``).

A failed copy leaves ``current`` untouched (its unfinished folder is removed by the next
publish). A unit that is not published this time (no good build, a blocking check) keeps what
the current release holds for it: its folder is pulled back from the server into the new tree.

Nothing is passed through a local shell: every command is an argument list; the target is
validated (no option injection: user, host and path cannot start with ``-``; the path is
absolute, plain characters, no ``..``); ``--`` ends rsync's options. The server needs
``rsync`` and an SSH login, nothing else (no remote shell command is run by edusite).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .publish import OldTree, PublishError, Target, stage_target

#: How files are copied: recursive, permissions normalised for the web server (directories
#: 755, files 644), compared by checksum; modification times are not copied, so a file that did
#: not change keeps its time (and the web server its ETag/Last-Modified) from the first release
#: that held it. No symbolic links (publish refuses them; rsync skips any without -l).
COPY = ("-r", "-p", "--chmod=D0755,F0644", "--checksum", "--delete")
#: Releases kept on the server (the new one included): the previous one allows a rollback.
KEEP_RELEASES = 3
_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$")
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$"
)
_PATH = re.compile(r"^/[A-Za-z0-9._/+-]*$")
_RELEASE = re.compile(r"^\d{8}T\d{12}Z(?:-[0-9a-f]{1,40})?$")
_SSH_PATH = re.compile(r"^[^\s'\"\\]+$")
_ITEM = re.compile(r"^([<>ch.*][fdLDS]\S{9}|\*deleting) +(.*)$")


@dataclass(frozen=True)
class RsyncTarget:
    """``USER@HOST:/path`` or ``ssh://USER@HOST[:PORT]/path``, validated."""

    user: str | None
    host: str
    port: int | None
    path: str  # absolute, without a trailing slash ("/" stays "/")

    def at(self, sub: str = "") -> str:
        """The rsync address of ``path/sub`` on the server."""
        who = f"{self.user}@" if self.user else ""
        base = self.path.rstrip("/")
        return f"{who}{self.host}:{base}/{sub}"

    def __str__(self) -> str:
        who = f"{self.user}@" if self.user else ""
        port = f" (port {self.port})" if self.port else ""
        return f"{who}{self.host}:{self.path}{port}"


def _bad(text: str, why: str) -> PublishError:
    return PublishError(
        f"đích rsync '{text}' không hợp lệ: {why[0]} / invalid rsync target '{text}': {why[1]}"
        " (expected USER@HOST:/absolute/path or ssh://USER@HOST:PORT/absolute/path)"
    )


def parse_target(text: str) -> RsyncTarget:
    """Parse and validate an rsync target; raise :class:`PublishError` (``vi / en``)."""
    raw = text
    text = text.strip()
    if not text or any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise _bad(raw, ("rỗng hoặc có ký tự điều khiển", "empty or holds control characters"))
    port: int | None = None
    if text.startswith("ssh://"):
        rest = text[len("ssh://") :]
        where, slash, path = rest.partition("/")
        if not slash:
            raise _bad(raw, ("thiếu đường dẫn", "no path"))
        path = "/" + path
        who, at, hostport = where.rpartition("@")
        user = who if at else None
        m = re.match(r"^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$", hostport)
        if not m:
            raise _bad(raw, ("máy chủ không hợp lệ", "bad host"))
        host, port_text = m.group(1), m.group(2)
        if port_text is not None:
            port = int(port_text)
            if not 1 <= port <= 65535:
                raise _bad(raw, ("cổng ngoài 1–65535", "port outside 1-65535"))
    else:
        where, colon, path = text.partition(":")
        if not colon or "[" in where:
            m = re.match(r"^((?:[^@]*@)?\[[^\]]*\]):(.*)$", text)
            if not m:
                raise _bad(raw, ("thiếu ':/đường/dẫn'", "missing ':/path'"))
            where, path = m.group(1), m.group(2)
        who, at, host = where.rpartition("@")
        user = who if at else None
    if user is not None and not _USER.match(user):
        raise _bad(raw, ("tên người dùng không hợp lệ", "bad user name"))
    if not _HOST.match(host) or host.startswith("-"):
        raise _bad(raw, ("tên máy chủ không hợp lệ", "bad host name"))
    if not _PATH.match(path):
        raise _bad(
            raw,
            (
                "đường dẫn phải tuyệt đối, chỉ gồm chữ, số và . _ / + -",
                "the path must be absolute, made of letters, digits and . _ / + -",
            ),
        )
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts) or any(p.startswith("-") for p in parts):
        raise _bad(
            raw, ("đường dẫn có '.', '..' hoặc '-' đầu", "path with '.', '..' or a leading '-'")
        )
    return RsyncTarget(user=user, host=host, port=port, path="/" + "/".join(parts))


@dataclass
class RsyncResult:
    """What one ``--rsync`` publish did."""

    release: str
    previous: str | None  # the release ``current`` pointed to before
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    switched: bool = False
    pruned: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)


class Rsync:
    """Runs rsync against one server (argument lists only; ``-e`` names the ssh command)."""

    def __init__(
        self,
        target: RsyncTarget,
        *,
        ssh_config: Path | None = None,
        rsync: str = "rsync",
        timeout: int = 30,
    ) -> None:
        if shutil.which(rsync) is None:
            raise PublishError(
                "không tìm thấy chương trình rsync (apt-get install rsync openssh-client)"
                " / rsync not found (apt-get install rsync openssh-client)"
            )
        self.target = target
        ssh = ["ssh", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={timeout}"]
        if ssh_config is not None:
            config = str(Path(ssh_config).resolve())
            if not _SSH_PATH.match(config):
                raise PublishError(
                    f"đường dẫn cấu hình ssh không hợp lệ / unusable ssh config path: {config}"
                )
            ssh += ["-F", config]
        if target.port:
            ssh += ["-p", str(target.port)]
        self.ssh = " ".join(ssh)  # rsync splits -e on spaces; every part is plain (checked)
        self.rsync = rsync
        self.timeout = timeout

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``rsync -e <ssh> args`` (``args`` end with ``--`` and the paths)."""
        cmd = [self.rsync, "-e", self.ssh, f"--timeout={self.timeout * 4}", *args]
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "LC_ALL": "C"},
        )
        if check and proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise PublishError(
                f"rsync thất bại (mã {proc.returncode}) / rsync failed (exit {proc.returncode}):"
                f" {' | '.join(tail)}"
            )
        return proc

    def current(self, scratch: Path) -> str | None:
        """The release ``current`` points to (``releases/<id>``), or None when there is none.

        The folder is listed first (an unreachable server is an error, a missing ``current``
        a first publish), then the link itself is copied here and read.
        """
        listing = self.run("--list-only", "--", self.target.at(""), check=False)
        if listing.returncode == 23 and "No such file or directory" in listing.stderr:
            return None  # the server answered: the folder does not exist yet (created on copy)
        if listing.returncode != 0:
            raise PublishError(
                f"không đọc được {self.target.at('')} / cannot list it:"
                f" {(listing.stderr or listing.stdout).strip()[-300:]}"
            )
        if not any(
            line.startswith("l") and line.rsplit(" ", 1)[-1] == "current"
            for line in listing.stdout.splitlines()
        ):
            return None
        got = scratch / "current-link"
        shutil.rmtree(got, ignore_errors=True)
        got.mkdir(parents=True)
        self.run("-l", "--", self.target.at("current"), str(got) + "/")
        link = got / "current"
        if not link.is_symlink():
            raise PublishError(
                f"{self.target.at('current')} không phải liên kết / is not a symbolic link"
            )
        value = os.readlink(link)
        name = value.rstrip("/").removeprefix("releases/")
        return name if _RELEASE.match(name) and value.startswith("releases/") else value

    def releases(self) -> list[str]:
        """Release folder names on the server (oldest first)."""
        proc = self.run("--list-only", "--", self.target.at("releases/"), check=False)
        if proc.returncode != 0:
            return []
        names = []
        for line in proc.stdout.splitlines():
            name = line.rsplit(" ", 1)[-1]
            if line.startswith("d") and _RELEASE.match(name):
                names.append(name)
        return sorted(names)


class RemoteTree(OldTree):
    """What the current release holds, pulled on demand (a unit kept as it was, its assets)."""

    def __init__(self, rsync: Rsync, release: str | None) -> None:
        super().__init__([])
        self.rsync, self.release = rsync, release

    def below(self, prefix: str) -> list[str]:
        return [prefix] if self.release else []  # the folder as a whole, pulled by copy()

    def copy(self, paths: Iterable[str], dest: Path) -> list[str]:
        warnings = []
        for prefix in paths:
            target = dest / prefix
            target.mkdir(parents=True, exist_ok=True)
            proc = self.rsync.run(
                "-r",
                "--",
                self.rsync.target.at(f"current/{prefix}"),
                str(target) + "/",
                check=False,
            )
            if proc.returncode != 0:
                shutil.rmtree(target, ignore_errors=True)
                warnings.append(
                    f"không giữ được {prefix} từ máy chủ / cannot keep {prefix} from the server"
                )
        return warnings


def release_name(commit: str | None, now: datetime | None = None) -> str:
    """``20261122T120000123456Z-<commit>``: sortable by time, names the source commit."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{commit[:12]}" if commit and re.fullmatch(r"[0-9a-f]+", commit) else stamp


def parse_itemized(lines: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """rsync ``--itemize-changes`` output → (added, changed, removed) file paths."""
    added, changed, removed = [], [], []
    for line in lines:
        m = _ITEM.match(line.rstrip("\n"))
        if not m:
            continue
        code, path = m.group(1), m.group(2)
        if code == "*deleting":
            if not path.endswith("/"):
                removed.append(path)
        elif code[1] == "f" or code[1] == "L":
            (added if "+++++++" in code else changed).append(path)
    return added, changed, removed


def publish_rsync(
    network: object,
    target: Target,
    out: Path,
    server: RsyncTarget,
    *,
    units: Iterable[str],
    work: Path,
    commit: str | None = None,
    dry_run: bool = False,
    ssh_config: Path | None = None,
    keep: int = KEEP_RELEASES,
    echo: Callable[[str], None] = print,
) -> RsyncResult:
    """Publish ``target``'s tree to ``server`` (see the module docstring).

    ``units`` are the units whose output in ``out`` goes out; the others keep what the current
    release holds. Raises :class:`PublishError` when the copy or the switch fails: ``current``
    then still points to the release it pointed to.
    """
    rsync = Rsync(server, ssh_config=ssh_config)
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rsync-", dir=work) as tmp:
        scratch = Path(tmp)
        previous = rsync.current(scratch)
        release = release_name(commit)
        result = RsyncResult(release=release, previous=previous)
        staged = scratch / "tree"
        keep_tree = RemoteTree(rsync, previous)
        result.warnings += stage_target(
            network,  # type: ignore[arg-type]
            target,
            out,
            staged,
            units=units,
            keep=keep_tree,
        )
        # What differs from the current release (also the dry run's list).
        compare = rsync.run(
            "-n",
            *COPY,
            "--delete",
            "--itemize-changes",
            "--",
            str(staged) + "/",
            server.at("current/" if previous else "releases/.edusite-none/"),
        )
        result.added, result.changed, result.removed = parse_itemized(compare.stdout.splitlines())
        if dry_run or (previous and result.unchanged):
            return result  # nothing to copy: no new release, ``current`` stays
        args = [*COPY, "--mkpath", "--stats"]
        if previous:
            args.append(f"--link-dest={server.path.rstrip('/')}/current/")
        echo(f"  rsync → {server.at('releases/' + release + '/')}")
        rsync.run(*args, "--", str(staged) + "/", server.at(f"releases/{release}/"))
        link_dir = scratch / "link"
        link_dir.mkdir()
        (link_dir / "current").symlink_to(f"releases/{release}")
        rsync.run("-l", "--", str(link_dir / "current"), server.at(""))
        now = rsync.current(scratch)
        if now != release:
            raise PublishError(
                f"chuyển 'current' không thành công (đang là {now}) / switching 'current'"
                f" failed (it points to {now})"
            )
        result.switched = True
        result.pruned = prune(rsync, scratch, keep=max(keep, 2), current=release, previous=previous)
    return result


def prune(
    rsync: Rsync, scratch: Path, *, keep: int, current: str, previous: str | None
) -> list[str]:
    """Keep ``current`` and the ``keep - 1`` releases up to ``previous`` (what ``current``
    pointed to before); remove the others: older ones, and the unfinished folders of failed
    publishes (made after ``previous``, never current); return their names. One publish at a
    time per server (the CI workflows' concurrency group): a folder being written by another
    publish would be removed too.

    Done with rsync alone: an empty folder copied onto ``releases/`` with ``--delete``, the
    kept ones protected by filter rules (their names are checked: digits, ``T``, ``Z``, hex).
    """
    names = rsync.releases()
    # Releases made after the previous switch that never became current are unfinished.
    older = [n for n in names if n < current and (previous is None or n <= previous)]
    keep_names = {current, *older[len(older) - (keep - 1) :]} if keep > 1 else {current}
    doomed = [n for n in names if n not in keep_names]
    if not doomed:
        return []
    empty = scratch / "empty"
    empty.mkdir(exist_ok=True)
    rules = [f"--filter=P /{n}/" for n in sorted(keep_names) if _RELEASE.match(n)]
    rules += [f"--filter=P /{n}" for n in sorted(keep_names) if _RELEASE.match(n)]
    rsync.run("-r", "--delete", *rules, "--", str(empty) + "/", rsync.target.at("releases/"))
    return doomed
