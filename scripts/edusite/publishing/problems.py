"""The per-unit problem list CI shows: who must fix what, in which file and field.

``edusite build`` and ``edusite publish`` both write it, always to ``<out>/.edusite/``:

* ``problems.md``: Markdown for people (Vietnamese first): one row per unit that is not fine
  (its state and owner), then one row per problem (unit, file, field, message, owner);
* ``problems.json``: the same problems for machines, as a list of Code Climate issues (the
  format of GitLab's ``artifacts:reports:codequality``), each with extra keys ``unit``,
  ``unit_name``, ``state``, ``source``, ``level``, ``file``, ``field``, ``message`` and
  ``owner`` (``{"name", "email"}``).

When ``$GITHUB_STEP_SUMMARY`` is set (GitHub Actions), the Markdown is also appended to it, so the
job's summary page shows it. ``.edusite/`` is never published (:mod:`edusite.publishing.publish`
stages only units' folders and the shared theme assets).

The owner of a problem is the unit whose file it is (``content/<id>/…`` or ``sites/<id>/…``; a
portal that reports a member's broken post names the member's editor), else the unit that
reported it: ``extra.unit.editor.name`` and ``editor.email`` (else the unit's ``email``).
Everything shown comes from user input, so Markdown and HTML in it are escaped.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..structure.network import Network
from .shard import REPORT_DIR, SiteStatus

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
MARKDOWN = "problems.md"
JSON = "problems.json"
MAX_ROWS = 300  # rows per Markdown table (GitHub keeps at most 1 MiB of summary per step)
MAX_CELL = 600  # characters of one message in Markdown (problems.json keeps it whole)
MAX_WHY = 200  # characters of a unit's reasons (its problems follow in full)
#: Bytes of one Markdown table at most: the three stay below GitHub's 1 MiB of summary per step.
MAX_TABLE_BYTES = 300 * 1024
_WITH_FIELD = re.compile(
    r"(?:^|(?<=: ))(?P<file>[^\s:'\"][^:'\"]*?): trường '(?P<field>[^']*)' / field '[^']*': "
)
_FILE_ONLY = re.compile(r"^(?P<file>[^\s:'\"]+\.[A-Za-z0-9]{1,5}): ")
#: What makes Markdown of text in a cell: emphasis, code, links and images, tables, strike.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
#: Where GitHub turns bare text into a link (extended autolinks: ``https://…``, ``www.…``): the
#: ``:`` or ``.`` escaped, the text stays as it reads and links nowhere.
_AUTOLINK = re.compile(r":(?=//)|(?<=www)\.", re.IGNORECASE)

STATES = {  # state -> (mark, vi / en), for builds and publishes
    "built": ("✓", "đã xây dựng / built"),
    "failed": ("✗", "xây dựng thất bại, chưa có bản tốt / build failed, no good output yet"),
    "failed-kept": (
        "✗",
        "xây dựng thất bại; public/ giữ bản tốt gần nhất / build failed; public/ keeps the"
        " last good output",
    ),
    "last-good": (
        "⚠",
        "xuất bản bản tốt gần nhất (bản mới lỗi) / its last good output was published (the new"
        " build failed)",
    ),
    "kept": (
        "✗",
        "không xuất bản; nhánh giữ bản đang có / not published; the branch keeps what it had",
    ),
}
_SEVERITY = {"error": "major", "warning": "minor", "blocking": "blocker", "held": "critical"}


@dataclass(frozen=True)
class UnitProblem:
    """One problem of one unit, with where it is and who can fix it."""

    unit: str
    source: str  # "build", "check" (blocking disclosure finding) or "publish"
    severity: str  # "error", "warning", "blocking" (personal data) or "held" (not published)
    file: str  # relative to the network root; "" when the problem has no file
    field: str
    message: str  # "vi / en"
    owner: str  # the editor's name ("" when the unit names none)
    email: str


def split_message(text: str) -> tuple[str, str, str]:
    """``(file, field, message)`` of one problem line as :class:`edusite.errors.Problem` prints it.

    ``file: trường 'f' / field 'f': vi / en`` (anywhere in the line, e.g. after a portal's
    "skipped a member's post:") or ``file.ext: vi / en``; other lines give ``("", "", text)``.
    """
    m = _WITH_FIELD.search(text)
    if m:
        message = (text[: m.start()] + text[m.end() :]).strip()
        return m.group("file"), m.group("field"), message
    m = _FILE_ONLY.match(text)
    if m and ("/" in m.group("file") or "\\" in m.group("file")):
        return m.group("file"), "", text[m.end() :].strip()
    return "", "", text.strip()


def relative_file(file: str, root: Path) -> str:
    """``file`` relative to the network root when it lies below it (messages print paths relative
    to the working directory of the build), else as given."""
    if not file:
        return ""
    path = Path(file)
    try:
        full = (path if path.is_absolute() else Path.cwd() / path).resolve()
        return full.relative_to(root.resolve()).as_posix()
    except (OSError, ValueError):
        return path.as_posix()


def owner_unit(network: Network, unit_id: str, file: str) -> str:
    """The unit whose file ``file`` is (``content/<id>/…``, ``sites/<id>/…``), else ``unit_id``."""
    parts = file.split("/")
    if len(parts) > 2 and parts[0] in ("content", "sites") and parts[1] in network:
        return parts[1]
    return unit_id


def owner_of(network: Network, unit_id: str) -> tuple[str, str]:
    """``(name, email)`` of the unit's editor (``extra.unit.editor``; email falls back to the
    unit's)."""
    if unit_id not in network:
        return "", ""
    unit = network[unit_id]
    editor = unit.editor or {}
    name = str(editor.get("name") or "")
    email = str(editor.get("email") or unit.email or "")
    return name, email


def make_problem(
    network: Network, unit_id: str, source: str, severity: str, text: str, **where: str
) -> UnitProblem:
    """One :class:`UnitProblem` from a message line (``where`` may give ``file``/``field``)."""
    file, fld, message = split_message(text)
    file = relative_file(where.get("file") or file, network.root)
    fld = where.get("field") or fld
    name, email = owner_of(network, owner_unit(network, unit_id, file))
    return UnitProblem(unit_id, source, severity, file, fld, message, name, email)


def build_problems(network: Network, statuses: Mapping[str, SiteStatus]) -> list[UnitProblem]:
    """Errors and warnings of every unit's latest recorded build (units of this network)."""
    out: list[UnitProblem] = []
    for uid in sorted(statuses):
        if uid not in network:
            continue
        status = statuses[uid]
        for severity, texts in (("error", status.errors), ("warning", status.warnings)):
            for text in texts:
                for line in str(text).splitlines():  # one error may carry several problems
                    if line.strip():
                        out.append(make_problem(network, uid, "build", severity, line))
    return unique(out)


def unique(problems: Iterable[UnitProblem]) -> list[UnitProblem]:
    """``problems`` without repeats, in order: a portal repeats its members' broken posts as
    warnings; an error at the same file and field says it already."""
    problems = list(problems)
    errors = {(p.file, p.field) for p in problems if p.file and p.severity != "warning"}
    seen: set[tuple[str, ...]] = set()
    out: list[UnitProblem] = []
    for p in problems:
        if p.severity == "warning" and (p.file, p.field) in errors:
            continue
        key = (p.severity, p.file, p.field, p.message) if p.file else (p.unit, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def build_states(network: Network, statuses: Mapping[str, SiteStatus], out: Path) -> dict[str, str]:
    """Per unit of the reports: ``built``, ``failed-kept`` (the builder kept its last good output
    in ``<out>/<id>/``) or ``failed``."""
    states = {}
    for uid, status in sorted(statuses.items()):
        if uid not in network:
            continue
        if status.ok:
            states[uid] = "built"
        else:
            states[uid] = "failed-kept" if (out / uid / "index.html").is_file() else "failed"
    return states


# -- output -------------------------------------------------------------------------------------


def cell(text: str, limit: int = MAX_CELL) -> str:
    """``text`` as one plain-text Markdown table cell (no markup, links, images or HTML)."""
    text = _short(text, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _AUTOLINK.sub(r"\\\g<0>", _SPECIAL.sub(r"\\\1", text))


def code_cell(text: str, limit: int = MAX_CELL) -> str:
    """``text`` as one Markdown table cell in a code span (a file name, a field), "—" when
    empty: one line, no backtick, every ``|`` escaped (GitHub splits a table row at a bare
    ``|`` even inside a code span, so the rest would be read as Markdown and HTML)."""
    text = _short(text, limit).replace("`", "").replace("|", "\\|")
    return f"`{text}`" if text.strip() else "—"


def _short(text: str, limit: int) -> str:
    """``text`` on one line, whitespace collapsed, cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text[: limit - 1] + "…" if len(text) > limit else text


def _owner_cell(name: str, email: str) -> str:
    if name and email:
        return f"{cell(name)} ({cell(email)})"
    return cell(name or email) or "—"


def _unit_cell(network: Network, uid: str) -> str:
    name = network[uid].name if uid in network else ""
    return f"{cell(uid)} ({cell(name)})" if name and name != uid else cell(uid)


def render_markdown(
    network: Network,
    title: str,
    states: Mapping[str, str],
    problems: list[UnitProblem],
    reasons: Mapping[str, list[str]] | None = None,
) -> str:
    """The Markdown summary: units that are not fine, then errors, then warnings (folded)."""
    reasons = reasons or {}
    lines = [f"## {title}", ""]
    bad = [u for u in sorted(states) if states[u] != "built"]
    ok = len(states) - len(bad)
    lines.append(
        f"{ok}/{len(states)} đơn vị tốt / units fine; {len(bad)} cần xử lý / need attention."
    )
    lines.append("")
    if bad:
        lines += [
            "| Đơn vị / unit | Trạng thái / state | Lý do / why | Phụ trách / owner |",
            "|---|---|---|---|",
        ]
        rows = []
        for uid in bad:
            mark, label = STATES.get(states[uid], ("?", states[uid]))
            why = "; ".join(reasons.get(uid, [])) or "—"
            rows.append(
                f"| {_unit_cell(network, uid)} | {mark} {cell(label)} | {cell(why, MAX_WHY)} |"
                f" {_owner_cell(*owner_of(network, uid))} |"
            )
        lines += [*_capped(rows, 4), ""]
    errors = [p for p in problems if p.severity != "warning"]
    warnings = [p for p in problems if p.severity == "warning"]
    if not errors and not warnings:
        lines += ["Không có lỗi / no problems. ✓", ""]
    if errors:
        lines += [f"### Lỗi / errors ({len(errors)})", "", *_table(network, errors), ""]
    if warnings:
        lines += [
            "<details>",
            f"<summary>Cảnh báo / warnings ({len(warnings)})</summary>",
            "",
            *_table(network, warnings),
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines) + "\n"


def _table(network: Network, problems: list[UnitProblem]) -> list[str]:
    rows = [
        f"| {_unit_cell(network, p.unit)} | {code_cell(p.file)} | {code_cell(p.field)} |"
        f" {cell(p.message)} | {_owner_cell(p.owner, p.email)} |"
        for p in problems[:MAX_ROWS]
    ]
    return [
        "| Đơn vị / unit | Tệp / file | Trường / field | Nội dung / message | Phụ trách / owner |",
        "|---|---|---|---|---|",
        *_capped(rows, 5, len(problems)),
    ]


def _capped(rows: list[str], cells: int, total: int | None = None) -> list[str]:
    """``rows`` up to :data:`MAX_TABLE_BYTES`, then one row saying how many more
    ``problems.json`` holds (of ``total``, default ``len(rows)``)."""
    total = len(rows) if total is None else total
    out, size = [], 0
    for row in rows:
        size += len(row.encode("utf-8")) + 1
        if size > MAX_TABLE_BYTES:
            break
        out.append(row)
    if total > len(out):
        more = total - len(out)
        note = f"còn {more} mục trong {JSON} / {more} more in {JSON}"
        out.append("| … |" + " |" * (cells - 3) + f" {note} | |")
    return out


def code_quality(
    network: Network, problems: list[UnitProblem], states: Mapping[str, str]
) -> list[dict[str, Any]]:
    """``problems`` as Code Climate issues (GitLab code quality report), with edusite's keys."""
    issues = []
    for p in problems:
        path = p.file or (
            network[p.unit].config_file.relative_to(network.root).as_posix()
            if p.unit in network and network[p.unit].config_file.is_relative_to(network.root)
            else f"sites/{p.unit}/mkdocs.yml"
        )
        where = f" ({p.field})" if p.field else ""
        key = "\0".join((p.unit, p.source, p.severity, p.file, p.field, p.message))
        issues.append(
            {
                "description": f"[{p.unit}]{where} {p.message}",
                "check_name": f"edusite/{p.source}",
                "fingerprint": hashlib.sha256(key.encode()).hexdigest()[:32],
                "severity": _SEVERITY.get(p.severity, "major"),
                "location": {"path": path, "lines": {"begin": 1}},
                "unit": p.unit,
                "unit_name": network[p.unit].name if p.unit in network else "",
                "state": states.get(p.unit, ""),
                "source": p.source,
                "level": p.severity,
                "file": p.file,
                "field": p.field,
                "message": p.message,
                "owner": {"name": p.owner, "email": p.email},
            }
        )
    return issues


def write_problems(
    out: Path,
    network: Network,
    title: str,
    states: Mapping[str, str],
    problems: list[UnitProblem],
    reasons: Mapping[str, list[str]] | None = None,
) -> Path:
    """Write ``<out>/.edusite/problems.md`` and ``problems.json``; append the Markdown to
    ``$GITHUB_STEP_SUMMARY`` when set. Returns the Markdown file's path."""
    folder = out / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    markdown = render_markdown(network, title, states, problems, reasons)
    data = json.dumps(code_quality(network, problems, states), ensure_ascii=False, indent=1)
    for name, text in ((MARKDOWN, markdown), (JSON, data + "\n")):
        tmp = folder / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(folder / name)
    summary = os.environ.get(SUMMARY_ENV)
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(markdown + "\n")
        except OSError:
            pass  # the files in .edusite/ are still there; a summary is a convenience
    return folder / MARKDOWN
