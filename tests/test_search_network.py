"""A portal's network index at province scale: bounded selection, cached member blocks merged
incrementally (equal to a full merge), in unit tests and in real builds."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import make_network, post
from edusite.build.builder import build_network
from edusite.search import background
from edusite.search import index as ix
from edusite.search import network as net
from edusite.structure.network import get_network
from test_cache import UNITS

PORTAL = "https://s.vn/so/"


def rec(
    unit: str, n: int, kind: str = "tin-tuc", featured: bool = False, day: int = 1
) -> ix.Record:
    return ix.Record.make(
        f"tin-tuc/bai-{n}/",
        f"Hội giảng {unit} bài {n}",
        unit,
        date(2026, 10, day) if kind != "cong-khai" else None,
        kind,
        f"Nội dung tuyển sinh lớp {n} của {unit}.",
        featured,
    )


def write_member(out: Path, uid: str, records: list[ix.Record], settle: bool = True) -> None:
    folder = out / uid / ix.DIR
    ix.write(folder, ix.build(records, [(uid, uid)], f"https://s.vn/{uid}/"), records)
    if settle:  # as on a later run: its stat may be trusted (files younger than 2 s are not)
        old = time.time() - 60
        os.utime(ix.records_file(folder), (old, old))


def members(out: Path, ids: list[str]) -> list[net.Member]:
    return [net.Member(u, f"Trường {u}", f"https://s.vn/{u}/", out / u / ix.DIR) for u in ids]


def full_merge(out: Path, ids: list[str], budget: int) -> dict:
    blocks = net.member_blocks(members(out, ids), PORTAL, budget=budget, cache=None)
    builder = net.prepare(blocks, "so", "Sở")
    builder.add(ix.order([rec("so", 99, day=20)]))
    return builder.files(PORTAL)


def cached_merge(out: Path, ids: list[str], budget: int, cache: Path) -> tuple[dict, int]:
    store_hits = []
    real = net.BlockCache.save

    def spy(self, m):  # type: ignore[no-untyped-def]
        store_hits.append(self.hits)
        return real(self, m)

    net.BlockCache.save = spy  # type: ignore[method-assign]
    try:
        blocks = net.member_blocks(members(out, ids), PORTAL, budget=budget, cache=cache)
    finally:
        net.BlockCache.save = real  # type: ignore[method-assign]
    builder = net.prepare(blocks, "so", "Sở")
    builder.add(ix.order([rec("so", 99, day=20)]))
    return builder.files(PORTAL), store_hits[0]


@pytest.mark.parametrize("budget", [6000, 12])
def test_incremental_merge_equals_a_full_merge(tmp_path: Path, budget: int) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache" / "so.blocks"
    ids = [f"th-{i}" for i in range(6)]
    for i, uid in enumerate(ids):
        write_member(out, uid, [rec(uid, n, day=1 + (n + i) % 9) for n in range(5)])
    first, hits = cached_merge(out, ids, budget, cache)
    assert hits == 0 and cache.is_file()
    assert first == full_merge(out, ids, budget)
    # one school posts: only its block is read again, and the result equals a full merge
    write_member(
        out,
        "th-3",
        [rec("th-3", n, day=1 + n) for n in range(6)] + [rec("th-3", 50, featured=True, day=2)],
    )
    second, hits = cached_merge(out, ids, budget, cache)
    assert hits == len(ids) - 1
    assert second == full_merge(out, ids, budget)
    assert second != first
    # a school leaves the network, another joins: still equal to a full merge
    ids = [u for u in ids if u != "th-0"] + ["th-9"]
    write_member(out, "th-9", [rec("th-9", 1, day=9)])
    third, hits = cached_merge(out, ids, budget, cache)
    assert hits == len(ids) - 1 and third == full_merge(out, ids, budget)
    # a records.json written less than 2 s ago is read again whatever its stat says
    write_member(out, "th-4", [rec("th-4", 7, day=3)], settle=False)
    fourth, hits = cached_merge(out, ids, budget, cache)
    assert hits == len(ids) - 1 and fourth == full_merge(out, ids, budget)
    assert any(
        "th-4" in r[0] and "bai-7" in r[0]
        for n in range(fourth["manifest.json"]["chunks"])
        for r in fourth[f"docs/{n}.json"]
    )


def test_each_member_keeps_its_best_records_within_the_budget() -> None:
    recs = [
        rec("th-a", 1, day=9),
        rec("th-a", 2, day=8),
        rec("th-a", 3, "van-ban", day=1),
        rec("th-a", 4, featured=True, day=2),
        rec("th-a", 5, "cong-khai"),
        rec("th-a", 6, "trang"),
        rec("other", 7, day=20),  # a member portal's merged record: never re-read
    ]
    assert net.cap_for(6000, 3000) == 2 and net.cap_for(6000, 15) == 400
    assert net.cap_for(10, 3000) == 1  # past the budget: one record per member
    pick = lambda cap: [r.url for r in net.select("th-a", recs, cap)]  # noqa: E731
    # documents and featured posts first (newest first), then posts, pages, 3 công khai
    assert pick(2) == ["tin-tuc/bai-4/", "tin-tuc/bai-3/"]
    assert pick(4) == ["tin-tuc/bai-4/", "tin-tuc/bai-3/", "tin-tuc/bai-1/", "tin-tuc/bai-2/"]
    assert pick(5)[-1] == "tin-tuc/bai-6/"  # a page before a 3 công khai page
    assert len(pick(100)) == 6  # under the cap: every own record, nothing else
    assert [r.url for r in net.select("th-a", recs, 100)] == [r.url for r in recs[:6]]


def test_records_remember_featured_posts(tmp_path: Path) -> None:
    r = rec("th-a", 1, featured=True)
    assert r.to_json()["featured"] is True and "featured" not in rec("th-a", 2).to_json()
    ix.write(tmp_path, {"manifest.json": {}}, [r, rec("th-a", 2)])
    assert sorted(x.featured for x in ix.read_records(tmp_path)) == [False, True]


def test_network_index_is_bounded_and_uses_small_doc_chunks() -> None:
    members_ = [
        (f"th-{i}", f"Trường {i}", f"https://s.vn/th-{i}/", [rec(f"th-{i}", n) for n in range(8)])
        for i in range(200)
    ]
    builder = background.prepare(members_, "so", "Sở", PORTAL, budget=400)
    files = builder.files(PORTAL)
    manifest = files["manifest.json"]
    assert manifest["records"] == 400  # 2 per member, not 1,600
    assert manifest["chunk"] == 100  # up to CHUNK_LIMIT records: chunks of 100 as before
    big = background.prepare(members_, "so", "Sở", PORTAL, budget=1200)
    manifest = big.files(PORTAL)["manifest.json"]
    assert manifest["records"] == 1200 and manifest["chunk"] == ix.NETWORK_CHUNK
    assert manifest["chunks"] == 1200 // ix.NETWORK_CHUNK


def files() -> dict[str, str]:
    out = {"content/so/tin-tuc/2026/2026-10-04-so/index.md": post("Tin của Sở", "2026-10-04")}
    for uid in ("th-a", "th-b", "thpt"):
        for n, d in enumerate(("2026-10-01", "2026-10-02", "2026-10-03")):
            out[f"content/{uid}/tin-tuc/2026/{d}-tin/index.md"] = post(
                f"Hội giảng {uid} {d}", d, id=f"{uid}-{d}", featured=(n == 0)
            )
    return out


def search_tree(site: Path) -> dict[str, bytes]:
    folder = site / "search"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.json")}


def test_rebuild_after_one_post_equals_a_cold_build(
    tmp_path: Path, pinned_now: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_network(tmp_path / "net", UNITS, files())
    base = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - edusite-search" in base or "edusite-search:" in base
    # a small budget: 4 member records for 4 members, so each keeps its single best
    base = base.replace("edusite-search: {}", "edusite-search: {network_records: 4}")
    if "network_records" not in base:
        base = base.replace(
            "  - edusite-search\n", "  - edusite-search:\n      network_records: 4\n"
        )
    (root / "mkdocs.yml").write_text(base, encoding="utf-8")
    out, cache = tmp_path / "public", tmp_path / "cache"

    def build(ids: list[str] | None, dest: Path, cache_dir: Path | None) -> None:
        results = build_network(
            get_network(root), ids, out=dest, jobs=1, offline=True, cache_dir=cache_dir
        )
        assert all(r.ok for r in results), [r.errors for r in results]

    build(None, out, cache)
    assert (cache / "search" / "so.blocks").is_file()
    manifest = (out / "so" / "search" / "manifest.json").read_text(encoding="utf-8")
    assert '"records":4' in manifest  # the Sở's own post, one (featured) post per school
    titles = b"".join(search_tree(out / "so").values()).decode()
    assert "Hội giảng th-a 2026-10-01" in titles  # featured, older
    assert "Hội giảng th-a 2026-10-03" not in titles  # newer but not featured: left out
    for p in out.glob("*/.edusite/search/records.json"):  # as on CI: members' records settled
        old = time.time() - 60
        os.utime(p, (old, old))
    new = root / "content/th-b/tin-tuc/2026/2026-10-05-moi/index.md"
    new.parent.mkdir(parents=True)
    new.write_text(post("Tuyển sinh lớp 1 mới", "2026-10-05", id="th-b-moi", featured=True))
    build(["th-b", "pgd", "so"], out, cache)
    cold = tmp_path / "cold"
    build(None, cold, None)
    for uid in ("so", "pgd"):
        assert search_tree(out / uid) == search_tree(cold / uid), uid
    assert "Tuyển sinh lớp 1 mới" in b"".join(search_tree(out / "so").values()).decode()
