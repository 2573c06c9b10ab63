"""Security-group facts: each tool's rule defaults, the EKS cluster security group, the groups
nodes carry, and three-valued flow evaluation."""

from __future__ import annotations

import pytest

from analyzer.engine.catalogue import load_catalogue
from analyzer.engine.predicates import PREDICATES
from analyzer.engine.runner import evaluate_rule
from analyzer.knowledge.security_groups import (
    ALL,
    EGRESS,
    INGRESS,
    Endpoint,
    _covered,
    _ports,
    _protocol,
    allows,
    linked,
)
from analyzer.location import Location
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Ref, Unknown

CLUSTER_SG = Ref("computed", target="aws_eks_cluster.demo", attribute="vpc_config.0.cluster_security_group_id")
ANYWHERE = {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}
SELF_ALL = {"protocol": "-1", "from_port": 0, "to_port": 0, "self": True}


def make(kind: str, key: str, framework: str = "terraform", **fields) -> Resource:
    resource = Resource(kind, key, key, framework, kind, Location("main.tf", 1))
    resource.fields.update(fields)
    return resource


def ref(key: str, attribute: str = "id") -> Ref:
    return Ref("computed", target=key, attribute=attribute)


def network() -> list[Resource]:
    vpc = make(kinds.VPC, "aws_vpc.main", cidr_block="10.0.0.0/16")
    subnet = make(kinds.SUBNET, "aws_subnet.a", vpc=ref(vpc.key), cidr_block="10.0.1.0/24")
    cluster = make(
        kinds.CLUSTER, "aws_eks_cluster.demo", name="demo", subnets=[ref(subnet.key)], endpoint_private_access=True
    )
    return [vpc, subnet, cluster]


def self_managed(*groups) -> list[Resource]:
    template = make(kinds.LAUNCH_TEMPLATE, "aws_launch_template.nodes", security_groups=list(groups))
    node = make(
        kinds.SELF_MANAGED,
        "aws_autoscaling_group.nodes",
        cluster="demo",
        subnets=[ref("aws_subnet.a")],
        launch_template=ref(template.key),
    )
    return [template, node]


def outcome(rule_id: str, model: Model, subject: Resource):
    """The rule's result on ``subject``: its outcome and the finding (if any)."""
    rule = next(r for r in load_catalogue() if r.id == rule_id)
    return evaluate_rule(rule, subject, model)


def model_of(*resources: Resource) -> Model:
    model = Model(resources)
    for cluster in model.of_kind(kinds.CLUSTER):
        model.add_identity(cluster, cluster.get("name"))
    return model


@pytest.mark.parametrize(
    "spans, wanted, covered",
    [
        ([(0, 65535)], (443, 443), True),
        ([(443, 443)], (443, 443), True),
        ([(1025, 30000), (30001, 65535)], (1025, 65535), True),
        ([(1025, 30000), (30002, 65535)], (1025, 65535), False),
        ([(22, 22)], (443, 443), False),
        ([], (53, 53), False),
    ],
)
def test_port_spans_cover_a_range(spans, wanted, covered):
    assert _covered(spans, wanted) is covered


@pytest.mark.parametrize(
    "written, protocol",
    [
        ("-1", ALL),
        (-1, ALL),
        ("all", ALL),
        (None, ALL),
        ("TCP", "tcp"),
        ("6", "tcp"),
        (17, "udp"),
        ("icmp", "icmp"),
        ("50", "50"),
    ],
)
def test_protocols_normalize(written, protocol):
    assert _protocol(written) == protocol


def test_all_protocols_mean_all_ports_and_minus_one_means_unbounded():
    assert _ports(ALL, 0, 0) == (0, 65535)
    assert _ports("tcp", 443, 443) == (443, 443)
    assert _ports("tcp", -1, -1) == (0, 65535)
    assert isinstance(_ports("tcp", Unknown("var.port"), 443), Unknown)


def _egress(model: Model, group: Resource) -> list:
    return [r for r in model.attr(group, "rules") if r.direction == EGRESS]


@pytest.mark.parametrize(
    "framework, egress, expected",
    [
        # Terraform removes the allow-all egress rule AWS creates with a new group
        ("terraform", None, []),
        # CloudFormation keeps it unless SecurityGroupEgress is given, which replaces it
        ("cloudformation", None, [("all", "0.0.0.0/0")]),
        (
            "cloudformation",
            [{"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "CidrIp": "10.0.0.0/16"}],
            [("udp", "10.0.0.0/16")],
        ),
        ("terraform", [ANYWHERE], [("all", "0.0.0.0/0")]),
    ],
)
def test_each_tool_has_its_own_egress_default(framework, egress, expected):
    group = make(kinds.SECURITY_GROUP, "nodes", framework, **({"egress": egress} if egress else {}))
    model = model_of(group)
    assert [(r.protocol, r.peer.value) for r in _egress(model, group)] == expected


def test_adopted_default_group_keeps_only_declared_rules():
    group = make(kinds.SECURITY_GROUP, "aws_default_security_group.this", vpc_default=True)
    model = model_of(group)
    assert model.attr(group, "rules") == []
    assert model.attr(group, "declares_no_egress") is True


def test_rules_on_the_cluster_security_group_join_the_eks_rules():
    nodes = make(kinds.SECURITY_GROUP, "aws_security_group.nodes")
    rule = make(
        kinds.SECURITY_GROUP_RULE,
        "aws_security_group_rule.https",
        direction="ingress",
        protocol="tcp",
        from_port=443,
        to_port=443,
        security_group=CLUSTER_SG,
        source_security_group=ref(nodes.key),
    )
    model = model_of(*network(), nodes, rule)
    cluster_group = model.attr(model.get("aws_eks_cluster.demo"), "cluster_security_group")
    peers = [(r.direction, r.peer.kind, r.origin.key) for r in model.attr(cluster_group, "rules")]
    assert (INGRESS, "self", cluster_group.key) in peers  # EKS: all traffic from itself
    assert (EGRESS, "cidr", cluster_group.key) in peers  # EKS: all outbound
    assert (INGRESS, "group", rule.key) in peers


def test_managed_node_group_without_template_groups_carries_the_cluster_group():
    node = make(kinds.NODEGROUP, "aws_eks_node_group.workers", cluster=ref("aws_eks_cluster.demo"))
    model = model_of(*network(), node)
    assert model.attr(node, "carries_cluster_security_group") is True
    assert outcome("EKS-SG-002", model, node).outcome == "pass"


def test_self_managed_nodes_without_a_control_plane_rule_are_reported():
    nodes = make(kinds.SECURITY_GROUP, "aws_security_group.nodes", ingress=[SELF_ALL], egress=[ANYWHERE])
    model = model_of(*network(), nodes, *self_managed(ref(nodes.key)))
    node = model.get("aws_autoscaling_group.nodes")
    groups = model.attr(node, "node_security_groups")
    control_plane = PREDICATES["sg.control_plane"](model, node)
    nodes_side = PREDICATES["sg.node_endpoint"](model, node, groups)
    assert PREDICATES["sg.private_endpoint"](model, node) is True
    assert PREDICATES["sg.allows"](model, groups, EGRESS, "tcp", 443, control_plane) is True
    assert PREDICATES["sg.allows"](model, control_plane.groups, INGRESS, "tcp", [443, 443], nodes_side) is False
    assert outcome("EKS-SG-001", model, node).outcome == "pass"
    result = outcome("EKS-SG-002", model, node)
    assert result.outcome == "fail" and "inbound TCP 443 from aws_autoscaling_group.nodes" in result.finding.message


def test_public_only_endpoint_needs_no_control_plane_ingress():
    nodes = make(kinds.SECURITY_GROUP, "aws_security_group.nodes", egress=[ANYWHERE])
    resources = network()
    resources[2].fields["endpoint_private_access"] = False
    model = model_of(*resources, nodes, *self_managed(ref(nodes.key)))
    node = model.get("aws_autoscaling_group.nodes")
    assert PREDICATES["sg.private_endpoint"](model, node) is False
    assert outcome("EKS-SG-002", model, node).outcome == "pass"


def test_a_rule_on_an_unknown_group_makes_a_denied_flow_unknown():
    nodes = make(kinds.SECURITY_GROUP, "aws_security_group.nodes")
    floating = make(
        kinds.SECURITY_GROUP_RULE,
        "aws_security_group_rule.maybe",
        direction="egress",
        protocol="tcp",
        from_port=443,
        to_port=443,
        cidrs=["0.0.0.0/0"],
        security_group=Unknown("var.security_group_id has no value"),
    )
    model = model_of(nodes, floating)
    internet = Endpoint("the internet", internet=True)
    assert isinstance(allows(model, [nodes], EGRESS, "tcp", (443, 443), internet), Unknown)
    assert allows(model, [nodes], EGRESS, "udp", (53, 53), internet) is False


def test_an_unknown_group_on_the_node_never_denies():
    model = model_of()
    internet = Endpoint("the internet", internet=True)
    verdict = allows(model, [Unknown("var.extra_sg")], EGRESS, "tcp", (443, 443), internet)
    assert isinstance(verdict, Unknown)


@pytest.mark.parametrize(
    "cidr, expected",
    [
        ("10.0.0.0/16", True),  # the VPC covers every node subnet
        ("10.0.1.0/24", True),
        ("10.0.2.0/24", False),
        ("0.0.0.0/0", True),
    ],
)
def test_cidr_rules_match_when_they_cover_the_peer_subnets(cidr, expected):
    group = make(
        kinds.SECURITY_GROUP,
        "g",
        ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [cidr]}],
    )
    model = model_of(group)
    peer = Endpoint("nodes", subnet_cidrs=["10.0.1.0/24"], subnets_complete=True, vpc_cidr="10.0.0.0/16")
    assert allows(model, [group], INGRESS, "tcp", (443, 443), peer) is expected


def test_two_rules_together_cover_the_pod_ports():
    group = make(
        kinds.SECURITY_GROUP,
        "g",
        ingress=[
            {"protocol": "tcp", "from_port": 1025, "to_port": 9999, "self": True},
            {"protocol": "tcp", "from_port": 10000, "to_port": 65535, "self": True},
        ],
    )
    model = model_of(group)
    peer = Endpoint("nodes", groups=[group])
    assert allows(model, [group], INGRESS, "tcp", (1025, 65535), peer) is True
    assert allows(model, [group], INGRESS, "udp", (53, 53), peer) is False


def test_addresses_defined_by_several_configurations_are_ambiguous():
    first = make(kinds.CLUSTER, "aws_eks_cluster.demo", name="demo")
    second = make(kinds.CLUSTER, "aws_eks_cluster.demo", name="demo")
    node = make(kinds.NODEGROUP, "aws_eks_node_group.workers", cluster=ref("aws_eks_cluster.demo"))
    model = model_of(first, second, node)
    assert isinstance(linked(model, node, "cluster"), Unknown)


def test_eksctl_node_group_without_the_shared_group_cannot_reach_other_nodes():
    cluster = make(kinds.CLUSTER, "c", "eksctl", name="prod")
    node = make(kinds.SELF_MANAGED, "ng", "eksctl", cluster=cluster, securityGroups={"withShared": False})
    model = model_of(cluster, node)
    result = outcome("EKS-SG-005", model, node)
    assert result.outcome == "fail" and "withShared: false" in result.finding.message
    node.fields["securityGroups"] = {"withShared": False, "attachIDs": ["sg-0123456789abcdef0"]}
    other = make(kinds.SELF_MANAGED, "ng2", "eksctl", cluster=cluster, securityGroups=node.fields["securityGroups"])
    model = model_of(cluster, other)
    assert outcome("EKS-SG-005", model, other).outcome == "unknown"


def test_an_unknown_set_of_groups_is_the_flow_s_unknown():
    model = model_of()
    doubt = Unknown("var.node_security_group_ids has no value")
    assert PREDICATES["sg.allows"](model, doubt, EGRESS, "tcp", 443, Endpoint("x", internet=True)) is doubt


def test_interface_endpoints_may_exist_in_a_vpc_that_is_not_known():
    node = make(kinds.SELF_MANAGED, "aws_autoscaling_group.nodes", cluster="elsewhere")
    model = model_of(node)
    endpoints = PREDICATES["sg.interface_endpoints"](model, node)
    assert isinstance(endpoints, Unknown) and "interface endpoints may exist" in endpoints.reason


def test_the_cluster_of_a_node_is_unknown_when_ambiguous():
    first = make(kinds.CLUSTER, "aws_eks_cluster.demo", name="demo")
    second = make(kinds.CLUSTER, "aws_eks_cluster.demo", name="demo")
    node = make(kinds.NODEGROUP, "aws_eks_node_group.workers", cluster=ref("aws_eks_cluster.demo"))
    cluster = PREDICATES["sg.cluster"](model_of(first, second, node), node)
    assert isinstance(cluster, Unknown) and cluster.reason.startswith("the cluster of aws_eks_node_group.workers")


def test_a_node_without_any_egress_rule_can_send_nothing():
    nodes = make(kinds.SECURITY_GROUP, "aws_security_group.nodes", ingress=[SELF_ALL])
    model = model_of(*network(), nodes, *self_managed(ref(nodes.key)))
    node = model.get("aws_autoscaling_group.nodes")
    assert model.attr(node, "https_egress_blocked") is True
    assert outcome("EKS-SG-001", model, node).outcome == "fail"
    nodes.fields["egress"] = [ANYWHERE]
    model = model_of(*network(), nodes, *self_managed(ref(nodes.key)))
    assert model.attr(model.get("aws_autoscaling_group.nodes"), "https_egress_blocked") is False


def test_the_kubelet_port_must_be_open_to_the_control_plane():
    nodes = make(kinds.SECURITY_GROUP, "aws_security_group.nodes", egress=[ANYWHERE])
    model = model_of(*network(), nodes, *self_managed(ref(nodes.key)))
    node = model.get("aws_autoscaling_group.nodes")
    control_plane = PREDICATES["sg.control_plane"](model, node)
    assert PREDICATES["sg.allows"](model, [nodes], INGRESS, "tcp", 10250, control_plane) is False
    result = outcome("EKS-SG-004", model, node)
    assert result.outcome == "fail" and "inbound TCP 10250" in result.finding.message
    kubelet = {"protocol": "tcp", "from_port": 1025, "to_port": 65535, "security_groups": [CLUSTER_SG]}
    nodes.fields["ingress"] = [kubelet]
    model = model_of(*network(), nodes, *self_managed(ref(nodes.key)))
    assert outcome("EKS-SG-004", model, model.get("aws_autoscaling_group.nodes")).outcome == "pass"


def test_egress_rules_on_the_cluster_group_are_judged_without_its_eks_rule():
    https = make(
        kinds.SECURITY_GROUP_RULE,
        "aws_vpc_security_group_egress_rule.https",
        direction="egress",
        protocol="tcp",
        from_port=443,
        to_port=443,
        cidrs=["0.0.0.0/0"],
        security_group=CLUSTER_SG,
    )
    resources = network()
    resources[2].fields["vpc"] = ref("aws_vpc.main")
    model = model_of(*resources, https)
    cluster = model.get("aws_eks_cluster.demo")
    rules = model.attr(cluster, "cluster_security_group_managed_egress")
    assert [r.origin.key for r in rules] == [https.key]  # not EKS's allow-all rule
    itself = PREDICATES["sg.cluster_security_group_peer"](model, cluster)
    assert PREDICATES["sg.rules_allow"](model, rules, "tcp", 443, itself) is True
    assert PREDICATES["sg.rules_allow"](model, rules, "udp", 53, itself) is False
    result = outcome("EKS-SG-006", model, cluster)
    assert result.outcome == "fail"
    assert "do not allow TCP 10250, TCP 53, UDP 53 to the cluster security group itself;" in result.finding.message


def test_launch_template_groups_that_allow_every_flow_are_an_info_finding():
    nodes = make(kinds.SECURITY_GROUP, "aws_security_group.nodes", ingress=[SELF_ALL], egress=[ANYWHERE])
    admit = make(
        kinds.SECURITY_GROUP_RULE,
        "aws_security_group_rule.cluster_from_nodes",
        direction="ingress",
        protocol="tcp",
        from_port=443,
        to_port=443,
        security_group=CLUSTER_SG,
        source_security_group=ref(nodes.key),
    )
    template = make(kinds.LAUNCH_TEMPLATE, "aws_launch_template.workers", security_groups=[ref(nodes.key)])
    node = make(
        kinds.NODEGROUP,
        "aws_eks_node_group.workers",
        cluster=ref("aws_eks_cluster.demo"),
        subnets=[ref("aws_subnet.a")],
        launch_template=ref(template.key),
    )
    model = model_of(*network(), nodes, admit, template, node)
    result = outcome("EKS-SG-003", model, node)
    assert result.outcome == "fail" and result.finding.severity == "info"
    model = model_of(*network(), nodes, template, node)  # the control plane does not admit them
    result = outcome("EKS-SG-003", model, node)
    assert result.finding.severity == "error"
    assert result.finding.message.endswith("allows inbound TCP 443 from them")


def test_node_groups_of_one_shape_are_judged_through_one_peer(tmp_path):
    """Node-to-node traffic shows a node itself and one other node group per shape it sees,
    not every node group of the cluster; a node group whose groups differ is shown too."""
    import importlib.util
    from pathlib import Path

    from analyzer.pipeline import Options, build_model

    spec = importlib.util.spec_from_file_location(
        "generate", Path(__file__).resolve().parents[1] / "benchmarks/generate.py"
    )
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)

    root = generate.write_root(tmp_path / "fanout", "fanout", 15 + 4 * 12)  # 12 node groups, one shape
    model = build_model([root], Options())[0]
    nodes = model.of_kind(kinds.NODEGROUP)
    assert len(nodes) == 12
    peers = PREDICATES["sg.node_peers"](model, nodes[3])
    assert [p["node"] for p in peers] == [nodes[3], nodes[0]]
    assert peers[0]["self"] and not peers[1]["self"]
    # a node group whose own group admits its peers by group sees them apart from the rest
    text = (root / "main.tf").read_text() + (
        '\nresource "aws_security_group_rule" "ng5_from_ng7" {\n  type = "ingress"\n'
        "  security_group_id        = aws_security_group.ng5.id\n"
        "  source_security_group_id = aws_security_group.ng7.id\n"
        '  from_port = 0\n  to_port = 0\n  protocol = "-1"\n}\n'
    )
    (root / "main.tf").write_text(text)
    model = build_model([root], Options())[0]
    nodes = model.of_kind(kinds.NODEGROUP)
    assert [p["node"] for p in PREDICATES["sg.node_peers"](model, nodes[5])] == [nodes[5], nodes[0], nodes[7]]
    assert all(outcome("EKS-SG-005", model, node).outcome == "pass" for node in nodes)
