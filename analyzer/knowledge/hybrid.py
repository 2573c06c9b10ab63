"""EKS Hybrid Nodes: the cluster's remote network configuration (EKS-HYB-001).

The EKS API (RemoteNodeNetwork / RemotePodNetwork) wants IPv4 RFC 1918 blocks of size /8 to
/32 that overlap neither the VPC's CIDR blocks nor the Kubernetes service range; hybrid nodes
authenticate with access entries (HYBRID_LINUX), so the cluster needs the authentication mode
API or API_AND_CONFIG_MAP, and they run only in IPv4 clusters.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.routing import cluster_vpc
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown

RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _remote_blocks(cluster: Resource) -> Any:
    blocks = []
    for field, what in (("remote_node_cidrs", "remote node network"), ("remote_pod_cidrs", "remote pod network")):
        value = cluster.get(field)
        if value is None:
            continue
        if is_unknown(value) or not isinstance(value, list):
            return Unknown(f"the {what}s of {cluster.address} are not known ({getattr(value, 'reason', value)})")
        blocks += [(field, what, cidr) for cidr in value]
    return blocks


@predicate("hybrid.config_problem")
def hybrid_config_problem(model: Model, cluster: Any) -> Any:
    """{field, text} for a remote network configuration EKS refuses, None, or Unknown."""
    if not isinstance(cluster, Resource):
        return None
    blocks = _remote_blocks(cluster)
    if isinstance(blocks, Unknown):
        return blocks
    if not blocks:
        return None
    mode = cluster.get("authentication_mode")
    if is_unknown(mode):
        return Unknown(f"the authentication mode of {cluster.address} is not known")
    if str(mode).upper() == "CONFIG_MAP":
        return {
            "field": "authentication_mode",
            "text": "uses the authentication mode CONFIG_MAP; hybrid nodes need API or API_AND_CONFIG_MAP (HYBRID_LINUX access entries)",
        }
    family = cluster.get("ip_family")
    if isinstance(family, str) and family.lower() == "ipv6":
        return {"field": "ip_family", "text": "is an IPv6 cluster; hybrid nodes need an IPv4 cluster"}
    others = _cluster_ranges(model, cluster)
    unknown = None
    for field, what, cidr in blocks:
        if is_unknown(cidr) or not isinstance(cidr, str):
            unknown = (
                unknown
                if unknown is not None
                else Unknown(f"a {what} of {cluster.address} is not known ({getattr(cidr, 'reason', cidr)})")
            )
            continue
        problem = _block_problem(cidr, others)
        if problem is not None:
            return {"field": field, "text": f"has {what} {cidr}, which {problem}"}
    return unknown


def _cluster_ranges(model: Model, cluster: Resource) -> list[tuple[str, Any]]:
    ranges = []
    vpc = cluster_vpc(model, cluster)
    if isinstance(vpc, Resource) and isinstance(vpc.get("cidr_block"), str):
        ranges.append((f"the CIDR block of {vpc.address}", vpc.get("cidr_block")))
    if isinstance(cluster.get("service_cidr"), str):
        ranges.append(("the Kubernetes service range", cluster.get("service_cidr")))
    return ranges


def _block_problem(cidr: str, others: list[tuple[str, Any]]) -> str | None:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return "is not a CIDR block"
    if network.version != 4:
        return "is not IPv4"
    if not any(network.subnet_of(private) for private in RFC1918):
        return "is not within an RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"
    if network.prefixlen < 8:
        return "is larger than /8"
    for label, other in others:
        try:
            if network.overlaps(ipaddress.ip_network(other, strict=False)):
                return f"overlaps {label} ({other})"
        except ValueError:
            continue
    return None


HYBRID_TRUSTS = ("ssm.amazonaws.com", "rolesanywhere.amazonaws.com")


@predicate("hybrid.identity_problem")
def hybrid_identity_problem(model: Model, cluster: Any) -> Any:
    """EKS-HYB-002: {certain, text} when the hybrid nodes of a cluster with remote networks have
    no HYBRID_LINUX access entry for a role that SSM or IAM Roles Anywhere can assume; None
    when one exists (or the cluster has no remote networks), Unknown when it cannot be told."""
    from analyzer.knowledge.auth import _access_entries
    from analyzer.knowledge.policies import trust_allows

    if not isinstance(cluster, Resource):
        return None
    blocks = _remote_blocks(cluster)
    if isinstance(blocks, Unknown):
        return blocks
    if not blocks:
        return None
    entries = []
    for entry in _access_entries(model, cluster):
        kind = entry.get("type")
        if is_unknown(kind):
            return Unknown(f"the type of access entry {entry.address} is not known ({getattr(kind, 'reason', kind)})")
        if isinstance(kind, str) and kind.upper() == "HYBRID_LINUX":
            entries.append(entry)
    if not entries:
        return {
            "certain": False,
            "text": "the analyzed files hold no HYBRID_LINUX access entry for it; unless one is created outside "
            "them, hybrid nodes stay Unauthorized",
        }
    unknown = None
    for entry in entries:
        principal = entry.get("principal_arn")
        role = model.follow(principal, "iam.role")
        if not isinstance(role, Resource):
            if unknown is None:
                unknown = (
                    role
                    if isinstance(role, Unknown)
                    else Unknown(f"the role of {entry.address} ({principal}) is not in the analyzed files")
                )
            continue
        verdicts = [trust_allows(role.get("assume_role_policy"), service) for service in HYBRID_TRUSTS]
        if any(v is True for v in verdicts):
            return None
        if any(isinstance(v, Unknown) for v in verdicts):
            unknown = unknown if unknown is not None else next(v for v in verdicts if isinstance(v, Unknown))
            continue
        return {
            "certain": True,
            "text": f"the role {role.address} of its HYBRID_LINUX access entry {entry.address} trusts neither "
            "ssm.amazonaws.com (Systems Manager hybrid activations) nor rolesanywhere.amazonaws.com "
            "(IAM Roles Anywhere), so no hybrid node can get its credentials",
        }
    return unknown
