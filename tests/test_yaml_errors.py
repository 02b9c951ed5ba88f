"""YAML mistakes editors make, reported at their line in the file, Vietnamese then English,
with what to do, never PyYAML's own words: in posts, documents, disclosure pages, albums, any
page (MkDocs' front matter) and unit configs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_network
from edusite.disclosure.pages import load_page
from edusite.disclosure.rules import load_rules
from edusite.documents.load import load_document
from edusite.documents.model import load_types
from edusite.errors import EdusiteError, Problem
from edusite.images.albums import load_album
from edusite.structure.network import get_network
from edusite.structure.posts import load_post
from edusite.yamlio import CONFIG, check_page_source, load_front_matter, load_yaml

#: PyYAML's parser vocabulary, which must not reach an editor.
RAW = ("mapping values", "could not find expected", "did not find expected", "while scanning",
       "while parsing", "<block end>", "found character", "problem_mark")  # fmt: skip


def post_problems(tmp_path: Path, front_matter: str) -> list[Problem]:
    path = tmp_path / "tin-tuc/2026/2026-09-05-hop/index.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front_matter}---\n\nNội dung.\n", encoding="utf-8")
    post, problems = load_post(path, "tin-tuc/2026/2026-09-05-hop/index.md", unit_id="th-a", categories={})  # fmt: skip
    assert post is None
    return problems


# (front matter, line in the file, column, Vietnamese, English); the file's line 1 is "---".
CASES = {
    "colon in a value": (
        "title: Họp phụ huynh: học kỳ I\ndate: 2026-09-05\n",
        2, 21,
        'giá trị có dấu hai chấm (:) mà không nằm trong dấu ngoặc kép; đặt giá trị trong dấu ngoặc kép: title: "Họp phụ huynh: học kỳ I"',
        'the value holds a colon (:) but is not in quotes; put the value in double quotes: title: "Họp phụ huynh: học kỳ I"',
    ),
    "unclosed double quote": (
        'date: 2026-09-05\ntitle: "Khai giảng năm học mới\nsummary: Lễ khai giảng\n',
        3, 8,
        'dấu ngoặc kép (") mở ở đây nhưng không được đóng; thêm " ở cuối giá trị',
        'the double quote (") opened here is never closed; add the closing " at the end of the value',
    ),
    "unclosed single quote": (
        "date: 2026-09-05\nsummary: x\ntitle: 'Khai giảng\n",
        4, 8,
        "dấu nháy đơn (') mở ở đây nhưng không được đóng; thêm ' ở cuối giá trị",
        "the single quote (') opened here is never closed; add the closing ' at the end of the value",
    ),
    "text after a closing quote": (
        'title: "Khai giảng" năm học mới\ndate: 2026-09-05\n',
        2, 21,
        'có chữ sau dấu ngoặc kép (") đóng: cả giá trị phải nằm trong một cặp dấu ngoặc',
        'text follows the closing double quote ("): the whole value must be inside one pair of quotes',
    ),
    "tab indentation": (
        "title: Họp\ncategories:\n\t- thong-bao\n",
        4, 1,
        "có ký tự tab: YAML chỉ thụt lề bằng dấu cách; thay tab bằng dấu cách",
        "a tab character: YAML indents with spaces only; replace the tab with spaces",
    ),
    "a line indented too far": (
        "title: Họp\n  date: 2026-09-05\n",
        3, 3,
        "dòng này thụt lề sâu hơn dòng trên; các trường cùng cấp phải bắt đầu ở cùng một cột; xóa các dấu cách thừa ở đầu dòng",
        "this line is indented more than the line above; fields of one level must start in the same column; remove the extra spaces at the start of the line",
    ),
    "a line not indented enough": (
        "title: Họp\ncategories:\n  - thong-bao\n - hoat-dong\n",
        5, 2,
        "thụt lề không khớp: các trường cùng cấp phải bắt đầu ở cùng một cột",
        "the indentation does not match: fields of one level must start in the same column",
    ),
    "missing colon": (
        "title: Họp\ndate 2026-09-05\nsummary: Họp đầu năm\n",
        3, 1,
        "dòng này thiếu dấu hai chấm (:) sau tên trường; viết: date: 2026-09-05 (dấu hai chấm rồi một dấu cách)",
        "this line lacks the colon (:) after the field name; write: date: 2026-09-05 (a colon, then a space)",
    ),
    "missing colon on the first line": (
        "title Họp\ndate: 2026-09-05\n",
        2, 1,
        "dòng này thiếu dấu hai chấm (:) sau tên trường; viết: title: Họp",
        "this line lacks the colon (:) after the field name; write: title: Họp",
    ),
    "block value not indented": (
        "title: Họp\nsummary: |\nDòng một\n",
        4, 1,
        "các dòng của giá trị nhiều dòng (sau | hoặc >) phải thụt lề",
        "the lines of a multi-line value (after | or >) must be indented",
    ),
    "unclosed list (end of the front matter)": (
        "title: Họp\ndate: 2026-09-05\ncategories: [thong-bao, hoat-dong\n",
        4, 13,
        "dấu [ mở ở đây nhưng không được đóng bằng ]",
        "the [ opened here is not closed with ]",
    ),
    "duplicate key": (
        "title: Họp\ndate: 2026-09-05\ntitle: Họp phụ huynh\n",
        4, 1,
        "trường 'title' đã có ở dòng 2; mỗi trường chỉ được viết một lần, hãy xóa một dòng",
        "field 'title' is already set at line 2; each field may be given once, delete one of the lines",
    ),
    "value starting with @": (
        "title: Họp\nauthor: @ban-bien-tap\n",
        3, 9,
        "giá trị không được bắt đầu bằng ký tự @; đặt giá trị trong dấu ngoặc kép",
        "a value cannot start with @; put the value in double quotes",
    ),
    "backslash in double quotes": (
        'title: "Tệp C:\\du-lieu"\n',
        2, 15,
        "trong dấu ngoặc kép, dấu \\ bắt đầu một mã thoát",
        "inside double quotes a backslash starts an escape",
    ),
    "control character": (
        "title: Họp\x07 phụ huynh\n",
        2, 11,
        "ký tự điều khiển U+0007 không được phép",
        "the control character U+0007 is not allowed",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_post_errors_name_the_line_in_the_file(tmp_path: Path, name: str) -> None:
    front_matter, line, col, vi, en = CASES[name]
    [p] = post_problems(tmp_path, front_matter)
    assert p.file.endswith("tin-tuc/2026/2026-09-05-hop/index.md")
    assert p.vi.startswith(f"YAML không hợp lệ ở dòng {line}, cột {col}: {vi}"), p.vi
    assert p.en.startswith(f"invalid YAML at line {line}, column {col}: {en}"), p.en
    assert str(p).index("YAML không hợp lệ") < str(p).index("invalid YAML")  # Vietnamese first
    assert not [w for w in RAW if w in str(p)], str(p)


def test_the_line_counts_from_the_file_not_the_front_matter() -> None:
    """The same YAML read as a file (config) and as front matter: one line apart."""
    text = "title: Họp: lớp 1\n"
    with pytest.raises(EdusiteError) as as_file:
        load_yaml(text, "x.yml", limits=CONFIG)
    with pytest.raises(EdusiteError) as as_front_matter:
        load_front_matter(text, "x.md")
    assert "ở dòng 1, cột 11" in as_file.value.problems[0].vi
    assert "ở dòng 2, cột 11" in as_front_matter.value.problems[0].vi


def test_a_byte_order_mark_does_not_shift_lines(tmp_path: Path) -> None:
    path = tmp_path / "tin-tuc/2026/2026-09-05-hop/index.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("\ufeff---\ntitle: x\ndate: 2026-09-05\ntitle: y\n---\n".encode())
    _, [p] = load_post(path, "tin-tuc/2026/2026-09-05-hop/index.md", unit_id="th-a", categories={})
    assert "ở dòng 4, cột 1" in p.vi and "at line 4, column 1" in p.en


def test_document_error_line(tmp_path: Path) -> None:
    path = tmp_path / "van-ban/2026/ke-hoach.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        "---\nso_hieu: 12/KH-THA\nloai: Kế hoạch\ntrich_yeu: Kế hoạch: năm học mới\n---\n",
        encoding="utf-8",
    )
    doc, [p] = load_document(path, "van-ban/2026/ke-hoach.md", unit_id="th-a", types=load_types())
    assert doc is None
    assert p.vi.startswith("YAML không hợp lệ ở dòng 4, cột 20: giá trị có dấu hai chấm"), p.vi
    assert 'trich_yeu: "Kế hoạch: năm học mới"' in p.en


def test_disclosure_page_error_line(tmp_path: Path) -> None:
    docs = tmp_path / "content/th-a"
    path = docs / "cong-khai/2026-2027/thong-tin-chung.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        "---\ntitle: Thông tin chung\nsection: thong-tin-chung\nschool_year: 2026-2027\n"
        "published: 2026-09-30\n\tas_of: 2026-09-01\n---\n",
        encoding="utf-8",
    )
    page = load_page(path, docs, 2026, load_rules().regime_for(2026))
    [p] = [p for p in page.problems if "YAML" in p.vi]
    assert p.vi.startswith("YAML không hợp lệ ở dòng 6, cột 1: có ký tự tab"), p.vi
    assert p.en.startswith("invalid YAML at line 6, column 1: a tab character"), p.en


def test_album_error_line(tmp_path: Path) -> None:
    path = tmp_path / "thu-vien-anh/khai-giang/index.md"
    path.parent.mkdir(parents=True)
    path.write_text('---\ntitle: "Khai giảng\ndate: 2026-09-05\n---\n', encoding="utf-8")
    album, [p] = load_album("thu-vien-anh/khai-giang/index.md", path, [])
    assert album is None
    assert p.vi.startswith('YAML không hợp lệ ở dòng 2, cột 8: dấu ngoặc kép (") mở ở đây'), p.vi


@pytest.mark.parametrize("name", ["colon in a value", "duplicate key", "missing colon"])
def test_any_page_front_matter_as_mkdocs_reads_it(name: str) -> None:
    """Pages MkDocs reads itself: a warning (MkDocs would drop the metadata) at the same line."""
    front_matter, line, col, vi, _en = CASES[name]
    [p] = check_page_source(f"---\n{front_matter}---\n\n# Trang\n", "gioi-thieu/index.md")
    assert p.severity == "warning"
    assert p.vi.startswith(f"YAML không hợp lệ ở dòng {line}, cột {col}: {vi}"), p.vi


GOOD = {
    "so": {"name": "Sở", "kind": "so"},
    "th": {"name": "Trường TH", "kind": "school", "level": "tieu-hoc", "parent": "so"},
}


def network_errors(root: Path) -> list[str]:
    with pytest.raises(EdusiteError) as info:
        get_network(root)
    return [str(p) for p in info.value.problems]


def test_unit_config_error_line(tmp_path: Path) -> None:
    root = make_network(tmp_path, GOOD)
    (root / "sites/th/mkdocs.yml").write_text(
        "INHERIT: ../../mkdocs.yml\nsite_name: Trường TH: Kim Đồng\n", encoding="utf-8"
    )
    [e] = network_errors(root)
    assert e.startswith(
        "sites/th/mkdocs.yml: YAML không hợp lệ ở dòng 2, cột 21: giá trị có dấu hai chấm (:)"
    ), e
    assert 'site_name: "Trường TH: Kim Đồng"' in e


def test_unit_config_duplicate_key(tmp_path: Path) -> None:
    root = make_network(tmp_path, GOOD)
    path = root / "sites/th/mkdocs.yml"
    path.write_text(path.read_text(encoding="utf-8") + "site_name: Khác\n", encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index("site_name: Trường TH") + 1
    [e] = network_errors(root)
    assert e.startswith(
        f"sites/th/mkdocs.yml: trường 'site_name' / field 'site_name': YAML không hợp lệ ở dòng "
        f"{len(lines)}, cột 1: trường 'site_name' đã có ở dòng {first}"
    ), e
