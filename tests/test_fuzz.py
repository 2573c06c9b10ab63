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
# by base64 of an unknown value, a network ACL entry whose port is text.
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
    "nacl_port_not_a_number.template.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"NodeCidr": {"Type": "String"}}, "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16", "EnableDnsSupport": true, "EnableDnsHostnames": true}}, "PrivateSubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}}, "PrivateSubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1b"}}, "ControlPlaneSubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.101.0/24", "AvailabilityZone": "us-east-1a"}}, "ControlPlaneSubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.102.0/24", "AvailabilityZone": "us-east-1b"}}, "InternetGateway": {"Type": "AWS::EC2::InternetGateway"}, "GatewayAttachment": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "InternetGateway"}}}, "PublicSubnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-1a", "MapPublicIpOnLaunch": true}}, "PublicRouteTable": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}, "PublicDefaultRoute": {"Type": "AWS::EC2::Route", "DependsOn": "GatewayAttachment", "Properties": {"RouteTableId": {"Ref": "PublicRouteTable"}, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "InternetGateway"}}}, "PublicSubnetRouteTable": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "PublicSubnet"}, "RouteTableId": {"Ref": "PublicRouteTable"}}}, "NatIp": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}}, "NatGateway": {"Type": "AWS::EC2::NatGateway", "Properties": {"AllocationId": {"Fn::GetAtt": ["NatIp", "AllocationId"]}, "SubnetId": {"Ref": "PublicSubnet"}}}, "PrivateRouteTable": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}, "PrivateRouteTableDefault": {"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": "PrivateRouteTable"}, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": {"Ref": "NatGateway"}}}, "PrivateSubnetARouteTable": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "PrivateSubnetA"}, "RouteTableId": {"Ref": "PrivateRouteTable"}}}, "PrivateSubnetBRouteTable": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "PrivateSubnetB"}, "RouteTableId": {"Ref": "PrivateRouteTable"}}}, "ControlPlaneAcl": {"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": {"Ref": "Vpc"}}}, "HttpsIn": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Ref": "ControlPlaneAcl"}, "RuleNumber": 100, "Protocol": 6, "RuleAction": "allow", "Egress": false, "CidrBlock": {"Ref": "NodeCidr"}, "PortRange": {"From": 443, "To": 443}}}, "EphemeralOut": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Ref": "ControlPlaneAcl"}, "RuleNumber": 100, "Protocol": 6, "RuleAction": "allow", "Egress": true, "CidrBlock": [-4.991231947545934e-116, 1.957605969047583e+266, false], "PortRange": {"From": 1024, "To": "${AWS::StackName}-x"}}}, "ControlPlaneSubnetAControlPlaneAcl": {"Type": "AWS::EC2::SubnetNetworkAclAssociation", "Properties": {"SubnetId": {"Ref": "ControlPlaneSubnetA"}, "NetworkAclId": {"Ref": "ControlPlaneAcl"}}}, "ControlPlaneSubnetBControlPlaneAcl": {"Type": "AWS::EC2::SubnetNetworkAclAssociation", "Properties": {"SubnetId": {"Ref": "ControlPlaneSubnetB"}, "NetworkAclId": {"Ref": "ControlPlaneAcl"}}}, "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Name": "demo", "RoleArn": "arn:aws:iam::111122223333:role/demo-cluster", "ResourcesVpcConfig": {"SubnetIds": [{"Ref": "ControlPlaneSubnetA"}, {"Ref": "ControlPlaneSubnetB"}], "EndpointPrivateAccess": true}}}, "Workers": {"Type": "AWS::EKS::Nodegroup", "Properties": {"ClusterName": {"Ref": "Cluster"}, "NodeRole": "arn:aws:iam::111122223333:role/demo-nodes", "Subnets": [{"Ref": "PrivateSubnetA"}, {"Ref": "PrivateSubnetB"}], "ScalingConfig": {"MinSize": 1, "MaxSize": 3, "DesiredSize": 2}}}}}',
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
