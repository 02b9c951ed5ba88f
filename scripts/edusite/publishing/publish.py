"""Publish built sites to git branches with ghp-import: all or nothing per target.

A **target** is one branch of one remote: the whole network under one host (``network`` layout:
``/<unit-id>/`` folders, the shared theme assets, a network index page, a sitemap index,
``robots.txt``, ``404.html``) or one unit with its own domain (``per-unit`` layout: the site at
the branch root). Publishing a target is refused, and nothing is pushed, when any of its units
has no successful build on record (the reports ``edusite build`` writes, see
:mod:`edusite.publishing.shard`) or fails a blocking check.

Git is driven in the source repository, as ghp-import (and ``mkdocs gh-deploy``) do: the remote
branch is fetched first, so the new commit follows its tip (or replaces it with ``--no-history``),
and the tree about to be committed is compared with the tree the branch holds. That comparison
is what ``--dry-run`` prints, and an unchanged tree makes no commit at all. ghp-import builds the
commit and pushes it (no shell-out to its CLI); git itself is only called to fetch and inspect.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
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
from ..security.personal_data import DEFAULT_BLOCKING
from ..structure.network import Network
from .shard import SHARED_DIR, SiteStatus, source_info
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

    settings_kinds = publish_settings(network).get("blocking_checks")
    if kinds is None:
        kinds = settings_kinds if isinstance(settings_kinds, list) else DEFAULT_BLOCKING
    kinds = [str(k) for k in kinds]
    checked = [u for u in unit_ids if network[u].kind in ("school", "center")]
    if not checked:
        return CheckGate(ran=True, note="không có trường cần kiểm tra / no school to check")
    try:
        from ..disclosure.checker import check_network
        from ..disclosure.rules import get_rules

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


# -- the tree to publish ----------------------------------------------------------------------


def _link_or_copy(src: str, dst: str) -> str:
    """Hard-link (cheap for a 1 GB network), copying across file systems."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
    return dst


def shared_digests(out: Path, unit_ids: Iterable[str]) -> list[str]:
    """The ``_shared/<digest>`` folders the given sites' pages link to.

    A build uses one digest for all its pages, so each site's ``index.html`` and ``404.html``
    tell. Older digests (from earlier theme versions) are not published. Should no page name one
    while the folder exists (a theme that links differently), all are kept, to stay safe.
    """
    found: set[str] = set()
    for uid in unit_ids:
        for page in ("index.html", "404.html"):
            path = out / uid / page
            if path.is_file():
                found.update(
                    _SHARED_REF.findall(path.read_text(encoding="utf-8", errors="replace"))
                )
    shared = out / SHARED_DIR
    present = sorted(p.name for p in shared.iterdir() if p.is_dir()) if shared.is_dir() else []
    if not found:
        return present
    return sorted(d for d in found if d in present)


def stage_target(
    network: Network, target: Target, out: Path, dest: Path, *, link: bool = True
) -> list[str]:
    """Assemble in ``dest`` exactly the files the branch will hold (CNAME and .nojekyll aside).

    Site files are hard-linked when ``link`` (cheap; ghp-import only reads them). Returns
    warnings (``vi / en``), e.g. a sitemap that does not match the site_url.
    """
    copy = _link_or_copy if link else shutil.copyfile
    warnings: list[str] = []
    dest.mkdir(parents=True, exist_ok=True)
    digests = shared_digests(out, target.units)
    if target.layout == "network":
        for uid in target.units:
            shutil.copytree(out / uid, dest / uid, copy_function=copy)
        for digest in digests:
            shutil.copytree(
                out / SHARED_DIR / digest, dest / SHARED_DIR / digest, copy_function=copy
            )
        (dest / "index.html").write_text(
            render_network_index(network, set(target.units)), encoding="utf-8"
        )
        sitemaps = [
            network[u].site_url + "sitemap.xml"
            for u in target.units
            if (out / u / "sitemap.xml").is_file()
        ]
        (dest / "sitemap.xml").write_text(sitemap_index(sitemaps), encoding="utf-8")
        (dest / "robots.txt").write_text(
            robots_txt(target.base_url + "sitemap.xml"), encoding="utf-8"
        )
        top = [u for u in target.units if network[u].parent is None]
        if urlsplit(target.base_url).path in ("", "/") and top:
            # GitHub Pages serves only the root 404.html; the Sở's uses absolute links.
            not_found = out / top[0] / "404.html"
            if not_found.is_file():
                shutil.copyfile(not_found, dest / "404.html")
    else:
        (uid,) = target.units
        shutil.copytree(out / uid, dest, dirs_exist_ok=True, copy_function=copy)
        for digest in digests:
            shutil.copytree(
                out / SHARED_DIR / digest, dest / SHARED_DIR / digest, copy_function=copy
            )
        robots = dest / "robots.txt"
        if urlsplit(target.base_url).path in ("", "/") and not robots.exists():
            # robots.txt counts at a host's root only; a unit's own robots.txt is kept
            robots.write_text(robots_txt(target.base_url + "sitemap.xml"), encoding="utf-8")
    for uid in target.units:
        for message in check_site_sitemap(out / uid, network[uid].site_url):
            warnings.append(f"{uid}: {message}")
    return warnings


def export_tree(network: Network, target: Target, out: Path, dest: Path) -> list[str]:
    """Write the target's branch tree (CNAME and .nojekyll included) to a fresh ``dest``.

    For hosts that deploy a folder rather than a branch (GitLab Pages, an rsync'd server);
    ``dest`` is replaced whole. Files are copied, never hard-linked, so the export owns them.
    """
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    warnings = stage_target(network, target, out, tmp, link=False)
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


def commit_message(target: Target, statuses: dict[str, SiteStatus], repo: Path) -> str:
    """Names the source commit(s) the published output was built from, and a dirty tree."""
    commits = sorted({s.commit for u in target.units if (s := statuses.get(u)) and s.commit})
    dirty = any(statuses[u].dirty for u in target.units if u in statuses)
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
    return head + "\n\n" + "\n".join(body) + "\n"


def plan_changes(repo: Path, target: Target, staged: Path) -> Changes:
    """Fetch the target branch and compare it with the staged tree (no branch moves)."""
    remote = resolve_remote(repo, target.remote)
    tip = remote_tip(repo, remote, target.branch)
    old: dict[str, tuple[str, str]] = {}
    if tip is not None:
        ref = fetch_tip(repo, remote, target.branch)
        old = tree_files(repo, ref)
        git(repo, "update-ref", "-d", ref)  # the objects stay; ghp-import's parent is the tip
    new = staged_files(staged, target.cname)
    added, changed, removed = compare(old, new)
    return Changes(target, redact(remote), tip, added, changed, removed, new)


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
