"""eksctl's defaults and the settings eksctl refuses."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from analyzer.eksctl import defaults
from analyzer.values import Unknown


def config(text: str) -> dict[str, Any]:
    head = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: demo\n"
    data = yaml.safe_load(head + text)
    assert isinstance(data, dict)
    return data


def arn(name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"


# --- cluster defaults -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (True, False)),
        ("vpc:\n  clusterEndpoints:\n    privateAccess: true\n", (True, True)),
        (
            "vpc:\n  clusterEndpoints:\n    publicAccess: false\n    privateAccess: true\n",
            (False, True),
        ),
        ("privateCluster:\n  enabled: true\n", (False, True)),
    ],
)
def test_endpoint_access(text: str, expected: tuple[bool, bool]) -> None:
    assert defaults.endpoint_access(config(text)) == expected


def test_endpoint_access_with_a_placeholder_is_unknown() -> None:
    public, private = defaults.endpoint_access(config("vpc:\n  clusterEndpoints:\n    publicAccess: ${PUBLIC}\n"))
    assert isinstance(public, Unknown)
    assert private is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "API_AND_CONFIG_MAP"),
        ("accessConfig:\n  authenticationMode: CONFIG_MAP\n", "CONFIG_MAP"),
        ("outpost:\n  controlPlaneOutpostARN: arn:aws:outposts:eu-west-1:1:o/1\n", "CONFIG_MAP"),
    ],
)
def test_authentication_mode(text: str, expected: str) -> None:
    assert defaults.authentication_mode(config(text)) == expected


def test_vpc_defaults() -> None:
    data = config("")
    assert defaults.nat_gateway(data) == "Single"
    assert defaults.vpc_cidr(data) == "192.168.0.0/16"
    assert defaults.creates_vpc(data) is True
    assert defaults.creates_vpc(config("vpc:\n  id: vpc-1\n")) is False
    assert defaults.CREATED_VPC_DNS_SUPPORT and defaults.CREATED_VPC_DNS_HOSTNAMES
    assert defaults.CREATED_PUBLIC_SUBNETS_MAP_PUBLIC_IP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("privateCluster:\n  enabled: true\n", ["ec2", "ecr.api", "ecr.dkr", "s3", "sts"]),
        (
            "privateCluster:\n  enabled: true\n  additionalEndpointServices: [autoscaling]\n"
            "cloudWatch:\n  clusterLogging:\n    enableTypes: [api]\n",
            ["ec2", "ecr.api", "ecr.dkr", "s3", "sts", "autoscaling", "logs"],
        ),
        ("privateCluster:\n  enabled: true\n  skipEndpointCreation: true\n", []),
    ],
)
def test_private_cluster_endpoints(text: str, expected: list[str]) -> None:
    assert defaults.private_cluster_endpoints(config(text)) == expected


@pytest.mark.parametrize(
    ("version", "source_text", "expected"),
    [
        ("1.31", None, (1, 31)),
        (1.3, None, (1, 30)),  # unquoted 1.30 loads as 1.3
        (1.3, "1.30", (1, 30)),
        (1.29, None, (1, 29)),
        ("latest", None, None),
        (None, None, None),
    ],
)
def test_kubernetes_version(version: Any, source_text: str | None, expected: Any) -> None:
    data = {"metadata": {"version": version}}
    scalar_text = {"metadata.version": source_text} if source_text else None
    assert defaults.kubernetes_version(data, scalar_text) == expected


# --- node groups ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ({}, "AmazonLinux2023"),
        ({"amiFamily": "bottlerocket"}, "Bottlerocket"),
        ({"amiFamily": "AmazonLinux2"}, "AmazonLinux2"),
    ],
)
def test_ami_family(group: dict[str, Any], expected: str) -> None:
    assert defaults.ami_family(group) == expected


def test_unknown_ami_family_is_unknown() -> None:
    assert isinstance(defaults.ami_family({"amiFamily": "${FAMILY}"}), Unknown)


@pytest.mark.parametrize(
    ("cluster", "group", "managed", "expected"),
    [
        (
            "",
            {},
            True,
            ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy",
             "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"],
        ),
        (
            "iam:\n  withOIDC: true\n",
            {},
            False,
            ["AmazonEKSWorkerNodePolicy", "AmazonSSMManagedInstanceCore",
             "AmazonEC2ContainerRegistryPullOnly"],
        ),
        (
            "",
            {"iam": {"attachPolicyARNs": [arn("AmazonEKSWorkerNodePolicy")]}},
            True,
            ["AmazonEKSWorkerNodePolicy"],
        ),
        (
            "",
            {"iam": {"attachPolicyARNs": [arn("AmazonEKSWorkerNodePolicy")]}},
            False,
            ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"],
        ),
        (
            "",
            {"iam": {"attachPolicyARNs": [arn("AmazonEKSWorkerNodePolicy")],
                     "withAddonPolicies": {"imageBuilder": True, "cloudWatch": True}}},
            False,
            ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPowerUser",
             "CloudWatchAgentServerPolicy"],
        ),
    ],
)  # fmt: skip
def test_node_role_policies(cluster: str, group: dict[str, Any], managed: bool, expected: list[str]) -> None:
    policies = defaults.node_role_policies(config(cluster), group, managed=managed)
    assert policies == [arn(name) for name in expected]


def test_node_role_policies_follow_the_partition() -> None:
    data = config("")
    data["metadata"]["region"] = "cn-north-1"
    policies = defaults.node_role_policies(data, {}, managed=True)
    assert isinstance(policies, list)
    assert policies[0] == arn("AmazonEKSWorkerNodePolicy", "aws-cn")


def test_node_role_of_an_existing_role_is_unknown() -> None:
    group = {"iam": {"instanceRoleARN": "arn:aws:iam::1:role/nodes"}}
    assert isinstance(defaults.node_role_policies(config(""), group, managed=True), Unknown)


# --- what eksctl refuses ----------------------------------------------------------

REJECTED = [
    (
        "vpc:\n  clusterEndpoints:\n    publicAccess: false\n",
        "vpc.clusterEndpoints",
        "Kubernetes API access must have one of public or private clusterEndpoints enabled",
    ),
    (
        "accessConfig:\n  authenticationMode: CONFIG_MAP\n  accessEntries:\n"
        "    - principalARN: arn:aws:iam::1:role/a\n",
        "accessConfig.accessEntries",
        "accessConfig.authenticationMode must be set to either API_AND_CONFIG_MAP or API",
    ),
    (
        "  version: '1.33'\nmanagedNodeGroups:\n  - name: a\n    amiFamily: AmazonLinux2\n",
        "managedNodeGroups.0.amiFamily",
        "AmazonLinux2 is not supported for Kubernetes version 1.33",
    ),
    (
        "nodeGroups:\n  - name: a\n    ami: ami-0123456789abcdef0\n",
        "nodeGroups.0.ami",
        "when using a custom AMI, amiFamily needs to be explicitly set",
    ),
    (
        "managedNodeGroups:\n  - name: a\n    ami: ami-0123456789abcdef0\n    amiFamily: AmazonLinux2\n",
        "managedNodeGroups.0.ami",
        "managedNodeGroups[0].overrideBootstrapCommand is required when using a custom AMI",
    ),
    (
        "privateCluster:\n  enabled: true\nnodeGroups:\n  - name: a\n",
        "nodeGroups.0",
        "nodeGroups[0].privateNetworking must be enabled for a fully-private cluster",
    ),
    (
        "nodeGroups:\n  - name: a\n    amiFamily: Bottlerocket\n    overrideBootstrapCommand: x\n",
        "nodeGroups.0.overrideBootstrapCommand",
        "overrideBootstrapCommand is not supported for Bottlerocket nodegroups",
    ),
    (
        "managedNodeGroups:\n  - name: a\n    amiFamily: WindowsServer2022FullContainer\n"
        "    overrideBootstrapCommand: x\n",
        "managedNodeGroups.0.overrideBootstrapCommand",
        "overrideBootstrapCommand is not supported for WindowsServer2022FullContainer nodegroups",
    ),
    (
        "nodeGroups:\n  - name: a\n    amiFamily: Bottlerocket\n    preBootstrapCommands: [x]\n",
        "nodeGroups.0.preBootstrapCommands",
        "preBootstrapCommands is not supported for Bottlerocket nodegroups",
    ),
    (
        "nodeGroups:\n  - name: a\n    containerRuntime: containerd\n    overrideBootstrapCommand: x\n",
        "nodeGroups.0.overrideBootstrapCommand",
        "overrideBootstrapCommand overwrites container runtime setting",
    ),
    (
        "  version: '1.24'\nnodeGroups:\n  - name: a\n    containerRuntime: dockerd\n",
        "nodeGroups.0.containerRuntime",
        "only containerd is supported for container runtime, starting with EKS version 1.24",
    ),
    (
        "privateCluster:\n  enabled: true\n  skipEndpointCreation: true\n  additionalEndpointServices: [autoscaling]\n",
        "privateCluster.additionalEndpointServices",
        "privateCluster.additionalEndpointServices cannot be set when",
    ),
    (
        "autoModeConfig:\n  enabled: true\n  nodePools: []\n  nodeRoleARN: arn:aws:iam::1:role/r\n",
        "autoModeConfig.nodeRoleARN",
        "cannot specify autoModeConfig.nodeRoleARN when autoModeConfig.nodePools is empty",
    ),
    (
        "autoModeConfig:\n  enabled: true\n  nodePools: [general-purpose, general-purpose]\n",
        "autoModeConfig.nodePools.1",
        "found duplicate node pool: 'general-purpose'",
    ),
    (
        "autoModeConfig:\n  enabled: true\n  nodePools: [General-Purpose]\n",
        "autoModeConfig.nodePools.0",
        "invalid NodePool 'General-Purpose'",
    ),
    (
        "autoModeConfig:\n  enabled: true\n  nodePools: [system]\n  nodeRoleARN: arn:aws:iam::1:role/r\n"
        "  permissionsBoundaryARN: arn:aws:iam::1:policy/b\n",
        "autoModeConfig.permissionsBoundaryARN",
        "cannot specify autoModeConfig.permissionBoundaryARN when nodeRoleARN is set",
    ),
    (
        "autoModeConfig:\n  enabled: false\n  nodePools: [system]\n",
        "autoModeConfig",
        "cannot set autoModeConfig.nodeRoleARN, autoModeConfig.permissionBoundaryARN, or autoModeConfig.nodePools",
    ),
    (
        "vpc:\n  manageSharedNodeSecurityGroupRules: false\n",
        "vpc.manageSharedNodeSecurityGroupRules",
        "vpc.manageSharedNodeSecurityGroupRules must be enabled",
    ),
    (
        "managedNodeGroups:\n  - name: a\n    securityGroups:\n      withShared: true\n",
        "managedNodeGroups.0.securityGroups",
        "securityGroups.withLocal and securityGroups.withShared are not supported for managed",
    ),
    (
        "managedNodeGroups:\n  - name: a\n    launchTemplate: {id: lt-1}\n"
        "    securityGroups:\n      attachIDs: [sg-1]\n",
        "managedNodeGroups.0.launchTemplate",
        "cannot set securityGroups.attachIDs in managedNodeGroup when a launch template",
    ),
    (
        "nodeGroups:\n  - name: a\n    iam:\n      instanceRoleARN: arn:aws:iam::1:role/r\n"
        "      attachPolicyARNs: [arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy]\n",
        "nodeGroups.0.iam.instanceRoleARN",
        "nodeGroups[0].iam.instanceRoleARN and nodeGroups[0].iam.attachPolicyARNs cannot be set",
    ),
]


@pytest.mark.parametrize(("text", "path", "message"), REJECTED)
def test_eksctl_rejects(text: str, path: str, message: str) -> None:
    (rejection,) = defaults.eksctl_rejects(config(text))
    assert rejection[0] == path
    assert rejection[1].startswith(message)


ACCEPTED = [
    "",
    "vpc:\n  clusterEndpoints:\n    publicAccess: false\n    privateAccess: true\n",
    "vpc:\n  clusterEndpoints:\n    publicAccess: ${PUBLIC}\n",  # placeholders never count
    "privateCluster:\n  enabled: true\nvpc:\n  clusterEndpoints:\n    publicAccess: false\n"
    "managedNodeGroups:\n  - name: a\n    privateNetworking: true\n",
    "managedNodeGroups:\n  - name: a\n    amiFamily: AmazonLinux2\n",  # version not known
    "  version: '1.32'\nmanagedNodeGroups:\n  - name: a\n    amiFamily: AmazonLinux2\n",
    "nodeGroups:\n  - name: a\n    ami: ami-0123456789abcdef0\n    amiFamily: AmazonLinux2023\n",
    "nodeGroups:\n  - name: a\n    ami: <generated-ami>\n",
    "nodeGroups:\n  - name: a\n    amiFamily: WindowsServer2022FullContainer\n"
    "    ami: ami-0123456789abcdef0\n    overrideBootstrapCommand: x\n",
    "  version: '1.23'\nnodeGroups:\n  - name: a\n    containerRuntime: dockerd\n",
    "vpc:\n  sharedNodeSecurityGroup: sg-1\n  manageSharedNodeSecurityGroupRules: false\n",
    "autoModeConfig:\n  enabled: true\n  nodePools: [general-purpose, system]\n  nodeRoleARN: arn:aws:iam::1:role/r\n",
    "autoModeConfig:\n  enabled: true\n  nodePools: []\n",
    "autoModeConfig:\n  enabled: true\n  nodePools: ['${POOL}']\n",
    "autoModeConfig:\n  enabled: false\n",
    "nodeGroups:\n  - name: a\n    securityGroups:\n      withShared: false\n      withLocal: true\n",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_eksctl_accepts(text: str) -> None:
    assert defaults.eksctl_rejects(config(text)) == []


def test_version_from_source_text_decides_al2_refusal() -> None:
    data = config("  version: 1.33\nnodeGroups:\n  - name: a\n    amiFamily: AmazonLinux2\n")
    assert defaults.eksctl_rejects(data, {"metadata.version": "1.33"})
