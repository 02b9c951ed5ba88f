"""The problem list (``.edusite/problems.md``, appended to ``$GITHUB_STEP_SUMMARY``) quotes file
names, field names and values from unit editors: GitHub renders it as Markdown with HTML.

The rule, whatever the problems say: every table row keeps its cells (a ``|`` or a line break in
a file name must not end a cell or a row: what follows would be read as Markdown and HTML),
no cell carries markup outside its code span (no HTML, no link or image, no bare URL GitHub
would turn into a link to a third party), no line leaves the list's own structure, and the
whole stays within the size GitHub keeps for a step's summary (1 MiB).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import make_network
from edusite.publishing.problems import (
    UnitProblem,
    build_problems,
    render_markdown,
    write_problems,
)
from edusite.publishing.shard import SiteStatus
from edusite.structure.network import get_network
from hostile import CONFIG_TEXT, FORMULA, PAYLOADS

#: Values that try to leave a cell or a row, or to make a link or an image.
BREAKERS = [
    "a|<img src=//evil.example/x.png>",
    "`|`<b>x</b>`",
    "\\|<i>i</i>",
    "x\n![i](https://evil.example/p.png)",
    "x\r\n<img src=https://evil.example/q.png>",
    "x\u2028| injected | row |",
    "[bấm](https://evil.example/phish)",
    "<https://evil.example/auto>",
    "see https://evil.example/bare and WWW.evil.example and ftp://evil.example",
    "&lt;img src=x&gt; &#x3C;b&#x3E;",
    "*__~~x~~__*",
]
VALUES = BREAKERS + PAYLOADS + [CONFIG_TEXT, FORMULA]
GITHUB_SUMMARY_LIMIT = 1024 * 1024

_BARE_PIPE = re.compile(r"(?<!\\)\|")  # GitHub ends a cell at any "|" not after "\"
_OWN_LINE = re.compile(
    r"^(?:|#{2,3} .*|<details>|</details>|<summary>[^<>`\[\]]*</summary>"
    r"|\d+/\d+ đơn vị tốt .*|Không có lỗi .*)$"
)
_IN_TEXT = {
    "raw HTML": re.compile(r"<"),
    "link or image": re.compile(r"[\[\]]"),
    "a URL GitHub links": re.compile(r":(?=//)|www\.", re.I),
    "unclosed code span": re.compile(r"`"),
    "character reference": re.compile(r"&(?!amp;|lt;|gt;)"),
}


def outside_code(cell: str) -> str:
    """What of a cell GitHub reads as Markdown: the text outside code spans, each escaped
    character (``\\x``, read as text) replaced by a space."""
    out, i = [], 0
    while i < len(cell):
        c = cell[i]
        if c == "\\" and i + 1 < len(cell):
            out.append(" ")
            i += 2
        elif c == "`" and "`" in cell[i + 1 :]:
            i = cell.index("`", i + 1) + 1  # a code span: backslashes inside are literal
        else:
            out.append(c)
            i += 1
    return "".join(out)


def markdown_problems(md: str) -> list[str]:
    """Every way the Markdown breaks the rule of the module docstring."""
    out: list[str] = []
    width = 0
    lines = md.splitlines()
    for n, line in enumerate(lines):
        if not line.startswith("|"):
            if not _OWN_LINE.match(line):
                out.append(f"line {n} outside the list's structure: {line[:80]!r}")
            continue
        cells = _BARE_PIPE.split(line)
        if cells[0] != "" or cells[-1].strip() != "":
            out.append(f"line {n}: row not closed by '|': {line[:80]!r}")
        cells = cells[1:-1]
        if all(set(c) <= set("-") for c in cells):  # the delimiter row gives the table's width
            width = len(cells)
            if not lines[n - 1].startswith("|") or len(_BARE_PIPE.split(lines[n - 1])) - 2 != width:
                out.append(f"line {n}: header and delimiter rows differ")
            continue
        if not (n + 1 < len(lines) and set(lines[n + 1]) <= set("|-")) and len(cells) != width:
            out.append(f"line {n}: {len(cells)} cells, the table has {width}: {line[:120]!r}")
        for c in cells:
            text = outside_code(c)
            for why, pattern in _IN_TEXT.items():
                if pattern.search(text):
                    out.append(f"line {n}: {why} outside a code span: {c[:120]!r}")
    if len(md.encode("utf-8")) > GITHUB_SUMMARY_LIMIT:
        out.append(f"{len(md.encode('utf-8')):,} bytes: over GitHub's 1 MiB step summary")
    return out


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory):
    units = {
        "so": {"name": "Sở Thử", "kind": "so"},
        "th-a": {
            "name": "Trường A",
            "kind": "school",
            "level": "tieu-hoc",
            "parent": "so",
            "editor": {"name": f"Cô {CONFIG_TEXT}", "email": "co.a@truong-a.edu.vn"},
        },
    }
    root = make_network(tmp_path_factory.mktemp("net"), units, {"content/so/index.md": "# Sở\n"})
    return get_network(root)


def hostile_statuses() -> dict[str, SiteStatus]:
    """Build reports whose errors quote hostile file names, fields and values, in the forms
    :class:`edusite.errors.Problem` prints (so they are split into file, field, message)."""
    errors, warnings = [], []
    for v in VALUES:
        errors.append(f"content/th-a/{v}.md: trường '{v}' / field '{v}': sai {v} / wrong {v}")
        errors.append(f"content/th-a/tin-tuc/{v}/index.md: ảnh thiếu / image missing: {v}")
        warnings.append(f"bỏ qua bài của thành viên / skipped a member's post: {v}")
    status = SiteStatus("th-a", False, "2026-11-22T00:00:00Z", "all", errors, warnings=warnings)
    return {"th-a": status, "so": SiteStatus("so", True, "2026-11-22T00:00:00Z", "all")}


def test_hostile_problems_stay_in_their_cells(network, tmp_path: Path, monkeypatch) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    statuses = hostile_statuses()
    problems = build_problems(network, statuses)
    reasons = {"th-a": [f"build failed: {v}" for v in VALUES]}
    states = {"so": "built", "th-a": "failed"}
    path = write_problems(tmp_path / "out", network, "edusite build", states, problems, reasons)
    markdown = path.read_text(encoding="utf-8")
    assert markdown_problems(markdown) == []
    assert summary.read_text(encoding="utf-8") == "# earlier step\n" + markdown + "\n"
    issues = json.loads((path.parent / "problems.json").read_text(encoding="utf-8"))
    assert {i["message"] for i in issues} >= {p.message for p in problems}  # kept whole there


@pytest.mark.parametrize("value", VALUES)
def test_any_file_field_message_or_owner_is_one_plain_cell(network, value: str) -> None:
    """Whatever a problem holds (file names may carry line breaks and pipes)."""
    problems = [
        UnitProblem("th-a", "build", severity, value, value, value, value, value)
        for severity in ("error", "warning")
    ]
    markdown = render_markdown(network, "edusite", {"th-a": "failed"}, problems, {"th-a": [value]})
    assert markdown_problems(markdown) == []


def test_the_list_stays_within_a_step_summary(network) -> None:
    """Thousands of problems with huge values (escaping makes them longer) stay under 1 MiB."""
    big = "&<|`" * 250_000
    problems = [
        UnitProblem("th-a", "build", sev, f"content/{big}{i}", big, big, big, big)
        for i in range(2_000)
        for sev in ("error", "warning")
    ]
    markdown = render_markdown(network, "edusite build", {"th-a": "failed"}, problems)
    assert markdown_problems(markdown) == []
