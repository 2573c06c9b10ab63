"""A short, derandomized run of every fuzz target (tests/fuzz): each input is analysed in
strict mode and must raise nothing and take under 2 s. ``python -m tests.fuzz --count
10000`` is the long run."""

from __future__ import annotations

import pytest

from tests.fuzz.targets import SLOW_S, TARGETS, analyse_text, run_target

INPUTS_PER_TARGET = 12


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_target_raises_nothing(target: str) -> None:
    report = run_target(target, INPUTS_PER_TARGET, derandomize=True)
    assert report.inputs > 0
    assert not report.errors, "\n\n".join(f"{error}\n{content}" for error, content in report.errors[:3])
    assert report.slowest_s < SLOW_S, f"{report.slowest_s:.2f} s for:\n{report.slowest_input}"


# Inputs the long run found, each minimal: a second unknown value met by a check that kept the
# first with `unknown or ...`, a ClusterConfig whose metadata is a placeholder.
FOUND = {
    "unknown_instance_types.yaml": """apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: c, region: eu-west-1}
managedNodeGroups:
  - name: workers
    instanceTypes: [null, false]
""",
    "metadata_placeholder.yaml": """apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: ${X}
nodeGroups:
  - name: ng-1
""",
    "remote_networks_unknown.template.json": """{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
  "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {
    "RoleArn": "arn:aws:iam::111122223333:role/c", "ResourcesVpcConfig": {"SubnetIds": ["subnet-1"]},
    "RemoteNetworkConfig": {"RemoteNodeNetworks": [{"Cidrs": {"Fn::GetAZs": ""}}]}}}}}""",
    "subnets_base64.template.json": '{"AWSTemplateFormatVersion": null, "Parameters": {"ExtraPolicy": {"Type": "String", "Default": "AWS::Region"}}, "Resources": {"ClusterRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}, "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]}}, "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Name": "demo", "RoleArn": {"Fn::GetAtt": ["ClusterRole", "Arn"]}, "ResourcesVpcConfig": {"SubnetIds": {"Fn::Base64": {"Ref": "Vpc"}}}}}}}',
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_input_found_by_fuzzing_is_analysed(name: str, tmp_path) -> None:
    (tmp_path / ".git").mkdir()
    work = tmp_path / "in"
    work.mkdir()
    analyse_text(work, name, FOUND[name])  # strict: a defect raises
