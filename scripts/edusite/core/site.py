"""Everything one unit's site knows during a build, independent of MkDocs objects.

The plugin feeds it files and rendered HTML; it returns posts, listings, menus and template
context. Keeping this out of ``plugin.py`` keeps the MkDocs hooks thin and the logic testable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from .. import context
from ..context import BuildContext
from ..errors import EdusiteError, Problem, problem
from ..structure.listings import Listing, get_listings
from ..structure.network import Network, Unit, get_network
from ..structure.posts import NEWS_DIR, Post, is_post, load_post
from ..text import format_date, now

#: Top menu: (title, candidate source files in order). Missing sections are hidden.
MENU = [
    ("Trang chủ", ["index.md"]),
    ("Giới thiệu", ["gioi-thieu/index.md", "gioi-thieu.md"]),
    ("Tin tức", [f"{NEWS_DIR}/index.md"]),
    ("Tin đơn vị", ["tin-don-vi/index.md"]),
    ("Văn bản", ["van-ban/index.md", "van-ban.md"]),
    ("Thư viện ảnh", ["thu-vien-anh/index.md"]),
    ("Công khai", ["cong-khai/index.md", "cong-khai.md"]),
    ("Báo cáo", ["bao-cao/index.md"]),
    ("Liên hệ", ["lien-he.md", "lien-he/index.md"]),
]

_NETWORK_CACHE: dict[Path, tuple[tuple[tuple[str, int], ...], Network]] = {}


def get_network_cached(root: Path) -> Network:
    """:func:`get_network`, cached per process while no site config changes (a ``mkdocs serve``
    rebuilds, a process that builds several sites). Under ``edusite build`` plugins take the
    network of the build's context instead (:func:`site_network`): it was validated once, and
    the configs do not change while the run lasts."""
    files = sorted((root / "sites").glob("*/mkdocs.yml"))
    stamp = tuple(
        (str(f), f.stat().st_mtime_ns) for f in [root / "mkdocs.yml", *files] if f.exists()
    )
    cached = _NETWORK_CACHE.get(root)
    if cached and cached[0] == stamp:
        return cached[1]
    network = get_network(root)
    _NETWORK_CACHE[root] = (stamp, network)
    return network


def site_network(
    config_file: str | Path, site_dir: str | Path, network_root: str | Path | None = None
) -> tuple[BuildContext, Network]:
    """The build context of one site (:func:`edusite.context.for_site`) and its network: the
    context's own when it has one for this repository, else loaded (and cached) from disk."""
    ctx = context.for_site(config_file, site_dir)
    root = Path(network_root).resolve() if network_root else Path(ctx.root).resolve()
    if ctx.network is not None and Path(ctx.network.root).resolve() == root:
        return ctx, ctx.network
    return ctx, get_network_cached(root)


def site_unit(config: Any) -> tuple[BuildContext, Network, Unit]:
    """What a plugin's ``on_config`` needs: the build context, the network and this site's unit
    (``extra.unit.id``); an unknown unit is an :class:`EdusiteError` naming the config file.
    ``config`` is MkDocs' (``config_file_path``, ``site_dir``, ``extra``, ``plugins``)."""
    core = config.plugins.get("edusite")
    configured = getattr(getattr(core, "config", None), "network_root", None)
    ctx, network = site_network(config.config_file_path, config.site_dir, configured)
    unit_id = ((config.extra.get("unit") or {}).get("id")) or ""
    if unit_id not in network:
        raise EdusiteError(
            problem(
                config.config_file_path,
                "extra.unit.id",
                f"không tìm thấy đơn vị '{unit_id}'",
                f"unit '{unit_id}' not found",
            )
        )
    return ctx, network, network[unit_id]


@dataclass
class SiteState:
    """One site's build data: its unit, posts and generated listings."""

    network: Network
    unit: Unit
    docs_dir: Path
    site_dir: Path
    categories: dict[str, str]
    per_page: int = 10
    today: datetime = field(default_factory=now)
    posts: list[Post] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # src_uris of drafts and future posts
    next_scheduled: datetime | None = None  # earliest future post: the site changes then
    listings: dict[str, Listing] = field(default_factory=dict)  # by src_uri
    problems: list[Problem] = field(default_factory=list)
    _by_src: dict[str, Post] = field(default_factory=dict, repr=False)

    output_root: Path | None = None  # every unit's built site (public/): the context's out

    def __post_init__(self) -> None:
        if self.output_root is None:
            self.output_root = self.site_dir.parent

    # -- collecting ---------------------------------------------------------------------------

    def collect_posts(self, sources: list[tuple[str, Path]]) -> None:
        """Load every post among ``(src_uri, abs_path)``; drafts and future posts are hidden."""
        posts: list[Post] = []
        for src_uri, abs_path in sources:
            if not is_post(src_uri):
                continue
            post, found = load_post(
                abs_path,
                src_uri,
                unit_id=self.unit.id,
                categories=self.categories,
                groups=self.unit.groups or None,
            )
            self.problems.extend(found)
            if post is None:
                continue
            if post.draft or post.date > self.today:
                self.hidden.append(src_uri)
                if not post.draft and (
                    self.next_scheduled is None or post.date < self.next_scheduled
                ):
                    self.next_scheduled = post.date
                continue
            posts.append(post)
        seen: dict[str, Post] = {}
        for post in posts:
            if post.id in seen:
                from ..errors import problem

                self.problems.append(
                    problem(
                        post.abs_path or post.src_uri,
                        "id",
                        f"mã bài viết '{post.id}' bị trùng với {seen[post.id].src_uri}",
                        f"duplicate post id '{post.id}', also used by {seen[post.id].src_uri}",
                    )
                )
            seen[post.id] = post
        self.posts = sorted(posts, key=Post.sort_key)
        self._read_image_sizes()

    def _read_image_sizes(self) -> None:
        """Width and height of cover images, so pages reserve space (no layout shift)."""
        from PIL import Image

        for post in self.posts:
            if post.image and post.abs_path:
                try:
                    with Image.open(post.abs_path.parent / post.image) as img:
                        post.image_size = img.size
                except Exception:  # noqa: BLE001 - any unreadable image: reported by the image plugin
                    post.image_size = None

    def hidden_bundle_dirs(self) -> list[str]:
        """Bundle folders of hidden posts: their photos must not be published either."""
        return [
            str(PurePosixPath(uri).parent) + "/"
            for uri in self.hidden
            if PurePosixPath(uri).name == "index.md"
        ]

    def make_listings(self) -> list[Listing]:
        """Compute every listing page and remember them by virtual source path."""
        listings = get_listings(self.posts, self.categories, self.per_page)
        self.listings = {listing.src_uri: listing for listing in listings}
        return listings

    def add_listings(self, listings: list[Listing]) -> None:
        """Register listing pages made elsewhere (roll-up, disclosure)."""
        for listing in listings:
            self.listings[listing.src_uri] = listing

    # -- queries for templates ----------------------------------------------------------------

    def post_by_src(self, src_uri: str) -> Post | None:
        """The published post whose source is ``src_uri``, if any."""
        if len(self._by_src) != len(self.posts):
            self._by_src = {p.src_uri: p for p in self.posts}
        return self._by_src.get(src_uri)

    def related(self, post: Post, count: int) -> list[Post]:
        """Newest posts sharing a category with ``post`` (then newest overall), excluding it."""
        cats = set(post.categories)
        same: list[Post] = []
        rest: list[Post] = []
        for p in self.posts:  # newest first; stop as soon as enough same-category posts are found
            if p is post:
                continue
            (same if cats.intersection(p.categories) else rest).append(p)
            if len(same) >= count:
                break
        return (same + rest)[:count]

    def used_categories(self) -> dict[str, str]:
        """Categories that have at least one published post, in list order."""
        used = {c for p in self.posts for c in p.categories}
        return {slug: name for slug, name in self.categories.items() if slug in used}

    def menu(self, existing: set[str]) -> list[dict[str, str]]:
        """Top menu entries whose source file exists (``existing`` = src_uris of the site)."""
        out = []
        for title, candidates in MENU:
            for src in candidates:
                if src in existing:
                    out.append({"title": title, "src": src})
                    break
        return out

    def unit_context(self) -> dict[str, Any]:
        """Identity of the unit, its parent and its Sở for header and footer."""
        unit = self.unit
        parent = self.network.units.get(unit.parent or "")
        top = self.network.root_unit(unit.id)
        return {
            "unit": unit.to_context(),
            "parent": parent.to_context() if parent else None,
            "so": top.to_context()
            if top.id != unit.id and (not parent or top.id != parent.id)
            else None,
            "network": dict(self.network.settings),
            "categories": self.categories,
        }


def post_context(post: Post) -> dict[str, Any]:
    """Plain data for one post card or page."""
    return {
        "id": post.id,
        "title": post.title,
        "url": post.url,
        "date": post.date,
        "date_text": format_date(post.date),
        "iso_date": post.date.isoformat(),
        "summary": post.summary,
        "image": f"{post.url}{post.image}" if post.image else None,
        "image_alt": post.image_alt,
        "image_width": post.image_size[0] if post.image_size else None,
        "image_height": post.image_size[1] if post.image_size else None,
        "categories": post.categories,
        "author": post.author,
        "group": post.group,
        "featured": post.featured,
    }
