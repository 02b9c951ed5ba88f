"""Template context for the disclosure pages, built from the same check as ``edusite check``.

Three plain functions, independent of MkDocs, called by the plugin:

* :func:`disclosure_index_context` for a school's "Công khai" index (``cong-khai/index.md``);
* :func:`section_context` for one section page;
* :func:`dashboard_context` for a portal's compliance table (units × sections).

Each returns a ``dict`` the templates receive as ``disclosure``.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from .. import memo
from ..digests import folder_hash
from ..security.cells import safe_cell
from ..structure.network import LEVELS, Network, Unit
from ..text import format_date
from .attachments import TYPES
from .checker import check_page, check_unit, disclosure_flags, is_checked_unit
from .dates import school_year_label, school_year_of
from .model import Rules
from .pages import DISCLOSURE_DIR, DisclosurePage
from .results import STATUSES, ItemResult, PeriodResult, status_of

log = logging.getLogger("mkdocs.plugins.edusite.disclosure")

#: Icons of the statuses on web pages: a distinct shape for each (never colour alone).
ICONS = {
    "ok": "✓",
    "missing": "✗",
    "late": "◷",
    "error": "⊘",
    "warning": "⚠",
    "not-due": "…",
    "unchecked": "–",
    "": "–",
}
#: Column headings of the dashboard (the full title is in the heading's ``<abbr>``).
SHORT_TITLES = {
    "thong-tin-chung": "Thông tin chung",
    "thu-chi-tai-chinh": "Thu, chi",
    "dieu-kien-bao-dam-chat-luong": "Điều kiện chất lượng",
    "ke-hoach-va-ket-qua": "Kế hoạch, kết quả",
    "bao-cao-thuong-nien": "Báo cáo thường niên",
    "thuc-don": "Thực đơn",
    "ke-hoach-thang": "Kế hoạch tháng",
    "ke-hoach-tuan": "Kế hoạch tuần",
    "cam-ket-chat-luong": "Cam kết chất lượng",
    "dieu-kien-dam-bao-chat-luong": "Điều kiện chất lượng",
}
#: Status legend for templates: status -> label, mark and CSS modifier.
LEGEND = [
    {"status": s, "label": label, "mark": ICONS[s]}
    for s, (label, mark) in STATUSES.items()
    if s != "unchecked"
]


def _text(value: object) -> str:
    """A front-matter value MkDocs parsed, as text only when it is text: ``str()`` of a hostile
    value (an alias bomb's shared lists) would expand it."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def _date(day: date | None) -> str:
    return format_date(day) if day else ""


def _status(status: str) -> dict[str, str]:
    label, _mark = STATUSES[status]
    return {"status": status, "status_text": label, "mark": ICONS[status]}


def page_href(page: DisclosurePage, base: str = DISCLOSURE_DIR, directory_urls: bool = True) -> str:
    """Link to ``page`` relative to the folder ``base`` (the index sits at ``cong-khai/``)."""
    rel = PurePosixPath(page.src_uri).relative_to(base)
    return f"{rel.with_suffix('')}/" if directory_urls else str(rel.with_suffix(".html"))


def _period_dict(p: PeriodResult, directory_urls: bool) -> dict[str, Any]:
    return {
        "label": p.period.label,
        "text": p.period.text_vi,
        "due_text": _date(p.due),
        "required": p.required,
        "url": page_href(p.page, directory_urls=directory_urls) if p.page else None,
        "site_path": p.page.url if p.page else None,
        "published_text": _date(p.page.published) if p.page else "",
        **_status(p.status),
    }


def _item_dict(item: ItemResult, levels: list[str], directory_urls: bool) -> dict[str, Any]:
    page = item.page
    periods = [p for p in item.periods if p.required or p.page]
    latest = next((p for p in periods if p.page), None)
    url = page_href(page, directory_urls=directory_urls) if page else None
    site_path = page.url if page else None
    if url is None and latest and latest.page:
        url = page_href(latest.page, directory_urls=directory_urls)
        site_path = latest.page.url
    return {
        "site_path": site_path,
        "slug": item.section.slug,
        "title": item.section.title,
        "basis": item.section.basis_for(levels),
        "forms": item.section.forms_for(levels),
        "owed": item.owed,
        "periodic": item.section.periodic,
        "url": url,
        "due_text": _date(item.due),
        "published_text": _date(page.published) if page else "",
        "updated_text": _date(page.updated) if page else "",
        "as_of_text": _date(page.as_of) if page else "",
        "attachment_count": len(page.attachments) if page else 0,
        "periods": [_period_dict(p, directory_urls) for p in periods],
        "findings": [f.vi for f in item.all_findings],
        **_status(item.status),
    }


def disclosure_index_context(
    unit: Unit, docs_dir: Path, today: date, rules: Rules, *, directory_urls: bool = True
) -> dict[str, Any]:
    """Context of the "Công khai" index: school years newest first, each owed section's status.

    Links are relative to the index page (``cong-khai/``), e.g. ``2026-2027/thu-chi-tai-chinh/``.
    """
    result = check_unit(unit, docs_dir, today, rules)
    levels = unit.school_levels
    years = []
    for year in sorted(result.years, key=lambda y: -y.school_year):
        items = [_item_dict(i, levels, directory_urls) for i in year.items]
        counts = {s: sum(1 for i in items if i["status"] == s) for s in STATUSES}
        years.append(
            {
                "school_year": year.label,
                "regime_title": year.regime.title,
                "regime_basis": year.regime.basis,
                "sections": items,
                "counts": counts,
                "complete": all(
                    i["status"] in ("ok", "warning", "not-due") for i in items if i["owed"]
                ),
            }
        )
    return {
        "kind": "index",
        "unit": unit.to_context(),
        "levels_text": ", ".join(LEVELS.get(lv, lv) for lv in levels),
        "today_text": format_date(today),
        "current_school_year": school_year_label(school_year_of(today)),
        "years": years,
        "legend": LEGEND,
    }


def section_context(
    unit: Unit, page_path: Path, meta: dict[str, Any], rules: Rules
) -> dict[str, Any]:
    """Context of one section page: its section, dates, attachments (size, type) and status.

    ``page_path`` is the Markdown file (``…/cong-khai/<năm học>/<section>.md`` or
    ``…/<section>/<period>.md``); ``meta`` is its front matter as the site engine parsed it.
    The file is re-read and checked exactly as ``edusite check`` does, so both agree.
    """
    docs_dir = next(
        (p.parent for p in page_path.parents if p.name == DISCLOSURE_DIR), page_path.parent
    )
    checked = check_page(unit, docs_dir, page_path, rules)
    if checked is None:
        return {"kind": "section", "valid": False, "title": _text(meta.get("title"))}
    page, section = checked.page, checked.section
    attachments = [
        {
            "file": a.file,
            # relative to the rendered page (directory URLs put it one folder deeper) and
            # relative to the site root (for the template's ``url`` filter)
            "url": a.file if page.path.name == "index.md" else f"../{a.file}",
            "site_path": str(PurePosixPath(page.src_uri).parent / a.file),
            "title": a.title,
            "type": a.type,
            "type_text": TYPES.get(Path(a.file).suffix.lower(), ("", ""))[1],
            "size": a.size,
            "size_text": a.size_text,
            "exists": a.exists,
            "readable": a.readable,
            "pages": a.inspection.pages if a.inspection else None,
        }
        for a in page.attachments
    ]
    late = any(f.kind == "late" for f in checked.findings)
    coverage = getattr(page, "coverage", None)
    owed_items = section.owed_items(unit.school_levels, disclosure_flags(unit)) if section else []
    items = [
        {
            "id": it.id,
            "title": it.title,
            "source": it.source,
            "covered": bool(coverage and it.id in coverage.covered),
            "mark": ICONS["ok"] if coverage and it.id in coverage.covered else ICONS["missing"],
        }
        for it in owed_items
    ]
    return {
        "kind": "section",
        "valid": section is not None,
        "unit": unit.to_context(),
        "title": page.title or _text(meta.get("title")),
        "section": section.slug if section else page.section,
        "section_title": section.title if section else "",
        "description": section.description if section else "",
        "basis": section.basis_for(unit.school_levels) if section else "",
        "forms": section.forms_for(unit.school_levels) if section else "",
        "confidence": section.confidence if section else "",
        "regime_title": checked.regime.title if checked.regime else "",
        "school_year": school_year_label(page.school_year),
        "period": page.period.label if page.period else None,
        "period_text": page.period.text_vi if page.period else "",
        "report_year": page.report_year,
        "published_text": _date(page.published),
        "updated_text": _date(page.updated),
        "as_of_text": _date(page.as_of),
        "due_text": _date(checked.due),
        "on_time": bool(page.published) and not late,
        "attachments": attachments,
        "required_items": items,
        "items_covered": sum(1 for i in items if i["covered"]),
        "findings": [f.vi for f in checked.findings],
        "index_url": "../" * (2 if page.period else 1) + "../",
        **_status(checked.status),
    }


def dashboard_context(
    network: Network, portal_id: str, today: date, rules: Rules, memo_dir: Path | None = None
) -> dict[str, Any]:
    """Context of a portal's compliance dashboard for the current school year.

    Rows are the schools and centres below ``portal_id``; columns the sections of the current
    regime owed by at least one of them; each cell links to the school's page (its ``site_url``).
    """
    current = school_year_of(today)
    regime = rules.regime_for(current)
    units = [u for u in network.descendants(portal_id) if is_checked_unit(u)]
    units.sort(key=lambda u: u.id)
    sources = [*rules.files, *([rules.calendar_file] if rules.calendar_file else [])]
    rules_bytes = [Path(f).read_bytes() if Path(f).is_file() else b"-" for f in sources]
    summaries = [
        _unit_summary(u, network, today, rules, rules_bytes, current, memo_dir) for u in units
    ]
    columns = []
    if regime is not None:
        owed_any = {
            s.slug for u in units for s in regime.owed(u.school_levels, disclosure_flags(u))
        }
        columns = [
            {"slug": s.slug, "title": s.title, "short": SHORT_TITLES.get(s.slug, s.title)}
            for s in regime.sections
            if s.slug in owed_any
        ]
    rows = []
    totals = {s: 0 for s in STATUSES}
    for unit, summary in zip(units, summaries, strict=True):
        by_slug = summary["items"]
        cells = []
        for col in columns:
            item = by_slug.get(col["slug"])
            if item is None or not item["owed"]:
                cells.append(
                    {
                        "slug": col["slug"],
                        "owed": False,
                        "status": "",
                        "status_text": "không áp dụng",
                        "mark": "–",
                        "url": None,
                    }
                )
                continue
            totals[item["status"]] += 1
            cells.append(
                {
                    "slug": col["slug"],
                    "owed": True,
                    "url": item["url"],
                    "findings": list(item["findings"]),
                    **_status(item["status"]),
                }
            )
        parent = network[unit.parent] if unit.parent and unit.parent in network else None
        rows.append(
            {
                "unit": unit.to_context(),
                "levels_text": ", ".join(LEVELS.get(lv, lv) for lv in unit.school_levels),
                "group": parent.id if parent and parent.id != portal_id else "",
                "group_name": parent.name if parent and parent.id != portal_id else "",
                "index_url": f"{unit.site_url}{DISCLOSURE_DIR}/",
                "cells": cells,
                **_status(summary["status"]),
            }
        )
    portal = network[portal_id]
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        g = groups.setdefault(
            row["group"],
            {
                "id": row["group"] or portal_id,
                "name": row["group_name"] or f"Trực thuộc {portal.name}",
                "rows": [],
                "counts": {s: 0 for s in STATUSES},
            },
        )
        g["rows"].append(row)
        g["counts"][row["status"]] += 1
    ordered = sorted(groups.values(), key=lambda g: (g["id"] != portal_id, g["name"]))
    for g in ordered:
        g["ok"] = g["counts"]["ok"] + g["counts"]["warning"]
        g["summary"] = [
            {"status": s, "label": STATUSES[s][0], "mark": ICONS[s], "count": n}
            for s, n in g["counts"].items()
            if n
        ]
    levels = sorted(
        {lv for u in units for lv in u.school_levels}, key=lambda lv: list(LEVELS).index(lv)
    )
    label = school_year_label(current)
    return {
        "kind": "dashboard",
        "portal": portal.to_context(),
        "today_text": format_date(today),
        "school_year": school_year_label(current),
        "regime_title": regime.title if regime else "",
        "columns": columns,
        "rows": rows,
        "totals": totals,
        "units_ok": sum(1 for r in rows if r["status"] in ("ok", "warning")),
        "legend": LEGEND,
        "groups": ordered,
        "levels": [{"id": lv, "name": LEVELS.get(lv, lv)} for lv in levels],
        "statuses": [
            {"status": s, "label": STATUSES[s][0], "mark": ICONS[s]}
            for s in ("missing", "late", "error", "warning", "ok")
        ],
        "csv_name": f"cong-khai-{label}.csv",
    }


def dashboard_csv(context: dict[str, Any]) -> bytes:
    """The dashboard's table as CSV (UTF-8 with BOM, so Excel reads the tones)."""
    import csv
    import io

    buf = io.StringIO()
    out = csv.writer(buf)
    cols = context["columns"]
    out.writerow(
        [
            "Đơn vị",
            "Mã",
            "Cấp học",
            "Trực thuộc",
            *[c["title"] for c in cols],
            "Tình trạng chung",
            "Trang công khai",
        ]
    )
    for row in context["rows"]:
        unit = row["unit"]
        out.writerow(
            [
                safe_cell(unit["name"]),
                unit["id"],
                row["levels_text"],
                safe_cell(row["group_name"] or context["portal"]["name"]),
                *[c["status_text"] for c in row["cells"]],
                row["status_text"],
                row["index_url"],
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _unit_summary(
    unit: Unit,
    network: Network,
    today: date,
    rules: Rules,
    rules_bytes: list[bytes],
    current: int,
    memo_dir: Path | None,
) -> dict[str, Any]:
    """What a dashboard row needs of one unit's check of school year ``current``.

    A Sở's dashboard checks every school on each build (pages, attachments, privacy). With
    ``memo_dir``, the summary is kept in ``memo_dir/<id>.json`` under a hash of the unit's
    content folder (:func:`edusite.digests.folder_hash`), its whole ``extra.unit``, the day,
    the rules files and the edusite code, so any change, or a new day, checks again.
    """
    docs = network.content_dir(unit)
    memo_file, memo_key = None, ""
    if memo_dir is not None:
        memo_file = memo_dir / f"{unit.id}.json"
        memo_key = memo.key(
            today.isoformat(),
            current,
            [unit.to_context(), unit.raw],
            *rules_bytes,
            folder_hash(docs, memo_dir.parent / "digests.json"),
        )
        found = memo.load(memo_file, memo_key)
        if found is not None:
            return found
    try:
        result = check_unit(unit, docs, today, rules, years=[current])
    except Exception as exc:  # noqa: BLE001 - one member's failure must not stop its portal
        log.warning(
            "%s: không kiểm tra được công khai của %s, bỏ qua trên bảng tổng hợp (%s: %s) / "
            "cannot check the disclosures of %s, skipped on the dashboard (%s: %s)",
            docs, unit.id, type(exc).__name__, exc, unit.id, type(exc).__name__, exc,
        )  # fmt: skip
        return {"items": {}, "status": "error"}
    year = result.year(current)
    items = {i.section.slug: i for i in year.items} if year else {}
    summary = {
        "items": {
            slug: {
                "owed": i.owed,
                "status": i.status,
                "url": _absolute_url(unit, i),
                "findings": [f.vi for f in i.all_findings],
            }
            for slug, i in items.items()
        },
        "status": status_of([f for i in items.values() for f in i.all_findings]),
    }
    if memo_file is not None:
        memo.store(memo_file, memo_key, summary)
    return summary


def _absolute_url(unit: Unit, item: ItemResult) -> str:
    if item.page is not None:
        return unit.site_url + item.page.url
    latest = next((p.page for p in item.periods if p.page), None)
    if latest is not None:
        return unit.site_url + latest.url
    return f"{unit.site_url}{DISCLOSURE_DIR}/"
