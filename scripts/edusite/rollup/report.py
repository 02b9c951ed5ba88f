"""Human-readable feed-health summaries for the build log (the portal's page uses the data)."""

from __future__ import annotations

from ..text import format_datetime
from .model import FeedHealth, RollupResult

#: Status names in Vietnamese and English.
STATUS_NAMES = {
    "ok": ("tốt", "ok"),
    "not-modified": ("không đổi", "not modified"),
    "stale": ("dùng bản lưu", "stale"),
    "failed": ("lỗi", "failed"),
}


def health_line(h: FeedHealth, *, detail: bool = False) -> str:
    """One line about a feed: who, where, status, error, failures, last success.

    ``detail=True`` adds the raw cause of the error (:attr:`FeedHealth.error_detail`): for the
    build log only, never for a page.
    """
    vi, en = STATUS_NAMES[h.status]
    parts = [f"{h.source_id} ({h.source_name}) {h.url}: {vi} / {en}"]
    if h.http_status:
        parts.append(f"HTTP {h.http_status}")
    if h.message:
        parts.append(h.message)
    if detail and h.error_detail:
        parts.append(f"chi tiết / detail: {h.error_detail}")
    if h.consecutive_failures:
        parts.append(f"{h.consecutive_failures} lần lỗi liên tiếp / failures in a row")
    if h.status in ("stale", "failed"):
        when = format_datetime(h.last_success) if h.last_success else "chưa có / never"
        parts.append(f"lần tốt gần nhất / last success: {when}")
    return " — ".join(parts)


def health_summary(result: RollupResult, portal: str = "", *, detail: bool = True) -> str:
    """A short bilingual report for the build log: counts per status, then one line per feed
    needing attention (stale or failed, with the raw detail unless ``detail=False``), then the
    number of warnings. Healthy feeds are only counted."""
    c = result.counts()
    head = (
        f"Nguồn tin{f' của {portal}' if portal else ''}: {c['ok']} tốt, "
        f"{c['not-modified']} không đổi, {c['stale']} dùng bản lưu, {c['failed']} lỗi; "
        f"{len(result.items)} tin / Feeds{f' of {portal}' if portal else ''}: {c['ok']} ok, "
        f"{c['not-modified']} not modified, {c['stale']} stale, {c['failed']} failed; "
        f"{len(result.items)} items"
    )
    lines = [head]
    lines += [f"  ✗ {health_line(h, detail=detail)}" for h in result.health if not h.healthy]
    warnings = result.warnings
    if warnings:
        lines.append(f"  {len(warnings)} cảnh báo / warnings")
    return "\n".join(lines)
