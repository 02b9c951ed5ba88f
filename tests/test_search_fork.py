"""A big portal's network index built by a forked child equals the in-process one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import make_network, post
from edusite.build.builder import build_network
from edusite.search import background
from edusite.structure.network import get_network
from test_cache import UNITS  # the same five-unit network


def files() -> dict[str, str]:
    out = {"content/so/tin-tuc/2026/2026-10-04-so/index.md": post("Tin của Sở", "2026-10-04")}
    for uid in ("th-a", "th-b", "thpt"):
        for d in ("2026-10-01", "2026-10-02"):
            out[f"content/{uid}/tin-tuc/2026/{d}-tin/index.md"] = post(
                f"Hội giảng {uid} {d}", d, id=f"{uid}-{d}"
            )
    return out


def search_tree(site: Path) -> dict[str, bytes]:
    folder = site / "search"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.json")}


def test_forked_merge_writes_the_same_index(
    tmp_path: Path, pinned_now: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_network(tmp_path, UNITS, files())
    marks = tmp_path / "marks"
    marks.mkdir()
    real = background.complete

    def marking(*args, **kw):  # type: ignore[no-untyped-def]
        target = args[3] if len(args) > 3 else kw["target"]
        (marks / f"{os.getpid()}-{target.parent.name}").write_text(str(os.getppid()))
        return real(*args, **kw)

    monkeypatch.setattr(background, "MIN_MEMBERS", 1)
    monkeypatch.setattr(background, "complete", marking)

    def build(out: Path) -> None:
        results = build_network(get_network(root), out=out, jobs=2, offline=True)
        assert all(r.ok for r in results), [r.errors for r in results]

    monkeypatch.setenv("EDUSITE_SEARCH_NO_FORK", "1")
    build(tmp_path / "inline")
    inline = {p.name.split("-", 1)[1]: int(p.read_text()) for p in marks.iterdir()}
    assert set(inline.values()) == {os.getpid()}  # every index written by a build worker
    for p in marks.iterdir():
        p.unlink()
    monkeypatch.delenv("EDUSITE_SEARCH_NO_FORK")
    build(tmp_path / "forked")
    # Now the portals' indexes were written by grandchildren of this test (worker -> fork).
    forked = {p.name.split("-", 1)[1]: int(p.read_text()) for p in marks.iterdir()}
    assert {u for u, ppid in forked.items() if ppid != os.getpid()} == {"so", "pgd"}
    for uid in ("so", "pgd"):
        assert search_tree(tmp_path / "forked" / uid) == search_tree(tmp_path / "inline" / uid)
    manifest = json.loads((tmp_path / "forked/so/search/manifest.json").read_text())
    assert manifest["records"] == 7  # the Sở's own post and its six members' posts
    assert not list((tmp_path / "forked").glob(".*search-own*"))


def test_failed_child_falls_back_in_process(
    tmp_path: Path, pinned_now: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_network(tmp_path, UNITS, files())
    monkeypatch.setattr(background, "MIN_MEMBERS", 1)
    real = background.complete
    parent = os.getpid()

    def failing_in_child(*args, **kw):  # type: ignore[no-untyped-def]
        if os.getppid() != parent:  # a forked grandchild of this test, not a build worker
            (tmp_path / "child-failed").write_text("yes")
            raise RuntimeError("child failure")
        return real(*args, **kw)

    monkeypatch.setattr(background, "complete", failing_in_child)
    results = build_network(get_network(root), out=tmp_path / "out", jobs=2, offline=True)
    assert all(r.ok for r in results), [r.errors for r in results]
    assert (tmp_path / "child-failed").exists()  # the child did fail ...
    manifest = json.loads((tmp_path / "out/so/search/manifest.json").read_text())
    assert manifest["records"] == 7  # ... and the worker wrote the index itself
