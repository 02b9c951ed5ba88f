"""Bad input never escapes its file (issue #14).

One hostile or broken file (an impossible date, bytes that are not UTF-8, a YAML alias bomb, deep
nesting, keys that are not text, megabyte values, values of the wrong type) is an error naming the
file and the field, Vietnamese first and English second. Its own site fails and keeps its last
good output; the portals that read members' content (reports, the disclosure dashboard, parents'
documents) still build without it; ``edusite check`` reports it as a finding, never a traceback.

Helpers are local to this module (no shared conftest): small networks written from dicts and
built with the real builder and MkDocs.
"""

from __future__ import annotations

import json
import math
import shutil
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from edusite.build.builder import build_network
from edusite.cli import main
from edusite.disclosure.pages import load_page
from edusite.disclosure.rules import load_rules
from edusite.documents.load import load_document
from edusite.documents.model import load_types
from edusite.errors import EdusiteError, Problem
from edusite.images.albums import load_album
from edusite.structure.network import get_network
from edusite.structure.posts import load_post
from edusite.text import parse_datetime
from edusite.yamlio import (
    CONFIG,
    FRONT_MATTER,
    YamlLimitError,
    check_page_source,
    load_yaml,
    load_yaml_file,
)

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-22 12:00"
CATEGORIES = {"thong-bao": "Thông báo", "tuyen-sinh": "Tuyển sinh"}

# -- helpers --------------------------------------------------------------------------------------


def write(root: Path, files: dict[str, str | bytes]) -> None:
    """Write ``{relative path: text or bytes}`` below ``root`` (text as UTF-8, verbatim)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_network(
    root: Path, units: dict[str, dict[str, Any]], files: dict[str, str | bytes]
) -> Path:
    """A network below ``root``: the repository's base config and theme plus ``units``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "shared-theme").symlink_to(REPO / "shared-theme", target_is_directory=True)
    for uid, unit in units.items():
        cfg = {
            "INHERIT": "../../mkdocs.yml",
            "site_name": unit["name"],
            "site_url": f"https://lamgiang.edu.vn/{uid}/",
            "docs_dir": f"../../content/{uid}",
            "site_dir": f"../../public/{uid}",
            "extra": {"unit": {"id": uid, **unit}},
        }
        write(root, {f"sites/{uid}/mkdocs.yml": yaml.safe_dump(cfg, allow_unicode=True)})
        (root / "content" / uid).mkdir(parents=True, exist_ok=True)
    write(root, files)
    return root


def post(title_: str, day: str, **meta: Any) -> str:
    """A post's Markdown with front matter (``meta`` may override the title)."""
    fm = yaml.safe_dump({"title": title_, "date": day, **meta}, allow_unicode=True, sort_keys=False)
    return f"---\n{fm}---\n\nNội dung bài {title_}.\n"


def build(root: Path) -> dict[str, Any]:
    results = build_network(get_network(root), out=root / "public", jobs=1, offline=True)
    return {r.unit_id: r for r in results}


def bomb(levels: int = 9) -> str:
    """The classic alias bomb: 9 levels of 9 aliases each expand to 9**9 = 387,420,489 nodes."""
    names = "abcdefghijklmnop"[:levels]
    lines = [f"- &{names[0]} [x, x, x, x, x, x, x, x, x]"]
    for prev, cur in zip(names, names[1:], strict=False):
        lines.append(f"- &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "categories:\n" + "\n".join(f"  {line}" for line in lines) + "\n"


BOMB_POST = f"---\ntitle: Bom\ndate: 2026-09-01\n{bomb()}---\nx\n"
LATIN1_POST = "---\ntitle: Caf\xe9\ndate: 2026-09-01\n---\nCaf\xe9 cr\xe8me\n".encode("latin-1")


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def assert_named(problems: list[Problem], path: Path, field: str | None = None) -> Problem:
    """One error names ``path`` (and ``field``); every message is bilingual."""
    found = errors(problems)
    assert found, problems
    assert all(p.vi and p.en and p.vi != p.en for p in found), found
    for p in found:
        named = p.file.endswith(path.name) and str(path.parent.name) in p.file
        if named and (field is None or p.field == field):
            return p
    raise AssertionError(f"no error naming {path} / {field}: {found}")


# -- 1. every loader turns any bad file into a named problem ---------------------------------------

#: name -> (front matter YAML or raw bytes of the whole file, field named or None)
BAD_FILES: dict[str, tuple[str | bytes, str | None]] = {
    "impossible date": ("date: 2026-02-30\n", "date"),
    "month 13": ("date: 2026-13-01\n", "date"),
    "hour 25": ("date: 2026-09-01 25:00:00\n", "date"),
    "year 0": ("date: 0000-01-01\n", "date"),
    "latin-1 bytes": (LATIN1_POST, None),
    "utf-16": ("---\ntitle: Khai giảng\ndate: 2026-09-01\n---\n".encode("utf-16"), None),
    "NUL in front matter": ("title: a\x00b\n", None),
    "alias bomb": (bomb(), None),
    "recursive alias": ("categories: &a [x, *a]\n", None),
    "deep nesting": ("categories: " + "[" * 60 + "x" + "]" * 60 + "\n", None),
    "integer key": ("2026: x\n", "2026"),
    "mapping key": ("? [a, b]\n: x\n", None),
    "1 MB title": ("title: " + "x" * 1_000_000 + "\n", None),
    "50 kB scalar": ("summary: " + "x" * 50_000 + "\n", "summary"),
    "5000-digit number": ("id: " + "9" * 5000 + "\n", "id"),
}


def _file(kind: str, front: str | bytes, base: dict[str, Any]) -> bytes:
    """The file's bytes: raw bytes as given, else ``base`` fields the bad YAML does not set."""
    if isinstance(front, bytes):
        return front
    keys = {line.split(":", 1)[0] for line in front.splitlines() if ":" in line}
    rest = yaml.safe_dump(
        {k: v for k, v in base.items() if k not in keys}, allow_unicode=True, sort_keys=False
    )
    return f"---\n{rest}{front}---\n\nNội dung.\n".encode()


POST_BASE = {"title": "Bài", "date": "2026-09-01"}
DOC_BASE = {
    "so_hieu": "141/KH-SGDĐT",
    "ngay_ban_hanh": "2026-03-05",
    "co_quan_ban_hanh": "Sở GDĐT",
    "loai_van_ban": "Kế hoạch",
    "trich_yeu": "Kế hoạch thử",
    "tep": "https://example.org/a.pdf",
}
PAGE_BASE = {
    "title": "Thông tin chung",
    "section": "thong-tin-chung",
    "school_year": "2026-2027",
    "published": "2026-06-25",
}
FIELD_ALIASES = {  # the field each loader names for the generic "date"
    "post": {"date": "date"},
    "document": {"date": "ngay_ban_hanh"},
    "page": {"date": "published"},
    "album": {"date": "date"},
}


def _swap_date(front: str | bytes, name: str) -> str | bytes:
    return front.replace("date:", f"{name}:", 1) if isinstance(front, str) else front


@pytest.mark.parametrize("case", sorted(BAD_FILES))
@pytest.mark.parametrize("kind", ["post", "document", "page", "album"])
def test_every_loader_names_the_bad_file(tmp_path: Path, kind: str, case: str) -> None:
    front, field = BAD_FILES[case]
    if field == "date":
        field = FIELD_ALIASES[kind]["date"]
        front = _swap_date(front, field)
    started = time.perf_counter()
    if kind == "post":
        path = tmp_path / "tin-tuc/2026/2026-09-01-bai/index.md"
        write(tmp_path, {"tin-tuc/2026/2026-09-01-bai/index.md": _file(kind, front, POST_BASE)})
        item, problems = load_post(
            path, "tin-tuc/2026/2026-09-01-bai/index.md", unit_id="th", categories=CATEGORIES
        )
    elif kind == "document":
        path = tmp_path / "van-ban/2026/kh/index.md"
        write(tmp_path, {"van-ban/2026/kh/index.md": _file(kind, front, DOC_BASE)})
        item, problems = load_document(
            path, "van-ban/2026/kh/index.md", unit_id="so", types=load_types()
        )
    elif kind == "page":
        path = tmp_path / "cong-khai/2026-2027/thong-tin-chung.md"
        write(tmp_path, {"cong-khai/2026-2027/thong-tin-chung.md": _file(kind, front, PAGE_BASE)})
        regime = load_rules().regime_for(2026)
        assert regime is not None
        page = load_page(path, tmp_path, 2026, regime)
        item, problems = None, page.problems
    else:
        path = tmp_path / "thu-vien-anh/2026-09-01-le/index.md"
        write(
            tmp_path, {"thu-vien-anh/2026-09-01-le/index.md": _file(kind, front, {"title": "Lễ"})}
        )
        item, problems = load_album(
            "thu-vien-anh/2026-09-01-le/index.md", path, [], require_consent=False
        )
    assert time.perf_counter() - started < 2.0
    if kind != "album":  # an album with a bad date is still shown (its date is left out)
        assert item is None
    assert_named(problems, path, field)


def test_a_bad_date_names_the_field_and_what_it_expects(tmp_path: Path) -> None:
    path = tmp_path / "tin-tuc/2026/2026-09-01-bai/index.md"
    write(
        tmp_path, {"tin-tuc/2026/2026-09-01-bai/index.md": "---\ntitle: A\ndate: 2026-02-30\n---\n"}
    )
    post_, problems = load_post(
        path, "tin-tuc/2026/2026-09-01-bai/index.md", unit_id="th", categories=CATEGORIES
    )
    assert post_ is None
    [p] = errors(problems)
    assert (p.field, p.vi.split(";")[0], p.en.split(";")[0]) == (
        "date",
        "ngày '2026-02-30' không hợp lệ",
        "invalid date '2026-02-30'",
    )
    assert "yyyy-mm-dd" in p.vi and "yyyy-mm-dd" in p.en


def test_a_non_utf8_post_says_so_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "tin-tuc/2026/2026-09-01-bai/index.md"
    write(tmp_path, {"tin-tuc/2026/2026-09-01-bai/index.md": LATIN1_POST})
    _post, problems = load_post(
        path, "tin-tuc/2026/2026-09-01-bai/index.md", unit_id="th", categories=CATEGORIES
    )
    [p] = problems
    assert "UTF-8" in p.vi and "UTF-8" in p.en and "index.md" in p.file


@pytest.mark.parametrize(
    "data",
    [
        b"---\r\ntitle: A\r\ndate: 2026-09-01\r\n---\r\n\r\nN\xe1\xbb\x99i dung\r\n",  # CRLF
        b"\xef\xbb\xbf---\r\ntitle: A\r\ndate: 2026-09-01\r\n---\r\nBOM + CRLF\r\n",
        b"---\ntitle: A\ndate: 2026-09-01\n---\nNUL \x00 in the body\n",
    ],
    ids=["crlf", "bom-crlf", "nul-in-body"],
)
def test_crlf_bom_and_nul_in_the_body_keep_working(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "tin-tuc/2026/2026-09-01-bai/index.md"
    write(tmp_path, {"tin-tuc/2026/2026-09-01-bai/index.md": data})
    post_, problems = load_post(
        path, "tin-tuc/2026/2026-09-01-bai/index.md", unit_id="th", categories=CATEGORIES
    )
    assert post_ is not None and post_.title == "A", problems
    assert not errors(problems)


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"", b"\x00\x00\x00"])
def test_a_lone_bom_or_empty_file_is_a_missing_front_matter(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "tin-tuc/2026/2026-09-01-bai/index.md"
    write(tmp_path, {"tin-tuc/2026/2026-09-01-bai/index.md": data})
    post_, problems = load_post(
        path, "tin-tuc/2026/2026-09-01-bai/index.md", unit_id="th", categories=CATEGORIES
    )
    assert post_ is None
    assert "front matter" in errors(problems)[0].en


def test_an_unexpected_failure_while_reading_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import edusite.structure.posts as posts

    def boom(*_a: Any, **_k: Any) -> Any:
        raise MemoryError("simulated")

    monkeypatch.setattr(posts, "validate_post_meta", boom)
    path = tmp_path / "tin-tuc/2026/2026-09-01-bai/index.md"
    write(tmp_path, {"tin-tuc/2026/2026-09-01-bai/index.md": post("A", "2026-09-01")})
    post_, problems = load_post(
        path, "tin-tuc/2026/2026-09-01-bai/index.md", unit_id="th", categories=CATEGORIES
    )
    assert post_ is None
    assert "MemoryError: simulated" in problems[0].en and "index.md" in problems[0].file


# -- 3. the budgeted YAML loader ---------------------------------------------------------------------


def test_alias_bomb_is_refused_in_milliseconds_and_kilobytes() -> None:
    text = bomb()
    assert len(text) < 400
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(YamlLimitError) as exc:
        load_yaml(text, "content/th/tin-tuc/2026/2026-09-01-bom/index.md")
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 0.2 and peak < 2_000_000, (seconds, peak)
    [p] = exc.value.problems
    assert p.file.endswith("index.md") and p.field and p.field.startswith("categories[")
    assert "bí danh" in p.vi and "aliases" in p.en


def test_alias_bomb_post_costs_nothing_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "tin-tuc/2026/2026-09-01-bom/index.md"
    write(tmp_path, {"tin-tuc/2026/2026-09-01-bom/index.md": BOMB_POST})
    tracemalloc.start()
    started = time.perf_counter()
    post_, problems = load_post(
        path, "tin-tuc/2026/2026-09-01-bom/index.md", unit_id="th", categories=CATEGORIES
    )
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert post_ is None and seconds < 0.5 and peak < 5_000_000, (seconds, peak)
    assert_named(problems, path)


def test_budget_counts_expanded_nodes_within_the_limit() -> None:
    """Aliases are fine while the expanded document stays under the budget."""
    ok = "a: &a [x, x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    assert load_yaml(ok, "f.md")["b"][8] == ["x"] * 9
    wide = "items:\n" + "".join(f"  - {i}\n" for i in range(FRONT_MATTER.max_nodes + 10))
    with pytest.raises(YamlLimitError):
        load_yaml(wide, "f.md")
    assert len(load_yaml(wide, "f.yml", limits=CONFIG)["items"]) == FRONT_MATTER.max_nodes + 10


def test_merge_keys_and_mkdocs_tags_still_load() -> None:
    text = "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\nenv: !ENV [HOME, x]\n"
    data = load_yaml(text, "mkdocs.yml", limits=CONFIG)
    assert data["other"] == {"x": 1, "y": 2} and data["env"] == ["HOME", "x"]


def test_config_files_have_a_budget_too(tmp_path: Path) -> None:
    levels = "abcdefghi"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, cur in zip(levels, levels[1:], strict=False):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    unit = {"id": "th", "name": "TH", "kind": "school", "level": "tieu-hoc", "parent": "so"}
    cfg = yaml.safe_dump({"site_name": "TH", "extra": {"unit": unit}}) + "\n".join(lines) + "\n"
    root = make_network(
        tmp_path, {"so": {"name": "Sở", "kind": "so"}}, {"sites/th/mkdocs.yml": cfg}
    )
    started = time.perf_counter()
    with pytest.raises(EdusiteError) as exc:
        load_yaml_file(root / "sites/th/mkdocs.yml")
    assert "sites/th/mkdocs.yml" in str(exc.value)
    with pytest.raises(EdusiteError) as exc:
        get_network(root)
    assert "sites/th/mkdocs.yml" in str(exc.value) and "aliases" in str(exc.value)
    assert time.perf_counter() - started < 1.0


def test_a_site_config_that_is_not_utf8_is_a_named_problem(tmp_path: Path) -> None:
    root = make_network(tmp_path, {"so": {"name": "Sở", "kind": "so"}}, {})
    (root / "sites/so/mkdocs.yml").write_bytes(b"site_name: S\xe9\n")
    with pytest.raises(EdusiteError) as exc:
        get_network(root)
    assert "sites/so/mkdocs.yml" in str(exc.value) and "UTF-8" in str(exc.value)


# -- 3. front matter of any page, before MkDocs parses it -------------------------------------------


@pytest.mark.parametrize(
    ("front", "field"),
    [
        (bomb(), "categories"),
        ("x: " + "[" * 60 + "]" * 60, "x"),
        ("1: a", "1"),
        ("title: " + "x" * 20_000, "title"),
        ("a: &a [*a]", "a"),
    ],
    ids=["bomb", "deep", "int-key", "huge-scalar", "recursive"],
)
def test_check_page_source_refuses_hostile_front_matter(front: str, field: str) -> None:
    problems = check_page_source(f"---\n{front}\n---\n# Giới thiệu\n", "content/th/gioi-thieu.md")
    [p] = problems
    assert p.severity == "error" and p.file == "content/th/gioi-thieu.md"
    assert p.field is not None and p.field.startswith(field)


def test_check_page_source_leaves_ordinary_pages_alone() -> None:
    assert check_page_source("# Trang\n\nKhông có front matter.\n", "a.md") == []
    assert check_page_source("---\ntitle: Giới thiệu\n---\nNội dung\n", "a.md") == []
    # YAML MkDocs would silently ignore is a warning, not a build failure
    [p] = check_page_source("---\ntitle: [\n---\nx\n", "a.md")
    assert p.severity == "warning"


# -- 3/4. values of the wrong type, or too long, are named errors -----------------------------------


@pytest.mark.parametrize(
    ("meta", "field", "words"),
    [
        ({"categories": [["nested"]]}, "categories", "short text"),
        ({"title": {"a": 1}}, "title", "title"),
        ({"featured": "yes"}, "featured", "true or false"),
        ({"title": "x" * 301}, "title", "at most 300"),
        ({"summary": "x" * 1001}, "summary", "at most 1,000"),
        ({"image_alt": "x" * 501}, "image_alt", "at most 500"),
        ({"author": "x" * 201}, "author", "at most 200"),
        ({"categories": ["thong-bao"] * 21}, "categories", "at most 20"),
    ],
)
def test_post_fields_of_the_wrong_type_or_length(
    tmp_path: Path, meta: dict[str, Any], field: str, words: str
) -> None:
    path = tmp_path / "tin-tuc/2026/2026-09-01-bai/index.md"
    write(tmp_path, {"tin-tuc/2026/2026-09-01-bai/index.md": post("Bài", "2026-09-01", **meta)})
    post_, problems = load_post(
        path, "tin-tuc/2026/2026-09-01-bai/index.md", unit_id="th", categories=CATEGORIES
    )
    assert post_ is None
    p = assert_named(problems, path, field)
    assert words in p.en


def test_title_of_300_characters_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "tin-tuc/2026/2026-09-01-bai/index.md"
    write(tmp_path, {"tin-tuc/2026/2026-09-01-bai/index.md": post("ă" * 300, "2026-09-01")})
    post_, problems = load_post(
        path, "tin-tuc/2026/2026-09-01-bai/index.md", unit_id="th", categories=CATEGORIES
    )
    assert post_ is not None, problems


@pytest.mark.parametrize(
    ("meta", "field"),
    [
        ({"trich_yeu": {"a": 1}}, "trich_yeu"),
        ({"tep": [["x.pdf"]]}, "tep"),
        ({"title": {"a": 1}}, "title"),
        ({"trich_yeu": "x" * 1001}, "trich_yeu"),
        ({"so_hieu": "1" * 101}, "so_hieu"),
    ],
)
def test_document_fields_of_the_wrong_type_or_length(
    tmp_path: Path, meta: dict[str, Any], field: str
) -> None:
    path = tmp_path / "van-ban/2026/kh/index.md"
    text = "---\n" + yaml.safe_dump({**DOC_BASE, **meta}, allow_unicode=True) + "---\n"
    write(tmp_path, {"van-ban/2026/kh/index.md": text})
    doc, problems = load_document(
        path, "van-ban/2026/kh/index.md", unit_id="so", types=load_types()
    )
    assert doc is None
    assert_named(problems, path, field)


@pytest.mark.parametrize(
    ("meta", "field"),
    [
        ({"section": ["thong-tin-chung"]}, "section"),
        ({"title": {"a": 1}}, "title"),
        ({"school_year": [2026]}, "school_year"),
        ({"title": "x" * 301}, "title"),
        ({"attachments": [{"file": "a.pdf", "title": {"x": 1}}]}, "attachments[0].title"),
    ],
)
def test_disclosure_fields_of_the_wrong_type_or_length(
    tmp_path: Path, meta: dict[str, Any], field: str
) -> None:
    path = tmp_path / "cong-khai/2026-2027/thong-tin-chung.md"
    text = "---\n" + yaml.safe_dump({**PAGE_BASE, **meta}, allow_unicode=True) + "---\nNội dung\n"
    write(tmp_path, {"cong-khai/2026-2027/thong-tin-chung.md": text})
    regime = load_rules().regime_for(2026)
    assert regime is not None
    page = load_page(path, tmp_path, 2026, regime)
    assert_named(page.problems, path, field)


# -- 4. dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0000-01-01",
        "0001-01-01",
        "99999-01-01",
        "2026-13-01",
        "2026-02-30",
        "30/02/2026",
        "31/04/2026",
        "2026-09-01 24:00",
        "2026-09-01 08:00+99:00",
        "9999-12-31 23:59-12:00",
        "0001-01-01 00:00+14:00",
        "1899-12-31",
        "3000-01-01",
        "",
        " ",
        "x" * 1_000_000,
        "2026-09-01" + " " * 100_000 + "x",
        float("nan"),
        math.inf,
        1e308,
        10**400,
        True,
        None,
        [],
        {},
        date(1, 1, 1),
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-10))),
        datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))),
    ],
)
def test_parse_datetime_raises_only_value_error(value: object) -> None:
    with pytest.raises(ValueError):
        parse_datetime(value)


def test_parse_datetime_accepts_the_supported_range() -> None:
    assert parse_datetime("1900-01-01").year == 1900
    assert parse_datetime("31/12/2999 23:59").year == 2999
    assert parse_datetime(date(2026, 9, 1)).utcoffset() == timedelta(hours=7)


# -- 1. end to end: the school fails, its portals build ---------------------------------------------

UNITS: dict[str, dict[str, Any]] = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so"},
    "pgd": {
        "name": "Phòng GDĐT Thử",
        "kind": "portal",
        "parent": "so",
        "rollup": {"policy": "all"},
    },
    "th-a": {"name": "TH A", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "th-b": {"name": "TH B", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "th-c": {"name": "TH C", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "th-d": {"name": "TH D", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
}
DASHBOARD = "---\ntitle: Công khai\n---\n"
GOOD_PAGE = (
    "---\ntitle: Thông tin chung\nsection: thong-tin-chung\nschool_year: 2026-2027\n"
    "published: '2026-06-25'\n---\n\nThông tin chung của trường.\n"
)


def good_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "content/pgd/cong-khai/index.md": DASHBOARD,
        "content/so/cong-khai/index.md": DASHBOARD,
        "content/th-d/cong-khai/2026-2027/thong-tin-chung.md": GOOD_PAGE,
    }
    for uid in ("th-a", "th-b", "th-c", "th-d"):
        for d in ("2026-10-01", "2026-10-02"):
            files[f"content/{uid}/tin-tuc/2026/{d}-tin/index.md"] = post(
                f"Tin {uid} {d}", d, id=f"{uid}-{d}", categories=["thong-bao"]
            )
    return files


def test_bad_member_content_fails_its_school_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDUSITE_NOW", NOW)
    root = make_network(tmp_path / "net", UNITS, good_files())
    first = build(root)
    assert all(r.ok for r in first.values()), {u: r.errors for u, r in first.items()}
    kept = {uid: (root / f"public/{uid}/tin-tuc/index.html").read_bytes() for uid in UNITS}
    bad = {
        "th-a": "content/th-a/tin-tuc/2026/2026-10-02-tin/index.md",
        "th-b": "content/th-b/tin-tuc/2026/2026-10-02-tin/index.md",
        "th-c": "content/th-c/tin-tuc/2026/2026-10-02-tin/index.md",
    }
    write(
        root,
        {
            bad["th-a"]: "---\ntitle: Ngày sai\ndate: 2026-02-30\n---\nx\n",
            bad["th-b"]: LATIN1_POST,
            bad["th-c"]: BOMB_POST,
            "content/th-d/cong-khai/2026-2027/thong-tin-chung.md": GOOD_PAGE.replace(
                "published: '2026-06-25'", "published: 2026-02-30"
            ),
        },
    )
    started = time.perf_counter()
    results = build(root)
    assert time.perf_counter() - started < 120
    for uid in ("th-a", "th-b", "th-c"):
        result = results[uid]
        assert not result.ok, uid
        text = "\n".join(result.errors)
        assert bad[uid] in text, (uid, text)
        assert " / " in text and "Error:" not in text.split(" / ")[0], text
        assert (root / f"public/{uid}/tin-tuc/index.html").read_bytes() == kept[uid]  # last good
    assert "trường 'date' / field 'date'" in "\n".join(results["th-a"].errors)
    assert "UTF-8" in "\n".join(results["th-b"].errors)
    # the bad disclosure page is a finding of its school's pages, not a crash
    assert results["th-d"].ok, results["th-d"].errors
    for uid in ("pgd", "so"):
        assert results[uid].ok, (uid, results[uid].errors)
        assert (root / f"public/{uid}/bao-cao/index.html").is_file()
        dashboard = (root / f"public/{uid}/cong-khai/index.html").read_text(encoding="utf-8")
        assert "TH D" in dashboard
        warned = "\n".join(results[uid].warnings)
        assert bad["th-a"] in warned and bad["th-b"] in warned, warned
    assert not (root / "public/.staging").exists()


def test_a_bad_document_of_the_so_leaves_its_members_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDUSITE_NOW", NOW)
    units = {k: UNITS[k] for k in ("so", "pgd", "th-a")}
    doc = "---\n" + yaml.safe_dump(DOC_BASE, allow_unicode=True) + "---\n"
    root = make_network(tmp_path / "net", units, {"content/so/van-ban/2026/kh/index.md": doc})
    assert all(r.ok for r in build(root).values())
    rel = "content/so/van-ban/2026/kh/index.md"
    write(root, {rel: doc.replace("ngay_ban_hanh: '2026-03-05'", "ngay_ban_hanh: 2026-02-30")})
    results = build(root)
    assert not results["so"].ok
    assert f"{rel}: trường 'ngay_ban_hanh'" in "\n".join(results["so"].errors)
    assert results["pgd"].ok and results["th-a"].ok, (results["pgd"].errors, results["th-a"].errors)
    upper = (root / "public/th-a/van-ban/cap-tren/index.html").read_text(encoding="utf-8")
    assert "141/KH-SGDĐT" in upper  # the Sở's last good list


# -- 2. edusite check: findings, never a traceback -------------------------------------------------

CHECK_NET = REPO / "tests" / "networks" / "disclosure"
CHECK_PAGE = "content/lc-f/cong-khai/2026-2027/thu-chi-tai-chinh.md"


def run_check(root: Path, *args: str) -> Any:
    return CliRunner().invoke(
        main, ["check", "lc-f", "--root", str(root), "--today", "2026-11-22", *args]
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("published: '2026-06-25'", "published: 2026-02-30"), "published", "invalid date"),
        (("published: '2026-06-25'", "published: 0000-01-01"), "published", "invalid date"),
        (("---\n", "---\n" + bomb()), None, "aliases"),
        (None, None, "UTF-8"),
    ],
    ids=["invalid-date", "year-0", "alias-bomb", "latin-1"],
)
def test_check_reports_a_bad_page_as_a_finding(
    tmp_path: Path, change: tuple[str, str] | None, field: str | None, words: str
) -> None:
    root = tmp_path / "net"
    shutil.copytree(CHECK_NET, root)
    page = root / CHECK_PAGE
    text = page.read_text(encoding="utf-8")
    if change is None:
        page.write_bytes(text.encode("utf-8").replace("ă".encode(), b"\xe3", 1))
    else:
        assert change[0] in text
        page.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    result = run_check(root)
    assert result.exit_code == 2, (result.exception, result.output)
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if words in ln]
    assert lines, result.output
    assert any(
        ("thu-chi-tai-chinh.md" in ln or field in ln) if field else "thu-chi-tai-chinh" in ln
        for ln in result.output.splitlines()
    )
    json_result = run_check(root, "--format", "json")
    found = [f for f in json.loads(json_result.stdout)["findings"] if words in f["message_en"]]
    assert found and found[0]["file"].endswith("thu-chi-tai-chinh.md")
    if field:
        assert found[0]["field"] == field


def test_check_reports_a_period_out_of_range_as_a_finding(tmp_path: Path) -> None:
    """``period: 0001-W01`` used to overflow the deadline arithmetic (a traceback)."""
    root = tmp_path / "net"
    shutil.copytree(CHECK_NET, root)
    folder = root / "content/mn-a/cong-khai/2026-2027/thuc-don"
    text = (folder / "2026-W46.md").read_text(encoding="utf-8")
    (folder / "0001-W01.md").write_text(text.replace("period: 2026-W46", "period: 0001-W01"))
    result = CliRunner().invoke(
        main, ["check", "mn-a", "--root", str(root), "--today", "2026-11-22", "--format", "json"]
    )
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.exception
    found = [f for f in json.loads(result.stdout)["findings"] if f["field"] == "period"]
    assert found and found[0]["file"].endswith("0001-W01.md")
    assert "invalid period '0001-W01'" in found[0]["message_en"]


def test_check_internal_failure_is_one_bilingual_paragraph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import edusite.commands.check as check

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("simulated\nfailure")

    monkeypatch.setattr(check, "check_network", broken)
    monkeypatch.delenv("EDUSITE_DEBUG", raising=False)
    result = run_check(CHECK_NET)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    [paragraph] = [ln for ln in result.output.splitlines() if ln.strip()]
    assert "Lỗi nội bộ" in paragraph and "Internal edusite error" in paragraph
    assert paragraph.index("Lỗi nội bộ") < paragraph.index("Internal")
    assert "RuntimeError: simulated failure" in paragraph
