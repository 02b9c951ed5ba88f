"""Incremental builds: exactly the right sites rebuild; a corrupt cache is never trusted."""

from __future__ import annotations

from pathlib import Path

from conftest import make_network, post
from edusite.build.builder import build_network
from edusite.structure.network import get_network
from test_documents import PDF, doc_text, valid

UNITS = {
    "so": {"name": "Sở", "kind": "so"},
    "pgd": {"name": "Phòng", "kind": "portal", "parent": "so", "rollup": {"policy": "all"}},
    "th-a": {"name": "TH A", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "th-b": {"name": "TH B", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "thpt": {"name": "THPT", "kind": "school", "level": "thpt", "parent": "so"},
}


def files() -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {
        "content/so/van-ban/2026/kh-1/index.md": doc_text(**valid()),
        "content/so/van-ban/2026/kh-1/ke-hoach.pdf": PDF,
        "content/pgd/cong-khai/index.md": (
            "---\ntitle: Công khai của các đơn vị\ntemplate: disclosure-dashboard.html\n---\n"
        ),
    }
    for uid in ("th-a", "th-b", "thpt"):
        for d in ("2026-10-01", "2026-10-02"):
            out[f"content/{uid}/tin-tuc/2026/{d}-tin/index.md"] = post(
                f"Tin {uid} {d}", d, id=f"{uid}-{d}", featured=True
            )
    return out


def rebuilt(root: Path, **kw) -> set[str]:
    results = build_network(
        get_network(root),
        out=root / "public",
        jobs=1,
        offline=True,
        cache_file=root / ".cache/build.json",
        **kw,
    )
    assert all(r.ok for r in results), [r.errors for r in results]
    return {r.unit_id for r in results if not r.skipped}


def report_posts(root: Path) -> dict[str, int]:
    """Posts per unit in the Phòng's school-year report (its CSV)."""
    import csv
    import io

    data = (root / "public/pgd/bao-cao/bao-cao-2026-2027.csv").read_bytes().decode("utf-8-sig")
    return {r["Mã đơn vị"]: int(r["Tin bài"]) for r in csv.DictReader(io.StringIO(data))}


def test_incremental_rebuilds(tmp_path: Path, pinned_now: str) -> None:
    root = make_network(tmp_path, UNITS, files())
    assert rebuilt(root) == set(UNITS)
    # Nothing changed: a cold build settles in one pass (schools read the Sở's documents
    # from its content, not from its output, which did not exist yet when they were built).
    assert rebuilt(root) == set()
    assert "141/KH-SGDĐT" in (root / "public/th-a/van-ban/cap-tren/index.html").read_text(
        encoding="utf-8"
    )
    # One new post in th-a: th-a, then its portal and the Sở (their member feeds changed).
    new = root / "content/th-a/tin-tuc/2026/2026-10-03-moi/index.md"
    new.parent.mkdir(parents=True)
    new.write_text(
        post("Bài viết bổ sung tháng Mười", "2026-10-03", id="th-a-moi", featured=True),
        encoding="utf-8",
    )
    assert report_posts(root) == {"th-a": 2, "th-b": 2}
    assert rebuilt(root) == {"th-a", "pgd", "so"}
    # The report counts it (its memo of th-a is stale; th-b's is reused).
    assert report_posts(root) == {"th-a": 3, "th-b": 2}
    for portal in ("pgd", "so"):
        assert "Bài viết bổ sung tháng Mười" in (
            root / f"public/{portal}/tin-don-vi/index.html"
        ).read_text(encoding="utf-8")
    # An edit to a page outside the news (the contact page) changes the school and the search
    # indexes its portals merge, so the portals above it rebuild too, and nothing else.
    (root / "content/th-b/lien-he.md").write_text("# Liên hệ\n", encoding="utf-8")
    assert rebuilt(root) == {"th-b", "pgd", "so"}
    # The same edit again changes nothing.
    assert rebuilt(root) == set()
    # A member's disclosure flags (its config, not its content) change what its portals'
    # dashboards show: the school and the portals above it rebuild, the memo is not trusted.
    dashboard = root / "public/pgd/cong-khai/index.html"
    before = dashboard.read_text(encoding="utf-8")
    assert (root / ".cache/disclosure/th-b.json").exists()
    cfg_b = root / "sites/th-b/mkdocs.yml"
    cfg_b.write_text(
        cfg_b.read_text(encoding="utf-8").replace(
            "    kind: school", "    kind: school\n    disclosure:\n      meals: true"
        ),
        encoding="utf-8",
    )
    assert rebuilt(root) == {"th-b", "pgd", "so"}
    assert dashboard.read_text(encoding="utf-8") != before
    # The theme changes: everything rebuilds.
    (root / "shared-theme").unlink()
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "shared-theme", root / "shared-theme")
    (root / "shared-theme/assets/edusite.css").write_text("/* changed */", encoding="utf-8")
    assert rebuilt(root) == set(UNITS)
    # A parent's identity appears on its schools' pages, and its feed (read by the Sở) changes.
    cfg = root / "sites/pgd/mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("Phòng", "Phòng GDĐT"), encoding="utf-8")
    assert rebuilt(root) == {"pgd", "th-a", "th-b", "so"}
    # A deleted post disappears from the school and from the feeds portals read.
    shutil.rmtree(new.parent)
    assert rebuilt(root) == {"th-a", "pgd", "so"}
    assert not (root / "public/th-a/tin-tuc/2026/2026-10-03-moi").exists()
    assert report_posts(root) == {"th-a": 2, "th-b": 2}
    assert "th-a-moi" not in (root / "public/th-a/feed.xml").read_text(encoding="utf-8")
    for portal in ("pgd", "so"):  # and from the portals' roll-up pages and feeds
        assert "Bài viết bổ sung tháng Mười" not in (
            root / f"public/{portal}/tin-don-vi/index.html"
        ).read_text(encoding="utf-8")
        assert "th-a-moi" not in (root / f"public/{portal}/tin-don-vi/feed.xml").read_text(
            encoding="utf-8"
        )


def test_corrupt_or_missing_output_is_rebuilt(tmp_path: Path, pinned_now: str) -> None:
    root = make_network(tmp_path, UNITS, files())
    rebuilt(root)
    (root / ".cache/build.json").write_text("{not json", encoding="utf-8")
    assert rebuilt(root) == set(UNITS)
    (root / ".cache/build.json").write_text('{"format": 1, "sites": {"th-a": 5}}', encoding="utf-8")
    assert rebuilt(root) == set(UNITS)
    import shutil

    shutil.rmtree(root / "public/thpt")
    assert rebuilt(root) == {"thpt"}  # rebuilt byte-identical: the Sở needs no rebuild


def test_scheduled_post_expires_the_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EDUSITE_NOW", "2026-11-22 12:00")
    extra = {
        "content/thpt/tin-tuc/2026/2026-11-25-sap-toi/index.md": post(
            "Sắp tới", "2026-11-25 07:00", id="thpt-sap-toi"
        )
    }
    root = make_network(tmp_path, UNITS, {**files(), **extra})
    rebuilt(root)
    assert not (root / "public/thpt/tin-tuc/2026/2026-11-25-sap-toi").exists()
    assert rebuilt(root) == set()
    monkeypatch.setenv("EDUSITE_NOW", "2026-11-25 07:00")
    assert "thpt" in rebuilt(root)
    assert (root / "public/thpt/tin-tuc/2026/2026-11-25-sap-toi/index.html").exists()
