"""How nodes reach the internet from their subnets, and the gateways on that path.

Node egress: per node group and subnet, the subnet class (``routing``), whether the node
gets a public IPv4 address, and how the node reaches AWS from there: through the internet,
through VPC endpoints only, or not at all (no route, or a public subnet without a public
address). Also the gateways node traffic passes (the NAT gateways and default routes node
subnets use), the public endpoint's allow-list, and whether a subnet routes to another VPC.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.index import attribute, referrers
from analyzer.knowledge.routing import (
    EGRESS,
    ENDPOINTS,
    NAT,
    NO_PUBLIC_IP,
    NO_ROUTE,
    PUBLIC,
    ambiguous,
    either,
    route_target,
    scope_of,
    unresolved_modules,
)
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown


# -- nodes -----------------------------------------------------------------------------------------
@dataclass
class SubnetEgress:
    """How one node group reaches the internet from one of its subnets."""

    node: Resource
    subnet: Resource
    egress_class: Any  # PUBLIC / NAT / ISOLATED or Unknown
    public_ip: Any  # True / False / Unknown: the node gets a public IPv4 in this subnet
    reach: Any  # how the node reaches AWS: EGRESS / NO_ROUTE / NO_PUBLIC_IP / ENDPOINTS or Unknown


def node_public_ip(model: Model, node: Resource, subnet: Resource) -> Any:
    """Whether the node gets a public IPv4 address when launched into ``subnet``.

    Several network interfaces: EC2 never auto-assigns one. Self-managed nodes may ask for
    one on their (first) interface, which overrides the subnet's setting."""
    template = model.attr(node, "launch_template")
    if isinstance(template, Resource):
        count = template.get("network_interface_count")
        if isinstance(count, int) and count > 1:
            return False
        if node.kind == kinds.SELF_MANAGED:
            asked = template.get("associate_public_ip_address")
            if asked is not None:
                return asked
    elif isinstance(template, Unknown) and node.kind == kinds.SELF_MANAGED:
        return Unknown(f"the launch template of {node.address} is not known ({template.reason})")
    if node.kind == kinds.SELF_MANAGED and node.get("associate_public_ip_address") is not None:
        return node.get("associate_public_ip_address")
    return subnet.get("map_public_ip_on_launch")


@fact(kinds.NODEGROUP, "resolved_subnets")
@fact(kinds.SELF_MANAGED, "resolved_subnets")
def node_resolved_subnets(model: Model, node: Resource) -> list[Resource]:
    """The node's subnets that are in the analyzed files."""
    subnets = model.attr(node, "subnets")
    if not isinstance(subnets, list):
        return []
    return [s for s in subnets if isinstance(s, Resource) and not ambiguous(model, s)]


@fact(kinds.NODEGROUP, "subnet_egress")
@fact(kinds.SELF_MANAGED, "subnet_egress")
def node_subnet_egress(model: Model, node: Resource) -> list[SubnetEgress]:
    """Per resolved subnet: its class, the node's public IP, and how the node reaches AWS."""
    found = []
    for subnet in model.attr(node, "resolved_subnets"):
        egress_class = model.attr(subnet, "egress_class")
        public_ip = node_public_ip(model, node, subnet) if egress_class == PUBLIC else False
        found.append(
            SubnetEgress(node, subnet, egress_class, public_ip, _reach(model, node, subnet, egress_class, public_ip))
        )
    return found


def _reach(model: Model, node: Resource, subnet: Resource, egress_class: Any, public_ip: Any) -> Any:
    if isinstance(egress_class, Unknown):
        return egress_class
    if egress_class == NAT:
        return EGRESS
    if egress_class == PUBLIC:
        if public_ip is True:
            return EGRESS
        ipv6 = _ipv6_on_launch(model, node, subnet)
        if ipv6 is True:
            return EGRESS  # an IPv6 cluster's nodes reach the internet gateway over IPv6
        if isinstance(ipv6, Unknown):
            return ipv6
        if is_unknown(public_ip):
            return Unknown(f"whether nodes of {node.address} get a public IP in {subnet.address} is not known")
        if node.kind == kinds.NODEGROUP:
            return NO_PUBLIC_IP  # managed nodes have no other way out (EKS rejects the group)
        return _self_managed_without_public_ip(model, node, subnet)
    intent = model.attr(subnet, "endpoint_intent")
    if isinstance(intent, Unknown):
        return intent
    return ENDPOINTS if intent else NO_ROUTE


def _ipv6_on_launch(model: Model, node: Resource, subnet: Resource) -> Any:
    """Whether nodes of an IPv6 cluster get an IPv6 address in ``subnet``: EKS asks public node
    subnets to auto-assign public IPv4 *or* IPv6 addresses (network requirements). Unknown
    when the subnet may assign IPv6 addresses and the cluster's IP family is not known."""
    assign = subnet.get("assign_ipv6_address_on_creation")
    if assign is not True and not isinstance(assign, Unknown):
        return False
    family = model.attr(node, "cluster_ip_family")
    if isinstance(family, Unknown):
        return family
    if family != "ipv6":
        return False
    if isinstance(assign, Unknown):
        return Unknown(f"whether {subnet.address} assigns IPv6 addresses on creation is not known ({assign.reason})")
    return True


@fact(kinds.NODEGROUP, "cluster_ip_family")
@fact(kinds.SELF_MANAGED, "cluster_ip_family")
def node_cluster_ip_family(model: Model, node: Resource) -> Any:
    """The IP family of the node's cluster in lower case (``ipv4`` when not set), or Unknown
    when the cluster or its ``ip_family`` is not known."""
    cluster = model.attr(node, "cluster")
    if isinstance(cluster, Unknown):
        return Unknown(f"the IP family of the cluster of {node.address} is not known ({cluster.reason})")
    if not isinstance(cluster, Resource):
        return Unknown(
            f"the IP family of the cluster of {node.address} is not known: the cluster is not in the analyzed files"
        )
    family = cluster.get("ip_family")
    if isinstance(family, Unknown):
        return Unknown(f"the IP family of {cluster.address} is not known ({family.reason})")
    return str(family or "ipv4").lower()


def _self_managed_without_public_ip(model: Model, node: Resource, subnet: Resource) -> Any:
    """Self-managed nodes in a public subnet without a public IP can still join a cluster with
    private endpoint access through VPC endpoints."""
    cluster = model.attr(node, "cluster")
    private = (
        cluster.get("endpoint_private_access")
        if isinstance(cluster, Resource)
        else Unknown(f"the cluster of {node.address} is not known")
    )
    intent = model.attr(subnet, "endpoint_intent")
    if private is True and intent is True:
        return ENDPOINTS
    for value in (private, intent):
        if is_unknown(value):
            return value if isinstance(value, Unknown) else Unknown("not known")
    return NO_PUBLIC_IP


@fact(kinds.SUBNET, "nodes")
def subnet_nodes(model: Model, subnet: Resource) -> list[Resource]:
    """Node groups that launch into this subnet."""
    return referrers(model, tuple(kinds.NODE_KINDS), subnet, _resolved_subnets, "node-resolved-subnets")


def _resolved_subnets(model: Model, node: Resource) -> list[Any]:
    return list(model.attr(node, "resolved_subnets"))


@fact(kinds.SUBNET, "node_egress")
def subnet_node_egress(model: Model, subnet: Resource) -> list[SubnetEgress]:
    return [e for n in model.attr(subnet, "nodes") for e in model.attr(n, "subnet_egress") if e.subnet is subnet]


# -- what serves node egress -----------------------------------------------------------------------
@fact(kinds.NAT_GATEWAY, "served_subnets")
def nat_served_subnets(model: Model, nat: Resource) -> list[Resource]:
    """Node subnets whose default route leads to this NAT gateway."""
    return referrers(model, (kinds.SUBNET,), nat, _default_route_target, "node-subnet-default-target")


def _default_route_target(model: Model, subnet: Resource) -> Any:
    """What the default route of a node subnet leads to (None for other subnets)."""
    if not model.attr(subnet, "nodes"):
        return None
    route = model.attr(subnet, "default_route")
    target = route_target(model, route) if isinstance(route, Resource) else None
    return target.value if target is not None else None


@fact(kinds.ROUTE, "egress_subnets")
def route_egress_subnets(model: Model, route: Resource) -> list[Resource]:
    """Subnets whose node traffic takes this route: node subnets using it as their default
    route, and the subnets of NAT gateways that serve node subnets."""
    subnets = []
    for subnet in referrers(model, (kinds.SUBNET,), route, attribute("default_route"), "subnet-default-route"):
        if model.attr(subnet, "nodes"):
            subnets.append(subnet)
            continue
        nats = referrers(model, (kinds.NAT_GATEWAY,), subnet, attribute("subnet"), "nat-gateway-subnet")
        if any(model.attr(nat, "served_subnets") for nat in nats):
            subnets.append(subnet)
    return subnets


# -- predicates ------------------------------------------------------------------------------------
@predicate("egress.public_ipv4")
def public_ipv4(model: Model, node: Any, subnet: Any) -> Any:
    """Whether nodes of ``node`` get a public IPv4 address in ``subnet``
    (True, False or Unknown)."""
    if not isinstance(node, Resource) or not isinstance(subnet, Resource):
        return Unknown("the node group or subnet is not known")
    return node_public_ip(model, node, subnet)


@predicate("egress.reach")
def subnet_reach(model: Model, node: Any, subnet: Any) -> Any:
    """How nodes of ``node`` reach AWS from ``subnet``: ``egress`` (the internet),
    ``no_route`` (no way out), ``no_public_ip`` (a public subnet, no public address),
    ``endpoints`` (VPC endpoints only), or Unknown."""
    if not isinstance(node, Resource) or not isinstance(subnet, Resource):
        return Unknown("the node group or subnet is not known")
    for egress in model.attr(node, "subnet_egress"):
        if egress.subnet is subnet:
            return egress.reach
    return Unknown(f"{subnet.address} is not a subnet of {node.address}")


@fact(kinds.INTERNET_GATEWAY, "attached_vpcs")
def gateway_vpcs(model: Model, gateway: Resource) -> Any:
    """The VPCs an internet gateway is attached to (its vpc_id, or gateway attachments); an
    Unknown when one of them is not in the analyzed files, or an unloaded module may attach it."""
    found: list[Resource] = []
    attachments = referrers(
        model, (kinds.GATEWAY_ATTACHMENT,), gateway, attribute("internet_gateway"), "attachment-internet-gateway"
    )
    candidates = [gateway.get("vpc")] + [a.get("vpc") for a in attachments]
    for value in candidates:
        if value is None:
            continue
        vpc = model.follow(value, kinds.VPC)
        if not isinstance(vpc, Resource):
            return Unknown(f"the VPC {gateway.address} is attached to is not in the analyzed files")
        found.append(vpc)
    if not found:
        return either(unresolved_modules(model, scope_of(gateway), "its attachment"), found)
    return found


# -- node egress addresses, for the public endpoint's allow-list -------------------
# Address blocks without public (internet-routable) addresses: NAT gateway EIPs and public IPs
# of instances are never inside them.
_NON_PUBLIC_BLOCKS = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
OPEN_TO_ALL = "0.0.0.0/0"


def _has_public_addresses(cidr: str) -> bool:
    network = ipaddress.ip_network(cidr, strict=False)
    if network.version != 4:
        return not (network.is_private or network.is_reserved)
    return not any(network.subnet_of(block) for block in _NON_PUBLIC_BLOCKS)


@predicate("egress.public_blocks")
def public_blocks(model: Model, cidrs: Any, owner: Any) -> Any:
    """The blocks of ``cidrs`` (public access CIDRs of ``owner``) that hold public addresses;
    an Unknown when one is not a CIDR block."""
    try:
        return [c for c in cidrs if _has_public_addresses(str(c))] if isinstance(cidrs, list) else []
    except ValueError:
        return Unknown(f"a public access CIDR of {getattr(owner, 'address', owner)} is not a CIDR block")


@fact(kinds.CLUSTER, "egress_sources")
def cluster_egress_sources(model: Model, cluster: Resource) -> Any:
    """Where traffic of the cluster's nodes to the internet leaves from, in node order, each
    once: ``{node}`` (their own public IPs), ``{gateway}`` (the Elastic IP of the NAT gateway
    or other gateway their default route names), ``{target_name, subnet}`` (a target that is not
    in the files) or ``{nat_subnet}`` (the default route's target is not known); an Unknown
    when how some node reaches the internet is not known."""
    sources: dict[tuple, dict] = {}
    for node in model.attr(cluster, "node_groups"):
        for egress in model.attr(node, "subnet_egress"):
            if isinstance(egress.reach, Unknown):
                return egress.reach
            if egress.reach != EGRESS:
                continue
            if egress.egress_class == PUBLIC:
                source = {"node": node}
                key: tuple = ("node", node.address)
            else:
                source, key = _nat_source(model, egress.subnet)
            sources.setdefault(key, source)
    return list(sources.values())


def _nat_source(model: Model, subnet: Resource) -> tuple[dict, tuple]:
    """What a subnet's traffic to the internet leaves from, and a key that tells sources apart."""
    route = model.attr(subnet, "default_route")
    target = route_target(model, route) if isinstance(route, Resource) else None
    if target is not None and target.resource is not None:
        return {"gateway": target.resource}, ("gateway", target.resource.address)
    if target is not None:
        return {"target_name": target.name, "subnet": subnet}, ("target", target.name, subnet.address)
    return {"nat_subnet": subnet}, ("nat", subnet.address)
