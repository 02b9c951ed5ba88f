"""Personal-data scanner v2 on the labelled corpus (``tests/data/privacy-corpus.yml``) and on
spreadsheets written with openpyxl: the targets of issue 17 (recall ≥ 0.98 on ID numbers and
birth dates, precision ≥ 0.95), and the build gate's policy (only high-precision kinds block)."""

from __future__ import annotations

from edusite.security.personal_data import blocking_kinds, scan_page
from edusite.security.privacy import normalize, scan
from privacy_support import corpus, evaluate, xlsx_cases


def test_corpus_is_large_and_labelled_both_ways() -> None:
    cases = corpus()
    assert len(cases) >= 150
    positives = [c for c in cases if c.expect]
    assert len(positives) >= 60 and len(cases) - len(positives) >= 60


def test_targets_on_the_corpus_and_spreadsheets() -> None:
    cases = corpus() + xlsx_cases()
    result = evaluate(cases, lambda c: {h.kind for h in scan(c.text, allowed=c.allowed)})
    assert result.recall("ids") >= 0.98, result.misses
    assert result.recall("birth_date") >= 0.98, result.misses
    assert result.precision("all") >= 0.95, result.misses


def test_normalisation_keeps_lines_and_folds_spaces_and_dashes() -> None:
    text = "Số CCCD\u00a0001\u2011204\u2011012\u2011345\nDòng 2\u200b"
    assert normalize(text) == "Số CCCD 001-204-012-345\nDòng 2"
    (hit,) = scan("Mở đầu.\n\n" + text)
    assert (hit.kind, hit.masked, hit.line) == ("cccd", "001*******45", 3)


def test_the_build_gate_blocks_ids_and_birth_date_tables_only() -> None:
    history = (
        "Kỷ niệm 136 năm ngày sinh Chủ tịch Hồ Chí Minh (19/5/1890 - 19/5/2026).\n\n"
        "| Danh nhân | Năm sinh - năm mất |\n|---|---|\n| Chủ tịch Hồ Chí Minh | 19/5/1890 - 2/9/1969 |\n"
    )
    assert scan_page(history, "bai.md") == []  # blocked publishing before
    leaks = (
        "Người nhận: ông Phan Văn Lộc, CMND số 125 678 901.\n\n"
        "| Họ và tên | NS |\n|---|---|\n| Lê Thị Bình | 03/09/18 |\n"
        "Em Nguyễn Văn An, sinh 12/05/2019, lớp 2A (a sentence: reported by the check only)\n"
    )
    problems = scan_page(leaks, "bai.md")
    assert [p.vi.split(":")[1].strip() for p in problems] == [
        "số chứng minh nhân dân (9 chữ số)",
        "ngày sinh trong danh sách/bảng",
    ]
    assert "(dòng/line 1)" in problems[0].vi and "(dòng/line 5)" in problems[1].vi
    assert blocking_kinds({"publish": {"blocking_checks": ["cccd"]}}) == ("cccd", "cmnd")
