"""nodeadm NodeConfig: discovery, merging and nodeadm's validation."""

from __future__ import annotations

import pytest

from analyzer.userdata import MissingField, decode_user_data
from analyzer.values import Unknown

COMPLETE = """---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: c
    apiServerEndpoint: https://e
    certificateAuthority: Y2E=
    cidr: 10.100.0.0/16
"""


def test_complete_bare_nodeconfig_is_valid():
    config = decode_user_data(COMPLETE).node_config
    assert config.cluster.name == "c" and config.cluster.cidr == "10.100.0.0/16"
    assert config.missing_required() == [] and config.problems == [] and config.unknown_fields == []


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ("    name: c\n", "Name is missing in cluster configuration"),
        ("    apiServerEndpoint: https://e\n", "Apiserver endpoint is missing in cluster configuration"),
        ("    certificateAuthority: Y2E=\n", "Certificate authority is missing in cluster configuration"),
        ("    cidr: 10.100.0.0/16\n", "CIDR is missing in cluster configuration"),
    ],
)
def test_each_missing_field_gets_nodeadms_message(remove, message):
    config = decode_user_data(COMPLETE.replace(remove, "")).node_config
    assert [m.message for m in config.missing_required()] == [message]


def test_multidocument_merge_later_wins_and_outpost_needs_an_id(data_text):
    config = decode_user_data(data_text("nodeconfig_multidoc.yaml")).node_config
    assert config.sources == 2
    assert config.cluster.cidr == "172.16.0.0/16" and config.cluster.enable_outpost is True
    assert config.kubelet_flags == ["--v=2", "--node-labels=site=outpost"]  # nodeadm appends flags
    assert config.kubelet_config == {"maxPods": 30, "clusterDNS": ["172.16.0.10"]}  # maps deep-merged
    assert config.feature_gates == {"InstanceIdNodeName": True}
    assert config.missing_required() == [MissingField("spec.cluster.id", "CIDR is missing in cluster configuration")]


def test_empty_values_do_not_override():
    second = COMPLETE.replace("    name: c\n", '    name: ""\n')
    config = decode_user_data(COMPLETE + second).node_config
    assert config.cluster.name == "c"


def test_holes_count_as_present(with_holes):
    template = COMPLETE.replace("https://e", "${endpoint}").replace("Y2E=", "${ca}")
    config = decode_user_data(with_holes(template)).node_config
    assert isinstance(config.cluster.api_server_endpoint, Unknown)
    assert config.cluster.api_server_endpoint.reason == "var.endpoint"
    assert config.missing_required() == []


def test_documents_that_are_not_nodeconfig_and_bad_values():
    other = "---\napiVersion: v1\nkind: ConfigMap\n"
    user_data = decode_user_data(
        'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: application/node.eks.aws\n\n'
        + other
        + "\n--b\nContent-Type: application/node.eks.aws\n\n"
        + COMPLETE.replace("Y2E=", "not base64!").replace("v1alpha1", "v9")
        + "\n--b--\n"
    )
    problems = user_data.node_config.problems
    assert any("kind 'ConfigMap' is not a NodeConfig" in p for p in problems)
    assert any('version "node.eks.aws/v9"' in p for p in problems)
    assert any("certificateAuthority is not valid base64" in p for p in problems)


def test_nodeconfig_part_may_be_base64():
    import base64

    encoded = base64.b64encode(COMPLETE.encode()).decode()
    text = f'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: application/node.eks.aws\n\n{encoded}\n--b--\n'
    assert decode_user_data(text).node_config.cluster.name == "c"


def test_invalid_yaml_in_a_nodeconfig_part_is_a_problem():
    text = (
        'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: application/node.eks.aws\n\nspec: [\n--b--\n'
    )
    user_data = decode_user_data(text)
    assert user_data.node_config is None
    assert any(p.startswith("NodeConfig: invalid YAML") for p in user_data.problems)


def test_v1beta1_is_accepted_and_other_groups_are_not_nodeconfig():
    assert decode_user_data(COMPLETE.replace("v1alpha1", "v1beta1")).node_config.problems == []
    other_group = decode_user_data(COMPLETE.replace("node.eks.aws", "example.com"))
    assert other_group.node_config is None and other_group.format_family() is None
