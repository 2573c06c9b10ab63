"""Wrong types are findings with the field's path, the value is left out, and the rest of the
file and the run are analysed; a defect while loading one file costs that file only."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer import loaders
from analyzer.pipeline import Options, analyze

SENTINEL_TF = """
resource "aws_vpc" "sentinel" {
  cidr_block         = "10.0.0.0/16"
  enable_dns_support = false
}
resource "aws_eks_cluster" "sentinel" {
  name     = "s"
  role_arn = "arn:aws:iam::111122223333:role/s"
  vpc_config {
    subnet_ids = [aws_subnet.s.id]
  }
}
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.sentinel.id
  cidr_block = "10.0.1.0/24"
}
"""


def _lint(tmp_path: Path, catalogue, files: dict[str, str]):
    (tmp_path / ".git").mkdir()
    (tmp_path / "sentinel.tf").write_text(SENTINEL_TF)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    analysis = analyze([tmp_path], catalogue, Options(offline=True))
    return [(f.rule_id, f.severity, f.message) for f in analysis.findings], analysis


def _messages(findings, rule_id):
    return [m for r, _, m in findings if r == rule_id]


def test_eksctl_field_of_the_wrong_type_is_left_out(tmp_path, catalogue):
    eksctl = """apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: c, region: eu-west-1}
managedNodeGroups:
  - name: ng
    iam: "not a mapping"
  - name: ok
"""
    findings, analysis = _lint(tmp_path, catalogue, {"cluster.yaml": eksctl})
    assert "managedNodeGroups[0].iam: expected a mapping, found the string 'not a mapping'" in _messages(
        findings, "LOAD-004"
    )
    groups = {r.address for r in analysis.model.of_kind("eks.nodegroup")}
    assert groups == {"managedNodeGroups[ng]", "managedNodeGroups[ok]"}  # both still modelled
    assert _messages(findings, "EKS-DNS-001")  # the other file too


def test_cloudformation_tag_key_and_list_of_the_wrong_type(tmp_path, catalogue):
    template = """{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
      "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": [{"Key": {"a": 1}, "Value": "x"}]}},
      "R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": "arn:aws:iam::aws:policy/X"}}}}"""
    findings, _ = _lint(tmp_path, catalogue, {"t.template.json": template})
    messages = _messages(findings, "LOAD-004")
    assert any(m.startswith("Resources.V.Properties.Tags[0].Key must be a string") for m in messages)
    assert "Resources.R.Properties.ManagedPolicyArns must be a list, found the string" in " ".join(messages)


def test_cloudformation_strings_with_unknown_parts_are_strings(tmp_path, catalogue):
    """Fn::Base64 and Fn::Sub make strings whatever their unknown parts are: where a list
    belongs, that is a finding with the field's path, and the rest is analysed (an endpoint's
    subnets that were base64 of an unknown value raised TypeError: found by fuzzing)."""
    template = """{"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"Id": {"Type": "String"}},
      "Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "S": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": "10.0.1.0/24"}},
        "E": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcId": {"Ref": "V"},
          "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.ecr.dkr"}, "VpcEndpointType": "Interface",
          "SubnetIds": {"Fn::Base64": {"Ref": "Id"}}, "SecurityGroupIds": {"Fn::Sub": "${Id}-sg"}}}}}"""
    findings, analysis = _lint(tmp_path, catalogue, {"t.template.json": template})
    assert sorted(_messages(findings, "LOAD-004")) == [
        "Resources.E.Properties.SecurityGroupIds must be a list, found a string with parts known only at deploy time",
        "Resources.E.Properties.SubnetIds must be a list, found a string (base64 of a value with unknown parts)",
    ]
    assert [r.address for r in analysis.model.of_kind("ec2.vpc_endpoint")] == ["E"]
    assert _messages(findings, "EKS-DNS-001")  # the other file too


def test_cloudformation_scalars_convert_and_parameters_are_not_judged(tmp_path, catalogue):
    template = """{"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"Tags": {"Type": "String"}},
      "Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16",
        "EnableDnsSupport": "true", "Tags": {"Ref": "Tags"}}}}}"""
    findings, _ = _lint(tmp_path, catalogue, {"t.template.json": template})
    assert _messages(findings, "LOAD-004") == []


def test_cloudformation_text_where_a_number_belongs_must_read_as_one(tmp_path, catalogue):
    """A RuleNumber that is text of no number raised ValueError sorting the ACL's entries
    (found by the long CloudFormation fuzz run): it is a finding with the field's path and is
    left out; text of a number, a parameter and a string with holes are not judged."""
    template = """{"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"N": {"Type": "Number"}},
      "Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "A": {"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": {"Ref": "V"}}},
        "E1": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Ref": "A"},
          "RuleNumber": "Vpc", "Protocol": 6, "RuleAction": "allow", "Egress": true, "CidrBlock": "0.0.0.0/0"}},
        "E2": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Ref": "A"},
          "RuleNumber": " 200 ", "Protocol": 6, "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0",
          "PortRange": {"From": {"Ref": "N"}, "To": {"Fn::Sub": "${N}"}}}}}}"""
    findings, analysis = _lint(tmp_path, catalogue, {"t.template.json": template})
    assert _messages(findings, "LOAD-004") == [
        "Resources.E1.Properties.RuleNumber must be a whole number, found the string 'Vpc'"
    ]
    assert sorted(r.address for r in analysis.model.of_kind("ec2.network_acl_rule")) == ["E1", "E2"]
    assert _messages(findings, "EKS-DNS-001")


def test_plan_and_aws_auth_of_the_wrong_types(tmp_path, catalogue):
    aws_auth = """apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: [1]
      username: system:node:{{EC2PrivateDNSName}}
"""
    plan = '{"format_version": "1.2", "planned_values": {"root_module": {"resources": 5}}}'
    findings, _ = _lint(tmp_path, catalogue, {"aws-auth.yaml": aws_auth, "plan.json": plan})
    messages = _messages(findings, "LOAD-004")
    assert "data.mapRoles[0].rolearn must be a string, found a list" in messages
    assert "planned_values.root_module.resources must be a list, found the number 5" in messages


def test_a_defect_loading_one_file_costs_that_file(tmp_path, catalogue, monkeypatch):
    def broken(source, options):
        raise ZeroDivisionError("a defect")

    monkeypatch.setattr(loaders, "load_yaml_source", broken)
    monkeypatch.delenv("EKSJOIN_STRICT")
    findings, _ = _lint(tmp_path, catalogue, {"cluster.yaml": "apiVersion: eksctl.io/v1alpha5\n"})
    (message,) = _messages(findings, "LOAD-002")
    assert "cluster.yaml could not be analysed because of a defect in eksjoin (ZeroDivisionError" in message
    assert _messages(findings, "EKS-DNS-001")
    monkeypatch.setenv("EKSJOIN_STRICT", "1")  # strict: the defect raises
    with pytest.raises(ZeroDivisionError):
        analyze([tmp_path], catalogue, Options(offline=True))


def test_json_nested_too_deeply_is_one_finding_per_file(tmp_path, catalogue):
    deep = "[" * 6000 + "]" * 6000
    files = {
        "deep.json": deep,
        "terraform.tfvars.json": '{"x": ' + deep + "}",
        "t.template.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": ' + deep + "}}",
    }
    findings, _ = _lint(tmp_path, catalogue, files)
    messages = _messages(findings, "LOAD-002")
    assert sorted(Path(m.split(" ", 1)[0]).name for m in messages) == [
        "deep.json",
        "t.template.json",
        "terraform.tfvars.json",
    ]
    assert all("is JSON nested more than 100 levels deep, over the limit eksjoin reads" in m for m in messages)
    assert _messages(findings, "EKS-DNS-001")


@pytest.mark.parametrize(("depth", "refused"), [(100, False), (101, True)])
def test_the_json_nesting_limit_is_100_levels_for_every_json_file(tmp_path, catalogue, depth, refused):
    """Plan JSON, .tfvars.json, a template, other JSON and modules.json: 100 levels are read,
    101 are refused before parsing with a finding naming the limit (no limit of its own was
    set before: Python's recursion limit stopped about 1,000 levels, a thread's stack later)."""

    def nested(levels: int) -> str:  # ``levels`` lists and mappings, the outermost included
        return "[" * levels + "]" * levels

    plan = '{"format_version": "1.2", "planned_values": {"root_module": {"resources": ' + nested(depth - 3) + "}}}"
    template = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ' + nested(depth - 1) + "}"
    (tmp_path / ".terraform" / "modules").mkdir(parents=True)
    (tmp_path / "planned").mkdir()  # a plan stands for the Terraform beside it: not the sentinel's folder
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text('{"Modules": ' + nested(depth - 1) + "}")
    files = {
        "other.json": nested(depth),
        "planned/plan.json": plan,
        "terraform.tfvars.json": '{"x": ' + nested(depth - 1) + "}",
        "t.template.json": template,
    }
    findings, _ = _lint(tmp_path, catalogue, files)
    limited = sorted(
        Path(m.split(" ", 1)[0]).name for m in _messages(findings, "LOAD-002") if "more than 100 levels deep" in m
    )
    assert limited == (sorted([*(Path(name).name for name in files), "modules.json"]) if refused else [])
    assert _messages(findings, "EKS-DNS-001")


def test_a_defect_normalizing_one_terraform_root_costs_that_root(tmp_path, catalogue, monkeypatch):
    import analyzer.terraform.normalize as terraform_normalize

    def broken(configuration):
        raise ZeroDivisionError("a defect")

    monkeypatch.setattr(terraform_normalize, "normalize", broken)
    monkeypatch.delenv("EKSJOIN_STRICT")
    eksctl = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c, region: eu-west-1}\n"
    findings, analysis = _lint(tmp_path, catalogue, {"cluster.yaml": eksctl})
    (message,) = _messages(findings, "LOAD-002")
    assert "could not be analysed because of a defect in eksjoin (ZeroDivisionError: a defect)" in message
    assert [r.address for r in analysis.model.of_kind("eks.cluster")] == ["c"]  # the eksctl file still is
