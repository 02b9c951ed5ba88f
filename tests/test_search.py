"""Search index, pure Python: folding, tokens, scores, shards, chunks, merging, cache inputs."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
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


#: Syllables for synthetic pages: enough vocabulary that big indexes need two-character shards.
SYLLABLES = [
    "tuyen",
    "sinh",
    "lop",
    "hoc",
    "truong",
    "thong",
    "bao",
    "ke",
    "hoach",
    "nam",
    "giao",
    "duc",
    "dao",
    "tao",
    "hoi",
    "nghi",
    "tap",
    "huan",
    "vien",
    "phu",
    "huynh",
    "khai",
    "giang",
    "tong",
    "ket",
    "thi",
    "dua",
    "khen",
    "thuong",
    "an",
    "toan",
    "phong",
    "chong",
    "dich",
    "benh",
    "ve",
    "moi",
    "van",
    "nghe",
    "the",
    "thao",
    "doan",
    "doi",
    "sao",
    "nhi",
    "dong",
    "chuyen",
    "mon",
    "kiem",
    "tra",
    "danh",
    "gia",
    "chat",
    "luong",
    "ngoai",
    "khoa",
    "trai",
    "nghiem",
    "sang",
    "cong",
    "tin",
    "so",
    "hoa",
    "quan",
    "ly",
    "xay",
    "dung",
    "co",
    "vat",
    "thu",
    "sach",
    "yeu",
    "zalo",
    "quy",
    "che",
    "10",
    "11",
    "12",
    "2026",
]


def pages(n: int, words: int, seed: int = 1) -> list[ix.Record]:
    """``n`` synthetic pages of ``words`` random syllables (deterministic)."""
    rnd = random.Random(seed)
    return [
        rec(
            f"tin-tuc/{i}/",
            " ".join(rnd.choices(SYLLABLES, k=6)),
            " ".join(rnd.choices(SYLLABLES, k=words)),
            day=date(2026, 1 + i % 12, 1 + i % 28),
        )
        for i in range(n)
    ]


def index_size(files: dict) -> int:
    """Characters of all postings' JSON (what :func:`ix.choose_prefix` measures)."""
    merged: dict = {}
    for name, data in files.items():
        if name.startswith("index/"):
            merged.update(data)
    return len(ix.dumps(merged))


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
    assert ix.shard_key("tuyen sinh", 1) == ix.shard_key("tuyen", 1) == "t"
    assert ix.shard_key("한국", 1) == "_"
    assert ix.shard_key("tuyen sinh", 0) == ix.shard_key("한국", 0) == ix.ALL == "all"
    assert ix.shard_key("\U00020000a") == "_a"  # code points, not UTF-16 units (as the JS)


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
    files = ix.build(records, [("a", "Trường A")], "https://x.vn/a/", prefix=2)
    m = files["manifest.json"]
    assert m["version"] == ix.VERSION == 2 and m["prefix"] == 2
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
    # the same postings whatever the prefix; this small index gets one file by default
    auto = ix.build(records, [("a", "Trường A")], "https://x.vn/a/")
    assert auto["manifest.json"]["prefix"] == 0 and auto["manifest.json"]["shards"] == ["all"]
    assert [k for k in auto if k.startswith("index/")] == ["index/all.json"]
    assert auto["index/all.json"] == {
        t: p for k, v in files.items() if k.startswith("index/") for t, p in sorted(v.items())
    }
    assert list(auto["index/all.json"]) == sorted(auto["index/all.json"])


def test_prefix_follows_index_size() -> None:
    """Small indexes: one file; moderate: one-character shards; large: two characters."""
    got = {}
    for n, words in ((20, 30), (80, 120), (400, 200)):
        files = ix.build(pages(n, words), [("a", "A")], "https://x.vn/a/")
        m = files["manifest.json"]
        size, prefix = index_size(files), m["prefix"]
        got[prefix] = size
        limits = (ix.PREFIX_ONE_FILE, ix.PREFIX_ONE_CHAR)
        assert prefix == sum(size >= x for x in limits), (n, size, prefix)
        keys = [k[len("index/") : -len(".json")] for k in files if k.startswith("index/")]
        assert m["shards"] == sorted(keys)
        assert all(len(k) == prefix for k in keys) if prefix else keys == ["all"]
    assert sorted(got) == [0, 1, 2], got
    # the large index still splits like before: ~two characters per shard
    files = ix.build(pages(400, 200), [("a", "A")], "https://x.vn/a/")
    assert "index/tu.json" in files and "tuyen sinh" in files["index/tu.json"]


def test_choose_prefix_thresholds() -> None:
    def sized(n: int) -> dict[str, list[int]]:  # postings whose JSON is exactly n characters
        return {"a": [0] * ((n - 7) // 2)} if n % 2 else {"ab": [0] * ((n - 8) // 2)}

    for n in (101, 1000, ix.PREFIX_ONE_FILE, ix.PREFIX_ONE_CHAR, 5 * ix.PREFIX_ONE_CHAR):
        for size in (n - 2, n - 1, n, n + 1):
            p = sized(size)
            assert len(ix.dumps(p)) == size
            want = 0 if size < ix.PREFIX_ONE_FILE else 1 if size < ix.PREFIX_ONE_CHAR else 2
            assert ix.choose_prefix(p) == want, size


TERMS = ["tuyen", "tuyen sinh", "a", "10", "z", "한국", "한", "\U00020000a", "é", "_x", "x y"]


@pytest.mark.parametrize("prefix", [0, 1, 2])
def test_every_term_in_the_shard_the_script_picks(prefix: int) -> None:
    """Each term sits in ``index/<shardKey(term, prefix)>.json`` (search.js's rule, mirrored)."""

    def js_shard_key(t: str, n: int) -> str:  # assets/search.js shardKey, line by line
        if not n:
            return "all"
        cs, k = list(t), ""
        for i in range(n):
            ok = i < len(cs) and len(cs[i]) == 1 and cs[i] in ASCII_ALNUM
            k += cs[i] if ok else "_"
        return k

    records = [rec(f"p{i}/", t, t) for i, t in enumerate(TERMS)] + pages(60, 80)
    files = ix.build(records, [("a", "A")], "https://x.vn/a/", prefix=prefix)
    m = files["manifest.json"]
    seen = 0
    for name, data in files.items():
        if name.startswith("index/"):
            key = name[len("index/") : -len(".json")]
            assert key in m["shards"]
            for t in data:
                assert js_shard_key(t, prefix) == ix.shard_key(t, prefix) == key, t
                seen += 1
    assert seen > 300
    assert len(m["shards"]) == sum(k.startswith("index/") for k in files)


ASCII_ALNUM = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def test_dumps_is_the_standard_library_text() -> None:
    """orjson writes what ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` would."""

    def std(data: object) -> str:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    shard = {t: [i, 0, 1234567, 3, 2**40] for i, t in enumerate(TERMS + ['q"uo\\te', "\x01\n"])}
    tricky = {"vi": "Đại hội \u2028 Tiếng Việt", "emoji": "📚", "ctl": "\x1f\t", "n": [-1, 0]}
    for data in (shard, {}, tricky, [tricky, None, True]):
        assert ix.dumps(data) == std(data)
    files = ix.build(pages(80, 120), [("a", "A")], "https://x.vn/a/")
    for data in files.values():
        assert ix.dumps(data) == std(data)


def test_write_and_read_records(tmp_path: Path) -> None:
    own = [rec("a/", "Đại hội", "x", day=date(2026, 1, 2))]
    files = ix.build(own, [("a", "A")], "https://x.vn/a/")
    ix.write(tmp_path / "search", files, own)
    assert json.loads((tmp_path / "search/manifest.json").read_text())["records"] == 1
    assert ix.read_records(tmp_path / "search") == own
    assert ix.read_records(tmp_path / "missing" / "search") == []  # another site: none
    # every file holds exactly the JSON of its data
    big = pages(80, 120)
    files = ix.build(big, [("a", "A")], "https://x.vn/a/", prefix=1)
    ix.write(tmp_path / "search", files, big)
    written = {
        p.relative_to(tmp_path / "search").as_posix(): p.read_text(encoding="utf-8")
        for p in (tmp_path / "search").rglob("*.json")
    }
    # the own records (the portals' merge source) live outside search/: never published
    records = tmp_path / ".edusite" / "search" / "records.json"
    assert records.read_text(encoding="utf-8") == ix.dumps([r.to_json() for r in ix.order(big)])
    assert written == {k: ix.dumps(v) for k, v in files.items()}
    # rewriting removes shards that no longer exist
    ix.write(tmp_path / "search", ix.build([], [("a", "A")], "https://x.vn/a/"), [])
    assert not (tmp_path / "search/index").exists()


def test_rebase_member_urls() -> None:
    assert ix.rebase("tin-tuc/x/", "https://s.vn/th-a/", "https://s.vn/so/") == "../th-a/tin-tuc/x/"
    assert ix.rebase("", "https://s.vn/th-a/", "https://s.vn/so/") == "../th-a/"
    assert ix.rebase("tin-tuc/x/", "https://th-a.edu.vn/", "https://s.vn/so/") == (
        "https://th-a.edu.vn/tin-tuc/x/"
    )


def test_rebaser_equals_rebase() -> None:
    """The per-member shortcut gives exactly :func:`ix.rebase`'s result, tricky cases included."""
    members = [
        "https://s.vn/th-a/",
        "https://s.vn/a/b/th-a/",
        "https://s.vn/",
        "https://s.vn/so/",
        "https://s.vn/so/th-a/",
        "https://s.vn//x/",
        "https://s.vn/a/../th-a/",
        "https://s.vn/th-a",
        "https://s.vn",
        "https://th-a.edu.vn/",
        "http://s.vn/th-a/",
        "https://s.vn/th-a/?q=1",
        "/th-a/",
        "/",
        "th-a/",
    ]
    portals = ["https://s.vn/so/", "https://s.vn/", "https://s.vn", "https://s.vn/a/b/", "/so/"]
    urls = [
        "tin-tuc/x/",
        "tin-tuc/x/index.html",
        "",
        "x",
        "so/tin-tuc/",
        "/abs/",
        "a//b/",
        "./a/",
        "a/../b/",
        "a/.",
        "..a/",
        "a/..b/",
        "a?b=1",
        "a#frag",
        "a\tb/",
        "%C3%A9/",
        "trang/é/",
        "//evil/",
    ]

    def outcome(f: Any, *args: str) -> str:  # the result, or the error rebase raises too
        try:
            return f(*args)
        except ValueError as exc:
            return repr(exc)

    for member in members:
        for portal in portals:
            fix = ix.rebaser(member, portal)
            for url in urls:
                want = outcome(ix.rebase, url, member, portal)
                assert outcome(fix, url) == want, (member, portal, url)


def test_merge_adds_members_with_unit_ids() -> None:
    own = [rec("tin-tuc/so/", "Sở", unit="so", day=date(2026, 1, 1))]
    member = [rec("tin-tuc/m/", "Trường", unit="th-a", day=date(2026, 2, 1))]
    stray = [rec("tin-tuc/z/", "Khác", unit="zzz")]
    merged = ix.merge(own, [("th-a", "https://s.vn/th-a/", member + stray)], "https://s.vn/so/")
    assert [(r.unit, r.url) for r in merged] == [
        ("so", "tin-tuc/so/"),
        ("th-a", "../th-a/tin-tuc/m/"),
    ]
    m = merged[1]
    assert m == ix.Record.from_json({**member[0].to_json(), "url": "../th-a/tin-tuc/m/"})
    assert member[0].url == "tin-tuc/m/"  # the member's records are left alone
    files = ix.build(merged, [("so", "Sở"), ("th-a", "Trường A")], "https://s.vn/so/", prefix=2)
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
    assert all(p.parents[1].name == ".edusite" for p in paths)  # not published (issue 19)
    assert {p.parents[2].name for p in paths} == {u.id for u in net.descendants(so.id)}
    school = next(u for u in net if u.kind == "school")
    assert cache_inputs(net, school, out) == []
