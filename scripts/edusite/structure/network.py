"""The network model: every unit (Sở, portal, school, centre) and how they nest.

Each unit lives in ``sites/<id>/mkdocs.yml`` under ``extra.unit``; the base ``mkdocs.yml``
holds network-wide settings under ``extra.network``. :func:`get_network` reads and validates them
all without importing MkDocs, collecting every problem before raising.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import EdusiteError, Problem, problem
from ..security.urls import WEB, is_email, is_phone, safe_url
from ..text import nfc
from ..yamlio import load_yaml, load_yaml_file

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

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "parent":  # a unit's place in the tree: every network's index is stale
            global _tree_edits
            _tree_edits += 1
        object.__setattr__(self, name, value)

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


#: Counts assignments to any :attr:`Unit.parent`; a :class:`Network`'s tree index built before
#: the last one is rebuilt on next use.
_tree_edits = 0


class _Units(dict):  # type: ignore[type-arg]
    """``Network.units``: a dict that counts its own changes, so that the network's tree index
    (children by parent, units by id) is rebuilt after any of them."""

    version = 0

    def _changed(self) -> None:
        self.version += 1

    def __setitem__(self, key: str, value: Unit) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed()

    def __ior__(self, other: Any) -> _Units:
        super().__ior__(other)
        self._changed()
        return self

    def pop(self, *args: Any) -> Any:
        self._changed()
        return super().pop(*args)

    def popitem(self) -> tuple[str, Unit]:
        self._changed()
        return super().popitem()

    def clear(self) -> None:
        super().clear()
        self._changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._changed()

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._changed()
        return super().setdefault(key, default)


@dataclass(frozen=True)
class _Tree:
    """What :class:`Network` derives from its units once instead of on every call."""

    units: _Units  # the mapping it was built from …
    key: tuple[int, int]  # … at this (mapping version, unit parent edits)
    ordered: tuple[Unit, ...]  # by id
    children: dict[str | None, tuple[Unit, ...]]  # by parent id, each sorted by id


@dataclass
class Network:
    """All units of one repository, validated: ids unique, parents exist, no cycles.

    Tree queries (:meth:`children`, :meth:`descendants`, iteration, :meth:`build_order`) use an
    index built once (O(units)) and rebuilt whenever ``units`` or a unit's ``parent`` changes.
    """

    root: Path
    units: dict[str, Unit]
    settings: dict[str, Any] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)  # e.g. misspelt unit keys
    _tree: _Tree | None = field(default=None, init=False, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "units" and not isinstance(value, _Units):
            value = _Units(value)  # counts its changes (see _index)
        object.__setattr__(self, name, value)

    def _index(self) -> _Tree:
        """The tree index, rebuilt when ``units`` or any unit's parent changed since."""
        units: _Units = self.units  # type: ignore[assignment]
        tree = self._tree
        key = (units.version, _tree_edits)
        if tree is None or tree.units is not units or tree.key != key:
            ordered = tuple(units[k] for k in sorted(units))
            children: dict[str | None, list[Unit]] = {}
            for unit in ordered:
                children.setdefault(unit.parent, []).append(unit)
            tree = _Tree(units, key, ordered, {k: tuple(v) for k, v in children.items()})
            self._tree = tree
        return tree

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._index().ordered)

    def __getitem__(self, unit_id: str) -> Unit:
        return self.units[unit_id]

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.units

    def content_dir(self, unit: Unit) -> Path:
        """The unit's content folder: its ``docs_dir``, else ``<root>/content/<id>``."""
        return unit.docs_dir or self.root / "content" / unit.id

    def children(self, unit_id: str) -> list[Unit]:
        """Direct members of ``unit_id``, sorted by id."""
        return list(self._index().children.get(unit_id, ()))

    def descendants(self, unit_id: str) -> list[Unit]:
        """All units below ``unit_id``, depth-first (pre-order), children sorted by id."""
        children = self._index().children
        out: list[Unit] = []
        seen: set[int] = set()  # a parent cycle (only in a network not from get_network) ends
        stack = list(reversed(children.get(unit_id, ())))
        while stack:
            unit = stack.pop()
            if id(unit) in seen:
                continue
            seen.add(id(unit))
            out.append(unit)
            stack.extend(reversed(children.get(unit.id, ())))
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


# -- what a unit's own config may say ------------------------------------------------------------
#
# A unit's sites/<id>/mkdocs.yml is edited for the unit, not by the network's admins: it is
# untrusted (docs/security.md). MkDocs would load `hooks:` (Python run in CI), `plugins:`,
# `markdown_extensions:` (pymdownx.snippets reads any file), `theme:`, `extra_javascript:`,
# YAML tags (`!ENV GITHUB_TOKEN` prints a secret into a page) and paths anywhere on disk. Only
# the keys below are accepted; everything else belongs to the base mkdocs.yml.

#: Top-level keys a unit's config may set.
UNIT_CONFIG_KEYS = ("INHERIT", "site_name", "site_url", "site_description", "docs_dir", "site_dir", "extra")  # fmt: skip
#: Keys of ``extra.unit`` (anything else is a warning with a suggestion).
UNIT_KEYS = (
    "id", "name", "short_name", "kind", "level", "levels", "parent", "address", "phone", "email",
    "editor", "social", "groups", "rollup", "disclosure", "logo", "colors", "quick_links",
    "editors", "spokesperson", "founded",
)  # fmt: skip
#: One ``extra.unit.editors`` entry: a git host user (``@hoa.nguyen``) or team/group
#: (``@so-gddt/th-kim-dong``, GitLab subgroups too), the leading ``@`` optional.
EDITOR_RE = re.compile(
    r"^@?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9_])?(?:/[A-Za-z0-9._-]{1,100}){0,4}$"
)
SOCIAL_KEYS = ("facebook", "zalo", "youtube", "tiktok", "website")
MAX_TEXT = 300
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COLOUR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
#: Control, line-break and bidi characters: none belongs in a one-line field (a line break in a
#: unit's name would start a new line in every log and report that prints it).
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ADMIN_ONLY_VI = "chỉ quản trị mạng được đặt, trong mkdocs.yml chung của mạng"
_ADMIN_ONLY_EN = "only the network's admins may set this, in the network's base mkdocs.yml"


_MARKUP_VI = "là văn bản thuần: không được chứa thẻ HTML, mã thoát (&lt;…) hay ký tự ẩn"
_MARKUP_EN = "is plain text: no HTML tags, escapes (&lt;…) or invisible characters"


def _markup(value: str) -> bool:
    """True when a text field holds tags, character escapes or invisible characters."""
    global _plain_text
    if _plain_text is None:  # imported on first use (nh3), once: 60,000 calls for 6,000 units
        from ..security.markup import plain_text as _plain_text
    return _plain_text(value) != " ".join(value.split())


_plain_text: Any = None


def _tagged(node: yaml.Node, path: str = "") -> Iterator[tuple[str, str]]:
    """``(key path, tag)`` of every node with an explicit YAML tag (``!ENV``, ``!!python/…``)."""
    default = node.tag.startswith("tag:yaml.org,2002:") and not node.tag.startswith(
        "tag:yaml.org,2002:python"
    )
    if not default:
        yield path or "(gốc/root)", node.tag
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            yield from _tagged(value, f"{path}.{name}" if path else str(name))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _tagged(item, f"{path}[{i}]")


def _same_path(value: Any, config_file: Path, expected: str | Path) -> bool:
    """True when the path ``value`` (relative to the config file) is ``expected``."""
    if not isinstance(value, str) or not value or "\x00" in value:
        return False
    folder = os.path.dirname(config_file)
    return os.path.normpath(os.path.join(folder, value)) == os.path.normpath(expected)


#: The fastest safe composer available (libyaml when PyYAML was built with it).
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_unit_config(
    cfg: dict[str, Any], config_file: Path, text: str, root: Path
) -> list[Problem]:
    """What a unit may not put in its own ``mkdocs.yml``: keys reserved to the network's admins,
    YAML tags, paths outside its folders, unsafe URLs, malformed contacts (errors); unknown
    ``extra.unit`` keys (warnings, with a suggestion)."""
    out: list[Problem] = []
    uid = config_file.parent.name

    def err(fld: str | None, vi: str, en: str, severity: str = "error") -> None:
        out.append(problem(config_file, fld, vi, en, severity))

    node = None
    if "!" in text:  # every explicit tag starts with "!": without one, nothing to look for
        try:
            node = yaml.compose(text, Loader=_COMPOSER)
        except yaml.YAMLError:
            node = None  # reported by the loader
    if node is not None:
        for where, tag in _tagged(node):
            err(
                where,
                f"không được dùng thẻ YAML '{tag}' (ví dụ !ENV đọc biến môi trường của máy CI)",
                f"YAML tag '{tag}' is not allowed (e.g. !ENV reads the CI machine's environment)",
            )
    for key in cfg:
        if key not in UNIT_CONFIG_KEYS:
            err(str(key), _ADMIN_ONLY_VI, _ADMIN_ONLY_EN)
    base = os.fspath(root)  # plain strings below: 6,000 units check these paths
    if "INHERIT" in cfg and not _same_path(
        cfg["INHERIT"], config_file, os.path.join(base, "mkdocs.yml")
    ):
        err("INHERIT", "phải là ../../mkdocs.yml", "must be ../../mkdocs.yml")
    if "INHERIT" not in cfg:
        err("INHERIT", "bắt buộc: ../../mkdocs.yml", "required: ../../mkdocs.yml")
    content = os.path.join(base, "content", uid)
    if "docs_dir" in cfg and not _same_path(cfg["docs_dir"], config_file, content):
        err(
            "docs_dir",
            f"phải là ../../content/{uid} (thư mục nội dung của chính đơn vị)",
            f"must be ../../content/{uid} (the unit's own content folder)",
        )
    elif os.path.islink(content) and not os.path.realpath(content).startswith(
        os.path.realpath(os.path.join(base, "content")) + os.sep
    ):
        err(
            "docs_dir",
            f"content/{uid} là liên kết tượng trưng trỏ ra ngoài thư mục content/",
            f"content/{uid} is a symbolic link pointing outside content/",
        )
    elif not os.path.isdir(content):  # MkDocs would stop later, in English only
        err(
            "docs_dir",
            f"thư mục nội dung content/{uid} không tồn tại (docs_dir: ../../content/{uid}); "
            "hãy tạo thư mục này, ít nhất với trang index.md",
            f"the content folder content/{uid} does not exist (docs_dir: ../../content/{uid}); "
            "create it, with at least an index.md page",
        )
    public = os.path.join(base, "public", uid)
    if "site_dir" in cfg and not _same_path(cfg["site_dir"], config_file, public):
        err("site_dir", f"phải là ../../public/{uid}", f"must be ../../public/{uid}")
    extra = cfg.get("extra")
    if isinstance(extra, dict):
        for key in extra:
            if key != "unit":
                err(f"extra.{key}", _ADMIN_ONLY_VI, _ADMIN_ONLY_EN)
    for key in ("site_name", "site_description"):
        value = cfg.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
            err(
                key,
                f"cần văn bản tối đa {MAX_TEXT} ký tự",
                f"expected text of at most {MAX_TEXT} characters",
            )
        elif isinstance(value, str) and _markup(value):
            err(key, _MARKUP_VI, _MARKUP_EN)
    site_url = cfg.get("site_url")
    if site_url is not None:
        clean = safe_url(site_url, schemes=WEB, relative=False)
        if clean is None:
            err("site_url", "cần địa chỉ http(s):// hợp lệ", "expected a valid http(s):// address")
        elif clean != site_url:  # every page, feed and sitemap prints it: only its clean form
            err(
                "site_url",
                f"hãy viết địa chỉ ở dạng chuẩn: {clean}",
                f"write the address in its standard form: {clean}",
            )
    data = extra.get("unit") if isinstance(extra, dict) else None
    if isinstance(data, dict):
        out += _check_unit_fields(data, config_file, Path(content))
    return out


def _check_unit_fields(data: dict[str, Any], config_file: Path, content: Path) -> list[Problem]:
    """Types and formats of ``extra.unit``'s fields."""
    out: list[Problem] = []

    def err(key: str, vi: str, en: str, severity: str = "error") -> None:
        out.append(problem(config_file, f"extra.unit.{key}", vi, en, severity))

    for key in data:
        if key not in UNIT_KEYS:
            near = difflib.get_close_matches(str(key), UNIT_KEYS, n=1)
            hint_vi = f"; ý bạn là '{near[0]}'?" if near else ""
            hint_en = f"; did you mean '{near[0]}'?" if near else ""
            err(
                str(key),
                f"khóa không được hỗ trợ, bị bỏ qua{hint_vi} (dùng: {', '.join(UNIT_KEYS)})",
                f"unknown key, ignored{hint_en} (expected: {', '.join(UNIT_KEYS)})",
                "warning",
            )
    for key in ("id", "name", "short_name", "kind", "level", "parent", "address", "phone", "email"):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            err(key, "cần văn bản", "expected text")
        elif len(str(value)) > MAX_TEXT or _CONTROL_RE.search(str(value)):
            err(
                key,
                f"văn bản tối đa {MAX_TEXT} ký tự, không có ký tự điều khiển",
                f"text of at most {MAX_TEXT} characters without control characters",
            )
        elif _markup(str(value)):
            err(key, _MARKUP_VI, _MARKUP_EN)
    for key in ("id", "parent"):
        value = data.get(key)
        if isinstance(value, str) and value and not _ID_RE.match(value):
            err(
                key,
                "chỉ chữ thường không dấu, số và gạch nối",
                "lower-case ASCII letters, digits and hyphens only",
            )
    phone = data.get("phone")
    numbers = re.split(r"[;,]|\s[-–]\s", str(phone)) if isinstance(phone, (str, int)) else []
    if not all(is_phone(p.strip()) for p in numbers if p.strip()):
        err(
            "phone",
            "số điện thoại không hợp lệ (chữ số, dấu cách, + . - ( ))",
            "invalid phone number (digits, spaces, + . - ( ))",
        )
    email = data.get("email")
    if isinstance(email, str) and email.strip() and not is_email(email.strip()):
        err("email", "địa chỉ thư điện tử không hợp lệ", "invalid e-mail address")
    social = data.get("social")
    if isinstance(social, dict):
        for name, url in social.items():
            if safe_url(url, schemes=WEB, relative=False) is None:
                err(
                    f"social.{name}",
                    "cần địa chỉ https:// hợp lệ",
                    "expected a valid https:// address",
                )
    for person in ("editor", "spokesperson"):  # spokesperson: người phát ngôn (public contact)
        fields = data.get(person)
        if fields is not None and not isinstance(fields, dict):
            err(
                person,
                "cần bảng {name, title, phone, email}",
                "expected {name, title, phone, email}",
            )
        for name, value in (fields or {}).items() if isinstance(fields, dict) else ():
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                err(f"{person}.{name}", "cần văn bản", "expected text")
            elif _markup(value):
                err(f"{person}.{name}", _MARKUP_VI, _MARKUP_EN)
    founded = data.get("founded")
    if founded is not None and (
        isinstance(founded, bool) or not isinstance(founded, int) or not 1800 <= founded <= 2100
    ):
        err("founded", "cần năm thành lập, ví dụ 1993", "expected the founding year, e.g. 1993")
    editors = data.get("editors")
    if editors is not None:
        if not isinstance(editors, list) or len(editors) > 50:
            err(
                "editors",
                "cần danh sách tối đa 50 tài khoản, ví dụ [@hoa.nguyen, @so-gddt/th-kim-dong]",
                "expected a list of at most 50 accounts, e.g. [@hoa.nguyen, @so-gddt/th-kim-dong]",
            )
        else:
            for i, e in enumerate(editors):
                if not isinstance(e, str) or not EDITOR_RE.match(e.strip()):
                    shown = " ".join(str(e).split())[:60]
                    err(
                        f"editors[{i}]",
                        f"'{shown}' không phải tài khoản hay nhóm trên máy chủ git "
                        "(chữ không dấu, số, . _ -; nhóm dạng @to-chuc/nhom)",
                        f"'{shown}' is not a git host user or team "
                        "(ASCII letters, digits, . _ -; teams as @org/team)",
                    )
    groups = data.get("groups")
    if isinstance(groups, list):
        for i, g in enumerate(groups):
            if not isinstance(g, (str, int)) or isinstance(g, bool) or len(str(g)) > MAX_TEXT:
                err(f"groups[{i}]", "cần tên tổ/đoàn thể (văn bản)", "expected a group name (text)")
            elif _markup(str(g)):
                err(f"groups[{i}]", _MARKUP_VI, _MARKUP_EN)
    links = data.get("quick_links")
    if links is not None:
        if not isinstance(links, list):
            err("quick_links", "cần danh sách {title, url}", "expected a list of {title, url}")
        else:
            for i, q in enumerate(links):
                ok = (
                    isinstance(q, dict)
                    and isinstance(q.get("title"), str)
                    and q.get("title")
                    and not _markup(q["title"])
                )
                if not ok or safe_url(q.get("url"), relative=True) is None:
                    err(
                        f"quick_links[{i}]",
                        "cần {title: văn bản, url: địa chỉ http(s):// hoặc đường dẫn trong trang}",
                        "expected {title: text, url: an http(s):// address or a site path}",
                    )
    colours = data.get("colors")
    if colours is not None:
        if not isinstance(colours, dict):
            err("colors", "cần bảng {primary, accent}", "expected a mapping {primary, accent}")
        else:
            for name, value in colours.items():
                if (
                    name not in ("primary", "accent")
                    or not isinstance(value, str)
                    or not _COLOUR_RE.match(value)
                ):
                    err(
                        f"colors.{name}",
                        "cần primary/accent dạng #rrggbb",
                        "expected primary/accent as #rrggbb",
                    )
    logo = data.get("logo")
    if logo is not None:
        from ..security.confine import IMAGES, confined_file

        if (
            not isinstance(logo, str)
            or confined_file(logo, content, content, extensions=IMAGES) is None
        ):
            err(
                "logo",
                "cần tên tệp ảnh PNG/JPG/WebP trong thư mục nội dung của đơn vị",
                "expected a PNG/JPG/WebP file in the unit's content folder",
            )
    return out


def load_unit(config_file: Path, *, real_root: str = "") -> tuple[Unit | None, list[Problem]]:
    """Read one ``sites/<id>/mkdocs.yml`` and return its unit and the problems found.

    ``real_root``: the network root without symbolic links, when the caller knows it (resolving
    ``docs_dir`` then looks only at the folders below it)."""
    problems: list[Problem] = []
    try:
        text = config_file.read_text(encoding="utf-8")
        cfg = load_yaml(text, config_file) or {}
    except EdusiteError as exc:
        return None, exc.problems
    except (OSError, UnicodeDecodeError) as exc:
        return None, [
            problem(
                config_file,
                None,
                f"không đọc được tệp (cần UTF-8): {exc}",
                f"cannot read the file (UTF-8 expected): {exc}",
            )
        ]
    if not isinstance(cfg, dict):
        return None, [problem(config_file, None, "phải là một bảng YAML", "must be a YAML mapping")]
    problems += check_unit_config(cfg, config_file, text, config_file.parent.parent.parent)
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
        docs_dir=_real_path(config_file, docs_dir, real_root)
        if isinstance(docs_dir, str)
        else None,
        raw=data,
    )
    return unit, problems


def _real_path(config_file: Path, value: str, real_root: str = "") -> Path:
    """``value`` relative to the config's folder, ``..`` taken as written (as MkDocs and
    :func:`_same_path` do), then symbolic links resolved. Below ``real_root`` (a folder known
    to hold no link) only the remaining folders are looked at: two instead of the whole path."""
    path = os.path.normpath(os.path.join(os.path.dirname(config_file), value))
    if real_root and path.startswith(real_root + os.sep):
        probe = real_root
        for part in path[len(real_root) + 1 :].split(os.sep):
            probe = os.path.join(probe, part)
            if os.path.islink(probe):
                break
        else:
            return Path(path)
    return Path(os.path.realpath(path))


#: A further check of the loaded units (a feature's settings in ``extra.unit``): its problems
#: join the network's, so an invalid network is reported whole, before anything builds.
UnitsCheck = Callable[[Mapping[str, Unit]], list[Problem]]


def base_categories(root: str | Path) -> dict[str, str]:
    """The network's news categories (slug → name): ``plugins.edusite.categories`` of the base
    ``mkdocs.yml`` (plugins as a mapping or a list); ``{}`` when it has none or cannot be read.
    Parsed once per version of the file (every portal's report and the editor's config ask)."""
    path = Path(root) / "mkdocs.yml"
    try:
        stat = path.stat()
        return dict(_categories_in(str(path), stat.st_mtime_ns, stat.st_size))
    except (EdusiteError, OSError):
        return {}


@lru_cache(maxsize=64)
def _categories_in(path: str, _mtime_ns: int, _size: int) -> dict[str, str]:
    config = load_yaml_file(path)
    plugins = config.get("plugins") if isinstance(config, dict) else None
    entries: Iterable[Any] = plugins.items() if isinstance(plugins, dict) else []
    if isinstance(plugins, list):
        entries = [next(iter(p.items())) for p in plugins if isinstance(p, dict) and p]
    for name, options in entries:
        if name == "edusite" and isinstance(options, dict):
            cats = options.get("categories")
            if isinstance(cats, dict):
                return {str(k): nfc(str(v)) for k, v in cats.items()}
    return {}


def _network_settings(base_cfg: Any, base: Path, problems: list[Problem]) -> dict[str, Any]:
    """``extra.network`` of the base ``mkdocs.yml``; a problem (not a crash) for each level that
    is not a mapping."""
    for name, value in (
        (None, base_cfg),
        ("extra", (base_cfg or {}).get("extra") if isinstance(base_cfg, dict) else None),
    ):
        if value is not None and not isinstance(value, dict):
            problems.append(problem(base, name, "phải là một bảng YAML", "must be a YAML mapping"))
            return {}
    network = ((base_cfg or {}).get("extra") or {}).get("network")
    if network is None:
        return {}
    if not isinstance(network, dict):
        problems.append(
            problem(base, "extra.network", "phải là một bảng YAML", "must be a YAML mapping")
        )
        return {}
    return dict(network)


def get_network(root: str | Path = ".", *, checks: Iterable[UnitsCheck] = ()) -> Network:
    """Load and validate every ``sites/*/mkdocs.yml`` below ``root``.

    ``checks`` run on the units loaded (the commands pass the features' own, e.g. each portal's
    roll-up policy; this package imports no feature). Raises :class:`EdusiteError` with all
    problems found (not only the first).
    """
    root = Path(root).resolve()
    problems: list[Problem] = []
    settings: dict[str, Any] = {}
    base = root / "mkdocs.yml"
    if base.exists():
        try:
            base_cfg = load_yaml_file(base) or {}
        except EdusiteError as exc:
            problems.extend(exc.problems)
            base_cfg = {}
        settings = _network_settings(base_cfg, base, problems)
    units: dict[str, Unit] = {}
    # Path order (by the unit's folder name), without 70,000 Path comparisons for 6,000 units.
    files = sorted((root / "sites").glob("*/mkdocs.yml"), key=lambda f: f.parent.name)
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
        unit, found = load_unit(cfg_file, real_root=os.fspath(root))
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
    for check in checks:
        problems.extend(check(units))
    if [p for p in problems if p.severity == "error"]:
        raise EdusiteError([relative_to(p, root) for p in problems])
    warnings = [relative_to(p, root) for p in problems if p.severity != "error"]
    return Network(root=root, units=units, settings=settings, warnings=warnings)


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


def find_root(config_file: str | Path) -> Path:
    """The repository root: the nearest folder above ``config_file`` that holds ``sites/``."""
    start = Path(config_file).resolve().parent
    for folder in (start, *start.parents):
        if (folder / "sites").is_dir() and (folder / "mkdocs.yml").is_file():
            return folder
    return start.parent.parent
