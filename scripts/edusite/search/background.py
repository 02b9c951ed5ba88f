"""A portal's network index, built by a forked child while the portal's own pages build.

Merging a Sở's members is the longest part of its build (300 schools: read 52 MB of records,
build and write the postings, about 1.3 s) and needs nothing from the Sở's own pages but their
few records. After one school's post, the school, its Phòng and the Sở build one after another
and the machine's other core is idle, so the child reads the members' records as soon as the
Sở's build starts, then waits for the portal's own records, merges, builds and writes
``search/``. The output is the same as :func:`edusite.search.plugin.SearchPlugin`'s in-process
path, which is also the fallback whenever the child cannot be used or fails.

POSIX only (``os.fork``); only from a single-threaded process (a fork copies no other thread,
and a lock held by one would stay held in the child).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from collections.abc import Sequence
from pathlib import Path

from ..memo import write_atomic
from . import index as ix
from . import network as net

#: Fork only for portals with at least this many members (smaller merges are quick).
MIN_MEMBERS = 40


class MemberMerge:
    """Handle of a running child; :meth:`finish` hands it the portal's records and waits."""

    def __init__(self, pid: int, go_write: int, handoff: Path):
        self.pid = pid
        self.go_write = go_write
        self.handoff = handoff

    def finish(self, own: Sequence[ix.Record]) -> bool:
        """Send ``own`` records; True when the child wrote ``search/`` successfully."""
        ok = False
        try:
            if write_atomic(self.handoff, pickle.dumps(list(own), pickle.HIGHEST_PROTOCOL)):
                os.write(self.go_write, b"1")
        except OSError:
            pass
        finally:
            os.close(self.go_write)
            _, status = os.waitpid(self.pid, 0)
            ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
            self.handoff.unlink(missing_ok=True)
        return ok

    def cancel(self) -> None:
        """Stop waiting for the child (the build failed before ``on_post_build``)."""
        with contextlib.suppress(OSError):
            os.close(self.go_write)  # the child reads EOF and exits
        os.waitpid(self.pid, 0)
        self.handoff.unlink(missing_ok=True)


def start(
    members: Sequence[net.Member],
    unit_id: str,
    unit_name: str,
    site_url: str,
    target: Path,
    handoff: Path,
    *,
    budget: int = net.BUDGET,
    cache: Path | None = None,
) -> MemberMerge | None:
    """Fork a child that merges ``members`` into ``target`` (blocks cached in ``cache``).

    Returns ``None`` (the caller builds in-process) when forking is unsuitable.
    """
    if (
        not hasattr(os, "fork")
        or len(members) < MIN_MEMBERS
        or threading.active_count() > 1
        or os.environ.get("EDUSITE_SEARCH_NO_FORK")
    ):
        return None
    go_read, go_write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(go_read)
        os.close(go_write)
        return None
    if pid:  # the portal's build goes on
        os.close(go_read)
        return MemberMerge(pid, go_write, handoff)
    code = 1
    try:
        os.close(go_write)
        blocks = net.member_blocks(members, site_url, budget=budget, cache=cache)
        builder = net.prepare(blocks, unit_id, unit_name)
        if os.read(go_read, 1) == b"1":  # EOF: the build was abandoned
            own = pickle.loads(handoff.read_bytes())
            complete(builder, own, site_url, target)
            code = 0
    except BaseException:  # noqa: BLE001 - the parent falls back to building in-process
        code = 1
    finally:
        os._exit(code)


def prepare(
    members: Sequence[tuple[str, str, str, list[ix.Record]]],
    unit_id: str,
    unit_name: str,
    site_url: str,
    budget: int = net.BUDGET,
) -> ix.IndexBuilder:
    """The members' part of a portal's index from records already read: each member's best
    records (:func:`edusite.search.network.select`), rebased, newest first, take the first
    ids; the portal's own come after them (members without any are left out)."""
    cap = net.cap_for(budget, len(members))
    blocks = [
        (uid, name, ix.merge([], [(uid, url, net.select(uid, recs, cap))], site_url))
        for uid, name, url, recs in members
    ]
    return net.prepare(blocks, unit_id, unit_name)


def complete(
    builder: ix.IndexBuilder, own: Sequence[ix.Record], site_url: str, target: Path
) -> None:
    """Add the portal's own records and write ``search/`` (and its own records, unpublished)."""
    builder.add(ix.order(own))
    ix.write(target, builder.files(site_url), own)


def write_network(
    own: Sequence[ix.Record],
    members: Sequence[tuple[str, str, str, list[ix.Record]]],
    unit_id: str,
    unit_name: str,
    site_url: str,
    target: Path,
    budget: int = net.BUDGET,
) -> None:
    """A site's ``search/``: a portal's members (if any) first, then its own records."""
    complete(prepare(members, unit_id, unit_name, site_url, budget), own, site_url, target)


def write_blocks(
    own: Sequence[ix.Record],
    members: Sequence[net.Member],
    unit_id: str,
    unit_name: str,
    site_url: str,
    target: Path,
    *,
    budget: int = net.BUDGET,
    cache: Path | None = None,
) -> None:
    """:func:`write_network` from the members' built folders, unchanged blocks from ``cache``."""
    blocks = net.member_blocks(members, site_url, budget=budget, cache=cache)
    complete(net.prepare(blocks, unit_id, unit_name), own, site_url, target)
