"""File digests remembered by stat: reused when unchanged, never trusted when in doubt."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from edusite.digests import MISSING, Digests, reader
from edusite.memo import RACY_NS


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def age(path: Path, seconds: int = 60) -> None:
    """Make ``path`` look older than the racy window."""
    st = path.stat()
    old = st.st_mtime_ns - seconds * 1_000_000_000
    os.utime(path, ns=(old, old))


def test_digest_remembered_and_refreshed(tmp_path: Path) -> None:
    table = tmp_path / "digests.json"
    f = tmp_path / "a.md"
    f.write_bytes(b"one")
    age(f)
    d = Digests(table)
    assert d.of(f) == sha(b"one")
    d.save()
    saved = json.loads(table.read_text(encoding="utf-8"))["files"]
    assert saved[str(f)][3] == sha(b"one")
    # A new run trusts the stat: the file is not opened (a planted digest proves it).
    saved[str(f)][3] = "planted"
    table.write_text(json.dumps({"format": 1, "files": saved}), encoding="utf-8")
    assert Digests(table).of(f) == "planted"
    # Any change of size or time is hashed again.
    f.write_bytes(b"two!")
    age(f)
    assert Digests(table).of(f) == sha(b"two!")
    assert Digests(table).of(tmp_path / "gone.md") == MISSING


def test_young_files_are_never_remembered(tmp_path: Path) -> None:
    table = tmp_path / "digests.json"
    f = tmp_path / "new.md"
    f.write_bytes(b"fresh")  # modified just now: inside the racy window
    d = Digests(table)
    assert d.of(f) == sha(b"fresh")
    d.save()
    assert not table.exists() or str(f) not in json.loads(table.read_text())["files"]
    assert RACY_NS >= 1_000_000_000


def test_corrupt_table_is_ignored(tmp_path: Path) -> None:
    table = tmp_path / "digests.json"
    table.write_text("{broken", encoding="utf-8")
    f = tmp_path / "a.md"
    f.write_bytes(b"x")
    assert Digests(table).of(f) == sha(b"x")
    table.write_text(json.dumps({"format": 1, "files": {str(f): "nonsense"}}), encoding="utf-8")
    assert Digests(table).of(f) == sha(b"x")


def test_tree_lists_every_file_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_bytes(b"z")
    (tmp_path / "a.md").write_bytes(b"a")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"c")
    assert Digests().tree(tmp_path) == [("a.md", sha(b"a")), ("b/z.md", sha(b"z"))]


def test_reader_is_read_only_and_fresh_per_call(tmp_path: Path) -> None:
    table = tmp_path / "digests.json"
    f = tmp_path / "a.md"
    f.write_bytes(b"one")
    age(f)
    parent = Digests(table)
    parent.of(f)
    parent.save()
    before = table.read_bytes()
    view = reader(table)
    assert view.of(f) == sha(b"one")
    f.write_bytes(b"two")  # a later build in the same process sees the new bytes
    assert reader(table).of(f) == sha(b"two")
    view.save()
    assert table.read_bytes() == before
