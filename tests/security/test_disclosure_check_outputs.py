"""``edusite check`` reports (terminal text, ``--format json``, ``--format junit``) hold values a
unit's editor controls: front-matter keys and values, attachment and page file NAMES. Whatever
they contain (line breaks, terminal escapes, bidi overrides, bytes that are not UTF-8, CDATA
enders), every report stays what it is: text lines that no value can add to or recolour,
well-formed UTF-8 JSON, well-formed UTF-8 XML; never an internal error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from edusite.cli import main
from edusite.security.urls import INVISIBLE
from hostile import PAYLOADS, xml_problems

REPO = Path(__file__).resolve().parents[2]
NET = REPO / "tests" / "networks" / "disclosure"
PAGE = "content/lc-f/cong-khai/2026-2027/thu-chi-tai-chinh.md"
YEAR = "content/lc-f/cong-khai/2026-2027"

#: What would start a forged line (a GitHub workflow command) or recolour the terminal.
LINE = "\n::error file=x::ESXLINE"
ESCAPE = "\x1b[2J\x1b]0;ESXTITLE\x07"
#: Characters no report line may hold: C0/C1 controls, invisible/bidi ones, lone surrogates
#: (a file name that is not UTF-8 arrives as those).
_UNPRINTABLE = re.compile(f"[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f{INVISIBLE}\\ud800-\\udfff]")


def _yaml(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (control characters as escapes)."""
    return json.dumps(text)  # JSON strings are YAML double-quoted scalars


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("net") / "net"
    shutil.copytree(NET, root)
    page = root / PAGE
    text = page.read_text(encoding="utf-8")
    hostile = (
        "items:\n"
        f"  {_yaml('khoan' + LINE + ESCAPE + ']]>' + PAYLOADS[0])}: {_yaml('x' + ESCAPE)}\n"
        "attachments:\n"
        f"  - file: {_yaml('du-toan' + ESCAPE + chr(0x202E) + 'fdp.exe' + LINE + '.pdf')}\n"
        f"  - file: {_yaml('a' + chr(1) + ']]>b.xlsx')}\n"
        f"    title: {_yaml('Tệp' + ESCAPE + PAYLOADS[1])}\n"
    )
    assert "as_of: '2026-06-15'\n" in text
    page.write_text(text.replace("as_of: '2026-06-15'\n", "as_of: '2026-06-15'\n" + hostile, 1))
    year = root / YEAR
    # File names: a line break and a workflow command, a terminal escape, a byte not UTF-8.
    (year / ("ghi-chu" + LINE + ESCAPE + ".txt")).write_text("x", encoding="utf-8")
    (year / os.fsdecode(b"bang-\xff\xfe" + "\u202e".encode() + b".csv")).write_text("x")
    return root


def _run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["check", "lc-f", "--root", str(root), "--today", "2026-11-22", *args]
    )
    assert isinstance(result.exception, SystemExit) or result.exception is None, result.exception
    assert "Lỗi nội bộ" not in result.output and "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _report(root: Path, tmp_path: Path, fmt: str) -> bytes:
    out = tmp_path / f"report.{fmt}"
    code, _ = _run(root, "--format", fmt, "--output", str(out))
    assert code in (1, 2)
    return out.read_bytes()


def _lines_problems(text: str) -> list[str]:
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if _UNPRINTABLE.search(line):
            found.append(f"line {number}: unprintable character: {line[:120]!r}")
        if "ESXLINE" in line and not line.startswith(" "):
            found.append(f"line {number}: a value starts a line: {line[:120]!r}")
    return found


def test_text_report_lines_are_printable_and_unforgeable(net: Path, tmp_path: Path) -> None:
    data = _report(net, tmp_path, "text")
    text = data.decode("utf-8")  # strict: a name that is not UTF-8 is shown escaped
    assert "ESXLINE" in text and "ESXTITLE" in text  # the values are reported, escaped
    assert _lines_problems(text) == []


def test_text_report_on_the_terminal_too(net: Path) -> None:
    _code, output = _run(net)
    assert "ESXLINE" in output
    assert _lines_problems(output) == []


def test_junit_report_is_well_formed_utf8_xml(net: Path, tmp_path: Path) -> None:
    data = _report(net, tmp_path, "junit")
    data.decode("utf-8")
    assert b"ESXLINE" in data
    assert xml_problems(data) == []


def test_json_report_is_utf8_json_keeping_the_values(net: Path, tmp_path: Path) -> None:
    data = _report(net, tmp_path, "json")
    report = json.loads(data.decode("utf-8"))  # strict UTF-8, then JSON
    files = [f["file"] or "" for f in report["findings"]]
    assert any("ESXLINE" in f for f in files)
    assert any("bang-" in f for f in files)
