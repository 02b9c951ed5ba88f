"""Shard outputs are CI artifacts: ``build --shard final --merge`` confines what they name.

A report (``.edusite/build-shard-K-of-N.json``) lists the units its shard built; the merge
replaces ``<out>/<id>/`` with the shard's copy. The rule, whatever the report says: nothing
outside ``--out`` is removed or written, nothing but a unit of the network lands in it, and no
byte a symbolic link points at is copied (the final step publishes what it merged).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_network
from edusite.cli import main
from edusite.publishing.shard import ShardError, merge_outputs
from hostile import tree_problems

UNITS = {
    "so": {"name": "Sở Thử", "kind": "so"},
    "th-a": {"name": "Trường A", "kind": "school", "level": "tieu-hoc", "parent": "so"},
}
#: What a report may name instead of a unit id: paths out of and into ``--out``, edusite's own
#: folders, names that are not one segment, ids unknown to the network, control characters.
HOSTILE_IDS = [
    "..",
    "../victim",
    "../../victim",
    "/tmp/abs",
    "",
    ".",
    ".edusite",
    "_shared",
    "th-a/../../victim",
    "th-a/..",
    "th-a\n",
    "\n::error title=x::y",
    "khong-co",  # well-formed, but not a unit of the network
]
SECRET = b"SECRET-OUTSIDE-THE-SHARD"


def shard(folder: Path, sites: dict[str, dict], k: int = 1, n: int = 1) -> Path:
    report = folder / ".edusite" / f"build-shard-{k}-of-{n}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps({"format": 1, "label": report.stem[6:], "sites": sites}))
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize("uid", HOSTILE_IDS)
def test_a_report_naming_anything_but_a_unit_is_refused(tmp_path: Path, uid: str) -> None:
    victim = tmp_path / "victim"  # what ../victim from out/ or a shard folder reaches
    (victim / "keep").mkdir(parents=True)
    (victim / "keep/file.txt").write_bytes(SECRET)
    before = snapshot(tmp_path)
    out = tmp_path / "work" / "out"
    src = shard(tmp_path / "work" / "s1", {uid: {"ok": True}, "th-a": {"ok": True}})
    (src / "th-a").mkdir()
    (src / "th-a/index.html").write_text("<p>A</p>")
    with pytest.raises(ShardError, match="unit id"):
        merge_outputs([src], out, {"so", "th-a"})
    assert snapshot(victim) == {k[7:]: v for k, v in before.items() if k.startswith("victim/")}
    assert not out.exists() or not any(out.iterdir()), "refused before --out was touched"


@pytest.mark.parametrize("where", ["file", "folder", "unit", "shared", "report", "reports"])
def test_a_shard_output_holding_a_symlink_is_refused(tmp_path: Path, where: str) -> None:
    secret = tmp_path / "secret"
    (secret / "dir").mkdir(parents=True)
    (secret / "dir/passwd").write_bytes(SECRET)
    (secret / "passwd").write_bytes(SECRET)
    src = tmp_path / "s1"
    (src / "th-a").mkdir(parents=True)
    (src / "th-a/index.html").write_text("<p>A</p>")
    (src / "_shared/abc123").mkdir(parents=True)
    (src / "_shared/abc123/theme.css").write_text("body{}")
    shard(src, {"th-a": {"ok": True}})
    if where == "file":
        os.symlink(secret / "passwd", src / "th-a/passwd.txt")
    elif where == "folder":
        os.symlink(secret / "dir", src / "th-a/assets")
    elif where == "unit":
        (src / "th-a/index.html").unlink()
        (src / "th-a").rmdir()
        os.symlink(secret, src / "th-a")
    elif where == "shared":
        os.symlink(secret / "dir", src / "_shared/def456")
    elif where == "report":
        report = src / ".edusite/build-shard-1-of-1.json"
        real = secret / "build-shard-1-of-1.json"
        report.rename(real)
        os.symlink(real, report)
    else:
        (src / ".edusite").rename(secret / "reports")
        os.symlink(secret / "reports", src / ".edusite")
    out = tmp_path / "out"
    with pytest.raises(ShardError, match="symbolic link"):
        merge_outputs([src], out, {"so", "th-a"})
    found = snapshot(out) if out.exists() else {}
    assert SECRET not in found.values()
    assert not tree_problems(out) if out.exists() else True


def test_the_final_step_refuses_a_hostile_shard_output(tmp_path: Path) -> None:
    """The command line passes the network's units: a report naming another id stops the
    final step before it builds or merges anything (exit 2)."""
    root = make_network(tmp_path / "net", UNITS, {"content/so/index.md": "# Sở\n"})
    src = shard(tmp_path / "s1", {"../../victim": {"ok": True}})
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "x.txt").write_bytes(SECRET)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["build", "--root", str(root), "-j", "1", "--offline", "--no-cache"]
        + ["--shard", "final", "--merge", str(src), "--out", str(out)],
    )
    assert result.exit_code == 2, result.output
    assert "unit id" in result.output
    assert (victim / "x.txt").read_bytes() == SECRET
