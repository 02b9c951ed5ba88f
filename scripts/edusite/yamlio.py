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

    def __init__(
        self, loader: Any, file: str | Path, limits: Limits, text: str = "", first_line: int = 1
    ) -> None:
        self.loader = loader
        self.file = file
        self.limits = limits
        self.text = text  # for line numbers in messages
        self.first_line = first_line
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
            seen: dict[tuple[str, str], yaml.Node] = {}
            for k, v in node.value:
                name = self.key(k, path)
                children += [(name, k), (name, v)]
                if isinstance(k, yaml.ScalarNode) and k.tag != _MERGE_TAG:
                    ident = (k.tag, k.value)
                    if ident in seen:
                        raise self.duplicate((*path, name), seen[ident], k)
                    seen[ident] = k
        for name, child in children:
            if isinstance(child, yaml.ScalarNode):  # most nodes: the same checks, without a call
                if depth + 1 > limits.max_depth:
                    raise self.too_deep((*path, name))
                if len(child.value) > limits.max_scalar or child.tag in _CHECKED_TAGS:
                    self.scalar(child, (*path, name))
                total += 1
                height = max(height, 1)
            else:
                total += self.walk(child, (*path, name), depth + 1)
                height = max(height, self.heights[id(child)] + 1)
            if total > limits.max_nodes:
                raise self.too_big((*path, name))
        self.open.discard(key)
        self.sizes[key], self.heights[key] = total, height
        return total

    def duplicate(self, path: tuple[str, ...], first: yaml.Node, again: yaml.Node) -> EdusiteError:
        """A key given twice in one mapping: YAML forbids it, PyYAML would keep the last."""
        one = _position(self.text, first.start_mark.index, self.first_line)[0]
        two, col = _position(self.text, again.start_mark.index, self.first_line)
        name = _short(str(again.value))
        return EdusiteError(
            problem(
                self.file,
                _field(path),
                f"YAML không hợp lệ ở dòng {two}, cột {col}: trường '{name}' đã có ở dòng {one}; "
                "mỗi trường chỉ được viết một lần, hãy xóa một dòng",
                f"invalid YAML at line {two}, column {col}: field '{name}' is already set at "
                f"line {one}; each field may be given once, delete one of the lines",
            )
        )

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


_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _NotPlain(Exception):
    """The document needs PyYAML's constructor (see :func:`_plain`)."""


def _plain(loader: Any, node: yaml.Node, seen: set[int]) -> Any:
    """The value of a measured node graph made only of text, numbers, booleans, nulls, dates,
    lists and mappings with such keys, each node once (no alias): what nearly every front
    matter and config is. The same values as PyYAML's constructor, three times faster (it
    matters for thousands of unit configs); anything else raises :class:`_NotPlain`."""
    if id(node) in seen:
        raise _NotPlain
    seen.add(id(node))
    tag = node.tag
    if tag == _STR_TAG:
        return node.value
    if tag in _CHECKED_TAGS:  # constructed (and cached by the loader) during the measure
        return loader.construct_object(node)
    if tag == _SEQ_TAG:
        return [_plain(loader, item, seen) for item in node.value]
    if tag == _MAP_TAG:
        out = {}
        for key, value in node.value:
            if key.tag != _STR_TAG and key.tag not in _CHECKED_TAGS:
                raise _NotPlain  # a merge key (<<), a list or mapping as a key, a tag
            out[_plain(loader, key, seen)] = _plain(loader, value, seen)
        return out
    raise _NotPlain


def load_yaml(
    text: str, file: str | Path, *, limits: Limits = FRONT_MATTER, first_line: int = 1
) -> Any:
    """Parse YAML text within ``limits`` (front matter by default).

    Raises :class:`EdusiteError` naming ``file`` (and the field when known) for a syntax error
    (explained, with its line and column in the file: ``text`` starts at line ``first_line``,
    :data:`FRONT_MATTER_LINE` for front matter), a key given twice, a value that cannot be read
    (``2026-02-30``), or, as :class:`YamlLimitError`, input over a limit. Nothing else escapes.
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
    loader = None
    try:
        loader = _TolerantLoader(text)  # libyaml refuses a lone surrogate here
        node = loader.get_single_node()
        if node is None:
            return None
        _Measure(loader, file, limits, text, first_line).walk(node, (), 0)
        try:
            return _plain(loader, node, set())
        except _NotPlain:  # tags, aliases, merge keys: PyYAML's own constructor
            return loader.construct_document(node)
    except EdusiteError:
        raise
    except yaml.YAMLError as exc:
        raise EdusiteError(syntax_problem(exc, text, file, first_line)) from exc
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
        if loader is not None:
            loader.dispose()


#: The line of its file where a page's front matter starts: line 1 is the opening ``---``
#: (:func:`split_front_matter` and MkDocs' rule alike).
FRONT_MATTER_LINE = 2


def load_front_matter(raw: str, file: str | Path) -> Any:
    """The YAML of a page's front matter (``raw`` from :func:`split_front_matter`), with the
    :data:`FRONT_MATTER` limits; messages give line numbers in the page's file."""
    return load_yaml(raw, file, first_line=FRONT_MATTER_LINE)


# -- syntax errors an editor can act on ----------------------------------------------------------
#
# PyYAML's messages ("mapping values are not allowed in this context", "could not find expected
# ':'") name the parser's state, count lines from 0 inside the front matter and say nothing to a
# teacher. Each common mistake gets a short explanation, Vietnamese then English, at its line
# and column in the file, with what to do.

_BREAK_RE = re.compile(r"\r\n|\r|\n")
_QUOTES = {
    '"': ('dấu ngoặc kép (")', 'double quote (")'),
    "'": ("dấu nháy đơn (')", "single quote (')"),
}
_QUOTE_VI = "đặt giá trị trong dấu ngoặc kép"
_QUOTE_EN = "put the value in double quotes"
_INDENT_VI = "thụt lề không khớp: các trường cùng cấp phải bắt đầu ở cùng một cột"
_INDENT_EN = "the indentation does not match: fields of one level must start in the same column"
_ALIGN_VI = "căn dòng này thẳng với các trường cùng cấp, chỉ dùng dấu cách"
_ALIGN_EN = "align this line with the other fields of its level, with spaces only"
#: ``key: value`` (a list item's too): indentation, key, value.
_KEY_VALUE_RE = re.compile(r"^(\s*(?:-\s+)?)([^\s#:'\"\[\]{}][^:#]*?):[ \t]+(\S.*?)\s*$")
#: A line without a colon that looks like ``key value``.
_KEY_NO_COLON_RE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)[ \t]+(\S.*?)\s*$")
#: A line ending with a block scalar indicator (``summary: |``, ``>-``).
_BLOCK_RE = re.compile(r":\s*[|>][+-]?[0-9]?[+-]?\s*(?:#.*)?$")


def _position(text: str, index: int, first_line: int = 1) -> tuple[int, int]:
    """``(line, column)`` in the file, both from 1, of character ``index`` of ``text``."""
    index = max(0, min(index, len(text)))
    head = text[:index]
    start = max(head.rfind("\n"), head.rfind("\r")) + 1
    return first_line + len(_BREAK_RE.findall(head)), index - start + 1


def _line_at(text: str, index: int) -> tuple[int, str]:
    """``(start index, text)`` of the line holding character ``index``."""
    start = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
    end = _BREAK_RE.search(text, index)
    return start, text[start : end.start() if end else len(text)]


def _previous_line(text: str, start: int) -> tuple[int, str] | None:
    """``(index of its first character, text)`` of the last line before ``start`` that holds
    more than spaces or a comment."""
    lines = _BREAK_RE.split(text[:start])
    offset = start
    for line in reversed(lines[:-1] if lines and lines[-1] == "" else lines):
        offset -= len(line) + 1
        if line.strip() and not line.lstrip().startswith("#"):
            return max(offset, 0) + len(line) - len(line.lstrip()), line
    return None


def _quoted(value: str) -> str:
    """``value`` as a double-quoted YAML scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _no_colon(index: int, line: str) -> tuple[int, str, str, str, str]:
    m = _KEY_NO_COLON_RE.match(line)
    fix_vi, fix_en = "viết: tên_trường: giá trị", "write: name: value"
    if m:
        fix_vi = fix_en = f"{m.group(1)}{m.group(2)}: {m.group(3)}".strip()
        fix_vi, fix_en = f"viết: {fix_vi}", f"write: {fix_en}"
    return (
        index,
        "dòng này thiếu dấu hai chấm (:) sau tên trường",
        "this line lacks the colon (:) after the field name",
        f"{fix_vi} (dấu hai chấm rồi một dấu cách)",
        f"{fix_en} (a colon, then a space)",
    )


def _explain(exc: yaml.YAMLError, text: str) -> tuple[int | None, str, str, str, str]:
    """``(index in text, what (vi), what (en), what to do (vi), what to do (en))``."""
    if isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else 0
        at = exc.position
        if exc.encoding != "unicode":  # libyaml counts bytes of the UTF-8 text, not characters
            at = len(text.encode("utf-8", "surrogatepass")[:at].decode("utf-8", "ignore"))
        return (
            at,
            f"ký tự điều khiển U+{code:04X} không được phép",
            f"the control character U+{code:04X} is not allowed",
            "xóa ký tự này (thường lẫn vào khi dán từ Word hoặc PDF)",
            "delete it (it often comes with text pasted from Word or a PDF)",
        )
    what = str(getattr(exc, "problem", None) or "")
    context = str(getattr(exc, "context", None) or "")
    pmark = getattr(exc, "problem_mark", None)
    cmark = getattr(exc, "context_mark", None)
    at = pmark.index if pmark is not None else cmark.index if cmark is not None else None
    if at is None:
        return None, "cú pháp YAML sai", f"YAML syntax error ({what or exc})", "", ""
    char = text[at] if at < len(text) else ""
    start, line = _line_at(text, at)
    first = start + len(line) - len(line.lstrip())  # the line's first visible character
    opened = text[cmark.index] if cmark is not None and cmark.index < len(text) else ""
    if char == "\t" or "tab character" in what:
        return (
            at,
            "có ký tự tab: YAML chỉ thụt lề bằng dấu cách",
            "a tab character: YAML indents with spaces only",
            "thay tab bằng dấu cách",
            "replace the tab with spaces",
        )
    if "quoted scalar" in context and "end of stream" in what and opened in _QUOTES:
        vi, en = _QUOTES[opened]
        return (
            cmark.index,
            f"{vi} mở ở đây nhưng không được đóng",
            f"the {en} opened here is never closed",
            f"thêm {opened} ở cuối giá trị",
            f"add the closing {opened} at the end of the value",
        )
    if "escape" in what:
        return (
            at,
            'trong dấu ngoặc kép, dấu \\ bắt đầu một mã thoát (\\n, \\", \\\\…) và mã này không hợp lệ',
            'inside double quotes a backslash starts an escape (\\n, \\", \\\\…) and this one is invalid',
            "viết \\\\ cho một dấu \\, hoặc đặt giá trị trong dấu nháy đơn (')",
            "write \\\\ for one backslash, or put the value in single quotes (')",
        )
    if "mapping values are not allowed" in what:
        m = _KEY_VALUE_RE.match(line)
        if m and start + m.end(2) < at:  # a colon after the field's own: inside the value
            value = re.split(r"\s#", m.group(3))[0]
            fixed = f"{m.group(2)}: {_quoted(value)}"
            return (
                at,
                "giá trị có dấu hai chấm (:) mà không nằm trong dấu ngoặc kép",
                "the value holds a colon (:) but is not in quotes",
                f"{_QUOTE_VI}: {fixed}",
                f"{_QUOTE_EN}: {fixed}",
            )
        if line[:1] in (" ", "\t"):
            return (
                first,
                "dòng này thụt lề sâu hơn dòng trên; các trường cùng cấp phải bắt đầu ở cùng một cột",
                "this line is indented more than the line above; fields of one level must start "
                "in the same column",
                "xóa các dấu cách thừa ở đầu dòng",
                "remove the extra spaces at the start of the line",
            )
        previous = _previous_line(text, start)
        if previous is not None and ":" not in previous[1]:
            return _no_colon(*previous)
        return (
            at,
            "dấu hai chấm (:) không đúng chỗ",
            "a colon (:) out of place",
            _QUOTE_VI,
            _QUOTE_EN,
        )
    if "could not find expected ':'" in what and cmark is not None:
        key_start, key_line = _line_at(text, cmark.index)
        previous = _previous_line(text, key_start)
        if previous is not None and _BLOCK_RE.search(previous[1]):
            return (
                cmark.index,
                "các dòng của giá trị nhiều dòng (sau | hoặc >) phải thụt lề",
                "the lines of a multi-line value (after | or >) must be indented",
                "thêm hai dấu cách ở đầu mỗi dòng của giá trị",
                "add two spaces at the start of each of its lines",
            )
        return _no_colon(cmark.index, key_line)
    if "flow sequence" in context or "flow mapping" in context:
        closer = {"[": "]", "{": "}"}.get(opened, "]")
        return (
            cmark.index if cmark is not None else at,
            f"dấu {opened or '['} mở ở đây nhưng không được đóng bằng {closer}",
            f"the {opened or '['} opened here is not closed with {closer}",
            "nếu đây là văn bản, hãy đặt cả giá trị trong dấu ngoặc kép",
            "if this is text, put the whole value in double quotes",
        )
    block_end = "expected <block end>" in what  # the pure-Python parser's words
    if "did not find expected key" in what or (block_end and "block mapping" in context):
        before = line[: at - start].rstrip()
        if before[-1:] in _QUOTES and _KEY_VALUE_RE.match(before):
            q = before[-1]
            vi, en = _QUOTES[q]
            if q == "'":
                fix_vi = "trong dấu nháy đơn, dấu ' của giá trị viết hai lần: 'It''s'"
                fix_en = "inside single quotes, write a quote of the value twice: 'It''s'"
            else:
                fix_vi = (
                    'viết dấu " bên trong giá trị là \\", hoặc dùng dấu nháy đơn (\') bên ngoài'
                )
                fix_en = 'write a " inside the value as \\", or use single quotes (\') around it'
            return (
                at,
                f"có chữ sau {vi} đóng: cả giá trị phải nằm trong một cặp dấu ngoặc",
                f"text follows the closing {en}: the whole value must be inside one pair of quotes",
                fix_vi,
                fix_en,
            )
        return first, _INDENT_VI, _INDENT_EN, _ALIGN_VI, _ALIGN_EN
    if "expected '-' indicator" in what or (block_end and "block collection" in context):
        return (
            first,
            "các mục của danh sách (dòng bắt đầu bằng '- ') phải bắt đầu ở cùng một cột",
            "the items of a list (lines starting with '- ') must start in the same column",
            "căn các dòng '- ' thẳng cột với nhau, chỉ dùng dấu cách",
            "align the '- ' lines with each other, with spaces only",
        )
    if "cannot start any token" in what and char in ("@", "`", "%", "|", ">"):
        return (
            at,
            f"giá trị không được bắt đầu bằng ký tự {char}",
            f"a value cannot start with {char}",
            _QUOTE_VI,
            _QUOTE_EN,
        )
    if "undefined alias" in what:
        return (
            at,
            "giá trị bắt đầu bằng * được hiểu là một bí danh (alias) chưa được định nghĩa",
            "a value starting with * is read as an alias that is not defined",
            _QUOTE_VI,
            _QUOTE_EN,
        )
    if "another document" in what or "single document" in context:
        return (
            at,
            "chỉ được có một khối YAML: dòng này mở thêm một khối (--- hoặc ...)",
            "only one YAML document is allowed: this line starts another one (--- or ...)",
            "xóa dòng này",
            "delete this line",
        )
    if "end of stream" in what:
        return (
            at,
            "YAML kết thúc khi một giá trị chưa viết xong",
            "the YAML ends before a value is complete",
            "",
            "",
        )
    return at, "cú pháp YAML sai", f"YAML syntax error ({what or context})", "", ""


def syntax_problem(
    exc: yaml.YAMLError, text: str, file: str | Path, first_line: int = 1
) -> Problem:
    """The :class:`Problem` for a syntax error in ``text`` (which starts at line ``first_line``
    of ``file``): what is wrong, at which line and column of the file, and what to do."""
    at, vi, en, fix_vi, fix_en = _explain(exc, text)
    if at is None:
        where_vi, where_en = "YAML không hợp lệ", "invalid YAML"
    else:
        line, col = _position(text, at, first_line)
        where_vi = f"YAML không hợp lệ ở dòng {line}, cột {col}"
        where_en = f"invalid YAML at line {line}, column {col}"
    return problem(
        file,
        None,
        f"{where_vi}: {vi}" + (f"; {fix_vi}" if fix_vi else ""),
        f"{where_en}: {en}" + (f"; {fix_en}" if fix_en else ""),
    )


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
    for source in candidates:  # both start on the line after the opening ---
        try:
            load_yaml(source, path, first_line=FRONT_MATTER_LINE)
        except YamlLimitError as exc:
            problems += exc.problems
        except EdusiteError as exc:
            problems += [Problem(p.file, p.field, p.vi, p.en, "warning") for p in exc.problems]
        if problems:
            break
    return problems
