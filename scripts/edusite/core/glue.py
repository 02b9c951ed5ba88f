"""What every edusite MkDocs plugin needs from MkDocs, written once: reporting problems,
generated pages and files. (The work itself lives in modules that take plain data.)"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from ..errors import Problem


def report(problems: Iterable[Problem], log: logging.Logger | logging.LoggerAdapter) -> None:
    """Log the warnings; raise one :class:`PluginError` listing every error (the site then
    fails, keeping its last good output)."""
    found = list(problems)
    for p in found:
        if p.severity != "error":
            log.warning(str(p))
    errors = [str(p) for p in found if p.severity == "error"]
    if errors:
        raise PluginError("\n".join(errors))


def virtual_page(
    config: MkDocsConfig, src_uri: str, title: str, template: str | None = None
) -> File:
    """A generated Markdown page holding only its front matter (a title, maybe a template):
    its body is filled from the template context or injected when rendered. The title is
    written as a JSON string, which YAML reads back exactly whatever it holds."""
    meta = f"title: {json.dumps(title, ensure_ascii=False)}\n"
    if template:
        meta += f"template: {template}\n"
    return File.generated(config, src_uri, content=f"---\n{meta}---\n")


#: Attribute of a generated image :class:`File` naming the variant groups the images plugin
#: makes of it (``card``, ``og``…): images from outside the docs folder (a portal's copies of
#: its members' covers) that are processed like local photos, never published as they are.
IMAGE_GROUPS = "edusite_image_groups"
#: Set by the images plugin on such a file when it could not be processed (it is then left out).
IMAGE_FAILED = "edusite_image_failed"
#: Where such an image came from (a member's cover address): what its problems name.
IMAGE_ORIGIN = "edusite_image_origin"


def generated_image(
    config: MkDocsConfig,
    src_uri: str,
    abs_path: str,
    groups: tuple[str, ...],
    origin: str = "",
) -> File:
    """A generated image file at ``src_uri`` with the bytes of ``abs_path``, for the images
    plugin to process into ``groups`` (:data:`IMAGE_GROUPS`); ``origin`` names it in messages."""
    file = File.generated(config, src_uri, abs_src_path=abs_path)
    setattr(file, IMAGE_GROUPS, tuple(groups))
    setattr(file, IMAGE_ORIGIN, origin or src_uri)
    return file


def add(files: Files, file: File) -> bool:
    """Add a generated file unless the site already has one at that path (the author's wins);
    True when added."""
    if files.get_file_from_path(file.src_uri) is not None:
        return False
    files.append(file)
    return True
