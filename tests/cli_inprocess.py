"""Run the real entry point (analyzer.cli.main) in-process: its exit code, stdout and stderr."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from analyzer import gcpause
from analyzer.cli import main


@dataclass
class Ran:
    code: int
    out: str
    err: str


def eksjoin(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, *args: str) -> Ran:
    monkeypatch.setattr(sys, "argv", ["eksjoin", *args])
    # the test process outlives the command: its parse trees must go back to the collector,
    # or later tests see objects left frozen (tests/test_gcpause.py)
    monkeypatch.setattr(gcpause, "keep_frozen", lambda: None)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return Ran(int(exited.value.code or 0), captured.out, captured.err)
