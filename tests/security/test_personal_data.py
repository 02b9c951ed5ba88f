"""Personal data caught by the build: the unit fails (its last good output stays), and the number
reaches no page, feed or search index — neither the school's nor its Phòng's nor the Sở's."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SMALL_NETWORK, make_network, post
from edusite.build.builder import build_network
from edusite.structure.network import get_network

CCCD = "001203004567"
POST = "content/th-a/tin-tuc/2026/2026-11-20-ket-qua-thi"


def _build(root: Path) -> dict[str, object]:
    results = build_network(get_network(root), out=root / "public", jobs=1, offline=True)
    return {r.unit_id: r for r in results}


def _holding(root: Path, needle: str) -> list[str]:
    return sorted(
        str(p.relative_to(root / "public"))
        for p in (root / "public").rglob("*")
        if p.is_file() and needle.encode() in p.read_bytes()
    )


@pytest.fixture
def net(tmp_path: Path, pinned_now: str) -> Path:
    files = {
        f"{POST}/index.md": post(
            "Kết quả thi học sinh giỏi", "2026-11-20", featured=True, body="Chúc mừng các em.\n"
        ),
        "content/th-a/index.md": "Chào mừng.\n",
    }
    root = make_network(tmp_path / "net", SMALL_NETWORK, files)
    results = _build(root)
    assert all(r.ok for r in results.values())  # type: ignore[attr-defined]
    return root


def test_citizen_id_in_a_post_fails_the_unit_and_reaches_no_index(net: Path) -> None:
    (net / POST / "index.md").write_text(
        post(
            "Kết quả thi học sinh giỏi",
            "2026-11-20",
            featured=True,
            body=f"Chúc mừng các em.\n\nEm Nguyễn Văn A, số định danh {CCCD}, đạt giải nhất.\n",
        ),
        encoding="utf-8",
    )
    results = _build(net)
    bad = results["th-a"]
    assert not bad.ok  # type: ignore[attr-defined]
    (line,) = [e for e in bad.errors if "001*******67" in e]  # type: ignore[attr-defined]
    assert "index.md" in line and "dòng/line 9" in line and "personal data" in line
    assert CCCD not in line  # the message does not spread the number
    assert results["pgd"].ok and results["so"].ok  # type: ignore[attr-defined]
    assert _holding(net, CCCD) == []
    # The last good output is still published, and still searchable on the portals.
    assert (net / "public/th-a/tin-tuc/2026/2026-11-20-ket-qua-thi/index.html").is_file()
    assert _holding(net, "Chúc mừng các em") != []


def test_birth_date_table_fails_the_unit(net: Path) -> None:
    table = (
        "| Họ và tên | Ngày sinh | Lớp |\n|---|---|---|\n"
        "| Nguyễn Văn A | 12/05/2019 | 1A |\n| Trần Thị B | 03/09/2019 | 1B |\n"
    )
    (net / POST / "index.md").write_text(
        post("Danh sách học sinh", "2026-11-20", body=table), encoding="utf-8"
    )
    results = _build(net)
    assert not results["th-a"].ok  # type: ignore[attr-defined]
    assert any("ngày sinh" in e for e in results["th-a"].errors)  # type: ignore[attr-defined]
    assert _holding(net, "12/05/2019") == []


def test_a_birthday_in_a_sentence_is_news_not_a_leak(net: Path) -> None:
    (net / POST / "index.md").write_text(
        post(
            "Kỷ niệm ngày sinh Bác",
            "2026-11-20",
            body="Kỷ niệm ngày sinh Chủ tịch Hồ Chí Minh (19/5/1890 - 19/5/2026).\n",
        ),
        encoding="utf-8",
    )
    assert _build(net)["th-a"].ok  # type: ignore[attr-defined]
