"""Benchmark: lint the public EKS corpus and report time per stage and throughput.

    python benchmarks/corpus.py [PATH] [--repeat N]

Default PATH is ../shared/corpus next to the repository. Prints wall time for discovery
+ loading + evaluation (the model) and for rule evaluation, per run, and the median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzer.engine.catalogue import load_catalogue  # noqa: E402
from analyzer.pipeline import analyze  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    target = Path(args.path)
    if not target.exists():
        print(f"no such path: {target}", file=sys.stderr)
        return 2
    rules = load_catalogue()
    totals, loads, checks = [], [], []
    for run in range(1, args.repeat + 1):
        started = time.perf_counter()
        analysis = analyze([target], rules)
        total = time.perf_counter() - started
        totals.append(total)
        loads.append(analysis.timings["load"])
        checks.append(analysis.timings["rules"])
        print(
            f"run {run}: {total:6.2f} s  (load {analysis.timings['load']:.2f} s, "
            f"rules {analysis.timings['rules']:.2f} s)"
        )
    files = analysis.inventory.file_count
    median = statistics.median(totals)
    print(
        f"\n{files} files, {len(analysis.model.resources)} resources, {len(rules)} rules, "
        f"{len(analysis.results)} checks, {len(analysis.findings)} findings"
    )
    print(
        f"median {median:.2f} s  = {files / median:.0f} files/s "
        f"(load {statistics.median(loads):.2f} s, rules {statistics.median(checks):.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
