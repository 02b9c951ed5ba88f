"""The web editor, driven for real: Decap CMS (the vendored bundle) in Debian's Chromium, against
its local editing server (decap-server, git mode: drafts are branches, publishing merges them),
on a network of our own (Sở → Phòng → school) in a git repository.

One editor session writes a post with a photo (sent for review, approved, published), a document
with its PDF and a "Công khai" section page; the files land where ``edusite build`` reads them,
with front matter it accepts, and the built school, its Phòng and the Sở show the post. Along
the way: no request leaves 127.0.0.1, the admin page's Content-Security-Policy is never violated,
axe finds nothing serious on the editor's pages, and every demo unit's configuration is accepted
by the CMS (its own schema check, ajv, runs when the configuration loads).

Screenshots for docs/huong-dan-bien-tap.md: set ``EDUSITE_SCREENSHOTS=docs/screenshots/bien-tap``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser_support import CHROMIUM, CHROMIUM_ARGS, UNITS, photo, serve, theme_files
from conftest import REPO, make_network

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

SCHOOL = "th-a"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
POST_TITLE = "Đại hội Liên đội nhiệm kỳ 2026–2027: Đoàn kết, sáng tạo"
POST_DIR = f"content/{SCHOOL}/tin-tuc/2026/2026-11-20-dai-hoi-lien-doi-nhiem-ky-2026-2027-doan-ket-sang-tao"
DOC_DIR = f"content/{SCHOOL}/van-ban/2026/12-tb-tha"
SECTION = f"content/{SCHOOL}/cong-khai/2026-2027/thu-chi-tai-chinh.md"


def _server() -> Path | None:
    from edusite.cms import find_server

    return find_server(REPO)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def editor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A network in a git repository, built, served, with the local editing server running."""
    server = _server()
    if server is None:
        pytest.skip("decap-server not installed: scripts/vendor-cms --server (npm)")
    from edusite.build.builder import build_network
    from edusite.structure.network import get_network

    saved = os.environ.get("EDUSITE_NOW")
    os.environ["EDUSITE_NOW"] = "2026-11-22 12:00"
    root = tmp_path_factory.mktemp("cms") / "net"
    units = {k: dict(v) for k, v in UNITS.items()}
    units[SCHOOL]["groups"] = ["Tổ 1-2-3", "Công đoàn", "Liên đội"]
    units[SCHOOL]["editors"] = ["@hoa.nguyen"]
    make_network(root, units, theme_files())
    port = _port()
    local = f"http://127.0.0.1:{port}/api/v1"
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  edusite-cms: {}\n" in text
    plugin = f"{{local_backend: '{local}', local_workflow: true}}"
    text = text.replace("\n  edusite-cms: {}\n", f"\n  edusite-cms: {plugin}\n")
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    (root / ".gitignore").write_text("/public/\n/.cache/\n", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "-c", "user.email=ci@example.vn", "-c", "user.name=CI", "commit", "-qm", "mạng thử")
    results = build_network(get_network(root), [SCHOOL], out=root / "public", offline=True)
    assert [r.errors for r in results if not r.ok] == []
    env = {
        **os.environ,
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "GIT_REPO_DIRECTORY": str(root),
        "MODE": "git",
        "LOG_LEVEL": "info",
        "GIT_AUTHOR_NAME": "Cô Hoa",
        "GIT_AUTHOR_EMAIL": "hoa@example.vn",
        "GIT_COMMITTER_NAME": "Cô Hoa",
        "GIT_COMMITTER_EMAIL": "hoa@example.vn",
    }
    log = (root.parent / "decap-server.log").open("w")
    proc = subprocess.Popen([str(server)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                request = urllib.request.Request(
                    local, data=b'{"action":"info"}', headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=2) as answer:
                    assert answer.status == 200
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        with serve(root / "public") as url:
            yield {"root": root, "url": url, "local": local}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
        if saved is None:
            os.environ.pop("EDUSITE_NOW", None)
        else:
            os.environ["EDUSITE_NOW"] = saved


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, "--lang=vi"]
        )
        yield b
        b.close()


class Session:
    """One editor tab: records every request, console error and CSP violation."""

    CSP_PROBE = (
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(
            locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900}
        )
        self.context.add_init_script(self.CSP_PROBE)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        shots = os.environ.get("EDUSITE_SCREENSHOTS")
        self.shots = Path(shots) if shots else None

    def shot(self, name: str, full: bool = False) -> None:
        if self.shots is not None:
            self.shots.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=full)

    def csp(self) -> list[str]:
        return list(self.page.evaluate("window.__csp || []"))

    def foreign(self) -> list[str]:
        return [
            u for u in self.requests if not u.startswith(("http://127.0.0.1:", "blob:", "data:"))
        ]


def _axe_serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {n['target']} {n.get('failureSummary', '')[:160]!r} {n.get('html', '')[:160]!r}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
        for n in v["nodes"]
    ]


def _pick(page: Any, label: str, option: str) -> None:
    page.get_by_label(re.compile(f"^{re.escape(label)}")).click()
    page.get_by_text(option, exact=True).last.click()


def _choose_file(page: Any, button: str, path: Path) -> None:
    page.get_by_role("button", name=button).click()
    page.set_input_files("input[type=file]", str(path))
    page.get_by_text(path.name, exact=True).first.wait_for()
    page.get_by_role("button", name="Lấy những cái đã chọn").click()


def _status(page: Any, status: str) -> None:
    page.get_by_role("button", name=re.compile("^Trạng thái")).click()
    page.get_by_text(status, exact=True).click()
    page.get_by_role("button", name=f"Trạng thái: {status}").wait_for()


def _publish(page: Any) -> None:
    page.get_by_role("button", name="Xuất bản", exact=True).click()
    page.once("dialog", lambda d: d.accept())
    page.get_by_text("Xuất bản ngay", exact=True).click()
    page.get_by_text("Đã xuất bản").first.wait_for()


def _open(page: Any, url: str) -> None:
    """A fresh load of an editor address (the sign-in is kept in the browser's storage)."""
    page.goto("about:blank")
    page.goto(url)


def _save(page: Any) -> None:
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Đã lưu", exact=True).wait_for()


def test_staff_write_review_and_publish_in_the_editor(
    editor: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    from edusite.structure.posts import load_post

    root, url = editor["root"], editor["url"]
    s = Session(browser, url)
    page = s.page
    admin = f"{url}/{SCHOOL}/quan-tri/"
    page.goto(admin)
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    page.get_by_role("button", name="Đăng nhập").wait_for()
    s.shot("01-dang-nhap")
    problems = {"đăng nhập": _axe_serious(page)}
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Tin tức").first.wait_for()
    page.get_by_text("Hội giảng chào mừng ngày Nhà giáo Việt Nam").wait_for()  # existing posts
    s.shot("02-danh-sach-tin")
    problems["danh sách"] = _axe_serious(page)

    # A post with a photo and its description, a category and a group from the model.
    picture = tmp_path / "anh-dai-hoi.jpg"
    picture.write_bytes(photo(4))
    page.goto(f"{admin}#/collections/tin-tuc/new")
    page.get_by_label("Tiêu đề").fill(POST_TITLE)
    page.get_by_label(re.compile("^Ngày đăng")).fill("2026-11-20T08:30")
    _choose_file(page, "Chọn một hình", picture)
    page.get_by_label(re.compile("^Tóm tắt")).fill("Liên đội bầu Ban Chỉ huy nhiệm kỳ mới.")
    _pick(page, "Chuyên mục", "Công đoàn - Đoàn - Đội")
    _pick(page, "Tổ / đoàn thể", "Liên đội")
    page.get_by_label(re.compile("^Tin tiêu biểu")).click()
    page.locator("[contenteditable=true]").first.click()
    page.keyboard.type("Sáng 20/11/2026, Liên đội tổ chức đại hội nhiệm kỳ 2026–2027.")
    # A photo without its description cannot be saved (our widget, admin.js).
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Ảnh cần mô tả ngắn").first.wait_for()
    page.get_by_label(re.compile("^Mô tả ảnh")).scroll_into_view_if_needed()
    s.shot("03-thieu-mo-ta-anh")
    assert set(s.errors) <= {"undefined"}  # Decap rejects the refused save's promise unhandled
    s.errors.clear()
    page.get_by_label(re.compile("^Mô tả ảnh")).fill("Đội viên giơ tay biểu quyết tại đại hội")
    page.get_by_label("Tiêu đề").scroll_into_view_if_needed()
    s.shot("04-viet-bai")
    problems["soạn bài"] = _axe_serious(page)
    _save(page)
    # Saved as a draft: a branch, nothing on main yet.
    assert not (root / POST_DIR).exists()
    assert any(b.strip().startswith("cms/tin-tuc/") for b in _git(root, "branch").splitlines())
    _status(page, "Gửi duyệt")
    s.shot("05-gui-duyet")
    page.goto(f"{admin}#/workflow")
    page.get_by_text(POST_TITLE).first.wait_for()
    s.shot("06-duyet-bai")
    problems["duyệt bài"] = _axe_serious(page)
    page.get_by_text(POST_TITLE).first.click()
    _status(page, "Đã duyệt")
    _publish(page)
    s.shot("07-da-xuat-ban")

    # A document with its PDF.
    pdf = tmp_path / "12-tb-tha.pdf"
    pdf.write_bytes(PDF)
    _open(page, f"{admin}#/collections/van-ban/new")
    page.get_by_label("Số hiệu").fill("12/TB-THA")
    page.get_by_label("Ngày ban hành").fill("2026-11-18")
    _pick(page, "Loại văn bản", "Thông báo")
    page.get_by_label("Trích yếu").fill("Thông báo lịch đại hội Liên đội nhiệm kỳ 2026-2027")
    _choose_file(page, "Chọn một tập tin", pdf)
    s.shot("08-van-ban")
    _save(page)
    _status(page, "Đã duyệt")
    _publish(page)

    # The school's "Thu, chi tài chính" page of the current school year (from the rules data).
    _open(page, f"{admin}#/collections/cong-khai/entries/thu-chi-tai-chinh")
    page.get_by_label(re.compile("^Ngày đăng")).fill("2026-11-18")
    page.get_by_label(re.compile("^Số liệu tính đến")).fill("2026-11-15")
    page.locator("[contenteditable=true]").first.click()
    page.keyboard.type("Nhà trường không thu học phí năm học 2026-2027.")
    s.shot("09-cong-khai")
    _save(page)
    _status(page, "Đã duyệt")
    _publish(page)

    assert s.errors == []
    assert s.csp() == []
    assert s.foreign() == []
    assert {k: v for k, v in problems.items() if v} == {}

    # The files, where the build reads them, with front matter it accepts.
    post_md = root / POST_DIR / "index.md"
    assert (root / POST_DIR / picture.name).read_bytes() == picture.read_bytes()
    post, found = load_post(
        post_md,
        f"{POST_DIR.split(f'content/{SCHOOL}/', 1)[1]}/index.md",
        unit_id=SCHOOL,
        categories={"doan-the": "Công đoàn - Đoàn - Đội"},
        groups=units_groups(),
    )
    assert [str(p) for p in found] == []
    assert post is not None and post.title == POST_TITLE
    assert post.date.strftime("%Y-%m-%d %H:%M %z") == "2026-11-20 08:30 +0700"
    assert (post.image, post.group, post.featured, post.categories) == (
        picture.name,
        "Liên đội",
        True,
        ["doan-the"],
    )
    doc = yaml.safe_load((root / DOC_DIR / "index.md").read_text(encoding="utf-8").split("---")[1])
    assert doc["so_hieu"] == "12/TB-THA" and doc["tep"] == pdf.name
    assert (root / DOC_DIR / pdf.name).read_bytes() == PDF
    section = yaml.safe_load((root / SECTION).read_text(encoding="utf-8").split("---")[1])
    assert section["section"] == "thu-chi-tai-chinh" and section["school_year"] == "2026-2027"
    assert _git(root, "status", "--porcelain") == ""  # every change committed on main

    # `edusite build th-a` (which rebuilds its Phòng and Sở too): the post shows on all three.
    from click.testing import CliRunner
    from edusite.cli import main

    built = CliRunner().invoke(
        main, ["build", SCHOOL, "--root", str(root), "--offline", "--jobs", "1"]
    )
    assert built.exit_code == 0, built.output
    public = root / "public"
    assert POST_TITLE in (public / SCHOOL / "index.html").read_text(encoding="utf-8")
    assert (public / SCHOOL / POST_DIR.split(f"content/{SCHOOL}/", 1)[1] / "index.html").is_file()
    assert POST_TITLE in (public / "pgd" / "tin-don-vi" / "index.html").read_text(encoding="utf-8")
    assert POST_TITLE in (public / "so" / "tin-don-vi" / "index.html").read_text(encoding="utf-8")
    assert "12/TB-THA" in (public / SCHOOL / "van-ban" / "index.html").read_text(encoding="utf-8")
    s.context.close()


def units_groups() -> list[str]:
    return ["Tổ 1-2-3", "Công đoàn", "Liên đội"]


def test_every_demo_unit_configuration_loads_in_the_cms(
    browser: Any, tmp_path: Path, editor: dict[str, Any]
) -> None:
    """`edusite cms config --out` for the demo network; the CMS validates each configuration
    against its schema when it loads it (errors are shown instead of the sign-in button)."""
    from click.testing import CliRunner
    from edusite.cli import main

    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["cms", "config", "--root", str(REPO), "--out", str(out), "--local", editor["local"]]
    )
    assert result.exit_code == 0, result.output
    units = sorted(p.parent.parent.name for p in out.glob("*/quan-tri/config.json"))
    assert len(units) == len(list((REPO / "sites").glob("*/mkdocs.yml"))) >= 12
    with serve(out) as url:
        s = Session(browser, url)
        for uid in units:
            s.page.goto(f"{url}/{uid}/quan-tri/")
            s.page.get_by_role("button", name="Đăng nhập").or_(
                s.page.get_by_text("Config Errors")
            ).first.wait_for()
            assert s.page.get_by_text("Config Errors").count() == 0, (
                uid,
                s.page.inner_text("body"),
            )
        assert s.errors == [] and s.csp() == [] and s.foreign() == []
        s.context.close()


def test_admin_page_is_not_a_site_page(editor: dict[str, Any]) -> None:
    """Sitemaps, search and feeds never see the admin page; its bundle is the vendored one."""
    public = editor["root"] / "public"
    admin = public / SCHOOL / "quan-tri" / "index.html"
    assert admin.is_file()
    for name in ("sitemap.xml", "feed.xml"):
        assert "quan-tri" not in (public / SCHOOL / name).read_text(encoding="utf-8")
    for index in (public / SCHOOL / "search").glob("**/*.json"):
        assert "quan-tri" not in index.read_text(encoding="utf-8")
    bundles = list((public / "_shared" / "cms").glob("decap-cms-*/decap-cms.js"))
    assert len(bundles) == 1
    vendored = REPO / "scripts/edusite/cms/vendor/decap-cms/decap-cms.js"
    assert bundles[0].read_bytes() == vendored.read_bytes()
    assert shutil.which("node") is None or True  # the bundle needs no build step


def test_serve_editor_starts_and_stops_the_local_server(tmp_path: Path) -> None:
    """`edusite serve ID --editor`: the admin page uses the local server, which answers on
    127.0.0.1 and ends with the preview."""
    import json
    import signal
    import sys

    if _server() is None:
        pytest.skip("decap-server not installed: scripts/vendor-cms --server (npm)")
    root = make_network(tmp_path / "net", UNITS, theme_files())
    site, proxy = _port(), _port()
    edusite = Path(sys.executable).with_name("edusite")
    proc = subprocess.Popen(
        [
            str(edusite),
            "serve",
            SCHOOL,
            "--root",
            str(root),
            "--editor",
            "-a",
            f"127.0.0.1:{site}",
            "--editor-port",
            str(proxy),
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "EDUSITE_NOW": "2026-11-22 12:00"},
    )
    try:
        deadline = time.monotonic() + 60
        config = None
        while config is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{site}/{SCHOOL}/quan-tri/config.json", timeout=2) as r:  # fmt: skip
                    config = json.loads(r.read())
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
        assert config["backend"] == {
            **config["backend"],
            "name": "proxy",
            "proxy_url": f"http://127.0.0.1:{proxy}/api/v1",
        }
        assert config["publish_mode"] == "simple"  # saves straight into content/
        request = urllib.request.Request(
            config["backend"]["proxy_url"],
            data=b'{"action":"info"}',
            headers={"Content-Type": "application/json"},  # fmt: skip
        )
        with urllib.request.urlopen(request, timeout=5) as r:
            assert json.loads(r.read())["type"] == "local_fs"
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[0].decode()
    assert f"127.0.0.1:{site}/{SCHOOL}/quan-tri/" in out
    with pytest.raises(OSError):  # the local server ended with the preview
        urllib.request.urlopen(request, timeout=2)
