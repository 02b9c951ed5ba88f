"""The vendored editor bundle (``cms/vendor/decap-cms/``, refreshed by ``scripts/vendor-cms``)
and our own two scripts (``cms/assets/``), published once per network under
``<out>/_shared/cms/<name>-<version>-<hash>/``: never from a CDN.

Every vendored file is checked against ``manifest.json`` (sha256) before it is published, so a
file changed by hand (or by anything else) stops the build instead of reaching editors.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import EdusiteError, problem

VENDOR = Path(__file__).with_name("vendor") / "decap-cms"
ASSETS = Path(__file__).with_name("assets")
#: Our files, loaded around the bundle: ``cms-init.js`` before (manual start), ``admin.js``
#: after (Vietnamese words, widgets, then start), ``admin.css`` (contrast over Decap's greys).
OWN = ("cms-init.js", "admin.js", "admin.css")


@dataclass(frozen=True)
class Bundle:
    """The editor's files as published: ``folder`` name and ``files`` (name → source path)."""

    name: str
    version: str
    folder: str
    files: tuple[tuple[str, Path], ...]
    server: tuple[str, str]  # the local editing server's npm package and version


@lru_cache(maxsize=1)
def bundle() -> Bundle:
    """The verified bundle (:class:`EdusiteError` naming each file that differs)."""
    manifest_file = VENDOR / "manifest.json"
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EdusiteError(
            problem(manifest_file, None, f"không đọc được: {exc}", f"cannot read: {exc}")
        ) from exc
    bad = []
    h = hashlib.sha256()
    for name, want in sorted(manifest["files"].items()):
        path = VENDOR / name
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        digest = hashlib.sha256(data).hexdigest()
        if digest != want["sha256"]:
            bad.append(
                problem(
                    path,
                    None,
                    "tệp của trình biên tập bị thiếu hoặc khác bản đã kiểm (chạy scripts/vendor-cms)",
                    "editor file missing or different from the verified copy (run scripts/vendor-cms)",
                )
            )
        h.update(name.encode() + b"\0" + digest.encode())
    if bad:
        raise EdusiteError(bad)
    files = [(name, VENDOR / name) for name in sorted(manifest["files"])]
    for name in OWN:
        path = ASSETS / name
        h.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).hexdigest().encode())
        files.append((name, path))
    folder = f"{manifest['name']}-{manifest['version']}-{h.hexdigest()[:10]}"
    server = manifest.get("server") or {}
    return Bundle(
        name=manifest["name"],
        version=manifest["version"],
        folder=folder,
        files=tuple(files),
        server=(server.get("name", "decap-server"), server.get("version", "")),
    )


def write_bundle(target: Path) -> Path:
    """Copy the bundle to ``target/<folder>/`` once (atomically); return that folder."""
    b = bundle()
    dest = target / b.folder
    if dest.is_dir():
        return dest
    tmp = target / f".{b.folder}.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, src in b.files:
        shutil.copyfile(src, tmp / name)
    try:
        tmp.rename(dest)
    except OSError:  # another worker won the race with identical files
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def find_server(root: Path) -> Path | None:
    """The local editing server's command: ``node_modules/.bin/decap-server`` of the network's
    repository, else of the edusite checkout this package runs from (``scripts/vendor-cms
    --server`` installs it there), else one on ``PATH``; ``None`` when it is not installed."""
    checkout = Path(__file__).resolve().parents[3]
    for folder in (root, checkout):
        local = folder / "node_modules" / ".bin" / "decap-server"
        if local.is_file() and os.access(local, os.X_OK):
            return local
    found = shutil.which("decap-server")
    return Path(found) if found else None
