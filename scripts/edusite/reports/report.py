"""A communication report: what each unit published in a period, and its quotas.

Counting rules: a post counts when it is not a draft, is dated inside the period (its local
date in Asia/Ho_Chi_Minh) and not after "now"; photos and videos as in
:mod:`edusite.reports.collect`; quotas as in :mod:`edusite.reports.quotas`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ..errors import EdusiteError, Problem, problem
from ..structure.network import Network, Unit
from ..text import now as current_time
from .collect import UnitData, categories_for, collect_unit
from .periods import Period
from .quotas import PERIOD_NAMES, QuotaResult, Rule, evaluate, load_rules, measure, quotas_file

#: Label of posts that name no tổ/đoàn thể.
NO_GROUP = "(chưa ghi tổ/đoàn thể)"


@dataclass
class UnitReport:
    """One unit's counts over the period and its quota results."""

    unit: Unit
    posts: int = 0
    featured: int = 0
    photos: int = 0
    videos: int = 0
    by_group: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    quotas: list[QuotaResult] = field(default_factory=list)

    def quota_count(self, status: str) -> int:
        """How many quota results have ``status`` (``ok``, ``fail``, ``pending``)."""
        return sum(1 for q in self.quotas if q.status == status)

    @property
    def failed(self) -> list[QuotaResult]:
        return [q for q in self.quotas if q.status == "fail"]

    def missed_by_rule(self) -> list[str]:
        """One line per missed rule: ``Mỗi tổ…: Tổ Toán đạt 2/3, Công đoàn đạt 0/3 tháng``."""
        parts: dict[Rule, list[str]] = {}
        for q in self.failed:
            who = f"{q.subject} " if q.subject else ""
            parts.setdefault(q.rule, []).append(f"{who}đạt {q.met}/{len(q.checks)}")
        return [
            f"{rule.ten}: {', '.join(found)} {PERIOD_NAMES[rule.every]}"
            for rule, found in parts.items()
        ]


@dataclass
class Report:
    """The whole report: one row per unit, in network order."""

    period: Period
    now: datetime
    units: list[UnitReport]
    categories: dict[str, str]
    rules: list[Rule]
    problems: list[Problem] = field(default_factory=list)


def select_units(network: Network, ids: Sequence[str] = ()) -> list[Unit]:
    """Units to report on: each id and, for a portal, its descendants; all units by default.

    The order follows the tree (a unit, then its members depth-first); unknown ids raise an
    :class:`EdusiteError`.
    """
    unknown = [i for i in ids if i not in network]
    if unknown:
        raise EdusiteError(
            [problem("--", None, f"không có đơn vị '{i}'", f"unknown unit '{i}'") for i in unknown]
        )
    roots = list(ids) or [u.id for u in network if u.parent is None or u.parent not in network]
    chosen: dict[str, Unit] = {}
    for uid in roots:
        unit = network[uid]
        members = network.descendants(uid) if unit.is_portal or not ids else []
        for u in [unit, *members]:
            chosen.setdefault(u.id, u)
    return list(chosen.values())


def unit_report(data: UnitData, period: Period, rules: Sequence[Rule], now: datetime) -> UnitReport:
    """Count ``data``'s items inside ``period`` and evaluate the rules."""
    items = [i for i in data.items if period.contains(i.date)]
    posts = [i for i in items if i.kind == "post"]
    groups: Counter[str] = Counter(i.group or NO_GROUP for i in posts)
    by_group = {g: groups.get(g, 0) for g in data.groups}
    by_group.update({g: n for g, n in sorted(groups.items()) if g not in by_group})
    categories: Counter[str] = Counter(c for i in posts for c in i.categories)
    return UnitReport(
        unit=data.unit,
        posts=len(posts),
        featured=measure(items, "featured"),
        photos=measure(items, "photos"),
        videos=measure(items, "videos"),
        by_group=by_group,
        by_category=dict(categories),
        quotas=evaluate(rules, data, period, now),
    )


def make_reports(
    network: Network,
    periods: Sequence[Period],
    ids: Sequence[str] = (),
    *,
    now: datetime | None = None,
    rules: Sequence[Rule] | None = None,
    memo_dir: Path | None = None,
) -> list[Report]:
    """Read the chosen units' content once and build one report per period.

    ``now`` defaults to :func:`edusite.text.now` (``EDUSITE_NOW`` pins it); ``rules`` to the
    network's quota file; ``memo_dir`` keeps what each unit's files gave between runs (see
    :func:`edusite.reports.collect.collect_unit`).
    """
    moment = now or current_time()
    rule_list = list(rules) if rules is not None else load_rules(quotas_file(network))
    # Weeks reach up to six days beyond a period: read the neighbouring years' folders too.
    first = min(p.start for p in periods) - timedelta(days=7)
    last = max(p.end for p in periods) + timedelta(days=7)
    years = range(first.year, last.year + 1)
    categories: dict[str, str] = {}
    problems: list[Problem] = []
    collected: list[UnitData] = []
    for unit in select_units(network, ids):
        cats = categories_for(network, unit)
        for slug, name in cats.items():
            categories.setdefault(slug, name)
        try:
            data = collect_unit(
                network, unit, now=moment, years=years, categories=cats, memo_dir=memo_dir
            )
        except Exception as exc:  # noqa: BLE001 - one member's failure must not stop the report
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
            data = UnitData(unit)
            data.problems.append(
                problem(
                    network.content_dir(unit),
                    None,
                    f"không đọc được nội dung của đơn vị, bỏ qua ({detail})",
                    f"cannot read the unit's content, skipped ({detail})",
                )
            )
        problems += data.problems
        collected.append(data)
    return [
        Report(
            period,
            moment,
            [unit_report(d, period, rule_list, moment) for d in collected],
            categories,
            rule_list,
            problems,
        )
        for period in periods
    ]


def make_report(
    network: Network,
    period: Period,
    ids: Sequence[str] = (),
    *,
    now: datetime | None = None,
    rules: Sequence[Rule] | None = None,
    memo_dir: Path | None = None,
) -> Report:
    """The report of one period (see :func:`make_reports`)."""
    return make_reports(network, [period], ids, now=now, rules=rules, memo_dir=memo_dir)[0]
