"""YAML reading that never executes anything and tolerates MkDocs' custom tags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import EdusiteError, problem


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


def load_yaml(text: str, file: str | Path) -> Any:
    """Parse YAML text; a syntax error becomes an :class:`EdusiteError` naming ``file``."""
    try:
        return yaml.load(text, Loader=_TolerantLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng/line {mark.line + 1})" if mark else ""
        raise EdusiteError(
            problem(file, None, f"YAML không hợp lệ{where}: {exc}", f"invalid YAML{where}: {exc}")
        ) from exc


def load_yaml_file(path: str | Path) -> Any:
    """Read and parse a YAML file (UTF-8)."""
    return load_yaml(Path(path).read_text(encoding="utf-8"), path)


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
