"""``edusite serve ID``: live preview of one unit's site.

MkDocs' own development server (``mkdocs.livereload.LiveReloadServer``: watches the files,
rebuilds, reloads the browser), with two differences that matter to an editor:

* every build goes to a staging folder and replaces the served site only when it succeeded, so
  a mistake (a post with broken YAML) never leaves a broken or empty site: the last good build
  stays on screen;
* while the latest build fails, every page served carries a banner at its top saying so, in
  Vietnamese (then English), with each error's file and message; the next good build removes
  it (the browser reloads by itself in both cases: MkDocs' reload script, which it writes
  inline and our Content-Security-Policy blocks, is served as a file).

The address (``http://127.0.0.1:8000/<id>/``) is printed as soon as the server listens.
"""

from __future__ import annotations

import html
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from .common import load_network, root_option

#: At most this many errors are listed in the banner (the terminal shows them all).
BANNER_LINES = 20


class Preview:
    """The served folder and the state of the latest build (shared with request threads)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.site = folder / "site"  # what the server serves: the last good build
        self.errors: tuple[str, ...] = ()  # the latest build's errors (none: it succeeded)
        self.failed_at = ""
        self.good = False  # a build has succeeded since the start
        self._builds = 0
        self.site.mkdir(parents=True)
        waiting = (
            "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
            "<title>edusite serve</title></head><body><p>Chưa có bản dựng nào thành công. / "
            "No build has succeeded yet.</p></body></html>"
        )
        for name in ("index.html", "404.html"):
            (self.site / name).write_text(waiting, encoding="utf-8")

    def staging(self) -> Path:
        self._builds += 1
        path = self.folder / f"staging-{self._builds}"
        shutil.rmtree(path, ignore_errors=True)
        return path

    def succeeded(self, staging: Path) -> None:
        """Serve ``staging`` from now on (two renames: no request runs during a build)."""
        old = self.folder / f"old-{self._builds}"
        self.site.rename(old)
        try:
            staging.rename(self.site)
        except OSError:
            old.rename(self.site)  # keep serving the last good build
            raise
        shutil.rmtree(old, ignore_errors=True)
        self.errors, self.failed_at, self.good = (), "", True

    def failed(self, staging: Path, errors: list[str]) -> None:
        shutil.rmtree(staging, ignore_errors=True)
        self.errors = tuple(errors) or ("(không rõ lỗi / unknown error)",)
        self.failed_at = time.strftime("%H:%M:%S")

    def banner(self) -> bytes:
        """The banner HTML while the latest build fails, else nothing."""
        errors = self.errors
        if not errors:
            return b""
        items = "".join(f'<li style="margin:.2em 0">{html.escape(e)}</li>' for e in errors[:BANNER_LINES])  # fmt: skip
        more = len(errors) - BANNER_LINES
        if more > 0:
            items += f"<li>… và {more} lỗi khác / and {more} more</li>"
        if self.good:
            kept_vi = "trang đang hiển thị là bản dựng thành công gần nhất"
            kept_en = "showing the last good build"
        else:
            kept_vi, kept_en = "chưa có bản dựng nào thành công", "no build has succeeded yet"
        return (
            '<div id="edusite-serve-error" role="alert" style="position:relative;z-index:10000;'
            "margin:0;padding:.8em 1.2em;background:#fff4e5;color:#5f2100;"
            "border-bottom:4px solid #d9480f;font:15px/1.45 system-ui,sans-serif;"
            'white-space:pre-wrap;word-break:break-word">'
            f"<strong>Lỗi khi dựng lại trang lúc {self.failed_at}</strong>: {kept_vi}. Sửa lỗi "
            "dưới đây rồi lưu tệp, trang sẽ tự tải lại. "
            f"<em>(Rebuild failed: {kept_en}; fix and save, the page reloads.)</em>"
            f'<ul style="margin:.4em 0 0;padding-left:1.2em">{items}</ul></div>'
        ).encode()


def inject(page: bytes, banner: bytes) -> bytes:
    """``page`` with ``banner`` first in its ``<body>`` (or first of all without one)."""
    low = page.lower()
    start = low.find(b"<body")
    end = low.find(b">", start) + 1 if start >= 0 else 0
    return page[:end] + banner + page[end:]


#: MkDocs' live-reload script, which it writes inline before ``</body>``: our pages'
#: Content-Security-Policy (``script-src 'self'``) forbids inline scripts, so the browser would
#: never reload. It is served from this path instead, the same script.
SCRIPT_PATH = "/_edusite_serve/livereload-"
_INLINE_RE = re.compile(
    rb"<script>(\s*var livereload = function\(epoch, requestId\).*?"
    rb"livereload\((\d+), (\d+)\);\s*)</script>",
    re.DOTALL,
)


def with_banner(app: Callable[..., Iterable[bytes]], preview: Preview) -> Callable[..., Any]:
    """The server's WSGI app, its HTML answers carrying the banner while the build fails and
    loading the live-reload script from a file (see :data:`SCRIPT_PATH`)."""
    scripts: dict[bytes, bytes] = {}  # request id -> script, the latest 200 pages'
    lock = threading.Lock()

    def external(match: re.Match[bytes]) -> bytes:
        with lock:
            scripts[match.group(3)] = match.group(1)
            while len(scripts) > 200:
                del scripts[next(iter(scripts))]
        return b'<script src="%s%s.js"></script>' % (SCRIPT_PATH.encode(), match.group(3))

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(SCRIPT_PATH) and path.endswith(".js"):
            with lock:
                script = scripts.get(path[len(SCRIPT_PATH) : -3].encode())
            if script is None:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not found"]
            start_response(
                "200 OK",
                [("Content-Type", "application/javascript"), ("Content-Length", str(len(script)))],
            )
            return [script]
        answer: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer[:] = [status, headers, exc_info]
            return lambda data: None  # the server returns its body; it never calls write()

        body = app(environ, hold)
        status, headers, exc_info = answer
        kind = next((v for k, v in headers if k.lower() == "content-type"), "")
        if not kind.startswith("text/html"):
            start_response(status, headers, exc_info)
            return body
        try:
            page = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        page = _INLINE_RE.sub(external, page)
        banner = preview.banner()
        if banner:
            page = inject(page, banner)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(page)))], exc_info)
        return [page]

    return wrapped


def build_once(
    config_file: Path, site_dir: Path, serve_url: str, editor_url: str | None = None
) -> tuple[list[str], list[str]]:
    """Build the site into ``site_dir`` for ``serve_url``; ``(errors, warnings)``, never raises.

    The unit's own config is read first with edusite's rules, so a mistake in it is reported
    with its line, in Vietnamese and English, instead of MkDocs' message."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from ..build.worker import LogCapture
    from ..structure.network import load_unit

    _unit, found = load_unit(config_file)
    errors = [str(p) for p in found if p.severity == "error"]
    if errors:
        return errors, []
    capture = LogCapture()
    logger = logging.getLogger("mkdocs")
    old = logger.propagate, logger.level
    logger.addHandler(capture)
    logger.propagate, logger.level = False, logging.WARNING
    failure = ""
    try:
        config = load_config(str(config_file), site_dir=str(site_dir))
        config.site_url = serve_url
        cms = config.plugins.get("edusite-cms")
        if editor_url and cms is not None:  # --editor: the admin page on the local server
            cms.config["local_backend"] = editor_url
        build(config, serve_url=serve_url)
    except Exception as exc:  # noqa: BLE001 - any failure is shown, the server goes on
        failure = str(exc) if exc.__class__.__module__.startswith("mkdocs") else repr(exc)
        failure = failure or type(exc).__name__
    finally:
        logger.removeHandler(capture)
        logger.propagate, logger.level = old
    logged = [r.getMessage() for r in capture.records if r.levelno >= logging.ERROR]
    warnings = [r.getMessage() for r in capture.records if r.levelno < logging.ERROR]
    errors = [line for message in logged for line in message.splitlines() if line.strip()]
    if failure and not (errors and failure.startswith("Aborted with")):  # MkDocs' generic end
        errors.append(failure)
    return list(dict.fromkeys(errors)), warnings


def serve(
    config_file: Path,
    dev_addr: str,
    watch: Iterable[Path] = (),
    on_ready: Callable[[str], None] | None = None,
    editor_url: str | None = None,
) -> None:
    """Serve ``config_file``'s site until interrupted (see the module docstring)."""
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer

    config = load_config(str(config_file), dev_addr=dev_addr)
    host, port = config.dev_addr.host, config.dev_addr.port
    mount = urlsplit(config.site_url or "/").path or "/"
    mount = "/" + mount.strip("/") + "/" if mount.strip("/") else "/"
    url = f"http://{host}:{port}{mount}"
    folder = Path(tempfile.mkdtemp(prefix="edusite-serve-"))
    preview = Preview(folder)

    def rebuild() -> None:
        staging = preview.staging()
        start = time.perf_counter()
        errors, warnings = build_once(config_file, staging, url, editor_url)
        for w in warnings:
            click.echo(f"  ⚠ {w}", err=True)
        if errors:
            preview.failed(staging, errors)
            click.echo(
                "✗ Dựng lại bị lỗi; vẫn hiển thị bản tốt gần nhất, với thông báo lỗi / "
                "rebuild failed; still serving the last good build, with an error banner:",
                err=True,
            )
            for e in errors:
                click.echo(f"  ✗ {e}", err=True)
        else:
            try:
                preview.succeeded(staging)
            except OSError as exc:  # the served folder could not be replaced: say so, go on
                preview.failed(staging, [f"{preview.site}: {exc}"])
                click.echo(f"  ✗ {preview.site}: {exc}", err=True)
                return
            click.echo(f"✓ Đã dựng lại / rebuilt ({time.perf_counter() - start:.1f} s)", err=True)

    class Server(LiveReloadServer):
        def server_activate(self) -> None:
            super().server_activate()
            if on_ready is not None:
                on_ready(url)

    server = Server(builder=rebuild, host=host, port=port, root=str(preview.site), mount_path=mount)
    server.set_app(with_banner(server.get_app(), preview))

    def error_page(code: int) -> bytes | None:
        page = preview.site / f"{code}.html"
        return page.read_bytes() if code == 404 and page.is_file() else None

    server.error_handler = error_page
    # As MkDocs' serve: plugins with startup/shutdown events are kept between rebuilds.
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        rebuild()
        for path in (config.docs_dir, config_file, *watch):
            if os.path.exists(path):
                server.watch(str(path))
        try:
            server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@click.command("serve")
@click.argument("unit_id")
@root_option
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="IP:PORT")
@click.option(
    "--editor",
    is_flag=True,
    help="Kèm trình biên tập tại <id>/quan-tri/, lưu thẳng vào content/ / with the web editor at "
    "<id>/quan-tri/, saving straight into content/ (local server: decap-server).",
)
@click.option("--editor-port", default=8081, show_default=True, type=click.IntRange(1, 65535))
def command(unit_id: str, root: Path, dev_addr: str, editor: bool, editor_port: int) -> None:
    """Xem trước trực tiếp / live preview of UNIT_ID at http://127.0.0.1:8000/<id>/."""
    network = load_network(root, [unit_id])
    unit = network[unit_id]
    editor_url = None
    proxy = None
    if editor:
        from ..cms.local import start_local_server

        proxy, editor_url = start_local_server(network.root, editor_port)

    def ready(url: str) -> None:
        click.echo(
            f"Đang phục vụ / serving {unit.name} ({unit_id}): {url}  (Ctrl+C để dừng / to stop)"
        )
        if editor_url:
            click.echo(
                f"Trình biên tập / web editor: {url}quan-tri/  (máy chủ / server {editor_url})"
            )

    from mkdocs.exceptions import ConfigurationError

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # a terminated server cleans up too
    click.echo(f"Đang dựng / building {unit_id} …", err=True)
    try:
        serve(
            unit.config_file,
            dev_addr,
            watch=(network.root / "mkdocs.yml",),
            on_ready=ready,
            editor_url=editor_url,
        )
    except ConfigurationError as exc:  # e.g. a malformed --dev-addr
        click.echo(f"Cấu hình không hợp lệ / invalid configuration: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:  # the address is taken or not ours
        click.echo(
            f"Không mở được địa chỉ {dev_addr} ({exc.strerror or exc}); thử -a 127.0.0.1:8001 / "
            f"cannot listen on {dev_addr} ({exc.strerror or exc}); try -a 127.0.0.1:8001",
            err=True,
        )
        sys.exit(2)
    finally:
        if proxy is not None:  # the local editing server ends with the preview
            proxy.terminate()
            proxy.wait(timeout=10)
