"""A short, derandomized run of every fuzz target (tests/fuzz): each input is analysed in
strict mode and must raise nothing and take under 2 s. ``python -m tests.fuzz --count
10000`` is the long run."""

from __future__ import annotations

import pytest

from tests.fuzz.targets import SLOW_S, TARGETS, run_target

INPUTS_PER_TARGET = 12


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_target_raises_nothing(target: str) -> None:
    report = run_target(target, INPUTS_PER_TARGET, derandomize=True)
    assert report.inputs > 0
    assert not report.errors, "\n\n".join(f"{error}\n{content}" for error, content in report.errors[:3])
    assert report.slowest_s < SLOW_S, f"{report.slowest_s:.2f} s for:\n{report.slowest_input}"
