"""Which ``srcset`` candidate a browser downloads: used by tests and the benchmark to measure
page weight as a phone or a desktop sees it. Pure functions; em and rem count 16 px."""

from __future__ import annotations

import re


def slot_width(sizes: str, viewport: int) -> float:
    """The CSS width ``sizes`` gives an image in a ``viewport`` px wide window (em = 16px)."""
    entries = [e.strip() for e in re.split(r",(?![^(]*\))", sizes or "100vw") if e.strip()]
    for entry in entries:
        cond, _, length = entry.rpartition(")")
        if not cond:
            return _length(entry, viewport)
        if all(_media(c, viewport) for c in re.findall(r"\(([^)]*)", cond + ")")):
            return _length(length.strip(), viewport)
    return float(viewport)


def _length(value: str, viewport: int) -> float:
    m = re.fullmatch(r"([\d.]+)(px|vw|em|rem)", value.strip())
    if not m:
        return float(viewport)
    n, unit = float(m.group(1)), m.group(2)
    return n * {"px": 1, "vw": viewport / 100, "em": 16, "rem": 16}[unit]


def _media(cond: str, viewport: int) -> bool:
    m = re.fullmatch(r"\s*(min|max)-width\s*:\s*([\d.]+(?:px|em|rem))\s*", cond)
    if not m:
        return False
    px = _length(m.group(2), viewport)
    return viewport >= px if m.group(1) == "min" else viewport <= px


def pick_candidate(srcset: str, sizes: str, viewport: int, dpr: float) -> str:
    """The ``srcset`` URL a browser picks: the narrowest that covers slot width x DPR."""
    cands = []
    for part in srcset.split(","):
        bits = part.split()
        if len(bits) == 2 and bits[1].endswith("w"):
            cands.append((int(bits[1][:-1]), bits[0]))
    if not cands:
        return srcset.split()[0] if srcset.strip() else ""
    need = slot_width(sizes, viewport) * dpr
    cands.sort()
    for width, url in cands:
        if width >= need:
            return url
    return cands[-1][1]
