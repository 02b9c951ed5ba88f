"""Sharded builds for networks that outgrow one CI runner, and the build reports publish reads.

A network is cut into **top-level subtrees**: each child of a root unit (the Sở) together with
all its descendants, i.e. a portal with its schools, or a school that sits directly under the
Sở. Subtrees are spread over ``N`` shards by a stable greedy balance (largest first, ties by id,
onto the least loaded shard, ties by shard number), so a school always lands with its portal and
every runner computes the same plan from the same commit. Shard ``K`` builds only its subtrees;
the **final** step builds the units that span shards (the roots) after the shards' outputs have
been merged into one folder, so the Sở rolls up its members' feeds exactly as in an unsharded
build and the merged output is byte-identical to it.

Every ``edusite build`` also writes a small report, ``<out>/.edusite/build-<label>.json``
(``label`` = ``all``, ``shard-K-of-N`` or ``final``), recording per unit whether it built and from
which source commit. Separate files per label let CI merge the shards' folders without
clobbering each other's reports; ``edusite publish`` reads them all and keeps, per unit, the most
recent entry.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..build.worker import SiteResult
from ..structure.network import Network

REPORT_DIR = ".edusite"
REPORT_FORMAT = 1
MAX_WARNINGS = 200  # per unit in a report: enough for a summary, bounded for a hostile site
SHARED_DIR = (
    "_shared"  # mirrors edusite.core.assets.SHARED_DIR (not imported: keeps this module light)
)
#: What a build reads, relative to the network root (for the "dirty working tree" note).
BUILD_INPUTS = ("mkdocs.yml", "sites", "content", "shared-theme", "scripts", "pyproject.toml")
_SHARD_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_REPORT_RE = re.compile(r"^build-(all|final|shard-(\d+)-of-(\d+))\.json$")
#: A unit id (as ``structure.network`` requires them): one plain path segment.
_UNIT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class ShardError(ValueError):
    """A bad ``--shard`` value or an unusable shard output folder (message is ``vi / en``)."""


# -- the plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShardSpec:
    """Which part of the network one build run covers: shard ``index`` of ``count``, or final."""

    index: int  # 1-based; 0 for the final step
    count: int  # 0 for the final step

    @property
    def final(self) -> bool:
        """True for the step that builds the units spanning shards."""
        return self.index == 0

    @property
    def label(self) -> str:
        """``shard-K-of-N`` or ``final``: names the build report file."""
        return "final" if self.final else f"shard-{self.index}-of-{self.count}"

    def __str__(self) -> str:
        return "final" if self.final else f"{self.index}/{self.count}"


def parse_shard(text: str) -> ShardSpec:
    """Parse ``K/N`` (1 ≤ K ≤ N) or ``final``; raise :class:`ShardError` otherwise."""
    if text.strip().lower() == "final":
        return ShardSpec(0, 0)
    m = _SHARD_RE.match(text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ShardError(
            f"phân mảnh '{text}' không hợp lệ: cần K/N với 1 ≤ K ≤ N (ví dụ 2/3) hoặc 'final'"
            f" / invalid shard '{text}': expected K/N with 1 ≤ K ≤ N (e.g. 2/3) or 'final'"
        )
    return ShardSpec(int(m.group(1)), int(m.group(2)))


def roots(network: Network) -> list[str]:
    """Units without a parent (normally the one Sở), sorted by id."""
    return [u.id for u in network if u.parent is None]


def subtrees(network: Network) -> list[list[str]]:
    """Top-level subtrees: for each root's child, the child and all its descendants (sorted).

    Sorted by their top unit's id. Roots themselves belong to no subtree: they span shards.
    """
    out: list[list[str]] = []
    for root in roots(network):
        for child in network.children(root):
            out.append(sorted([child.id, *(d.id for d in network.descendants(child.id))]))
    return sorted(out, key=lambda tree: _top(network, tree))


def _top(network: Network, tree: list[str]) -> str:
    """The unit of ``tree`` whose parent is outside it (the subtree's top)."""
    members = set(tree)
    return next(uid for uid in tree if network[uid].parent not in members)


def partition(network: Network, count: int) -> list[list[str]]:
    """Spread the top-level subtrees over ``count`` shards; return each shard's unit ids.

    Greedy balance by unit count: subtrees largest first (ties by top id) go to the shard with
    the fewest units so far (ties to the lowest shard number). The result depends only on the
    network, so every CI job computes the same plan.
    """
    if count < 1:
        raise ShardError(
            "số phân mảnh phải ≥ 1 / the number of shards must be ≥ 1",
        )
    shards: list[list[str]] = [[] for _ in range(count)]
    trees = sorted(subtrees(network), key=lambda t: (-len(t), _top(network, t)))
    for tree in trees:
        target = min(range(count), key=lambda i: (len(shards[i]), i))
        shards[target].extend(tree)
    return [sorted(s) for s in shards]


def final_units(network: Network) -> list[str]:
    """Units the final step builds: those in no top-level subtree (the roots)."""
    inside = {uid for tree in subtrees(network) for uid in tree}
    return [u.id for u in network if u.id not in inside]


def units_for(network: Network, spec: ShardSpec, plan: ShardPlan | None = None) -> list[str]:
    """The unit ids one run builds under ``spec``, sorted (from ``plan`` when given)."""
    if spec.final:
        return final_units(network)
    if plan is not None:
        plan.check(network, spec.count)
        return sorted(plan.shards[spec.index - 1])
    return partition(network, spec.count)[spec.index - 1]


def describe_plan(network: Network, count: int, plan: ShardPlan | None = None) -> list[str]:
    """One line per shard (``K/N: n đơn vị / units: tops…``) for logs and docs."""
    lines = []
    shards = plan.shards if plan is not None else partition(network, count)
    trees = subtrees(network)
    for i, ids in enumerate(shards, start=1):
        members = set(ids)
        tops = sorted(_top(network, t) for t in trees if set(t) <= members)
        shown = ", ".join(tops[:8]) + (f", … (+{len(tops) - 8})" if len(tops) > 8 else "")
        cost = ""
        if plan is not None and plan.costs:
            cost = f", ~{sum(plan.costs.get(u, 0.0) for u in ids):.0f} s"
        lines.append(f"{i}/{count}: {len(ids)} đơn vị / units{cost} ({shown or '-'})")
    lines.append(f"final: {', '.join(final_units(network)) or '-'}")
    return lines


# -- plans balanced by measured cost ----------------------------------------------------------

PLAN_FORMAT = 1
#: In the cache folder: the measured per-unit costs every build updates, and the last plan.
COSTS_FILE = "shards/costs.json"
PLAN_FILE = "shards/plan.json"
#: Seconds of one worker to build a unit never measured: a fixed part and one per Markdown page
#: (2 cores, bench/scale.py: ~150 ms fixed per site, ~15-25 ms per page; portals also read
#: their members' feeds, reports and search records).
EST_FIXED = 0.15
EST_PAGE = 0.02
EST_MEMBER = 0.01
#: A previous plan is kept while its most loaded shard is within this factor of the best
#: balance: the shards' caches (their ``public/`` and ``.cache/``) stay valid run after run.
STICKY = 1.15


@dataclass
class ShardPlan:
    """Which units each of ``count`` shards builds, and the per-unit costs it was balanced on.

    Written by ``edusite shard plan`` (``shard-plan.json``), read by every shard job
    (``edusite build --shard K/N --plan FILE``), so all runners build the same plan even though
    only the plan job saw the previous build's measurements.
    """

    count: int
    shards: list[list[str]]
    costs: dict[str, float] = field(default_factory=dict)
    measured: int = 0  # how many units' costs were measured (the others estimated)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT,
            "count": self.count,
            "shards": [sorted(s) for s in self.shards],
            "measured": self.measured,
            "costs": {u: round(c, 3) for u, c in sorted(self.costs.items())},
        }

    @classmethod
    def from_json(cls, data: Any) -> ShardPlan:
        if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
            raise ShardError(
                "tệp kế hoạch phân mảnh không đúng định dạng / not a shard plan (format 1)"
            )
        shards = data.get("shards")
        count = data.get("count")
        if (
            not isinstance(count, int)
            or not isinstance(shards, list)
            or len(shards) != count
            or not all(isinstance(s, list) and all(isinstance(u, str) for u in s) for s in shards)
        ):
            raise ShardError("tệp kế hoạch phân mảnh hỏng / malformed shard plan")
        costs = data.get("costs") if isinstance(data.get("costs"), dict) else {}
        return cls(
            count=count,
            shards=[list(s) for s in shards],
            costs={
                str(u): float(c) for u, c in costs.items() if isinstance(c, (int, float)) and c >= 0
            },
            measured=int(data.get("measured") or 0),
        )

    def check(self, network: Network, count: int) -> None:
        """Raise :class:`ShardError` unless this plan covers ``network`` in ``count`` shards,
        whole subtrees per shard (a plan from another commit or network is refused)."""
        if count != self.count:
            raise ShardError(
                f"kế hoạch có {self.count} phân mảnh, không phải {count} / the plan has"
                f" {self.count} shards, not {count}"
            )
        owner = {u: i for i, s in enumerate(self.shards) for u in s}
        expected = {u for t in subtrees(network) for u in t}
        if set(owner) != expected or sum(map(len, self.shards)) != len(owner):
            raise ShardError(
                "kế hoạch phân mảnh không khớp mạng hiện tại (hãy chạy lại edusite shard plan)"
                " / the shard plan does not match this network (run edusite shard plan again)"
            )
        for tree in subtrees(network):
            if len({owner[u] for u in tree}) != 1:
                raise ShardError(
                    f"kế hoạch tách cây con {_top(network, tree)} / the plan splits subtree"
                    f" {_top(network, tree)}"
                )


def read_plan(path: Path) -> ShardPlan:
    """A plan file; :class:`ShardError` when missing or malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ShardError(
            f"{path}: không đọc được kế hoạch phân mảnh / cannot read the shard plan: {exc}"
        ) from exc
    return ShardPlan.from_json(data)


def write_plan(path: Path, plan: ShardPlan) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(plan.to_json(), ensure_ascii=False, indent=1) + "\n", "utf-8")
    tmp.replace(path)


def measured_costs(folders: Iterable[Path]) -> dict[str, float]:
    """Per unit, the seconds its latest real build took, from the build reports (``.edusite/``)
    in ``folders`` (output folders, their ``.edusite/`` or report files) and cost files
    (``{"costs": {unit: seconds}}``, what :func:`record_costs` keeps)."""
    found: dict[str, tuple[str, float]] = {}
    for folder in folders:
        paths: list[Path] = []
        if folder.is_file():
            paths = [folder]
        elif (folder / REPORT_DIR).is_dir():
            paths = sorted((folder / REPORT_DIR).iterdir())
        elif folder.is_dir():
            paths = sorted(folder.iterdir())
        for path in paths:
            if _REPORT_RE.match(path.name):
                for uid, entry in _load_report(path).get("sites", {}).items():
                    if not isinstance(entry, dict):
                        continue
                    sec, when = entry.get("seconds"), str(entry.get("finished", ""))
                    fresh = uid not in found or when > found[uid][0]
                    if isinstance(sec, (int, float)) and sec >= 0 and fresh:
                        found[uid] = (when, float(sec))
            elif path.suffix == ".json":
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                costs = data.get("costs") if isinstance(data, dict) else None
                if isinstance(costs, dict) and data.get("format") == PLAN_FORMAT:
                    when = str(data.get("recorded", ""))
                    for uid, sec in costs.items():
                        fresh = uid not in found or when > found[uid][0]
                        if isinstance(sec, (int, float)) and sec >= 0 and fresh:
                            found[str(uid)] = (when, float(sec))
    return {u: c for u, (_, c) in sorted(found.items())}


def record_costs(path: Path, out: Path) -> dict[str, float]:
    """Merge the measured costs of the reports in ``out`` into the cost file ``path``
    (``.cache/shards/costs.json``): what the next run's ``edusite shard plan`` balances on."""
    before = measured_costs([path]) if path.is_file() else {}
    costs = measured_costs([path, out]) if before else measured_costs([out])
    if not costs or costs == before:  # a no-op build writes nothing
        return costs
    data = {"format": PLAN_FORMAT, "recorded": _stamp(), "costs": costs}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    tmp.replace(path)
    return costs


def estimated_costs(
    network: Network, measured: dict[str, float], pages: dict[str, int] | None = None
) -> dict[str, float]:
    """Every subtree unit's cost in seconds: measured when known, else estimated from its
    Markdown pages (``pages``, counted from its content folder when not given), scaled by how
    the measured units compare with their own estimates."""
    units = [u for t in subtrees(network) for u in t]
    if pages is None:
        pages = {u: _count_pages(network, u) for u in units}

    def guess(uid: str) -> float:
        unit = network[uid]
        members = len(network.descendants(uid)) if unit.is_portal else 0
        return EST_FIXED + EST_PAGE * pages.get(uid, 0) + EST_MEMBER * members

    known = [u for u in units if u in measured]
    scale = 1.0
    if known:
        est = sum(guess(u) for u in known)
        scale = sum(measured[u] for u in known) / est if est > 0 else 1.0
    return {u: measured[u] if u in measured else guess(u) * scale for u in units}


def _count_pages(network: Network, uid: str) -> int:
    """Markdown files below the unit's content folder (without reading them)."""
    import os

    try:
        folder = network.content_dir(network[uid])
    except Exception:  # noqa: BLE001 - a unit without a readable folder costs the fixed part
        return 0
    count = 0
    for _dirpath, _dirs, names in os.walk(folder):
        count += sum(1 for n in names if n.endswith(".md"))
    return count


def balance(
    network: Network,
    count: int,
    costs: dict[str, float],
    previous: ShardPlan | None = None,
    sticky: float = STICKY,
) -> list[list[str]]:
    """Spread whole subtrees over ``count`` shards so the most loaded one costs the least.

    Longest processing time first: subtrees by cost (largest first, ties by top id) onto the
    shard with the lowest total cost (ties to the lowest number); deterministic. A ``previous``
    plan with the same ``count`` is kept (its subtrees where they were, new subtrees added by
    the same rule) while its most loaded shard stays within ``sticky`` times the fresh
    balance's: the shards' caches then stay valid.
    """
    if count < 1:
        raise ShardError("số phân mảnh phải ≥ 1 / the number of shards must be ≥ 1")
    trees = subtrees(network)
    tree_cost = {_top(network, t): sum(costs.get(u, 0.0) for u in t) for t in trees}
    by_top = {_top(network, t): t for t in trees}
    order = sorted(by_top, key=lambda top: (-tree_cost[top], top))

    def place(shards: list[list[str]], loads: list[float], tops: list[str]) -> None:
        for top in tops:
            i = min(range(count), key=lambda k: (loads[k], k))
            shards[i].extend(by_top[top])
            loads[i] += tree_cost[top]

    fresh: list[list[str]] = [[] for _ in range(count)]
    fresh_loads = [0.0] * count
    place(fresh, fresh_loads, order)
    if previous is not None and previous.count == count:
        owner = {u: i for i, s in enumerate(previous.shards) for u in s}
        kept: list[list[str]] = [[] for _ in range(count)]
        loads = [0.0] * count
        new = []
        for top in order:
            where = {owner.get(u) for u in by_top[top]}
            if len(where) == 1 and None not in where:
                (i,) = where
                kept[i].extend(by_top[top])
                loads[i] += tree_cost[top]
            else:
                new.append(top)
        place(kept, loads, new)
        if max(loads) <= sticky * max(fresh_loads) + 1e-9:
            return [sorted(s) for s in kept]
    return [sorted(s) for s in fresh]


def choose_count(total: float, *, jobs: int, budget: float, trees: int, most: int = 64) -> int:
    """Shards needed so each finishes within ``budget`` seconds of wall time with ``jobs``
    workers, for ``total`` seconds of work (at most one per subtree, at most ``most``)."""
    import math

    need = math.ceil(total / max(jobs, 1) / max(budget, 0.001)) if total > 0 else 1
    return max(1, min(need, trees or 1, most))


def make_plan(
    network: Network,
    *,
    count: int | None = None,
    measured: dict[str, float] | None = None,
    previous: ShardPlan | None = None,
    jobs: int = 4,
    budget: float = 600.0,
    most: int = 64,
) -> ShardPlan:
    """A plan for ``network``: ``count`` shards (default: :func:`choose_count` from the costs),
    balanced by cost (:func:`balance`)."""
    measured = measured or {}
    costs = estimated_costs(network, measured)
    if count is None:
        count = choose_count(
            sum(costs.values()), jobs=jobs, budget=budget, trees=len(subtrees(network)), most=most
        )
    shards = balance(network, count, costs, previous)
    return ShardPlan(
        count=count,
        shards=shards,
        costs=costs,
        measured=sum(1 for u in costs if u in measured),
    )


# -- build reports --------------------------------------------------------------------------


def source_info(root: Path) -> dict[str, Any]:
    """The source commit a build runs from: ``{"commit": sha or None, "dirty": bool or None}``.

    ``dirty`` is true when ``git status`` lists a change (tracked or untracked, ignored files
    excluded) in what the build reads (configs, content, theme, package code), so a publish can
    say the output does not exactly match the named commit. CI leftovers elsewhere (downloaded
    shard outputs, reports) do not count.
    """

    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=False
            )
        except OSError:  # git not installed
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    commit = git("rev-parse", "--verify", "-q", "HEAD")
    if not commit:
        return {"commit": None, "dirty": None}
    inputs = [p for p in BUILD_INPUTS if (root / p).exists()]
    status = git("status", "--porcelain", "--", *inputs) if inputs else ""
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def _stamp() -> str:
    """Wall-clock UTC time with microseconds, fixed width so strings sort in time order."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def report_path(out: Path, label: str) -> Path:
    """``<out>/.edusite/build-<label>.json``."""
    return out / REPORT_DIR / f"build-{label}.json"


def write_build_report(
    out: Path,
    results: Iterable[SiteResult],
    *,
    label: str = "all",
    source: dict[str, Any] | None = None,
) -> Path:
    """Record ``results`` in ``<out>/.edusite/build-<label>.json`` and return its path.

    The ``all`` report keeps earlier entries of units not built this time (``edusite build
    th-a`` must not forget the others); a shard or final report holds exactly this run's units,
    so a report copied from a cached folder never speaks for units another shard now owns.

    From the previous report of the same label, a failed unit inherits ``last_ok`` (when and
    from which commit the output the builder kept in ``<out>/<id>/`` was built) and an
    unchanged (skipped) unit its warnings.
    """
    path = report_path(out, label)
    previous: dict[str, Any] = dict(_load_report(path).get("sites", {}))
    sites: dict[str, Any] = dict(previous) if label == "all" else {}
    finished = _stamp()
    for r in results:
        before = previous.get(r.unit_id)
        before = before if isinstance(before, dict) else {}
        warnings = list(r.warnings)
        if r.skipped and before.get("ok") is True:  # unchanged inputs: the same warnings hold
            warnings = [str(w) for w in before.get("warnings") or []]
        seconds = r.seconds if not r.skipped else before.get("seconds")
        entry: dict[str, Any] = {
            "ok": r.ok,
            "skipped": r.skipped,
            "errors": list(r.errors),
            "warnings": warnings[:MAX_WARNINGS],
            "finished": finished,
            "source": dict(source or {}),
        }
        if isinstance(seconds, (int, float)) and r.ok:  # the measured cost of a real build
            entry["seconds"] = round(float(seconds), 3)
        if not r.ok:  # the output left in <out>/<id>/ is the last good build's: say which
            if before.get("ok") is True:
                entry["last_ok"] = {
                    "finished": before.get("finished"),
                    "source": before.get("source") or {},
                }
            elif isinstance(before.get("last_ok"), dict):
                entry["last_ok"] = before["last_ok"]
        sites[r.unit_id] = entry
    data = {"format": REPORT_FORMAT, "label": label, "sites": dict(sorted(sites.items()))}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _load_report(path: Path) -> dict[str, Any]:
    """A report's data, or ``{}`` when missing, unreadable or of another format."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != REPORT_FORMAT:
        return {}
    if not isinstance(data.get("sites"), dict):
        return {}
    return data


@dataclass
class SiteStatus:
    """The latest recorded build of one unit."""

    unit_id: str
    ok: bool
    finished: str
    label: str
    errors: list[str] = field(default_factory=list)
    commit: str | None = None
    dirty: bool | None = None
    warnings: list[str] = field(default_factory=list)
    last_ok: str | None = None  # failed: when the output kept in <out>/<id>/ was built
    last_ok_commit: str | None = None


def read_build_status(out: Path) -> dict[str, SiteStatus]:
    """Per unit, the most recent entry among all build reports in ``<out>/.edusite/``."""
    latest: dict[str, SiteStatus] = {}
    folder = out / REPORT_DIR
    if not folder.is_dir():
        return latest
    for path in sorted(folder.iterdir()):
        if not _REPORT_RE.match(path.name):
            continue
        data = _load_report(path)
        label = str(data.get("label", path.stem))
        for uid, entry in data.get("sites", {}).items():
            if not isinstance(entry, dict):
                continue
            source = entry.get("source") if isinstance(entry.get("source"), dict) else {}
            last_ok = entry.get("last_ok") if isinstance(entry.get("last_ok"), dict) else {}
            last_source = last_ok.get("source") if isinstance(last_ok.get("source"), dict) else {}
            status = SiteStatus(
                unit_id=uid,
                ok=entry.get("ok") is True,
                finished=str(entry.get("finished", "")),
                label=label,
                errors=[str(e) for e in entry.get("errors") or []],
                commit=source.get("commit"),
                dirty=source.get("dirty"),
                warnings=[str(w) for w in entry.get("warnings") or []],
                last_ok=str(last_ok["finished"]) if last_ok.get("finished") else None,
                last_ok_commit=last_source.get("commit"),
            )
            if uid not in latest or status.finished > latest[uid].finished:
                latest[uid] = status
    return latest


# -- merging shard outputs --------------------------------------------------------------------


def _link_or_copy(src: str, dst: str) -> str:
    """Hard-link a shard's file into the merged output (copy across file systems). The build
    never writes into a site's files in place (it swaps whole folders), so sharing is safe."""
    import os

    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


@dataclass
class MergeSummary:
    """What :func:`merge_outputs` did: shards found, units copied, shards missing."""

    shards: list[str] = field(default_factory=list)  # labels
    units: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "K/N" of shards not found


def shard_folders(paths: Iterable[Path]) -> list[Path]:
    """Expand ``paths``: a shard output folder stays, a folder of shard outputs gives its children."""
    found: list[Path] = []
    for path in paths:
        if _shard_reports(path):
            found.append(path)
        elif path.is_dir():
            found += [p for p in sorted(path.iterdir()) if p.is_dir() and _shard_reports(p)]
    return found


def _shard_reports(folder: Path) -> list[tuple[Path, int, int]]:
    """``(report, K, N)`` of the shard reports in ``folder/.edusite/``."""
    reports = []
    if (folder / REPORT_DIR).is_dir():
        for path in sorted((folder / REPORT_DIR).iterdir()):
            m = _REPORT_RE.match(path.name)
            if m and m.group(2):
                reports.append((path, int(m.group(2)), int(m.group(3))))
    return reports


def merge_outputs(
    sources: Iterable[Path], dest: Path, units: Collection[str] | None = None
) -> MergeSummary:
    """Copy the shards' outputs into ``dest`` (the final step's ``--out``).

    From each shard folder only the units its report lists are copied (each replaces the whole
    ``dest/<id>/``), plus its report and the shared theme assets, so a stale site left in a shard's
    cached folder never overwrites the fresh one built by the shard that owns it now. Raises
    :class:`ShardError` when a folder holds no shard report or two folders claim the same shard.

    Shard outputs come from CI artifacts: every one is checked before ``dest`` is touched, and
    refused (:class:`ShardError`) when its report names something that is not a unit id (of
    ``units``, the network's, when given: ``..``, ``/abs``, ``.edusite`` would make ``dest/<id>``
    a folder outside or inside edusite's own) or when it holds a symbolic link (a copy would
    publish what it points at).
    """
    sources = list(sources)
    summary = MergeSummary()
    seen: dict[str, Path] = {}
    counts: set[int] = set()
    folders = shard_folders(sources)
    for given in sources:
        if not any(f == given or f.parent == given for f in folders):
            raise ShardError(
                f"{given}: không có kết quả phân mảnh (.edusite/build-shard-K-of-N.json)"
                f" / no shard output found (.edusite/build-shard-K-of-N.json)"
            )
    plan: list[tuple[Path, Path, str, list[str]]] = []  # folder, report, label, unit ids
    for folder in folders:
        for report, k, n in _shard_reports(folder):
            label = f"shard-{k}-of-{n}"
            if label in seen:
                raise ShardError(
                    f"phân mảnh {k}/{n} xuất hiện hai lần: {seen[label]} và {folder}"
                    f" / shard {k}/{n} appears twice: {seen[label]} and {folder}"
                )
            seen[label] = folder
            counts.add(n)
            uids = sorted(_load_report(report).get("sites", {}))
            for uid in uids:
                if not _UNIT_ID.fullmatch(uid) or (units is not None and uid not in units):
                    raise ShardError(
                        f"{report}: {uid!r} không phải mã đơn vị của mạng / is not a unit id"
                        " of this network"
                    )
            _refuse_links(folder, [report, *(folder / uid for uid in uids)])
            plan.append((folder, report, label, uids))
        _refuse_links(folder, [folder / SHARED_DIR])
    dest.mkdir(parents=True, exist_ok=True)
    for folder, report, label, uids in plan:
        for uid in uids:
            target = dest / uid
            if target.exists():
                shutil.rmtree(target)
            if (folder / uid).is_dir():  # hard links: 3,000 sites merge in seconds
                shutil.copytree(folder / uid, target, copy_function=_link_or_copy)
            summary.units.append(uid)
        (dest / REPORT_DIR).mkdir(exist_ok=True)
        shutil.copyfile(report, dest / REPORT_DIR / report.name)
        summary.shards.append(label)
    for folder in folders:
        shared = folder / SHARED_DIR
        if shared.is_dir():
            for digest in sorted(shared.iterdir()):  # content-hashed: same name, same bytes
                if digest.is_dir() and not (dest / SHARED_DIR / digest.name).exists():
                    shutil.copytree(digest, dest / SHARED_DIR / digest.name)
    for n in sorted(counts):
        summary.missing += [f"{k}/{n}" for k in range(1, n + 1) if f"shard-{k}-of-{n}" not in seen]
    summary.units.sort()
    return summary


def _refuse_links(folder: Path, paths: Iterable[Path]) -> None:
    """Raise :class:`ShardError` when ``folder``'s ``.edusite/`` or any of ``paths`` is, or holds,
    a symbolic link (a built output never does: the build refuses them)."""
    from ..security.confine import find_symlinks

    for path in [folder / REPORT_DIR, *paths]:
        links = [path] if path.is_symlink() else find_symlinks(path) if path.is_dir() else []
        if links:
            raise ShardError(
                f"{folder}: kết quả phân mảnh có liên kết tượng trưng, không được gộp / the shard"
                f" output holds a symbolic link and is refused: {links[0]}"
            )
