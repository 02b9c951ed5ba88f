"""Per-feed state on disk: conditional-GET validators, failure count, backoff, last good items.

One JSON file per feed, ``<state_dir>/<portal-id>/<feed-key>.json``, written atomically (a
temporary file in the same folder, then ``os.replace``), with sorted keys so unchanged state
gives unchanged bytes. A missing or unreadable file is treated as "no state".

A state file is input like any feed (a build cache can be poisoned): everything read back is
cleaned again (:func:`.sanitize.clean_item` for items, the same text and URL cleaning for the
rest; item HTML when :func:`.collect.collect` returns the item), so a tampered file cannot put
markup, an unsafe URL or a header injection anywhere.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import Problem
from . import sanitize as S
from .model import RollupItem

#: Bump when the file layout changes; older files are then ignored. 2: items stored by version 1
#: may hold URLs and text cleaned less strictly (issue #14), so they are all dropped.
STATE_VERSION = 2
#: Longest validator (ETag, Last-Modified) kept.
MAX_VALIDATOR = 1024
#: Retry delay after the first failure; doubles with each further failure up to MAX_BACKOFF.
FIRST_BACKOFF = timedelta(minutes=15)
MAX_BACKOFF = timedelta(days=1)


@dataclass
class FeedState:
    """What we remember about one feed between builds."""

    url: str
    etag: str = ""
    last_modified: str = ""
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    consecutive_failures: int = 0
    last_error_vi: str = ""
    last_error_en: str = ""
    last_error_detail: str = ""  # raw cause, build log only
    http_status: int | None = None
    next_try: datetime | None = None
    site_link: str = ""
    items: list[RollupItem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    digest: str = ""  # sha256 of the local feed file the items were parsed from

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "version": STATE_VERSION,
            "url": self.url,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "last_success": iso(self.last_success),
            "last_attempt": iso(self.last_attempt),
            "consecutive_failures": self.consecutive_failures,
            "last_error": {
                "vi": self.last_error_vi,
                "en": self.last_error_en,
                "detail": self.last_error_detail,
            },
            "http_status": self.http_status,
            "next_try": iso(self.next_try),
            "site_link": self.site_link,
            "digest": self.digest,
            "items": [item.to_dict() for item in self.items],
            "warnings": [
                {"file": w.file, "field": w.field, "vi": w.vi, "en": w.en} for w in self.warnings
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedState:
        """Inverse of :meth:`to_dict`; raises on malformed data.

        Everything is cleaned again on the way in (see the module's docstring): items through
        :func:`.sanitize.clean_item` (their HTML when :func:`.collect.collect` returns them),
        URLs through :func:`.sanitize.safe_url`, messages as plain text; validators lose control
        characters; numbers must be numbers, dates must have a time zone.
        """

        def when(key: str) -> datetime | None:
            value = data.get(key)
            if not value:
                return None
            stamp = datetime.fromisoformat(value)
            if stamp.tzinfo is None:
                raise ValueError(f"{key}: a date without a time zone")
            return stamp

        def message(value: Any, max_chars: int = 500) -> str:
            return S.plain_text(str(value or ""), max_chars)

        def validator(value: Any) -> str:
            return S.clean_guid(str(value or ""))[:MAX_VALIDATOR]

        error = data.get("last_error") or {}
        status = data.get("http_status")
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
        ):
            raise ValueError(f"http_status: {status!r}")
        return cls(
            url=str(data["url"]),
            etag=validator(data.get("etag")),
            last_modified=validator(data.get("last_modified")),
            last_success=when("last_success"),
            last_attempt=when("last_attempt"),
            consecutive_failures=max(0, int(data.get("consecutive_failures") or 0)),
            last_error_vi=message(error.get("vi")),
            last_error_en=message(error.get("en")),
            last_error_detail=message(error.get("detail"), 2000),
            http_status=status,
            next_try=when("next_try"),
            site_link=S.safe_url(str(data.get("site_link") or "")) or "",
            digest=str(data.get("digest") or "")[:128],
            # HTML is cleaned again when the item leaves collect(): nh3 is most of the cost.
            items=[
                S.clean_item(RollupItem.from_dict(d), html=False) for d in data.get("items") or []
            ],
            warnings=[
                Problem(
                    S.clean_guid(str(w["file"])),
                    message(w.get("field"), 100) or None,
                    message(w["vi"], 2000),
                    message(w["en"], 2000),
                    severity="warning",
                )
                for w in data.get("warnings") or []
            ],
        )


def state_path(state_dir: Path, portal_id: str, key: str) -> Path:
    """Where the state of feed ``key`` read by ``portal_id`` lives."""
    return state_dir / portal_id / f"{key}.json"


def load_state(path: Path) -> FeedState | None:
    """The stored state, or ``None`` when the file is missing, unreadable or from another version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return None
        return FeedState.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_state(path: Path, state: FeedState) -> None:
    """Write ``state`` atomically; skip the write when the file already holds the same bytes."""
    text = json.dumps(state.to_dict(), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def backoff(failures: int) -> timedelta:
    """Delay before the next attempt after ``failures`` consecutive failures (15 min, 30 min, …, 1 day)."""
    if failures <= 0:
        return timedelta(0)
    return min(FIRST_BACKOFF * (2 ** min(failures - 1, 16)), MAX_BACKOFF)
