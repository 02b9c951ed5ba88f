"""All images of one site: cache look-ups, parallel rendering, output names. No MkDocs here.

:func:`process_images` takes jobs ``(src_uri, file, groups)`` and returns one
:class:`ImageRecord` per image (its variants and where they go in the site) plus the problems
found. Images whose every group is cached are never opened; the others are checked in the
calling thread, then rendered in a thread pool (Pillow releases the GIL while it decodes,
resizes and encodes).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import EdusiteError, Problem, problem
from .cache import Entry, ImageCache
from .process import check, render
from .settings import Settings
from .slugs import safe_dir, safe_stem


@dataclass
class Stats:
    """Counters, cumulative for the process (tests and the benchmark read them)."""

    images: int = 0  # images seen
    processed: int = 0  # images decoded and rendered (cache misses)
    cached_groups: int = 0  # variant groups served from the cache
    rendered_groups: int = 0
    corrupt: int = 0  # damaged cache entries redone
    seconds: float = 0.0

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


STATS = Stats()


@dataclass(frozen=True)
class Variant:
    """One published file of an image."""

    group: str  # "base", "card", "thumb", "og"
    label: str  # "960", "card-480", "og", "anim"
    width: int
    height: int
    format: str  # "webp", "jpeg", "png", "gif"
    path: str  # site-relative output path
    cache_file: Path
    size: int

    @property
    def mime(self) -> str:
        return f"image/{self.format}"


@dataclass
class ImageRecord:
    """A processed image: its oriented size and every variant."""

    src_uri: str
    width: int
    height: int
    alpha: bool
    animated: bool
    original: tuple[int, int] = (0, 0)  # the source's full size after orientation
    variants: list[Variant] = field(default_factory=list)

    def group(self, name: str, fmt: str | None = None) -> list[Variant]:
        """Variants of a group (optionally one format), narrowest first."""
        out = [v for v in self.variants if v.group == name and (fmt is None or v.format == fmt)]
        return sorted(out, key=lambda v: v.width)

    def fallback_format(self, group: str = "base") -> str:
        """The non-WebP format of a group (JPEG or PNG; GIF for animations)."""
        for v in self.group(group):
            if v.format != "webp" or v.label == "anim":
                return v.format
        return "webp"

    def largest(self, group: str = "base", fmt: str | None = None) -> Variant | None:
        found = self.group(group, fmt or self.fallback_format(group))
        return found[-1] if found else None

    def nearest(self, group: str, fmt: str, width: int) -> Variant | None:
        """The narrowest variant at least ``width`` wide (else the widest)."""
        found = self.group(group, fmt)
        for v in found:
            if v.width >= width:
                return v
        return found[-1] if found else None


def _ext(fmt: str) -> str:
    return "jpg" if fmt == "jpeg" else fmt


_SHA_MEMO: dict[tuple[str, int, int], str] = {}


def content_sha(path: Path) -> str:
    """SHA-256 of a file, remembered per (path, mtime, size) within the process."""
    st = path.stat()
    memo_key = (str(path), st.st_mtime_ns, st.st_size)
    found = _SHA_MEMO.get(memo_key)
    if found is None:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        found = _SHA_MEMO[memo_key] = h.hexdigest()
    return found


def output_dir(src_uri: str) -> str:
    """Folder of an image's variants: the source folder with URL-safe names."""
    return safe_dir(str(PurePosixPath(src_uri).parent))


def _record(src_uri: str, entries: dict[str, Entry]) -> ImageRecord:
    first = next(iter(entries.values()))
    rec = ImageRecord(
        src_uri, first.width, first.height, first.alpha, first.animated, first.original
    )
    folder = output_dir(src_uri)
    stem = safe_stem(PurePosixPath(src_uri).stem)
    published: dict[str, str] = {}  # sha256 -> path: a crop equal to a full size is one file
    for group, entry in entries.items():
        for v in entry.variants:
            name = f"{stem}.{v.label}.{v.sha256[:8]}.{_ext(v.format)}"
            path = published.setdefault(v.sha256, f"{folder}/{name}" if folder else name)
            rec.variants.append(
                Variant(group, v.label, v.width, v.height, v.format, path, v.file, v.size)
            )
    return rec


def process_images(
    jobs: Iterable[tuple[str, Path, Sequence[str]]],
    settings: Settings,
    cache: ImageCache,
    threads: int = 0,
) -> tuple[dict[str, ImageRecord], list[Problem]]:
    """Process every image; return records by ``src_uri`` and the problems (errors) found.

    Arguments:
        jobs: ``(src_uri, file, groups)`` with groups among ``base``, ``card``, ``thumb``, ``og``.
        settings: rendering settings (part of every cache key).
        cache: where variants are kept between builds.
        threads: worker threads for rendering; 0 picks ``min(4, cpu count)``.
    """
    start = time.perf_counter()
    corrupt_before = cache.corrupt
    records: dict[str, ImageRecord] = {}
    problems: list[Problem] = []
    todo: list[tuple[str, Path, str, dict[str, str], dict[str, Entry]]] = []
    for src_uri, file, groups in jobs:
        STATS.images += 1
        file = Path(file)
        try:
            sha = content_sha(file)
        except OSError as exc:
            problems.append(
                problem(file, None, f"không đọc được tệp: {exc}", f"cannot read: {exc}")
            )
            continue
        keys = {g: cache.key(sha, settings.fingerprint(g)) for g in dict.fromkeys(groups)}
        found = {g: e for g, k in keys.items() if (e := cache.load(k)) is not None}
        STATS.cached_groups += len(found)
        if len(found) == len(keys):
            records[src_uri] = _record(src_uri, {g: found[g] for g in keys})
            continue
        try:
            check(file, settings)  # main thread: turns Pillow's bomb warning into an error
        except EdusiteError as exc:
            problems.extend(exc.problems)
            continue
        todo.append((src_uri, file, sha, keys, found))

    # One render per content: the same photo under two names gets the union of their groups.
    by_sha: dict[str, tuple[Path, set[str]]] = {}
    for _src, file, sha, keys, found in todo:
        groups = by_sha.setdefault(sha, (file, set()))[1]
        groups.update(g for g in keys if g not in found)
    workers = threads or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(by_sha) or 1))) as pool:
        futures = {
            sha: pool.submit(render, file, sorted(groups), settings)
            for sha, (file, groups) in by_sha.items()
        }
        stored: dict[str, Entry] = {}
        for src_uri, file, sha, keys, found in todo:
            try:
                rendered = futures[sha].result()
            except EdusiteError as exc:  # name this file, also when it shares its content
                problems += [problem(file, p.field, p.vi, p.en, p.severity) for p in exc.problems]
                continue
            except Exception as exc:  # noqa: BLE001 - an unexpected Pillow failure: name the file
                detail = f"{type(exc).__name__}: {exc}"
                problems.append(
                    problem(
                        file,
                        None,
                        f"không xử lý được ảnh ({detail})",
                        f"could not process the image ({detail})",
                    )  # fmt: skip
                )
                continue
            entries = dict(found)
            for group, key in keys.items():
                if group in entries:
                    continue
                if key not in stored:
                    outs = [o for o in rendered.outputs if o.group == group]
                    stored[key] = cache.store(
                        key, width=rendered.width, height=rendered.height,
                        alpha=rendered.alpha, animated=rendered.animated,
                        original=rendered.original, outputs=outs,
                    )  # fmt: skip
                    STATS.rendered_groups += 1
                entries[group] = stored[key]
            records[src_uri] = _record(src_uri, {g: entries[g] for g in keys})
    STATS.processed += len(futures)
    STATS.corrupt += cache.corrupt - corrupt_before
    STATS.seconds += time.perf_counter() - start
    return records, problems


def write_variants(records: Iterable[ImageRecord], site_dir: Path) -> int:
    """Copy every variant from the cache into ``site_dir``; return the bytes written."""
    total = 0
    done: set[str] = set()
    for rec in records:
        for v in rec.variants:
            if v.path in done:
                continue
            done.add(v.path)
            dest = site_dir / v.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(v.cache_file, dest)
            total += v.size
    return total
