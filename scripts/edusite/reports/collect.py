"""Reading what units published: posts (through the one Post model) and photo albums.

Posts are read with :func:`edusite.structure.posts.load_post`, the same validation the build
uses; only the Markdown body is read here in addition, to count images and videos:

* photos of a post: its cover ``image`` plus the distinct images of its body (Markdown
  ``![…](…)`` and ``<img src>``), the cover counted once;
* videos of a post: distinct YouTube videos linked or embedded (``youtube.com/watch?v=``,
  ``/embed/``, ``/shorts/``, ``youtu.be/``) plus ``<video>`` elements;
* albums, if the unit has ``thu-vien-anh/``: every folder named ``yyyy-mm-dd-…`` below it
  counts its image files as photos published on that day (albums are not posts).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import memo
from ..digests import folder_hash
from ..errors import EdusiteError, Problem
from ..security.confine import stays_inside
from ..structure.network import Network, Unit, base_categories
from ..structure.posts import NEWS_DIR, is_post, load_post, read_source, unreadable
from ..text import TZ
from ..yamlio import split_front_matter

ALBUM_DIR = "thu-vien-anh"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}

_MD_IMAGE_RE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_HTML_IMAGE_RE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_YOUTUBE_RE = re.compile(
    r"(?:youtube(?:-nocookie)?\.com/(?:watch\?(?:[^\s\"')]*&)?v=|embed/|shorts/|live/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})"
)
_VIDEO_TAG_RE = re.compile(r"<video\b", re.IGNORECASE)
_ALBUM_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:-|$)")


@dataclass(frozen=True)
class Item:
    """One countable publication of a unit: a post or an album."""

    date: datetime  # aware, Vietnam time
    kind: str = "post"  # "post" | "album"
    group: str = ""
    categories: tuple[str, ...] = ()
    featured: bool = False
    photos: int = 0
    videos: int = 0
    source: str = ""  # path relative to the unit's content folder


@dataclass
class UnitData:
    """Everything a unit published up to the report's "now" (drafts and future posts left out)."""

    unit: Unit
    items: list[Item] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # declared in the unit, else seen in posts
    problems: list[Problem] = field(default_factory=list)


def media_counts(body: str, cover: str | None = None) -> tuple[int, int]:
    """``(photos, videos)`` of a post body (see the module docstring); the cover counts once."""
    images = {m.strip() for m in _MD_IMAGE_RE.findall(body) + _HTML_IMAGE_RE.findall(body)}
    if cover:
        images = {i for i in images if i.removeprefix("./") != cover} | {cover}
    videos = len(set(_YOUTUBE_RE.findall(body))) + len(_VIDEO_TAG_RE.findall(body))
    return len(images), videos


def categories_for(network: Network, unit: Unit) -> dict[str, str]:
    """The unit's news categories: the network's (a unit's own config may not declare plugins,
    :mod:`edusite.structure.network`)."""
    return base_categories(network.root)


def collect_unit(
    network: Network,
    unit: Unit,
    *,
    now: datetime,
    years: Iterable[int] | None = None,
    categories: dict[str, str] | None = None,
    memo_dir: Path | None = None,
) -> UnitData:
    """Read the unit's published posts and albums.

    ``years`` limits reading to ``tin-tuc/<yyyy>/`` folders of those years (a portal's report
    would otherwise parse years of history); posts are kept when not drafts and dated at or
    before ``now``. With ``memo_dir``, what was read is kept in ``memo_dir/<unit id>.json`` under
    the hash of the unit's content folder (:func:`edusite.digests.folder_hash`), so a portal
    re-reading hundreds of unchanged members parses no YAML.
    """
    data = UnitData(unit)
    docs = network.content_dir(unit)
    cats = categories if categories is not None else categories_for(network, unit)
    wanted = {str(y) for y in years} if years is not None else None
    memo_file, memo_key, read = None, "", None
    if memo_dir is not None:
        memo_file = memo_dir / f"{unit.id}.json"
        # Everything _read_posts and _albums depend on: the unit's files, id, groups, the
        # categories and the years (the memo key adds the edusite code).
        memo_key = memo.key(
            unit.id,
            list(unit.groups),
            cats,
            sorted(wanted or []),
            folder_hash(docs, memo_dir.parent / "digests.json"),
        )
        read = _decode(memo.load(memo_file, memo_key))
    if read is None:
        items, problems, seen_groups = _read_posts(unit, docs, _post_files(docs, wanted), cats)
        read = (items + _albums(docs, wanted), problems, seen_groups)
        if memo_file is not None:
            memo.store(memo_file, memo_key, _encode(read))
    items, problems, seen_groups = read
    data.problems.extend(problems)
    data.items = sorted((i for i in items if i.date <= now), key=lambda i: (i.date, i.source))
    data.groups = list(unit.groups) or sorted(seen_groups)
    return data


def _post_files(docs: Path, wanted: set[str] | None) -> list[tuple[Path, str]]:
    """``(path, src_uri)`` of the unit's post files in the wanted year folders, sorted.

    Plain strings until the end: a Sở lists 18,000 member posts on every build.
    """
    news = docs / NEWS_DIR
    base = os.fspath(docs)
    try:
        years = sorted(e.name for e in os.scandir(news) if e.is_dir())
    except OSError:
        return []
    found: list[str] = []
    for year in years:
        if wanted is not None and year not in wanted:
            continue
        for top, _dirs, names in os.walk(os.path.join(news, year)):
            found += (f"{top}/{n}" for n in names if n.endswith(".md"))
    # The order Path.rglob + sorted gave: by path components.
    found.sort(key=lambda name: name.split("/"))
    out: list[tuple[Path, str]] = []
    for name in found:
        src_uri = name[len(base) + 1 :].replace(os.sep, "/")
        if is_post(src_uri) and (not os.path.islink(name) or stays_inside(name, base)):
            out.append((Path(name), src_uri))
    return out


def _read_posts(
    unit: Unit, docs: Path, posts: list[tuple[Path, str]], cats: dict[str, str]
) -> Read:
    """Every non-draft post as an :class:`Item` (future ones too), errors, groups seen.

    A post that cannot be read or is invalid is skipped with its errors (a portal's report
    never fails for a member's bad file; the member's own build fails).
    """
    items: list[Item] = []
    problems: list[Problem] = []
    seen_groups: set[str] = set()
    for path, src_uri in posts:
        post, found = load_post(
            path, src_uri, unit_id=unit.id, categories=cats, groups=unit.groups or None
        )
        problems.extend(p for p in found if p.severity == "error")
        if post is None:
            continue
        if post.group:
            seen_groups.add(post.group)
        if post.draft:
            continue
        try:
            _meta, body = split_front_matter(read_source(path))
            photos, videos = media_counts(body, post.image)
        except EdusiteError as exc:  # changed since load_post read it
            problems.extend(exc.problems)
            continue
        except Exception as exc:  # noqa: BLE001 - one file's failure must stay that file's
            problems.append(unreadable(path, exc, ("bài viết", "post")))
            continue
        items.append(
            Item(
                date=post.date,
                group=post.group,
                categories=tuple(post.categories),
                featured=post.featured,
                photos=photos,
                videos=videos,
                source=src_uri,
            )
        )
    return items, problems, seen_groups


# -- memo: what a unit's files gave ------------------------------------------------------------

Read = tuple[list[Item], list[Problem], set[str]]


def _encode(read: Read) -> dict[str, Any]:
    items, problems, groups = read
    return {
        "items": [{**asdict(i), "date": i.date.isoformat()} for i in items],
        "problems": [asdict(p) for p in problems],
        "groups": sorted(groups),
    }


def _decode(value: Any) -> Read | None:
    """Inverse of :func:`_encode`; ``None`` for no value or a malformed one."""
    if value is None:
        return None
    try:
        items = [
            Item(
                date=datetime.fromisoformat(i["date"]),
                kind=i["kind"],
                group=i["group"],
                categories=tuple(i["categories"]),
                featured=bool(i["featured"]),
                photos=int(i["photos"]),
                videos=int(i["videos"]),
                source=i["source"],
            )
            for i in value["items"]
        ]
        return items, [Problem(**p) for p in value["problems"]], set(value["groups"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _albums(docs: Path, wanted: set[str] | None) -> list[Item]:
    """Photo albums below ``thu-vien-anh/``: folders ``yyyy-mm-dd-…`` with image files."""
    root = docs / ALBUM_DIR
    if not root.is_dir():
        return []
    items: list[Item] = []
    for folder in sorted(p for p in root.rglob("*") if p.is_dir()):
        m = _ALBUM_RE.match(folder.name)
        if not m or (wanted is not None and m.group(1) not in wanted):
            continue
        try:
            day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=TZ)
        except ValueError:
            continue
        photos = sum(1 for f in folder.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        if photos:
            items.append(
                Item(
                    date=day,
                    kind="album",
                    photos=photos,
                    source=folder.relative_to(docs).as_posix(),
                )
            )
    return items
