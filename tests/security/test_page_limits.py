"""Shapes of content made to cost a build (edusite.security.limits), invisible or look-alike
characters in names, and files that lie about what they are: each is refused with the reason,
naming the file, or built harmlessly. (Time and memory are measured by bench/hostile.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SMALL_NETWORK, make_network, post
from edusite.build.builder import build_network
from edusite.structure.network import get_network

POST = "content/th-a/tin-tuc/2026/2026-11-20-bai"


def _build(root: Path) -> dict[str, object]:
    results = build_network(get_network(root), out=root / "public", jobs=1, offline=True)
    return {r.unit_id: r for r in results}


def _net(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return make_network(tmp_path / "net", SMALL_NETWORK, files)


REFUSED = {
    "page over 1 MB": ("a" * 1_100_000 + "\n", "page too large"),
    "10,001 raw tags": ("<b>x</b>\n" * 5_001, "too many HTML tags"),
    "huge table": (("|" + "x|" * 200 + "\n") * 300, "tables too large"),
    "nested lists": ("".join("  " * i + "- mục\n" for i in range(200)), "nested too deeply"),
    "nested quotes": (">" * 100 + " x\n", "nested too deeply"),
    "emphasis bomb": ("*" * 5_000 + "a" + "*" * 5_000 + "\n", "formatting characters"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_costly_shapes_are_refused_with_the_reason(
    tmp_path: Path, pinned_now: str, case: str
) -> None:
    body, reason = REFUSED[case]
    root = _net(tmp_path, {f"{POST}/index.md": post("Bài", "2026-11-20", body=body)})
    results = _build(root)
    bad = results["th-a"]
    assert not bad.ok  # type: ignore[attr-defined]
    line = next(e for e in bad.errors if reason in e)  # type: ignore[attr-defined]
    assert "index.md" in line and line.index(" / ") < line.index(reason)  # Vietnamese first
    assert results["pgd"].ok and results["so"].ok  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "body",
    [
        "".join(f"## Mục {i}\n\nĐoạn {i}.\n\n" for i in range(10_000)),  # 10,000 headings
        "a\x00b\x00c " * 2_000 + "\n",  # NUL bytes
        "x" * 500_000 + "\n",  # a very long line under the size cap
        "".join("  " * i + "- mục\n" for i in range(30)),  # nesting people do write
    ],
)
def test_big_but_legitimate_pages_build(tmp_path: Path, pinned_now: str, body: str) -> None:
    root = _net(tmp_path, {f"{POST}/index.md": post("Bài", "2026-11-20", body=body)})
    results = _build(root)
    assert results["th-a"].ok, results["th-a"].errors  # type: ignore[attr-defined]
    page = (root / "public/th-a/tin-tuc/2026/2026-11-20-bai/index.html").read_bytes()
    assert b"\x00" not in page


@pytest.mark.parametrize(
    "folder",
    [
        "2026-11-20-th\u043eng-bao",  # Cyrillic o
        "2026-11-20-thong\u200b-bao",  # zero-width space
        "2026-11-20-thong-bao\u202egpj",  # right-to-left override
    ],
)
def test_look_alike_or_invisible_names_are_refused(
    tmp_path: Path, pinned_now: str, folder: str
) -> None:
    path = f"content/th-a/tin-tuc/2026/{folder}/index.md"
    root = _net(tmp_path, {path: post("Thông báo", "2026-11-20")})
    results = _build(root)
    text = "\n".join(results["th-a"].errors)  # type: ignore[attr-defined]
    assert not results["th-a"].ok and "Latin-looking" in text  # type: ignore[attr-defined]


def test_vietnamese_file_names_are_fine(tmp_path: Path, pinned_now: str) -> None:
    files: dict[str, str | bytes] = {
        f"{POST}/index.md": post("Bài", "2026-11-20", body="[Kế hoạch](Kế hoạch năm học.pdf)\n"),
        f"{POST}/Kế hoạch năm học.pdf": b"%PDF-1.4\nx\n",
    }
    results = _build(_net(tmp_path, files))
    assert results["th-a"].ok, results["th-a"].errors  # type: ignore[attr-defined]


def test_a_web_page_named_as_a_photo_is_refused(tmp_path: Path, pinned_now: str) -> None:
    files: dict[str, str | bytes] = {
        f"{POST}/index.md": post("Bài", "2026-11-20", image="anh.jpg", image_alt="Ảnh"),
        f"{POST}/anh.jpg": b"<html><script>alert(1)</script></html>",
    }
    root = _net(tmp_path, files)
    results = _build(root)
    assert not results["th-a"].ok  # type: ignore[attr-defined]
    assert any("anh.jpg" in e for e in results["th-a"].errors)  # type: ignore[attr-defined]
    assert not list((root / "public").rglob("anh*.jpg"))
