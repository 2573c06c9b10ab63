"""CIDR blocks as networks, parsed once per distinct text: the same few blocks are asked about
for every node, rule and flow, and an ``ip_network`` is immutable."""

from __future__ import annotations

import functools
import ipaddress
from typing import Any


def network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network ``value`` writes (host bits allowed), or None when it is no CIDR block."""
    return _parsed(str(value))


@functools.lru_cache(maxsize=8192)
def _parsed(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
