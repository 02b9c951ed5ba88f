"""Fetching remote feeds with httpx: timeouts, a deadline, a size cap, few redirects, and no
way into the build machine's own network.

The body is streamed raw (:meth:`httpx.Response.iter_raw`: httpx never decompresses) and counted
as it arrives, so a 50 MB answer costs at most the cap (plus one chunk) in memory and is abandoned
as soon as the cap is passed; a compressed answer (any ``Content-Encoding`` but ``identity``,
which is all we ask for) is refused, since it could expand far beyond the cap.

**Redirects** are followed by hand, so the limits hold whatever client the caller passes: at most
:attr:`FetchSettings.max_redirects`, only to ``http``/``https``, and only to the configured URL's
own host (same scheme and port, or an ``http`` → ``https`` upgrade) or to a host listed in
:attr:`FetchSettings.redirect_hosts`.

**Addresses.** A member's feed is fetched from wherever its DNS points, and the feed-health page
is published: without a check, a hostile member could make the build probe the build machine's
network (``127.0.0.1:22``, ``169.254.169.254``, ``10.0.0.1``…) and read the answers off that page.
So no connection is made to a loopback, private, link-local, shared, multicast, reserved or
unspecified address, unless the configured URL's host is that very address written as an IP
literal (a feed on ``http://127.0.0.1:8000/`` in tests or on an intranet), or the address is in
:attr:`FetchSettings.allow_networks`. A host *name* never grants that: its DNS is the member's.

Where the check happens: clients made by :func:`make_client` connect through
:class:`GuardedTransport`, an httpx transport over an :class:`httpcore.ConnectionPool` whose
network backend (:class:`GuardedBackend`, httpcore's public ``network_backend`` hook) resolves
the host itself, checks every address, and connects to the checked IP literal only. The address
checked is the address connected to, so DNS rebinding (a public answer for a check, a private one
for the connection) cannot get through; TLS still verifies the certificate against the host name
(httpcore passes it as SNI). A client the caller supplies is not guarded at connect time:
:func:`fetch` then resolves the host before each request and refuses it if *any* address is
disallowed, which leaves the rebinding window between that look-up and httpx's own.

Errors are :class:`.parse.FeedError` categories (could not connect, timed out, HTTP status, too
large, not a feed, redirect refused, address refused…) safe to publish; the raw exception text
goes to ``detail`` for the build log.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import re
import socket
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .. import __version__
from . import sanitize as S
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
_MEDIA_RE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")

#: Categories of failure, fit for a published page.
CONNECT_FAILED = ("không kết nối được", "could not connect")
BAD_ANSWER = ("máy chủ trả lời không hợp lệ", "invalid answer from the server")
REDIRECT_REFUSED = ("chuyển hướng bị chặn", "redirect refused")
ADDRESS_REFUSED = ("địa chỉ bị chặn", "address refused")
COMPRESSED = (
    "nội dung bị nén dù đã yêu cầu không nén (bị từ chối)",
    "compressed body refused (identity was asked)",
)

Resolver = Callable[..., list[tuple[Any, ...]]]


@dataclass(frozen=True)
class FetchSettings:
    """Limits for remote fetching (seconds and bytes); tests pass small ones."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0  # total per feed, checked between chunks and redirects
    max_bytes: int = MAX_DOCUMENT
    max_redirects: int = 3
    concurrency: int = 4  # feeds fetched at the same time
    #: Hosts a feed may be redirected to besides its own: exact names, or ``.example.vn`` for
    #: that domain and every subdomain.
    redirect_hosts: frozenset[str] = frozenset()
    #: Networks (CIDR, e.g. ``10.1.0.0/16``) that may be connected to although not public.
    allow_networks: tuple[str, ...] = ()
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


# -- address checks ---------------------------------------------------------------------------


class AddressRefused(httpcore.ConnectError):
    """Every address of a host is one we must not connect to."""


@dataclass(frozen=True)
class _Permit:
    """Non-public addresses the current feed may use: its configured IP literal, the networks
    of :attr:`FetchSettings.allow_networks`."""

    addresses: frozenset[Any] = frozenset()
    networks: tuple[Any, ...] = ()


_PERMIT: contextvars.ContextVar[_Permit | None] = contextvars.ContextVar(
    "rollup_permit", default=None
)
#: Clients made by :func:`make_client` (checked at connect time).
_GUARDED: weakref.WeakSet[httpx.Client] = weakref.WeakSet()


def _ip(text: str) -> Any:
    """An ``ipaddress`` object for ``text`` (a scope ``%eth0`` dropped), or ``None``."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def address_allowed(ip: Any, permit: _Permit | None = None) -> bool:
    """True when ``ip`` is public, or permitted for the current feed (see the module)."""
    permit = permit or _PERMIT.get() or _Permit()
    if ip in permit.addresses or any(ip in net for net in permit.networks):
        return True
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        return address_allowed(mapped, permit)
    return bool(
        ip.is_global
        and not (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
        )
    )


def _resolve_checked(host: str, port: int, resolve: Resolver) -> tuple[list[str], list[str]]:
    """``(allowed, refused)``: the addresses of ``host``, sorted by :func:`address_allowed`."""
    try:
        infos = resolve(host, port, 0, socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host!r}: {exc}") from exc
    allowed: list[str] = []
    refused: list[str] = []
    for *_rest, sockaddr in infos:
        ip = _ip(str(sockaddr[0]))
        bucket = allowed if ip is not None and address_allowed(ip) else refused
        text = str(ip) if ip is not None else str(sockaddr[0])
        if text not in bucket:
            bucket.append(text)
    return allowed, refused


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, connecting only to allowed addresses (see the module).

    ``resolve`` is :func:`socket.getaddrinfo` unless a test passes its own resolver.
    """

    def __init__(self, resolve: Resolver | None = None) -> None:
        self._resolve = resolve or socket.getaddrinfo
        self._sync = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        allowed, refused = _resolve_checked(host, port, self._resolve)
        if not allowed:
            raise AddressRefused(f"{host!r} has only refused addresses: {', '.join(refused)}")
        error: Exception | None = None
        for ip in allowed:
            try:
                return self._sync.connect_tcp(ip, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for feeds")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


_HTTPCORE_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.ProxyError, httpx.ProxyError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    """Raise httpcore's exceptions as httpx's (the original stays as ``__cause__``)."""
    try:
        yield
    except Exception as exc:
        for core, mapped in _HTTPCORE_ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        if hasattr(self._stream, "close"):
            self._stream.close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport over httpcore's connection pool with :class:`GuardedBackend`.

    httpx's own :class:`httpx.HTTPTransport` has no public way to choose the network backend,
    so this is the same few lines over httpcore's public API (HTTP/1.1, no proxy, TLS verified).
    """

    def __init__(self, settings: FetchSettings, resolve: Resolver | None = None) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=max(1, settings.concurrency),
            max_keepalive_connections=max(1, settings.concurrency),
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(resolve),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            resp = self._pool.handle_request(core)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Body(resp.stream),
            extensions=resp.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def make_client(settings: FetchSettings, *, resolve: Resolver | None = None) -> httpx.Client:
    """An httpx client sized for ``settings``, checking addresses at connect time (the caller
    closes it). No proxy from the environment: requests go straight to the checked address.
    ``resolve`` replaces :func:`socket.getaddrinfo` (tests)."""
    client = httpx.Client(
        timeout=settings.timeout(),
        follow_redirects=False,
        transport=GuardedTransport(settings, resolve),
        trust_env=False,
    )
    _GUARDED.add(client)
    return client


def _permit_for(configured: Iterable[str], settings: FetchSettings) -> _Permit:
    """What a member whose portal configured the addresses ``configured`` (its feed, its site)
    may connect to beyond public addresses: their IP literals, and the allowed networks."""
    networks = []
    for cidr in settings.allow_networks:
        with contextlib.suppress(ValueError):
            networks.append(ipaddress.ip_network(cidr, strict=False))
    literals = set()
    for url in configured:
        try:
            literal = _ip(urlsplit(url).hostname or "")
        except ValueError:
            literal = None
        if literal is not None:
            literals.add(literal)
    return _Permit(frozenset(literals), tuple(networks))


def _precheck(url: str) -> None:
    """For clients not made by :func:`make_client`: refuse ``url`` if its host has any address
    that is not allowed (checked before httpx resolves it again)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    _allowed, refused = _resolve_checked(host, port, socket.getaddrinfo)
    if refused:
        raise AddressRefused(f"{host!r} has refused addresses: {', '.join(refused)}")


#: Content types accepted for a member's cover image (:mod:`.images` also checks the bytes).
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
IMAGE_ACCEPT = "image/webp, image/jpeg, image/png, image/gif;q=0.5"


def fetch(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    *,
    etag: str = "",
    last_modified: str = "",
    types: frozenset[str] | None = None,
    accept: str = ACCEPT,
    configured: Iterable[str] | None = None,
    until: float | None = None,
) -> FetchResponse:
    """GET ``url`` conditionally; return a 200 or 304 answer or raise :class:`FeedError`.

    ``types`` replaces the feed content types accepted (:data:`FEED_TYPES`, any ``+xml``):
    :data:`IMAGE_TYPES` for cover images, with ``accept`` :data:`IMAGE_ACCEPT`.

    ``configured``: the addresses the portal configured for this member (default ``url``, the
    feed itself); only their IP literals are permitted although not public (see the module).
    An address the member's own document names (a cover, an archive) passes its member's
    configured addresses, never itself. ``until``: a :func:`time.monotonic` time the fetch must
    end by, when earlier than :attr:`FetchSettings.deadline` (a member's covers share one)."""
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": accept,
        # Compressed bodies could expand far beyond the cap inside one chunk.
        "Accept-Encoding": "identity",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + settings.deadline
    if until is not None:
        deadline = min(deadline, until)
    current = url
    guarded = client in _GUARDED
    token = _PERMIT.set(_permit_for((url,) if configured is None else configured, settings))
    try:
        for _hop in range(settings.max_redirects + 1):
            _check_deadline(deadline, settings)
            if not guarded:
                _precheck(current)
            with client.stream(
                "GET",
                current,
                headers=headers,
                timeout=settings.timeout(),
                follow_redirects=False,
            ) as resp:
                if resp.status_code in REDIRECTS and "location" in resp.headers:
                    current = _redirect_target(url, current, resp.headers["location"], settings)
                    continue
                return _answer(resp, current, settings, deadline, types)
    except AddressRefused as exc:
        raise _fail(ADDRESS_REFUSED, exc) from None
    except httpx.TimeoutException as exc:
        name = type(exc).__name__
        raise FeedError(
            f"hết thời gian chờ ({name})", f"timed out ({name})", detail=str(exc)
        ) from None
    except httpx.ConnectError as exc:
        refused = isinstance(exc.__cause__, AddressRefused)
        raise _fail(ADDRESS_REFUSED if refused else CONNECT_FAILED, exc) from None
    except (httpx.ProtocolError, httpx.DecodingError) as exc:
        raise _fail(BAD_ANSWER, exc) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpcore.ConnectError) as exc:
        raise _fail(CONNECT_FAILED, exc) from None
    finally:
        _PERMIT.reset(token)
    raise FeedError(
        f"chuyển hướng quá {settings.max_redirects} lần",
        f"more than {settings.max_redirects} redirects",
    )


def _fail(category: tuple[str, str], exc: BaseException, status: int | None = None) -> FeedError:
    return FeedError(*category, status, detail=f"{type(exc).__name__}: {exc}")


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if host and not host.isascii():
        host = S.safe_url(f"{scheme}://{host}/") or host
        host = urlsplit(host).hostname or host
    return scheme, host, parts.port or (443 if scheme == "https" else 80)


def _host_listed(host: str, listed: frozenset[str]) -> bool:
    for entry in listed:
        entry = entry.lower().rstrip(".")
        if host == entry or (entry.startswith(".") and f".{host}".endswith(entry)):
            return True
    return False


def _redirect_target(configured: str, current: str, location: str, settings: FetchSettings) -> str:
    """The address ``location`` points to, if a redirect there is allowed (see the module)."""
    try:
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
        scheme, host, port = _origin(target)
    except ValueError:
        raise FeedError(*REDIRECT_REFUSED, detail=f"unparsable Location {location!r}") from None
    if scheme not in ("http", "https") or not host:
        vi, en = REDIRECT_REFUSED
        raise FeedError(
            f"{vi} (địa chỉ không hợp lệ)",
            f"{en} (unsupported address)",
            detail=f"Location {location!r}",
        )
    if parts.username is not None or parts.password is not None:
        raise FeedError(*REDIRECT_REFUSED, detail=f"user name in Location {location!r}")
    home_scheme, home_host, home_port = _origin(configured)
    same = host == home_host and (
        (scheme, port) == (home_scheme, home_port)
        or (home_scheme, home_port, scheme, port) == ("http", 80, "https", 443)
    )
    if not same and not _host_listed(host, settings.redirect_hosts):
        vi, en = REDIRECT_REFUSED
        raise FeedError(
            f"{vi} (sang máy chủ khác)", f"{en} (to another host)", detail=f"Location {target!r}"
        )
    return target


def same_site(url: str, home: str) -> bool:
    """True when ``url`` is on the host of ``home`` and on its port, or both on their schemes'
    default ports (a cover on ``http://`` of an ``https://`` feed's host is on its site; another
    port of that host is another service)."""
    try:
        scheme, host, port = _origin(url)
        home_scheme, home_host, home_port = _origin(home)
    except ValueError:
        return False
    default = {"http": 80, "https": 443}
    return (
        bool(host)
        and host.lower() == home_host.lower()
        and (
            port == home_port
            or (default.get(scheme) == port and default.get(home_scheme) == home_port)
        )
    )


def _check_deadline(deadline: float, settings: FetchSettings) -> None:
    if time.monotonic() > deadline:
        raise FeedError(
            f"quá thời hạn {settings.deadline:g} giây cho một nguồn tin",
            f"exceeded the {settings.deadline:g} s deadline for one feed",
        )


def _answer(
    resp: httpx.Response,
    url: str,
    settings: FetchSettings,
    deadline: float,
    types: frozenset[str] | None = None,
) -> FetchResponse:
    """Read a final (non-redirect) response within the limits."""
    status = resp.status_code
    ctype = resp.headers.get("content-type", "")
    common = {
        "url": url,
        "content_type": ctype[:200],
        "etag": S.clean_guid(resp.headers.get("etag", ""))[:1024],
        "last_modified": S.clean_guid(resp.headers.get("last-modified", ""))[:1024],
    }
    if status == 304:
        return FetchResponse(status=304, **common)
    if status not in (200, 203):
        raise FeedError(f"máy chủ trả lời HTTP {status}", f"server answered HTTP {status}", status)
    media = ctype.split(";", 1)[0].strip().lower()
    wrong = (
        media not in types
        if types is not None
        else (media not in FEED_TYPES and not media.endswith("+xml"))
    )
    if wrong:
        shown = media if _MEDIA_RE.fullmatch(media) else "?"  # a header is no text to publish
        what = (
            ("không phải ảnh", "not an image")
            if types is not None
            else (
                "không phải nguồn tin",
                "not a feed",
            )
        )
        raise FeedError(
            f"kiểu nội dung sai: {shown} ({what[0]})",
            f"wrong content type: {shown} ({what[1]})",
            status,
            detail=f"Content-Type {ctype!r}",
        )
    encoding = resp.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise FeedError(*COMPRESSED, status, detail=f"Content-Encoding {encoding!r}")
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_bytes:
        raise _too_large(settings, status, declared=int(declared))
    body = bytearray()
    for chunk in resp.iter_raw():
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
