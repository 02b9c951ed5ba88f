"""Which variant groups each image needs: every image gets ``base``; covers (front matter
``image:`` of posts and pages, ``cover:`` of albums) also get the card crop and the Open Graph
image; album photos get thumbnails. Pure functions over paths and text."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from ..yamlio import split_front_matter

_KEY_RE = re.compile(r"^(image|cover)[ \t]*:[ \t]*(.+?)[ \t]*$", re.MULTILINE)


def cover_refs(page_src_uri: str, text: str) -> list[str]:
    """Site-relative paths of the images a page's front matter names as ``image``/``cover``.

    A quick scan (no YAML parsing): only plain one-line values count, which is how posts and
    albums write them; URLs are ignored.
    """
    raw, _body = split_front_matter(text)
    if not raw:
        return []
    out = []
    folder = posixpath.dirname(page_src_uri)
    for _key, value in _KEY_RE.findall(raw):
        value = value.strip().strip("'\"").strip()
        if not value or "://" in value or value.startswith(("/", "#", "{", "[")):
            continue
        out.append(posixpath.normpath(posixpath.join(folder, value)))
    return out


def plan_groups(
    images: Iterable[str], covers: Iterable[str], album_photos: Iterable[str]
) -> dict[str, list[str]]:
    """``{src_uri: groups}`` for every image."""
    plan = {uri: ["base"] for uri in images}
    for uri in album_photos:
        if uri in plan and "thumb" not in plan[uri]:
            plan[uri].append("thumb")
    for uri in covers:
        if uri in plan and "card" not in plan[uri]:
            plan[uri] += ["card", "og"]
    return plan
