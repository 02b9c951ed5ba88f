"""Search index, pure Python: folding, tokens, scores, shards, chunks, merging, cache inputs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from conftest import REPO
from edusite.search import cache_inputs
from edusite.search import index as ix
from edusite.structure.network import get_network
from edusite.text import fold


def rec(
    url: str,
    title: str,
    body: str = "",
    unit: str = "a",
    day: date | None = None,
    kind: str = "tin-tuc",
) -> ix.Record:
    return ix.Record.make(url, title, unit, day, kind, body)


def test_tokenize_folds_tones_and_d() -> None:
    assert ix.tokenize("Đại hội ĐOÀN, Tuyển sinh lớp 10!") == [
        "dai",
        "hoi",
        "doan",
        "tuyen",
        "sinh",
        "lop",
        "10",
    ]
    assert ix.tokenize("GD&ĐT") == ["gd", "dt"]
    assert ix.tokenize("Hoà/Hòa — hoà_bình") == ["hoa", "hoa", "hoa", "binh"]
    assert ix.tokenize("e\u0301") == ix.tokenize("é") == ["e"]  # NFD input
    assert fold("Đại hội") == "dai hoi"


def test_terms_are_syllables_and_bigrams() -> None:
    assert ix.terms(["tuyen", "sinh", "lop"]) == ["tuyen", "sinh", "lop", "tuyen sinh", "sinh lop"]
    assert ix.terms([]) == []


def test_title_weighs_more_than_body_and_bigrams_double() -> None:
    s = ix.score_terms("Tuyển sinh", "tuyển sinh tuyển sinh lớp 1")
    assert s["tuyen"] == ix.TITLE_WEIGHT + 2
    assert s["lop"] == 1
    assert s["tuyen sinh"] == (ix.TITLE_WEIGHT + 2) * ix.BIGRAM_FACTOR
    many = ix.score_terms("x", "hoc " * 50)
    assert many["hoc"] == ix.BODY_CAP


def test_shard_key() -> None:
    assert ix.shard_key("tuyen sinh") == "tu"
    assert ix.shard_key("a") == "a_"
    assert ix.shard_key("10") == "10"
    assert ix.shard_key("한국") == "__"


def test_html_text_drops_tags_and_scripts() -> None:
    html = "<h1>Tiêu đề</h1><script>var x=1</script><p>Nội&nbsp;dung <b>đậm</b></p>"
    assert ix.html_text(html) == "Tiêu đề Nội dung đậm"


def test_record_snippet_and_date() -> None:
    r = rec("tin-tuc/a/", "Đại hội", "chữ " * 200, day=date(2026, 10, 16))
    assert r.date == "16/10/2026" and r.sort == "2026-10-16"
    assert len(r.snippet) <= ix.SNIPPET + 2 and r.snippet.endswith("…")
    assert rec("x/", "T", kind="khac").kind == "trang"


def test_build_shards_chunks_and_manifest() -> None:
    records = [
        rec(f"tin-tuc/{i}/", f"Bài {i} tuyển sinh", "nội dung", day=date(2026, 1, 1 + i % 28))
        for i in range(ix.CHUNK + 5)
    ]
    records.append(rec("gioi-thieu/", "Giới thiệu", "Trường", kind="trang"))
    files = ix.build(records, [("a", "Trường A")], "https://x.vn/a/")
    m = files["manifest.json"]
    assert m["records"] == len(records) and m["chunks"] == 2
    assert len(files["docs/0.json"]) == ix.CHUNK and len(files["docs/1.json"]) == 6
    assert m["units"] == [["a", "Trường A"]]
    assert "thcs" in m["synonyms"] and "trung hoc co so" in m["synonyms"]["thcs"]
    assert set(m["shards"]) == {k[len("index/") : -5] for k in files if k.startswith("index/")}
    postings = files["index/tu.json"]["tuyen sinh"]
    assert len(postings) == 3 * (ix.CHUNK + 5)  # id, score, unit*4+kind
    # newest first: id 0 is the newest record; the undated page is last
    docs = files["docs/0.json"] + files["docs/1.json"]
    dates = [d[3] for d in docs]
    assert dates[-1] == "" and docs[-1][0] == "gioi-thieu/"
    assert dates[0] == "28/01/2026"
    # every term sits in the shard named by its first two characters
    for name, data in files.items():
        if name.startswith("index/"):
            assert all(ix.shard_key(t) == name[6:8] for t in data)


def test_write_and_read_records(tmp_path: Path) -> None:
    own = [rec("a/", "Đại hội", "x", day=date(2026, 1, 2))]
    files = ix.build(own, [("a", "A")], "https://x.vn/a/")
    ix.write(tmp_path / "search", files, own)
    assert json.loads((tmp_path / "search/manifest.json").read_text())["records"] == 1
    assert ix.read_records(tmp_path / "search") == own
    assert ix.read_records(tmp_path / "missing") == []
    # rewriting removes shards that no longer exist
    ix.write(tmp_path / "search", ix.build([], [("a", "A")], "https://x.vn/a/"), [])
    assert not (tmp_path / "search/index").exists()


def test_rebase_member_urls() -> None:
    assert ix.rebase("tin-tuc/x/", "https://s.vn/th-a/", "https://s.vn/so/") == "../th-a/tin-tuc/x/"
    assert ix.rebase("", "https://s.vn/th-a/", "https://s.vn/so/") == "../th-a/"
    assert ix.rebase("tin-tuc/x/", "https://th-a.edu.vn/", "https://s.vn/so/") == (
        "https://th-a.edu.vn/tin-tuc/x/"
    )


def test_merge_adds_members_with_unit_ids() -> None:
    own = [rec("tin-tuc/so/", "Sở", unit="so", day=date(2026, 1, 1))]
    member = [rec("tin-tuc/m/", "Trường", unit="th-a", day=date(2026, 2, 1))]
    stray = [rec("tin-tuc/z/", "Khác", unit="zzz")]
    merged = ix.merge(own, [("th-a", "https://s.vn/th-a/", member + stray)], "https://s.vn/so/")
    assert [(r.unit, r.url) for r in merged] == [
        ("so", "tin-tuc/so/"),
        ("th-a", "../th-a/tin-tuc/m/"),
    ]
    files = ix.build(merged, [("so", "Sở"), ("th-a", "Trường A")], "https://s.vn/so/")
    docs = files["docs/0.json"]
    assert docs[0][0] == "../th-a/tin-tuc/m/" and docs[0][2] == 1  # newer member first
    uk = files["index/tr.json"]["truong"][2]
    assert divmod(uk, 4) == (1, ix.KINDS.index("tin-tuc"))


def test_synonyms_are_folded_and_symmetric() -> None:
    syn = ix.synonyms()
    for key in (
        "thcs",
        "thpt",
        "gddt",
        "gd dt",
        "mn",
        "th",
        "bgh",
        "gdtx",
        "gdnn",
        "hs",
        "gv",
        "cmhs",
    ):
        assert key in syn, key
    assert "giao duc va dao tao" in syn["gd dt"]
    for k, alts in syn.items():
        assert k == fold(k)
        for a in alts:
            assert k in syn[a]


def test_cache_inputs_are_members_records() -> None:
    net = get_network(REPO)
    out = Path("/out")
    so = next(u for u in net if u.kind == "so")
    paths = cache_inputs(net, so, out)
    assert paths and all(p.name == "records.json" and p.parent.name == "search" for p in paths)
    assert {p.parent.parent.name for p in paths} == {u.id for u in net.descendants(so.id)}
    school = next(u for u in net if u.kind == "school")
    assert cache_inputs(net, school, out) == []
