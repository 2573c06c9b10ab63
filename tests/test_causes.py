"""Unknown checks are explained once: by the value at the bottom of their reasons."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from analyzer.causes import root_cause, unknown_causes
from analyzer.cli import cli


def test_root_cause_is_the_innermost_reason():
    assert (
        root_cause("the AMI ID is not known (parameter NodeImageId has no default; pass --cfn-param NodeImageId=...)")
        == "parameter NodeImageId has no default; pass --cfn-param NodeImageId=..."
    )
    assert (
        root_cause(
            "whether it applies is not known (count of aws_subnet.private is unknown: "
            "var.azs has no value; pass --var azs=... or --var-file)"
        )
        == "var.azs has no value; pass --var azs=... or --var-file"
    )
    # a placeholder in parentheses is part of the sentence, not a cause
    assert root_cause("node role (unresolved) is not known") == "node role (unresolved) is not known"


def test_causes_are_counted_most_first():
    causes = unknown_causes(
        ["a is not known (var.x has no value)", "b is unknown: var.x has no value", "var.y has no value", ""]
    )
    assert causes == [{"cause": "var.x has no value", "checks": 2}, {"cause": "var.y has no value", "checks": 1}]


def _lint(tmp_path: Path, *options: str):
    (tmp_path / "main.tf").write_text(
        """
variable "subnet_ids" {
  type = list(string)
}

resource "aws_vpc" "main" {
  cidr_block         = "10.0.0.0/16"
  enable_dns_support = false
}

resource "aws_eks_cluster" "main" {
  name     = "demo"
  role_arn = "arn:aws:iam::111122223333:role/demo-cluster"
  vpc_config {
    subnet_ids = var.subnet_ids
  }
}
"""
    )
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(cli, ["lint", *options, "."])
    finally:
        os.chdir(cwd)


def test_text_summary_ends_with_the_top_causes(tmp_path):
    result = _lint(tmp_path)
    tail = result.output.rstrip().splitlines()
    start = tail.index("unknown because:")
    assert "var.subnet_ids has no value" in tail[start + 1]
    assert tail[start + 1].lstrip().split(" ")[0].isdigit()


def test_json_report_lists_every_cause(tmp_path):
    report = json.loads(_lint(tmp_path, "--format", "json").output)
    causes = report["summary"]["unknown_causes"]
    assert sum(c["checks"] for c in causes) == report["summary"]["unknown"]
    assert any("var.subnet_ids has no value" in c["cause"] for c in causes)
