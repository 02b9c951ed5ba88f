"""Publication quotas as data (``data/quotas.yml``) and their evaluation over a report period.

A rule says "each <kind> (or each of its groups) reaches ``min`` <metric> every <period>".
Over a report period it is checked once per period of its kind belonging to the report period
(see :func:`edusite.reports.periods.split`). A check is ``ok`` when reached, ``fail`` when its
period is over without reaching it, and ``pending`` while its period is still running; periods
that have not started are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import EdusiteError, Problem, problem
from ..structure.network import KINDS, Network
from ..text import nfc, to_local
from ..yamlio import load_yaml_file
from .collect import Item, UnitData
from .periods import KINDS as PERIOD_KINDS
from .periods import Period, split

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "quotas.yml"
METRICS = {
    "posts": ("tin bài", "posts"),
    "featured": ("tin tiêu biểu", "featured posts"),
    "photos": ("ảnh", "photos"),
    "videos": ("video", "videos"),
    "media": ("ảnh hoặc video", "photos or videos"),
}
PERIOD_NAMES = {"week": "tuần", "month": "tháng", "quarter": "quý", "school-year": "năm học"}
STATUS_TITLES = {"ok": "Đạt", "fail": "Chưa đạt", "pending": "Đang theo dõi"}
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Rule:
    """One quota rule (see the comments in ``data/quotas.yml``)."""

    id: str
    ten: str
    kinds: tuple[str, ...]
    metric: str
    every: str
    min: int
    name: str = ""
    per_group: bool = False
    months: tuple[int, ...] = ()
    source: str = ""

    def applies_to(self, kind: str) -> bool:
        return kind in self.kinds


@dataclass(frozen=True)
class Check:
    """The rule checked over one period."""

    period: Period
    actual: int
    status: str  # "ok" | "fail" | "pending"


@dataclass
class QuotaResult:
    """A rule evaluated for one unit (or one of its groups) over a report period."""

    unit_id: str
    rule: Rule
    subject: str = ""  # the group, or "" for the whole unit
    checks: list[Check] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``fail`` if any check failed, else ``pending`` if any is running, else ``ok``."""
        states = {c.status for c in self.checks}
        return "fail" if "fail" in states else "pending" if "pending" in states else "ok"

    @property
    def met(self) -> int:
        return sum(1 for c in self.checks if c.status == "ok")

    @property
    def summary(self) -> str:
        """``Tổ Toán: đạt 3/4 tháng`` — how many periods reached the minimum."""
        who = f"{self.subject}: " if self.subject else ""
        return f"{who}đạt {self.met}/{len(self.checks)} {PERIOD_NAMES[self.rule.every]}"

    @property
    def missed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "fail"]


def quotas_file(network: Network) -> Path:
    """The network's quota file: ``extra.network.quotas`` (relative to the root) or the default."""
    custom = network.settings.get("quotas")
    if isinstance(custom, str) and custom.strip():
        return (network.root / custom).resolve()
    return DEFAULT_FILE


def load_rules(path: Path = DEFAULT_FILE) -> list[Rule]:
    """Read and validate a quota file; raises :class:`EdusiteError` listing every problem."""
    data = load_yaml_file(path) or {}
    rows = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise EdusiteError(
            problem(path, "rules", "cần danh sách chỉ tiêu", "expected a list of rules")
        )
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        rule = _rule(row, f"rules[{i}]", path, problems)
        if rule is None:
            continue
        if rule.id in seen:
            problems.append(
                problem(
                    path, f"rules[{i}].id", f"mã '{rule.id}' bị trùng", f"duplicate id '{rule.id}'"
                )
            )
        seen.add(rule.id)
        rules.append(rule)
    if problems:
        raise EdusiteError(problems)
    return rules


def _rule(row: Any, where: str, path: Path, problems: list[Problem]) -> Rule | None:
    """One validated rule, or ``None`` after appending its problems."""
    before = len(problems)

    def bad(key: str, vi: str, en: str) -> None:
        problems.append(problem(path, f"{where}.{key}", vi, en))

    if not isinstance(row, dict):
        bad("", "cần một bảng", "expected a mapping")
        return None
    rule_id = str(row.get("id", ""))
    if not _ID_RE.match(rule_id):
        bad("id", "cần mã chữ thường, số, gạch nối", "expected lower-case letters, digits, hyphens")
    if not row.get("ten"):
        bad("ten", "bắt buộc: mô tả tiếng Việt", "required: the Vietnamese description")
    kinds = row.get("kinds")
    if not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds):
        bad(
            "kinds",
            f"cần danh sách trong: {', '.join(KINDS)}",
            f"expected a list of: {', '.join(KINDS)}",
        )
        kinds = []
    metric = row.get("metric")
    if metric not in METRICS:
        bad(
            "metric",
            f"cần một trong: {', '.join(METRICS)}",
            f"expected one of: {', '.join(METRICS)}",
        )
    every = row.get("every")
    if every not in PERIOD_KINDS:
        bad(
            "every",
            f"cần một trong: {', '.join(PERIOD_KINDS)}",
            f"expected one of: {', '.join(PERIOD_KINDS)}",
        )
    minimum = row.get("min")
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
        bad("min", "cần số nguyên ≥ 1", "expected an integer ≥ 1")
    months = row.get("months") or []
    if not isinstance(months, list) or any(
        not isinstance(m, int) or isinstance(m, bool) or not 1 <= m <= 12 for m in months
    ):
        bad("months", "cần danh sách tháng 1–12", "expected a list of months 1–12")
        months = []
    per_group = row.get("per_group", False)
    if not isinstance(per_group, bool):
        bad("per_group", "cần true hoặc false", "expected true or false")
    if len(problems) > before:
        return None
    return Rule(
        id=rule_id,
        ten=nfc(str(row["ten"])),
        name=nfc(str(row.get("name", ""))),
        kinds=tuple(kinds),
        metric=str(metric),
        every=str(every),
        min=int(minimum),
        per_group=bool(per_group),
        months=tuple(months),
        source=nfc(str(row.get("source", ""))),
    )


def measure(items: Iterable[Item], metric: str) -> int:
    """The value of ``metric`` over ``items``."""
    total = 0
    for item in items:
        if metric == "posts":
            total += item.kind == "post"
        elif metric == "featured":
            total += item.kind == "post" and item.featured
        elif metric == "photos":
            total += item.photos
        elif metric == "videos":
            total += item.videos
        elif metric == "media":
            total += item.photos + item.videos
    return total


def evaluate(
    rules: Sequence[Rule], data: UnitData, period: Period, now: datetime
) -> list[QuotaResult]:
    """Every rule applying to ``data.unit``, checked over ``period`` as of ``now``.

    Group rules yield one result per group; a unit without known groups gets none.
    """
    today = to_local(now).date()
    results: list[QuotaResult] = []
    # Each item's Vietnam-time day, converted once (rules x periods x items otherwise).
    dated = [(to_local(i.date).date(), i) for i in data.items]
    for rule in rules:
        if not rule.applies_to(data.unit.kind):
            continue
        periods = [
            p
            for p in split(period, rule.every)
            if p.start <= today and (not rule.months or p.anchor().month in rule.months)
        ]
        if not periods:
            continue
        for subject in data.groups if rule.per_group else [""]:
            result = QuotaResult(data.unit.id, rule, subject)
            for p in periods:
                chosen = [
                    i
                    for day, i in dated
                    if p.start <= day <= p.end and (not subject or i.group == subject)
                ]
                actual = measure(chosen, rule.metric)
                status = "ok" if actual >= rule.min else "pending" if p.end >= today else "fail"
                result.checks.append(Check(p, actual, status))
            results.append(result)
    return results
