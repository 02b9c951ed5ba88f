"""Shared test fixtures: tiny networks written from dicts, built with the real MkDocs."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """With ``EDUSITE_NO_SKIPS=1`` (``.ci/run``), a skipped test fails: CI installs every tool
    the tests need, so a skip there ("chromium absent", "sshd did not start") would hide a test
    that did not run."""
    _no_skip((yield).get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """The same for a whole module skipped at import (``pytest.importorskip``)."""
    _no_skip((yield).get_result())


def _no_skip(report: Any) -> None:
    if os.environ.get("EDUSITE_NO_SKIPS") == "1" and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped where every tool is installed (EDUSITE_NO_SKIPS=1): {reason}"


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write ``{relative path: text or bytes}`` below ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


def site_config(unit_id: str, unit: dict[str, Any], **extra: Any) -> str:
    """A ``sites/<id>/mkdocs.yml`` text for a unit."""
    cfg = {
        "INHERIT": "../../mkdocs.yml",
        "site_name": unit.get("name", unit_id),
        "site_url": f"https://lamgiang.edu.vn/{unit_id}/",
        "docs_dir": f"../../content/{unit_id}",
        "site_dir": f"../../public/{unit_id}",
        "extra": {"unit": {"id": unit_id, "name": unit.get("name", unit_id), **unit}},
        **extra,
    }
    return yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False)


def make_network(
    root: Path, units: dict[str, dict[str, Any]], files: dict[str, str | bytes] | None = None
) -> Path:
    """Create a network below ``root``: the repo's base config and theme, plus the given units."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    theme = root / "shared-theme"
    if not theme.exists():
        theme.symlink_to(REPO / "shared-theme", target_is_directory=True)
    for uid, unit in units.items():
        write_files(root, {f"sites/{uid}/mkdocs.yml": site_config(uid, unit)})
        (root / "content" / uid).mkdir(parents=True, exist_ok=True)
    write_files(root, files or {})
    return root


def post(title: str, date: str, **meta: Any) -> str:
    """Markdown text of a post with front matter."""
    fm = {"title": title, "date": date, **meta}
    body = meta.pop("body", None) if "body" in meta else None
    fm.pop("body", None)
    text = "---\n" + yaml.safe_dump(fm, allow_unicode=True, sort_keys=False) + "---\n\n"
    return text + (body or f"Nội dung bài viết {title}.\n")


@pytest.fixture
def pinned_now(monkeypatch: pytest.MonkeyPatch) -> str:
    """Pin 'now' so future-post filtering is reproducible."""
    monkeypatch.setenv("EDUSITE_NOW", "2026-11-22 12:00")
    return os.environ["EDUSITE_NOW"]


SMALL_NETWORK: dict[str, dict[str, Any]] = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so"},
    "pgd": {
        "name": "Phòng GDĐT Thử",
        "kind": "portal",
        "parent": "so",
        "rollup": {"policy": "all"},
    },
    "th-a": {"name": "Trường Tiểu học A", "kind": "school", "level": "tieu-hoc", "parent": "pgd"},
}
