"""The DHCP options set a VPC hands its instances.

A VPC uses the AWS default set (``AmazonProvidedDNS``, ``<region>.compute.internal``) unless
an ``aws_vpc_dhcp_options_association`` / ``AWS::EC2::VPCDHCPOptionsAssociation`` gives it
another one; associating the literal ``default`` restores the AWS set.
"""

from __future__ import annotations

from typing import Any

from analyzer.knowledge.index import attribute, referrers
from analyzer.knowledge.routing import ENDPOINTS, cluster_vpc, either, scope_of, unambiguous
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import Unknown

AWS_DEFAULT_SET = "default"


@fact(kinds.VPC, "dhcp_options")
def vpc_dhcp_options(model: Model, vpc: Resource) -> Any:
    """The custom DHCP options set of the VPC, None for the AWS default set, Unknown when an
    association names a set (or a VPC) outside the analyzed files."""
    maybe = None
    for association in model.of_kind(kinds.DHCP_OPTIONS_ASSOCIATION):
        target = model.attr(association, "vpc")
        if target is not vpc:
            if not isinstance(target, Resource) and scope_of(association) == scope_of(vpc):
                maybe = either(
                    maybe, Unknown(f"{association.address} associates DHCP options with a VPC that is not resolved")
                )
            continue
        value = association.get("dhcp_options")
        if value == AWS_DEFAULT_SET:
            return None
        options = unambiguous(model, model.follow(value, kinds.DHCP_OPTIONS))
        if isinstance(options, Resource):
            return options
        return Unknown(
            f"the DHCP options set associated with {vpc.address} is not in the "
            f"analyzed files ({getattr(options, 'reason', options)})"
        )
    return maybe


@fact(kinds.VPC, "eks_clusters")
def vpc_eks_clusters(model: Model, vpc: Resource) -> list[Resource]:
    """Clusters whose subnets are in this VPC."""
    return referrers(model, (kinds.CLUSTER,), vpc, cluster_vpc, "cluster-vpc")


@fact(kinds.VPC, "serves_eks")
def vpc_serves_eks(model: Model, vpc: Resource) -> bool:
    """True when a cluster or node group of the analyzed files uses this VPC."""
    if model.attr(vpc, "eks_clusters"):
        return True
    return any(
        model.attr(subnet, "nodes") for subnet in referrers(model, (kinds.SUBNET,), vpc, attribute("vpc"), "subnet-vpc")
    )


@fact(kinds.VPC, "private_only_clusters")
def vpc_private_only_clusters(model: Model, vpc: Resource) -> list[Resource]:
    """Clusters in this VPC whose API server has only the private endpoint."""
    return [
        c
        for c in model.attr(vpc, "eks_clusters")
        if c.get("endpoint_private_access") is True and c.get("endpoint_public_access") is False
    ]


@fact(kinds.VPC, "endpoint_dependent_nodes")
def vpc_endpoint_dependent_nodes(model: Model, vpc: Resource) -> list[Resource]:
    """Node groups in this VPC that reach AWS services only through interface endpoints (no
    internet path): their private DNS names live in Route 53 private hosted zones that only the
    VPC resolver answers. The cluster endpoint itself is public DNS, even when it is private."""
    dependent = []
    for node in model.of_kind(*kinds.NODE_KINDS):
        for egress in model.attr(node, "subnet_egress"):
            if egress.reach == ENDPOINTS and model.attr(egress.subnet, "vpc") is vpc:
                dependent.append(node)
                break
    return dependent
