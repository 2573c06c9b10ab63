"""Creation order in the model (what a deployment creates before a resource starts), and
EKS-IAM-011's symptoms in `eksjoin explain`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.cloudformation.ordering import creation_orders
from analyzer.engine.catalogue import load_catalogue
from analyzer.ruledocs import explain
from analyzer.terraform.loader import load_root_module
from analyzer.terraform.ordering import declaration_address


def _orders(tmp_path: Path, files: dict[str, str]) -> dict[str, frozenset[str]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    configuration = load_root_module(tmp_path, scan_root=tmp_path)
    return {block.address: block.order.after for block in configuration.blocks if block.order is not None}


def test_instance_keys_are_dropped_from_declaration_addresses():
    address = 'module.eks.module.node_group["a.b]"].aws_eks_node_group.this[0]'
    assert declaration_address(address) == "module.eks.module.node_group.aws_eks_node_group.this"


def test_a_module_depends_on_holds_back_every_resource_inside(tmp_path):
    orders = _orders(
        tmp_path,
        {
            "main.tf": 'resource "aws_eks_addon" "cni" {\n  addon_name = "vpc-cni"\n}\n'
            'module "nodes" {\n  source = "./nodes"\n  depends_on = [aws_eks_addon.cni]\n}\n',
            "nodes/main.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n'
            'module "inner" {\n  source = "./inner"\n}\n',
            "nodes/inner/main.tf": 'resource "aws_iam_role" "deep" {\n  name = "deep"\n}\n',
        },
    )
    assert "aws_eks_addon.cni" in orders["module.nodes.aws_iam_role.r"]
    assert "aws_eks_addon.cni" in orders["module.nodes.module.inner.aws_iam_role.deep"]
    assert orders["aws_eks_addon.cni"] == frozenset()


def test_an_output_waits_only_for_what_it_references(tmp_path):
    orders = _orders(
        tmp_path,
        {
            "main.tf": 'module "m" {\n  source = "./m"\n}\n'
            'resource "aws_iam_role" "uses_a" {\n  name = module.m.a\n}\n',
            "m/main.tf": 'resource "aws_iam_role" "a" {\n  name = "a"\n}\n'
            'resource "aws_iam_role" "b" {\n  name = "b"\n}\n'
            'output "a" {\n  value = aws_iam_role.a.name\n}\n'
            'output "b" {\n  value = aws_iam_role.b.name\n}\n',
        },
    )
    assert orders["aws_iam_role.uses_a"] == frozenset({"module.m.aws_iam_role.a"})


def test_a_variable_waits_for_what_the_caller_passes(tmp_path):
    orders = _orders(
        tmp_path,
        {
            "main.tf": 'resource "aws_eks_addon" "cni" {\n  addon_name = "vpc-cni"\n}\n'
            'module "m" {\n  source = "./m"\n  after = [for a in [aws_eks_addon.cni] : a.id]\n}\n',
            "m/main.tf": 'variable "after" {}\nresource "aws_iam_role" "r" {\n  name = "r"\n'
            '  tags = { after = join(",", var.after) }\n}\n',
        },
    )
    assert orders["module.m.aws_iam_role.r"] == frozenset({"aws_eks_addon.cni"})


def test_json_syntax_depends_on_names_resources_by_string(tmp_path):
    document = {
        "resource": {
            "aws_eks_addon": {"cni": {"addon_name": "vpc-cni"}},
            "aws_iam_role": {"r": {"name": "r", "depends_on": ["aws_eks_addon.cni"]}},
        }
    }
    orders = _orders(tmp_path, {"main.tf.json": json.dumps(document)})
    assert orders["aws_iam_role.r"] == frozenset({"aws_eks_addon.cni"})


def test_cloudformation_orders_by_depends_on_ref_getatt_and_sub():
    resources = {
        "Addon": {"Type": "AWS::EKS::Addon", "Properties": {"ClusterName": {"Ref": "Cluster"}}},
        "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "ByGetAtt": {"Type": "X", "Properties": {"A": {"Fn::GetAtt": "Role.Arn"}}},
        "BySub": {"Type": "X", "Properties": {"A": {"Fn::Sub": ["${Local}-${Addon}-${!Literal}", {"Local": "x"}]}}},
        "ByDependsOn": {"Type": "X", "DependsOn": ["BySub"]},
    }
    orders = creation_orders(resources, "t.yaml")
    assert orders["ByGetAtt"].after == {"t.yaml#Role"}
    assert orders["BySub"].after == {"t.yaml#Addon", "t.yaml#Cluster"}
    assert orders["ByDependsOn"].after == {"t.yaml#BySub", "t.yaml#Addon", "t.yaml#Cluster"}
    assert orders["Cluster"].after == frozenset()


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.mark.parametrize(
    "line",
    [
        "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
        "message:Network plugin returns error: cni plugin not initialized",
        "UnauthorizedOperation: You are not authorized to perform this operation: ec2:AssignPrivateIpAddresses",
        'failed to assign an IP address to container "aws-node"',
    ],
)
def test_explain_names_the_late_vpc_cni_role(catalogue, line):
    ranked = [match.rule.id for match in explain(catalogue, line)]
    assert "EKS-IAM-011" in ranked[:2], ranked
