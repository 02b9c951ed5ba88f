"""Sharded builds: a deterministic subtree plan, and merged output identical to one build."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import make_network, post
from edusite.cli import main
from edusite.publishing.shard import (
    ShardError,
    final_units,
    merge_outputs,
    parse_shard,
    partition,
    read_build_status,
    subtrees,
    units_for,
)
from edusite.structure.network import get_network

#: Two portals (one with three schools), two schools directly under the Sở.
UNITS: dict[str, dict[str, Any]] = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so", "rollup": {"policy": "featured"}},
    "pgd-a": {
        "name": "Phòng GDĐT A",
        "kind": "portal",
        "parent": "so",
        "rollup": {"policy": "all"},
    },
    "th-a1": {"name": "Trường TH A1", "kind": "school", "level": "tieu-hoc", "parent": "pgd-a"},
    "th-a2": {"name": "Trường TH A2", "kind": "school", "level": "tieu-hoc", "parent": "pgd-a"},
    "thcs-a3": {"name": "Trường THCS A3", "kind": "school", "level": "thcs", "parent": "pgd-a"},
    "pgd-b": {
        "name": "Phòng GDĐT B",
        "kind": "portal",
        "parent": "so",
        "rollup": {"policy": "all"},
    },
    "th-b1": {"name": "Trường TH B1", "kind": "school", "level": "tieu-hoc", "parent": "pgd-b"},
    "thpt-x": {"name": "Trường THPT X", "kind": "school", "level": "thpt", "parent": "so"},
    "th-y": {"name": "Trường TH Y", "kind": "school", "level": "tieu-hoc", "parent": "so"},
}


def network_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for n, unit in enumerate(sorted(u for u in UNITS if u != "so"), start=1):
        for i in (1, 2):
            day = f"2026-10-{n:02d}"
            files[f"content/{unit}/tin-tuc/2026/{day}-tin-{i}/index.md"] = post(
                f"Tin {i} của {UNITS[unit]['name']}",
                f"{day} 0{i}:00",
                id=f"{unit}-{i}",
                categories=["thong-bao"],
                featured=(i == 1),
            )
    files["content/so/index.md"] = "# Sở GDĐT Thử\n"
    return files


@pytest.fixture
def root(tmp_path: Path, pinned_now: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")  # sitemap lastmod: no midnight flake
    return make_network(tmp_path / "net", UNITS, network_files())


def build(root: Path, *args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["build", "--root", str(root), "-j", "1", "--offline", "--no-cache", *args],
        catch_exceptions=False,
    )


def digest(folder: Path) -> dict[str, str]:
    """Every file's sha256, build reports (which differ by design: labels, times) left out."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".edusite" not in p.relative_to(folder).parts
    }


def test_plan_keeps_subtrees_whole_and_is_balanced(root: Path) -> None:
    network = get_network(root)
    assert subtrees(network) == [
        ["pgd-a", "th-a1", "th-a2", "thcs-a3"],
        ["pgd-b", "th-b1"],
        ["th-y"],
        ["thpt-x"],
    ]
    assert final_units(network) == ["so"]
    assert partition(network, 1) == [sorted(set(UNITS) - {"so"})]
    assert partition(network, 2) == [
        ["pgd-a", "th-a1", "th-a2", "thcs-a3"],
        ["pgd-b", "th-b1", "th-y", "thpt-x"],
    ]
    assert partition(network, 3) == [
        ["pgd-a", "th-a1", "th-a2", "thcs-a3"],
        ["pgd-b", "th-b1"],
        ["th-y", "thpt-x"],
    ]
    assert partition(network, 6)[4:] == [[], []]  # more shards than subtrees: some idle
    for n in (1, 2, 3, 4, 6):
        shards = partition(network, n)
        assert sorted(u for s in shards for u in s) == sorted(set(UNITS) - {"so"})
        for shard in shards:  # a school always lands with its portal
            for uid in shard:
                parent = network[uid].parent
                assert parent == "so" or parent in shard
        assert partition(get_network(root), n) == shards  # same plan on every runner
    assert units_for(network, parse_shard("2/3")) == ["pgd-b", "th-b1"]
    assert units_for(network, parse_shard("final")) == ["so"]


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "x", "2-3", ""])
def test_bad_shard_values_are_refused(text: str) -> None:
    with pytest.raises(ShardError, match="K/N"):
        parse_shard(text)


def test_sharded_builds_are_byte_identical_to_one_build(root: Path, tmp_path: Path) -> None:
    whole = build(root)
    assert whole.exit_code == 0, whole.output
    expected = digest(root / "public")
    assert "so/index.html" in expected and "th-y/feed.xml" in expected
    for n in (1, 2, 3):
        shards = tmp_path / f"shards-{n}"
        for k in range(1, n + 1):  # CI: one matrix job per shard, each with its own folder
            result = build(root, "--shard", f"{k}/{n}", "--out", str(shards / str(k)))
            assert result.exit_code == 0, result.output
        final = tmp_path / f"final-{n}"  # CI: the final job merges the downloaded artifacts
        result = build(root, "--shard", "final", "--out", str(final), "--merge", str(shards))
        assert result.exit_code == 0, result.output
        assert f"merged {n} phân mảnh" in result.output
        assert digest(final) == expected, f"N={n}"
        statuses = read_build_status(final)
        assert sorted(statuses) == sorted(UNITS) and all(s.ok for s in statuses.values())
        assert statuses["so"].label == "final" and statuses["th-y"].label.endswith(f"-of-{n}")


def test_merge_takes_only_owned_units_and_reports_missing_shards(
    root: Path, tmp_path: Path
) -> None:
    one, two = tmp_path / "s1", tmp_path / "s2"
    assert build(root, "--shard", "1/3", "--out", str(one)).exit_code == 0
    assert build(root, "--shard", "2/3", "--out", str(two)).exit_code == 0
    shutil.copytree(two / "pgd-b", one / "pgd-b")  # a stale copy left in shard 1's cached folder
    (one / "pgd-b/index.html").write_text("cũ / stale", encoding="utf-8")
    dest = tmp_path / "final"
    summary = merge_outputs([one, two], dest)
    assert summary.shards == ["shard-1-of-3", "shard-2-of-3"]
    assert summary.missing == ["3/3"]
    assert summary.units == ["pgd-a", "pgd-b", "th-a1", "th-a2", "th-b1", "thcs-a3"]
    assert (dest / "pgd-b/index.html").read_bytes() == (two / "pgd-b/index.html").read_bytes()
    assert sorted(p.name for p in (dest / ".edusite").iterdir()) == [
        "build-shard-1-of-3.json",
        "build-shard-2-of-3.json",
    ]
    with pytest.raises(ShardError, match="appears twice"):
        merge_outputs([one, one], tmp_path / "again")
    with pytest.raises(ShardError, match="no shard output"):
        merge_outputs([root / "content"], tmp_path / "none")


def test_shard_reports_hold_their_own_units_and_failures(root: Path, tmp_path: Path) -> None:
    (bad,) = (root / "content/th-y/tin-tuc").rglob("*-tin-1/index.md")
    bad.write_text(post("Hỏng", "ngày kia"), encoding="utf-8")
    out = tmp_path / "s3"
    result = build(root, "--shard", "3/3", "--out", str(out))
    assert result.exit_code == 1
    report = json.loads((out / ".edusite/build-shard-3-of-3.json").read_text(encoding="utf-8"))
    assert sorted(report["sites"]) == ["th-y", "thpt-x"]
    assert report["sites"]["th-y"]["ok"] is False and report["sites"]["thpt-x"]["ok"] is True
    both = build(root, "th-y", "--shard", "3/3")
    assert both.exit_code == 2 and "not both" in both.output
    merge_only = build(root, "--shard", "1/2", "--merge", str(out))
    assert merge_only.exit_code == 2 and "--merge only with --shard final" in merge_only.output
