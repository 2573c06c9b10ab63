"""Terraform JSON syntax (.tf.json) and plan JSON (terraform show -json) inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.diagnostics import PARSE_ERROR
from analyzer.terraform import load_plan, load_terraform
from analyzer.values import Ref

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"


def _block(configuration, address):
    return next(b for b in configuration.blocks if b.address == address)


@pytest.fixture(scope="module")
def json_config():
    (configuration,) = load_terraform([DATA / "json_syntax"], scan_root=DATA)
    return configuration


def test_json_syntax_strings_are_templates(json_config):
    role = _block(json_config, "aws_iam_role.cluster")
    assert role.attributes["name"] == "json-cluster-role"
    assert role.attributes["assume_role_policy"] == '{"Version":"2012-10-17"}'


def test_json_syntax_for_each_and_references(json_config):
    assert _block(json_config, 'aws_subnet.zone["b"]').attributes["availability_zone"] == "eu-west-1b"
    cluster = _block(json_config, "aws_eks_cluster.this")
    assert cluster.attributes["name"] == "json-cluster"
    assert cluster.attributes["tags"] == {"Team": "platform", "Count": 3}
    subnets = cluster.attributes["vpc_config"]["subnet_ids"]
    assert [s.target for s in subnets] == ['aws_subnet.zone["a"]', 'aws_subnet.zone["b"]']


def test_json_syntax_keeps_line_numbers(json_config):
    cluster = _block(json_config, "aws_eks_cluster.this")
    assert (cluster.location.path, cluster.location.line) == ("json_syntax/main.tf.json", 29)
    assert cluster.locations["role_arn"].line == 31


def test_invalid_json_syntax_is_a_parse_diagnostic(tmp_path):
    (tmp_path / "main.tf.json").write_text('{"resource": {"a": {"b": {"x": }}}}')
    (configuration,) = load_terraform([tmp_path], scan_root=tmp_path)
    assert [d.code for d in configuration.diagnostics] == [PARSE_ERROR]


# --- plan JSON --------------------------------------------------------------------------

PLAN_DIR = DATA / "plan"


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN_DIR / "plan.json", scan_root=DATA, hcl_dirs=[PLAN_DIR])


def test_plan_values_are_exact_and_after_unknown_values_are_refs(plan):
    cluster = _block(plan, "aws_eks_cluster.this")
    assert cluster.attributes["name"] == "planned"
    assert cluster.attributes["vpc_config"][0]["endpoint_public_access"] is True
    arn = cluster.attributes["arn"]
    assert isinstance(arn, Ref) and (arn.target, arn.attribute) == ("aws_eks_cluster.this", "arn")
    group_id = cluster.attributes["vpc_config"][0]["cluster_security_group_id"]
    assert (group_id.target, group_id.attribute) == ("aws_eks_cluster.this", "vpc_config.0.cluster_security_group_id")


def test_plan_blocks_get_hcl_lines_when_the_configuration_is_beside_it(plan):
    cluster = _block(plan, "aws_eks_cluster.this")
    assert (cluster.location.path, cluster.location.line) == ("plan/main.tf", 1)
    assert cluster.locations["vpc_config.0.endpoint_private_access"].line == 7
    group = _block(plan, "module.workers[0].aws_security_group.nodes")
    assert (group.location.path, group.location.line) == ("plan/modules/workers/main.tf", 5)
    assert group.locations["ingress.1.from_port"].line == 11  # inside the dynamic block's content
    assert group.module_path == "module.workers[0]"
    assert group.module_call_address == "module.workers[0]"
    assert (group.module_call.path, group.module_call.line) == ("plan/main.tf", 16)


def test_plan_without_hcl_is_located_at_the_plan_file():
    plan = load_plan(PLAN_DIR / "plan.json", scan_root=DATA)
    assert {b.location.path for b in plan.blocks} == {"plan/plan.json"}
    assert len(plan.blocks) == 3


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "invalid JSON"),
        (json.dumps({"format_version": "1.2"}), "not a Terraform plan"),
    ],
)
def test_invalid_plan_is_a_diagnostic(tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_text(content)
    plan = load_plan(path, scan_root=tmp_path)
    (diagnostic,) = plan.diagnostics
    assert diagnostic.code == PARSE_ERROR and message in diagnostic.message
    assert plan.blocks == []
