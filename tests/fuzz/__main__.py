"""The long fuzz run: ``python -m tests.fuzz --count 10000 [--target NAME ...]``.

Prints, per target, the inputs run, the uncaught errors, the slowest input's time and the
inputs over 2 s (with ``--progress N``, the numbers so far every N inputs too); writes every
failing input, the inputs over 2 s and the slowest to ``--out``. Exits 1 when any target had an
uncaught error or an input that took over 2 s of CPU time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.fuzz.targets import SLOW_S, TARGETS, run_target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="inputs per target (default 1000)")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="only these targets")
    parser.add_argument("--seed", type=int, default=None, help="a fixed seed, to repeat a run")
    parser.add_argument("--out", type=Path, default=None, help="folder for failing and slowest inputs")
    parser.add_argument("--progress", type=int, default=0, help="print the numbers so far every N inputs")
    options = parser.parse_args(argv)
    out = options.out or Path(tempfile.mkdtemp(prefix="eksjoin-fuzz-out-"))
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    for target in options.target or list(TARGETS):
        report = run_target(
            target,
            options.count,
            seed=options.seed,
            progress=(lambda r: print(f"  so far: {r.line()}", flush=True)) if options.progress else None,
            every=options.progress or 500,
        )
        print(report.line(), flush=True)
        for index, (error, content) in enumerate(report.errors):
            (out / f"{target}_{index}.txt").write_text(f"# {error}\n{content}", encoding="utf-8", errors="replace")
            print(f"  {error}", flush=True)
        for index, (elapsed, content) in enumerate(report.slow_inputs):
            (out / f"{target}_slow_{index}.txt").write_text(
                f"# {elapsed:.2f} s\n{content}", encoding="utf-8", errors="replace"
            )
        (out / f"{target}_slowest.txt").write_text(report.slowest_input, encoding="utf-8", errors="replace")
        failed |= bool(report.errors) or report.slowest_s > SLOW_S
    print(f"inputs written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
