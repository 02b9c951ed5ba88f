"""``edusite guard`` reads hostile values and prints them into a CI log.

File paths come from the pull request (any bytes git allows: newlines, carriage returns,
terminal escapes, bidi controls, bytes that are not UTF-8, leading spaces, backslashes); unit
names come from ``sites/<id>/mkdocs.yml``, which a unit's own editors write. The log is not
inert: a GitHub Actions runner reads every line a step prints as a possible workflow command
(``::error::…``, ``::add-mask::…``, ``::stop-commands::…`` at the start of a line after spaces,
and the legacy ``##[command]`` anywhere in it; a line ends at ``\\n`` or ``\\r``); GitLab's log
obeys terminal escapes.

The rules (escape, confine):

* every line the guard prints is one line of printable text: no control, format or separator
  character, nothing a runner reads as a command, whatever the path or the unit's name holds;
* the path judged is the path changed: a file outside every unit is the network admins', even
  when trimming its spaces or reading its backslashes as slashes would put it in a unit;
* ``--units FILE`` holds unit ids (or ``*``) only;
* the GitHub workflow stops workflow commands (with a token of its own) while edusite runs,
  since the network loader prints the configs' problems too.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, make_network
from edusite.cli import main

UNITS: dict[str, dict[str, Any]] = {
    "so": {"name": "Sở GDĐT Thử", "kind": "so"},
    "pgd": {"name": "Phòng GDĐT Thử", "kind": "portal", "parent": "so"},
    "th-a": {
        "name": "Trường Tiểu học A",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
        "editors": ["@hoa.nguyen"],
    },
    "th-b": {
        "name": "Trường Tiểu học B",
        "kind": "school",
        "level": "tieu-hoc",
        "parent": "pgd",
        "editors": ["@lan.tran"],
    },
}
ADMINS = '    cms:\n      admins: ["@so-thu/quan-tri"]\n'

#: Names of files a pull request can add (bytes: git stores any but NUL and "/").
HOSTILE_NAMES: list[bytes] = [
    b"a\n::error file=mkdocs.yml,line=1::forged\n::add-mask::@lan.tran.md",
    b"b\r::warning::forged.md",
    b"c  ::stop-commands::x.md",
    b"d ##[error]forged ##[add-mask]secret.md",
    b"e\x1b[2J\x1b]0;title\x07\x1b[31mred.md",
    b"f\xe2\x80\xaegnp.exe.md",  # U+202E right-to-left override
    b"g\xe2\x80\xa8::error::u2028.md",  # U+2028 line separator
    b"h\xc2\x85::error::nel.md",  # U+0085 next line
    b"i\xff\xfe not utf-8.md",
    b"j\t\x0b\x0ctab.md",
]


def _git(root: Path, *args: str | bytes) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@example.vn", "-c", "user.name=T", *args],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8", errors="replace")


def _repo(root: Path, units: dict[str, dict[str, Any]] = UNITS) -> Path:
    make_network(root, units, {"content/th-a/index.md": "# A\n", "content/th-b/index.md": "# B\n"})
    base = (root / "mkdocs.yml").read_text(encoding="utf-8")
    base = re.sub(r"\n    cms:\n(      .*\n)+", "\n", base)
    anchor = '    accent: "#b3261e"\n'
    (root / "mkdocs.yml").write_text(base.replace(anchor, anchor + ADMINS), encoding="utf-8")
    (root / "shared-theme").unlink()
    (root / "shared-theme").mkdir()
    (root / "shared-theme" / "main.html").write_text("{% extends 'base.html' %}\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    return root


def _commit(root: Path, files: dict[bytes, bytes]) -> None:
    _git(root, "checkout", "-q", "-b", "change", "main")
    for rel, data in files.items():
        path = os.path.join(os.fsencode(root), rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "change")


def _guard(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["guard", "--root", str(root), "--base", "main", *args])


_SEPARATORS = re.compile(r"\r\n|[\n\r]")


def log_problems(text: str) -> list[str]:
    """Every way ``text`` (what a CI step printed) breaks the one-line-of-text rule."""
    found = []
    for line in _SEPARATORS.split(text):
        bad = sorted({c for c in line if not (c.isprintable() or c == " ")})
        if bad:
            found.append(f"unprintable {[hex(ord(c)) for c in bad]} in {line[:80]!r}")
        if line.lstrip().startswith("::"):
            found.append(f"workflow command: {line[:80]!r}")
        if "##[" in line:
            found.append(f"legacy workflow command: {line[:80]!r}")
    if "\r" in text:
        found.append("carriage return")
    return found


def test_hostile_file_names_print_as_one_line_each(tmp_path: Path) -> None:
    """The author may not change unit th-b: the guard names each file, on one line, escaped."""
    root = _repo(tmp_path / "net")
    files = {b"content/th-b/" + name: b"x\n" for name in HOSTILE_NAMES}
    _commit(root, files)
    units = tmp_path / "units.txt"
    result = _guard(root, "--author", "hoa.nguyen", "--units", str(units))
    assert result.exit_code == 1, result.output
    assert log_problems(result.output) == [], result.output
    refused = [line for line in result.output.splitlines() if "✗ content/th-b/" in line]
    assert len(refused) == len(HOSTILE_NAMES), result.output
    assert units.read_text(encoding="utf-8") == "th-b\n"


def test_hostile_file_names_in_the_authors_own_unit_pass(tmp_path: Path) -> None:
    """Odd names inside the author's unit are the author's (the build judges the files)."""
    root = _repo(tmp_path / "net")
    _commit(root, {b"content/th-a/" + name: b"x\n" for name in HOSTILE_NAMES})
    result = _guard(root, "--author", "hoa.nguyen")
    assert result.exit_code == 0, result.output
    assert log_problems(result.output) == [], result.output


@pytest.mark.parametrize(
    "path",
    [
        b" content/th-a/tin.md",  # a top-level folder " content"
        b"\ncontent/th-a/tin.md",  # a top-level folder "\ncontent"
        b"content\\th-a\\tin.md",  # one file at the top, its name holding backslashes
        b"content\\th-a/tin.md",  # a top-level folder "content\th-a"
    ],
)
def test_the_path_judged_is_the_path_changed(tmp_path: Path, path: bytes) -> None:
    """A file outside every unit is the admins' even when trimming or reading backslashes as
    slashes would put it in the author's unit."""
    root = _repo(tmp_path / "net")
    _commit(root, {path: b"x\n"})
    units = tmp_path / "units.txt"
    result = _guard(root, "--author", "hoa.nguyen", "--units", str(units))
    assert result.exit_code == 1, result.output
    assert "không được sửa tệp này" in result.output
    assert units.read_text(encoding="utf-8") == "*\n"  # a network file
    assert log_problems(result.output) == [], result.output


def test_paths_on_stdin_may_be_nul_separated(tmp_path: Path) -> None:
    """``git diff --name-only -z … | edusite guard -``: names with newlines stay whole."""
    root = _repo(tmp_path / "net")
    name = "content/th-b/a\n::error::x.md"
    result = CliRunner().invoke(
        main,
        ["guard", "--root", str(root), "--author", "hoa.nguyen", "-"],
        input=f"content/th-a/index.md\0{name}\0",
    )
    assert result.exit_code == 1, result.output
    refused = [line for line in result.output.splitlines() if "✗ content/" in line]
    assert len(refused) == 1 and "content/th-b/a" in refused[0], result.output
    assert log_problems(result.output) == [], result.output


#: Unit names the network accepts or refuses; whichever, nothing breaks the log.
HOSTILE_UNIT_NAMES = [
    "Trường B\n::error title=forged::giả mạo",
    "Trường B\r::add-mask::@lan.tran",
    "Trường B ##[error]giả mạo",
    "Trường B\u2028::error::x",
    "Trường B\t\x1b[31mđỏ",
]


@pytest.mark.parametrize("name", HOSTILE_UNIT_NAMES)
def test_hostile_unit_names_do_not_break_the_log(tmp_path: Path, name: str) -> None:
    units = {**UNITS, "th-b": {**UNITS["th-b"], "name": name}}
    root = _repo(tmp_path / "net", units)
    cfg = root / "sites/th-b/mkdocs.yml"
    assert yaml.safe_load(cfg.read_text(encoding="utf-8"))["extra"]["unit"]["name"] == name
    _commit(root, {b"content/th-b/index.md": b"# B2\n"})
    result = _guard(root, "--author", "hoa.nguyen")
    assert result.exit_code in (1, 2), result.output  # refused: the author's, or the config's
    assert log_problems(result.output) == [], result.output


def test_hostile_author_and_team_do_not_break_the_log(tmp_path: Path) -> None:
    root = _repo(tmp_path / "net")
    _commit(root, {b"content/th-b/index.md": b"# B2\n"})
    author = "x\n::error::forged ##[add-mask]y\x1b[2J"
    result = _guard(root, "--author", author, "--team", "t\n::warning::z")
    assert result.exit_code == 1, result.output
    assert log_problems(result.output) == [], result.output


def test_the_github_workflow_stops_commands_while_edusite_runs() -> None:
    """Besides the guard's own lines, the network loader prints the target branch's config
    problems (a unit's keys and values): the step that runs edusite on pull request input
    turns workflow commands off with a token of its own, generated in the step, and on again."""
    workflow = yaml.safe_load((REPO / ".github/workflows/guard.yml").read_text(encoding="utf-8"))
    for step in workflow["jobs"]["guard"]["steps"]:
        run = step.get("run", "")
        if "edusite guard" not in run and "edusite cms" not in run:
            continue
        lines = [line.strip() for line in run.splitlines() if line.strip()]
        start = next(i for i, line in enumerate(lines) if "::stop-commands::" in line)
        edusite = [i for i, line in enumerate(lines) if line.startswith("edusite ")]
        assert edusite and start < min(edusite), run
        token = re.search(r"::stop-commands::(\$\{?\w+\}?)", lines[start])
        assert token, lines[start]  # a token generated in the step, never a fixed word
        resume = f"::{token.group(1)}::"
        assert any(resume in line and "stop-commands" not in line for line in lines), run
