"""``edusite serve``: a real server on 127.0.0.1 keeps the last good build on screen while a
rebuild fails, with a Vietnamese banner naming the file and the error, and drops the banner
once the mistake is fixed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from conftest import SMALL_NETWORK, make_network, post
from edusite.commands.serve import Preview, inject

POST = "content/th-a/tin-tuc/2026/2026-09-05-khai-giang/index.md"
POST_URL = "tin-tuc/2026/2026-09-05-khai-giang/"
BANNER = 'id="edusite-serve-error"'
BROKEN = "---\ntitle: Khai giảng: năm học mới\ndate: 2026-09-05\n---\n\nNội dung.\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """``edusite serve`` in a subprocess, its output collected."""

    def __init__(self, root: Path, unit: str, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        env = dict(os.environ, EDUSITE_NOW="2026-11-22 12:00", TMPDIR=str(tmp))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "edusite.cli", "serve", unit, "--root", str(root),
             "-a", f"127.0.0.1:{self.port}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, what: str, test: Callable[[], bool], timeout: float = 90) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                pytest.fail(f"serve stopped ({self.proc.returncode}):\n{self.output()}")
            try:
                if test():
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}:\n{self.output()}")

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.port}/{path}", timeout=30)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[[Path], Served]]:
    started: list[Served] = []

    def start(root: Path) -> Served:
        tmp = tmp_path / "tmp"
        tmp.mkdir(exist_ok=True)
        s = Served(root, "th-a", tmp)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def test_a_failed_rebuild_keeps_the_last_good_site_with_a_banner(
    tmp_path: Path, served: Callable[[Path], Served]
) -> None:
    files = {POST: post("Khai giảng năm học mới", "2026-09-05", summary="Lễ khai giảng.")}
    root = make_network(tmp_path / "net", SMALL_NETWORK, files)
    server = served(root)
    url = f"http://127.0.0.1:{server.port}/th-a/"
    server.wait_for("the address", lambda: url in server.output())
    assert f"Đang phục vụ / serving Trường Tiểu học A (th-a): {url}" in server.output()
    server.wait_for("the site", lambda: server.get("th-a/").status_code == 200)
    page = server.get(f"th-a/{POST_URL}")
    assert page.status_code == 200 and "Khai giảng năm học mới" in page.text
    assert BANNER not in page.text
    # MkDocs' reload script comes from a file: the pages' CSP forbids inline scripts.
    assert "var livereload" not in page.text
    script = page.text.split('<script src="/_edusite_serve/livereload-')[1].split('"')[0]
    reload_js = server.get(f"_edusite_serve/livereload-{script}")
    assert reload_js.status_code == 200 and "livereload(" in reload_js.text
    assert reload_js.headers["content-type"] == "application/javascript"

    (root / POST).write_text(BROKEN, encoding="utf-8")
    server.wait_for("the banner", lambda: BANNER in server.get("th-a/").text)
    home = server.get("th-a/")
    banner = home.text.split(BANNER)[1].split("</div>")[0]
    assert "Lỗi khi dựng lại trang lúc" in banner
    assert "bản dựng thành công gần nhất" in banner
    assert "tin-tuc/2026/2026-09-05-khai-giang/index.md" in banner
    assert "YAML không hợp lệ ở dòng 2, cột 18" in banner
    old = server.get(f"th-a/{POST_URL}")  # the last good build, banner on top
    assert old.status_code == 200 and "Khai giảng năm học mới" in old.text and BANNER in old.text
    assert home.text.index(BANNER) < home.text.index("Trường Tiểu học A", home.text.index("<body"))
    assert "✗ Dựng lại bị lỗi" in server.output()

    fixed = post("Khai giảng năm học 2026-2027", "2026-09-05", summary="Lễ khai giảng.")
    (root / POST).write_text(fixed, encoding="utf-8")
    server.wait_for("the fix", lambda: "năm học 2026-2027" in server.get(f"th-a/{POST_URL}").text)
    assert BANNER not in server.get(f"th-a/{POST_URL}").text
    assert BANNER not in server.get("th-a/").text

    server.stop()
    assert server.proc.returncode == 0, server.output()
    assert list((tmp_path / "tmp").iterdir()) == []  # the served folders are removed


def test_a_first_build_that_fails_shows_the_banner_until_fixed(
    tmp_path: Path, served: Callable[[Path], Served]
) -> None:
    root = make_network(tmp_path / "net", SMALL_NETWORK, {POST: BROKEN})
    server = served(root)
    server.wait_for("the banner", lambda: BANNER in server.get("th-a/").text)
    assert "Chưa có bản dựng nào thành công" in server.get("th-a/").text
    missing = server.get("th-a/khong-co/")
    assert missing.status_code == 404 and BANNER in missing.text
    (root / POST).write_text(post("Lễ khai giảng 2026", "2026-09-05"), encoding="utf-8")
    server.wait_for("the site", lambda: server.get(f"th-a/{POST_URL}").status_code == 200)
    assert "Lễ khai giảng 2026" in server.get(f"th-a/{POST_URL}").text
    assert BANNER not in server.get("th-a/").text


def test_banner_escapes_the_error_and_goes_first_in_the_body(tmp_path: Path) -> None:
    preview = Preview(tmp_path / "p")
    assert preview.banner() == b""
    preview.failed(tmp_path / "none", ["content/x.md: <script>alert(1)</script> / English"])
    banner = preview.banner()
    assert b"<script>" not in banner and b"&lt;script&gt;alert(1)&lt;/script&gt;" in banner
    page = inject(b"<html><head></head><body class='x'><p>a</p></body></html>", banner)
    assert page.startswith(b"<html><head></head><body class='x'><div id=\"edusite-serve-error\"")


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium missing")
def test_the_browser_reloads_by_itself_under_the_pages_csp(
    tmp_path: Path, served: Callable[[Path], Served]
) -> None:
    """The page's Content-Security-Policy allows no inline script: the reload script is a file,
    so the banner appears, and goes, without the reader pressing reload."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from browser_support import launch

    files = {POST: post("Khai giảng năm học mới", "2026-09-05")}
    root = make_network(tmp_path / "net", SMALL_NETWORK, files)
    server = served(root)
    server.wait_for("the site", lambda: server.get(f"th-a/{POST_URL}").status_code == 200)
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            console: list[str] = []
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.goto(f"http://127.0.0.1:{server.port}/th-a/{POST_URL}")
            page.wait_for_function("() => document.readyState === 'complete'")
            (root / POST).write_text(BROKEN, encoding="utf-8")
            page.wait_for_selector("#edusite-serve-error", timeout=90_000)
            assert "Khai giảng năm học mới" in page.inner_text("h1")  # the last good page
            (root / POST).write_text(post("Khai giảng 2026", "2026-09-05"), encoding="utf-8")
            page.wait_for_selector("#edusite-serve-error", state="detached", timeout=90_000)
            page.wait_for_function("() => document.readyState === 'complete'")
            assert "Khai giảng 2026" in page.inner_text("h1")
            assert not [m for m in console if "Content Security Policy" in m], console
        finally:
            browser.close()
