"""The local editing server (Decap's npm proxy, ``decap-server``) for ``edusite serve --editor``:
the editor saves straight into the working tree (``MODE=fs``), on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click

from .vendor import find_server


def wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 20) -> bool:
    """True once the server answers ``{"action": "info"}`` at ``url``."""
    deadline = time.monotonic() + seconds
    body = json.dumps({"action": "info"}).encode()
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            request = urllib.request.Request(
                url, data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def start_local_server(
    root: Path, port: int, *, git: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    """Start decap-server for the repository at ``root`` on ``127.0.0.1:port``; exit 2 with a
    bilingual message when it is not installed or does not answer."""
    server = find_server(root)
    if server is None:
        click.echo(
            "Chưa cài máy chủ biên tập cục bộ (decap-server): chạy scripts/vendor-cms --server "
            "(cần Node.js và npm) / the local editing server is not installed: run "
            "scripts/vendor-cms --server (needs Node.js and npm)",
            err=True,
        )
        sys.exit(2)
    env = {
        **os.environ,
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "GIT_REPO_DIRECTORY": str(root),
        "MODE": "git" if git else "fs",
        "LOG_LEVEL": "warn",
    }
    proc = subprocess.Popen([str(server)], env=env)
    url = f"http://127.0.0.1:{port}/api/v1"
    if not wait_ready(url, proc):
        proc.terminate()
        click.echo(
            f"Máy chủ biên tập cục bộ không trả lời tại {url} (cổng bận? thử --editor-port) / "
            f"the local editing server does not answer at {url} (port taken? try --editor-port)",
            err=True,
        )
        sys.exit(2)
    return proc, url
