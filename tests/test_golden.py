"""Every report format on examples/, compared with the files in tests/golden/.

A deliberate change to a report (or to a rule's message) regenerates them with one command:

    EKSJOIN_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_golden.py

and the diff of tests/golden/ is reviewed like code."""

from __future__ import annotations

import os

import pytest
from cli_inprocess import eksjoin
from conftest import REPO

GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("EKSJOIN_UPDATE_GOLDEN") == "1"

CASES = {
    "text.txt": ("--format", "text", "--no-color"),
    "text-compact.txt": ("--format", "text", "--no-color", "--compact"),
    "text-quiet.txt": ("--format", "text", "--no-color", "--quiet"),
    "json.json": ("--format", "json"),
    "sarif.sarif": ("--format", "sarif"),
    "junit.xml": ("--format", "junit"),
    "junit-fail-on-warning.xml": ("--format", "junit", "--fail-on", "warning"),
    "github.txt": ("--format", "github"),
    "markdown.md": ("--format", "markdown"),
    "gitlab.json": ("--format", "gitlab"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_report_matches_golden(name, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    result = eksjoin(capsys, monkeypatch, "lint", "examples", *CASES[name])
    assert result.code == 1, result.err
    golden = GOLDEN / name
    if UPDATE:
        golden.write_text(result.out)
    assert golden.exists(), f"{golden} is missing; regenerate with EKSJOIN_UPDATE_GOLDEN=1"
    assert result.out == golden.read_text(), (
        f"{name} differs from {golden}; if the change is intended, regenerate: "
        "EKSJOIN_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_golden.py"
    )
