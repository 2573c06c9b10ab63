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
# first with `unknown or ...`, a ClusterConfig whose metadata is a placeholder, a cluster whose
# KubernetesNetworkConfig is a malformed intrinsic (its IP family unknown) checked for the DNS IP,
# a trust policy that is base64 of an unknown value, a route table association naming its table
# by base64 of an unknown value.
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
    "network_config_unknown.template.json": """{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
  "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Name": "prod",
    "RoleArn": "arn:aws:iam::111122223333:role/c", "ResourcesVpcConfig": {"SubnetIds": ["subnet-1"]},
    "KubernetesNetworkConfig": {"Fn::FindInMap": []}}},
  "Nodes": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"ImageId": "ami-1",
    "UserData": {"Fn::Base64": {"Fn::Sub": "#!/bin/bash\\n/etc/eks/bootstrap.sh prod --apiserver-endpoint ${Cluster.Endpoint} --b64-cluster-ca ${Cluster.CertificateAuthorityData}\\n"}}}}},
  "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {"MinSize": "1", "MaxSize": "1",
    "VPCZoneIdentifier": ["subnet-1"], "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Nodes"}, "Version": "1"},
    "Tags": [{"Key": "kubernetes.io/cluster/prod", "Value": "owned", "PropagateAtLaunch": true}]}}}}""",
    "trust_policy_base64.template.json": """{"AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Trust": {"Type": "String"}}, "Resources": {
  "ClusterRole": {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Fn::Base64": {"Ref": "Trust"}},
    "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]}},
  "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Name": "demo",
    "RoleArn": {"Fn::GetAtt": ["ClusterRole", "Arn"]}, "ResourcesVpcConfig": {"SubnetIds": ["subnet-1"]}}}}}""",
    "route_table_base64.template.json": """{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
  "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {}},
  "Default": {"Type": "AWS::EC2::Route", "Properties": {}},
  "Association": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
    "SubnetId": {"Ref": "Subnet"}, "RouteTableId": {"Fn::Base64": {"Fn::Sub": []}}}}}}""",
    "subnets_base64.template.json": '{"AWSTemplateFormatVersion": null, "Parameters": {"ExtraPolicy": {"Type": "String", "Default": "AWS::Region"}}, "Resources": {"ClusterRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}, "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]}}, "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Name": "demo", "RoleArn": {"Fn::GetAtt": ["ClusterRole", "Arn"]}, "ResourcesVpcConfig": {"SubnetIds": {"Fn::Base64": {"Ref": "Vpc"}}}}}}}',
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_input_found_by_fuzzing_is_analysed(name: str, tmp_path) -> None:
    (tmp_path / ".git").mkdir()
    work = tmp_path / "in"
    work.mkdir()
    analyse_text(work, name, FOUND[name])  # strict: a defect raises


def test_long_run_writes_each_failing_input_as_it_happens(tmp_path, monkeypatch) -> None:
    """A run stopped early keeps what it found: the first failing input, byte for byte, and its
    traceback are on disk before the next input starts."""
    from tests.fuzz import targets
    from tests.fuzz.__main__ import FileRecorder

    on_disk_at_start: list[list[str]] = []

    class Watching(FileRecorder):
        def start(self, name, content):
            on_disk_at_start.append(sorted(path.name for path in tmp_path.iterdir()))
            super().start(name, content)

    real = targets.analyse_text
    inputs: list[str | bytes] = []

    def failing_once_running(folder, name, content):
        if not on_disk_at_start:  # the warm-up before the first input
            return real(folder, name, content)
        inputs.append(content)
        raise ValueError(f"a defect in {name}")

    monkeypatch.setattr(targets, "analyse_text", failing_once_running)
    recorder = Watching(tmp_path, "eksctl")
    report = run_target("eksctl", 3, derandomize=True, recorder=recorder)
    recorder.finish()

    assert len(report.errors) == report.inputs >= 2
    assert any(name.startswith("eksctl_0_") for name in on_disk_at_start[1])
    assert "eksctl_0.txt" in on_disk_at_start[1]
    written = (tmp_path / "eksctl_0.txt").read_text()
    assert "# Traceback (most recent call last):" in written
    assert "# ValueError: a defect in" in written
    kept = next(path for path in tmp_path.iterdir() if path.name.startswith("eksctl_0_"))
    assert kept.read_bytes() == inputs[0].encode()
    assert not any("current" in path.name or path.name.endswith(".partial") for path in tmp_path.iterdir())
