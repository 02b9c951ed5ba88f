"""Members' cover images, brought to the portal once, for its own image pipeline.

A portal used to hot-link each rolled-up item's cover from the member's public address: previews
and CI builds showed broken images, and every page view depended on every school's server. Now
the portal build gets each cover it shows (:func:`cover_files`) and the images plugin processes
it like a local photo (size caps, EXIF stripped, card variants, cache); pages serve the portal's
own copy.

* **In-repo members**: the file of the member's built site the URL names (below its
  ``site_url``; only image files inside the member's output folder, at most the size cap).
* **Remote members**: fetched over HTTP with the roll-up's limits (:func:`.fetch.fetch`: no
  private address, capped, no compression, same-host redirects), only from the site of the
  feed or of the member's ``site_url`` *as the portal configured them* (:func:`allowed_host`;
  or :attr:`FetchSettings.redirect_hosts`), whose IP literals alone may be private: a hostile
  feed (its channel link, its enclosures) cannot make the build fetch anything anywhere. A
  member's covers share one deadline. Only JPEG, PNG, WebP and GIF, by content type
  and by the file's first bytes. Kept in ``<state>/images/<sha256>.<ext>`` and reused while the
  URL stays the same (``images.json`` per portal), so a cover is fetched once; ``--offline``
  uses what is kept.

Problems are warnings naming the item: a card whose cover could not be had shows the member's
emblem instead. Nothing here imports MkDocs.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from ..errors import Problem
from ..structure.network import Network
from .fetch import (
    IMAGE_ACCEPT,
    IMAGE_TYPES,
    FetchSettings,
    _host_listed,
    fetch,
    make_client,
    same_site,
)
from .model import RollupResult
from .parse import FeedError
from .policy import get_policy

#: File extensions of covers taken from an in-repo member's output.
EXTENSIONS = {"jpg": "jpg", "jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}
INDEX = "images.json"


@dataclass(frozen=True)
class CoverFile:
    """A member's cover, as the portal has it: the bytes in ``path``, named by content."""

    url: str  # the item's image address, as in the feed
    path: Path
    sha256: str
    ext: str  # jpg, png, webp, gif

    def name(self) -> str:
        """The file name the portal publishes it under (before the images plugin's variants)."""
        return f"{self.sha256[:16]}.{self.ext}"


def sniff(data: bytes) -> str | None:
    """The image type of ``data`` by its first bytes (JPEG, PNG, WebP, GIF), else ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def _warn(where: str, vi: str, en: str) -> Problem:
    return Problem(where, "image", vi, en, severity="warning")


def cover_files(
    result: RollupResult,
    network: Network,
    portal_id: str,
    output_root: Path,
    state_dir: Path | None,
    *,
    offline: bool = False,
    settings: FetchSettings | None = None,
    client: httpx.Client | None = None,
    scratch: Path | None = None,
) -> tuple[dict[str, CoverFile], list[Problem]]:
    """The cover of every item of ``result`` that has one, ``{image URL: CoverFile}``, and the
    warnings about those that could not be had.

    ``state_dir`` keeps fetched covers between builds (``None``: ``--no-cache``; remote covers
    then go to ``scratch``, which the caller removes). Never raises for a member's fault."""
    settings = settings or FetchSettings()
    kinds = {h.source_id: (h.kind, h.url) for h in result.health}
    # What the portal configured for each remote member (never what its feed says: an item's
    # source_url may be the feed's own channel link).
    sites = {m.id: m.site_url for m in get_policy(network[portal_id]).remote}
    found: dict[str, CoverFile] = {}
    problems: list[Problem] = []
    remote: list[tuple[str, str, str]] = []  # (url, feed url, member site), as configured
    for item in result.items:
        if not item.image or item.image in found:
            continue
        kind, feed_url = kinds.get(item.source_id, ("remote", ""))
        if kind == "local" and item.source_id in network:
            cover, problem = _local(item.image, network, item.source_id, output_root, settings)
            if cover is not None:
                found[item.image] = cover
            elif problem is not None:
                problems.append(problem)
        else:
            remote.append((item.image, feed_url, sites.get(item.source_id, "")))
    if remote:
        folder = (state_dir / "images") if state_dir is not None else scratch
        index_file = state_dir / portal_id / INDEX if state_dir is not None else None
        index = _load_index(index_file)
        todo = []
        for url, feed_url, site in dict.fromkeys(remote):
            known = index.get(url)
            path = folder / f"{known['sha256']}.{known['ext']}" if known and folder else None
            if known and path is not None and path.is_file():
                found[url] = CoverFile(url, path, known["sha256"], known["ext"])
            elif offline or folder is None:
                continue
            else:
                todo.append((url, feed_url, site))
        if todo and folder is not None:
            own = client is None
            http = make_client(settings) if own else client
            # One deadline per member for all its covers, from its first: a slow server holds
            # the build no longer however many covers its feed names.
            until: dict[str, float] = {}
            lock = threading.Lock()

            def one(url: str, feed_url: str, site: str) -> tuple[CoverFile | None, Problem | None]:
                with lock:
                    end = until.setdefault(feed_url, time.monotonic() + settings.deadline)
                if time.monotonic() >= end:
                    return None, _warn(
                        url,
                        f"hết {settings.deadline:g} giây dành cho ảnh bìa của đơn vị; "
                        "lần dựng sau thử lại",
                        f"out of the {settings.deadline:g} s for the member's covers; "
                        "tried again at the next build",
                    )
                return _remote(url, feed_url, site, folder, settings, http, end)

            try:
                with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
                    done = pool.map(lambda t: one(*t), todo)
                    for (url, _f, _s), (cover, problem) in zip(todo, done, strict=True):
                        if cover is not None:
                            found[url] = cover
                            index[url] = {"sha256": cover.sha256, "ext": cover.ext}
                        elif problem is not None:
                            problems.append(problem)
            finally:
                if own:
                    http.close()
        if index_file is not None:
            wanted = {url for url, _f, _s in remote}
            _save_index(index_file, {u: v for u, v in index.items() if u in wanted})
    return found, problems


def _local(
    url: str, network: Network, unit_id: str, output_root: Path, settings: FetchSettings
) -> tuple[CoverFile | None, Problem | None]:
    """An in-repo member's cover: a file of its built site, by its public address."""
    unit = network[unit_id]
    folder = (output_root / unit_id).resolve()
    if not url.startswith(unit.site_url):
        return None, _warn(
            url,
            f"ảnh bìa của {unit.name} không nằm trong trang của đơn vị; không dùng",
            f"the cover of {unit.name} is not on the member's own site; not used",
        )
    rel = unquote(urlsplit(url).path[len(urlsplit(unit.site_url).path) :])
    path = (folder / rel).resolve()
    ext = EXTENSIONS.get(path.suffix.lower().lstrip("."))
    if ext is None or not path.is_relative_to(folder) or not path.is_file():
        return None, _warn(
            url,
            f"không tìm thấy tệp ảnh bìa trong trang đã dựng của {unit.name}",
            f"the cover file is not in the built site of {unit.name}",
        )
    try:
        if path.stat().st_size > settings.max_bytes:
            return None, _warn(
                url,
                f"ảnh bìa quá lớn (tối đa {settings.max_bytes:,} byte)",
                f"cover image too large (limit {settings.max_bytes:,} bytes)",
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, _warn(url, f"không đọc được ảnh bìa: {exc}", f"cannot read the cover: {exc}")
    kind = sniff(data)
    if kind is None:
        return None, _warn(url, "tệp ảnh bìa không phải ảnh", "the cover file is not an image")
    return CoverFile(url, path, hashlib.sha256(data).hexdigest(), kind), None


def allowed_host(url: str, feed_url: str, site_url: str, settings: FetchSettings) -> bool:
    """A remote cover may come from the site of the feed or of the member's ``site_url`` (as
    the portal configured them: :func:`.fetch.same_site`), or from a host the settings list
    (:attr:`FetchSettings.redirect_hosts`)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    own = any(same_site(url, u) for u in (feed_url, site_url) if u)
    return bool(host) and (own or _host_listed(host, settings.redirect_hosts))


def _remote(
    url: str,
    feed_url: str,
    site_url: str,
    folder: Path,
    settings: FetchSettings,
    client: httpx.Client,
    until: float | None = None,
) -> tuple[CoverFile | None, Problem | None]:
    """Fetch a remote member's cover once, within the roll-up's limits (by ``until`` at the
    latest), connecting only where the portal's configuration for the member permits."""
    if urlsplit(url).scheme not in ("http", "https") or not allowed_host(
        url, feed_url, site_url, settings
    ):
        return None, _warn(
            url,
            "ảnh bìa ở máy chủ khác với nguồn tin của đơn vị; không tải",
            "the cover is on another host than the member's feed; not fetched",
        )
    try:
        resp = fetch(
            client,
            url,
            settings,
            types=IMAGE_TYPES,
            accept=IMAGE_ACCEPT,
            configured=[u for u in (feed_url, site_url) if u],
            until=until,
        )
    except FeedError as exc:
        return None, _warn(
            url, f"không tải được ảnh bìa: {exc.vi}", f"could not fetch the cover: {exc.en}"
        )
    kind = sniff(resp.body)
    if resp.status not in (200, 203) or kind is None:
        return None, _warn(url, "ảnh bìa không phải ảnh", "the cover is not an image")
    sha = hashlib.sha256(resp.body).hexdigest()
    path = folder / f"{sha}.{kind}"
    if not path.is_file():
        _write_atomic(path, resp.body)
    return CoverFile(url, path, sha, kind), None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_index(path: Path | None) -> dict[str, dict[str, str]]:
    """``{url: {sha256, ext}}`` of covers fetched before (anything malformed is dropped)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, dict[str, str]] = {}
    if isinstance(data, dict):
        for url, entry in data.items():
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("sha256"), str)
                and len(entry["sha256"]) == 64
                and all(c in "0123456789abcdef" for c in entry["sha256"])
                and entry.get("ext") in EXTENSIONS.values()
            ):
                out[str(url)] = {"sha256": entry["sha256"], "ext": entry["ext"]}
    return out


def _save_index(path: Path, index: dict[str, Any]) -> None:
    text = json.dumps(index, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    _write_atomic(path, text.encode("utf-8"))


def cover_sources(covers: Iterable[CoverFile]) -> list[Path]:
    """The files behind ``covers`` (what a portal's pages now depend on)."""
    return sorted({c.path for c in covers})
