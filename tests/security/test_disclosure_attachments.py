"""Attachments of a disclosure page: their NAMES are editors' text and their contents are
hostile files.

* a title taken from the file name is text like any title: no tags, no bidi or invisible
  characters (it is shown on the section page, in the JSON report);
* a file name too long for any file system is refused by name, with a short message;
* an Office file with a part too large to read is refused, never passed as "opened, nothing
  personal in it" (the privacy scan could not read that part), and no part is inflated before
  the sizes are known (zip bombs).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import yaml
from edusite.disclosure.attachments import inspect
from edusite.disclosure.pages import load_page
from edusite.disclosure.rules import load_rules
from edusite.security.urls import INVISIBLE
from hostile import PAYLOADS

PAGE = "cong-khai/2026-2027/thong-tin-chung.md"
BASE = {
    "title": "Thông tin chung",
    "section": "thong-tin-chung",
    "school_year": "2026-2027",
    "published": "2026-06-25",
}
#: What a text field never holds: controls, invisible or bidi characters, the start of a tag.
_JUNK = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{INVISIBLE}]|<\\s*[a-zA-Z/!?]")


def _page(root: Path, attachments: list[dict[str, str]]) -> object:
    path = root / PAGE
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {**BASE, "attachments": attachments}
    path.write_text(
        "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\nNội dung\n", encoding="utf-8"
    )
    regime = load_rules().regime_for(2026)
    assert regime is not None
    return load_page(path, root, 2026, regime)


def test_titles_from_file_names_are_plain_text(tmp_path: Path) -> None:
    names = [f"{p[:60]}.pdf" for p in PAYLOADS if "/" not in p[:60] and ".." not in p[:60]]
    names.append("\u202egnp.exe\u200b Báo cáo\x07.pdf")
    present = "\u202eTệp thật\u2066.pdf"
    (tmp_path / PAGE).parent.mkdir(parents=True)
    (tmp_path / "cong-khai/2026-2027" / present).write_bytes(b"%PDF-1.4\n")
    page = _page(tmp_path, [{"file": n} for n in [*names, present]])
    titles = [a.title for a in page.attachments]  # type: ignore[attr-defined]
    assert len(titles) == len(names) + 1
    assert [t for t in titles if _JUNK.search(t)] == []
    assert "gnp.exe Báo cáo" in titles and "Tệp thật" in titles  # the words stay


def test_a_file_name_too_long_is_refused_by_name(tmp_path: Path) -> None:
    page = _page(tmp_path, [{"file": "a" * 5_000 + ".pdf"}])
    assert page.attachments == []  # type: ignore[attr-defined]
    [found] = [p for p in page.problems if p.field == "attachments[0].file"]  # type: ignore[attr-defined]
    assert found.severity == "error" and len(found.vi) < 300 and len(found.en) < 300


def _office(path: Path, part: str, size: int, needed: tuple[str, ...]) -> Path:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    pad = "<w:p><w:r><w:t>CCCD 001204012345</w:t></w:r></w:p>"
    body = pad * (size // len(pad) + 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in needed:
            zf.writestr(name, "<x/>" if name != "mimetype" else "application/x")
        zf.writestr(part, f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>')
    return path


def test_an_office_part_too_large_to_scan_is_refused(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    size = 21 * 1024 * 1024
    inflated: list[str] = []
    real = zipfile.ZipFile.testzip

    def testzip(self: zipfile.ZipFile) -> str | None:
        inflated.append(self.filename or "")
        return real(self)

    monkeypatch.setattr(zipfile.ZipFile, "testzip", testzip)
    cases = {
        "a.docx": ("word/document.xml", ("[Content_Types].xml",)),
        "b.odt": ("content.xml", ("mimetype",)),
        "c.xlsx": ("xl/worksheets/sheet1.xml", ("[Content_Types].xml", "xl/workbook.xml")),
    }
    for name, (part, needed) in cases.items():
        found = inspect(_office(tmp_path / name, part, size, needed))
        assert not found.ok, (name, found)
        assert "MB" in found.en and found.vi != found.en
    assert inflated == []  # refused from the sizes the archive declares
