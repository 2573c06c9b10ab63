"""EKS Hybrid Nodes: the cluster's remote networks and the identity hybrid nodes join with.

Facts only; the hybrid-node rules decide in YAML. The EKS API (RemoteNodeNetwork /
RemotePodNetwork) wants IPv4 RFC 1918 blocks of size /8 to /32 that overlap neither the VPC's
CIDR blocks nor the Kubernetes service range; ``remote_networks`` tells each block's address
family, whether it is private, and what it overlaps. Hybrid nodes authenticate with HYBRID_LINUX
access entries for a role that SSM or IAM Roles Anywhere can assume.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from analyzer.knowledge.routing import cluster_vpc
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown

RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_KINDS = (("remote_node_cidrs", "remote node network"), ("remote_pod_cidrs", "remote pod network"))


@fact(kinds.CLUSTER, "remote_networks")
def remote_networks(model: Model, cluster: Resource) -> Any:
    """Every remote node and pod network block of the cluster (empty without hybrid nodes):
    ``field`` and ``kind`` (which list it is in), ``cidr``, ``valid`` (a CIDR block), ``ipv4``,
    ``private`` (within RFC 1918), ``overlaps`` ({label, cidr} of the VPC block or service range
    it overlaps, or None). Unknown when a list is not known; a block that is not known has
    Unknown properties naming it."""
    blocks: list[dict[str, Any]] = []
    others = _cluster_ranges(model, cluster)
    for field, kind in _KINDS:
        value = cluster.get(field)
        if value is None:
            continue
        if is_unknown(value) or not isinstance(value, list):
            return Unknown(f"the {kind}s of {cluster.address} are not known ({getattr(value, 'reason', value)})")
        blocks += [
            {"field": field, "kind": kind, "cidr": cidr, **_describe(cidr, kind, cluster, others)} for cidr in value
        ]
    return blocks


def _describe(cidr: Any, kind: str, cluster: Resource, others: list[tuple[str, str]]) -> dict[str, Any]:
    if is_unknown(cidr) or not isinstance(cidr, str):
        hole = Unknown(f"a {kind} of {cluster.address} is not known ({getattr(cidr, 'reason', cidr)})")
        return {"valid": hole, "ipv4": hole, "private": hole, "overlaps": hole}
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return {"valid": False, "ipv4": None, "private": None, "overlaps": None}
    private = network.version == 4 and any(network.subnet_of(block) for block in RFC1918)
    return {"valid": True, "ipv4": network.version == 4, "private": private, "overlaps": _overlap(network, others)}


def _overlap(network: Any, others: list[tuple[str, str]]) -> dict[str, str] | None:
    for label, other in others:
        try:
            if network.overlaps(ipaddress.ip_network(other, strict=False)):
                return {"label": label, "cidr": other}
        except (ValueError, TypeError):
            continue
    return None


def _cluster_ranges(model: Model, cluster: Resource) -> list[tuple[str, str]]:
    ranges = []
    vpc = cluster_vpc(model, cluster)
    if isinstance(vpc, Resource) and isinstance(vpc.get("cidr_block"), str):
        ranges.append((f"the CIDR block of {vpc.address}", vpc.get("cidr_block")))
    if isinstance(cluster.get("service_cidr"), str):
        ranges.append(("the Kubernetes service range", cluster.get("service_cidr")))
    return ranges


@fact(kinds.CLUSTER, "hybrid_node_entries")
def hybrid_node_entries(model: Model, cluster: Resource) -> Any:
    """The cluster's access entries of type HYBRID_LINUX; Unknown when the type of one of its
    entries is not known."""
    from analyzer.knowledge.auth import _access_entries

    entries = []
    for entry in _access_entries(model, cluster):
        kind = entry.get("type")
        if is_unknown(kind):
            return Unknown(f"the type of access entry {entry.address} is not known ({getattr(kind, 'reason', kind)})")
        if isinstance(kind, str) and kind.upper() == "HYBRID_LINUX":
            entries.append(entry)
    return entries


@fact(kinds.ACCESS_ENTRY, "principal_role")
def principal_role(model: Model, entry: Resource) -> Any:
    """The IAM role the entry's principal ARN names: a role of the analyzed files, or Unknown
    naming the ARN when it is not one of them."""
    principal = entry.get("principal_arn")
    if principal is None:
        return None
    role = model.follow(principal, kinds.IAM_ROLE, origin=entry)
    if isinstance(role, (Resource, Unknown)):
        return role
    return Unknown(f"the role of {entry.address} ({principal}) is not in the analyzed files")


# -- reachability: routes from the cluster's subnets to the remote node networks ----------------
_INTERNET_BOUND = frozenset({"internet_gateway", "nat_gateway", "egress_only_gateway", "local"})


@fact(kinds.CLUSTER, "remote_node_routes")
def remote_node_routes(model: Model, cluster: Resource) -> Any:
    """For each cluster subnet of the analyzed files and each remote node network: ``subnet``,
    ``cidr``, ``table`` (the route table's address; None for a tool's own), ``route`` (the most specific route that
    covers the network, or None), ``via`` (what it forwards to, for a message) and ``reaches``:
    True when the route (or a virtual private gateway's propagated routes) leads off the VPC
    through a gateway, appliance or peering, False when there is no such route or it goes to the
    internet, Unknown when the route table or a destination is not known. Subnets a tool creates
    (eksctl) reach the remote networks when the tool routes them through a gateway
    (``remote_network_gateway``)."""
    cidrs = cluster.get("remote_node_cidrs")
    if not isinstance(cidrs, list) or not cidrs:
        return [] if cidrs is None or isinstance(cidrs, list) else cidrs
    subnets = model.attr(cluster, "subnets")
    if isinstance(subnets, Unknown):
        return subnets
    found: list[dict[str, Any]] = []
    for subnet in subnets if isinstance(subnets, list) else []:
        if not isinstance(subnet, Resource):
            continue
        for cidr in cidrs:
            found.append({"subnet": subnet, "cidr": cidr, **_route_to(model, cluster, subnet, cidr)})
    return found


def _route_to(model: Model, cluster: Resource, subnet: Resource, cidr: Any) -> dict[str, Any]:
    from analyzer.knowledge.routing import route_target

    if subnet.provenance == "eksctl-default":
        gateway = cluster.get("remote_network_gateway")
        if is_unknown(gateway):
            return {"table": None, "route": None, "via": gateway, "reaches": gateway}
        return {"table": None, "route": None, "via": gateway, "reaches": bool(gateway)}
    table = model.attr(subnet, "route_table")
    if isinstance(table, Unknown):
        return {"table": table, "route": None, "via": None, "reaches": table}
    try:
        network = ipaddress.ip_network(cidr, strict=False) if isinstance(cidr, str) else None
    except ValueError:
        network = None
    if network is None:
        hole = Unknown(f"remote node network {getattr(cidr, 'reason', cidr)} is not a known CIDR block")
        return {"table": table.address, "route": None, "via": None, "reaches": hole}
    best, best_prefix, doubt = None, -1, None
    for route in table.routes:
        destination = route.get("destination")
        if destination is None:
            continue
        if is_unknown(destination):
            doubt = doubt or Unknown(f"the destination of {route.address} is not known")
            continue
        try:
            covering = ipaddress.ip_network(str(destination), strict=False)
        except ValueError:
            continue
        if covering.version == network.version and network.subnet_of(covering) and covering.prefixlen > best_prefix:
            best, best_prefix = route, covering.prefixlen
    if best is None:
        if _propagates_vgw(model, table):
            return {
                "table": table.address,
                "route": None,
                "via": "a virtual private gateway (propagated)",
                "reaches": True,
            }
        unsure = doubt or table.unsure
        return {"table": table.address, "route": None, "via": None, "reaches": unsure if unsure else False}
    target = route_target(model, best)
    if target is None:
        return {
            "table": table.address,
            "route": best,
            "via": None,
            "reaches": Unknown(f"{best.address} names no target"),
        }
    if target.kind == "gateway" and isinstance(target.value, Unknown):
        return {"table": table.address, "route": best, "via": target.name, "reaches": target.value}
    reaches = target.kind not in _INTERNET_BOUND
    if doubt is not None and not reaches:  # a more specific route may hide behind the unknown destination
        return {"table": table.address, "route": best, "via": target.name, "reaches": doubt}
    return {"table": table.address, "route": best, "via": target.name, "reaches": reaches}


def _propagates_vgw(model: Model, table: Any) -> bool:
    """A virtual private gateway propagates its (on-premises) routes into the table."""
    resource = getattr(table, "table", None)
    if resource is None:
        return False
    vgws = resource.get("propagating_vgws")
    if isinstance(vgws, list) and vgws:
        return True
    for propagation in model.of_kind(kinds.ROUTE_PROPAGATION):
        tables = model.attr(propagation, "route_tables")
        for linked in tables if isinstance(tables, list) else [tables]:
            if linked is resource:
                return True
    return False


# -- reachability: the control plane's security groups and the remote node networks ------------
@fact(kinds.CLUSTER, "remote_node_peers")
def remote_node_peers(model: Model, cluster: Resource) -> Any:
    """Each remote node network as the peer of a security-group flow: ``cidr`` and ``peer``
    (an Endpoint whose only addresses are that block); Unknown when the list is not known."""
    from analyzer.knowledge.security_groups import Endpoint

    cidrs = cluster.get("remote_node_cidrs")
    if cidrs is None:
        return []
    if not isinstance(cidrs, list):
        return cidrs if isinstance(cidrs, Unknown) else []
    peers: list[dict[str, Any]] = []
    for cidr in cidrs:
        if isinstance(cidr, str):
            peer = Endpoint(f"remote node network {cidr}", [], [cidr], True, cidr)
        else:
            peer = Endpoint(
                "a remote node network",
                [Unknown(f"a remote node network is not known ({getattr(cidr, 'reason', cidr)})")],
            )
        peers.append({"cidr": cidr, "peer": peer})
    return peers


@fact(kinds.CLUSTER, "hybrid_node_mappings")
def hybrid_node_mappings(model: Model, cluster: Resource) -> Any:
    """The aws-auth ``mapRoles`` entries the cluster reads (authentication mode CONFIG_MAP or
    API_AND_CONFIG_MAP) that name their nodes ``system:node:{{SessionName}}``, the username of
    hybrid nodes: ``source`` (the aws-auth ConfigMap), ``arn`` and ``role`` (the role the ARN
    names, or an Unknown naming it). Unknown when the mappings are not known."""
    from analyzer.knowledge.auth import SESSION_USERNAME, _for_cluster, _mapped_roles

    mode = cluster.get("authentication_mode")
    if isinstance(mode, str) and mode.upper() == "API":
        return []
    found: list[dict[str, Any]] = []
    for aws_auth in model.of_kind(kinds.AWS_AUTH):
        if not _for_cluster(model, aws_auth, cluster):
            continue
        entries = _mapped_roles(aws_auth)
        if isinstance(entries, Unknown):
            return entries
        for entry in entries:
            if entry.get("username") != SESSION_USERNAME:
                continue
            arn = entry.get("rolearn")
            role = model.follow(arn, kinds.IAM_ROLE, origin=aws_auth)
            if not isinstance(role, (Resource, Unknown)):
                role = Unknown(f"the role {arn} of the aws-auth mapping is not in the analyzed files")
            found.append({"source": aws_auth, "arn": arn, "role": role})
    return found
