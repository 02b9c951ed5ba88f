"""Network validation: every error names the file and field, in Vietnamese and English."""

from pathlib import Path

import pytest
from conftest import make_network
from edusite.errors import EdusiteError
from edusite.structure.network import get_network

GOOD = {
    "so": {"name": "Sở", "kind": "so"},
    "pgd": {"name": "Phòng", "kind": "portal", "parent": "so"},
    "th": {"name": "Trường TH", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
    "lc": {
        "name": "Liên cấp",
        "kind": "school",
        "level": "lien-cap",
        "levels": ["tieu-hoc", "thcs"],
        "parent": "so",
    },
}


def errors_of(root: Path) -> list[str]:
    with pytest.raises(EdusiteError) as info:
        get_network(root)
    return [str(p) for p in info.value.problems]


def test_valid_network_and_order(tmp_path: Path) -> None:
    net = get_network(make_network(tmp_path, GOOD))
    assert [u.id for u in net] == ["lc", "pgd", "so", "th"]
    order = net.build_order()
    assert order.index("th") < order.index("pgd") < order.index("so")
    assert [u.id for u in net.descendants("so")] == ["lc", "pgd", "th"]
    assert net["lc"].school_levels == ["tieu-hoc", "thcs"]
    assert [u.id for u in net.ancestors("th")] == ["pgd", "so"]


def test_missing_parent(tmp_path: Path) -> None:
    units = dict(GOOD, th={**GOOD["th"], "parent": "pgd-khong-co"})
    errs = errors_of(make_network(tmp_path, units))
    assert errs == [
        "sites/th/mkdocs.yml: trường 'extra.unit.parent' / field 'extra.unit.parent': "
        "đơn vị cấp trên 'pgd-khong-co' không tồn tại / parent 'pgd-khong-co' does not exist"
    ]


def test_bad_kind_and_level(tmp_path: Path) -> None:
    units = dict(GOOD, th={**GOOD["th"], "kind": "truong", "level": "dai-hoc"})
    errs = errors_of(make_network(tmp_path, units))
    assert any(
        "extra.unit.kind" in e
        and "loại 'truong' không hợp lệ" in e
        and "unknown kind 'truong'" in e
        for e in errs
    )
    assert any("extra.unit.level" in e and "unknown level 'dai-hoc'" in e for e in errs)


def test_cycle(tmp_path: Path) -> None:
    units = {
        "so": {"name": "Sở", "kind": "so"},
        "a": {"name": "A", "kind": "portal", "parent": "b"},
        "b": {"name": "B", "kind": "portal", "parent": "a"},
    }
    errs = errors_of(make_network(tmp_path, units))
    assert len(errs) == 1
    assert "vòng lặp đơn vị cấp trên: a → b → a / parent cycle: a → b → a" in errs[0]


def test_duplicate_id(tmp_path: Path) -> None:
    root = make_network(tmp_path, GOOD)
    # A second folder whose config claims an existing id.
    text = (root / "sites/th/mkdocs.yml").read_text(encoding="utf-8")
    (root / "sites/th-2").mkdir()
    (root / "sites/th-2/mkdocs.yml").write_text(text, encoding="utf-8")
    errs = errors_of(root)
    assert any(
        "sites/th-2/mkdocs.yml" in e and "mã 'th' phải trùng tên thư mục 'th-2'" in e for e in errs
    )
    assert any("sites/th-2/mkdocs.yml" in e and "duplicate id 'th'" in e for e in errs)


def test_school_parent_must_be_portal_or_so(tmp_path: Path) -> None:
    units = dict(GOOD, th2={"name": "TH2", "kind": "school", "level": "tieu-hoc", "parent": "th"})
    errs = errors_of(make_network(tmp_path, units))
    assert any(
        "sites/th2/mkdocs.yml" in e and "a 'school' may only belong to: portal, so" in e
        for e in errs
    )


def test_lien_cap_needs_levels_and_errors_are_collected(tmp_path: Path) -> None:
    units = dict(GOOD, lc={"name": "LC", "kind": "school", "level": "lien-cap", "parent": "so"})
    units["x"] = {"kind": "school", "parent": "so", "level": "thcs", "name": ""}
    errs = errors_of(make_network(tmp_path, units))
    assert any("extra.unit.levels" in e and "at least two levels" in e for e in errs)
    assert any("sites/x/mkdocs.yml" in e and "extra.unit.name" in e for e in errs)


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    root = make_network(tmp_path, GOOD)
    (root / "sites/th/mkdocs.yml").write_text("site_name: [oops\n", encoding="utf-8")
    errs = errors_of(root)
    assert any(
        e.startswith(
            "sites/th/mkdocs.yml: YAML không hợp lệ ở dòng 1, cột 12: dấu [ mở ở đây nhưng "
            "không được đóng bằng ]"
        )
        and "invalid YAML at line 1, column 12: the [ opened here is not closed with ]" in e
        for e in errs
    )
