"""Roll-up policy: which feeds a portal reads (leaf feeds only), limits, validation, determinism.

A tiny network is written to tmp_path, with built feeds under ``public/<id>/`` as the lead's
feed writer produces them; no network access is involved (no remote members, or offline).
"""

from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest_rollup import NOW, network, rss
from edusite.errors import EdusiteError
from edusite.rollup import (
    RollupResult,
    check_policy,
    collect,
    get_policy,
    health_summary,
    inputs,
)
from edusite.structure.network import Network
from edusite.text import TZ
from feedgen.feed import FeedGenerator

UNITS: dict[str, dict[str, Any]] = {
    "so": {"name": "Sở GDĐT Lâm Giang", "kind": "so", "rollup": {"policy": "featured"}},
    "pgd": {
        "name": "Phòng GDĐT Hòa An",
        "kind": "portal",
        "parent": "so",
        "rollup": {"policy": "all", "limit": 60},
    },
    "th-a": {"name": "Trường Tiểu học A", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "th-b": {"name": "Trường Tiểu học B", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "thpt-c": {"name": "Trường THPT C", "kind": "school", "level": "thpt", "parent": "so"},
}
#: unit id → [(guid, date, featured)]
POSTS = {
    "so": [("s1", "2024-11-11", False)],
    "pgd": [("p1", "2024-11-06", False)],
    "th-a": [("a1", "2024-11-10", True), ("a2", "2024-11-05", False), ("a3", "2024-10-01", False)],
    "th-b": [("b1", "2024-11-08", False), ("b2", "2024-11-01", True)],
    "thpt-c": [("c1", "2024-11-09", True), ("c2", "2024-11-07", False)],
}


def site(uid: str) -> str:
    return f"https://lamgiang.edu.vn/{uid}/"


def entries(uid: str, featured_only: bool) -> list[dict[str, str]]:
    return [
        {
            "guid": f"urn:edusite:{uid}:{guid}",
            "title": f"Tin {guid} của {uid}",
            "link": f"{site(uid)}tin-tuc/{guid}/",
            "date": date,
            "summary": f"Tóm tắt {guid}",
        }
        for guid, date, featured in POSTS[uid]
        if featured or not featured_only
    ]


@pytest.fixture
def net(tmp_path: Path) -> Network:
    """The network, with every unit's feed.xml and featured.xml built under public/."""
    for uid in UNITS:
        out = tmp_path / "public" / uid
        out.mkdir(parents=True)
        (out / "feed.xml").write_bytes(rss(entries(uid, False), link=site(uid)))
        (out / "featured.xml").write_bytes(rss(entries(uid, True), link=site(uid)))
    # A portal's own roll-up feed must never be read by the portal above it.
    planted = entries("th-a", False) + [
        {"guid": "urn:planted", "title": "Chỉ có trong roll-up", "date": "2024-11-30"}
    ]
    (tmp_path / "public" / "pgd" / "rollup.xml").write_bytes(rss(planted))
    return network(tmp_path / "repo", UNITS)


def run(tmp_path: Path, net: Network, portal: str, **kw: Any) -> RollupResult:
    return collect(net, portal, tmp_path / "public", tmp_path / "state", now=NOW, **kw)


def short(result: RollupResult) -> list[str]:
    return [item.guid.rsplit(":", 1)[1] for item in result.items]


def test_all_policy_reads_every_descendant_feed(tmp_path: Path, net: Network) -> None:
    result = run(tmp_path, net, "pgd")
    assert short(result) == ["a1", "b1", "a2", "b2", "a3"]
    assert [(h.source_id, h.status, h.items) for h in result.health] == [
        ("th-a", "ok", 3),
        ("th-b", "ok", 2),
    ]
    first = result.items[0]
    assert (first.source_id, first.source_name, first.source_url) == (
        "th-a",
        "Trường Tiểu học A",
        site("th-a"),
    )
    assert first.featured is None  # unknown from feed.xml
    assert result.health[0].url == site("th-a") + "feed.xml"
    assert result.health[0].path == tmp_path / "public" / "th-a" / "feed.xml"


def test_featured_policy_reads_leaf_feeds_only(tmp_path: Path, net: Network) -> None:
    result = run(tmp_path, net, "so")
    # featured news of every school + the district portal's own news; not the Sở's own, and
    # nothing from the district's roll-up feed.
    assert short(result) == ["a1", "c1", "p1", "b2"]
    assert "urn:planted" not in {i.guid for i in result.items}
    flags = {i.guid.rsplit(":", 1)[1]: i.featured for i in result.items}
    assert flags == {"a1": True, "c1": True, "p1": None, "b2": True}
    public = tmp_path / "public"
    assert inputs(net, "so", public) == [
        public / "pgd" / "feed.xml",
        public / "th-a" / "featured.xml",
        public / "th-b" / "featured.xml",
        public / "thpt-c" / "featured.xml",
    ]
    assert inputs(net, "pgd", public) == [
        public / "th-a" / "feed.xml",
        public / "th-b" / "feed.xml",
    ]


def test_limits(tmp_path: Path, net: Network) -> None:
    net["pgd"].rollup = {"policy": "all", "limit": 3}
    assert short(run(tmp_path, net, "pgd")) == ["a1", "b1", "a2"]
    net["pgd"].rollup = {"policy": "all", "per_unit_limit": 1}
    assert short(run(tmp_path, net, "pgd")) == ["a1", "b1"]
    net["pgd"].rollup = {"policy": "all", "max_age_days": 30}  # since 2024-11-01 12:00
    assert short(run(tmp_path, net, "pgd")) == ["a1", "b1", "a2"]


def test_undated_items_kept_last(tmp_path: Path, net: Network) -> None:
    items = entries("th-b", False) + [{"guid": "urn:edusite:th-b:nodate", "title": "Không ngày"}]
    (tmp_path / "public" / "th-b" / "feed.xml").write_bytes(rss(items, link=site("th-b")))
    result = run(tmp_path, net, "pgd")
    assert short(result)[-1] == "nodate"
    assert [w.field for w in result.warnings] == ["pubDate"]


def test_same_guid_in_two_members(tmp_path: Path, net: Network) -> None:
    shared = dict(entries("th-a", False)[1])  # a2, also published by th-b under another title
    copy = {**shared, "title": "Bài khác", "link": site("th-b") + "tin-tuc/khac/"}
    (tmp_path / "public" / "th-b" / "feed.xml").write_bytes(
        rss([*entries("th-b", False), copy], link=site("th-b"))
    )
    result = run(tmp_path, net, "pgd")
    assert short(result) == ["a1", "b1", "a2", "b2", "a3"]
    a2 = result.items[2]
    assert (a2.source_id, a2.title) == ("th-a", "Tin a2 của th-a")
    (warning,) = result.problems
    assert warning.field == "guid" and "urn:edusite:th-a:a2" in warning.en


def test_missing_local_feed_is_reported_not_fatal(tmp_path: Path, net: Network) -> None:
    first = run(tmp_path, net, "pgd")
    assert len(first.items) == 5
    (tmp_path / "public" / "th-b" / "feed.xml").unlink()
    again = run(tmp_path, net, "pgd")
    a, b = again.health
    assert a.status == "ok"
    assert b.status == "stale" and b.items == 2 and "feed.xml is missing" in b.error_en
    assert short(again) == short(first)  # last good items kept
    # With no stored copy, the member simply contributes nothing.
    fresh = collect(net, "pgd", tmp_path / "public", tmp_path / "state2", now=NOW)
    assert fresh.health[1].status == "failed" and short(fresh) == ["a1", "a2", "a3"]
    assert "Trường Tiểu học B" in health_summary(fresh)
    # A broken (malformed) file is reported the same way.
    (tmp_path / "public" / "th-a" / "feed.xml").write_bytes(b"<rss><channel><item>")
    broken = collect(net, "pgd", tmp_path / "public", tmp_path / "state2", now=NOW)
    assert broken.health[0].status == "stale" and "malformed XML" in broken.health[0].error_en


def test_deterministic_output_and_state(tmp_path: Path, net: Network) -> None:
    one = run(tmp_path, net, "so")
    files = sorted((tmp_path / "state" / "so").glob("*.json"))
    assert [f.name for f in files] == [
        "pgd.feed.json",
        "th-a.featured.json",
        "th-b.featured.json",
        "thpt-c.featured.json",
    ]
    before = {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}
    two = run(tmp_path, net, "so")
    assert [i.to_dict() for i in one.items] == [i.to_dict() for i in two.items]
    assert one.health == two.health
    assert {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files} == before  # not rewritten


def test_unchanged_feed_is_not_parsed_again(
    tmp_path: Path, net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A portal re-reads hundreds of member feeds; unchanged bytes reuse the stored items."""
    collect_module = importlib.import_module("edusite.rollup.collect")
    first = run(tmp_path, net, "pgd")
    calls: list[str] = []
    real = collect_module.parse_document

    def counting(data: bytes, source: Any, **kw: Any) -> Any:
        calls.append(source.unit_id)
        return real(data, source, **kw)

    monkeypatch.setattr(collect_module, "parse_document", counting)
    again = run(tmp_path, net, "pgd")
    assert calls == []
    assert [i.to_dict() for i in again.items] == [i.to_dict() for i in first.items]
    # A changed feed is parsed again and its new item shows; the other is still reused.
    feed = tmp_path / "public" / "th-b" / "feed.xml"
    feed.write_bytes(
        rss(
            entries("th-b", False)
            + [{"guid": "urn:edusite:th-b:b9", "title": "Mới", "date": "2024-11-30"}],
            link=site("th-b"),
        )
    )
    third = run(tmp_path, net, "pgd")
    assert calls == ["th-b"]
    assert short(third)[0] == "b9"
    # The same bytes read by a renamed member are parsed again (items carry the name).
    calls.clear()
    renamed = network(
        tmp_path / "repo2", {**UNITS, "th-a": {**UNITS["th-a"], "name": "Trường A mới"}}
    )
    collect(renamed, "pgd", tmp_path / "public", tmp_path / "state", now=NOW)
    assert calls == ["th-a"]


def test_feedgen_feed_like_the_sites_write(tmp_path: Path, net: Network) -> None:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(site("th-a") + "atom.xml")
    fg.title("Trường Tiểu học A - Tin tức")
    fg.link(href=site("th-a") + "tin-tuc/", rel="alternate")
    fg.description("Tin tức")
    fg.updated(datetime(2024, 11, 20, 8, 0, tzinfo=TZ))
    fe = fg.add_entry(order="append")
    fe.id("urn:edusite:th-a:hoi-thi")
    fe.guid("urn:edusite:th-a:hoi-thi", permalink=False)
    fe.title("Hội thi “Giai điệu tuổi hồng”")
    fe.link(href=site("th-a") + "tin-tuc/2024/2024-11-20-hoi-thi/")
    fe.published(datetime(2024, 11, 20, 8, 0, tzinfo=TZ))
    fe.summary("Học sinh tham gia hội thi văn nghệ.")
    fe.content('<p>Nội dung <img src="anh.jpg" alt="Tiết mục múa"></p>', type="CDATA")
    fe.author(name="Trần Thu Hà")
    fe.dc.dc_creator("Trần Thu Hà")
    fe.category(term="hoat-dong", label="Hoạt động")
    fe.enclosure(site("th-a") + "tin-tuc/2024/2024-11-20-hoi-thi/anh.jpg", "2048", "image/jpeg")
    (tmp_path / "public" / "th-a" / "feed.xml").write_bytes(fg.rss_str(pretty=True))
    item = run(tmp_path, net, "pgd").items[0]
    assert item.guid == "urn:edusite:th-a:hoi-thi"
    assert item.title == "Hội thi “Giai điệu tuổi hồng”"
    assert item.published == datetime(2024, 11, 20, 8, 0, tzinfo=TZ)
    assert item.author == "Trần Thu Hà"
    assert item.categories == ("Hoạt động",)
    assert item.image == site("th-a") + "tin-tuc/2024/2024-11-20-hoi-thi/anh.jpg"
    assert item.image_alt == "Tiết mục múa"
    assert item.summary_text == "Học sinh tham gia hội thi văn nghệ."


# -- configuration ------------------------------------------------------------------------------


def test_defaults(net: Network) -> None:
    net["so"].rollup = {}
    net["pgd"].rollup = {}
    assert get_policy(net["so"]).policy == "featured"
    pgd = get_policy(net["pgd"])
    assert (pgd.policy, pgd.limit, pgd.per_unit_limit, pgd.max_age_days, pgd.remote) == (
        "all",
        60,
        None,
        None,
        (),
    )


def test_invalid_config_names_key_and_file(net: Network) -> None:
    net["pgd"].rollup = {
        "policy": "some",
        "limit": 0,
        "per_unit_limit": "5",
        "max_age_days": True,
        "remote": [
            {"id": "Ngoai Mang", "name": "", "feed": "ftp://x.vn/feed.xml"},
            "https://x.vn/feed.xml",
            {"id": "ok", "name": "Trường OK", "feed": "https://ok.example.edu.vn/feed.xml"},
            {"id": "ok", "name": "Trùng", "feed": "https://ok2.example.edu.vn/feed.xml"},
        ],
        "limt": 5,
    }
    with pytest.raises(EdusiteError) as info:
        get_policy(net["pgd"])
    messages = [str(p) for p in info.value.problems]
    fields = [p.field for p in info.value.problems]
    assert fields == [
        "extra.unit.rollup.policy",
        "extra.unit.rollup.limit",
        "extra.unit.rollup.per_unit_limit",
        "extra.unit.rollup.max_age_days",
        "extra.unit.rollup.remote[0].id",
        "extra.unit.rollup.remote[0].name",
        "extra.unit.rollup.remote[0].feed",
        "extra.unit.rollup.remote[1]",
        "extra.unit.rollup.remote[3].id",
    ]
    assert all(p.file.endswith("sites/pgd/mkdocs.yml") for p in info.value.problems)
    assert (
        "chính sách 'some' không hợp lệ" in messages[0] and "unknown policy 'some'" in messages[0]
    )
    policy, problems = check_policy(net["pgd"])
    assert [p.field for p in problems if p.severity == "warning"] == ["extra.unit.rollup.limt"]
    assert [m.id for m in policy.remote] == ["ok"]


def test_per_unit_limit_above_limit_rejected(net: Network) -> None:
    net["pgd"].rollup = {"limit": 10, "per_unit_limit": 20}
    with pytest.raises(EdusiteError, match="per_unit_limit"):
        get_policy(net["pgd"])


def test_remote_members_validated_and_listed(net: Network, tmp_path: Path) -> None:
    net["pgd"].rollup = {
        "remote": [
            {
                "id": "thcs-ngoai-mang",
                "name": "Trường THCS Ngoài Mạng",
                "feed": "https://thcs-ngoai-mang.example.edu.vn/feed.xml",
                "site_url": "https://thcs-ngoai-mang.example.edu.vn/",
            }
        ]
    }
    policy = get_policy(net["pgd"])
    assert policy.remote[0].name == "Trường THCS Ngoài Mạng"
    # Offline and never fetched: reported, the in-repo members still shown, nothing fetched.
    result = run(tmp_path, net, "pgd", offline=True)
    assert [h.kind for h in result.health] == ["local", "local", "remote"]
    assert result.health[2].status == "failed" and len(result.items) == 5
    # Remote feeds are not build inputs.
    assert len(inputs(net, "pgd", tmp_path / "public")) == 2


def test_schools_have_no_rollup(tmp_path: Path, net: Network) -> None:
    with pytest.raises(EdusiteError, match="not a portal"):
        run(tmp_path, net, "th-a")
    with pytest.raises(EdusiteError, match="there is no unit 'pgd-x'"):
        run(tmp_path, net, "pgd-x")
    net["th-a"].rollup = {"policy": "all"}
    _, problems = check_policy(net["th-a"])
    assert [(p.field, p.severity) for p in problems] == [("extra.unit.rollup", "warning")]
