"""Subnet addressing EKS depends on: free addresses and zones, and IPv6 for IPv6 clusters."""

from __future__ import annotations

import ipaddress
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.routing import ambiguous, either
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Ref, SymbolElement, Unknown, first_unknown, is_unknown

# -- free addresses -----------------------------------------------------------------------------
AWS_RESERVED_ADDRESSES = 5  # per subnet: network, VPC router, DNS, future use, broadcast
CLUSTER_SUBNET_MINIMUM, CLUSTER_SUBNET_RECOMMENDED = 6, 16
NODE_SUBNET_SMALLEST_PREFIX = 24
DISALLOWED_CLUSTER_ZONE_IDS = ("use1-az3", "usw1-az2", "cac1-az3")


def _usable(subnet: Resource) -> tuple[int, int] | None:
    """(prefix length, usable addresses) of a subnet with a known IPv4 CIDR block, or of
    subnets a tool carves out of its VPC with a known size (eksctl)."""
    prefix = subnet.get("cidr_prefix_length")
    if subnet.get("cidr_block") is None and isinstance(prefix, int) and 0 <= prefix <= 32:
        return prefix, max(2 ** (32 - prefix) - AWS_RESERVED_ADDRESSES, 0)
    try:
        network = ipaddress.ip_network(str(subnet.get("cidr_block")), strict=False)
    except ValueError:
        return None
    if network.version != 4 or is_unknown(subnet.get("cidr_block")):
        return None
    return network.prefixlen, max(network.num_addresses - AWS_RESERVED_ADDRESSES, 0)


@predicate("addressing.capacity_problem")
def address_capacity_problem(model: Model, owner: Any) -> Any:
    """{at, text} for a cluster subnet that is too small, in a disallowed zone, or
    the only zone of the cluster; or a node subnet smaller than a /24. None otherwise."""
    if not isinstance(owner, Resource):
        return None
    if owner.kind == kinds.CLUSTER:
        subnets = model.attr(owner, "subnets")
        subnets = (
            [s for s in subnets if isinstance(s, Resource) and not ambiguous(model, s)]
            if isinstance(subnets, list)
            else []
        )
        return either(_cluster_subnet_problem(owner, subnets), _unknown_size(subnets))
    subnets = model.attr(owner, "resolved_subnets")
    for subnet in subnets:
        size = _usable(subnet)
        if size is not None and size[0] > NODE_SUBNET_SMALLEST_PREFIX:
            return {
                "at": subnet,
                "text": f"node subnet {subnet.address} (/{size[0]}) has {size[1]} usable "
                f"addresses for the nodes of {owner.address} and every pod on them "
                "(the VPC CNI gives each pod an address from the node's subnet)",
            }
    return _unknown_size(subnets)


def _unknown_size(subnets: list[Resource]) -> Unknown | None:
    for subnet in subnets:
        if _usable(subnet) is None:
            cidr = subnet.get("cidr_block")
            if cidr is None and is_unknown(subnet.get("cidr_prefix_length")):
                cidr = subnet.get("cidr_prefix_length")
            return Unknown(
                f"the CIDR block of {subnet.address} is not known ({getattr(first_unknown(cidr), 'reason', cidr)})"
            )
    return None


def _cluster_subnet_problem(cluster: Resource, subnets: list[Resource]) -> Any:
    for subnet in subnets:
        size = _usable(subnet)
        if size is not None and size[1] < CLUSTER_SUBNET_RECOMMENDED:
            need = "needs at least 6 free" if size[1] < CLUSTER_SUBNET_MINIMUM else "recommends at least 16"
            return {
                "at": subnet,
                "text": f"cluster subnet {subnet.address} (/{size[0]}) has {size[1]} usable "
                f"addresses; EKS {need} for the control-plane network interfaces",
            }
        zone_id = subnet.get("availability_zone_id")
        if zone_id in DISALLOWED_CLUSTER_ZONE_IDS:
            return {
                "at": subnet,
                "text": f"cluster subnet {subnet.address} is in {zone_id}, an availability "
                "zone EKS does not place control planes in",
            }
    zones = {zone_key(s) for s in subnets}
    if subnets and len(zones) == 1 and None not in zones:
        return {
            "at": subnets[0],
            "text": f"all cluster subnets of {cluster.address} are in one availability zone "
            f"({zone_text(subnets[0])}); EKS requires subnets in at least two",
        }
    return None


def zone_key(subnet: Resource) -> tuple[str, ...] | None:
    """What identifies the subnet's AZ: its name, or the data source element it comes from
    (``data.aws_availability_zones.x.names[1]``); None when neither is known."""
    zone = subnet.get("availability_zone")
    if isinstance(zone, str):
        return ("name", zone)
    if isinstance(zone, Ref):
        return ("ref", zone.target, zone.attribute)
    if isinstance(zone, SymbolElement):
        return ("ref", zone.of, str(zone.index))
    return None


def zones_comparable(zone: tuple[str, ...] | None, others: list) -> bool:
    """Whether different keys mean different zones: names, or elements of one list."""
    keys = [zone] + list(others)
    if any(key is None for key in keys):
        return False
    return len({key[:-1] if key[0] == "ref" else ("name",) for key in keys}) == 1


def zone_text(subnet: Resource) -> str | None:
    """The subnet's AZ as a message shows it."""
    key = zone_key(subnet)
    if key is None:
        return None
    if key[0] == "name":
        return key[1]
    if isinstance(subnet.get("availability_zone"), SymbolElement):
        return f"zone {key[2]} of {key[1].split('#')[-1]}"
    return f"{key[1].split('#')[-1]}.{key[2]}"
