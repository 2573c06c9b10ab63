"""The long fuzz run: ``python -m tests.fuzz --count 10000 [--target NAME ...]``.

Prints, per target, the inputs run, the uncaught errors, the slowest input's time and the
inputs over 2 s (with ``--progress N``, the numbers so far every N inputs too). Writes to
``--out`` each failing input with its traceback, each input over 2 s and the slowest so far the
moment it is met, so a run stopped early keeps them. Exits 1 when any target had an uncaught
error or an input that took over 2 s of CPU time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from tests.fuzz.targets import SLOW_S, TARGETS, Recorder, run_target


class FileRecorder(Recorder):
    """Writes each input to ``out`` as it is met. An uncaught error is two files:
    ``<target>_<n>.txt`` (the traceback, then the input) and ``<target>_<n>_<file name>``
    (the input byte for byte, to lint again). Each file is complete once it appears
    (temporary name, then rename); ``<target>_current_<file name>`` is the input running now."""

    def __init__(self, out: Path, target: str) -> None:
        self.out = out
        self.target = target
        self.current: Path | None = None

    def start(self, name: str, content: str | bytes) -> None:
        if self.current is not None:
            self.current.unlink(missing_ok=True)
        self.current = self.out / f"{self.target}_current_{name}"
        self.current.write_bytes(_as_bytes(content))  # no fsync: this one is rewritten per input

    def error(self, index: int, trace: str, name: str, content: str | bytes) -> None:
        report = self.out / f"{self.target}_{index}.txt"
        self._write(report.name, f"{_commented(trace)}\n{_shown(content)}")
        self._write(f"{self.target}_{index}_{name}", _as_bytes(content))
        print(f"  uncaught: {trace.splitlines()[-1]} -> {report}", flush=True)

    def slow(self, index: int, elapsed: float, content: str) -> None:
        self._write(f"{self.target}_slow_{index}.txt", f"# {elapsed:.2f} s\n{content}")
        print(f"  slow: {elapsed:.2f} s -> {self.out / f'{self.target}_slow_{index}.txt'}", flush=True)

    def slowest(self, elapsed: float, content: str) -> None:
        self._write(f"{self.target}_slowest.txt", f"# {elapsed:.2f} s\n{content}")

    def finish(self) -> None:
        if self.current is not None:
            self.current.unlink(missing_ok=True)

    def _write(self, name: str, data: str | bytes) -> None:
        partial = self.out / f".{name}.partial"
        with partial.open("wb") as stream:
            stream.write(data if isinstance(data, bytes) else data.encode("utf-8", "backslashreplace"))
            stream.flush()
            os.fsync(stream.fileno())
        partial.replace(self.out / name)


def _commented(text: str) -> str:
    return "\n".join(f"# {line}" for line in text.splitlines())


def _as_bytes(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")


def _shown(content: str | bytes) -> str:
    return content if isinstance(content, str) else content.decode("utf-8", "backslashreplace")


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
        recorder = FileRecorder(out, target)
        report = run_target(
            target,
            options.count,
            seed=options.seed,
            progress=(lambda r: print(f"  so far: {r.line()}", flush=True)) if options.progress else None,
            every=options.progress or 500,
            recorder=recorder,
        )
        recorder.finish()
        print(report.line(), flush=True)
        failed |= bool(report.errors) or report.slowest_s > SLOW_S
    print(f"inputs written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
