"""What EKS needs from security groups.

Each predicate and fact answers with a value, never a verdict: whether groups allow a flow
(true, false, or the Unknown naming what could not be resolved), the endpoints a flow goes
to, the peers whose traffic decides a check. The rules say which flows nodes need. Whether
a node's groups allow no outbound HTTPS at all is a fact of its own, so a rule can leave
such a node's other flows to the finding about that.

Traffic the VPC never filters (the Route 53 Resolver at VPC+2, IMDS, Time Sync) is never
required here; CoreDNS on port 53 is, since it runs on the nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge import sg_peers
from analyzer.knowledge.ami import EKSCTL
from analyzer.knowledge.security_groups import (
    EGRESS,
    INGRESS,
    Endpoint,
    allows,
    both,
    control_plane_endpoint,
    either,
    eksctl_managed_groups,
    floating_rules,
    linked,
    node_endpoint,
    node_vpc,
    resolve_group,
    rules_allow,
)
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import Unknown

HTTPS = ("tcp", (443, 443))


def _unknown_of(*values: Any) -> Unknown | None:
    return next((v for v in values if isinstance(v, Unknown)), None)


def _cluster_unknown(node: Resource, cluster: Any) -> Unknown:
    reason = cluster.reason if isinstance(cluster, Unknown) else "not in the analyzed files"
    return Unknown(f"the cluster of {node.address} is not known ({reason})")


def _node_groups(model: Model, node: Any) -> Any:
    if not isinstance(node, Resource):
        return node if isinstance(node, Unknown) else Unknown("the node group is not known")
    return model.attr(node, "node_security_groups")


def _eksctl_keeps(node: Resource, *which: str) -> bool:
    """eksctl's own groups already allow the flow (managed groups carry the cluster group)."""
    if node.framework != EKSCTL:
        return False
    if node.kind == kinds.NODEGROUP:  # unless the user's own launch template decides
        return node.get("launchTemplate") is None
    kept = eksctl_managed_groups(node)
    return any(kept[w] for w in which)


# -- flows, as facts the rules combine ------------------------------------------------------------
def _port_span(ports: Any) -> tuple[int, int]:
    if isinstance(ports, int):
        return (ports, ports)
    low, high = ports
    return (int(low), int(high))


@predicate("sg.allows")
def allows_flow(model: Model, groups: Any, direction: str, protocol: str, ports: Any, peer: Endpoint) -> Any:
    """Whether some group of ``groups`` allows ``direction`` traffic of ``protocol`` on every
    port of ``ports`` (one port or [low, high]) with ``peer``: true, false, or the Unknown of
    the first doubt (an unknown set of groups is that Unknown)."""
    if isinstance(groups, Unknown):
        return groups
    return allows(model, _as_list(groups), direction, protocol, _port_span(ports), peer)


def _as_list(groups: Any) -> list:
    return list(groups) if isinstance(groups, list) else [groups]


def _cluster_of(model: Model, owner: Any) -> Any:
    if isinstance(owner, Resource) and owner.kind == kinds.CLUSTER:
        return owner
    return linked(model, owner, "cluster") if isinstance(owner, Resource) else owner


@predicate("sg.cluster")
def node_cluster(model: Model, node: Any) -> Any:
    """The node's cluster, or an Unknown saying why it cannot be told (not analyzed, or an
    address several analyzed configurations define)."""
    cluster = _cluster_of(model, node)
    return cluster if isinstance(cluster, Resource) else _cluster_unknown(node, cluster)


@predicate("sg.control_plane")
def control_plane(model: Model, node: Any) -> Endpoint:
    """The control-plane ENIs of the node's cluster (or of a cluster): their groups and addresses."""
    return control_plane_endpoint(model, _cluster_of(model, node))


@predicate("sg.public_api_endpoint")
def public_api_endpoint(model: Model, node: Any) -> Endpoint:
    """The cluster's public API endpoint, reached through NAT or an internet gateway."""
    cluster = _cluster_of(model, node)
    name = f"the public API endpoint of {getattr(cluster, 'address', 'the cluster')}"
    return Endpoint(name, ipv6=control_plane_endpoint(model, cluster).ipv6, internet=True)


@predicate("sg.private_endpoint")
def private_endpoint(model: Model, node: Any) -> Any:
    """Whether nodes reach the API server on the control-plane ENIs (the private endpoint is on)."""
    return uses_private_endpoint(_cluster_of(model, node))


@predicate("sg.aws_services")
def aws_services(model: Model, node: Any = None, ipv6: bool | None = None) -> Endpoint:
    """The public AWS service endpoints the bootstrap and kubelet call, through NAT or IGW;
    reached over IPv6 too when the node's cluster is IPv6 (or ``ipv6`` says so)."""
    if ipv6 is None:
        cluster = _cluster_of(model, node)
        ipv6 = isinstance(cluster, Resource) and cluster.get("ip_family") == "ipv6"
    return Endpoint("the AWS service endpoints", ipv6=ipv6, internet=True)


@predicate("sg.interface_endpoints")
def interface_endpoints(model: Model, node: Any) -> Any:
    """The interface endpoints of the node's VPC (each as the groups and subnets of its ENIs),
    or an Unknown when the VPC is not known: then there may be some. ``node`` may be a cluster."""
    is_cluster = isinstance(node, Resource) and node.kind == kinds.CLUSTER
    vpc = linked(model, node, "vpc") if is_cluster else node_vpc(model, node)
    if not isinstance(vpc, Resource):
        reason = vpc.reason if isinstance(vpc, Unknown) else "the VPC is not known"
        return Unknown(f"interface endpoints may exist ({reason})")
    return [
        _interface_endpoint(model, e)
        for e in model.of_kind(kinds.VPC_ENDPOINT)
        if model.attr(e, "vpc") is vpc and e.get("endpoint_type") != "Gateway"
    ]


@predicate("sg.node_endpoint")
def node_side(model: Model, node: Any, groups: Any = None) -> Endpoint:
    """The node's interfaces as a flow's peer: ``groups`` (default: the node's) and its subnets."""
    return node_endpoint(model, node, groups)


@predicate("sg.rules_allow")
def rules_allow_flow(model: Model, rules: Any, protocol: str, ports: Any, peer: Endpoint) -> Any:
    """Whether ``rules`` (``SgRule``s, not whole groups) together allow ``protocol`` on every
    port of ``ports`` with ``peer``: true, false or the Unknown of the first doubt."""
    if isinstance(rules, Unknown):
        return rules
    return rules_allow(rules, protocol, _port_span(ports), peer)


@predicate("sg.cluster_security_group_peer")
def cluster_security_group_peer(model: Model, cluster: Resource) -> Endpoint:
    """The interfaces that carry the cluster security group (nodes and control-plane ENIs) as
    a flow's peer: the group itself, somewhere in the cluster's VPC."""
    group = model.attr(cluster, "cluster_security_group")
    vpc = linked(model, cluster, "vpc")
    vpc_cidr = vpc.get("cidr_block") if isinstance(vpc, Resource) else None
    return Endpoint(group.address, [group], vpc_cidr=vpc_cidr)


@fact(kinds.CLUSTER, "cluster_security_group_managed_egress")
def cluster_security_group_managed_egress(model: Model, cluster: Resource) -> list:
    """The egress rules of the cluster security group besides EKS's allow-all one: those the
    configuration attaches, and those whose group is not known (they may be attached)."""
    group = model.attr(cluster, "cluster_security_group")
    rules = [r for r in model.attr(group, "rules") if r.direction == EGRESS and r.origin is not group]
    return rules + floating_rules(model, EGRESS)


@fact(kinds.NODEGROUP, "eksctl_groups_admit_control_plane")
@fact(kinds.SELF_MANAGED, "eksctl_groups_admit_control_plane")
def eksctl_groups_admit_control_plane(model: Model, node: Resource) -> bool:
    """eksctl's own groups carry the flows between the nodes and the control plane: managed
    node groups without the user's launch template carry the cluster security group, and a
    self-managed node group keeps eksctl's shared or local group."""
    return _eksctl_keeps(node, "shared", "local")


# -- whether a node can send anything at all ------------------------------------------------------
@fact(kinds.NODEGROUP, "https_egress_blocked")
@fact(kinds.SELF_MANAGED, "https_egress_blocked")
def https_egress_blocked(model: Model, node: Resource) -> bool:
    """True when the node's groups certainly allow no outbound TCP 443 to the API server or to
    the AWS services: the node never joins, and its other flows are not worth judging."""
    if _eksctl_keeps(node, "shared", "local"):
        return False
    groups = model.attr(node, "node_security_groups")
    if isinstance(groups, Unknown):
        return False
    cluster = linked(model, node, "cluster")
    if _reaches_api_server(model, cluster, groups) is False:
        return True
    to_services = reaches_aws_services(
        model,
        node_vpc(model, node),
        lambda peer: allows(model, groups, EGRESS, *HTTPS, peer),
        isinstance(cluster, Resource) and cluster.get("ip_family") == "ipv6",
    )
    return to_services is False


def _reaches_api_server(model: Model, cluster: Any, groups: list) -> Any:
    """Nodes reach the API server on the control-plane ENIs when the private endpoint is on
    (its name resolves to them inside the VPC), else on the public endpoint through NAT/IGW."""
    to_private = allows(model, groups, EGRESS, *HTTPS, control_plane_endpoint(model, cluster))
    to_public = allows(model, groups, EGRESS, *HTTPS, public_api_endpoint(model, cluster))
    private = uses_private_endpoint(cluster)
    if isinstance(private, bool):
        return to_private if private else to_public
    if to_private is to_public:
        return to_private
    doubt = _unknown_of(to_private, to_public)
    return private if doubt is None else doubt


def uses_private_endpoint(cluster: Any) -> Any:
    """Whether nodes in the VPC reach the API server through the control-plane ENIs."""
    if not isinstance(cluster, Resource):
        return cluster if isinstance(cluster, Unknown) else Unknown("the cluster is not known")
    private = cluster.get("endpoint_private_access")
    if isinstance(private, bool):
        return private
    reason = private.reason if isinstance(private, Unknown) else "not set"
    return Unknown(f"endpoint_private_access of {cluster.address} is not known ({reason})")


def reaches_aws_services(model: Model, vpc: Any, allowed: Callable[[Endpoint], Any], ipv6: bool = False) -> Any:
    """Outbound 443 to the public AWS endpoints (through NAT/IGW), or to every interface
    endpoint of the VPC when there are any."""
    direct = allowed(Endpoint("the AWS service endpoints", ipv6=ipv6, internet=True))
    if direct is True:
        return True
    if not isinstance(vpc, Resource):
        reason = vpc.reason if isinstance(vpc, Unknown) else "the VPC is not known"
        return direct if isinstance(direct, Unknown) else Unknown(f"interface endpoints may exist ({reason})")
    endpoints = [
        e
        for e in model.of_kind(kinds.VPC_ENDPOINT)
        if model.attr(e, "vpc") is vpc and e.get("endpoint_type") != "Gateway"
    ]
    if not endpoints:
        return direct
    return either(direct, both(*[allowed(_interface_endpoint(model, e)) for e in endpoints]))


def _interface_endpoint(model: Model, endpoint: Resource) -> Endpoint:
    declared = endpoint.get("security_groups")
    if isinstance(declared, list) and declared:
        groups = [resolve_group(model, g) for g in declared]
    elif isinstance(declared, Unknown):
        groups = [declared]
    else:
        groups = [Unknown(f"{endpoint.address} uses the VPC's default security group")]
    subnets = linked(model, endpoint, "subnets")
    cidrs = [s.get("cidr_block") for s in subnets if isinstance(s, Resource)] if isinstance(subnets, list) else []
    known = [c for c in cidrs if isinstance(c, str)]
    complete = isinstance(subnets, list) and bool(subnets) and len(known) == len(subnets)
    return Endpoint(endpoint.address, groups, known, complete, None)


# -- node <-> node ---------------------------------------------------------------------------------
@predicate("sg.node_peers")
def node_peers(model: Model, node: Any) -> Any:
    """The node groups whose traffic to ``node`` decides whether nodes reach each other: the
    node itself first, then the other node groups of its cluster, one for each shape the node
    sees (``sg_peers``), each ``{node, self, groups, endpoint, egress_reported}`` (whether the
    peer's groups allow no outbound HTTPS at all, a defect of its own). A peer whose groups
    are not known is that Unknown; Unknown when the node's own groups are not known."""
    groups = _node_groups(model, node)
    if isinstance(groups, Unknown):
        return groups
    known = sg_peers.shapes(model)
    named = sg_peers.named_groups(model, groups, INGRESS)
    peers: list[Any] = []
    for peer, _shape in _cluster_peers(model, known, node, named):
        peer_groups = groups if peer is node else model.attr(peer, "node_security_groups")
        if isinstance(peer_groups, Unknown):
            peers.append(peer_groups)
            continue
        peers.append(
            {
                "node": peer,
                "self": peer is node,
                "groups": peer_groups,
                "endpoint": known.endpoint(peer, peer_groups),
                "egress_reported": model.attr(peer, "https_egress_blocked") is True,
            }
        )
    return peers


@predicate("sg.eksctl_nodes_reach_each_other")
def eksctl_nodes_reach_each_other(model: Model, node: Any) -> Any:
    """For an eksctl node group: whether eksctl's own groups let its nodes reach each other
    (its shared node group allows all traffic between nodes; the per-group local group only
    admits the control plane), or an Unknown when groups it attaches decide."""
    groups = _node_groups(model, node)
    if isinstance(groups, Unknown):
        return groups
    if _eksctl_keeps(node, "shared"):
        return True
    settings = node.get("securityGroups")
    attached = settings.get("attachIDs") if isinstance(settings, dict) else None
    if attached or not eksctl_managed_groups(node)["local"]:
        unknown = _unknown_of(*groups)
        return unknown if unknown is not None else Unknown(f"the security groups of {node.address} are not known")
    return False


def _cluster_peers(model: Model, known: sg_peers.PeerShapes, node: Resource, named: Any) -> list[tuple[Resource, Any]]:
    """The node itself, then the other node groups of its cluster to judge, with their shapes."""
    cluster = linked(model, node, "cluster")
    if not isinstance(cluster, Resource):
        return [(node, None)]
    return known.cluster_peers(cluster).to_judge(node, named)
