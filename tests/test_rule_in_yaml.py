"""A new rule of an existing kind is one YAML file plus its fixtures: this one is written
here, loaded as a catalogue of its own, and run on its failing, passing and unknown cases
without a line of Python (the worked example of docs/architecture.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import analyze

RULE = """\
id: EKS-CLUSTER-990
name: private-endpoint-on
title: The cluster's API server has a private endpoint
severity: warning
category: cluster
frameworks: [terraform, cloudformation]
summary: Checks that the cluster's private API endpoint is enabled.
rationale: >
  Nodes in subnets without internet egress reach the API server only through the private
  endpoint.
remediation: Set `endpoint_private_access = true` in vpc_config.
docs: docs/rules.md#eks-cluster-990
check:
  for_each: eks.cluster
  assert: {value: $subject.endpoint_private_access, op: is_true}
  message: "the private API endpoint of {subject.address} is off ({subject.endpoint_private_access|assignment})"
  unknown_message: "whether {subject.address} has a private API endpoint"
  anchor: endpoint_private_access
"""

CLUSTER = """\
variable "private" {}

resource "aws_eks_cluster" "main" {
  name     = "demo"
  role_arn = "arn:aws:iam::111122223333:role/cluster"
  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_private_access = PRIVATE
  }
}
"""


@pytest.fixture
def rule(tmp_path):
    catalogue = tmp_path / "rules"
    catalogue.mkdir()
    (catalogue / "EKS-CLUSTER-990.yaml").write_text(RULE)
    [loaded] = load_catalogue(catalogue)
    return loaded


def _lint(tmp_path: Path, rule, private: str):
    case = tmp_path / "case"
    case.mkdir()
    (case / "main.tf").write_text(CLUSTER.replace("PRIVATE", private))
    cwd = os.getcwd()
    os.chdir(case)
    try:
        return analyze([Path(".")], [rule])
    finally:
        os.chdir(cwd)


def test_fail(tmp_path, rule):
    analysis = _lint(tmp_path, rule, "false")
    [finding] = [f for f in analysis.findings if f.rule_id == "EKS-CLUSTER-990"]
    assert (finding.location.path, finding.location.line, finding.severity) == ("main.tf", 8, "warning")
    assert finding.message.startswith("the private API endpoint of aws_eks_cluster.main is off")


def test_pass(tmp_path, rule):
    analysis = _lint(tmp_path, rule, "true")
    assert [r.outcome for r in analysis.results] == ["pass"] and not analysis.findings


def test_unknown_names_the_value(tmp_path, rule):
    analysis = _lint(tmp_path, rule, "var.private")
    [result] = analysis.results
    assert result.outcome == "unknown" and "var.private" in result.reason
