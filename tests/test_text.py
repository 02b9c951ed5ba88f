"""Vietnamese text rules: NFC, slugs with đ→d, folding, dates in Asia/Ho_Chi_Minh."""

import unicodedata
from datetime import datetime, timezone

import pytest
from edusite.text import fold, format_date, nfc, parse_datetime, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Đại hội Đoàn", "dai-hoi-doan"),
        ("Khai giảng năm học 2026–2027", "khai-giang-nam-hoc-2026-2027"),
        ("ĐỒNG NAI: Tuyển sinh lớp 10!", "dong-nai-tuyen-sinh-lop-10"),
        ('Hội thi "Giáo viên dạy giỏi" cấp trường', "hoi-thi-giao-vien-day-gioi-cap-truong"),
        ("Ngày Nhà giáo Việt Nam 20/11", "ngay-nha-giao-viet-nam-20-11"),
    ],
)
def test_slugify_folds_tones_and_d(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_same_for_nfd_input() -> None:
    nfd = unicodedata.normalize("NFD", "Đại hội Liên đội Trường Tiểu học Kim Đồng")
    assert nfd != nfc(nfd)
    assert slugify(nfd) == "dai-hoi-lien-doi-truong-tieu-hoc-kim-dong"


def test_fold_for_search() -> None:
    assert fold("Tuyển sinh lớp 10 ĐỢT 2") == "tuyen sinh lop 10 dot 2"


def fold_reference(text: str) -> str:
    """:func:`fold` by its definition: NFD, drop combining marks, NFC, lower-case, đ → d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).lower()


def test_fold_table_equals_the_definition() -> None:
    """The fast, table-driven fold gives exactly NFD → drop marks → NFC → lower-case."""
    import random

    for code in range(0x110000):  # every character on its own
        if not 0xD800 <= code <= 0xDFFF:
            assert fold(chr(code)) == fold_reference(chr(code)), hex(code)
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0x20, 0x2000)] + list("ăâđêôơưẠạĐđ\u0301\u0323\u0309")
    alphabet += ["\u1100", "\u1161", "\u11a8", "\u0b47", "\u0b3e", "Σ"]  # composing pairs
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 24)))
        for form in ("NFC", "NFD"):
            variant = unicodedata.normalize(form, text)
            assert fold(variant) == fold_reference(variant), repr(variant)


def test_dates_are_local_vietnam_time() -> None:
    # 20:00 UTC on 4 Sept is 03:00 on 5 Sept in Hà Nội.
    assert format_date(datetime(2026, 9, 4, 20, 0, tzinfo=timezone.utc)) == "05/09/2026"
    assert parse_datetime("2026-09-05 07:30").utcoffset().total_seconds() == 7 * 3600
    assert parse_datetime("05/09/2026") == parse_datetime("2026-09-05")
    with pytest.raises(ValueError):
        parse_datetime("31/02/2026")
    with pytest.raises(ValueError):
        parse_datetime("hôm qua")
