"""What ``edusite build`` and ``edusite publish`` print goes into the CI log, and messages quote
file names and field values that unit editors chose. On GitHub, a log line that starts with
``::`` (after spaces) or ``##[`` is a workflow command: an annotation on any file, a mask that
hides secrets' neighbours, ``stop-commands``. The rule: nothing a unit wrote starts a line.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_network, post
from edusite.cli import main

UNITS = {
    "so": {"name": "Sở Thử", "kind": "so"},
    "th-a": {"name": "Trường A", "kind": "school", "level": "tieu-hoc", "parent": "so"},
}
#: Line breaks of every kind a log reader may split on, each followed by a workflow command.
BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x85", "\u2028", "\x1c"]
COMMANDS = ["::error title=ESX::pwned", "##[error]ESX", "  ::add-mask::ESX", "::stop-commands::x"]
_COMMAND_LINE = re.compile(r"^\s*(?:::|##\[)")


def command_lines(text: str) -> list[str]:
    """Lines of ``text`` a CI runner would take for a workflow command."""
    return [line for line in re.split(r"\r\n|[\r\n]", text) if _COMMAND_LINE.match(line)]


@pytest.fixture
def network(tmp_path: Path, pinned_now: str) -> Path:
    files: dict[str, str | bytes] = {"content/so/index.md": "# Sở\n"}
    for n, (br, cmd) in enumerate(zip(BREAKS, COMMANDS * 2, strict=True)):
        files[f"content/th-a/tin-tuc/2026/bai{br}{cmd}{n}.md"] = post("Bài", "2026-10-01")
        files[f"content/th-a/tin-tuc/2026/2026-10-0{n + 1}-ngay/index.md"] = post(
            f"Bài {n}", f"ngày mai{br}{cmd}"
        )
    root = make_network(tmp_path / "net", UNITS, files)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def test_no_message_starts_a_line_of_the_log(network: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out, pages = tmp_path / "public", tmp_path / "pages"
    built = runner.invoke(
        main,
        ["build", "--root", str(network), "--out", str(out), "-j", "1", "--offline", "--no-cache"],
    )
    assert built.exit_code == 1, built.output  # th-a's broken files are errors
    assert "ESX" in built.output  # the messages do name them
    assert command_lines(built.output) == []
    for extra in ([], ["--strict"]):
        published = runner.invoke(
            main,
            ["publish", "--root", str(network), "--out", str(out), "--export", str(pages)]
            + ["--skip-check", *extra],
        )
        assert "ESX" in published.output or not extra, published.output  # --strict: whole
        assert command_lines(published.output) == []
