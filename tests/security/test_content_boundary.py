"""The content boundary: nothing outside a unit's content folder is read or published, and only
file types that cannot run script on the network's origin (edusite.security.confine)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SMALL_NETWORK, make_network, post
from edusite.build.builder import build_network
from edusite.cli import main
from edusite.structure.network import get_network

POST = "content/th-a/tin-tuc/2026/2026-11-20-bai-viet"
SECRET = "MAT-KHAU-BI-MAT-12345"


def _build(root: Path) -> dict[str, object]:
    results = build_network(get_network(root), out=root / "public", jobs=1, offline=True)
    return {r.unit_id: r for r in results}


def _published(root: Path, needle: str) -> list[Path]:
    """Output files holding ``needle`` (the secret must be in none)."""
    out = []
    for path in (root / "public").rglob("*"):
        if path.is_file() and needle.encode() in path.read_bytes():
            out.append(path)
    return out


@pytest.fixture
def net(tmp_path: Path, pinned_now: str) -> Path:
    root = make_network(
        tmp_path / "net",
        SMALL_NETWORK,
        {f"{POST}/index.md": post("Bài viết", "2026-11-20"), "content/th-a/index.md": "Chào.\n"},
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(f"root:x:0:0:{SECRET}\n", encoding="utf-8")
    (outside / "bi-mat.pdf").write_bytes(b"%PDF-1.4\n" + SECRET.encode())
    return root


def _errors(result: object) -> str:
    return "\n".join(result.errors)  # type: ignore[attr-defined]


def test_symlinked_file_to_outside_is_refused(net: Path) -> None:
    (net / POST / "passwd.pdf").symlink_to(net.parent / "outside" / "bi-mat.pdf")
    (net / POST / "anh.jpg").symlink_to("/etc/passwd")
    results = _build(net)
    bad = results["th-a"]
    assert not bad.ok  # type: ignore[attr-defined]
    text = _errors(bad)
    for name in ("passwd.pdf", "anh.jpg"):
        line = next(x for x in text.splitlines() if name in x)
        assert "liên kết tượng trưng" in line and "symbolic link points outside" in line
    assert results["pgd"].ok and results["so"].ok  # type: ignore[attr-defined]
    assert _published(net, SECRET) == [] and _published(net, "root:x:0:0") == []


def test_symlinked_folder_to_outside_and_loops_are_refused_fast(net: Path) -> None:
    (net / POST / "tai-lieu").symlink_to(net.parent / "outside", target_is_directory=True)
    (net / POST / "vong").symlink_to("..", target_is_directory=True)
    (net / "content/th-a/don-vi-khac").symlink_to(net / "content/pgd", target_is_directory=True)
    start = time.perf_counter()
    results = _build(net)
    assert time.perf_counter() - start < 30
    text = _errors(results["th-a"])
    for name in ("tai-lieu", "vong", "don-vi-khac"):
        assert any(name in x and "symbolic link points" in x for x in text.splitlines()), name
    assert _published(net, SECRET) == []


def test_symlink_inside_the_unit_folder_is_allowed(net: Path) -> None:
    (net / "content/th-a/tai-lieu").mkdir()
    (net / "content/th-a/tai-lieu/ke-hoach.pdf").write_bytes(b"%PDF-1.4\nke hoach\n")
    (net / POST / "ke-hoach.pdf").symlink_to(net / "content/th-a/tai-lieu/ke-hoach.pdf")
    results = _build(net)
    assert results["th-a"].ok, _errors(results["th-a"])  # type: ignore[attr-defined]
    assert (net / "public/th-a/tin-tuc/2026/2026-11-20-bai-viet/ke-hoach.pdf").is_file()


@pytest.mark.parametrize(
    "image", ["../" * 40 + "etc/passwd", "/etc/passwd", "../../../index.md", "anh.jpg"]
)
def test_cover_image_is_confined_to_the_post_folder(net: Path, image: str) -> None:
    if image == "anh.jpg":
        (net / POST / "anh.jpg").symlink_to("/etc/passwd")
    (net / POST / "index.md").write_text(
        post("Bài viết", "2026-11-20", image=image, image_alt="Ảnh"), encoding="utf-8"
    )
    results = _build(net)
    assert not results["th-a"].ok  # type: ignore[attr-defined]
    text = _errors(results["th-a"])
    assert "index.md" in text or "anh.jpg" in text
    assert "'image'" in text or "symbolic link" in text
    assert not (net / "public/th-a/feed.xml").exists()  # no enclosure revealing a size


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("trang.html", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("ma.js", b"alert(1)"),
        ("kieu.css", b"body{}"),
        ("chay.php", b"<?php system($_GET['c']); ?>"),
        ("khong-duoi", b"x"),
    ],
)
def test_file_types_that_could_run_script_are_refused(net: Path, name: str, data: bytes) -> None:
    (net / POST / name).write_bytes(data)
    results = _build(net)
    text = _errors(results["th-a"])
    assert not results["th-a"].ok and name in text  # type: ignore[attr-defined]
    assert "không được đăng" in text and "cannot be published" in text
    assert not list((net / "public").rglob(name))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bao-cao.pdf", b"<html><body><script>alert(1)</script></body></html>"),
        ("danh-sach.xlsx", b"<!doctype html><script>alert(1)</script>"),
        ("ke-hoach.docx", b"%PDF-1.4 not a zip"),
        ("so-lieu.csv", b"<svg onload=alert(1)>"),
    ],
)
def test_documents_must_be_what_their_extension_says(net: Path, name: str, data: bytes) -> None:
    (net / POST / name).write_bytes(data)
    results = _build(net)
    text = _errors(results["th-a"])
    assert not results["th-a"].ok and name in text  # type: ignore[attr-defined]
    assert not list((net / "public").rglob(name))


def test_dot_files_are_never_published(net: Path) -> None:
    (net / POST / ".htaccess").write_text("Options +ExecCGI\n", encoding="utf-8")
    (net / "content/th-a/.git-credentials").write_text(SECRET, encoding="utf-8")
    results = _build(net)
    assert results["th-a"].ok  # type: ignore[attr-defined]
    assert _published(net, SECRET) == [] and not list((net / "public").rglob(".htaccess"))


def test_publish_refuses_a_built_site_holding_a_symlink(net: Path) -> None:
    """Even if an output folder were tampered with after the build, nothing it links to goes."""
    import subprocess

    assert all(r.ok for r in _build(net).values())  # type: ignore[attr-defined]
    CliRunner().invoke(main, ["build", "--root", str(net), "-j", "1", "--offline"])
    (net / "public/th-a/mat-khau.txt").symlink_to(net.parent / "outside" / "passwd")
    subprocess.run(["git", "init", "-q", str(net)], check=True)
    result = CliRunner().invoke(main, ["publish", "--root", str(net), "--dry-run"])
    assert result.exit_code != 0
    assert "symbolic link" in result.output and "mat-khau.txt" in result.output
    assert os.path.islink(net / "public/th-a/mat-khau.txt")
