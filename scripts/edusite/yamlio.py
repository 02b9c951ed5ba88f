"""YAML reading that never executes anything, tolerates MkDocs' custom tags and refuses hostile
input before anything walks it.

Every document is composed into a node graph first and measured: the number of nodes it
expands to (counted through aliases, memoised so the count itself takes linear time), its
nesting depth, the length of each scalar, and (front matter only) that every key is text. Over
a limit, or when a value cannot be constructed (a 5,000-digit number), the file is refused with
an :class:`~edusite.errors.EdusiteError` naming the file and the field, in milliseconds: a
332-byte "billion laughs" post used to take gigabytes once code such as ``str(value)`` walked
the shared lists.

Limits (:data:`FRONT_MATTER`, :data:`CONFIG`):

============================  ==============  ==================
limit                         front matter    config/data files
============================  ==============  ==================
characters of YAML text       262,144         10,000,000
nodes, aliases expanded       10,000          200,000
nesting depth                 50              50
characters of one scalar      10,000          1,000,000
keys must be text             yes             no (``on:`` of CI files)
============================  ==============  ==================

A date YAML cannot construct (``date: 2026-02-30``, which PyYAML turns into a bare
``ValueError``) is read as its text instead: every date field goes through
:func:`edusite.text.parse_datetime`, which refuses it with the field's own message.

The largest real front matter of the demo network has 23 nodes, the largest data file
(``data/disclosure-rules.yml``) 511.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import EdusiteError, Problem, problem


class _TolerantLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that reads MkDocs tags (``!ENV``, ``!relative``, ``!!python/name``) as plain values."""


def _any_tag(loader: Any, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("!", _any_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


@dataclass(frozen=True)
class Limits:
    """What a YAML document may hold before it is refused (see the module docstring)."""

    max_chars: int
    max_nodes: int
    max_depth: int
    max_scalar: int
    text_keys: bool


#: Front matter of pages, posts, documents, disclosure pages and albums.
FRONT_MATTER = Limits(
    max_chars=262_144, max_nodes=10_000, max_depth=50, max_scalar=10_000, text_keys=True
)
#: ``mkdocs.yml`` files and the data files (rules, quotas, types).
CONFIG = Limits(
    max_chars=10_000_000, max_nodes=200_000, max_depth=50, max_scalar=1_000_000, text_keys=False
)


class YamlLimitError(EdusiteError):
    """The YAML is over a limit or shaped to hurt (alias bomb, deep nesting, huge scalar)."""


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
#: Scalar tags whose construction can fail (an impossible date, a 5,000-digit number): built
#: during the walk so the error names the field.
_CHECKED_TAGS = {
    _TIMESTAMP_TAG,
    *(f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null", "binary")),
}


def _short(value: str, length: int = 60) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= length else value[: length - 1] + "…"


def _field(path: tuple[str, ...]) -> str | None:
    """``('attachments', '[0]', 'file')`` → ``attachments[0].file``; ``None`` for the root."""
    out = ""
    for part in path:
        out += part if part.startswith("[") or not out else f".{part}"
    return (out if len(out) <= 80 else out[:79] + "…") or None


class _Measure:
    """One walk of a composed node graph, checking :class:`Limits` (see :func:`load_yaml`)."""

    def __init__(self, loader: Any, file: str | Path, limits: Limits) -> None:
        self.loader = loader
        self.file = file
        self.limits = limits
        self.sizes: dict[int, int] = {}  # id(node) -> nodes it expands to
        self.heights: dict[int, int] = {}  # id(node) -> levels below it
        self.open: set[int] = set()  # nodes on the current path (a cycle = recursive alias)

    def refuse(self, path: tuple[str, ...], vi: str, en: str) -> YamlLimitError:
        return YamlLimitError(problem(self.file, _field(path), vi, en))

    def too_big(self, path: tuple[str, ...]) -> YamlLimitError:
        n = self.limits.max_nodes
        return self.refuse(
            path,
            f"YAML quá lớn: hơn {n:,} phần tử khi mở các bí danh (&/*); "
            "hãy viết giá trị trực tiếp, không dùng bí danh lồng nhau",
            f"YAML too large: more than {n:,} nodes once aliases (&/*) are expanded; "
            "write the values out instead of nesting aliases",
        )

    def walk(self, node: yaml.Node, path: tuple[str, ...], depth: int) -> int:
        """Nodes ``node`` expands to; raises :class:`YamlLimitError` over a limit."""
        key = id(node)
        limits = self.limits
        if key in self.sizes:  # an alias of a node already measured: no second walk
            if depth + self.heights[key] > limits.max_depth:
                raise self.too_deep(path)
            return self.sizes[key]
        if key in self.open:
            raise self.refuse(
                path,
                "bí danh (*) trỏ vào chính phần tử chứa nó (vòng lặp)",
                "an alias (*) points into the node that holds it (a loop)",
            )
        if depth > limits.max_depth:
            raise self.too_deep(path)
        if isinstance(node, yaml.ScalarNode):
            self.scalar(node, path)
            self.sizes[key], self.heights[key] = 1, 0
            return 1
        self.open.add(key)
        total, height = 1, 0
        if isinstance(node, yaml.SequenceNode):
            children = [(f"[{i}]", child) for i, child in enumerate(node.value)]
        else:
            children = []
            for k, v in node.value:
                name = self.key(k, path)
                children += [(name, k), (name, v)]
        for name, child in children:
            total += self.walk(child, (*path, name), depth + 1)
            if total > limits.max_nodes:
                raise self.too_big((*path, name))
            height = max(height, self.heights[id(child)] + 1)
        self.open.discard(key)
        self.sizes[key], self.heights[key] = total, height
        return total

    def too_deep(self, path: tuple[str, ...]) -> YamlLimitError:
        n = self.limits.max_depth
        return self.refuse(
            path,
            f"YAML lồng nhau quá sâu (hơn {n} cấp)",
            f"YAML nested too deeply (more than {n} levels)",
        )

    def key(self, node: yaml.Node, path: tuple[str, ...]) -> str:
        """The display name of a mapping key; front matter keys must be text."""
        text = node.value if isinstance(node, yaml.ScalarNode) else "?"
        if not isinstance(text, str):
            text = "?"
        if self.limits.text_keys and not (
            isinstance(node, yaml.ScalarNode) and node.tag in (_STR_TAG, _MERGE_TAG)
        ):
            if isinstance(node, yaml.ScalarNode):
                kind_vi = kind_en = node.tag.rsplit(":", 1)[-1]
            else:
                kind_vi, kind_en = "danh sách hoặc bảng", "a list or mapping"
            raise self.refuse(
                (*path, _short(text)),
                f"tên trường phải là chuỗi chữ, không phải '{_short(text)}' ({kind_vi})",
                f"field names must be text, not '{_short(text)}' ({kind_en})",
            )
        return _short(text)

    def scalar(self, node: yaml.ScalarNode, path: tuple[str, ...]) -> None:
        """Length limit; values other than text are constructed now to name their field."""
        n = self.limits.max_scalar
        if len(node.value) > n:
            raise self.refuse(
                path,
                f"giá trị quá dài ({len(node.value):,} ký tự; tối đa {n:,})",
                f"value too long ({len(node.value):,} characters; at most {n:,})",
            )
        if node.tag not in _CHECKED_TAGS:
            return
        try:
            self.loader.construct_object(node)
        except Exception as exc:  # noqa: BLE001 - any constructor failure is the author's input
            self.loader.recursive_objects.pop(node, None)  # left behind by the failed attempt
            if node.tag == _TIMESTAMP_TAG:
                # ``2026-02-30``: kept as text, so the field's own check names the field and
                # says what it expects, and the other fields are still checked.
                node.tag = _STR_TAG
                return
            shown = _short(node.value)
            raise EdusiteError(
                problem(
                    self.file,
                    _field(path),
                    f"giá trị '{shown}' không hợp lệ ({exc})",
                    f"invalid value '{shown}' ({exc})",
                )
            ) from exc


def load_yaml(text: str, file: str | Path, *, limits: Limits = FRONT_MATTER) -> Any:
    """Parse YAML text within ``limits`` (front matter by default).

    Raises :class:`EdusiteError` naming ``file`` (and the field when known) for a syntax error,
    a value that cannot be read (``2026-02-30``), or, as :class:`YamlLimitError`, input over a
    limit. Nothing else escapes.
    """
    if len(text) > limits.max_chars:
        raise YamlLimitError(
            problem(
                file,
                None,
                f"YAML quá dài ({len(text):,} ký tự; tối đa {limits.max_chars:,})",
                f"YAML too long ({len(text):,} characters; at most {limits.max_chars:,})",
            )
        )
    loader = _TolerantLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _Measure(loader, file, limits).walk(node, (), 0)
        return loader.construct_document(node)
    except EdusiteError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng/line {mark.line + 1})" if mark else ""
        raise EdusiteError(
            problem(file, None, f"YAML không hợp lệ{where}: {exc}", f"invalid YAML{where}: {exc}")
        ) from exc
    except RecursionError as exc:
        raise YamlLimitError(
            problem(file, None, "YAML lồng nhau quá sâu", "YAML nested too deeply")
        ) from exc
    except Exception as exc:  # noqa: BLE001 - a constructor's ValueError, TypeError, …
        raise EdusiteError(
            problem(
                file,
                None,
                f"YAML không đọc được: {type(exc).__name__}: {exc}",
                f"unreadable YAML: {type(exc).__name__}: {exc}",
            )
        ) from exc
    finally:
        loader.dispose()


def read_text_file(path: str | Path) -> str:
    """A UTF-8 text file (a leading BOM dropped); unreadable or not UTF-8 → :class:`EdusiteError`."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EdusiteError(
            problem(
                path,
                None,
                f"tệp không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}); "
                "hãy lưu lại tệp với bảng mã UTF-8",
                f"the file is not UTF-8 text (bad byte at offset {exc.start}); "
                "save it again as UTF-8",
            )
        ) from exc
    except (OSError, ValueError) as exc:
        raise EdusiteError(
            problem(path, None, f"không đọc được tệp: {exc}", f"cannot read the file: {exc}")
        ) from exc


def load_yaml_file(path: str | Path, *, limits: Limits = CONFIG) -> Any:
    """Read and parse a YAML file (UTF-8) within ``limits`` (config files by default)."""
    return load_yaml(read_text_file(path), path, limits=limits)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """Split ``---`` delimited YAML front matter from a Markdown body.

    Returns ``(yaml_text_or_None, body)``. Mirrors MkDocs' ``utils.meta`` rules closely enough
    that the same file yields the same metadata in both.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.startswith("---"):
        return None, text
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    return None, text


#: MkDocs' own front-matter pattern (``mkdocs.utils.meta.YAML_RE``).
_MKDOCS_YAML_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


def check_page_source(text: str, path: str | Path) -> list[Problem]:
    """Problems of a page's front matter, before MkDocs (or a template) ever parses it.

    ``text`` is the page's Markdown source as MkDocs will read it; both our front-matter rule
    (:func:`split_front_matter`) and MkDocs' (``mkdocs.utils.meta.YAML_RE``) are checked with
    the :data:`FRONT_MATTER` limits. Errors: YAML over a limit (alias bomb, nesting, huge values,
    keys that are not text). Warnings: YAML MkDocs would silently ignore (a syntax error, an
    impossible date): the page then has no metadata. A page without front matter has none.
    """
    candidates = []
    raw, _body = split_front_matter(text)
    if raw is not None:
        candidates.append(raw)
    m = _MKDOCS_YAML_RE.match(text)
    if m and m.group(1) not in candidates and m.group(1).rstrip("\n") not in candidates:
        candidates.append(m.group(1))
    problems: list[Problem] = []
    for source in candidates:
        try:
            load_yaml(source, path)
        except YamlLimitError as exc:
            problems += exc.problems
        except EdusiteError as exc:
            problems += [Problem(p.file, p.field, p.vi, p.en, "warning") for p in exc.problems]
        if problems:
            break
    return problems
