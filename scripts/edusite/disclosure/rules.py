"""Load the disclosure rules from YAML, validate them, merge a network's override.

The default rules ship as ``edusite/data/disclosure-rules.yml``. A network may add or change
sections with ``extra.network.disclosure_rules: <path relative to the repository root>`` in the
base ``mkdocs.yml``; the override is merged over the default (mappings key by key, the
``sections`` list by ``slug``). Every problem names the file and the key, in Vietnamese then
English, and all problems are collected before :class:`~edusite.errors.EdusiteError` is raised.
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import EdusiteError, Problem, problem
from ..structure.network import LEVELS
from ..text import nfc, parse_datetime
from ..yamlio import load_yaml_file
from .dates import WEEKDAYS, parse_school_year
from .model import (
    CONFIDENCES,
    CONTENT_KINDS,
    DEADLINE_KINDS,
    PRIVACY_KINDS,
    SEVERITIES,
    Deadline,
    FinalizationRule,
    Item,
    PrivacyRule,
    Regime,
    Rules,
    Section,
    StaleRule,
    UpdateRule,
)

SCHEMA_VERSION = 1
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FIELD_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: Disclosure levels: the network's levels without "lien-cap" (a liên cấp school lists its own).
RULE_LEVELS = tuple(lv for lv in LEVELS if lv != "lien-cap")

TOP_KEYS = {
    "schema",
    "retention_years",
    "deadline_inclusive",
    "holiday_calendar",
    "holidays",
    "placeholders",
    "defaults",
    "privacy",
    "regimes",
}
REGIME_KEYS = {
    "title",
    "basis",
    "source",
    "confidence",
    "from",
    "until",
    "due_overrides",
    "sections",
}
SECTION_KEYS = {
    "slug",
    "title",
    "basis",
    "levels",
    "levels_with_flag",
    "forms",
    "required_fields",
    "content",
    "severity",
    "confidence",
    "deadline",
    "update",
    "stale",
    "description",
    "source",
    "items",
    "finalization",
}
ITEM_KEYS = {"id", "title", "source", "confidence", "levels", "flag", "match", "severity"}
FINALIZATION_KEYS = {"field", "working_days", "due", "severity", "confidence", "source"}
DEFAULT_KEYS = {"severity", "confidence", "required_fields", "content", "update", "stale"}
DEADLINE_KEYS = {
    "kind",
    "month",
    "day",
    "year_offset",
    "report_year_offset",
    "months_before",
    "weekday",
    "weeks_before",
    "lookback",
    "months",
    "confidence",
    "source",
}
UPDATE_KEYS = {"working_days", "severity", "confidence", "source"}
STALE_KEYS = {"max_age_days", "severity"}
PRIVACY_KEYS = {"severity", "confidence"}
INCLUSIVE_KEYS = {"value", "source", "confidence"}


def default_rules_path() -> Path:
    """Path of the rules file shipped with the package."""
    return Path(str(resources.files("edusite") / "data" / "disclosure-rules.yml"))


class _Checker:
    """Collects problems about one rules file while walking its data."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def err(self, key: str, vi: str, en: str) -> None:
        self.problems.append(problem(self.file, key, vi, en))

    def keys(self, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(map(str, data)) - allowed):
            self.err(
                f"{where}.{key}" if where else key,
                f"khóa không được hỗ trợ; dùng: {', '.join(sorted(allowed))}",
                f"unknown key; expected one of: {', '.join(sorted(allowed))}",
            )

    def mapping(self, value: Any, key: str) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.err(key, "phải là một bảng (mapping)", "must be a mapping")
            return None
        return value

    def text(self, value: Any, key: str) -> None:
        if not isinstance(value, str) or not value.strip():
            self.err(key, "phải là chuỗi không rỗng", "must be a non-empty string")

    def integer(self, value: Any, key: str, low: int, high: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.err(
                key,
                f"phải là số nguyên từ {low} đến {high}, nhận được {value!r}",
                f"must be an integer from {low} to {high}, got {value!r}",
            )

    def choice(self, value: Any, key: str, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            self.err(
                key,
                f"giá trị '{value}' không hợp lệ; chọn một trong: {', '.join(allowed)}",
                f"invalid value '{value}'; expected one of: {', '.join(allowed)}",
            )

    def level_list(self, value: Any, key: str) -> None:
        if not isinstance(value, list):
            self.err(key, "phải là danh sách cấp học", "must be a list of levels")
            return
        for item in value:
            self.choice(item, key, RULE_LEVELS)

    def level_map(self, value: Any, key: str) -> None:
        """A string, or a mapping level (or ``*``) → string."""
        if isinstance(value, str):
            return
        data = self.mapping(value, key)
        if data is None:
            return
        for lv, text in data.items():
            self.choice(lv, f"{key}.{lv}", (*RULE_LEVELS, "*"))
            self.text(text, f"{key}.{lv}")

    def school_year(self, value: Any, key: str) -> None:
        if value is None:
            return
        try:
            parse_school_year(value)
        except ValueError:
            self.err(
                key,
                f"năm học '{value}' không hợp lệ; cần dạng 2024-2025",
                f"invalid school year '{value}'; expected e.g. 2024-2025",
            )

    def a_date(self, value: Any, key: str) -> None:
        try:
            _to_date(value)
        except ValueError:
            self.err(
                key,
                f"ngày '{value}' không hợp lệ; cần dạng yyyy-mm-dd",
                f"invalid date '{value}'; expected yyyy-mm-dd",
            )


def _to_date(value: Any) -> date:
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        raise ValueError(value)
    return parse_datetime(value).date()


def _check_top(c: _Checker, data: dict[str, Any], partial: bool) -> None:
    c.keys(data, TOP_KEYS, "")
    if (not partial or "schema" in data) and data.get("schema") != SCHEMA_VERSION:
        c.err(
            "schema",
            f"cần 'schema: {SCHEMA_VERSION}' (phiên bản định dạng tệp quy tắc)",
            f"expected 'schema: {SCHEMA_VERSION}' (rules file format version)",
        )
    if "retention_years" in data or not partial:
        c.integer(data.get("retention_years"), "retention_years", 1, 50)
    inclusive = data.get("deadline_inclusive")
    if isinstance(inclusive, dict):
        c.keys(inclusive, INCLUSIVE_KEYS, "deadline_inclusive")
        if not isinstance(inclusive.get("value"), bool):
            c.err("deadline_inclusive.value", "phải là true hoặc false", "must be true or false")
        if "source" in inclusive:
            c.text(inclusive["source"], "deadline_inclusive.source")
        if "confidence" in inclusive:
            c.choice(inclusive["confidence"], "deadline_inclusive.confidence", CONFIDENCES)
    elif "deadline_inclusive" in data and not isinstance(inclusive, bool):
        c.err("deadline_inclusive", "phải là true hoặc false", "must be true or false")
    if "holiday_calendar" in data:
        c.text(data["holiday_calendar"], "holiday_calendar")
    placeholders = data.get("placeholders", [])
    if not isinstance(placeholders, list) or not all(
        isinstance(p, str) and p.strip() for p in placeholders
    ):
        c.err("placeholders", "phải là danh sách cụm từ", "must be a list of phrases")
    holidays = data.get("holidays", [])
    if not isinstance(holidays, list):
        c.err("holidays", "phải là danh sách ngày yyyy-mm-dd", "must be a list of yyyy-mm-dd dates")
    else:
        for i, day in enumerate(holidays):
            c.a_date(day, f"holidays[{i}]")
    defaults = c.mapping(data.get("defaults"), "defaults")
    if defaults is not None:
        c.keys(defaults, DEFAULT_KEYS, "defaults")
        _check_section_fields(c, defaults, "defaults")
    privacy = c.mapping(data.get("privacy"), "privacy")
    if privacy is not None:
        c.keys(privacy, {*PRIVACY_KINDS, "historical_before"}, "privacy")
        if "historical_before" in privacy:
            c.integer(privacy["historical_before"], "privacy.historical_before", 1000, 2100)
        for kind, rule in privacy.items():
            if kind == "historical_before":
                continue
            rule = c.mapping(rule, f"privacy.{kind}")
            if rule is not None:
                c.keys(rule, PRIVACY_KEYS, f"privacy.{kind}")
                if "severity" in rule:
                    c.choice(rule["severity"], f"privacy.{kind}.severity", SEVERITIES)
                if "confidence" in rule:
                    c.choice(rule["confidence"], f"privacy.{kind}.confidence", CONFIDENCES)
    regimes = c.mapping(data.get("regimes"), "regimes")
    if regimes is None:
        if not partial:
            c.err("regimes", "bắt buộc: danh sách chế độ quy định", "required: the regimes")
        return
    for rid, regime in regimes.items():
        _check_regime(c, str(rid), regime, partial)


def _check_regime(c: _Checker, rid: str, value: Any, partial: bool) -> None:
    where = f"regimes.{rid}"
    if not _SLUG_RE.match(rid):
        c.err(where, "mã chế độ phải viết thường, không dấu", "regime id must be a lower-case slug")
    data = c.mapping(value, where)
    if data is None:
        return
    c.keys(data, REGIME_KEYS, where)
    for key in ("title", "basis"):
        if key in data or not partial:
            c.text(data.get(key), f"{where}.{key}")
    if "source" in data:
        c.text(data["source"], f"{where}.source")
    if "confidence" in data:
        c.choice(data["confidence"], f"{where}.confidence", CONFIDENCES)
    c.school_year(data.get("from"), f"{where}.from")
    c.school_year(data.get("until"), f"{where}.until")
    overrides = c.mapping(data.get("due_overrides"), f"{where}.due_overrides")
    for year, day in (overrides or {}).items():
        c.school_year(year, f"{where}.due_overrides")
        c.a_date(day, f"{where}.due_overrides.{year}")
    sections = data.get("sections")
    if sections is None:
        if not partial:
            c.err(f"{where}.sections", "bắt buộc: danh sách mục", "required: the list of sections")
        return
    if not isinstance(sections, list):
        c.err(f"{where}.sections", "phải là danh sách mục", "must be a list of sections")
        return
    seen: set[str] = set()
    for i, sec in enumerate(sections):
        key = f"{where}.sections[{i}]"
        sec = c.mapping(sec, key)
        if sec is None:
            continue
        slug = sec.get("slug")
        if not isinstance(slug, str) or not _SLUG_RE.match(slug):
            c.err(
                f"{key}.slug",
                "bắt buộc: mã mục viết thường không dấu, ví dụ thu-chi-tai-chinh",
                "required: a lower-case ASCII slug, e.g. thu-chi-tai-chinh",
            )
            continue
        if slug in seen:
            c.err(f"{key}.slug", f"mã mục '{slug}' bị trùng", f"duplicate section slug '{slug}'")
        seen.add(slug)
        c.keys(sec, SECTION_KEYS, key)
        _check_section_fields(c, sec, key, complete=not partial)


def _check_section_fields(
    c: _Checker, sec: dict[str, Any], key: str, complete: bool = False
) -> None:
    """Type-check whichever section keys are present; ``complete`` demands title and deadline."""
    if complete:
        for need in ("title", "deadline", "levels"):
            if need not in sec:
                c.err(f"{key}.{need}", "bắt buộc", "required")
    if "title" in sec:
        c.text(sec["title"], f"{key}.title")
    if "description" in sec:
        c.text(sec["description"], f"{key}.description")
    if "source" in sec:
        c.text(sec["source"], f"{key}.source")
    if "items" in sec:
        _check_items(c, sec["items"], f"{key}.items")
    if "finalization" in sec and sec["finalization"] is not False:
        fin = c.mapping(sec["finalization"], f"{key}.finalization")
        if fin is not None:
            c.keys(fin, FINALIZATION_KEYS, f"{key}.finalization")
            if "field" in fin and (
                not isinstance(fin["field"], str) or not _FIELD_RE.match(fin["field"])
            ):
                c.err(
                    f"{key}.finalization.field",
                    "cần tên trường front matter (chữ thường, số, gạch dưới)",
                    "expected a front-matter field name (lower-case letters, digits, underscores)",
                )
            if "working_days" in fin:
                c.integer(fin["working_days"], f"{key}.finalization.working_days", 1, 365)
            if "severity" in fin:
                c.choice(fin["severity"], f"{key}.finalization.severity", SEVERITIES)
            if "confidence" in fin:
                c.choice(fin["confidence"], f"{key}.finalization.confidence", CONFIDENCES)
            if "source" in fin:
                c.text(fin["source"], f"{key}.finalization.source")
            due = c.mapping(fin.get("due"), f"{key}.finalization.due")
            if due is not None:
                c.keys(due, {"month", "day", "year_offset"}, f"{key}.finalization.due")
                c.integer(due.get("month", 12), f"{key}.finalization.due.month", 1, 12)
                c.integer(due.get("day", 31), f"{key}.finalization.due.day", 1, 31)
                c.integer(due.get("year_offset", 0), f"{key}.finalization.due.year_offset", -5, 5)
    if "basis" in sec:
        c.level_map(sec["basis"], f"{key}.basis")
    if "forms" in sec:
        c.level_map(sec["forms"], f"{key}.forms")
    if "levels" in sec:
        c.level_list(sec["levels"], f"{key}.levels")
    flagged = c.mapping(sec.get("levels_with_flag"), f"{key}.levels_with_flag")
    for flag, levels in (flagged or {}).items():
        c.level_list(levels, f"{key}.levels_with_flag.{flag}")
    if "required_fields" in sec:
        fields = sec["required_fields"]
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            c.err(
                f"{key}.required_fields",
                "phải là danh sách tên trường",
                "must be a list of field names",
            )
    if "content" in sec:
        c.choice(sec["content"], f"{key}.content", CONTENT_KINDS)
    if "severity" in sec:
        c.choice(sec["severity"], f"{key}.severity", SEVERITIES)
    if "confidence" in sec:
        c.choice(sec["confidence"], f"{key}.confidence", CONFIDENCES)
    if "deadline" in sec:
        _check_deadline(c, sec["deadline"], f"{key}.deadline")
    for name, allowed in (("update", UPDATE_KEYS), ("stale", STALE_KEYS)):
        if name not in sec or sec[name] is False:
            continue
        sub = c.mapping(sec[name], f"{key}.{name}")
        if sub is None:
            continue
        c.keys(sub, allowed, f"{key}.{name}")
        if "working_days" in sub:
            c.integer(sub["working_days"], f"{key}.{name}.working_days", 1, 365)
        if "source" in sub:
            c.text(sub["source"], f"{key}.{name}.source")
        if "max_age_days" in sub:
            c.integer(sub["max_age_days"], f"{key}.{name}.max_age_days", 1, 3650)
        if "severity" in sub:
            c.choice(sub["severity"], f"{key}.{name}.severity", SEVERITIES)
        if "confidence" in sub:
            c.choice(sub["confidence"], f"{key}.{name}.confidence", CONFIDENCES)


def _check_deadline(c: _Checker, value: Any, key: str) -> None:
    data = c.mapping(value, key)
    if data is None:
        return
    c.keys(data, DEADLINE_KEYS, key)
    c.choice(data.get("kind"), f"{key}.kind", DEADLINE_KINDS)
    if "month" in data:
        c.integer(data["month"], f"{key}.month", 1, 12)
    if "day" in data:
        c.integer(data["day"], f"{key}.day", 1, 31)
    for name, low, high in (
        ("year_offset", -5, 5),
        ("report_year_offset", -5, 5),
        ("months_before", 0, 12),
        ("weeks_before", 0, 52),
        ("lookback", 1, 60),
    ):
        if name in data:
            c.integer(data[name], f"{key}.{name}", low, high)
    if "weekday" in data and str(data["weekday"]).lower() not in WEEKDAYS:
        c.err(
            f"{key}.weekday",
            f"thứ '{data['weekday']}' không hợp lệ; dùng tên tiếng Anh, ví dụ saturday",
            f"invalid weekday '{data['weekday']}'; expected an English name, e.g. saturday",
        )
    if "months" in data:
        months = data["months"]
        if not isinstance(months, list) or not months:
            c.err(f"{key}.months", "phải là danh sách tháng 1-12", "must be a list of months 1-12")
        else:
            for m in months:
                c.integer(m, f"{key}.months", 1, 12)
    if "confidence" in data:
        c.choice(data["confidence"], f"{key}.confidence", CONFIDENCES)
    if "source" in data:
        c.text(data["source"], f"{key}.source")


def _check_items(c: _Checker, value: Any, key: str) -> None:
    if not isinstance(value, list):
        c.err(key, "phải là danh sách nội dung bắt buộc", "must be a list of required items")
        return
    seen: set[str] = set()
    for i, raw in enumerate(value):
        where = f"{key}[{i}]"
        item = c.mapping(raw, where)
        if item is None:
            continue
        c.keys(item, ITEM_KEYS, where)
        iid = item.get("id")
        if not isinstance(iid, str) or not _SLUG_RE.match(iid):
            c.err(
                f"{where}.id",
                "bắt buộc: mã nội dung viết thường không dấu, ví dụ nguoi-phat-ngon",
                "required: a lower-case ASCII id, e.g. nguoi-phat-ngon",
            )
        elif iid in seen:
            c.err(f"{where}.id", f"mã nội dung '{iid}' bị trùng", f"duplicate item id '{iid}'")
        else:
            seen.add(iid)
        c.text(item.get("title"), f"{where}.title")
        if "source" in item:
            c.text(item["source"], f"{where}.source")
        if "confidence" in item:
            c.choice(item["confidence"], f"{where}.confidence", CONFIDENCES)
        if "severity" in item:
            c.choice(item["severity"], f"{where}.severity", SEVERITIES)
        if "levels" in item:
            c.level_list(item["levels"], f"{where}.levels")
        if "flag" in item and (not isinstance(item["flag"], str) or not item["flag"].strip()):
            c.err(f"{where}.flag", "phải là tên cờ của đơn vị", "must be a unit flag name")
        match = item.get("match", [])
        if not isinstance(match, list) or not all(isinstance(m, str) and m.strip() for m in match):
            c.err(f"{where}.match", "phải là danh sách cụm từ", "must be a list of phrases")


def merge_rules(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` over ``base``: mappings by key, ``sections`` by slug, lists replaced."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        ident = {"sections": "slug", "items": "id"}.get(key)
        if ident and isinstance(value, list) and isinstance(out.get(key), list):
            by_slug = {s.get(ident): i for i, s in enumerate(out[key]) if isinstance(s, dict)}
            for sec in value:
                idx = by_slug.get(sec.get(ident)) if isinstance(sec, dict) else None
                if idx is None:
                    out[key].append(copy.deepcopy(sec))
                else:
                    out[key][idx] = merge_rules(out[key][idx], sec)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_rules(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read(path: Path, partial: bool) -> dict[str, Any]:
    if not path.is_file():
        raise EdusiteError(
            problem(
                path,
                None,
                "không tìm thấy tệp quy tắc công khai",
                "disclosure rules file not found",
            )
        )
    data = load_yaml_file(path)
    if not isinstance(data, dict):
        raise EdusiteError(problem(path, None, "phải là một bảng YAML", "must be a YAML mapping"))
    c = _Checker(path)
    _check_top(c, data, partial)
    if c.problems:
        raise EdusiteError(c.problems)
    return data


def load_rules(path: str | Path | None = None, overrides: list[str | Path] | None = None) -> Rules:
    """Read, validate and merge rules files into :class:`Rules`.

    Arguments:
        path: the complete rules file (default: the one shipped with edusite).
        overrides: partial files merged over it in order (a network's extra demands).

    Raises:
        EdusiteError: naming the file and key of every problem found.
    """
    base_path = Path(path) if path else default_rules_path()
    data = _read(base_path, partial=False)
    files = [base_path]
    calendar = _calendar_path(base_path, data.get("holiday_calendar"))
    for extra in overrides or []:
        extra_path = Path(extra)
        more = _read(extra_path, partial=True)
        if more.get("holiday_calendar"):
            calendar = _calendar_path(extra_path, more["holiday_calendar"])
        data = merge_rules(data, more)
        files.append(extra_path)
    # Sections added by an override must be complete: re-check the merged data as a whole.
    c = _Checker(files[-1])
    _check_top(c, data, partial=False)
    if c.problems:
        raise EdusiteError(c.problems)
    return _build(data, tuple(files), load_calendar(calendar) if calendar else None)


def _calendar_path(rules_file: Path, name: object) -> Path | None:
    """The calendar a rules file names: beside it, else the one shipped with edusite."""
    if not name:
        return None
    beside = rules_file.parent / str(name)
    shipped = default_rules_path().parent / str(name)
    return beside if beside.is_file() or not shipped.is_file() else shipped


@dataclass(frozen=True)
class Calendar:
    """A holiday calendar file: days off (with names), Saturdays worked, the years covered."""

    file: Path
    days_off: dict[date, str]
    working_saturdays: frozenset[date]
    years: frozenset[int]
    source: str = ""


def load_calendar(path: Path) -> Calendar:
    """Read and validate a holiday calendar (``data/holidays-vn.yml``)."""
    if not path.is_file():
        raise EdusiteError(
            problem(path, None, "không tìm thấy tệp lịch nghỉ lễ", "holiday calendar not found")
        )
    data = load_yaml_file(path)
    c = _Checker(path)
    if not isinstance(data, dict):
        raise EdusiteError(problem(path, None, "phải là một bảng YAML", "must be a YAML mapping"))
    c.keys(data, {"schema", "source", "confidence", "years"}, "")
    if data.get("schema") != 1:
        c.err("schema", "cần 'schema: 1'", "expected 'schema: 1'")
    days: dict[date, str] = {}
    saturdays: set[date] = set()
    years = c.mapping(data.get("years"), "years") or {}
    for year, entry in years.items():
        where = f"years.{year}"
        c.integer(year, where, 1990, 2100)
        entry = c.mapping(entry, where)
        if entry is None:
            continue
        c.keys(entry, {"days_off", "working_saturdays", "source"}, where)
        for i, day in enumerate(entry.get("days_off") or []):
            key = f"{where}.days_off[{i}]"
            if not isinstance(day, dict) or "date" not in day:
                c.err(
                    key, "cần {date: yyyy-mm-dd, name: tên}", "expected {date: yyyy-mm-dd, name: …}"
                )
                continue
            c.a_date(day["date"], f"{key}.date")
            with contextlib.suppress(ValueError):
                days[_to_date(day["date"])] = nfc(str(day.get("name", "")))
        for i, day in enumerate(entry.get("working_saturdays") or []):
            c.a_date(day, f"{where}.working_saturdays[{i}]")
            with contextlib.suppress(ValueError):
                saturdays.add(_to_date(day))
    if c.problems:
        raise EdusiteError(c.problems)
    return Calendar(
        file=path,
        days_off=days,
        working_saturdays=frozenset(saturdays),
        years=frozenset(int(y) for y in years),
        source=nfc(str(data.get("source", ""))),
    )


def get_rules(root: str | Path = ".", settings: Mapping[str, Any] | None = None) -> Rules:
    """The rules for the network at ``root``: the default plus ``extra.network.disclosure_rules``.

    ``settings`` is the base config's ``extra.network`` mapping (read from ``root/mkdocs.yml``
    when not given, e.g. ``network.settings``).
    """
    root = Path(root)
    if settings is None:
        base = root / "mkdocs.yml"
        cfg = load_yaml_file(base) if base.is_file() else {}
        settings = ((cfg or {}).get("extra") or {}).get("network") or {}
    extra = settings.get("disclosure_rules")
    if extra is None:
        return load_rules()
    items = extra if isinstance(extra, list) else [extra]
    if not all(isinstance(i, str) and i.strip() for i in items):
        raise EdusiteError(
            problem(
                root / "mkdocs.yml",
                "extra.network.disclosure_rules",
                "cần đường dẫn (tính từ thư mục gốc) tới tệp quy tắc bổ sung",
                "expected a path (relative to the repository root) to an override rules file",
            )
        )
    return load_rules(overrides=[root / i for i in items])


def _build(
    data: dict[str, Any], files: tuple[Path, ...], calendar: Calendar | None = None
) -> Rules:
    defaults = data.get("defaults") or {}
    regimes: list[Regime] = []
    for rid, raw in (data.get("regimes") or {}).items():
        sections = tuple(_build_section({**defaults, **s}) for s in raw.get("sections") or [])
        regimes.append(
            Regime(
                id=str(rid),
                title=nfc(raw["title"]),
                basis=nfc(raw["basis"]),
                sections=sections,
                first_year=parse_school_year(raw["from"]) if raw.get("from") else None,
                last_year=parse_school_year(raw["until"]) if raw.get("until") else None,
                confidence=raw.get("confidence", "H"),
                source=nfc(str(raw.get("source", ""))),
                due_overrides={
                    parse_school_year(y): _to_date(d)
                    for y, d in (raw.get("due_overrides") or {}).items()
                },
            )
        )
    _check_overlap(regimes, files[-1])
    privacy_data = data.get("privacy") or {}
    privacy = {kind: PrivacyRule(**privacy_data.get(kind, {})) for kind in PRIVACY_KINDS}
    inclusive = data.get("deadline_inclusive", True)
    if not isinstance(inclusive, dict):
        inclusive = {"value": inclusive}
    extra = {_to_date(d) for d in data.get("holidays") or []}
    names = {d: "Ngày nghỉ của mạng (holidays)" for d in extra}
    if calendar is not None:
        names.update(calendar.days_off)
    return Rules(
        regimes=tuple(sorted(regimes, key=lambda r: r.first_year or 0)),
        files=files,
        retention_years=int(data["retention_years"]),
        deadline_inclusive=bool(inclusive.get("value", True)),
        deadline_inclusive_source=nfc(str(inclusive.get("source", ""))),
        deadline_inclusive_confidence=str(inclusive.get("confidence", "H")),
        holidays=frozenset(names),
        holiday_names=dict(sorted(names.items())),
        working_saturdays=calendar.working_saturdays if calendar else frozenset(),
        calendar_years=calendar.years if calendar else frozenset(),
        calendar_file=calendar.file if calendar else None,
        calendar_source=calendar.source if calendar else "",
        placeholders=tuple(nfc(p) for p in data.get("placeholders") or []),
        historical_before=int(privacy_data.get("historical_before", 1945)),
        privacy=privacy,
    )


def _level_map(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"*": nfc(value)}
    return {str(k): nfc(str(v)) for k, v in value.items()}


def _build_section(raw: dict[str, Any]) -> Section:
    dl = dict(raw["deadline"])
    if "source" in dl:
        dl["source"] = nfc(str(dl["source"]))
    if "weekday" in dl:
        dl["weekday"] = WEEKDAYS[str(dl["weekday"]).lower()]
    if "months" in dl:
        dl["months"] = tuple(dl["months"])
    update = raw.get("update")
    stale = raw.get("stale")
    return Section(
        slug=raw["slug"],
        title=nfc(raw["title"]),
        deadline=Deadline(**dl),
        levels=tuple(raw.get("levels") or ()),
        levels_with_flag={k: tuple(v) for k, v in (raw.get("levels_with_flag") or {}).items()},
        basis=_level_map(raw.get("basis")),
        forms=_level_map(raw.get("forms")),
        required_fields=tuple(raw.get("required_fields") or ()),
        content=raw.get("content", "any"),
        severity=raw.get("severity", "error"),
        confidence=raw.get("confidence", "M"),
        update=UpdateRule(**update) if isinstance(update, dict) else None,
        stale=StaleRule(**stale) if isinstance(stale, dict) else None,
        description=nfc(raw.get("description", "")),
        source=nfc(str(raw.get("source", ""))),
        items=tuple(_build_item(i) for i in raw.get("items") or []),
        finalization=_build_finalization(raw.get("finalization")),
    )


def _build_item(raw: dict[str, Any]) -> Item:
    return Item(
        id=raw["id"],
        title=nfc(str(raw["title"])),
        source=nfc(str(raw.get("source", ""))),
        confidence=raw.get("confidence", "M"),
        levels=tuple(raw.get("levels") or ()),
        flag=raw.get("flag"),
        match=tuple(nfc(m) for m in raw.get("match") or ()) or (nfc(str(raw["title"])),),
        severity=raw.get("severity"),
    )


def _build_finalization(raw: Any) -> FinalizationRule | None:
    if not isinstance(raw, dict):
        return None
    due = raw.get("due") or {}
    return FinalizationRule(
        field=raw.get("field", "quyet_toan"),
        working_days=int(raw.get("working_days", 10)),
        month=int(due.get("month", 12)),
        day=int(due.get("day", 31)),
        year_offset=int(due.get("year_offset", 0)),
        severity=raw.get("severity", "warning"),
        confidence=raw.get("confidence", "M"),
        source=nfc(str(raw.get("source", ""))),
    )


def _check_overlap(regimes: list[Regime], file: Path) -> None:
    """Two regimes may not both cover a school year."""
    problems: list[Problem] = []
    ordered = sorted(regimes, key=lambda r: r.first_year if r.first_year is not None else -1)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.last_year is None or (b.first_year is not None and a.last_year >= b.first_year):
            problems.append(
                problem(
                    file,
                    f"regimes.{b.id}.from",
                    f"chế độ '{a.id}' và '{b.id}' cùng áp dụng cho một năm học; sửa 'until'/'from'",
                    f"regimes '{a.id}' and '{b.id}' both cover a school year; fix 'until'/'from'",
                )
            )
    if problems:
        raise EdusiteError(problems)
