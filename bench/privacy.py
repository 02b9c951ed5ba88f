"""Personal-data scanner: precision and recall on the labelled corpus, against edusite 0.1's.

Reads ``tests/data/privacy-corpus.yml`` (one line or one small table per case, each labelled with
the kinds of personal data a careful reader finds in it) plus spreadsheet cases written with
openpyxl (IDs stored as numbers, phones without their leading 0, birth dates as Excel dates and
as bare serial numbers), scans every case with the current scanner and with the one of
edusite 0.1 (``bench/privacy_v1.py``), and prints per kind: true positives, false positives,
false negatives, precision and recall; then the targets (recall ≥ 0.98 on ID numbers and on birth
dates, precision ≥ 0.95 overall) and the time per case.

    .venv/bin/python bench/privacy.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import privacy_v1  # noqa: E402
from edusite.security.privacy import scan  # noqa: E402
from privacy_support import KINDS, Case, corpus, evaluate, xlsx_cases  # noqa: E402

TARGET_RECALL = 0.98
TARGET_PRECISION = 0.95


def current(case: Case) -> set[str]:
    return {h.kind for h in scan(case.text, allowed=case.allowed)}


def baseline(case: Case) -> set[str]:
    return {h.kind for h in privacy_v1.scan(case.text, case.allowed.phones)}


def table(name: str, fn: Callable[[Case], set[str]], cases: list[Case]) -> dict[str, float]:
    start = time.perf_counter()
    result = evaluate(cases, fn)
    ms = (time.perf_counter() - start) * 1000 / max(1, len(cases))
    print(f"\n{name}: {len(cases)} cases, {ms:.2f} ms/case")
    print(f"  {'kind':<12} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}")
    for kind in (*KINDS, "ids", "all"):
        tp, fp, fn = result.counts(kind)
        print(
            f"  {kind:<12} {tp:>4} {fp:>4} {fn:>4} {result.precision(kind):>10.3f} "
            f"{result.recall(kind):>8.3f}"
        )
    return {
        "ids": result.recall("ids"),
        "birth": result.recall("birth_date"),
        "precision": result.precision("all"),
        "misses": result.misses,  # type: ignore[dict-item]
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--misses", action="store_true", help="list the cases each scanner gets wrong")
    args = ap.parse_args()
    cases = corpus() + xlsx_cases()
    print(f"corpus: {len(cases)} cases ({sum(1 for c in cases if c.expect)} with personal data)")
    base = table("baseline: edusite 0.1 scanner", baseline, cases)
    now = table("current: scan v2", current, cases)
    print("\ntargets (current vs baseline):")
    print(
        f"  recall, ID numbers (cccd + cmnd) ≥ {TARGET_RECALL}: {now['ids']:.3f} (was {base['ids']:.3f})"
    )
    print(
        f"  recall, birth dates             ≥ {TARGET_RECALL}: {now['birth']:.3f} (was {base['birth']:.3f})"
    )
    print(
        f"  precision, all kinds            ≥ {TARGET_PRECISION}: {now['precision']:.3f} (was {base['precision']:.3f})"
    )
    met = (
        now["ids"] >= TARGET_RECALL
        and now["birth"] >= TARGET_RECALL
        and now["precision"] >= TARGET_PRECISION
    )
    print("  → targets met" if met else "  → TARGETS NOT MET")
    if args.misses:
        for label, result in (("baseline", base), ("current", now)):
            print(f"\n{label} mistakes:")
            for line in result["misses"]:  # type: ignore[union-attr]
                print("  " + line)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
