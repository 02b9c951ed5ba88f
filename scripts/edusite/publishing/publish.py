"""Publish built sites to git branches with ghp-import: every good unit, never a half-built one.

A **target** is one branch of one remote: the whole network under one host (``network`` layout:
``/<unit-id>/`` folders, the shared theme assets, a network index page, a sitemap index,
``robots.txt``, ``404.html``) or one unit with its own domain (``per-unit`` layout: the site at
the branch root). Each unit of a target is decided on its own (:func:`decide_units`):

* ``built``: its last build succeeded: its output is published;
* ``last-good``: its last build failed, and the builder kept its last good output in
  ``<out>/<id>/`` (it swaps a site in only when it built): that output is published;
* ``kept``: no good output, a symbolic link in it, or a blocking check (personal data): it is
  left out, and the branch keeps exactly the files it already holds for it.

One unit therefore never holds back the others; the command still exits 1 when a unit was not
published as built. ``--strict`` restores all or nothing per target (:func:`gate_reasons`).

Git is driven in the source repository, as ghp-import (and ``mkdocs gh-deploy``) do: the remote
branch is fetched first, so the new commit follows its tip (or replaces it with ``--no-history``),
and the tree about to be committed is compared with the tree the branch holds. That comparison
is what ``--dry-run`` prints, and an unchanged tree makes no commit at all. ghp-import builds the
commit and pushes it (no shell-out to its CLI); git itself is only called to fetch and inspect.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..security.confine import find_symlinks
from ..security.personal_data import blocking_kinds, with_id_cards
from ..structure.network import Network
from .shard import REPORT_DIR, SHARED_DIR, SiteStatus, source_info
from .sitemaps import check_site_sitemap, render_network_index, robots_txt, sitemap_index

LAYOUTS = ("network", "per-unit")
DEFAULT_BRANCH = {"network": "gh-pages", "per-unit": "gh-pages-{id}"}
PRIVATE_REF = "refs/edusite/publish"
_SHARED_REF = re.compile(rf"{SHARED_DIR}/([0-9a-f]{{6,64}})/")


class PublishError(Exception):
    """A problem that stops publishing (message is ``vi / en``)."""


# -- targets ------------------------------------------------------------------------------------


@dataclass
class Target:
    """One branch of one remote, and the units whose builds it publishes."""

    name: str  # "network" or the unit id
    layout: str
    units: list[str]
    remote: str
    branch: str
    cname: str | None
    base_url: str  # URL of the branch root once served


def publish_settings(network: Network) -> dict[str, Any]:
    """``extra.network.publish`` of the base ``mkdocs.yml`` (a mapping, possibly empty)."""
    value = network.settings.get("publish")
    return value if isinstance(value, dict) else {}


def network_base(network: Network) -> str | None:
    """The URL the network layout serves at: ``<base>`` where most units are ``<base><id>/``.

    ``extra.network.publish.url`` overrides it. ``None`` when no unit follows the pattern.
    """
    configured = publish_settings(network).get("url")
    if isinstance(configured, str) and configured:
        return configured if configured.endswith("/") else configured + "/"
    bases = Counter(
        u.site_url[: -len(u.id) - 1] for u in network if u.site_url.endswith(f"/{u.id}/")
    )
    if not bases:
        return None
    return min(bases, key=lambda b: (-bases[b], b))


def network_units(network: Network, base: str | None) -> list[str]:
    """Units whose site lives at ``<base><id>/``: the ones the network layout holds."""
    if base is None:
        return []
    return [u.id for u in network if u.site_url == f"{base}{u.id}/"]


def cname_for(url: str) -> str | None:
    """The custom domain a site at ``url`` needs, or ``None`` for github.io and local hosts."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith(".github.io") or "." not in host:
        return None
    return host


def plan_targets(
    network: Network,
    layout: str,
    ids: Iterable[str] = (),
    *,
    remote: str | None = None,
    branch: str | None = None,
    cname: str | None = None,
    no_cname: bool = False,
) -> list[Target]:
    """The targets of one publish run (see the module docstring); raise :class:`PublishError`."""
    settings = publish_settings(network)
    ids = list(ids)
    remote = remote or str(settings.get("remote") or "origin")
    if layout == "network":
        if ids:
            raise PublishError(
                "bố cục network luôn xuất bản cả mạng; IDS chỉ dùng với --layout per-unit"
                " / the network layout always publishes the whole network; IDS are for"
                " --layout per-unit"
            )
        base = network_base(network)
        units = network_units(network, base)
        if base is None or not units:
            raise PublishError(
                "không đơn vị nào có site_url dạng <gốc>/<mã>/; dùng --layout per-unit"
                " / no unit has a site_url of the form <base>/<id>/; use --layout per-unit"
            )
        if not no_cname:
            cname = cname or settings.get("cname") or cname_for(base)
        return [
            Target(
                name="network",
                layout=layout,
                units=units,
                remote=remote,
                branch=branch or str(settings.get("branch") or DEFAULT_BRANCH[layout]),
                cname=None if no_cname else cname,
                base_url=base,
            )
        ]
    if layout != "per-unit":
        raise PublishError(f"bố cục không hợp lệ / unknown layout: {layout}")
    if cname:
        raise PublishError(
            "--cname chỉ dùng với bố cục network; per-unit lấy tên miền từ site_url"
            " / --cname is for the network layout; per-unit takes each domain from site_url"
        )
    unknown = [i for i in ids if i not in network]
    if unknown:
        raise PublishError(f"không có đơn vị / unknown unit: {', '.join(unknown)}")
    if not ids:
        inside = set(network_units(network, network_base(network)))
        ids = [u.id for u in network if u.id not in inside]
        if not ids:
            raise PublishError(
                "không đơn vị nào có tên miền riêng; hãy nêu IDS / no unit has its own domain;"
                " name the IDS to publish"
            )
    pattern = branch or str(settings.get("unit_branch") or DEFAULT_BRANCH[layout])
    if len(ids) > 1 and "{id}" not in pattern and "{id}" not in remote:
        raise PublishError(
            "nhiều đơn vị cần --branch hoặc --remote có {id} / several units need {id} in"
            " --branch or --remote (one branch each)"
        )
    return [
        Target(
            name=uid,
            layout=layout,
            units=[uid],
            remote=remote.replace("{id}", uid),
            branch=pattern.replace("{id}", uid),
            cname=None if no_cname else cname_for(network[uid].site_url),
            base_url=network[uid].site_url,
        )
        for uid in sorted(ids)
    ]


# -- the gate -------------------------------------------------------------------------------------


@dataclass
class CheckGate:
    """Outcome of the blocking part of ``edusite check`` for some units."""

    ran: bool
    note: str = ""
    blocking: dict[str, list[str]] = field(default_factory=dict)  # unit id ("*": all) -> messages
    #: unit id -> the blocking findings as ``{"kind", "file", "field", "message"}`` (summaries)
    findings: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def is_blocking(finding: Any, kinds: Iterable[str]) -> bool:
    """An error-severity finding marked blocking (or, unmarked, of a blocking kind).

    A finding may carry ``blocking: bool`` (for the disclosure engine to copy from a rule's
    ``blocking:`` key); when it does not, its ``kind`` decides.
    """
    if getattr(finding, "severity", None) != "error":
        return False
    flag = getattr(finding, "blocking", None)
    if isinstance(flag, bool):
        return flag
    return getattr(finding, "kind", None) in set(kinds)


def blocking_check(
    network: Network,
    unit_ids: Iterable[str],
    *,
    kinds: Iterable[str] | None = None,
    today: date | None = None,
) -> CheckGate:
    """Run the disclosure check on the schools and centres among ``unit_ids``; keep what blocks.

    The integration point with ``edusite check``: when :mod:`edusite.disclosure` is not
    installed the gate is skipped with a note; when it is installed but cannot run (broken
    rules, a bug), publishing is blocked, since an unchecked site must not go out silently.
    """
    if importlib.util.find_spec("edusite.disclosure") is None:
        return CheckGate(
            ran=False,
            note="bỏ qua kiểm tra công khai: chưa có edusite.disclosure"
            " / disclosure check skipped: edusite.disclosure is not installed",
        )
    from ..text import now

    kinds = list(blocking_kinds(network.settings) if kinds is None else with_id_cards(kinds))
    checked = [u for u in unit_ids if network[u].kind in ("school", "center")]
    if not checked:
        return CheckGate(ran=True, note="không có trường cần kiểm tra / no school to check")
    try:
        from ..disclosure import check_network, get_rules

        rules = get_rules(network.root, network.settings)
        results = check_network(network, today or now().date(), rules, checked)
    except Exception as exc:  # fail closed: see the docstring
        return CheckGate(
            ran=True,
            note="",
            blocking={"*": [f"không chạy được kiểm tra / the check could not run: {exc}".strip()]},
        )
    gate = CheckGate(
        ran=True,
        note=f"kiểm tra công khai: chặn khi có lỗi loại / disclosure check, blocking kinds:"
        f" {', '.join(kinds) or '-'}",
    )
    for result in results:
        for finding in result.all_findings:
            if is_blocking(finding, kinds):
                where = f"{finding.file}: " if getattr(finding, "file", None) else ""
                gate.blocking.setdefault(finding.unit, []).append(
                    f"[{finding.kind}] {where}{finding.message}"
                )
                gate.findings.setdefault(finding.unit, []).append(
                    {
                        "kind": str(finding.kind),
                        "file": str(getattr(finding, "file", None) or ""),
                        "field": str(getattr(finding, "field", None) or ""),
                        "message": f"[{finding.kind}] {finding.message}",
                    }
                )
    return gate


def gate_reasons(
    target: Target, statuses: dict[str, SiteStatus], out: Path, check: CheckGate | None
) -> list[str]:
    """Why ``target`` must not be published (``vi / en`` each); empty when it may be."""
    reasons: list[str] = []
    for uid in target.units:
        status = statuses.get(uid)
        if status is None:
            reasons.append(
                f"{uid}: chưa được xây dựng (không có báo cáo xây dựng)"
                f" / not built (no build report in {out})"
            )
        elif not status.ok:
            first = status.errors[0] if status.errors else "?"
            more = f" (+{len(status.errors) - 1})" if len(status.errors) > 1 else ""
            reasons.append(f"{uid}: xây dựng thất bại / build failed: {first}{more}")
        elif not (out / uid / "index.html").is_file():
            reasons.append(f"{uid}: thiếu kết quả xây dựng / built output missing: {out / uid}")
        else:
            for link in find_symlinks(out / uid):
                reasons.append(
                    f"{uid}: kết quả xây dựng có liên kết tượng trưng (không đăng) / the built"
                    f" output holds a symbolic link (not published): {link}"
                )
    if check is not None:
        for message in check.blocking.get("*", []):
            reasons.append(message)
        for uid in target.units:
            for message in check.blocking.get(uid, []):
                reasons.append(f"{uid}: kiểm tra công khai không đạt / blocking check: {message}")
    return reasons


BUILT, LAST_GOOD, KEPT = "built", "last-good", "kept"


@dataclass
class UnitDecision:
    """What publishing does with one unit: ``built``, ``last-good`` or ``kept`` (module doc)."""

    unit: str
    state: str
    reasons: list[str] = field(default_factory=list)  # ``vi / en``: why not as built

    @property
    def published(self) -> bool:
        """True when the unit's output in ``<out>/<id>/`` goes onto the branch."""
        return self.state != KEPT


def _keep(decision: UnitDecision, reason: str) -> None:
    decision.state = KEPT
    decision.reasons.append(reason)


def decide_units(
    network: Network,
    target: Target,
    statuses: dict[str, SiteStatus],
    out: Path,
    check: CheckGate | None,
) -> dict[str, UnitDecision]:
    """Per unit of ``target``, whether its output is published (see the module docstring).

    A unit with a blocking finding is kept, and so is every portal above it whose built search
    index holds that unit's disclosure pages (:func:`carries_disclosure`): publishing the portal
    would publish the same personal data. A check that could not run keeps every unit.
    """
    decisions: dict[str, UnitDecision] = {}
    for uid in target.units:
        decision = decisions[uid] = UnitDecision(uid, BUILT)
        status = statuses.get(uid)
        has_output = (out / uid / "index.html").is_file()
        if status is None:
            _keep(
                decision,
                "chưa được xây dựng (không có báo cáo xây dựng)"
                f" / not built (no build report in {out})",
            )
        elif not status.ok:
            first = status.errors[0].splitlines()[0] if status.errors else "?"
            more = f" (+{len(status.errors) - 1})" if len(status.errors) > 1 else ""
            if has_output:
                when = ""
                if status.last_ok:  # "2026-11-22T05:00:01.123456Z" -> "2026-11-22 05:00 UTC"
                    commit = f", {status.last_ok_commit[:12]}" if status.last_ok_commit else ""
                    when = f" ({status.last_ok[:16].replace('T', ' ')} UTC{commit})"
                decision.state = LAST_GOOD
                decision.reasons.append(
                    f"xây dựng thất bại, xuất bản bản tốt gần nhất{when} / build failed,"
                    f" publishing its last good output{when}: {first}{more}"
                )
            else:
                _keep(
                    decision,
                    f"xây dựng thất bại, chưa có bản tốt / build failed, no good output:"
                    f" {first}{more}",
                )
        elif not has_output:
            _keep(decision, f"thiếu kết quả xây dựng / built output missing: {out / uid}")
        if decision.published:
            for link in find_symlinks(out / uid):
                _keep(
                    decision,
                    "kết quả xây dựng có liên kết tượng trưng (không đăng) / the built output"
                    f" holds a symbolic link (not published): {link}",
                )
    if check is None:
        return decisions
    for message in check.blocking.get("*", []):
        for decision in decisions.values():
            _keep(decision, message)
    for uid in target.units:
        for message in check.blocking.get(uid, []):
            _keep(decisions[uid], f"kiểm tra công khai không đạt / blocking check: {message}")
    for uid in sorted(u for u in check.blocking if u in network):  # also outside the target
        for portal in network.ancestors(uid):
            decision = decisions.get(portal.id)
            if decision is None or not decision.published:
                continue
            if carries_disclosure(out / portal.id, uid):
                _keep(
                    decision,
                    f"chỉ mục tìm kiếm chứa trang công khai của {uid}, đơn vị bị chặn vì dữ liệu"
                    f" cá nhân / its search index holds the disclosure pages of {uid}, which a"
                    " blocking check holds back (personal data)",
                )
    return decisions


def carries_disclosure(site: Path, member: str) -> bool:
    """True when the portal built in ``site`` has ``member``'s disclosure pages in its search
    index (``search/docs/*.json``: url, title, unit, date, kind, snippet).

    A portal without a search index carries none; an index that cannot be read counts as
    carrying them (fail closed).
    """
    folder = site / "search"
    if not folder.is_dir():
        return False
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        units = [u[0] for u in manifest["units"]]
        kinds = [k[0] for k in manifest["kinds"]]
        if member not in units:
            return False
        unit = units.index(member)
        kind = kinds.index("cong-khai") if "cong-khai" in kinds else None
        for n in range(int(manifest["chunks"])):
            docs = json.loads((folder / "docs" / f"{n}.json").read_text(encoding="utf-8"))
            for record in docs:
                if record[2] == unit and (kind is None or record[4] == kind):
                    return True
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return True
    return False


# -- the tree to publish ----------------------------------------------------------------------


def _link_or_copy(src: str, dst: str) -> str:
    """Hard-link (cheap for a 1 GB network), copying across file systems."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
    return dst


def shared_digests(out: Path, unit_ids: Iterable[str], sites: Iterable[Path] = ()) -> list[str]:
    """The ``_shared/<digest>`` folders the given sites' pages link to.

    A build uses one digest for all its pages, so each site's ``index.html`` and ``404.html``
    tell (``sites``: more site folders to read, e.g. units kept from the branch). Older digests
    (from earlier theme versions) are not published. Should no page name one while the folder
    exists (a theme that links differently), all of ``out``'s are kept, to stay safe.
    """
    found: set[str] = set()
    for folder in [*(out / uid for uid in unit_ids), *sites]:
        for page in ("index.html", "404.html"):
            path = folder / page
            if path.is_file():
                found.update(
                    _SHARED_REF.findall(path.read_text(encoding="utf-8", errors="replace"))
                )
    shared = out / SHARED_DIR
    present = sorted(p.name for p in shared.iterdir() if p.is_dir()) if shared.is_dir() else []
    if not found:
        return present
    return sorted(found)


def _private(_folder: str, names: list[str]) -> list[str]:
    """``copytree`` ignore: edusite's own records (``.edusite/``) are never published."""
    return [n for n in names if n == REPORT_DIR]


class OldTree:
    """The files a target already holds (its branch, or the folder of a previous ``--export``),
    from which units that are not published this time keep exactly what they had."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = sorted(paths)

    def below(self, prefix: str) -> list[str]:
        """Paths starting with ``prefix`` (``"<id>/"``, ``"_shared/<digest>/"``)."""
        start = bisect.bisect_left(self.paths, prefix)
        out = []
        for path in self.paths[start:]:
            if not path.startswith(prefix):
                break
            out.append(path)
        return out

    def copy(self, paths: Iterable[str], dest: Path) -> list[str]:
        """Write ``paths`` below ``dest`` as they are in the old tree; return warnings."""
        raise NotImplementedError


def _safe_rel(path: str) -> bool:
    """A relative path that stays inside its folder (no ``..``, no ``.git``, not absolute)."""
    parts = path.split("/")
    return (
        bool(path)
        and not path.startswith("/")
        and all(p not in ("", ".", "..", ".git") for p in parts)
    )


class BranchTree(OldTree):
    """The tree of a fetched branch (:func:`read_branch`), read with ``git cat-file --batch``."""

    def __init__(self, repo: Path, files: dict[str, tuple[str, str]]) -> None:
        super().__init__(files)
        self.repo, self.files = repo, files

    def copy(self, paths: Iterable[str], dest: Path) -> list[str]:
        warnings: list[str] = []
        wanted = []
        for path in paths:
            mode, _sha = self.files[path]
            if mode not in ("100644", "100755") or not _safe_rel(path):
                warnings.append(
                    f"không giữ được {path} (kiểu {mode}) / cannot keep {path} (mode {mode})"
                )
            else:
                wanted.append(path)
        if not wanted:
            return warnings
        proc = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=self.repo,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env(),
        )
        assert proc.stdin is not None and proc.stdout is not None
        try:
            for path in wanted:  # one object at a time: cat-file flushes after each
                mode, sha = self.files[path]
                proc.stdin.write(f"{sha}\n".encode())
                proc.stdin.flush()
                header = proc.stdout.readline().split()
                if len(header) != 3 or header[1] != b"blob" or header[0].decode() != sha:
                    raise PublishError(
                        f"không đọc được {path} từ nhánh / cannot read {path} from the branch"
                    )
                target = dest / path
                target.parent.mkdir(parents=True, exist_ok=True)
                left = int(header[2])
                with open(target, "wb") as fh:
                    while left:
                        chunk = proc.stdout.read(min(left, 1 << 20))
                        if not chunk:
                            raise PublishError(f"git cat-file: {path} bị cắt / truncated")
                        fh.write(chunk)
                        left -= len(chunk)
                proc.stdout.read(1)  # the newline after each object
                target.chmod(0o755 if mode == "100755" else 0o644)
        finally:
            proc.stdin.close()
            proc.stdout.close()
            proc.wait()
        return warnings


class FolderTree(OldTree):
    """The files of a folder (a previous ``--export``); symbolic links are not kept."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        found = []
        if folder.is_dir():
            for dirpath, _dirs, names in os.walk(folder):
                for name in names:
                    path = Path(dirpath) / name
                    if not path.is_symlink():
                        found.append(path.relative_to(folder).as_posix())
        super().__init__(found)

    def copy(self, paths: Iterable[str], dest: Path) -> list[str]:
        for path in paths:
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.folder / path, target)
        return []


def _stage_shared(
    out: Path, dest: Path, digests: list[str], keep: OldTree | None, copy: Any
) -> list[str]:
    """Copy the ``_shared/<digest>/`` folders into ``dest``: from ``out``, else from the old
    tree (a kept or last-good unit built with an earlier theme); warn when neither has one."""
    warnings: list[str] = []
    for digest in digests:
        if (out / SHARED_DIR / digest).is_dir():
            shutil.copytree(
                out / SHARED_DIR / digest, dest / SHARED_DIR / digest, copy_function=copy
            )
        elif keep is not None and keep.below(f"{SHARED_DIR}/{digest}/"):
            warnings += keep.copy(keep.below(f"{SHARED_DIR}/{digest}/"), dest)
        else:
            warnings.append(
                f"thiếu tài nguyên giao diện / theme assets missing: {SHARED_DIR}/{digest}/"
            )
    return warnings


def stage_target(
    network: Network,
    target: Target,
    out: Path,
    dest: Path,
    *,
    link: bool = True,
    units: Iterable[str] | None = None,
    keep: OldTree | None = None,
) -> list[str]:
    """Assemble in ``dest`` exactly the files the branch will hold (CNAME and .nojekyll aside).

    ``units``: the units whose output in ``out`` is published (default: all of the target's);
    in the network layout each other unit keeps the files ``keep`` (the branch) holds for it.
    Site files are hard-linked when ``link`` (cheap; ghp-import only reads them). Returns
    warnings (``vi / en``), e.g. a sitemap that does not match the site_url.
    """
    copy = _link_or_copy if link else shutil.copyfile
    chosen = set(target.units if units is None else units)
    published = [u for u in target.units if u in chosen]
    kept = [u for u in target.units if u not in chosen]
    warnings: list[str] = []
    dest.mkdir(parents=True, exist_ok=True)
    if target.layout == "network":
        for uid in published:
            shutil.copytree(out / uid, dest / uid, copy_function=copy, ignore=_private)
        if keep is not None:
            for uid in kept:
                warnings += keep.copy(keep.below(f"{uid}/"), dest)
        digests = shared_digests(out, published, [dest / u for u in kept])
        warnings += _stage_shared(out, dest, digests, keep, copy)
        (dest / "index.html").write_text(
            render_network_index(network, set(target.units)), encoding="utf-8"
        )
        sitemaps = [
            network[u].site_url + "sitemap.xml"
            for u in target.units
            if (dest / u / "sitemap.xml").is_file()
        ]
        (dest / "sitemap.xml").write_text(sitemap_index(sitemaps), encoding="utf-8")
        (dest / "robots.txt").write_text(
            robots_txt(target.base_url + "sitemap.xml"), encoding="utf-8"
        )
        top = [u for u in target.units if network[u].parent is None]
        if urlsplit(target.base_url).path in ("", "/") and top:
            # GitHub Pages serves only the root 404.html; the Sở's uses absolute links.
            not_found = dest / top[0] / "404.html"
            if not_found.is_file():
                shutil.copyfile(not_found, dest / "404.html")
    else:
        if not published:
            raise PublishError(f"{target.name}: không có gì để xuất bản / nothing to publish")
        (uid,) = published
        shutil.copytree(out / uid, dest, dirs_exist_ok=True, copy_function=copy, ignore=_private)
        warnings += _stage_shared(out, dest, shared_digests(out, [uid]), keep, copy)
        robots = dest / "robots.txt"
        if urlsplit(target.base_url).path in ("", "/") and not robots.exists():
            # robots.txt counts at a host's root only; a unit's own robots.txt is kept
            robots.write_text(robots_txt(target.base_url + "sitemap.xml"), encoding="utf-8")
    for uid in published:
        for message in check_site_sitemap(out / uid, network[uid].site_url):
            warnings.append(f"{uid}: {message}")
    return warnings


def export_tree(
    network: Network,
    target: Target,
    out: Path,
    dest: Path,
    *,
    units: Iterable[str] | None = None,
) -> list[str]:
    """Write the target's branch tree (CNAME and .nojekyll included) to a fresh ``dest``.

    For hosts that deploy a folder rather than a branch (GitLab Pages, an rsync'd server);
    ``dest`` is replaced whole, once the new tree is complete. Files are copied, never
    hard-linked, so the export owns them. Units not in ``units`` keep what the previous export
    in ``dest`` holds for them (keep ``dest`` between runs, e.g. in the CI cache).
    """
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    keep = FolderTree(dest) if dest.is_dir() else None
    warnings = stage_target(network, target, out, tmp, link=False, units=units, keep=keep)
    (tmp / ".nojekyll").write_bytes(b"")
    if target.cname:
        (tmp / "CNAME").write_text(target.cname, encoding="utf-8")
    if dest.exists():  # replaced only once the new tree is complete
        shutil.rmtree(dest)
    tmp.rename(dest)
    return warnings


# -- git ------------------------------------------------------------------------------------------


def redact(text: str) -> str:
    """Hide credentials in URLs (``https://user:token@host`` → ``https://***@host``)."""
    return re.sub(r"(\w+://)[^/@\s]+@", r"\1***@", text)


def _env() -> dict[str, str]:
    """Environment for git: never prompt for a password (CI would hang)."""
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0"}


def git(repo: Path, *args: str) -> str:
    """Run ``git args`` in ``repo``; return stdout; raise :class:`PublishError` on failure."""
    proc = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, env=_env(), check=False
    )
    if proc.returncode != 0:
        raise PublishError(
            redact(
                f"git {' '.join(args[:2])} thất bại / failed: {proc.stderr.strip() or proc.stdout}"
            )
        )
    return proc.stdout


def git_ok(repo: Path, *args: str) -> bool:
    """Run ``git args`` in ``repo`` quietly; True when it succeeded."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, env=_env(), check=False)
    return proc.returncode == 0


def repo_root(path: Path) -> Path:
    """The git work tree holding ``path``; raise :class:`PublishError` when there is none."""
    try:
        return Path(git(path, "rev-parse", "--show-toplevel").strip())
    except (PublishError, OSError) as exc:
        raise PublishError(
            f"{path} không nằm trong kho git / is not inside a git repository ({exc})"
        ) from None


def resolve_remote(repo: Path, remote: str) -> str:
    """``remote`` as given when it names a configured remote or a URL; local paths made absolute."""
    if remote in git(repo, "remote").split():
        return remote
    if "://" in remote or re.match(r"^[\w.-]+@[\w.-]+:", remote):
        return remote
    path = Path(remote).expanduser()
    if path.exists():
        return str(path.resolve())
    raise PublishError(
        f"không tìm thấy remote '{redact(remote)}' (tên remote, URL hoặc đường dẫn)"
        f" / remote '{redact(remote)}' not found (a remote name, URL or path)"
    )


def remote_tip(repo: Path, remote: str, branch: str) -> str | None:
    """The commit ``branch`` points to on ``remote`` (``git ls-remote``), or ``None``."""
    ref = f"refs/heads/{branch}"
    for line in git(repo, "ls-remote", remote, ref).splitlines():
        sha, _, name = line.partition("\t")
        if name == ref:
            return sha
    return None


def fetch_tip(repo: Path, remote: str, branch: str) -> str:
    """Fetch ``branch`` from ``remote`` into a private ref; return that ref's name."""
    ref = f"{PRIVATE_REF}/{branch}"
    args = ["fetch", "--no-tags", "--quiet"]
    if git(repo, "rev-parse", "--is-shallow-repository").strip() == "true":
        args.append("--depth=1")  # a CI checkout: only the tip is needed
    git(repo, *args, remote, f"+refs/heads/{branch}:{ref}")
    return ref


def tree_files(repo: Path, rev: str) -> dict[str, tuple[str, str]]:
    """``{path: (mode, blob sha)}`` of every file in ``rev``'s tree."""
    proc = subprocess.run(
        ["git", "ls-tree", "-r", "-z", "--full-tree", rev],
        cwd=repo,
        capture_output=True,
        env=_env(),
        check=False,
    )
    if proc.returncode != 0:
        raise PublishError(f"git ls-tree {rev}: {proc.stderr.decode(errors='replace').strip()}")
    files: dict[str, tuple[str, str]] = {}
    for entry in proc.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split(" ")
        if kind == "blob":
            files[path.decode("utf-8", "surrogateescape")] = (mode, sha)
    return files


def blob_sha(data: bytes) -> str:
    """Git's object id of a blob holding ``data``."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def staged_files(folder: Path, cname: str | None) -> dict[str, tuple[str, str]]:
    """The tree ghp-import will commit from ``folder``: its files plus .nojekyll and CNAME.

    Modes follow ghp-import's rule (executable → 100755); its CNAME holds the bare domain.
    """
    files: dict[str, tuple[str, str]] = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath) / name
            mode = "100755" if os.access(path, os.X_OK) else "100644"
            rel = path.relative_to(folder).as_posix()
            files[rel] = (mode, blob_sha(path.read_bytes()))
    files[".nojekyll"] = ("100644", blob_sha(b""))
    if cname is not None:
        files["CNAME"] = ("100644", blob_sha(cname.encode()))
    return files


@dataclass
class Changes:
    """What publishing a target changes on its branch."""

    target: Target
    remote_display: str
    tip: str | None  # the branch's current commit on the remote, None if it does not exist
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # the new tree
    warnings: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """True when the branch already holds exactly this tree."""
        return self.tip is not None and not (self.added or self.changed or self.removed)


def compare(
    old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]
) -> tuple[list[str], list[str], list[str]]:
    """``(added, changed, removed)`` paths from tree ``old`` to tree ``new``, each sorted."""
    added = sorted(p for p in new if p not in old)
    changed = sorted(p for p in new if p in old and old[p] != new[p])
    removed = sorted(p for p in old if p not in new)
    return added, changed, removed


@contextlib.contextmanager
def _inside(folder: Path, env: dict[str, str]) -> Iterator[None]:
    """Run in ``folder`` with ``env`` set (ghp-import calls git in the current directory)."""
    saved_cwd = os.getcwd()
    saved_env = {k: os.environ.get(k) for k in env}
    os.chdir(folder)
    os.environ.update(env)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def commit_message(
    target: Target,
    statuses: dict[str, SiteStatus],
    repo: Path,
    decisions: dict[str, UnitDecision] | None = None,
) -> str:
    """Names the source commit(s) the published output was built from, and a dirty tree.

    With ``decisions``, units published from their last good build count by that build's
    commit, units kept as the branch had them not at all, and both are listed in the body.
    """
    decisions = decisions or {}
    state = {u: decisions[u].state if u in decisions else BUILT for u in target.units}
    commits = sorted(
        {
            c
            for u in target.units
            if (s := statuses.get(u))
            and state[u] != KEPT
            and (c := s.last_ok_commit if state[u] == LAST_GOOD else s.commit)
        }
    )
    dirty = any(statuses[u].dirty for u in target.units if u in statuses and state[u] == BUILT)
    if not commits:  # builds outside git: name what the repository holds now
        info = source_info(repo)
        commits = [info["commit"]] if info["commit"] else []
        dirty = bool(info["dirty"])
    short = ", ".join(c[:12] for c in commits) or "?"
    what = "mạng / network" if target.layout == "network" else target.name
    head = f"edusite: xuất bản {what} từ / publish from {short}"
    if dirty:
        head += " (có thay đổi chưa commit / dirty working tree)"
    body = [
        f"Nguồn / source commit: {', '.join(commits) or 'không rõ / unknown'}",
        "Cây làm việc / working tree: "
        + ("có thay đổi chưa commit / had uncommitted changes" if dirty else "sạch / clean"),
        f"Bố cục / layout: {target.layout}; đơn vị / units: {len(target.units)}",
    ]
    if len(commits) > 1:
        body.append("Các đơn vị được xây từ nhiều commit / units were built from several commits")
    for name, wanted in (
        ("Bản tốt gần nhất (bản mới lỗi) / last good output (the new build failed)", LAST_GOOD),
        ("Giữ bản cũ trên nhánh / kept as the branch had them", KEPT),
    ):
        units = [u for u in target.units if state[u] == wanted]
        if units:
            body.append(f"{name}: {', '.join(units)}")
    return head + "\n\n" + "\n".join(body) + "\n"


@dataclass
class Branch:
    """A target branch as fetched: its remote, tip (``None``: no branch yet) and tree."""

    remote: str
    tip: str | None
    files: dict[str, tuple[str, str]]


def read_branch(repo: Path, target: Target) -> Branch:
    """Fetch the target branch (its objects stay for :class:`BranchTree`); no branch moves."""
    remote = resolve_remote(repo, target.remote)
    tip = remote_tip(repo, remote, target.branch)
    old: dict[str, tuple[str, str]] = {}
    if tip is not None:
        ref = fetch_tip(repo, remote, target.branch)
        old = tree_files(repo, ref)
        git(repo, "update-ref", "-d", ref)  # the objects stay; ghp-import's parent is the tip
    return Branch(remote, tip, old)


def plan_changes(repo: Path, target: Target, staged: Path, branch: Branch | None = None) -> Changes:
    """Compare the staged tree with the target branch (fetched unless ``branch`` is given)."""
    branch = branch or read_branch(repo, target)
    new = staged_files(staged, target.cname)
    added, changed, removed = compare(branch.files, new)
    return Changes(target, redact(branch.remote), branch.tip, added, changed, removed, new)


def push_changes(
    repo: Path,
    changes: Changes,
    staged: Path,
    message: str,
    *,
    no_history: bool = False,
    force: bool = False,
) -> str:
    """Commit ``staged`` to the target branch with ghp-import and push it; return the new commit.

    The local branch ``<branch>`` is ghp-import's work branch: it is set to the remote's tip
    (deleted when the remote has none, or with ``no_history``) so the commit has exactly the
    right parent. The pushed commit's tree is verified against the planned one.
    """
    import ghp_import

    target = changes.target
    remote = resolve_remote(repo, target.remote)
    branch_ref = f"refs/heads/{target.branch}"
    head = subprocess.run(
        ["git", "symbolic-ref", "-q", "HEAD"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    if head == branch_ref:
        raise PublishError(
            f"đang ở nhánh {target.branch}; hãy chuyển nhánh khác / the work tree is on"
            f" {target.branch}; check out another branch first"
        )
    named = remote in git(repo, "remote").split()
    tracking = f"refs/remotes/{remote}/{target.branch}"
    if changes.tip is not None:
        if named:  # ghp-import rebases onto <remote>/<branch>: make it the fresh tip
            git(repo, "update-ref", tracking, changes.tip)
        if no_history:
            if git_ok(repo, "rev-parse", "--verify", "-q", branch_ref):
                git(repo, "update-ref", "-d", branch_ref)
        else:
            git(repo, "update-ref", branch_ref, changes.tip)
    else:  # a new branch: no parent, whatever stale local branch or tracking ref exists
        for ref in (branch_ref, tracking):
            if git_ok(repo, "rev-parse", "--verify", "-q", ref):
                git(repo, "update-ref", "-d", ref)
    env = {"GIT_TERMINAL_PROMPT": "0"}
    if not os.environ.get("GIT_COMMITTER_NAME") and not git_ok(repo, "config", "user.name"):
        env["GIT_COMMITTER_NAME"] = "edusite"
    if not os.environ.get("GIT_COMMITTER_EMAIL") and not git_ok(repo, "config", "user.email"):
        env["GIT_COMMITTER_EMAIL"] = "edusite@localhost"
    try:
        with _inside(repo, env):
            ghp_import.ghp_import(
                str(staged),
                mesg=message,
                remote=remote,
                branch=target.branch,
                push=True,
                force=force,
                no_history=no_history,
                cname=target.cname,
                nojekyll=True,
            )
    except ghp_import.GhpError as exc:
        raise PublishError(f"ghp-import: {redact(str(exc.message))}") from None
    except subprocess.CalledProcessError as exc:
        raise PublishError(
            f"đẩy lên {changes.remote_display} thất bại / push to {changes.remote_display}"
            f" failed (git exit {exc.returncode}); nhánh từ xa không đổi / the remote branch is"
            " unchanged"
        ) from None
    new = git(repo, "rev-parse", branch_ref).strip()
    if new == changes.tip or tree_files(repo, new) != changes.files:
        raise PublishError(
            "ghp-import không tạo đúng commit mong đợi / ghp-import did not create the expected"
            " commit"
        )
    if remote_tip(repo, remote, target.branch) != new:
        raise PublishError(
            f"nhánh {target.branch} trên {changes.remote_display} không trỏ tới {new[:12]}"
            f" / {target.branch} on {changes.remote_display} does not point to {new[:12]}"
        )
    return new
