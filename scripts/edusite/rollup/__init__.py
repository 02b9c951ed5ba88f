"""Portal roll-up: aggregate member units' news feeds into a portal, safely and reproducibly.

Entry points:

- :func:`collect` — read the feeds a portal's ``extra.unit.rollup`` policy names (in-repo
  members' built feeds under the build output, remote members by URL), sanitise, de-duplicate,
  sort and limit; returns a :class:`RollupResult` (items + per-feed :class:`FeedHealth`).
- :func:`inputs` — the in-repo feed files a portal's roll-up depends on (for the build cache).
- :func:`check_policy` / :func:`get_policy` — validate a portal's roll-up configuration.
- :func:`health_summary` — the bilingual feed-health text for the build log.
- :func:`cover_files` — the covers of the items a portal shows, fetched once for its own
  image pipeline (in-repo members: their built files; remote: HTTP with the same limits).

Independent of MkDocs; see ``docs/rollup.md``.
"""

from .collect import collect, normalize_link
from .fetch import FetchSettings
from .images import CoverFile, cover_files
from .model import FeedHealth, RollupItem, RollupResult, Source
from .parse import FeedError, check_document
from .policy import RemoteMember, RollupPolicy, check_policy, feed_sources, get_policy, inputs
from .report import STATUS_NAMES, health_line, health_summary

__all__ = [
    "STATUS_NAMES",
    "CoverFile",
    "FeedError",
    "FeedHealth",
    "FetchSettings",
    "RemoteMember",
    "RollupItem",
    "RollupPolicy",
    "RollupResult",
    "Source",
    "check_document",
    "check_policy",
    "collect",
    "cover_files",
    "feed_sources",
    "get_policy",
    "health_line",
    "health_summary",
    "inputs",
    "normalize_link",
]
