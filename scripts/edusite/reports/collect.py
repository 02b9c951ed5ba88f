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

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..digests import Digests, build_trees, reader
from ..errors import EdusiteError, Problem
from ..structure.network import Network, Unit
from ..structure.posts import NEWS_DIR, is_post, load_post
from ..text import TZ, nfc
from ..yamlio import load_yaml_file, split_front_matter

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


def _plugin_categories(config: Any) -> dict[str, str] | None:
    """``plugins.edusite.categories`` of a parsed mkdocs.yml (plugins as mapping or list)."""
    if not isinstance(config, dict):
        return None
    plugins = config.get("plugins")
    entries: Iterable[Any] = plugins.items() if isinstance(plugins, dict) else []
    if isinstance(plugins, list):
        entries = [next(iter(p.items())) for p in plugins if isinstance(p, dict) and p]
    for name, options in entries:
        if name == "edusite" and isinstance(options, dict):
            cats = options.get("categories")
            if isinstance(cats, dict):
                return {str(k): nfc(str(v)) for k, v in cats.items()}
    return None


def categories_for(network: Network, unit: Unit) -> dict[str, str]:
    """The unit's news categories: its own config's list, else the base ``mkdocs.yml``'s."""
    for config_file in (unit.config_file, network.root / "mkdocs.yml"):
        try:
            stat = config_file.stat()
            found = _categories_in(str(config_file), stat.st_mtime_ns, stat.st_size)
        except (EdusiteError, OSError):
            found = None
        if found is not None:
            return dict(found)
    return {}


@lru_cache(maxsize=4096)
def _categories_in(path: str, _mtime_ns: int, _size: int) -> dict[str, str] | None:
    """The categories a config file declares, parsed once per file version (a portal's report
    asks for the base ``mkdocs.yml`` once per member)."""
    return _plugin_categories(load_yaml_file(path))


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
    a hash of the files' bytes, so a portal re-reading hundreds of unchanged members parses no
    YAML (see :func:`_memo_key`).
    """
    data = UnitData(unit)
    docs = network.content_dir(unit)
    cats = categories if categories is not None else categories_for(network, unit)
    wanted = {str(y) for y in years} if years is not None else None
    memo = memo_dir / f"{unit.id}.json" if memo_dir is not None else None
    posts: list[tuple[Path, str]] | None = None
    key = ""
    if memo_dir is not None:
        tree = build_trees().get(os.path.realpath(docs))
        if tree is not None:  # the builder hashed this folder already: no need to list it
            key = _memo_key_tree(unit, cats, wanted, tree)
        else:  # the build's table of file digests spares re-reading (see digests)
            posts = _post_files(docs, wanted)
            digests = reader(memo_dir.parent / "digests.json")
            key = _memo_key(unit, docs, posts, cats, wanted, digests)
    read = _load_memo(memo, key) if memo is not None else None
    if read is None:
        if posts is None:
            posts = _post_files(docs, wanted)
        read = _read_posts(unit, docs, posts, cats)
        read = (read[0] + _albums(docs, wanted), read[1], read[2])
        if memo is not None:
            _save_memo(memo, key, read)
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
        if is_post(src_uri):
            out.append((Path(name), src_uri))
    return out


def _read_posts(
    unit: Unit, docs: Path, posts: list[tuple[Path, str]], cats: dict[str, str]
) -> tuple[list[Item], list[Problem], set[str]]:
    """Every non-draft post as an :class:`Item` (future ones too), errors, groups seen."""
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
        _meta, body = split_front_matter(nfc(path.read_text(encoding="utf-8-sig")))
        photos, videos = media_counts(body, post.image)
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


# -- memo: what a unit's files gave, keyed by their bytes ---------------------------------------

MEMO_VERSION = 1


def _memo_key(
    unit: Unit,
    docs: Path,
    posts: list[tuple[Path, str]],
    cats: dict[str, str],
    wanted: set[str] | None,
    digests: Digests,
) -> str:
    """Hash of everything :func:`_read_posts` and :func:`_albums` depend on: the edusite code,
    the unit's id and groups, the categories, the years, each post file's path and bytes, and
    the album folders' file names (albums count files, not bytes)."""
    from ..cache import code_hash

    h = hashlib.sha256(f"{MEMO_VERSION}\0{code_hash()}\0{unit.id}".encode())
    h.update(json.dumps([list(unit.groups), cats, sorted(wanted or [])], sort_keys=True).encode())
    for path, src_uri in posts:
        h.update(f"{src_uri}\0{digests.of(path)}\0".encode())
    root = docs / ALBUM_DIR
    if root.is_dir():
        for f in sorted(root.rglob("*")):
            h.update(f.relative_to(docs).as_posix().encode() + b"\0")
    return h.hexdigest()


def _memo_key_tree(unit: Unit, cats: dict[str, str], wanted: set[str] | None, tree: str) -> str:
    """Like :func:`_memo_key`, from the hash of the unit's whole content folder (every file's
    path and bytes), which the builder computed for the cache keys of this very run."""
    from ..cache import code_hash

    h = hashlib.sha256(f"{MEMO_VERSION}\0tree\0{code_hash()}\0{unit.id}\0{tree}".encode())
    h.update(json.dumps([list(unit.groups), cats, sorted(wanted or [])], sort_keys=True).encode())
    return h.hexdigest()


def _load_memo(path: Path, key: str) -> tuple[list[Item], list[Problem], set[str]] | None:
    """The memo's content when its key matches; ``None`` when missing, stale or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("key") != key:
            return None
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
            for i in data["items"]
        ]
        problems = [Problem(**p) for p in data["problems"]]
        return items, problems, set(data["groups"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save_memo(path: Path, key: str, read: tuple[list[Item], list[Problem], set[str]]) -> None:
    """Write the memo atomically; a failure only costs the next build a re-read."""
    items, problems, groups = read
    data = {
        "key": key,
        "items": [{**asdict(i), "date": i.date.isoformat()} for i in items],
        "problems": [asdict(p) for p in problems],
        "groups": sorted(groups),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


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
