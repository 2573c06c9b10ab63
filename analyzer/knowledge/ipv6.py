"""IPv6 addressing of subnets, facts for the rule that decides in YAML: whether a subnet has an
IPv6 CIDR block, declared inline or as a separate subnet CIDR block association."""

from __future__ import annotations

from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource


@fact(kinds.SUBNET, "has_ipv6_cidr_block")
def has_ipv6_cidr_block(model: Model, subnet: Resource) -> bool:
    """True when the subnet has an IPv6 CIDR block (``ipv6_cidr_block`` / ``Ipv6CidrBlock``, or
    an aws_subnet_ipv6_cidr_block_association / AWS::EC2::SubnetCidrBlock for it)."""
    if subnet.get("ipv6_cidr_block") is not None:
        return True
    return any(model.attr(block, "subnet") is subnet for block in model.of_kind(kinds.SUBNET_CIDR_BLOCK))
