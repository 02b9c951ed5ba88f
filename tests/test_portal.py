"""Portal pages built from members' feeds by a real build: roll-up lists, per-unit filters, feed."""

from __future__ import annotations

from pathlib import Path

import feedparser
from conftest import make_network, post
from edusite.build.builder import build_network
from edusite.structure.network import get_network

UNITS = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so", "rollup": {"policy": "featured"}},
    "pgd": {
        "name": "Phòng GDĐT Thử",
        "kind": "portal",
        "parent": "so",
        "rollup": {"policy": "all"},
    },
    "th-a": {"name": "Trường TH A", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "th-b": {"name": "Trường TH B", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "thpt": {"name": "Trường THPT C", "kind": "school", "level": "thpt", "parent": "so"},
}


def network(tmp_path: Path) -> Path:
    files = {}
    for uid in ("th-a", "th-b", "thpt", "pgd"):
        for n, day in enumerate(("2026-10-01", "2026-10-02", "2026-10-03")):
            files[f"content/{uid}/tin-tuc/2026/{day}-tin/index.md"] = post(
                f"Tin {n + 1} của {uid}",
                f"{day} 0{n + 7}:00",
                id=f"{uid}-{day}",
                featured=(n == 0),
                summary=f"Tóm tắt {uid} {n}",
            )
    return make_network(tmp_path, UNITS, files)


def test_portals_show_members_news_per_policy(tmp_path: Path, pinned_now: str) -> None:
    root = network(tmp_path)
    results = build_network(get_network(root), out=root / "public", jobs=1, offline=True)
    assert all(r.ok for r in results), [r.errors for r in results]
    pgd = (root / "public/pgd/tin-don-vi/index.html").read_text(encoding="utf-8")
    # District: all news of its schools (3 + 3), each card naming its school and linking out.
    assert pgd.count('class="es-card"') == 6
    assert "Trường TH A" in pgd and "Trường TH B" in pgd and "THPT" not in pgd
    assert 'href="https://lamgiang.edu.vn/th-a/tin-tuc/2026/2026-10-01-tin/"' in pgd
    unit_page = (root / "public/pgd/tin-don-vi/th-b/index.html").read_text(encoding="utf-8")
    assert unit_page.count('class="es-card"') == 3 and "Tin 1 của th-a" not in unit_page
    # Sở: featured posts of every descendant + the district portal's own news, once each.
    so_feed = feedparser.parse((root / "public/so/tin-don-vi/feed.xml").read_bytes())
    assert so_feed.bozo == 0
    ids = [e.id for e in so_feed.entries]
    assert len(ids) == len(set(ids))
    assert set(ids) == {
        "th-a-2026-10-01",
        "th-b-2026-10-01",
        "thpt-2026-10-01",
        "pgd-2026-10-01",
        "pgd-2026-10-02",
        "pgd-2026-10-03",
    }
    assert ids == sorted(
        ids,
        key=lambda i: [e for e in so_feed.entries if e.id == i][0].published_parsed,
        reverse=True,
    )
    assert all(e.link.startswith("https://lamgiang.edu.vn/") for e in so_feed.entries)
    health = (root / "public/so/tin-don-vi/tinh-trang-nguon-tin/index.html").read_text(
        encoding="utf-8"
    )
    assert "Trường THPT C" in health and "Tốt" in health
    home = (root / "public/pgd/index.html").read_text(encoding="utf-8")
    assert "Tin đơn vị" in home  # menu entry


def test_failed_member_keeps_last_good_items(tmp_path: Path, pinned_now: str) -> None:
    root = network(tmp_path)
    net = get_network(root)
    assert all(r.ok for r in build_network(net, out=root / "public", jobs=1, offline=True))
    bad = root / "content/th-b/tin-tuc/2026/2026-10-02-tin/index.md"
    bad.write_text(post("Hỏng", "không phải ngày"), encoding="utf-8")
    results = {
        r.unit_id: r
        for r in build_network(get_network(root), out=root / "public", jobs=1, offline=True)
    }
    assert not results["th-b"].ok and results["pgd"].ok
    pgd = (root / "public/pgd/tin-don-vi/index.html").read_text(encoding="utf-8")
    assert "Tin 2 của th-b" in pgd  # th-b's last good feed is still rolled up
