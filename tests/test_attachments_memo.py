"""Attachment inspections are remembered by content, never across a changed file."""

from __future__ import annotations

import json
from pathlib import Path

from edusite import context
from edusite.context import BuildContext
from edusite.disclosure import attachments as A
from test_disclosure_pages import pdf_bytes


def test_inspection_memo_by_content(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with context.active(BuildContext(root=tmp_path, out=tmp_path / "public", cache=cache)):
        _check_memo(tmp_path, cache)


def _check_memo(tmp_path: Path, cache: Path) -> None:
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(pdf_bytes())
    first = A.inspect(pdf)
    assert first.ok and first.pages == 1
    [memo] = list((cache / "attachments").glob("*.json"))
    assert json.loads(memo.read_text(encoding="utf-8"))["value"]["pages"] == 1
    # A later process reads the memo instead of opening the PDF (a planted value proves it).
    A._SEEN.clear()
    planted = json.loads(memo.read_text(encoding="utf-8"))
    planted["value"]["pages"] = 99
    memo.write_text(json.dumps(planted), encoding="utf-8")
    assert A.inspect(pdf).pages == 99
    # Other bytes: another key, a real inspection.
    A._SEEN.clear()
    pdf.write_bytes(b"%PDF-1.4 broken")
    broken = A.inspect(pdf)
    assert not broken.ok and "corrupt PDF" in broken.en
    # A corrupt memo is ignored.
    A._SEEN.clear()
    for m in (cache / "attachments").glob("*.json"):
        m.write_text("{", encoding="utf-8")
    assert not A.inspect(pdf).ok
