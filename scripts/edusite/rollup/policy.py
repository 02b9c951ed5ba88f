"""A portal's roll-up policy (``extra.unit.rollup``) and the feeds it implies.

Portals read **leaf feeds** only: each in-repo descendant's own feed, never another portal's
roll-up, so a school's post reaching the Sở through its district is read once, from the school.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import EdusiteError, Problem, problem
from ..structure.network import Network, Unit
from ..text import nfc
from .model import Source

POLICIES = {
    "all": ("mọi tin của các đơn vị trực thuộc", "all news of every member below the portal"),
    "featured": (
        "tin tiêu biểu của mọi đơn vị trực thuộc và mọi tin riêng của các cổng thành viên",
        "featured news of every member plus all own news of member portals",
    ),
}
KEYS = ("policy", "limit", "per_unit_limit", "max_age_days", "remote")
DEFAULT_LIMIT = 60
MAX_LIMIT = 1000
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class RemoteMember:
    """An out-of-repo member: a site we only know by its feed URL."""

    id: str
    name: str
    feed: str
    site_url: str = ""


@dataclass(frozen=True)
class RollupPolicy:
    """A portal's validated roll-up settings."""

    policy: str  # "all" or "featured"
    limit: int = DEFAULT_LIMIT
    per_unit_limit: int | None = None
    max_age_days: int | None = None
    remote: tuple[RemoteMember, ...] = ()


def default_policy(unit: Unit) -> str:
    """The Sở takes featured news by default; other portals all news of their members."""
    return "featured" if unit.kind == "so" else "all"


def check_policy(unit: Unit) -> tuple[RollupPolicy, list[Problem]]:
    """Validate ``unit.rollup``; return the policy (defaults where invalid) and every problem.

    Errors name ``extra.unit.rollup.<key>`` and the unit's config file; unknown keys are warnings.
    """
    cfg: dict[str, Any] = dict(unit.rollup)
    problems: list[Problem] = []

    def bad(key: str, vi: str, en: str, severity: str = "error") -> None:
        fld = f"extra.unit.rollup.{key}" if key else "extra.unit.rollup"
        problems.append(problem(unit.config_file, fld, vi, en, severity))

    if cfg and not unit.is_portal:
        bad(
            "",
            f"chỉ cổng thông tin (so, portal) mới tổng hợp tin; đơn vị loại '{unit.kind}' bỏ qua mục này",
            f"only portals (so, portal) roll news up; ignored for a '{unit.kind}'",
            "warning",
        )
    for key in sorted(str(k) for k in set(cfg) - set(KEYS)):  # YAML keys may be numbers
        bad(
            key,
            f"khóa không được hỗ trợ; các khóa hợp lệ: {', '.join(KEYS)}",
            f"unknown key; expected one of: {', '.join(KEYS)}",
            "warning",
        )
    policy = cfg.get("policy", default_policy(unit))
    if not isinstance(policy, str) or policy not in POLICIES:  # a list is not even hashable
        bad(
            "policy",
            f"chính sách '{policy}' không hợp lệ; chọn một trong: {', '.join(POLICIES)}",
            f"unknown policy '{policy}'; expected one of: {', '.join(POLICIES)}",
        )
        policy = default_policy(unit)

    def number(key: str, low: int, high: int, default: int | None) -> int | None:
        value = cfg.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            bad(
                key,
                f"phải là số nguyên từ {low} đến {high} (đang là {value!r})",
                f"must be a whole number from {low} to {high} (got {value!r})",
            )
            return default
        return value

    limit = number("limit", 1, MAX_LIMIT, DEFAULT_LIMIT) or DEFAULT_LIMIT
    per_unit = number("per_unit_limit", 1, limit, None)
    max_age = number("max_age_days", 1, 36_500, None)
    remote = _remote_members(cfg.get("remote"), bad)
    return RollupPolicy(str(policy), limit, per_unit, max_age, tuple(remote)), problems


def _remote_members(value: Any, bad: Any) -> list[RemoteMember]:
    """Validate the ``remote`` list, reporting through ``bad(key, vi, en)``."""
    if value is None:
        return []
    if not isinstance(value, list):
        bad(
            "remote",
            "phải là danh sách các đơn vị (id, name, feed)",
            "must be a list of members (id, name, feed)",
        )
        return []
    out: list[RemoteMember] = []
    seen: set[str] = set()
    for i, entry in enumerate(value):
        where = f"remote[{i}]"
        if not isinstance(entry, dict):
            bad(where, "phải là một bảng (id, name, feed)", "must be a mapping (id, name, feed)")
            continue
        rid = nfc(str(entry.get("id") or "")).strip()
        name = entry.get("name")
        name = "" if isinstance(name, (dict, list)) else nfc(str(name or "")).strip()
        feed = str(entry.get("feed") or "").strip()
        site = str(entry.get("site_url") or "").strip()
        ok = True
        if not _ID_RE.match(rid):
            bad(
                f"{where}.id",
                "bắt buộc: mã đơn vị (chữ thường, số, gạch nối)",
                "required: member id (lower-case letters, digits, hyphens)",
            )
            ok = False
        elif rid in seen:
            bad(f"{where}.id", f"mã '{rid}' bị trùng", f"duplicate id '{rid}'")
            ok = False
        if not name:
            bad(f"{where}.name", "bắt buộc: tên đơn vị", "required: the member's name")
            ok = False
        if not _is_http_url(feed):
            bad(
                f"{where}.feed",
                f"bắt buộc: địa chỉ http(s) đầy đủ của nguồn tin (đang là {feed!r})",
                f"required: the feed's full http(s) URL (got {feed!r})",
            )
            ok = False
        if site and not _is_http_url(site):
            bad(
                f"{where}.site_url",
                f"phải là địa chỉ http(s) đầy đủ (đang là {site!r})",
                f"must be a full http(s) URL (got {site!r})",
            )
            site = ""
        for key in sorted(str(k) for k in set(entry) - {"id", "name", "feed", "site_url"}):
            bad(
                f"{where}.{key}",
                "khóa không được hỗ trợ; các khóa hợp lệ: id, name, feed, site_url",
                "unknown key; expected one of: id, name, feed, site_url",
                "warning",
            )
        if ok:
            seen.add(rid)
            out.append(RemoteMember(rid, name, feed, site))
    return out


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def check_policies(units: Iterable[Unit]) -> list[Problem]:
    """Every portal's roll-up policy, checked when the network is loaded (``edusite build`` and
    the other commands pass this to :func:`~edusite.structure.network.get_network`): an invalid
    policy is a network error, reported with all the others before anything builds, instead of
    stopping the portal's build. Errors only (the portal's build warns about unknown keys);
    for a unit that is not a portal, the warning that its ``rollup`` is ignored."""
    out: list[Problem] = []
    for unit in sorted(units, key=lambda u: u.id):
        if not unit.rollup:
            continue  # the defaults are valid
        found = check_policy(unit)[1]
        if unit.is_portal:
            out += [p for p in found if p.severity == "error"]
        else:
            out += [p for p in found if p.field == "extra.unit.rollup"]
    return out


def get_policy(unit: Unit) -> RollupPolicy:
    """The validated policy of portal ``unit``; raises :class:`EdusiteError` listing every error."""
    policy, problems = check_policy(unit)
    errors = [p for p in problems if p.severity == "error"]
    if not unit.is_portal:
        errors.insert(
            0,
            problem(
                unit.config_file,
                "extra.unit.kind",
                f"'{unit.id}' không phải cổng thông tin nên không tổng hợp tin",
                f"'{unit.id}' is not a portal, so it has no roll-up",
            ),
        )
    if errors:
        raise EdusiteError(errors)
    return policy


def feed_sources(
    network: Network, portal_id: str, output_root: Path, policy: RollupPolicy
) -> list[Source]:
    """Every feed the portal reads, in a fixed order: in-repo descendants, then remote members.

    ``all``: each descendant's ``feed.xml``. ``featured``: each descendant school or centre's
    ``featured.xml``, and each descendant portal's ``feed.xml`` (its own news, not its roll-up).
    """
    sources: list[Source] = []
    for unit in network.descendants(portal_id):
        featured = policy.policy == "featured" and not unit.is_portal
        name = "featured" if featured else "feed"
        sources.append(
            Source(
                key=f"{unit.id}.{name}",
                kind="local",
                unit_id=unit.id,
                unit_name=unit.name,
                url=f"{unit.site_url}{name}.xml",
                site_url=unit.site_url,
                path=output_root / unit.id / f"{name}.xml",
                featured=True if featured else None,
            )
        )
    for member in policy.remote:
        sources.append(
            Source(
                key=f"remote.{member.id}",
                kind="remote",
                unit_id=member.id,
                unit_name=member.name,
                url=member.feed,
                site_url=member.site_url,
            )
        )
    return sources


def inputs(network: Network, portal_id: str, output_root: Path) -> list[Path]:
    """The in-repo feed files the portal's roll-up reads (some may not exist yet).

    The build cache hashes them: the roll-up must be redone when any of them changes.
    """
    policy = get_policy(network[portal_id])
    return [s.path for s in feed_sources(network, portal_id, output_root, policy) if s.path]
