"""Byte-identical output across processes: hash seeds, file-system order, sharding.

The other determinism tests build in one process and its forks, which share one hash seed and
one view of the folders, so they cannot see output that depends on ``set`` order (string hashes
are salted per process), on the order a file system lists a folder, on the run's path, time or
process id. Here the demo network is built by fresh ``python -m edusite build`` processes under
different ``PYTHONHASHSEED`` values, from two copies of it written in opposite file order (a
file system that lists folders in creation order, such as tmpfs, then lists them differently)
at different paths, and every output byte is compared. The build reports in ``.edusite/`` are
compared without their ``finished`` and ``seconds`` (a record of the run, by design); sharded builds
leave them out (their labels differ by design, see docs/publishing.md).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from edusite.images.albums import load_album

pytestmark = pytest.mark.slow

NOW = "2026-11-22 12:00"
#: The demo network: what a checkout holds besides code, docs and tests.
DEMO = ("content", "sites", "shared-theme", "mkdocs.yml")
#: What a build report records about the run itself (when, how long), not about the output.
_FINISHED = re.compile(rb'"(finished|seconds)": ("[^"]*"|[0-9.]+|null)')
_BUILT: dict[tuple[str, ...], Path] = {}


def copy_demo(dest: Path, *, reverse: bool = False) -> Path:
    """Copy the demo network to ``dest``, creating files and folders in sorted path order (or
    the reverse); symlinks stay symlinks, times are kept."""
    dest.mkdir(parents=True)
    paths = sorted(
        p for name in DEMO for p in [REPO / name, *((REPO / name).rglob("*"))] if p.exists()
    )
    for src in reversed(paths) if reverse else paths:
        target = dest / src.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            target.symlink_to(os.readlink(src))
        elif src.is_dir():
            target.mkdir(exist_ok=True)
        else:
            shutil.copy2(src, target)
    return dest


def build_env(seed: int) -> dict[str, str]:
    """A clean environment for a build process: no ``EDUSITE_*`` from the test run, "now"
    pinned, the given hash seed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EDUSITE_", "PYTHONHASH"))}
    env.update(EDUSITE_NOW=NOW, PYTHONHASHSEED=str(seed), NO_MKDOCS_2_WARNING="1")
    return env


def run_build(root: Path, out: Path, *args: str, seed: int) -> None:
    """``python -m edusite build`` in a fresh process; fails the test when the build fails."""
    cmd = [sys.executable, "-m", "edusite", "build", "--root", str(root), "--out", str(out)]
    cmd += ["--no-cache", "--offline", "-j", "2", *args]
    proc = subprocess.run(cmd, env=build_env(seed), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def demo_root(factory: pytest.TempPathFactory, name: str) -> Path:
    """The demo copied once per session: ``forward`` or ``reverse`` file order."""
    key = ("root", name)
    if key not in _BUILT:
        _BUILT[key] = copy_demo(factory.mktemp(f"demo-{name}") / "net", reverse=name == "reverse")
    return _BUILT[key]


def demo_build(
    factory: pytest.TempPathFactory, root: str, *args: str, seed: int, name: str = ""
) -> Path:
    """The output of one build of the demo (copy ``root``), made once per session."""
    key = (root, *args, str(seed))
    if key not in _BUILT:
        out = factory.mktemp(name or f"out-{root}-{seed}") / "public"
        run_build(demo_root(factory, root), out, *args, seed=seed)
        _BUILT[key] = out
    return _BUILT[key]


def snapshot(folder: Path, *, reports: bool = True) -> dict[str, bytes]:
    """Every file below ``folder`` (relative POSIX path → bytes); build reports without their
    ``finished`` times and ``seconds``, or left out with ``reports=False``."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir():
            continue
        if rel.startswith(".edusite/"):
            if not reports:
                continue
            out[rel] = _FINISHED.sub(rb'"\1": ""', path.read_bytes())
        else:
            out[rel] = path.read_bytes()
    return out


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    """One line per differing file (missing on one side, or its first differing bytes)."""
    lines = [f"only in the first: {p}" for p in sorted(a.keys() - b.keys())]
    lines += [f"only in the second: {p}" for p in sorted(b.keys() - a.keys())]
    for path in sorted(a.keys() & b.keys()):
        x, y = a[path], b[path]
        if x != y:
            at = next((i for i, (c, d) in enumerate(zip(x, y, strict=False)) if c != d), None)
            at = min(len(x), len(y)) if at is None else at
            lines.append(
                f"{path} (sizes {len(x)}/{len(y)}, first difference at byte {at}):"
                f" {x[max(0, at - 60) : at + 60]!r} ≠ {y[max(0, at - 60) : at + 60]!r}"
            )
    return lines


def assert_same(a: dict[str, bytes], b: dict[str, bytes], what: str) -> None:
    assert len(a) > 1000, f"{what}: the demo output is missing ({len(a)} files)"
    diff = differences(a, b)
    shown = "\n".join(diff[:40]) + (f"\n… and {len(diff) - 40} more" if len(diff) > 40 else "")
    assert not diff, f"{what}: {len(diff)} files differ\n{shown}"


def test_builds_are_byte_identical_across_hash_seeds_paths_and_file_order(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    first = demo_build(tmp_path_factory, "forward", seed=1)
    second = demo_build(tmp_path_factory, "reverse", seed=2)
    assert_same(snapshot(first), snapshot(second), "PYTHONHASHSEED 1 vs 2")


def test_sharded_build_is_byte_identical_to_a_plain_one(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    plain = demo_build(tmp_path_factory, "forward", seed=1)
    root = demo_root(tmp_path_factory, "forward")
    shards = tmp_path_factory.mktemp("shards")
    for k, seed in ((1, 3), (2, 4)):  # CI: one job (process) per shard, each its own folder
        run_build(root, shards / str(k), "--shard", f"{k}/2", seed=seed)
    final = tmp_path_factory.mktemp("final") / "public"
    run_build(root, final, "--shard", "final", "--merge", str(shards), seed=5)
    assert_same(
        snapshot(plain, reports=False), snapshot(final, reports=False), "sharded vs plain build"
    )


def test_album_photo_order_does_not_depend_on_the_order_images_are_found(
    tmp_path: Path,
) -> None:
    """Photos sort naturally (``anh-2`` before ``anh-10``); names that sort alike (``a1`` and
    ``a01``, ``A1`` and ``a1``) are ordered by name, not by the order they were listed (the
    plugin collects them in a set, whose order depends on the hash seed)."""
    page = tmp_path / "index.md"
    page.write_text("---\ntitle: Album\ndate: 2026-11-19\nconsent: true\n---\n", encoding="utf-8")
    names = ["anh-10.jpg", "anh-2.jpg", "a01.jpg", "a1.jpg", "A1.jpg", "IMG_1.jpg", "img_1.jpg"]
    uris = [f"thu-vien-anh/x/{n}" for n in names]
    orders = set()
    for shift in range(len(uris)):
        album, _ = load_album("thu-vien-anh/x/index.md", page, uris[shift:] + uris[:shift])
        assert album is not None
        orders.add(tuple(p.src_uri.rsplit("/", 1)[1] for p in album.photos))
    assert len(orders) == 1, orders
    (order,) = orders
    assert order.index("anh-2.jpg") < order.index("anh-10.jpg")
