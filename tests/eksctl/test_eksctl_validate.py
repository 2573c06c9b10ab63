"""ClusterConfig schema validation: which documents are checked, what is reported, where."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from analyzer.diagnostics import INVALID_CONFIG
from analyzer.eksctl.validate import (
    cluster_config_schema,
    is_cluster_config,
    is_placeholder,
    validate_cluster_config,
)
from analyzer.shapes import field_name
from analyzer.yamlsafe import YamlDocument, load_yaml_documents

DATA = Path(__file__).resolve().parents[1] / "data" / "eksctl"


def load(text: str, name: str = "cluster.yaml") -> YamlDocument:
    documents, diagnostics = load_yaml_documents(text, name)
    assert diagnostics == []
    return documents[0]


def load_file(name: str) -> tuple[YamlDocument, str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return load(text, name), text


def minimal(extra: str = "") -> str:
    head = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: demo\n"
    return head + extra


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(cluster_config_schema())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig"}, True),
        ({"apiVersion": "eksctl.io/v1alpha6", "kind": "ClusterConfig"}, True),
        ({"apiVersion": "eksctl.io/v1alpha5", "kind": "NodeGroup"}, False),
        ({"apiVersion": "v1", "kind": "ConfigMap"}, False),
        ({"kind": "ClusterConfig"}, False),
        (["apiVersion", "kind"], False),
        (None, False),
    ],
)
def test_is_cluster_config(data: object, expected: bool) -> None:
    assert is_cluster_config(data) is expected


def test_a_complete_valid_file_has_no_findings() -> None:
    document, _ = load_file("valid-cluster.yaml")
    assert validate_cluster_config(document, "valid-cluster.yaml") == []


def test_each_error_is_located_at_the_offending_field() -> None:
    document, text = load_file("invalid-cluster.yaml")
    expected = {}
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith("# expect:"):
            expected[number + 1] = line.split(":", 1)[1].strip()
    diagnostics = validate_cluster_config(document, "invalid-cluster.yaml")
    found = {d.location.line: d.message.split(":", 1)[0] for d in diagnostics}
    assert found == expected
    assert {d.code for d in diagnostics} == {INVALID_CONFIG}


@pytest.mark.parametrize(
    ("extra", "message", "severity"),
    [
        (
            "managedNodeGroups:\n  - name: a\n    amiFamily: AmazonLinux3\n",
            "managedNodeGroups[0].amiFamily: 'AmazonLinux3' is not one of ['AmazonLinux2023',",
            "warning",
        ),
        (
            "vpc:\n  nat:\n    gateway: Double\n",
            "vpc.nat.gateway: 'Double' is not one of ['HighlyAvailable', 'Single', 'Disable']",
            "error",
        ),
        (
            "vpc:\n  clusterEndpoints:\n    privateAccess: enabled\n",
            "vpc.clusterEndpoints.privateAccess: expected a boolean (true or false), found the string 'enabled'",
            "error",
        ),
        (
            "managedNodeGroups:\n  - name: a\n    volumeSize: 80GB\n",
            "managedNodeGroups[0].volumeSize: expected an integer, found the string '80GB'",
            "error",
        ),
        (
            "vpc:\n  subnets:\n    private:\n      eu-west-1a: {id: subnet-1, cidr: 10.0.0.0}\n",
            "vpc.subnets.private.eu-west-1a.cidr: '10.0.0.0' is not a CIDR block",
            "error",
        ),
        (
            "managedNodeGroups:\n  - name: a\n    privateNetworkng: true\n",
            "managedNodeGroups[0].privateNetworkng: unknown field; eksctl rejects fields it does "
            "not know (did you mean 'privateNetworking'?)",
            "warning",
        ),
        ("fargateProfiles:\n  - selectors: []\n", "fargateProfiles[0]: 'name' is required", "error"),
        (
            "nodeGroups:\n  - name: a\n    taints:\n      - key: k\n        effect: NoSchedul\n",
            "nodeGroups[0].taints[0].effect: 'NoSchedul' is not one of ['NoSchedule',",
            "error",
        ),
        (
            "nodeGroups:\n  - name: a\n    taints: 5\n",
            "nodeGroups[0].taints: expected a list or a mapping, found the number 5",
            "error",
        ),
    ],
)
def test_messages_name_the_field_and_the_problem(extra: str, message: str, severity: str) -> None:
    (diagnostic,) = validate_cluster_config(load(minimal(extra)), "cluster.yaml")
    assert diagnostic.message.startswith(message)
    assert diagnostic.severity == severity
    assert diagnostic.location.line == 4 + extra.count("\n")  # the last line of extra


def test_unknown_top_level_field_is_reported_with_a_fix() -> None:
    (diagnostic,) = validate_cluster_config(load(minimal("managedNodegroups: []\n")), "c.yaml")
    assert diagnostic.location.line == 5
    assert diagnostic.fix == "Rename 'managedNodegroups' to 'managedNodeGroups'."


def test_unmodelled_sections_accept_anything() -> None:
    extra = "karpenter:\n  version: 1.0.0\n  anything: [1]\ngitops:\n  flux: {gitProvider: x}\n"
    assert validate_cluster_config(load(minimal(extra)), "c.yaml") == []


@pytest.mark.parametrize(
    "extra",
    [
        "managedNodeGroups:\n  - name: a\n    amiFamily: bottlerocket\n",  # eksctl ignores case
        "kubernetesNetworkConfig:\n  ipFamily: IPV6\n",
        "vpc:\n  nat:\n",  # null leaves a field unset
        "managedNodeGroups:\n  - name: 7\n",  # a number where a string goes stays its text
        "nodeGroups:\n  - name: a\n    taints:\n      dedicated: 'true:NoSchedule'\n",
    ],
)
def test_what_eksctl_accepts_is_accepted(extra: str) -> None:
    assert validate_cluster_config(load(minimal(extra)), "c.yaml") == []


def test_placeholders_do_not_make_a_file_invalid() -> None:
    document, _ = load_file("placeholders-cluster.yaml")
    assert validate_cluster_config(document, "placeholders-cluster.yaml") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${AWS_REGION}", True),
        ("<generated-ami>", True),
        ("{{ .Region }}", True),
        ("$NODES", True),
        ("eu-west-1", False),
        ("a<b>", False),
        (3, False),
    ],
)
def test_is_placeholder(value: object, expected: bool) -> None:
    assert is_placeholder(value) is expected


def test_eksctl_refusals_are_errors_at_their_line() -> None:
    extra = "vpc:\n  clusterEndpoints:\n    publicAccess: false\n    privateAccess: false\n"
    (diagnostic,) = validate_cluster_config(load(minimal(extra)), "c.yaml")
    assert diagnostic.severity == "error"
    assert "--dry-run" in diagnostic.fix
    assert diagnostic.location.line == 6
    assert diagnostic.message.startswith("eksctl will reject this: Kubernetes API access must have")


AL2_GROUP = "managedNodeGroups:\n  - name: a\n    amiFamily: AmazonLinux2\n"


@pytest.mark.parametrize("version", ["", "  version: auto\n", "  version: latest\n"])
def test_al2_with_the_version_eksctl_picks_is_a_warning_at_its_ami_family(version: str) -> None:
    (diagnostic,) = validate_cluster_config(load(minimal(version + AL2_GROUP)), "c.yaml")
    assert diagnostic.severity == "warning"
    assert diagnostic.location.line == 7 + bool(version)
    assert diagnostic.message.startswith("eksctl will likely reject this: managedNodeGroups[0] runs AmazonLinux2")
    assert "AmazonLinux2023" in diagnostic.fix


@pytest.mark.parametrize(
    ("version", "severity"),
    [("1.34", "error"), ("1.33", "error"), ("1.32", None), ("${K8S_VERSION}", None)],
)
def test_al2_with_a_written_version_is_an_error_from_1_33(version: str, severity: str | None) -> None:
    diagnostics = validate_cluster_config(load(minimal(f"  version: '{version}'\n" + AL2_GROUP)), "c.yaml")
    assert [d.severity for d in diagnostics] == ([severity] if severity else [])
    if severity:
        assert f"AmazonLinux2 is not supported for Kubernetes version {version}" in diagnostics[0].message


def test_custom_ami_without_ami_family_is_an_error() -> None:
    extra = "  version: '1.34'\nnodeGroups:\n  - name: a\n    ami: ami-0123456789abcdef0\n"
    (diagnostic,) = validate_cluster_config(load(minimal(extra)), "c.yaml")
    assert diagnostic.severity == "error"
    assert "when using a custom AMI, amiFamily needs to be explicitly set" in diagnostic.message


def test_field_name_uses_brackets_for_indexes() -> None:
    assert field_name(["managedNodeGroups", 0, "iam", "attachPolicyARNs", 1]) == (
        "managedNodeGroups[0].iam.attachPolicyARNs[1]"
    )
    assert field_name([]) == "(document)"
