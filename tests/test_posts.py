"""Front-matter validation of news posts: exact messages, both languages."""

from pathlib import Path

from conftest import post, write_files
from edusite.structure.posts import load_post

CATS = {"thong-bao": "Thông báo", "tin-tuc-su-kien": "Tin tức - Sự kiện"}
SRC = "tin-tuc/2026/2026-09-05-khai-giang/index.md"


def load(tmp_path: Path, text: str, **kw):
    write_files(tmp_path, {SRC: text})
    return load_post(tmp_path / SRC, SRC, unit_id="th-a", categories=CATS, **kw)


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def test_valid_post(tmp_path: Path) -> None:
    p, problems = load(
        tmp_path,
        post("Khai giảng", "2026-09-05 07:30", categories=["Thông báo"], featured=True, id="x-1"),
    )
    assert problems == []
    assert p.url == "tin-tuc/2026/2026-09-05-khai-giang/"
    assert p.categories == ["thong-bao"]  # names are accepted and mapped to slugs
    assert p.featured and p.id == "x-1"
    assert p.date.isoformat() == "2026-09-05T07:30:00+07:00"


def test_missing_title(tmp_path: Path) -> None:
    p, problems = load(tmp_path, post("", "2026-09-05"))
    assert p is None
    assert messages(problems) == [
        f"{tmp_path / SRC}: trường 'title' / field 'title': bắt buộc: tiêu đề (chuỗi, bắt buộc) / required: title (text, required)"
    ]


def test_bad_date(tmp_path: Path) -> None:
    p, problems = load(tmp_path, post("Khai giảng", "32/13/2026"))
    assert p is None
    msg = messages(problems)
    assert len(msg) == 1
    assert "trường 'date' / field 'date': ngày '32/13/2026' không hợp lệ" in msg[0]
    assert "invalid date '32/13/2026'; expected publication date as yyyy-mm-dd" in msg[0]


def test_unknown_category(tmp_path: Path) -> None:
    p, problems = load(tmp_path, post("Khai giảng", "2026-09-05", categories=["Thể thao"]))
    assert p is None
    assert messages(problems) == [
        f"{tmp_path / SRC}: trường 'categories' / field 'categories': chuyên mục 'Thể thao' không có trong danh sách; "
        "chọn trong: thong-bao, tin-tuc-su-kien / unknown category 'Thể thao'; expected one of: thong-bao, tin-tuc-su-kien"
    ]


def test_missing_image_and_alt_warning(tmp_path: Path) -> None:
    p, problems = load(tmp_path, post("Khai giảng", "2026-09-05", image="khong-co.jpg"))
    assert p is None
    assert "image file 'khong-co.jpg' not found in the post folder" in messages(problems)[0]
    write_files(tmp_path, {"tin-tuc/2026/2026-09-05-khai-giang/anh.jpg": b"\xff\xd8"})
    p, problems = load(tmp_path, post("Khai giảng", "2026-09-05", image="anh.jpg"))
    assert p is not None and p.image == "anh.jpg"
    assert [x.severity for x in problems] == ["warning"]
    assert "image_alt" in messages(problems)[0]


def test_group_must_be_known_and_bool_fields(tmp_path: Path) -> None:
    p, problems = load(
        tmp_path, post("K", "2026-09-05", group="Tổ Toán", featured="có"), groups=["Tổ 1-2-3"]
    )
    assert p is None
    msg = messages(problems)
    assert any("group 'Tổ Toán' is not one of the unit's groups: Tổ 1-2-3" in m for m in msg)
    assert any("field 'featured'" in m and "expected true or false, got 'có'" in m for m in msg)


def test_nfd_text_becomes_nfc_and_fallback_id(tmp_path: Path) -> None:
    import unicodedata

    title = unicodedata.normalize("NFD", "Đại hội Liên đội")
    p, _ = load(tmp_path, post(title, "2026-09-05"))
    assert p.title == unicodedata.normalize("NFC", "Đại hội Liên đội")
    assert p.id == "urn:edusite:th-a:2026-09-05-khai-giang"


def test_folder_date_mismatch_and_bad_folder_warn(tmp_path: Path) -> None:
    _, problems = load(tmp_path, post("Khai giảng", "2026-09-06"))
    assert [p.severity for p in problems] == ["warning"]
    assert "differs from the folder name '2026-09-05-khai-giang'" in str(problems[0])
    src = "tin-tuc/2026/Khai giảng/index.md"
    write_files(tmp_path, {src: post("Khai giảng", "2026-09-05")})
    _, problems = load_post(tmp_path / src, src, unit_id="u", categories=CATS)
    assert "e.g. '2026-09-05-khai-giang'" in str(problems[0])
