"""The network model: every unit (Sở, portal, school, centre) and how they nest.

Each unit lives in ``sites/<id>/mkdocs.yml`` under ``extra.unit``; the base ``mkdocs.yml``
holds network-wide settings under ``extra.network``. :func:`get_network` reads and validates them
all without importing MkDocs, collecting every problem before raising.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import EdusiteError, Problem, problem
from ..text import nfc
from ..yamlio import load_yaml_file

KINDS = {
    "so": "Sở Giáo dục và Đào tạo",
    "portal": "Cổng thông tin (Phòng GDĐT, xã, phường)",
    "school": "Trường học",
    "center": "Trung tâm (GDNN-GDTX)",
}
LEVELS = {
    "mam-non": "Mầm non",
    "tieu-hoc": "Tiểu học",
    "thcs": "Trung học cơ sở",
    "thpt": "Trung học phổ thông",
    "lien-cap": "Liên cấp",
    "gdtx": "Giáo dục thường xuyên",
}
#: Which kinds may be the parent of each kind.
ALLOWED_PARENTS = {
    "so": set(),
    "portal": {"so", "portal"},
    "school": {"so", "portal"},
    "center": {"so", "portal"},
}


@dataclass
class Unit:
    """One unit of the network and its public identity."""

    id: str
    name: str
    kind: str
    config_file: Path
    site_url: str
    short_name: str = ""
    level: str | None = None
    levels: list[str] = field(default_factory=list)
    parent: str | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    editor: dict[str, str] = field(default_factory=dict)
    social: dict[str, str] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    rollup: dict[str, Any] = field(default_factory=dict)
    docs_dir: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_portal(self) -> bool:
        """True for units that aggregate others (the Sở and intermediate portals)."""
        return self.kind in ("so", "portal")

    @property
    def school_levels(self) -> list[str]:
        """The levels the unit teaches; a liên cấp school lists its own, others give one."""
        if self.level == "lien-cap":
            return list(self.levels)
        return [self.level] if self.level else []

    def to_context(self) -> dict[str, Any]:
        """Plain data for templates and JSON."""
        return {
            "id": self.id,
            "name": self.name,
            "short_name": self.short_name or self.name,
            "kind": self.kind,
            "kind_name": KINDS[self.kind],
            "level": self.level,
            "level_name": LEVELS.get(self.level or "", ""),
            "levels": self.school_levels,
            "parent": self.parent,
            "site_url": self.site_url,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
            "editor": dict(self.editor),
            "social": dict(self.social),
        }


@dataclass
class Network:
    """All units of one repository, validated: ids unique, parents exist, no cycles."""

    root: Path
    units: dict[str, Unit]
    settings: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units[k] for k in sorted(self.units))

    def __getitem__(self, unit_id: str) -> Unit:
        return self.units[unit_id]

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.units

    def content_dir(self, unit: Unit) -> Path:
        """The unit's content folder: its ``docs_dir``, else ``<root>/content/<id>``."""
        return unit.docs_dir or self.root / "content" / unit.id

    def children(self, unit_id: str) -> list[Unit]:
        """Direct members of ``unit_id``, sorted by id."""
        return [u for u in self if u.parent == unit_id]

    def descendants(self, unit_id: str) -> list[Unit]:
        """All units below ``unit_id``, depth-first, children sorted by id."""
        out: list[Unit] = []
        for child in self.children(unit_id):
            out.append(child)
            out.extend(self.descendants(child.id))
        return out

    def ancestors(self, unit_id: str) -> list[Unit]:
        """Parent, grandparent, … up to the root."""
        out: list[Unit] = []
        cur = self.units[unit_id].parent
        while cur is not None and cur in self.units:
            out.append(self.units[cur])
            cur = self.units[cur].parent
        return out

    def root_unit(self, unit_id: str) -> Unit:
        """The top of ``unit_id``'s tree (normally the Sở)."""
        chain = self.ancestors(unit_id)
        return chain[-1] if chain else self.units[unit_id]

    def build_order(self, ids: Iterable[str] | None = None) -> list[str]:
        """Ids in an order where every unit comes after all its descendants (children first)."""
        wanted = set(self.units if ids is None else ids)
        depth = {u.id: len(self.ancestors(u.id)) for u in self}
        return sorted(wanted, key=lambda i: (-depth[i], i))


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return nfc(str(value)).strip() if value is not None else ""


def load_unit(config_file: Path) -> tuple[Unit | None, list[Problem]]:
    """Read one ``sites/<id>/mkdocs.yml`` and return its unit and the problems found."""
    problems: list[Problem] = []
    try:
        cfg = load_yaml_file(config_file) or {}
    except EdusiteError as exc:
        return None, exc.problems
    if not isinstance(cfg, dict):
        return None, [problem(config_file, None, "phải là một bảng YAML", "must be a YAML mapping")]
    data = (cfg.get("extra") or {}).get("unit")
    if not isinstance(data, dict):
        return None, [
            problem(
                config_file,
                "extra.unit",
                "thiếu thông tin đơn vị (id, name, kind, …)",
                "missing the unit identity (id, name, kind, …)",
            )
        ]

    def need(key: str, vi: str, en: str) -> str:
        value = _str(data, key)
        if not value:
            problems.append(
                problem(config_file, f"extra.unit.{key}", f"bắt buộc: {vi}", f"required: {en}")
            )
        return value

    uid = need(
        "id",
        "mã đơn vị (chữ thường, số, gạch nối)",
        "unit id (lower-case letters, digits, hyphens)",
    )
    folder = config_file.parent.name
    if uid and uid != folder:
        problems.append(
            problem(
                config_file,
                "extra.unit.id",
                f"mã '{uid}' phải trùng tên thư mục '{folder}'",
                f"id '{uid}' must equal the folder name '{folder}'",
            )
        )
    name = need("name", "tên đầy đủ của đơn vị", "the unit's full name")
    kind = need("kind", "loại đơn vị: " + ", ".join(KINDS), "unit kind: " + ", ".join(KINDS))
    if kind and kind not in KINDS:
        problems.append(
            problem(
                config_file,
                "extra.unit.kind",
                f"loại '{kind}' không hợp lệ; chọn một trong: {', '.join(KINDS)}",
                f"unknown kind '{kind}'; expected one of: {', '.join(KINDS)}",
            )
        )
    level = _str(data, "level") or ("gdtx" if kind == "center" else None)
    if kind in ("school", "center") and not level:
        problems.append(
            problem(
                config_file,
                "extra.unit.level",
                "trường học cần cấp học: " + ", ".join(LEVELS),
                "a school needs a level: " + ", ".join(LEVELS),
            )
        )
    if level and level not in LEVELS:
        problems.append(
            problem(
                config_file,
                "extra.unit.level",
                f"cấp học '{level}' không hợp lệ; chọn một trong: {', '.join(LEVELS)}",
                f"unknown level '{level}'; expected one of: {', '.join(LEVELS)}",
            )
        )
    levels = [str(x) for x in data.get("levels") or []]
    if level == "lien-cap":
        bad = [x for x in levels if x not in LEVELS or x == "lien-cap"]
        if len(levels) < 2 or bad:
            problems.append(
                problem(
                    config_file,
                    "extra.unit.levels",
                    "trường liên cấp cần ít nhất hai cấp học, ví dụ [tieu-hoc, thcs]",
                    "a lien-cap school needs at least two levels, e.g. [tieu-hoc, thcs]",
                )
            )
    site_url = _str(cfg, "site_url")
    if not site_url:
        problems.append(
            problem(
                config_file, "site_url", "bắt buộc: địa chỉ trang web", "required: the site's URL"
            )
        )
    elif not site_url.endswith("/"):
        site_url += "/"
    parent = _str(data, "parent") or None
    docs_dir = cfg.get("docs_dir")
    for key in ("editor", "social", "rollup"):
        if data.get(key) is not None and not isinstance(data.get(key), dict):
            problems.append(
                problem(config_file, f"extra.unit.{key}", "phải là một bảng", "must be a mapping")
            )
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        problems.append(
            problem(config_file, "extra.unit.groups", "phải là danh sách", "must be a list")
        )
        groups = []
    unit = Unit(
        id=uid,
        name=name,
        kind=kind,
        config_file=config_file,
        site_url=site_url,
        short_name=_str(data, "short_name"),
        level=level,
        levels=levels,
        parent=parent,
        address=_str(data, "address"),
        phone=_str(data, "phone"),
        email=_str(data, "email"),
        editor={k: nfc(str(v)) for k, v in (data.get("editor") or {}).items()}
        if isinstance(data.get("editor"), dict)
        else {},
        social={k: str(v) for k, v in (data.get("social") or {}).items()}
        if isinstance(data.get("social"), dict)
        else {},
        groups=[nfc(str(g)) for g in groups],
        rollup=dict(data.get("rollup") or {}) if isinstance(data.get("rollup"), dict) else {},
        docs_dir=(config_file.parent / docs_dir).resolve() if isinstance(docs_dir, str) else None,
        raw=data,
    )
    return unit, problems


def get_network(root: str | Path = ".") -> Network:
    """Load and validate every ``sites/*/mkdocs.yml`` below ``root``.

    Raises :class:`EdusiteError` with all problems found (not only the first).
    """
    root = Path(root).resolve()
    problems: list[Problem] = []
    settings: dict[str, Any] = {}
    base = root / "mkdocs.yml"
    if base.exists():
        try:
            base_cfg = load_yaml_file(base) or {}
            settings = dict((base_cfg.get("extra") or {}).get("network") or {})
        except EdusiteError as exc:
            problems.extend(exc.problems)
    units: dict[str, Unit] = {}
    files = sorted((root / "sites").glob("*/mkdocs.yml"))
    if not files:
        problems.append(
            problem(
                root / "sites",
                None,
                "không có đơn vị nào (sites/<id>/mkdocs.yml)",
                "no units found (sites/<id>/mkdocs.yml)",
            )
        )
    for cfg_file in files:
        unit, found = load_unit(cfg_file)
        problems.extend(found)
        if unit is None or not unit.id:
            continue
        if unit.id in units:
            problems.append(
                problem(
                    cfg_file,
                    "extra.unit.id",
                    f"mã '{unit.id}' bị trùng với {units[unit.id].config_file}",
                    f"duplicate id '{unit.id}', also used by {units[unit.id].config_file}",
                )
            )
            continue
        units[unit.id] = unit
    problems.extend(_check_tree(units))
    if [p for p in problems if p.severity == "error"]:
        raise EdusiteError([relative_to(p, root) for p in problems])
    return Network(root=root, units=units, settings=settings)


def relative_to(p: Problem, root: Path) -> Problem:
    """The same problem with its file shown relative to the network root."""
    try:
        return replace(p, file=str(Path(p.file).resolve().relative_to(root)))
    except ValueError:
        return p


def _check_tree(units: dict[str, Unit]) -> list[Problem]:
    """Parents exist, parents have an allowed kind, and following parents never loops."""
    problems: list[Problem] = []
    for unit in units.values():
        if unit.kind not in KINDS:
            continue
        if unit.kind == "so":
            if unit.parent:
                problems.append(
                    problem(
                        unit.config_file,
                        "extra.unit.parent",
                        "Sở GDĐT là cấp cao nhất, không có đơn vị cấp trên",
                        "the Sở is the top of the network and has no parent",
                    )
                )
            continue
        if not unit.parent:
            problems.append(
                problem(
                    unit.config_file,
                    "extra.unit.parent",
                    "bắt buộc: mã đơn vị cấp trên",
                    "required: the id of the parent unit",
                )
            )
            continue
        parent = units.get(unit.parent)
        if parent is None:
            problems.append(
                problem(
                    unit.config_file,
                    "extra.unit.parent",
                    f"đơn vị cấp trên '{unit.parent}' không tồn tại",
                    f"parent '{unit.parent}' does not exist",
                )
            )
            continue
        if parent.kind in KINDS and parent.kind not in ALLOWED_PARENTS[unit.kind]:
            allowed = ", ".join(sorted(ALLOWED_PARENTS[unit.kind]))
            problems.append(
                problem(
                    unit.config_file,
                    "extra.unit.parent",
                    f"đơn vị cấp trên '{parent.id}' là '{parent.kind}'; đơn vị loại '{unit.kind}' chỉ thuộc: {allowed}",
                    f"parent '{parent.id}' is a '{parent.kind}'; a '{unit.kind}' may only belong to: {allowed}",
                )
            )
    reported: set[str] = set()
    for start in sorted(units):
        seen: list[str] = []
        cur: str | None = start
        while cur is not None and cur in units and cur not in seen:
            seen.append(cur)
            cur = units[cur].parent
        if cur is not None and cur in seen:
            cycle = seen[seen.index(cur) :]
            if not reported.intersection(cycle):
                reported.update(cycle)
                chain = " → ".join([*cycle, cur])
                problems.append(
                    problem(
                        units[cur].config_file,
                        "extra.unit.parent",
                        f"vòng lặp đơn vị cấp trên: {chain}",
                        f"parent cycle: {chain}",
                    )
                )
    return problems
