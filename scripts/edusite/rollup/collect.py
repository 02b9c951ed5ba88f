"""The roll-up engine: read every feed a portal's policy names, merge, de-duplicate, limit.

Local feeds (members built in this repository) are read from the build output; remote feeds are
fetched concurrently with a small bound. Every feed keeps its last good items in its state file,
so a feed that fails (missing file, timeout, HTTP error, malformed XML, …) still shows what it
showed before, and is reported in the result's health list. Results are deterministic: feeds are
processed in a fixed order, and items sorted newest first with ties broken by guid.

Nothing stored is trusted: items read back from state are cleaned again (:mod:`.state`), and
every item :func:`collect` returns goes through :func:`.sanitize.clean_item` once more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import httpx

from .. import text
from ..errors import EdusiteError, Problem, problem
from ..structure.network import Network
from ..text import fold, format_datetime, to_local
from . import sanitize as S
from .fetch import FetchSettings, _redirect_target, fetch, make_client
from .model import FeedHealth, RollupItem, RollupResult, Source
from .parse import MAX_FEED_ITEMS, FeedError, ParsedFeed, parse_document
from .policy import RollupPolicy, check_policy, feed_sources, get_policy
from .state import FeedState, backoff, load_state, save_state, state_path

_TRACKING = ("utm_", "fbclid", "gclid", "zarsrc")


@dataclass
class _Outcome:
    """One feed's items and health for this build, and the state to store for it."""

    items: list[RollupItem]
    health: FeedHealth
    state: FeedState | None


def collect(
    network: Network,
    portal_id: str,
    output_root: Path,
    state_dir: Path | None,
    *,
    offline: bool = False,
    now: datetime | None = None,
    client: httpx.Client | None = None,
    settings: FetchSettings | None = None,
) -> RollupResult:
    """Roll up the news of portal ``portal_id`` per its ``extra.unit.rollup`` policy.

    Args:
        network: the repository's units (:func:`edusite.structure.network.get_network`).
        portal_id: a unit of kind ``so`` or ``portal``.
        output_root: the build output holding ``<id>/feed.xml`` etc. (normally ``public/``).
        state_dir: where per-feed state lives (normally ``.cache/rollup``); the portal's files go
            to ``state_dir/<portal_id>/``; ``None`` keeps no state (``--no-cache``).
        offline: fetch nothing; remote feeds contribute their stored items only.
        now: the build time (defaults to :func:`edusite.text.now`, which ``EDUSITE_NOW`` pins).
        client: an httpx client to reuse (one is created and closed otherwise).
        settings: timeouts and caps for remote fetching.

    Raises :class:`edusite.errors.EdusiteError` when ``portal_id`` is not a portal of the
    network or its roll-up configuration is invalid; feed problems never raise, they are
    reported in :attr:`RollupResult.health`.
    """
    if portal_id not in network:
        raise EdusiteError(
            problem(
                network.root / "sites",
                None,
                f"không có đơn vị '{portal_id}'",
                f"there is no unit '{portal_id}'",
            )
        )
    unit = network[portal_id]
    policy = get_policy(unit)
    config_warnings = [p for p in check_policy(unit)[1] if p.severity == "warning"]
    now = to_local(now) if now else text.now()
    settings = settings or FetchSettings()
    sources = feed_sources(network, portal_id, output_root, policy)
    states = [  # no state folder (--no-cache): every feed starts afresh and nothing is kept
        load_state(state_path(state_dir, portal_id, s.key)) if state_dir is not None else None
        for s in sources
    ]

    want = Want.of(policy, now)
    outcomes: list[_Outcome | None] = [None] * len(sources)
    remote: list[int] = []
    for i, (source, state) in enumerate(zip(sources, states, strict=True)):
        if source.kind == "local":
            outcomes[i] = _read_local(source, state, settings, now, want)
        else:
            remote.append(i)
    if remote:
        own = client is None and not offline
        http = make_client(settings) if own else client
        try:
            with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
                results = pool.map(
                    lambda i: _refresh_remote(
                        sources[i], states[i], settings, http, now, offline, want
                    ),
                    remote,
                )
                for i, outcome in zip(remote, results, strict=True):
                    outcomes[i] = outcome
        finally:
            if own and http is not None:
                http.close()

    done = [o for o in outcomes if o is not None]
    for source, outcome in zip(sources, done, strict=True):
        if outcome.state is not None and state_dir is not None:
            save_state(state_path(state_dir, portal_id, source.key), outcome.state)
    items, merge_warnings = _merge([o.items for o in done], policy, now)
    # Whatever its origin (this build's parse, a state file), every item returned has been
    # through the sanitiser in this process: stored items' HTML is only cleaned again here.
    items = [S.clean_item(item) for item in items]
    return RollupResult(
        items=items,
        health=[o.health for o in done],
        problems=[*config_warnings, *merge_warnings],
    )


# -- reading one feed -----------------------------------------------------------------------


@dataclass(frozen=True)
class Want:
    """How much of one feed the portal needs: ``items`` newest items (its limits, at most
    :data:`.parse.MAX_FEED_ITEMS`), none older than ``oldest`` (``max_age_days``)."""

    items: int
    oldest: datetime | None = None
    days: int | None = None  # max_age_days (what the cached parse depends on, not "now")

    @classmethod
    def of(cls, policy: RollupPolicy, now: datetime) -> Want:
        items = min(policy.limit, policy.per_unit_limit or policy.limit, MAX_FEED_ITEMS)
        oldest = now - timedelta(days=policy.max_age_days) if policy.max_age_days else None
        return cls(items, oldest, policy.max_age_days)


#: Archive documents read for one feed in one build, at most (RFC 5005 gap filling).
MAX_ARCHIVES = 10


def _complete(
    parsed: ParsedFeed,
    doc_url: str,
    stored: FeedState | None,
    want: Want,
    read: Callable[[str], ParsedFeed],
    source: Source,
) -> tuple[list[RollupItem], list[Problem], int]:
    """The feed's items for the portal, from its subscription document ``parsed``: when the
    document links an older archive (RFC 5005 ``prev-archive``), check for a gap between what
    it holds and the items stored from the last build, and only then follow ``prev-archive``
    (with ``read``) until the gap is closed, the portal has what it needs (``want``), or there
    is nothing older. Returns the items (newest first), warnings and the archives read.

    * no ``prev-archive``: the document is the whole feed, its items are all there is;
    * the newest stored item is in the document: no gap; stored items older than the
      document's oldest complete it (a post removed there stays until it falls out);
    * otherwise (first read, or more new posts than a document holds since the last build):
      archives are read, newest first, each adding what the document did not have.
    """
    items = list(parsed.items)
    warnings: list[Problem] = []
    url = parsed.prev_archive
    if not url:
        return items, warnings, 0
    newest_stored = stored.items[0] if stored and stored.last_success and stored.items else None
    known = {i.guid for i in items}
    visited = {doc_url}
    reads = 0

    def enough() -> bool:
        if len(items) >= want.items:
            return True
        dated = [i.published for i in items if i.published is not None]
        return bool(want.oldest and dated and min(dated) < want.oldest)

    while True:
        if newest_stored is not None and newest_stored.guid in known:
            dated = [i.published for i in items if i.published is not None]
            floor = min(dated) if dated else None
            assert stored is not None
            items += [
                s
                for s in stored.items
                if s.guid not in known
                and (s.published is None or floor is None or s.published <= floor)
            ]
            break
        if enough() or not url:
            break
        if url in visited or reads >= MAX_ARCHIVES:
            warnings.append(
                Problem(
                    source.url,
                    None,
                    f"nguồn tin {source.unit_name}: đã đọc {reads} trang lưu trữ, dừng lại "
                    f"(tối đa {MAX_ARCHIVES} trang mỗi lần, hoặc trang lặp lại)",
                    f"the feed of {source.unit_name}: read {reads} archive documents and "
                    f"stopped (at most {MAX_ARCHIVES} per build, or a loop)",
                    severity="warning",
                )
            )
            break
        visited.add(url)
        try:
            older = read(url)
        except FeedError as exc:
            warnings.append(
                Problem(
                    source.url,
                    None,
                    f"nguồn tin {source.unit_name}: không đọc được trang lưu trữ: {exc.vi}",
                    f"the feed of {source.unit_name}: could not read an archive document: {exc.en}",
                    severity="warning",
                )
            )
            break
        reads += 1
        warnings += older.warnings
        if not older.archive:
            warnings.append(
                Problem(
                    source.url,
                    None,
                    f"nguồn tin {source.unit_name}: trang “prev-archive” không phải trang lưu trữ "
                    "(thiếu fh:archive); không đọc tiếp",
                    f"the feed of {source.unit_name}: its prev-archive document is not an archive "
                    "(no fh:archive); not followed further",
                    severity="warning",
                )
            )
            break
        for item in older.items:
            if item.guid not in known:
                known.add(item.guid)
                items.append(item)
        url = older.prev_archive
    items = _unique_items(sorted(items, key=RollupItem.sort_key))[:MAX_FEED_ITEMS]
    return items, warnings, reads


def _unique_items(items: list[RollupItem]) -> list[RollupItem]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.guid not in seen:
            seen.add(item.guid)
            out.append(item)
    return out


def _local_archive(
    source: Source, settings: FetchSettings, now: datetime
) -> Callable[[str], ParsedFeed]:
    """Reads an in-repo member's archive documents: only ``.xml`` files of its own built site,
    by their public address (below the member's ``site_url``)."""
    assert source.path is not None
    folder = source.path.parent.resolve()

    def read(url: str) -> ParsedFeed:
        if not url.startswith(source.site_url) or not url.endswith(".xml"):
            raise FeedError(
                "địa chỉ trang lưu trữ nằm ngoài trang của đơn vị",
                "the archive's address is outside the member's site",
                detail=url,
            )
        path = (folder / unquote(url[len(source.site_url) :])).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            raise FeedError("không có tệp lưu trữ này", "no such archive file", detail=str(path))
        if path.stat().st_size > settings.max_bytes:
            raise FeedError(
                f"tệp lưu trữ quá lớn (tối đa {settings.max_bytes:,} byte)",
                f"archive file too large (limit {settings.max_bytes:,} bytes)",
            )
        return parse_document(
            path.read_bytes(),
            source,
            doc_url=url,
            content_type="application/xml",
            now=now,
            max_bytes=settings.max_bytes,
        )

    return read


def _remote_archive(
    source: Source, settings: FetchSettings, client: httpx.Client, now: datetime, base: str
) -> Callable[[str], ParsedFeed]:
    """Reads a remote member's archive documents: with the same limits as its feed, and only
    on the feed's own host (like its redirects)."""

    def read(url: str) -> ParsedFeed:
        target = _redirect_target(source.url, base, url, settings)
        resp = fetch(client, target, settings, configured=(source.url,))
        if resp.status != 200 and resp.status != 203:
            raise FeedError(f"HTTP {resp.status}", f"HTTP {resp.status}", resp.status)
        return parse_document(
            resp.body,
            source,
            doc_url=resp.url,
            content_type=resp.content_type,
            now=now,
            max_bytes=settings.max_bytes,
        )

    return read


def _read_local(
    source: Source, state: FeedState | None, settings: FetchSettings, now: datetime, want: Want
) -> _Outcome:
    """Read an in-repo member's built feed file (and its archives when there is a gap); on
    failure fall back to its last good items."""
    assert source.path is not None
    usable = state if state and state.url == source.url else None
    try:
        try:
            size = source.path.stat().st_size
        except FileNotFoundError:
            raise FeedError(
                f"chưa có tệp {source.path.name} của đơn vị (trang của đơn vị chưa được dựng?)",
                f"the member's {source.path.name} is missing (was its site built?)",
            ) from None
        if size > settings.max_bytes:
            raise FeedError(
                f"tệp quá lớn ({size:,} byte; tối đa {settings.max_bytes:,})",
                f"file too large ({size:,} bytes; limit {settings.max_bytes:,})",
            )
        data = source.path.read_bytes()
        # Items carry the source's identity too: a renamed member must be parsed again.
        identity = "\n".join(
            (
                source.unit_id,
                source.unit_name,
                source.url,
                source.site_url,
                str(source.featured),
                f"{want.items}/{want.days}",  # a portal needing more may read archives
            )
        )
        digest = hashlib.sha256(identity.encode() + b"\0" + data).hexdigest()
        if _unchanged(usable, digest, now):
            assert usable is not None
            new = replace(usable, last_success=now, last_attempt=now)
            return _outcome(source, new, "ok", new.items)
        parsed = parse_document(
            data,
            source,
            doc_url=source.url,
            content_type="application/xml",
            now=now,
            max_bytes=settings.max_bytes,
        )
        items, more, reads = _complete(
            parsed, source.url, usable, want, _local_archive(source, settings, now), source
        )
    except OSError as exc:
        unreadable = FeedError("không đọc được tệp", "could not read the file", detail=str(exc))
        return _failure(source, usable, unreadable, now)
    except FeedError as exc:
        return _failure(source, usable, exc, now)
    new = FeedState(
        url=source.url,
        last_success=now,
        last_attempt=now,
        site_link=parsed.site_link,
        items=items,
        warnings=[*parsed.warnings, *more],
        digest=digest,
    )
    return _outcome(source, new, "ok", items, archives=reads)


def _unchanged(state: FeedState | None, digest: str, now: datetime) -> bool:
    """True when ``state`` holds the items parsed from exactly these bytes and parsing again
    could give nothing new: the same digest, a clean last read, and no item dated after ``now``
    plus a day (the only time-dependent part of parsing is the "dated in the future" warning).

    A portal reads hundreds of member feeds; most are unchanged between builds, and parsing
    them again with feedparser costs about 10 ms each.
    """
    if state is None or not state.digest or state.digest != digest:
        return False
    if state.last_success is None or state.consecutive_failures:
        return False
    limit = now + timedelta(days=1)
    return all(i.published is None or i.published <= limit for i in state.items)


def _refresh_remote(
    source: Source,
    state: FeedState | None,
    settings: FetchSettings,
    client: httpx.Client | None,
    now: datetime,
    offline: bool,
    want: Want | None = None,
) -> _Outcome:
    """Fetch a remote feed conditionally, honouring backoff (and its archives when there is a
    gap); fall back to the last good items."""
    want = want or Want(MAX_FEED_ITEMS)
    usable = state if state and state.url == source.url else None
    if offline or client is None:
        return _stored(
            source,
            usable,
            "chế độ ngoại tuyến: không tải lại",
            "offline: not fetched",
        )
    # Wait only if time really moved on since the last attempt: with a pinned build time
    # (EDUSITE_NOW) or a clock set back, "now" never passes next_try, so retry instead.
    if (
        usable
        and usable.next_try
        and usable.last_attempt
        and usable.last_attempt < now < usable.next_try
    ):
        when = format_datetime(usable.next_try)
        return _stored(
            source,
            usable,
            f"chờ thử lại lúc {when}; lỗi gần nhất: {usable.last_error_vi}",
            f"waiting to retry at {when}; last error: {usable.last_error_en}",
        )
    known = usable if usable and usable.last_success else None
    status: int | None = None
    try:
        resp = fetch(
            client,
            source.url,
            settings,
            etag=known.etag if known else "",
            last_modified=known.last_modified if known else "",
        )
        status = resp.status
        if resp.status == 304:
            if known is None:
                raise FeedError(
                    "máy chủ trả lời 304 nhưng chưa có bản lưu",
                    "server answered 304 but there is no stored copy",
                    304,
                )
            new = replace(
                known,
                etag=resp.etag or known.etag,
                last_modified=resp.last_modified or known.last_modified,
                last_success=now,
                last_attempt=now,
                consecutive_failures=0,
                last_error_vi="",
                last_error_en="",
                last_error_detail="",
                http_status=304,
                next_try=None,
            )
            return _outcome(source, new, "not-modified", _attribute(new.items, source, new))
        parsed = parse_document(
            resp.body,
            source,
            doc_url=resp.url,
            content_type=resp.content_type,
            now=now,
            max_bytes=settings.max_bytes,
        )
        items, more, reads = _complete(
            parsed,
            resp.url,
            usable,
            want,
            _remote_archive(source, settings, client, now, resp.url),
            source,
        )
    except FeedError as exc:
        if exc.http_status is None:
            exc.http_status = status
        return _failure(source, usable, exc, now, retry=True)
    new = FeedState(
        url=source.url,
        etag=resp.etag,
        last_modified=resp.last_modified,
        last_success=now,
        last_attempt=now,
        http_status=resp.status,
        site_link=parsed.site_link,
        items=items,
        warnings=[*parsed.warnings, *more],
    )
    return _outcome(source, new, "ok", items, archives=reads)


def _attribute(items: list[RollupItem], source: Source, state: FeedState) -> list[RollupItem]:
    """Stored items with today's source name and address (the config may have changed)."""
    site = S.safe_url(source.site_url) or state.site_link or S.origin(source.url)
    name = S.plain_text(source.unit_name, S.MAX_SHORT)
    return [
        replace(
            item,
            source_id=source.unit_id,
            source_name=name,
            source_url=site,
            featured=source.featured,
        )
        for item in items
    ]


def _outcome(
    source: Source, state: FeedState, status: str, items: list[RollupItem], archives: int = 0
) -> _Outcome:
    health = FeedHealth(
        source_id=source.unit_id,
        source_name=source.unit_name,
        kind=source.kind,
        url=source.url,
        path=source.path,
        status=status,
        http_status=state.http_status,
        error_vi=state.last_error_vi if status in ("stale", "failed") else "",
        error_en=state.last_error_en if status in ("stale", "failed") else "",
        error_detail=state.last_error_detail if status in ("stale", "failed") else "",
        items=len(items),
        last_success=state.last_success,
        consecutive_failures=state.consecutive_failures,
        next_try=state.next_try,
        warnings=tuple(state.warnings),
        archives=archives,
    )
    return _Outcome(items, health, state)


def _failure(
    source: Source, usable: FeedState | None, err: FeedError, now: datetime, retry: bool = False
) -> _Outcome:
    """Record a failed attempt; keep the last good items (status ``stale``) if there are any."""
    base = usable or FeedState(url=source.url)
    failures = base.consecutive_failures + 1
    new = replace(
        base,
        last_attempt=now,
        consecutive_failures=failures,
        last_error_vi=err.vi,
        last_error_en=err.en,
        last_error_detail=err.detail,
        http_status=err.http_status,
        next_try=now + backoff(failures) if retry else None,
    )
    status = "stale" if new.last_success else "failed"
    return _outcome(source, new, status, _attribute(new.items, source, new))


def _stored(source: Source, usable: FeedState | None, vi: str, en: str) -> _Outcome:
    """Use the stored items without trying the network (offline, or waiting to retry)."""
    if usable is None or usable.last_success is None:
        base = usable or FeedState(url=source.url)
        shown = replace(
            base, last_error_vi=f"{vi}; chưa có bản lưu", last_error_en=f"{en}; no stored copy"
        )
        outcome = _outcome(source, shown, "failed", [])
    else:
        when = format_datetime(usable.last_success)
        shown = replace(
            usable,
            last_error_vi=f"{vi}; dùng bản lưu lúc {when}",
            last_error_en=f"{en}; using the copy from {when}",
        )
        outcome = _outcome(source, shown, "stale", _attribute(usable.items, source, usable))
    outcome.state = None  # nothing new to store
    return outcome


# -- merging --------------------------------------------------------------------------------


def normalize_link(url: str) -> str:
    """A comparison key for links: http≡https, no www., no default port, fragment or tracking
    parameters, ``index.html`` and trailing slashes ignored, query sorted."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = parts.port
    except ValueError:
        return url.strip()
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=~-._")
    for index in ("/index.html", "/index.htm"):
        if path.endswith(index):
            path = path[: -len(index)]
    path = path.rstrip("/")
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_TRACKING)
        )
    )
    return urlunsplit(("http", host, path, query, ""))


def _merge(
    batches: list[list[RollupItem]], policy: RollupPolicy, now: datetime
) -> tuple[list[RollupItem], list[Problem]]:
    """De-duplicate (guid, then normalised link; the first feed wins), filter, sort and limit."""
    kept: list[RollupItem] = []
    by_guid: dict[str, int] = {}
    by_link: dict[str, int] = {}
    warnings: list[Problem] = []
    for batch in batches:
        for item in batch:
            link_key = normalize_link(item.link)
            index = by_guid.get(item.guid)
            if index is None and link_key:
                index = by_link.get(link_key)
                # Another guid at the same address: the same post by two paths when the titles
                # agree; otherwise a different post is dropped, and the editors must know.
                if index is not None and fold(kept[index].title) != fold(item.title):
                    warnings.append(_shared_link(kept[index], item))
            elif index is not None:
                first = kept[index]
                if first.source_id != item.source_id and fold(first.title) != fold(item.title):
                    warnings.append(_shared_guid(first, item))
            if index is None:
                index = len(kept)
                kept.append(item)
            elif item.featured and not kept[index].featured:
                kept[index] = replace(kept[index], featured=True)
            by_guid.setdefault(item.guid, index)
            if link_key:
                by_link.setdefault(link_key, index)
    if policy.max_age_days:
        oldest = now - timedelta(days=policy.max_age_days)
        kept = [i for i in kept if i.published is None or i.published >= oldest]
    kept.sort(key=RollupItem.sort_key)
    if policy.per_unit_limit:
        per_unit: dict[str, int] = {}
        limited = []
        for item in kept:
            per_unit[item.source_id] = per_unit.get(item.source_id, 0) + 1
            if per_unit[item.source_id] <= policy.per_unit_limit:
                limited.append(item)
        kept = limited
    return kept[: policy.limit], warnings


def _shared_link(first: RollupItem, other: RollupItem) -> Problem:
    """A post dropped because another one, with another guid, has the same address."""
    return Problem(
        other.source_url or other.source_id,
        "link",
        f"bài “{other.title}” ({other.source_name}, mã '{other.guid}') có cùng liên kết "
        f"{other.link} với bài “{first.title}” ({first.source_name}, mã '{first.guid}'); "
        "chỉ giữ bài thứ nhất",
        f"post “{other.title}” ({other.source_name}, guid '{other.guid}') has the same link "
        f"{other.link} as “{first.title}” ({first.source_name}, guid '{first.guid}'); only the "
        "first is kept",
        severity="warning",
    )


def _shared_guid(first: RollupItem, other: RollupItem) -> Problem:
    return Problem(
        other.source_url or other.source_id,
        "guid",
        f"mã bài '{first.guid}' dùng cho hai bài khác nhau: “{first.title}” ({first.source_name}) "
        f"và “{other.title}” ({other.source_name}); chỉ giữ bài thứ nhất",
        f"guid '{first.guid}' is used by two different posts: “{first.title}” ({first.source_name}) "
        f"and “{other.title}” ({other.source_name}); only the first is kept",
        severity="warning",
    )
