"""What stops a command when the network loads (exit code 2, every problem listed, bilingual,
never a traceback): a portal's invalid roll-up policy, a unit without its content folder."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import SMALL_NETWORK, make_network
from edusite.cli import main
from edusite.commands.common import feature_checks
from edusite.structure.network import get_network


def run(*args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output, result.exception


def test_invalid_rollup_policy_stops_the_build_at_load(tmp_path: Path) -> None:
    units = {
        **SMALL_NETWORK,
        "pgd": {**SMALL_NETWORK["pgd"], "rollup": {"policy": "moi-tin", "limit": 0}},
        "so": {**SMALL_NETWORK["so"], "rollup": {"policy": ["featured"]}},  # not even text
    }
    root = make_network(tmp_path / "net", units)
    code, out, exc = run("build", "--root", str(root), "--out", str(tmp_path / "out"), "-j", "1")
    assert code == 2, out
    assert isinstance(exc, SystemExit)  # printed and exited, no traceback
    assert "Mạng đơn vị không hợp lệ / the network is invalid:" in out
    assert (
        "sites/pgd/mkdocs.yml: trường 'extra.unit.rollup.policy' / field 'extra.unit.rollup.policy': "
        "chính sách 'moi-tin' không hợp lệ; chọn một trong: all, featured / "
        "unknown policy 'moi-tin'; expected one of: all, featured"
    ) in out
    assert "sites/pgd/mkdocs.yml: trường 'extra.unit.rollup.limit'" in out
    assert "must be a whole number from 1 to 1000 (got 0)" in out
    assert "sites/so/mkdocs.yml: trường 'extra.unit.rollup.policy'" in out
    assert not (tmp_path / "out" / "th-a").exists()  # nothing built


def test_missing_content_folder_is_a_network_error(tmp_path: Path) -> None:
    root = make_network(tmp_path / "net", SMALL_NETWORK)
    (root / "content/th-a").rmdir()
    code, out, exc = run("build", "--root", str(root), "--out", str(tmp_path / "out"), "-j", "1")
    assert code == 2 and isinstance(exc, SystemExit), out
    assert (
        "sites/th-a/mkdocs.yml: trường 'docs_dir' / field 'docs_dir': thư mục nội dung "
        "content/th-a không tồn tại (docs_dir: ../../content/th-a); hãy tạo thư mục này, ít nhất "
        "với trang index.md / the content folder content/th-a does not exist "
        "(docs_dir: ../../content/th-a); create it, with at least an index.md page"
    ) in out


def test_every_problem_is_listed_together(tmp_path: Path) -> None:
    """A missing folder, an invalid policy and a bad parent: one run, one list."""
    units = {
        **SMALL_NETWORK,
        "pgd": {**SMALL_NETWORK["pgd"], "rollup": {"policy": "bogus"}},
        "th-b": {"name": "B", "kind": "school", "level": "thcs", "parent": "khong-co"},
    }
    root = make_network(tmp_path / "net", units)
    (root / "content/th-a").rmdir()
    code, out, _ = run("check", "--root", str(root))
    assert code == 2, out
    code, out, _ = run("serve", "th-a", "--root", str(root))
    assert code == 2, out
    for expected in (
        "sites/th-a/mkdocs.yml: trường 'docs_dir'",
        "sites/pgd/mkdocs.yml: trường 'extra.unit.rollup.policy'",
        "sites/th-b/mkdocs.yml: trường 'extra.unit.parent'",
    ):
        assert expected in out, out


def test_rollup_of_a_school_is_a_warning_and_unknown_keys_are_left_to_the_portal(
    tmp_path: Path,
) -> None:
    units = {
        **SMALL_NETWORK,
        "pgd": {**SMALL_NETWORK["pgd"], "rollup": {"policy": "all", "limt": 5}},
        "th-a": {**SMALL_NETWORK["th-a"], "rollup": {"policy": "all"}},
    }
    root = make_network(tmp_path / "net", units)
    network = get_network(root, checks=(feature_checks,))
    shown = [str(w) for w in network.warnings]
    assert [w for w in shown if w.startswith("sites/th-a/mkdocs.yml: trường 'extra.unit.rollup'")]
    assert not [w for w in shown if "limt" in w]  # the portal's build reports it, once


def test_base_config_that_is_not_a_mapping_is_named_not_a_crash(tmp_path: Path) -> None:
    """The network's own mkdocs.yml as a list, or with ``extra.network`` as text: exit 2 naming
    the file and the field, in both languages, never an AttributeError."""
    root = make_network(tmp_path / "net", SMALL_NETWORK)
    base = root / "mkdocs.yml"
    original = base.read_text(encoding="utf-8") if base.exists() else ""
    for text, field in (
        ("- site_name\n- theme\n", None),
        ("extra: [1, 2]\n", "extra"),
        ("extra:\n  network: moi-truong\n", "extra.network"),
    ):
        base.write_text(text, encoding="utf-8")
        code, out, exc = run("build", "--root", str(root), "--out", str(tmp_path / "out"))
        assert code == 2 and isinstance(exc, SystemExit), out
        assert "mkdocs.yml" in out and "phải là một bảng YAML / must be a YAML mapping" in out
        if field:
            assert f"mkdocs.yml: trường '{field}' / field '{field}'" in out, out
    base.write_text(original, encoding="utf-8")
