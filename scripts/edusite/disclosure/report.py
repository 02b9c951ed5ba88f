"""Report formats for ``edusite check``: Vietnamese text, JSON and JUnit XML.

All three are built from the same :class:`~edusite.disclosure.checker.UnitResult` list and are
deterministic (units by id, school years newest first, sections in rule order).

Findings quote what editors wrote (front-matter keys and values, file names) and units' names:
the text and JUnit reports put every line through :func:`edusite.errors.log_line` (line breaks
as " ⏎ ", every other control, invisible or bidi character and every byte of a file name that is
not UTF-8 as an escape), so no value can start a line of its own (a CI workflow command),
recolour the terminal or make the XML ill-formed; the JSON report keeps the values, escaped as
JSON.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from ..errors import display_path, log_line
from ..structure.network import LEVELS
from ..text import format_date
from .dates import school_year_label, school_year_of
from .model import Rules
from .results import STATUSES, Finding, ItemResult, UnitResult

JSON_SCHEMA = "edusite.disclosure.check/1"
SEVERITY_VI = {"error": "lỗi", "warning": "cảnh báo"}


def exit_code(results: list[UnitResult]) -> int:
    """2 when a page's front matter is invalid, 1 on an error finding, else 0."""
    if any(r.bad_input for r in results):
        return 2
    if any(f.severity == "error" for r in results for f in r.all_findings):
        return 1
    return 0


def summarize(results: list[UnitResult]) -> dict[str, int]:
    """Counts of units, items per status, error and warning findings, and the exit code."""
    counts = {"units": len(results), "items": 0}
    counts.update({status.replace("-", "_"): 0 for status in STATUSES})
    for r in results:
        for year in r.years:
            for item in year.items:
                counts["items"] += 1
                counts[item.status.replace("-", "_")] += 1
    findings = [f for r in results for f in r.all_findings]
    counts["errors"] = sum(1 for f in findings if f.severity == "error")
    counts["warnings"] = sum(1 for f in findings if f.severity == "warning")
    counts["exit_code"] = exit_code(results)
    return counts


def _finding_line(f: Finding) -> str:
    where = f.file or ""
    if f.field:
        where = f"{where}: {f.field}" if where else f.field
    prefix = f"[{SEVERITY_VI.get(f.severity, f.severity)}]"
    return f"{prefix} {where + ': ' if where else ''}{f.vi} / {f.en}"


def _item_line(item: ItemResult) -> str:
    label, mark = STATUSES[item.status]
    section = item.section
    text = f"{mark} {label:<13} {section.title} ({section.slug})"
    if item.due is not None:
        text += f" · hạn {format_date(item.due)}"
    if item.periods:
        shown = ", ".join(
            f"{p.period.label} {STATUSES[p.status][1]}"
            for p in item.periods
            if p.required or p.page
        )
        text += f" · {shown}"
    if not item.owed:
        text += " · (không bắt buộc với đơn vị)"
    return text


def format_text(results: list[UnitResult], today: date, rules: Rules) -> str:
    """The readable Vietnamese report: per unit, per school year, per section, then a summary."""
    current = school_year_label(school_year_of(today))
    lines = [
        f"Kiểm tra công khai ngày {format_date(today)} (năm học hiện tại {current})",
        "Quy tắc: " + ", ".join(display_path(p) for p in rules.files),
        "",
    ]
    for r in results:
        unit = r.unit
        levels = ", ".join(LEVELS.get(lv, lv) for lv in unit.school_levels)
        lines.append(f"■ {unit.name} ({unit.id}) · {levels}")
        for f in r.findings:
            lines.append(f"    {_finding_line(f)}")
        if not r.years:
            lines.append("    (chưa có năm học nào đến hạn công khai)")
        for year in sorted(r.years, key=lambda y: -y.school_year):
            lines.append(f"  Năm học {year.label} · {year.regime.title}")
            for item in year.items:
                lines.append(f"    {_item_line(item)}")
                for f in item.all_findings:
                    lines.append(f"        {_finding_line(f)}")
        lines.append("")
    s = summarize(results)
    verdict = {0: "ĐẠT", 1: "KHÔNG ĐẠT", 2: "DỮ LIỆU KHÔNG HỢP LỆ"}[s["exit_code"]]
    lines.append(
        f"Tổng kết: {s['units']} đơn vị, {s['items']} mục: {s['ok']} đạt, {s['missing']} thiếu, "
        f"{s['late']} trễ hạn, {s['error']} lỗi khác, {s['warning']} có cảnh báo, "
        f"{s['not_due']} chưa đến hạn; {s['errors']} lỗi, {s['warnings']} cảnh báo → {verdict}"
    )
    lines.append(
        f"Summary: {s['units']} units, {s['items']} items; errors: {s['errors']}, "
        f"warnings: {s['warnings']}; exit code {s['exit_code']}"
    )
    return "\n".join(log_line(line) for line in lines) + "\n"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def item_dict(item: ItemResult, site_url: str) -> dict[str, Any]:
    """JSON form of one (school year, section) item."""
    page = item.page
    return {
        "section": item.section.slug,
        "title": item.section.title,
        "owed": item.owed,
        "severity": item.section.severity,
        "confidence": item.section.confidence,
        "status": item.status,
        "status_text": STATUSES[item.status][0],
        "due": _iso(item.due),
        "page": page.src_uri if page else None,
        "url": site_url + page.url if page else None,
        "published": _iso(page.published) if page else None,
        "updated": _iso(page.updated) if page else None,
        "as_of": _iso(page.as_of) if page else None,
        "attachments": [
            {
                "file": a.file,
                "title": a.title,
                "type": a.type,
                "size": a.size,
                "readable": a.readable,
            }
            for a in (page.attachments if page else [])
        ],
        "periods": [
            {
                "period": p.period.label,
                "due": p.due.isoformat(),
                "required": p.required,
                "status": p.status,
                "page": p.page.src_uri if p.page else None,
                "url": site_url + p.page.url if p.page else None,
                "published": _iso(p.page.published) if p.page else None,
            }
            for p in item.periods
        ],
        "findings": [f.to_dict() for f in item.all_findings],
    }


def to_data(results: list[UnitResult], today: date, rules: Rules) -> dict[str, Any]:
    """The JSON document as Python data (keys documented in docs/disclosure.md)."""
    return {
        "schema": JSON_SCHEMA,
        "today": today.isoformat(),
        "current_school_year": school_year_label(school_year_of(today)),
        "rules": [display_path(p) for p in rules.files],
        "summary": summarize(results),
        "units": [
            {
                "id": r.unit.id,
                "name": r.unit.name,
                "kind": r.unit.kind,
                "levels": r.unit.school_levels,
                "site_url": r.unit.site_url,
                "years": [
                    {
                        "school_year": y.label,
                        "regime": y.regime.id,
                        "regime_title": y.regime.title,
                        "items": [item_dict(i, r.unit.site_url) for i in y.items],
                    }
                    for y in sorted(r.years, key=lambda y: -y.school_year)
                ],
                "findings": [f.to_dict() for f in r.findings],
            }
            for r in results
        ],
        "findings": [f.to_dict() for r in results for f in r.all_findings],
    }


def format_json(results: list[UnitResult], today: date, rules: Rules) -> str:
    """Pretty, key-stable JSON (UTF-8: a lone surrogate, from a file name that is not UTF-8,
    is written as its JSON escape ``\\udcff``)."""
    text = json.dumps(to_data(results, today, rules), ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _finding_lines(findings: list[Finding]) -> str:
    return "\n".join(log_line(_finding_line(f)) for f in findings)


def format_junit(results: list[UnitResult], today: date, rules: Rules) -> str:
    """JUnit XML: one ``<testsuite>`` per unit, one ``<testcase>`` per (school year, section).

    Error findings become ``<failure>`` (invalid front matter: ``<error>``); warnings are
    written to the test case's ``<system-out>`` and do not fail it; sections not yet due are
    ``<skipped>``.
    """
    root = ET.Element("testsuites", name="edusite check", timestamp=today.isoformat())
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in results:
        suite = ET.SubElement(root, "testsuite", name=r.unit.id)
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="unit_name", value=r.unit.name)
        ET.SubElement(props, "property", name="today", value=today.isoformat())
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        cases: list[tuple[str, str, list[Finding], bool]] = []
        if r.findings:
            cases.append((r.unit.id, "cong-khai", r.findings, False))
        for year in sorted(r.years, key=lambda y: -y.school_year):
            for item in year.items:
                skipped = item.status in ("not-due", "unchecked")
                cases.append(
                    (f"{r.unit.id}.{year.label}", item.section.slug, item.all_findings, skipped)
                )
        for classname, name, findings, skipped in cases:
            case = ET.SubElement(suite, "testcase", classname=classname, name=name)
            counts["tests"] += 1
            bad = [f for f in findings if f.kind == "front-matter" and f.severity == "error"]
            errors = [f for f in findings if f.severity == "error" and f not in bad]
            warnings = [f for f in findings if f.severity == "warning"]
            if bad:
                el = ET.SubElement(case, "error", type="front-matter", message=bad[0].message)
                el.text = _finding_lines(bad)
                counts["errors"] += 1
            if errors:
                el = ET.SubElement(case, "failure", type=errors[0].kind, message=errors[0].message)
                el.text = _finding_lines(errors)
                counts["failures"] += 1
            if skipped and not findings:
                ET.SubElement(
                    case,
                    "skipped",
                    message="chưa đến hạn hoặc không yêu cầu / not due or not required",
                )
                counts["skipped"] += 1
            if warnings:
                out = ET.SubElement(case, "system-out")
                out.text = _finding_lines(warnings)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    for el in root.iter():
        for key, value in el.attrib.items():
            el.set(key, log_line(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
