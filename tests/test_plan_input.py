"""Terraform plan JSON as an input: exact values, links through configuration references,
and findings located in the HCL beside the plan."""

from __future__ import annotations

import json
import textwrap

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import Options, analyze, build_model

HCL = textwrap.dedent("""\
    resource "aws_iam_role" "cluster" {
      name               = "cluster"
      assume_role_policy = var.trust
    }

    resource "aws_eks_cluster" "this" {
      name     = "planned"
      role_arn = aws_iam_role.cluster.arn

      vpc_config {
        subnet_ids = var.subnets
      }
    }
    """)

EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)

PLAN = {
    "format_version": "1.2",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_iam_role.cluster",
                    "mode": "managed",
                    "type": "aws_iam_role",
                    "name": "cluster",
                    "values": {"name": "cluster", "assume_role_policy": EC2_TRUST},
                },
                {
                    "address": "aws_eks_cluster.this",
                    "mode": "managed",
                    "type": "aws_eks_cluster",
                    "name": "this",
                    "values": {"name": "planned", "vpc_config": [{"subnet_ids": ["subnet-1", "subnet-2"]}]},
                },
            ]
        }
    },
    "resource_changes": [
        {"address": "aws_eks_cluster.this", "change": {"after_unknown": {"role_arn": True}}},
        {"address": "aws_iam_role.cluster", "change": {"after_unknown": {"arn": True}}},
    ],
    "configuration": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_eks_cluster.this",
                    "expressions": {"role_arn": {"references": ["aws_iam_role.cluster.arn", "aws_iam_role.cluster"]}},
                },
                {
                    "address": "aws_iam_role.cluster",
                    "expressions": {"assume_role_policy": {"references": ["var.trust"]}},
                },
            ]
        }
    },
}


def test_plan_values_link_and_findings_point_at_hcl(tmp_path):
    (tmp_path / "main.tf").write_text(HCL)
    (tmp_path / "plan.json").write_text(json.dumps(PLAN))
    model, _ = build_model([tmp_path], Options())
    assert len(model.of_kind("eks.cluster")) == 1  # the HCL is not loaded a second time
    rules = [r for r in load_catalogue() if r.id == "EKS-CLUSTER-002"]
    analysis = analyze([tmp_path], rules)
    (finding,) = [f for f in analysis.findings if f.rule_id == "EKS-CLUSTER-002"]
    assert finding.severity == "error"
    assert finding.location.path.endswith("main.tf") and finding.location.line == 3
