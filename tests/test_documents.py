"""Documents (văn bản): front-matter validation with exact bilingual messages, facets, feed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from conftest import write_files
from edusite.core.feeds import item_key, tag_uri
from edusite.documents.feed import build_documents_feed, parse_documents_feed
from edusite.documents.load import load_document, load_documents
from edusite.documents.model import load_types, parse_so_hieu
from edusite.documents.pages import facet_values, get_pages

TYPES = load_types()
SRC = "van-ban/2026/ke-hoach-truyen-thong/index.md"
PDF = b"%PDF-1.4\n% edusite test\n"


def doc_text(**meta: Any) -> str:
    """A document file: front matter from ``meta`` (None values dropped) and a short body."""
    fm = {k: v for k, v in meta.items() if v is not None}
    return "---\n" + yaml.safe_dump(fm, allow_unicode=True, sort_keys=False) + "---\n\nNội dung.\n"


def valid(**overrides: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "so_hieu": "141/KH-SGDĐT",
        "ngay_ban_hanh": "2026-03-05",
        "co_quan_ban_hanh": "Sở GDĐT Lâm Giang",
        "loai_van_ban": "Kế hoạch",
        "trich_yeu": "Kế hoạch truyền thông năm 2026",
        "linh_vuc": "Truyền thông",
        "tep": "ke-hoach.pdf",
    }
    meta.update(overrides)
    return meta


def load(tmp_path: Path, src: str = SRC, attachments: dict[str, bytes] | None = None, **meta: Any):
    """Write a document (valid unless ``meta`` overrides fields) and load it."""
    if attachments is None:
        attachments = {f"{Path(src).parent}/ke-hoach.pdf": PDF}
    write_files(tmp_path, {src: doc_text(**valid(**meta)), **attachments})
    return load_document(tmp_path / src, src, unit_id="so", types=TYPES)


def messages(problems, severity: str | None = None) -> list[str]:
    return [str(p) for p in problems if severity is None or p.severity == severity]


def where(tmp_path: Path, field: str, src: str = SRC) -> str:
    return f"{tmp_path / src}: trường '{field}' / field '{field}': "


def test_valid_bundle_document(tmp_path: Path) -> None:
    doc, problems = load(tmp_path, hieu_luc="15/03/2026", loai_van_ban="ke-hoach")
    assert problems == []
    assert doc.so_hieu == "141/KH-SGDĐT"
    assert doc.ngay_ban_hanh == date(2026, 3, 5) and doc.hieu_luc == date(2026, 3, 15)
    assert doc.loai.name == "Kế hoạch"  # the slug is accepted and mapped to the type
    assert doc.url == "van-ban/2026/ke-hoach-truyen-thong/"
    assert doc.id == "urn:edusite:so:van-ban:2026/ke-hoach-truyen-thong"
    [f] = doc.files
    assert f.url == "van-ban/2026/ke-hoach-truyen-thong/ke-hoach.pdf"
    assert f.size == len(PDF) and f.label == f"PDF ({len(PDF)} B)"


def test_flat_document_with_files_list_and_link(tmp_path: Path) -> None:
    src = "van-ban/2025/thong-tu-tuyen-sinh.md"
    write_files(
        tmp_path,
        {
            src: doc_text(
                **valid(
                    so_hieu="25/2025/TT-BGDĐT",
                    ngay_ban_hanh="2025-08-01",
                    loai_van_ban="Thông tư",
                    tep=None,
                    files=["tt.pdf", "phu-luc.docx", "https://vanban.chinhphu.vn/tt-25"],
                    id="tt-25-2025",
                )
            ),
            "van-ban/2025/tt.pdf": PDF,
            "van-ban/2025/phu-luc.docx": b"PK",
        },
    )
    doc, problems = load_document(tmp_path / src, src, unit_id="so", types=TYPES)
    assert problems == []
    assert doc.id == "tt-25-2025" and doc.url == "van-ban/2025/thong-tu-tuyen-sinh/"
    assert [(f.url, f.format) for f in doc.files] == [
        ("van-ban/2025/tt.pdf", "PDF"),
        ("van-ban/2025/phu-luc.docx", "DOCX"),
        ("https://vanban.chinhphu.vn/tt-25", "Liên kết"),
    ]


@pytest.mark.parametrize(
    "number",
    [
        "141/KH-BGDĐT",
        "25/2026/TT-BGDĐT",
        "1234/SGDĐT-GDPT",
        "24/2026/NĐ-CP",
        "12/TTr-SGDĐT",
        "43/2019/QH14",
        "05/2026/TTLT-BGDĐT-BTC",
    ],
)
def test_accepted_numbers(number: str) -> None:
    assert parse_so_hieu(number) is not None


@pytest.mark.parametrize(
    "number", ["141-KH-BGDĐT", "KH/141", "141/KH", "141/kh-bgddt", "141/26/KH-BGDĐT", "141/KH-"]
)
def test_malformed_number(tmp_path: Path, number: str) -> None:
    doc, problems = load(tmp_path, so_hieu=number)
    assert doc is None
    assert messages(problems) == [
        where(tmp_path, "so_hieu")
        + f"số hiệu '{number}' không đúng dạng; cần số hiệu dạng số/[năm/]LOẠI-CƠ QUAN, ví dụ "
        "141/KH-BGDĐT hoặc 25/2026/TT-BGDĐT / "
        f"number '{number}' is malformed; expected number shaped number/[year/]TYPE-ISSUER, "
        "e.g. 141/KH-BGDĐT or 25/2026/TT-BGDĐT"
    ]


@pytest.mark.parametrize(
    ("field", "vi", "en"),
    [
        (
            "so_hieu",
            "số hiệu dạng số/[năm/]LOẠI-CƠ QUAN, ví dụ 141/KH-BGDĐT hoặc 25/2026/TT-BGDĐT",
            "number shaped number/[year/]TYPE-ISSUER, e.g. 141/KH-BGDĐT or 25/2026/TT-BGDĐT",
        ),
        (
            "ngay_ban_hanh",
            "ngày ban hành dạng yyyy-mm-dd hoặc dd/mm/yyyy",
            "date of issue as yyyy-mm-dd or dd/mm/yyyy",
        ),
        ("co_quan_ban_hanh", "cơ quan ban hành (chuỗi)", "issuing body (text)"),
        ("loai_van_ban", "loại văn bản trong danh sách", "document type from the list"),
        (
            "trich_yeu",
            "trích yếu nội dung (chuỗi, là tiêu đề trang)",
            "summary (text, the page title)",
        ),
    ],
)
def test_missing_required_field(tmp_path: Path, field: str, vi: str, en: str) -> None:
    doc, problems = load(tmp_path, **{field: None})
    assert doc is None
    assert messages(problems) == [where(tmp_path, field) + f"bắt buộc: {vi} / required: {en}"]


def test_invalid_dates(tmp_path: Path) -> None:
    doc, problems = load(tmp_path, ngay_ban_hanh="31/02/2026", hieu_luc="sắp tới")
    assert doc is None
    assert messages(problems) == [
        where(tmp_path, "ngay_ban_hanh")
        + "ngày '31/02/2026' không hợp lệ; cần ngày ban hành dạng yyyy-mm-dd hoặc dd/mm/yyyy / "
        "invalid date '31/02/2026'; expected date of issue as yyyy-mm-dd or dd/mm/yyyy",
        where(tmp_path, "hieu_luc")
        + "ngày 'sắp tới' không hợp lệ; cần ngày có hiệu lực dạng yyyy-mm-dd hoặc dd/mm/yyyy "
        "(không bắt buộc) / invalid date 'sắp tới'; expected date of effect as yyyy-mm-dd or "
        "dd/mm/yyyy (optional)",
    ]


def test_unknown_type(tmp_path: Path) -> None:
    doc, problems = load(tmp_path, loai_van_ban="Thư mời")
    assert doc is None
    names = ", ".join(t.name for t in TYPES)
    assert messages(problems) == [
        where(tmp_path, "loai_van_ban")
        + f"loại văn bản 'Thư mời' không có trong danh sách; chọn trong: {names} / "
        f"unknown document type 'Thư mời'; expected one of: {names}"
    ]


def test_missing_and_unsafe_files(tmp_path: Path) -> None:
    doc, problems = load(tmp_path, tep=["khong-co.pdf", "../bi-mat.pdf", "/etc/passwd"])
    assert doc is None
    assert messages(problems) == [
        where(tmp_path, "tep") + "không tìm thấy tệp đính kèm 'khong-co.pdf' cạnh index.md / "
        "attached file 'khong-co.pdf' not found next to index.md",
        where(tmp_path, "tep")
        + "'../bi-mat.pdf' phải là tên tệp trong thư mục của văn bản hoặc liên kết https:// / "
        "'../bi-mat.pdf' must be a file in the document's folder or an https:// link",
        where(tmp_path, "tep")
        + "'/etc/passwd' phải là tên tệp trong thư mục của văn bản hoặc liên kết https:// / "
        "'/etc/passwd' must be a file in the document's folder or an https:// link",
    ]


def test_tep_and_files_together(tmp_path: Path) -> None:
    doc, problems = load(tmp_path, files="ke-hoach.pdf")
    assert doc is None
    assert messages(problems) == [
        where(tmp_path, "files")
        + "chỉ dùng một trong hai trường 'tep' hoặc 'files' / use only one of the fields 'tep' or 'files'"
    ]


def test_warnings_keep_the_document(tmp_path: Path) -> None:
    """Unknown field, wrong abbreviation, effect before issue, wrong year folder, no file."""
    src = "van-ban/2025/quyet-dinh.md"
    doc, problems = load(
        tmp_path,
        src,
        attachments={},
        so_hieu="7/2026/KH-SGDĐT",
        loai_van_ban="Quyết định",
        hieu_luc="2026-03-01",
        tep=None,
        nguoi_ky="Trần Văn Minh",
    )
    assert doc is not None and doc.files == []
    assert messages(problems, "error") == []
    w = lambda field: where(tmp_path, field, src)  # noqa: E731
    assert messages(problems) == [
        w("nguoi_ky") + "trường không được hỗ trợ; dùng: so_hieu, ngay_ban_hanh, co_quan_ban_hanh, "
        "loai_van_ban, trich_yeu, hieu_luc, linh_vuc, tep, files, id, title, description, template"
        " / unknown field; expected one of: so_hieu, ngay_ban_hanh, co_quan_ban_hanh, loai_van_ban,"
        " trich_yeu, hieu_luc, linh_vuc, tep, files, id, title, description, template",
        w("so_hieu") + "số hiệu '7/2026/KH-SGDĐT' có ký hiệu 'KH', khác ký hiệu của Quyết định (QĐ)"
        " / number '7/2026/KH-SGDĐT' has the abbreviation 'KH', not that of Quyết định (QĐ)",
        w("hieu_luc") + "ngày hiệu lực 01/03/2026 trước ngày ban hành 05/03/2026 / "
        "date of effect 2026-03-01 is before the date of issue 2026-03-05",
        w("ngay_ban_hanh") + "văn bản ban hành năm 2026 nhưng nằm trong thư mục van-ban/2025/ / "
        "issued in 2026 but filed under van-ban/2025/",
        w("tep") + "văn bản chưa có tệp đính kèm / the document has no attached file",
    ]


def test_year_in_number_differs_from_issue_date(tmp_path: Path) -> None:
    doc, problems = load(tmp_path, so_hieu="25/2025/TT-BGDĐT", loai_van_ban="Thông tư")
    assert doc is not None
    assert messages(problems) == [
        where(tmp_path, "so_hieu")
        + "năm trong số hiệu '25/2025/TT-BGDĐT' khác năm ban hành 2026 / "
        "the year in number '25/2025/TT-BGDĐT' differs from the year of issue 2026"
    ]


def test_duplicate_number_within_a_unit(tmp_path: Path) -> None:
    first, second = "van-ban/2026/a.md", "van-ban/2026/b.md"
    write_files(
        tmp_path,
        {
            first: doc_text(**valid(tep="kh.pdf")),
            second: doc_text(**valid(tep="kh.pdf", trich_yeu="Bản đăng lại")),
            "van-ban/2026/kh.pdf": PDF,
        },
    )
    docs, problems = load_documents(
        [(first, tmp_path / first), (second, tmp_path / second)], unit_id="so", types=TYPES
    )
    assert [d.src_uri for d in docs] == [first]
    assert messages(problems) == [
        f"{tmp_path / second}: trường 'so_hieu' / field 'so_hieu': số hiệu '141/KH-SGDĐT' bị trùng "
        f"với {first} / duplicate number '141/KH-SGDĐT', also used by {first}"
    ]


def test_missing_front_matter(tmp_path: Path) -> None:
    write_files(tmp_path, {SRC: "# Kế hoạch\n"})
    doc, problems = load_document(tmp_path / SRC, SRC, unit_id="so", types=TYPES)
    assert doc is None
    assert messages(problems) == [
        f"{tmp_path / SRC}: thiếu phần thông tin văn bản (front matter) giữa hai dòng --- / "
        "missing front matter between two --- lines"
    ]


def sample_docs(tmp_path: Path):
    """Four documents over two years, three types, two fields, two issuers."""
    rows = [
        (
            "2026/kh-truyen-thong.md",
            "141/KH-SGDĐT",
            "2026-03-05",
            "Kế hoạch",
            "Truyền thông",
            "Sở GDĐT Lâm Giang",
        ),
        (
            "2026/cv-tuyen-sinh.md",
            "1234/SGDĐT-GDPT",
            "2026-04-20",
            "Công văn",
            "Tuyển sinh",
            "Sở GDĐT Lâm Giang",
        ),
        (
            "2025/tt-tuyen-sinh.md",
            "25/2025/TT-BGDĐT",
            "2025-08-01",
            "Thông tư",
            "Tuyển sinh",
            "Bộ GDĐT",
        ),
        (
            "2025/kh-chuyen-doi-so.md",
            "88/KH-SGDĐT",
            "2025-10-02",
            "Kế hoạch",
            "",
            "Sở GDĐT Lâm Giang",
        ),
    ]
    files: dict[str, str | bytes] = {}
    for rel, number, issued, kind, field, issuer in rows:
        files[f"van-ban/{rel}"] = doc_text(
            **valid(
                so_hieu=number,
                ngay_ban_hanh=issued,
                loai_van_ban=kind,
                linh_vuc=field or None,
                co_quan_ban_hanh=issuer,
                trich_yeu=f"Trích yếu {number}",
                tep="tep.pdf",
            )
        )
        files[f"van-ban/{rel[:4]}/tep.pdf"] = PDF
    write_files(tmp_path, files)
    sources = [(f"van-ban/{r[0]}", tmp_path / "van-ban" / r[0]) for r in rows]
    docs, problems = load_documents(sources, unit_id="so", types=TYPES)
    assert messages(problems, "error") == []
    return docs


def test_filter_pages_hold_exactly_their_documents(tmp_path: Path) -> None:
    docs = sample_docs(tmp_path)
    assert [d.so_hieu for d in docs] == [  # newest first
        "1234/SGDĐT-GDPT",
        "141/KH-SGDĐT",
        "88/KH-SGDĐT",
        "25/2025/TT-BGDĐT",
    ]
    pages = {p.url: [d.so_hieu for d in p.documents] for p in get_pages(docs, TYPES)}
    assert pages == {
        "van-ban/": ["1234/SGDĐT-GDPT", "141/KH-SGDĐT", "88/KH-SGDĐT", "25/2025/TT-BGDĐT"],
        "van-ban/loai/thong-tu/": ["25/2025/TT-BGDĐT"],
        "van-ban/loai/ke-hoach/": ["141/KH-SGDĐT", "88/KH-SGDĐT"],
        "van-ban/loai/cong-van/": ["1234/SGDĐT-GDPT"],
        "van-ban/nam/2026/": ["1234/SGDĐT-GDPT", "141/KH-SGDĐT"],
        "van-ban/nam/2025/": ["88/KH-SGDĐT", "25/2025/TT-BGDĐT"],
        "van-ban/linh-vuc/truyen-thong/": ["141/KH-SGDĐT"],
        "van-ban/linh-vuc/tuyen-sinh/": ["1234/SGDĐT-GDPT", "25/2025/TT-BGDĐT"],
        "van-ban/co-quan/bo-gddt/": ["25/2025/TT-BGDĐT"],
        "van-ban/co-quan/so-gddt-lam-giang/": ["1234/SGDĐT-GDPT", "141/KH-SGDĐT", "88/KH-SGDĐT"],
    }
    values = facet_values(docs, TYPES)
    # Types in the controlled list's order, years newest first, with counts.
    assert [(v.label, v.count) for v in values["loai"]] == [
        ("Thông tư", 1),
        ("Kế hoạch", 2),
        ("Công văn", 1),
    ]
    assert [v.label for v in values["nam"]] == ["2026", "2025"]


def test_documents_feed_parses_and_round_trips(tmp_path: Path) -> None:
    docs = sample_docs(tmp_path)
    rss, atom = build_documents_feed(docs, site_url="https://lamgiang.edu.vn/so/", site_name="Sở")
    assert build_documents_feed(docs, site_url="https://lamgiang.edu.vn/so/", site_name="Sở") == (
        rss,
        atom,
    )  # reproducible: no "now" anywhere
    for data, ids in (
        (rss, [d.id for d in docs]),  # RSS guids: the documents' ids, as they always were
        # Atom ids: tag: URIs (RFC 4151) of the unit and the id (issue #18: "urn:…:2026/x" is
        # not a valid URN, and the validator wants URIs)
        (atom, [tag_uri("lamgiang.edu.vn,2026-01-01", "so", item_key(d.id, "so")) for d in docs]),
    ):
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert [e.id for e in parsed.entries] == ids
        assert parsed.entries[0].dc_identifier == "1234/SGDĐT-GDPT"
    assert feedparser.parse(rss).feed.updated_parsed[:3] == (2026, 4, 19)  # 20/04 00:00 +07:00
    back = parse_documents_feed(rss)
    assert [(d.so_hieu, d.ngay_ban_hanh, d.loai, d.linh_vuc, d.co_quan_ban_hanh) for d in back] == [
        (d.so_hieu, d.ngay_ban_hanh, d.loai.name, d.linh_vuc, d.co_quan_ban_hanh) for d in docs
    ]
    assert back[0].file_url == "https://lamgiang.edu.vn/so/van-ban/2026/tep.pdf"
    assert back[0].link == "https://lamgiang.edu.vn/so/van-ban/2026/cv-tuyen-sinh/"
