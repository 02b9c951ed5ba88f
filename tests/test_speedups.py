"""build/speedups.py: applied only under the versions it was written for, equal to the stock code
byte for byte, off with ``--no-speedups``, and its config memo sees an edited base mkdocs.yml."""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_network, post
from edusite.build import speedups
from edusite.build.builder import build_network
from edusite.structure.network import get_network
from test_determinism import assert_same, demo_build, snapshot

#: sha256 (first 16 hex digits) of the source of the code each speed-up replaces, wraps or
#: relies on, as read in the versions of :data:`speedups.WRITTEN_FOR`. A mismatch means the
#: installed package is not the code the speed-ups were checked against.
STOCK_SOURCES = {
    "mkdocs.structure.pages:Page.render": "320529348f7a8af1",
    "mkdocs.structure.files:Files.add_files_from_theme": "0169dd2b1c22ca13",
    "mkdocs.utils.yaml:yaml_load": "d80d2693661356b8",
    "mkdocs.utils:get_themes": "eccc06496de6cf8a",
    "mkdocs.theme:Theme._load_theme_config": "7decadb345cb92e6",
    "jinja2:FileSystemLoader.list_templates": "320387ffb0e553d2",
    "jinja2:BytecodeCache.get_bucket": "da78e2252b177bb7",
    "jinja2:BytecodeCache.get_cache_key": "d690ddf8ed06a55f",
    "markdown:Markdown.reset": "82d147413a39662a",
}


@pytest.fixture
def stock() -> Iterator[None]:
    """The stock code in place during the test; the speed-ups' state put back after it."""
    was = speedups._installed
    speedups.uninstall()
    yield
    speedups.uninstall()
    speedups._fits_once.cache_clear()
    if was:
        speedups.install()


def _source_digest(target: str) -> str:
    import importlib

    module, _, attr = target.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    obj = getattr(obj, "__wrapped__", obj)  # get_themes is an lru_cache
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()[:16]


def test_installed_versions_are_the_ones_the_speedups_were_written_for() -> None:
    """Fails after an upgrade: the speed-ups then fall back to the stock code (slower builds).
    Read the new code, compare it with each speed-up, then add the version to WRITTEN_FOR and
    update STOCK_SOURCES."""
    have = speedups.installed_versions()
    for name in speedups.WRITTEN_FOR:
        assert speedups.fits(name, have), (name, speedups.WRITTEN_FOR[name], have)


def test_stock_code_is_the_code_the_speedups_were_written_against(stock: None) -> None:
    found = {target: _source_digest(target) for target in STOCK_SOURCES}
    assert found == STOCK_SOURCES


def test_another_version_keeps_the_stock_code(
    stock: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import jinja2
    from mkdocs.structure.pages import Page
    from mkdocs.utils import yaml as mkdocs_yaml

    render, listing, load = (
        Page.render,
        jinja2.FileSystemLoader.list_templates,
        mkdocs_yaml.yaml_load,
    )
    versions = {**speedups.installed_versions(), "mkdocs": "1.6.2"}
    monkeypatch.setattr(speedups, "installed_versions", lambda: versions)
    with caplog.at_level(logging.DEBUG, logger="edusite.build.speedups"):
        speedups.install()
    assert speedups.APPLIED == {
        "template-listing": True,  # Jinja's own: still the version it was written for
        "theme-files": False,
        "markdown-reuse": False,
        "config-parsing": False,
        "bytecode-cache": True,
    }
    assert Page.render is render and mkdocs_yaml.yaml_load is load
    assert jinja2.FileSystemLoader.list_templates is not listing
    assert "speed-up markdown-reuse left out, stock code runs" in caplog.text
    assert "installed mkdocs 1.6.2" in caplog.text
    speedups.uninstall()
    assert jinja2.FileSystemLoader.list_templates is listing


def test_turned_off_means_stock_code_and_no_bytecode_cache(stock: None) -> None:
    from mkdocs.structure.pages import Page

    render = Page.render
    speedups.install()
    assert Page.render is not render
    try:
        speedups.set_enabled(False)  # edusite build --no-speedups
        assert Page.render is render and not speedups.APPLIED
        speedups.install()
        assert Page.render is render
        env = type("Env", (), {"bytecode_cache": None})()
        speedups.use_bytecode_cache(env)
        assert env.bytecode_cache is None
    finally:
        speedups.set_enabled(True)
    speedups.use_bytecode_cache(env)
    assert env.bytecode_cache is speedups.BYTECODE_CACHE


def test_a_build_context_without_speedups_gets_the_stock_code(stock: None, tmp_path: Path) -> None:
    from edusite import context
    from edusite.context import BuildContext
    from mkdocs.structure.pages import Page

    render = Page.render
    speedups.install()  # an earlier build of this process
    assert Page.render is not render
    with context.active(BuildContext(root=tmp_path, out=tmp_path, cache=None, speedups=False)):
        speedups.install()
        assert Page.render is render and not speedups.enabled()
    assert speedups.enabled()


@pytest.mark.slow
def test_speedups_build_the_same_bytes_as_the_stock_code(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The demo built by fresh processes with the speed-ups and with ``--no-speedups``."""
    fast = demo_build(tmp_path_factory, "forward", seed=1)
    plain = demo_build(tmp_path_factory, "forward", "--no-speedups", seed=2)
    assert_same(snapshot(fast), snapshot(plain), "speed-ups vs --no-speedups")


def _age(*paths: Path, seconds: int = 3600) -> None:
    """Date files back, so the memo may trust their stamps (files younger than 2 s are re-read)."""
    for path in paths:
        old = time.time() - seconds
        os.utime(path, (old, old))


def test_config_memo_follows_the_inherit_chain(
    stock: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs.utils import yaml as mkdocs_yaml

    base, child = tmp_path / "mkdocs.yml", tmp_path / "sites/a/mkdocs.yml"
    child.parent.mkdir(parents=True)
    base.write_text("x: 1\nnested: {a: 1, b: 1}\n", encoding="utf-8")
    child.write_text("INHERIT: ../../mkdocs.yml\nnested: {b: 2}\n", encoding="utf-8")
    _age(base, child)
    speedups.install()

    def load() -> dict:
        with open(child, "rb") as fh:
            return mkdocs_yaml.yaml_load(fh, mkdocs_yaml.get_yaml_loader())

    assert load() == {"x": 1, "nested": {"a": 1, "b": 2}}
    assert [c[0] for c in speedups._YAML[str(child)][0]] == [str(child), str(base)]
    assert load() == {"x": 1, "nested": {"a": 1, "b": 2}}  # from the memo: a copy each time
    load()["nested"]["a"] = 9
    assert load()["nested"]["a"] == 1
    base.write_text("x: 2\nnested: {a: 1, b: 1}\n", encoding="utf-8")  # same size, new content
    _age(base, seconds=1800)
    assert load()["x"] == 2
    # A tagged file anywhere in the chain: parsed every time (!ENV reads the environment).
    base.write_text("x: !ENV [EDUSITE_TEST_X, 5]\n", encoding="utf-8")
    _age(base, seconds=900)
    assert load()["x"] == 5
    monkeypatch.setenv("EDUSITE_TEST_X", "7")
    assert load()["x"] == 7


def test_an_edited_base_config_shows_in_the_next_build_of_the_same_process(
    tmp_path: Path, pinned_now: str
) -> None:
    """A worker builds many sites: the base mkdocs.yml edited between two builds (here, a
    category's name) must show in the second, although the site's own file did not change."""
    root = make_network(
        tmp_path / "net",
        {
            "so": {"name": "Sở GDĐT Thử", "kind": "so"},
            "th-a": {"name": "Trường TH A", "kind": "school", "level": "tieu-hoc", "parent": "so"},
        },
        {
            "content/th-a/tin-tuc/2026/2026-11-02-hop/index.md": post(
                "Họp phụ huynh", "2026-11-02 08:00", categories=["thong-bao"]
            )
        },
    )
    _age(*(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()))
    speedups.set_enabled(True)
    out = tmp_path / "public"
    page = out / "th-a/tin-tuc/2026/2026-11-02-hop/index.html"

    def build() -> str:
        (result,) = build_network(get_network(root), ["th-a"], out=out, jobs=1, offline=True)
        assert result.ok, result.errors
        return page.read_text(encoding="utf-8")

    assert "Thông báo" in build() and "Thông báo khẩn" not in page.read_text(encoding="utf-8")
    assert speedups.APPLIED.get("config-parsing"), "the config memo was not in use"
    site_file = str(root / "sites/th-a/mkdocs.yml")
    assert any(k == site_file or k.endswith("/sites/th-a/mkdocs.yml") for k in speedups._YAML)
    base = root / "mkdocs.yml"
    text = base.read_text(encoding="utf-8")
    assert "thong-bao: Thông báo\n" in text
    base.write_text(text.replace("thong-bao: Thông báo\n", "thong-bao: Thông báo khẩn\n"), "utf-8")
    _age(base, seconds=1800)  # settled: the memo may keep the new parse too
    assert "Thông báo khẩn" in build()
    assert "Thông báo khẩn" in build()  # and from the memo
