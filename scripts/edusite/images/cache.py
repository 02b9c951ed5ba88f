"""On-disk cache of rendered image variants, shared by builds, sites, processes and CI runs.

One entry per (image content, variant group, settings, Pillow version): a folder
``<root>/<key[:2]>/<key>/`` holding the encoded files and a ``manifest.json`` that lists them
with their size and SHA-256. An entry is trusted only when the manifest parses and every file
has the recorded size and digest; anything else (a truncated file, a bad manifest, a missing
file) counts as a miss and the entry is rebuilt. Entries are written to a temporary folder and
renamed into place, so concurrent builds never see half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .process import Output

MANIFEST = "manifest.json"
_FORMAT = 1


@dataclass(frozen=True)
class StoredVariant:
    """One variant file inside a cache entry."""

    label: str
    width: int
    height: int
    format: str
    file: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class Entry:
    """A verified cache entry: the facts of the source image and its variants."""

    width: int
    height: int
    alpha: bool
    animated: bool
    variants: tuple[StoredVariant, ...]
    original: tuple[int, int]  # the source's full size after orientation


def _ext(fmt: str) -> str:
    return "jpg" if fmt == "jpeg" else fmt


class ImageCache:
    """Variant groups stored under ``root`` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.corrupt = 0  # entries found damaged and discarded since creation

    @staticmethod
    def key(content_sha: str, fingerprint: str) -> str:
        """Cache key of one variant group of one image content."""
        return hashlib.sha256(f"{content_sha}:{fingerprint}".encode()).hexdigest()

    def folder(self, key: str) -> Path:
        return self.root / key[:2] / key

    def load(self, key: str) -> Entry | None:
        """The verified entry for ``key``, or ``None`` (a damaged entry is removed)."""
        folder = self.folder(key)
        manifest = folder / MANIFEST
        if not manifest.is_file():
            return None
        try:
            entry = self._read(folder, json.loads(manifest.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            entry = None
        if entry is None:
            self.corrupt += 1
            shutil.rmtree(folder, ignore_errors=True)
        return entry

    @staticmethod
    def _read(folder: Path, data: dict[str, Any]) -> Entry | None:
        if data.get("format") != _FORMAT:
            return None
        variants = []
        for v in data["variants"]:
            file = folder / v["file"]
            blob = file.read_bytes()
            if len(blob) != v["size"] or hashlib.sha256(blob).hexdigest() != v["sha256"]:
                return None
            variants.append(
                StoredVariant(
                    v["label"],
                    int(v["width"]),
                    int(v["height"]),
                    v["format"],
                    file,
                    v["size"],
                    v["sha256"],
                )  # fmt: skip
            )
        src = data["source"]
        return Entry(
            int(src["width"]), int(src["height"]), bool(src["alpha"]), bool(src["animated"]),
            tuple(variants), (int(src["original"][0]), int(src["original"][1])),
        )  # fmt: skip

    def store(
        self, key: str, *, width: int, height: int, alpha: bool, animated: bool,
        original: tuple[int, int], outputs: list[Output],
    ) -> Entry:  # fmt: skip
        """Write an entry atomically and return it (an entry written meanwhile by another
        process wins: both hold the same bytes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key[:8]}-", dir=self.root))
        records = []
        try:
            for i, out in enumerate(outputs):
                name = f"{i:02d}-{out.label}.{_ext(out.format)}"
                (tmp / name).write_bytes(out.data)
                records.append(
                    {
                        "label": out.label,
                        "width": out.width,
                        "height": out.height,
                        "format": out.format,
                        "file": name,
                        "size": len(out.data),
                        "sha256": hashlib.sha256(out.data).hexdigest(),
                    }  # fmt: skip
                )
            manifest = {
                "format": _FORMAT,
                "source": {
                    "width": width,
                    "height": height,
                    "alpha": alpha,
                    "animated": animated,
                    "original": list(original),
                },  # fmt: skip
                "variants": records,
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            final = self.folder(key)
            final.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.rename(tmp, final)
            except OSError:  # another build stored it first, or a damaged leftover is in the way
                if self.load(key) is None:
                    shutil.rmtree(final, ignore_errors=True)
                    os.rename(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        entry = self.load(key)
        if entry is None:  # pragma: no cover - the disk lost what was just written
            raise OSError(f"image cache entry {final} unreadable after writing")
        return entry
