"""``edusite publish --rsync`` against a real sshd on 127.0.0.1 (Debian's openssh-server).

The test starts its own ``sshd`` on a free port with a private host key and authorized_keys in
a temporary folder, and logs in as the current user with a key made for the test. A small
``ForceCommand`` wrapper runs the requested command unchanged, except when the test asks it to
trace the server's rsync (``strace``: how ``current`` is replaced) or to cut a copy half-way
(its input throttled, then killed): a real failure in the middle of a transfer.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import make_network, post
from edusite.cli import main
from edusite.publishing.publish import PublishError
from edusite.publishing.rsync import parse_itemized, parse_target

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
RSYNC = shutil.which("rsync")
needs_sshd = pytest.mark.skipif(
    SSHD is None or RSYNC is None or shutil.which("ssh") is None,
    reason="sshd/ssh/rsync not installed (apt-get install openssh-server rsync)",
)

UNITS = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so"},
    "pgd": {"name": "Phòng GDĐT Thử", "kind": "portal", "parent": "so"},
    "th-a": {"name": "Trường Tiểu học A", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "th-b": {"name": "Trường Tiểu học B", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
}
#: The server-side wrapper (sshd ForceCommand): trace, throttle-and-cut, or plain exec.
WRAPPER = r"""
import os, shlex, subprocess, sys, time
flags = sys.argv[1]
args = shlex.split(os.environ.get("SSH_ORIGINAL_COMMAND", ""))
if not args:
    sys.exit(2)
push = "--server" in args and "--sender" not in args and "/releases/2" in args[-1]
if os.path.exists(os.path.join(flags, "cut")) and push:
    proc = subprocess.Popen(args, stdin=subprocess.PIPE)
    end = time.monotonic() + 2.0
    while time.monotonic() < end:  # 2 KB every 50 ms, then the connection drops
        data = os.read(0, 2048)
        if not data:
            break
        proc.stdin.write(data)
        proc.stdin.flush()
        time.sleep(0.05)
    proc.kill()
    sys.exit(1)
jail = os.path.join(flags, "rrsync")
if os.path.exists(jail):  # as `command="rrsync DIR",restrict` in authorized_keys
    os.execvp("rrsync", ["rrsync", open(jail).read().strip()])
if os.path.exists(os.path.join(flags, "trace")) and "--server" in args:
    log = os.path.join(flags, "trace.log")
    args = ["strace", "-f", "-qq", "-A", "-o", log, "-a", "1",
            "-e", "trace=symlink,symlinkat,rename,renameat,renameat2,unlink,unlinkat", *args]
os.execvp(args[0], args)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One sshd on 127.0.0.1 and the ssh config that reaches it."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.flags = home / "flags"
        self.flags.mkdir()
        self.www = home / "srv" / "www"
        self.port = _free_port()
        self.user = getpass.getuser()
        self.ssh_config = home / "ssh_config"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        h = self.home
        for key in ("host_key", "client_key"):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(h / key)], check=True
            )
        (h / "authorized_keys").write_text((h / "client_key.pub").read_text())
        (h / "authorized_keys").chmod(0o600)
        host_pub = (h / "host_key.pub").read_text().split()
        (h / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host_pub[0]} {host_pub[1]}\n")
        (h / "wrap.py").write_text(WRAPPER)
        (h / "sshd_config").write_text(
            textwrap.dedent(f"""\
                Port {self.port}
                ListenAddress 127.0.0.1
                HostKey {h / "host_key"}
                AuthorizedKeysFile {h / "authorized_keys"}
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                StrictModes no
                UsePAM no
                PidFile {h / "sshd.pid"}
                ForceCommand {sys.executable} {h / "wrap.py"} {self.flags}
                """)
        )
        self.ssh_config.write_text(
            textwrap.dedent(f"""\
                Host 127.0.0.1
                  User {self.user}
                  Port {self.port}
                  IdentityFile {h / "client_key"}
                  IdentitiesOnly yes
                  UserKnownHostsFile {h / "known_hosts"}
                  StrictHostKeyChecking yes
                """)
        )
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation folder
        self.proc = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(h / "sshd_config")],  # type: ignore[list-item]
            stdout=subprocess.DEVNULL,
            stderr=open(h / "sshd.log", "wb"),  # noqa: SIM115 - closed with the process
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        log = (h / "sshd.log").read_text(errors="replace")
        self.stop()
        pytest.skip(f"sshd did not start here (not root?): {log[-400:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    @property
    def target(self) -> str:
        return f"{self.user}@127.0.0.1:{self.www}"

    def current(self) -> str:
        return os.readlink(self.www / "current")

    def releases(self) -> list[str]:
        folder = self.www / "releases"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if SSHD is None or RSYNC is None:
        pytest.skip("sshd/rsync not installed (apt-get install openssh-server rsync)")
    srv = Server(tmp_path_factory.mktemp("sshd"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def net(tmp_path: Path, pinned_now: str, server: Server) -> Path:
    """A built network, and an empty server folder."""
    shutil.rmtree(server.www, ignore_errors=True)
    for flag in server.flags.iterdir():
        flag.unlink()
    files = {
        "content/th-a/tin-tuc/2026/2026-09-05-khai-giang/index.md": post(
            "Khai giảng năm học mới", "2026-09-05 07:30", id="th-a-khai-giang"
        ),
        "content/th-b/tin-tuc/2026/2026-09-06-trung-thu/index.md": post(
            "Vui Tết Trung thu", "2026-09-06 07:30", id="th-b-trung-thu"
        ),
        # 600 KB that does not compress: a cut copy cannot have finished
        "content/th-a/tai-lieu/ke-hoach.txt": os.urandom(450_000).hex()[:600_000] + "\n",
    }
    root = make_network(tmp_path / "net", UNITS, files)
    assert build(root).exit_code == 0
    return root


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def build(root: Path, *ids: str) -> Result:
    return cli("build", *ids, "--root", str(root), "-j", "1", "--offline", "--no-cache")


def publish(root: Path, server: Server, *args: str) -> Result:
    return cli(
        "publish",
        "--root",
        str(root),
        "--skip-check",
        "--rsync",
        server.target,
        "--ssh-config",
        str(server.ssh_config),
        *args,
    )


def new_post(root: Path) -> None:
    path = root / "content/th-a/tin-tuc/2026/2026-11-20-hoi-giang/index.md"
    path.parent.mkdir(parents=True)
    path.write_text(post("Hội giảng chào mừng 20/11", "2026-11-20 08:00", id="th-a-hoi-giang"))


@needs_sshd
def test_publish_switches_current_once_and_sends_only_changed_files(
    net: Path, server: Server
) -> None:
    first = publish(net, server)
    assert first.exit_code == 0, first.output + first.stderr
    one = server.current()
    assert one.startswith("releases/") and server.releases() == [one.split("/")[1]]
    live = server.www / "current"
    for unit in UNITS:
        assert (live / unit / "index.html").is_file()
    assert {"index.html", "sitemap.xml", "robots.txt"} <= {p.name for p in live.iterdir()}
    assert any((live / "_shared").rglob("*.css"))
    assert not (live / ".edusite").exists() and not (live / "CNAME").exists()
    assert oct((live / "so" / "index.html").stat().st_mode & 0o777) == "0o644"

    again = publish(net, server)  # nothing changed: no new release
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert server.current() == one and len(server.releases()) == 1

    new_post(net)
    assert build(net, "th-a").exit_code == 0
    (server.flags / "trace").touch()
    seen: list[str] = []
    stop = threading.Event()

    def reader() -> None:  # a web server resolving the document root during the publish
        while not stop.is_set():
            page = server.www / "current" / "th-a" / "index.html"
            seen.append(page.read_text(encoding="utf-8")[:0] + os.readlink(server.www / "current"))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        second = publish(net, server)
    finally:
        stop.set()
        thread.join()
    assert second.exit_code == 0, second.output + second.stderr
    two = server.current()
    assert two != one and set(seen) <= {one, two} and seen
    old, new = server.www / one, server.www / two
    assert "Hội giảng chào mừng 20/11" in (new / "th-a" / "index.html").read_text()
    assert "Hội giảng" not in (old / "th-a" / "index.html").read_text()  # old release intact
    # unchanged files were not sent: the new release hard-links the previous one's
    same = old / "th-b" / "tin-tuc" / "2026" / "2026-09-06-trung-thu" / "index.html"
    assert same.stat().st_ino == (new / same.relative_to(old)).stat().st_ino
    big = Path("th-a/tai-lieu/ke-hoach.txt")
    assert (old / big).stat().st_ino == (new / big).stat().st_ino
    assert (old / "th-a/index.html").stat().st_ino != (new / "th-a/index.html").stat().st_ino
    # the switch: a new link under a temporary name renamed over "current", never unlinked
    if shutil.which("strace") and (server.flags / "trace.log").exists():
        calls = (server.flags / "trace.log").read_text()
        switch = [line for line in calls.splitlines() if '"current"' in line]
        assert switch and all("rename" in line for line in switch), switch
        assert not any("unlink" in line and '"current"' in line for line in calls.splitlines())


@needs_sshd
def test_dry_run_lists_changes_and_touches_nothing(net: Path, server: Server) -> None:
    assert publish(net, server).exit_code == 0
    before = (server.current(), server.releases())
    new_post(net)
    assert build(net, "th-a").exit_code == 0
    dry = publish(net, server, "--dry-run")
    assert dry.exit_code == 0, dry.output + dry.stderr
    lines = dry.output.splitlines()
    assert "  + th-a/tin-tuc/2026/2026-11-20-hoi-giang/index.html" in lines
    assert "  ~ th-a/index.html" in lines
    assert not any(line.startswith("  ~ th-b/tin-tuc/") for line in lines)
    assert "--dry-run" in dry.output
    assert (server.current(), server.releases()) == before


@needs_sshd
def test_a_copy_cut_half_way_publishes_nothing(net: Path, server: Server) -> None:
    assert publish(net, server).exit_code == 0
    one = server.current()
    page = (server.www / "current" / "th-a" / "index.html").read_text()
    new_post(net)
    (net / "content/th-a/tai-lieu/ke-hoach.txt").write_text(os.urandom(450_000).hex() + "\n")
    assert build(net, "th-a").exit_code == 0
    (server.flags / "cut").touch()
    cut = publish(net, server)
    assert cut.exit_code == 1
    assert "nothing published, 'current' unchanged" in cut.stderr
    assert server.current() == one  # readers still get the whole previous release
    assert (server.www / "current" / "th-a" / "index.html").read_text() == page
    assert len(server.releases()) == 2  # the unfinished folder, never pointed to
    (server.flags / "cut").unlink()
    ok = publish(net, server)
    assert ok.exit_code == 0, ok.output + ok.stderr
    assert server.current() != one
    assert "Hội giảng" in (server.www / "current" / "th-a" / "index.html").read_text()
    assert len(server.releases()) == 2  # the unfinished folder is gone; the previous stays
    assert one.split("/")[1] in server.releases()


@needs_sshd
def test_unit_without_good_output_keeps_the_servers_copy(net: Path, server: Server) -> None:
    assert publish(net, server).exit_code == 0
    kept = (server.www / "current" / "th-b" / "index.html").read_text()
    shutil.rmtree(net / "public" / "th-b")  # no good output for th-b now
    new_post(net)
    assert build(net, "th-a").exit_code == 0
    result = publish(net, server)
    assert result.exit_code == 1  # a unit was held back: CI goes red, the rest is online
    assert "th-b" in result.stderr
    live = server.www / "current"
    assert (live / "th-b" / "index.html").read_text() == kept
    assert "Hội giảng" in (live / "th-a" / "index.html").read_text()


def test_targets_are_validated() -> None:
    t = parse_target("deploy@web.lamgiang.edu.vn:/srv/www/edusite")
    assert (t.user, t.host, t.port, t.path) == (
        "deploy",
        "web.lamgiang.edu.vn",
        None,
        "/srv/www/edusite",
    )
    t = parse_target("ssh://deploy@10.0.0.5:2222/srv/www/")
    assert (t.user, t.host, t.port, t.path) == ("deploy", "10.0.0.5", 2222, "/srv/www")
    assert parse_target("web:/srv/a").at("releases/") == "web:/srv/a/releases/"
    assert parse_target("u@[::1]:/srv/a").host == "[::1]"
    for bad in (
        "-oProxyCommand=touch /tmp/x:/srv",
        "deploy@-oProxyCommand=x:/srv",
        "-deploy@host:/srv",
        "host:relative/path",
        "host:/srv/../etc",
        "host:/srv/-rf",
        "host:/srv;reboot",
        "host:/srv/$(id)",
        "host:/srv/a b",
        "host:/srv\n",
        "ssh://u@h:70000/srv",
        "ssh://u@h",
        "host",
        "",
    ):
        with pytest.raises(PublishError, match="invalid rsync target"):
            parse_target(bad)


def test_itemized_changes_are_read() -> None:
    added, changed, removed = parse_itemized(
        [
            "cd+++++++++ th-a/tin-tuc/moi/",
            ">f+++++++++ th-a/tin-tuc/moi/index.html",
            ">fcsT...... th-a/index.html",
            ">fc.T...... so/search/docs/0.json",
            "*deleting   th-a/cu.html",
            "*deleting   th-a/cu/",
            "sent 1 bytes",
        ]
    )
    assert added == ["th-a/tin-tuc/moi/index.html"]
    assert changed == ["th-a/index.html", "so/search/docs/0.json"]
    assert removed == ["th-a/cu.html"]


def test_rsync_options_are_refused_where_they_do_not_apply(tmp_path: Path) -> None:
    root = make_network(tmp_path / "net", UNITS)
    for args in (
        ["--rsync", "h:/srv", "--layout", "per-unit"],
        ["--rsync", "h:/srv", "--export", str(tmp_path / "x")],
        ["--rsync", "h:/srv", "--no-history"],
        ["--rsync", "h:relative"],
        ["--rsync"],  # no value and nothing in extra.network.publish.rsync
        ["--keep-releases", "3"],
    ):
        result = cli("publish", "--root", str(root), *args)
        assert result.exit_code == 2, (args, result.output)


@needs_sshd
@pytest.mark.skipif(shutil.which("rrsync") is None, reason="rrsync not installed (Debian's rsync)")
def test_a_key_restricted_with_rrsync_publishes_the_same_way(net: Path, server: Server) -> None:
    """docs/publishing.md's server set-up: the CI key may only run rsync inside one folder."""
    server.www.mkdir(parents=True)
    (server.flags / "rrsync").write_text(str(server.www))
    target = f"{server.user}@127.0.0.1:/"  # the jail's root

    def go(*args: str) -> Result:
        return cli(
            "publish", "--root", str(net), "--skip-check", "--rsync", target,
            "--ssh-config", str(server.ssh_config), *args,
        )  # fmt: skip

    first = go()
    assert first.exit_code == 0, first.output + first.stderr
    one = server.current()
    new_post(net)
    assert build(net, "th-a").exit_code == 0
    assert "  ~ th-a/index.html" in go("--dry-run").output.splitlines()
    second = go()
    assert second.exit_code == 0, second.output + second.stderr
    two = server.current()
    assert two != one and "Hội giảng" in (server.www / two / "th-a" / "index.html").read_text()
    page = Path("th-b/index.html")
    assert (server.www / one / page).stat().st_ino == (server.www / two / page).stat().st_ino
    escape = cli(
        "publish", "--root", str(net), "--skip-check", "--rsync",
        f"{server.user}@127.0.0.1:/../outside", "--ssh-config", str(server.ssh_config),
    )  # fmt: skip
    assert escape.exit_code == 2 and "invalid rsync target" in escape.output  # nothing ran
