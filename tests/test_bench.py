"""The benchmark refuses figures of runs that failed (exit 2 and above, or a signal)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench  # noqa: E402


def _exit(code: int) -> list[str]:
    return [sys.executable, "-c", f"import sys; sys.exit({code})"]


@pytest.mark.parametrize("code", [0, 1])
def test_analysed_runs_are_measured(code):
    wall, cpu, peak = bench.measure(_exit(code), dict(os.environ), 1)
    assert wall > 0 and cpu >= 0 and peak > 0


@pytest.mark.parametrize("code", [2, 3, 4])
def test_failed_runs_stop_the_benchmark(code):
    with pytest.raises(bench.RunFailed, match=f"exited {code}"):
        bench.measure(_exit(code), dict(os.environ), 1)


def test_killed_run_stops_the_benchmark():
    with pytest.raises(bench.RunFailed, match="exited -9"):
        bench.measure([sys.executable, "-c", "import os; os.kill(os.getpid(), 9)"], dict(os.environ), 1)


def test_cold_runs_start_from_an_empty_cache(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "entry").write_text("x")
    command = [sys.executable, "-c", f"import os, sys; sys.exit(os.path.exists({str(cache / 'entry')!r}))"]
    bench.measure(command, dict(os.environ), 2, ok=0, fresh=cache)
