"""IP network functions: cidrsubnet, cidrsubnets, cidrhost, cidrnetmask."""

from __future__ import annotations

import ipaddress
from typing import Any

from analyzer.terraform.convert import to_number, to_string
from analyzer.terraform.errors import EvalError
from analyzer.terraform.functions.registry import function


def _network(prefix: Any, name: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(to_string(prefix), strict=False)
    except ValueError:
        raise EvalError(f"{name}(): {prefix!r} is not a CIDR prefix") from None


def _whole(value: Any, name: str) -> int:
    number = to_number(value)
    if not isinstance(number, int):
        raise EvalError(f"{name}(): expected a whole number")
    return number


def _subnet(network, newbits: int, netnum: int, name: str) -> str:
    new_prefix = network.prefixlen + newbits
    if newbits < 0 or new_prefix > network.max_prefixlen:
        raise EvalError(f"{name}(): cannot extend prefix /{network.prefixlen} by {newbits} bits")
    if netnum < 0 or netnum >= 2**newbits:
        raise EvalError(f"{name}(): network number {netnum} does not fit in {newbits} bits")
    base = int(network.network_address) + (netnum << (network.max_prefixlen - new_prefix))
    address = ipaddress.ip_address(base) if network.version == 4 else ipaddress.IPv6Address(base)
    return f"{address}/{new_prefix}"


@function("cidrsubnet")
def cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    return _subnet(
        _network(prefix, "cidrsubnet"), _whole(newbits, "cidrsubnet"), _whole(netnum, "cidrsubnet"), "cidrsubnet"
    )


@function("cidrsubnets")
def cidrsubnets(prefix: Any, *newbits: Any) -> list[str]:
    network = _network(prefix, "cidrsubnets")
    out, cursor = [], int(network.network_address)
    for bits in newbits:
        size = _whole(bits, "cidrsubnets")
        new_prefix = network.prefixlen + size
        if size < 1 or new_prefix > network.max_prefixlen:
            raise EvalError(f"cidrsubnets(): invalid new bits {size}")
        block = 1 << (network.max_prefixlen - new_prefix)
        cursor = (cursor + block - 1) // block * block  # align to the block size
        if cursor + block > int(network.broadcast_address) + 1:
            raise EvalError("cidrsubnets(): not enough address space")
        address = ipaddress.ip_address(cursor) if network.version == 4 else ipaddress.IPv6Address(cursor)
        out.append(f"{address}/{new_prefix}")
        cursor += block
    return out


@function("cidrhost")
def cidrhost(prefix: Any, hostnum: Any) -> str:
    network = _network(prefix, "cidrhost")
    number = _whole(hostnum, "cidrhost")
    if number < 0:
        number += network.num_addresses
    if number < 0 or number >= network.num_addresses:
        raise EvalError(f"cidrhost(): host number {number} is outside {network}")
    return str(network.network_address + number)


@function("cidrnetmask")
def cidrnetmask(prefix: Any) -> str:
    network = _network(prefix, "cidrnetmask")
    if network.version != 4:
        raise EvalError("cidrnetmask(): only IPv4 prefixes have a netmask")
    return str(network.netmask)
