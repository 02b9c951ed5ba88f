"""Listing pages: the news index, categories and monthly archives, paginated.

Pure data: a :class:`Listing` knows its items, its URL and its neighbours; templates render it.
URLs are site-relative (``tin-tuc/trang/2/``) and turned into page-relative links by MkDocs'
``url`` filter at render time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .posts import NEWS_DIR, Post

PAGE_DIR = "trang"
CATEGORY_DIR = "chuyen-muc"
ARCHIVE_DIR = "luu-tru"


@dataclass
class Listing:
    """One page of a paginated list."""

    kind: str  # news | category | archive | archive-index | rollup | rollup-unit
    title: str
    base_url: str  # URL of page 1, e.g. "tin-tuc/chuyen-muc/thong-bao/"
    items: Sequence[Any]
    page: int = 1
    pages: int = 1
    total: int = 0
    key: str = ""  # category slug, "yyyy/mm", or unit id
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Site-relative URL of this page."""
        return page_url(self.base_url, self.page)

    @property
    def src_uri(self) -> str:
        """Virtual Markdown source path MkDocs sees for this page."""
        return self.url + "index.md"

    @property
    def prev_url(self) -> str | None:
        return page_url(self.base_url, self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return page_url(self.base_url, self.page + 1) if self.page < self.pages else None

    def page_links(self) -> list[tuple[int, str]]:
        """(number, url) for every page of this list."""
        return [(n, page_url(self.base_url, n)) for n in range(1, self.pages + 1)]


def page_url(base_url: str, page: int) -> str:
    """Page 1 lives at ``base_url``; page n at ``base_url/trang/n/``."""
    return base_url if page <= 1 else f"{base_url}{PAGE_DIR}/{page}/"


def paginate(
    kind: str, title: str, base_url: str, items: Sequence[Any], per_page: int, key: str = ""
) -> list[Listing]:
    """Split ``items`` into pages of ``per_page``; an empty list still yields one page."""
    per_page = max(1, per_page)
    pages = max(1, -(-len(items) // per_page))
    return [
        Listing(
            kind=kind,
            title=title,
            base_url=base_url,
            items=items[(n - 1) * per_page : n * per_page],
            page=n,
            pages=pages,
            total=len(items),
            key=key,
        )
        for n in range(1, pages + 1)
    ]


def month_title(year_month: str) -> str:
    """``2026/09`` → ``Tháng 09/2026``."""
    year, month = year_month.split("/")
    return f"Tháng {month}/{year}"


def get_listings(posts: Sequence[Post], categories: dict[str, str], per_page: int) -> list[Listing]:
    """All listing pages of a site: news index, one list per used category, monthly archives.

    ``posts`` must already be sorted newest first and filtered (no drafts, no future posts).
    """
    out = paginate("news", "Tin tức", f"{NEWS_DIR}/", posts, per_page)
    for slug, name in categories.items():
        chosen = [p for p in posts if slug in p.categories]
        if chosen:
            out += paginate(
                "category", name, f"{NEWS_DIR}/{CATEGORY_DIR}/{slug}/", chosen, per_page, slug
            )
    months: dict[str, list[Post]] = {}
    for post in posts:
        months.setdefault(post.year_month, []).append(post)
    for ym in sorted(months, reverse=True):
        out += paginate(
            "archive",
            f"Lưu trữ {month_title(ym).lower()}",
            f"{NEWS_DIR}/{ARCHIVE_DIR}/{ym}/",
            months[ym],
            per_page,
            ym,
        )
    index = Listing(
        kind="archive-index",
        title="Lưu trữ tin tức",
        base_url=f"{NEWS_DIR}/{ARCHIVE_DIR}/",
        items=[
            {
                "key": ym,
                "title": month_title(ym),
                "url": f"{NEWS_DIR}/{ARCHIVE_DIR}/{ym}/",
                "count": len(months[ym]),
            }
            for ym in sorted(months, reverse=True)
        ],
        total=len(months),
    )
    out.append(index)
    return out
