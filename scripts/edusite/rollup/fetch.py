"""Fetching remote feeds with httpx: timeouts, a deadline, a size cap, few redirects.

The body is streamed and counted as it arrives, so a 50 MB answer costs at most the cap (plus one
chunk) in memory and is abandoned as soon as the cap is passed. Redirects are followed by hand so
the limit holds whatever client the caller passes, and only to ``http``/``https`` addresses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__
from .parse import MAX_DOCUMENT, FeedError

#: Content types accepted for a feed. Anything else (``text/html`` above all) is refused; some
#: servers label feeds ``text/plain`` or ``application/octet-stream``, so those are let through
#: and the parser decides.
FEED_TYPES = {
    "",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
    "text/plain",
    "application/octet-stream",
}
ACCEPT = (
    "application/rss+xml, application/atom+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.7, "
    "*/*;q=0.1"
)
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchSettings:
    """Limits for remote fetching (seconds and bytes); tests pass small ones."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0  # total per feed, checked between chunks and redirects
    max_bytes: int = MAX_DOCUMENT
    max_redirects: int = 3
    concurrency: int = 4  # feeds fetched at the same time
    user_agent: str = (
        f"edusite/{__version__} (roll-up of school news; +https://pypi.org/project/edusite/)"
    )

    def timeout(self) -> httpx.Timeout:
        """The httpx timeout for one request."""
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.connect_timeout,
        )


@dataclass(frozen=True)
class FetchResponse:
    """A feed answer: 200 with a body, or 304 without one."""

    status: int
    url: str  # the final address, after redirects
    content_type: str
    etag: str
    last_modified: str
    body: bytes = b""


def make_client(settings: FetchSettings) -> httpx.Client:
    """An httpx client sized for ``settings`` (the caller closes it)."""
    return httpx.Client(
        timeout=settings.timeout(),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=max(1, settings.concurrency)),
    )


def fetch(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    *,
    etag: str = "",
    last_modified: str = "",
) -> FetchResponse:
    """GET ``url`` conditionally; return a 200 or 304 answer or raise :class:`FeedError`."""
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": ACCEPT,
        # Compressed bodies could expand far beyond the cap inside one chunk.
        "Accept-Encoding": "identity",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + settings.deadline
    current = url
    try:
        for _hop in range(settings.max_redirects + 1):
            _check_deadline(deadline, settings)
            with client.stream(
                "GET",
                current,
                headers=headers,
                timeout=settings.timeout(),
                follow_redirects=False,
            ) as resp:
                if resp.status_code in REDIRECTS and "location" in resp.headers:
                    current = _redirect_target(current, resp.headers["location"])
                    continue
                return _answer(resp, current, settings, deadline)
    except httpx.TimeoutException as exc:
        raise FeedError(
            f"hết thời gian chờ ({type(exc).__name__})", f"timed out ({type(exc).__name__})"
        ) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FeedError(f"lỗi kết nối: {exc}", f"connection error: {exc}") from exc
    raise FeedError(
        f"chuyển hướng quá {settings.max_redirects} lần",
        f"more than {settings.max_redirects} redirects",
    )


def _redirect_target(current: str, location: str) -> str:
    target = urljoin(current, location)
    if urlsplit(target).scheme.lower() not in ("http", "https"):
        raise FeedError(
            f"chuyển hướng tới địa chỉ không hợp lệ: {target}",
            f"redirect to an unsupported address: {target}",
        )
    return target


def _check_deadline(deadline: float, settings: FetchSettings) -> None:
    if time.monotonic() > deadline:
        raise FeedError(
            f"quá thời hạn {settings.deadline:g} giây cho một nguồn tin",
            f"exceeded the {settings.deadline:g} s deadline for one feed",
        )


def _answer(
    resp: httpx.Response, url: str, settings: FetchSettings, deadline: float
) -> FetchResponse:
    """Read a final (non-redirect) response within the limits."""
    status = resp.status_code
    ctype = resp.headers.get("content-type", "")
    common = {
        "url": url,
        "content_type": ctype,
        "etag": resp.headers.get("etag", ""),
        "last_modified": resp.headers.get("last-modified", ""),
    }
    if status == 304:
        return FetchResponse(status=304, **common)
    if status not in (200, 203):
        raise FeedError(f"máy chủ trả lời HTTP {status}", f"server answered HTTP {status}", status)
    media = ctype.split(";", 1)[0].strip().lower()
    if media not in FEED_TYPES and not media.endswith("+xml"):
        raise FeedError(
            f"kiểu nội dung sai: {media} (không phải nguồn tin)",
            f"wrong content type: {media} (not a feed)",
            status,
        )
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_bytes:
        raise _too_large(settings, status, declared=int(declared))
    body = bytearray()
    for chunk in resp.iter_bytes():
        body += chunk
        if len(body) > settings.max_bytes:
            raise _too_large(settings, status)
        _check_deadline(deadline, settings)
    return FetchResponse(status=status, body=bytes(body), **common)


def _too_large(settings: FetchSettings, status: int, declared: int | None = None) -> FeedError:
    size_vi = f"{declared:,} byte" if declared else f"hơn {settings.max_bytes:,} byte"
    size_en = f"{declared:,} bytes" if declared else f"over {settings.max_bytes:,} bytes"
    return FeedError(
        f"nguồn tin quá lớn ({size_vi}; tối đa {settings.max_bytes:,}), đã ngừng tải",
        f"feed too large ({size_en}; limit {settings.max_bytes:,}), download stopped",
        status,
    )
