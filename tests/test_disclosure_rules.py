"""The disclosure rules file: schema validation, regimes, owed sections, network overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from edusite.disclosure.rules import default_rules_path, get_rules, load_rules
from edusite.errors import EdusiteError

RULES = load_rules()
TT09_YEARLY = [
    "thong-tin-chung",
    "thu-chi-tai-chinh",
    "dieu-kien-bao-dam-chat-luong",
    "ke-hoach-va-ket-qua",
    "bao-cao-thuong-nien",
]
TT36 = ["cam-ket-chat-luong", "dieu-kien-dam-bao-chat-luong", "thu-chi-tai-chinh"]


def owed(start: int, levels: list[str], **flags: object) -> list[str]:
    regime = RULES.regime_for(start)
    assert regime is not None
    return [s.slug for s in regime.owed(levels, flags)]


def test_regime_switches_at_2024_2025() -> None:
    assert RULES.regime_for(2023).id == "tt36-2017"  # 2023-2024
    assert RULES.regime_for(2024).id == "tt09-2024"  # 2024-2025
    assert RULES.regime_for(2030).id == "tt09-2024"
    assert RULES.regime_for(2018).id == "tt36-2017"
    assert RULES.regime_for(2016) is None  # before TT36: not checked
    assert owed(2023, ["tieu-hoc"]) == TT36
    assert owed(2024, ["tieu-hoc"]) == TT09_YEARLY


def test_sections_per_level() -> None:
    assert owed(2026, ["mam-non"]) == [
        *TT09_YEARLY,
        "thuc-don",
        "ke-hoach-thang",
        "ke-hoach-tuan",
    ]
    for level in ("tieu-hoc", "thcs", "thpt", "gdtx"):
        assert owed(2026, [level]) == TT09_YEARLY
    # meals are owed by a school that serves them, never by a GDTX centre
    assert owed(2026, ["tieu-hoc"], meals=True) == [*TT09_YEARLY, "thuc-don"]
    assert owed(2026, ["gdtx"], meals=True) == TT09_YEARLY


def test_lien_cap_owes_the_union_of_its_levels() -> None:
    both = owed(2026, ["mam-non", "tieu-hoc"])
    assert both == owed(2026, ["mam-non"])
    regime = RULES.regime_for(2026)
    section = regime.section("dieu-kien-bao-dam-chat-luong")
    assert section.basis_for(["mam-non", "tieu-hoc"]) == (
        "TT 09/2024/TT-BGDĐT Điều 6; TT 09/2024/TT-BGDĐT Điều 8"
    )
    assert section.basis_for(["tieu-hoc", "thcs"]) == "TT 09/2024/TT-BGDĐT Điều 8"
    legacy = RULES.regime_for(2023).section("cam-ket-chat-luong")
    assert legacy.forms_for(["tieu-hoc", "thcs"]) == "Biểu mẫu 05, 06; Biểu mẫu 09, 10"


def test_deadlines_come_from_the_data() -> None:
    tt09 = RULES.regime_for(2026)
    finance = tt09.section("thu-chi-tai-chinh")
    assert RULES.due_for_year(tt09, finance, 2026) == date(2026, 6, 30)
    # TT09 came into force after 30/06/2024: the data grants its first year until 30/09/2024
    assert RULES.due_for_year(tt09, finance, 2024) == date(2024, 9, 30)
    assert finance.update is not None and finance.update.working_days == 10
    assert finance.update.severity == "warning"
    assert tt09.section("ke-hoach-thang").deadline.day == 25
    assert tt09.section("thuc-don").deadline.weekday == 5
    assert RULES.retention_years == 5
    assert RULES.privacy_rule("cccd").severity == "error"
    assert RULES.regime_for(2023).section("thu-chi-tai-chinh").confidence == "H"


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def default_data() -> dict:
    return yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))


def errors(path: Path, overrides: list[Path] | None = None) -> list[str]:
    with pytest.raises(EdusiteError) as info:
        load_rules(path, overrides)
    return [str(p) for p in info.value.problems]


def test_schema_errors_name_file_and_key_in_both_languages(tmp_path: Path) -> None:
    data = default_data()
    section = data["regimes"]["tt09-2024"]["sections"][0]
    section["severity"] = "fatal"
    section["levels"] = ["mam-non", "dai-hoc"]
    section["deadline"]["kind"] = "quarterly"
    section["colour"] = "red"
    data["retention_years"] = 0
    path = write(tmp_path, "rules.yml", data)
    errs = errors(path)
    key = "regimes.tt09-2024.sections[0]"
    assert f"rules.yml: trường '{key}.severity' / field '{key}.severity': " in "\n".join(errs)
    assert any(
        e.endswith(
            f"'{key}.severity': giá trị 'fatal' không hợp lệ; chọn một trong: error, warning"
            " / invalid value 'fatal'; expected one of: error, warning"
        )
        for e in errs
    )
    assert any(f"'{key}.levels'" in e and "invalid value 'dai-hoc'" in e for e in errs)
    assert any(f"'{key}.deadline.kind'" in e and "invalid value 'quarterly'" in e for e in errs)
    assert any(
        f"'{key}.colour'" in e and "khóa không được hỗ trợ" in e and "unknown key" in e
        for e in errs
    )
    assert any(
        "'retention_years'" in e and "phải là số nguyên từ 1 đến 50, nhận được 0" in e for e in errs
    )
    assert all(str(path.name) in e for e in errs)


def test_yaml_syntax_and_missing_schema(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("regimes: [unclosed\n", encoding="utf-8")
    assert "YAML không hợp lệ" in errors(broken)[0]
    data = default_data()
    del data["schema"]
    errs = errors(write(tmp_path, "old.yml", data))
    assert errs == [
        f"{tmp_path / 'old.yml'}: trường 'schema' / field 'schema': "
        "cần 'schema: 1' (phiên bản định dạng tệp quy tắc) / "
        "expected 'schema: 1' (rules file format version)"
    ]
    assert "không tìm thấy tệp quy tắc" in errors(tmp_path / "nope.yml")[0]


def test_overlapping_regimes_are_rejected(tmp_path: Path) -> None:
    data = default_data()
    data["regimes"]["tt36-2017"]["until"] = "2024-2025"
    errs = errors(write(tmp_path, "overlap.yml", data))
    assert len(errs) == 1
    assert "regimes.tt09-2024.from" in errs[0]
    assert "chế độ 'tt36-2017' và 'tt09-2024' cùng áp dụng cho một năm học" in errs[0]
    bad_year = default_data()
    bad_year["regimes"]["tt09-2024"]["from"] = "2024-2026"
    errs = errors(write(tmp_path, "year.yml", bad_year))
    assert any(
        "regimes.tt09-2024.from" in e and "năm học '2024-2026' không hợp lệ" in e for e in errs
    )


def test_override_changes_and_extends_sections(tmp_path: Path) -> None:
    override = write(
        tmp_path,
        "so.yml",
        {
            "holidays": ["2026-09-02"],
            "regimes": {
                "tt09-2024": {
                    "sections": [
                        {"slug": "thu-chi-tai-chinh", "update": {"severity": "error"}},
                        {
                            "slug": "huong-nghiep",
                            "title": "Kế hoạch giáo dục hướng nghiệp",
                            "levels": ["thcs", "thpt"],
                            "deadline": {"kind": "yearly", "month": 6, "day": 30},
                        },
                    ]
                }
            },
        },
    )
    rules = load_rules(None, [override])
    tt09 = rules.regime_for(2026)
    assert tt09.section("thu-chi-tai-chinh").update.severity == "error"
    assert tt09.section("thu-chi-tai-chinh").update.working_days == 10  # kept from the default
    assert tt09.section("thu-chi-tai-chinh").title == "Thu, chi tài chính"
    assert [s.slug for s in tt09.owed(["tieu-hoc", "thcs"], {})][-1] == "huong-nghiep"
    assert "huong-nghiep" not in [s.slug for s in tt09.owed(["tieu-hoc"], {})]
    # the network's extra day off joins the holiday calendar (Tết, 30/4, 1/5, 2/9 …)
    assert date(2026, 9, 2) in rules.holidays and date(2026, 2, 17) in rules.holidays
    assert rules.files[-1] == override


def test_override_with_incomplete_new_section(tmp_path: Path) -> None:
    override = write(
        tmp_path,
        "so.yml",
        {"regimes": {"tt09-2024": {"sections": [{"slug": "huong-nghiep", "title": "X"}]}}},
    )
    errs = errors(default_rules_path(), [override])
    key = "regimes.tt09-2024.sections[8]"
    assert (
        f"so.yml: trường '{key}.deadline' / field '{key}.deadline': bắt buộc / required"
        in "\n".join(errs)
    )
    assert any(f"'{key}.levels'" in e for e in errs)


def test_get_rules_reads_the_network_setting(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    write(
        tmp_path / "rules",
        "extra.yml",
        {"regimes": {"tt09-2024": {"sections": [{"slug": "thuc-don", "severity": "warning"}]}}},
    )
    write(tmp_path, "mkdocs.yml", {"extra": {"network": {"disclosure_rules": "rules/extra.yml"}}})
    rules = get_rules(tmp_path)
    assert rules.regime_for(2026).section("thuc-don").severity == "warning"
    assert get_rules(tmp_path, {}).regime_for(2026).section("thuc-don").severity == "error"
    with pytest.raises(EdusiteError) as info:
        get_rules(tmp_path, {"disclosure_rules": 5})
    assert "extra.network.disclosure_rules" in str(info.value)
    with pytest.raises(EdusiteError) as info:
        get_rules(tmp_path, {"disclosure_rules": "rules/missing.yml"})
    assert "missing.yml: không tìm thấy tệp quy tắc công khai" in str(info.value)
