"""The roll-up result model: items, per-feed health, and where each feed comes from.

Everything here is plain data with a stable JSON form (used for the per-feed state files), so the
same inputs always give the same objects and the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import Problem

#: Health statuses, from best to worst.
STATUSES = ("ok", "not-modified", "stale", "failed")


@dataclass(frozen=True)
class Source:
    """One feed a portal reads: an in-repo member's built feed file or a remote member's URL."""

    key: str  # file-name-safe state key: "<unit-id>.feed", "<unit-id>.featured", "remote.<id>"
    kind: str  # "local" or "remote"
    unit_id: str
    unit_name: str
    url: str  # remote: the feed URL; local: the public URL the file will have
    site_url: str = ""  # the member's home page ("" for a remote member without one)
    path: Path | None = None  # local feeds only
    featured: bool | None = None  # True when the feed only holds featured posts


@dataclass(frozen=True)
class RollupItem:
    """One news item as a portal shows it: sanitised, absolute links, attributed to its source.

    ``title``, ``summary_text``, ``author`` and ``categories`` are plain text with no markup
    (escape them when rendering: Jinja's ``|e``, feedgen does it itself); ``summary_html`` and
    ``content_html`` are sanitised HTML fragments, safe to insert as they are.
    """

    guid: str
    link: str
    title: str
    summary_html: str
    summary_text: str
    content_html: str
    published: datetime | None  # aware, Asia/Ho_Chi_Minh; None when the feed gave no date
    updated: datetime | None
    image: str  # absolute http(s) URL of the cover image, or ""
    image_alt: str
    categories: tuple[str, ...]
    author: str
    source_id: str
    source_name: str
    source_url: str
    featured: bool | None = None  # True: came from a featured feed; None: unknown

    def sort_key(self) -> tuple[bool, float, str]:
        """Newest first, undated items last, ties broken by guid."""
        stamp = -self.published.timestamp() if self.published else 0.0
        return (self.published is None, stamp, self.guid)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (dates as ISO 8601 strings)."""
        return {
            "guid": self.guid,
            "link": self.link,
            "title": self.title,
            "summary_html": self.summary_html,
            "summary_text": self.summary_text,
            "content_html": self.content_html,
            "published": self.published.isoformat() if self.published else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "image": self.image,
            "image_alt": self.image_alt,
            "categories": list(self.categories),
            "author": self.author,
            "source_id": self.source_id,
            "source_name": self.source_name,
            "source_url": self.source_url,
            "featured": self.featured,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RollupItem:
        """Inverse of :meth:`to_dict`; raises ``KeyError``/``ValueError``/``TypeError`` on bad data."""

        def when(key: str) -> datetime | None:
            value = data.get(key)
            if not value:
                return None
            stamp = datetime.fromisoformat(value)
            if stamp.tzinfo is None:  # we only ever write aware dates
                raise ValueError(f"{key}: a date without a time zone")
            return stamp

        return cls(
            guid=str(data["guid"]),
            link=str(data["link"]),
            title=str(data["title"]),
            summary_html=str(data["summary_html"]),
            summary_text=str(data["summary_text"]),
            content_html=str(data["content_html"]),
            published=when("published"),
            updated=when("updated"),
            image=str(data["image"]),
            image_alt=str(data["image_alt"]),
            categories=tuple(str(c) for c in data["categories"]),
            author=str(data["author"]),
            source_id=str(data["source_id"]),
            source_name=str(data["source_name"]),
            source_url=str(data["source_url"]),
            featured=data.get("featured"),
        )


@dataclass(frozen=True)
class FeedHealth:
    """How one feed fared in this build, for the build log and the portal's health page.

    ``status``: ``ok`` (read now), ``not-modified`` (HTTP 304, stored items reused), ``stale``
    (not read now: failed, offline or waiting to retry; the last good items are shown) or
    ``failed`` (not read and nothing stored: the member contributes no items).

    ``error_vi``/``error_en`` are categories of failure, fit for the published health page: never
    an exception text, address, port or path. ``error_detail`` is the raw cause (exception text,
    resolved address…) for the build log only: it is not in :meth:`to_context`, and must not be
    rendered on a page.
    """

    source_id: str
    source_name: str
    kind: str  # "local" or "remote"
    url: str
    path: Path | None
    status: str
    http_status: int | None = None
    error_vi: str = ""
    error_en: str = ""
    items: int = 0  # items this feed contributed before de-duplication and limits
    last_success: datetime | None = None
    consecutive_failures: int = 0
    next_try: datetime | None = None
    warnings: tuple[Problem, ...] = ()
    error_detail: str = ""  # build log only: never on a page
    archives: int = 0  # RFC 5005 archive documents read in this build to close a gap

    @property
    def healthy(self) -> bool:
        """True when the feed was read (or confirmed unchanged) in this build."""
        return self.status in ("ok", "not-modified")

    @property
    def message(self) -> str:
        """The error in both languages (``"vi / en"``), or ``""``."""
        if not self.error_vi and not self.error_en:
            return ""
        return f"{self.error_vi} / {self.error_en}"

    def to_context(self) -> dict[str, Any]:
        """Plain data for templates and JSON reports (without :attr:`error_detail`)."""
        return {
            "source_id": self.source_id,
            "source_name": self.source_name,
            "kind": self.kind,
            "url": self.url,
            "status": self.status,
            "healthy": self.healthy,
            "http_status": self.http_status,
            "error_vi": self.error_vi,
            "error_en": self.error_en,
            "items": self.items,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "consecutive_failures": self.consecutive_failures,
            "next_try": self.next_try.isoformat() if self.next_try else None,
            "warnings": [str(w) for w in self.warnings],
            "archives": self.archives,
        }


@dataclass
class RollupResult:
    """What a portal shows: items newest first (already limited) and the health of every feed."""

    items: list[RollupItem]
    health: list[FeedHealth]
    #: Warnings not tied to one feed: configuration warnings, guids shared by different posts.
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        """Every warning: :attr:`problems` first, then each feed's in feed order."""
        return [*self.problems, *(w for h in self.health for w in h.warnings)]

    def counts(self) -> dict[str, int]:
        """Number of feeds per status, every status present (for summaries)."""
        out = dict.fromkeys(STATUSES, 0)
        for h in self.health:
            out[h.status] += 1
        return out
