"""The node-group pairs EKS-SG-005 judges, without judging the same pair shape twice.

EKS-SG-005 asks, for every node group, whether each other node group of its cluster can
reach it: for n node groups that is n x n flows, each a walk over both sides' rules. Most
peers of a node look the same to it: what a flow's verdict depends on is the peer's
addresses, which of the groups the node's rules name the peer carries, and the peer's own
egress rules (with the groups they name). ``PeerShapes`` gives each peer that shape once
per model; a peer whose shape already gave a clean verdict (every flow allowed, no doubt)
to this node gives the same clean verdict again and is not walked. Anything not clean (a
failure, an unknown) is always judged peer by peer, so messages and the first doubt are
exactly those of the full walk.
"""

from __future__ import annotations

import weakref
from typing import Any

from analyzer.knowledge.security_groups import EGRESS, Endpoint, SgRule, floating_rules, node_endpoint
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown


class PeerShapes:
    """Per model: each node's endpoint and egress-rule shape, computed once."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._endpoints: dict[int, tuple[Any, Endpoint]] = {}
        self._egress: dict[int, tuple | None] = {}

    def endpoint(self, node: Resource, groups: Any) -> Endpoint:
        """``node_endpoint(model, node, groups)``, reused while ``groups`` is the same object."""
        cached = self._endpoints.get(id(node))
        if cached is None or cached[0] is not groups:
            cached = (groups, node_endpoint(self.model, node, groups))
            self._endpoints[id(node)] = cached
        return cached[1]

    def egress_shape(self, node: Resource, groups: list) -> tuple | None:
        """What the egress side of a flow from ``node`` depends on, or None (never reused)
        when a group of the node is not known."""
        if id(node) not in self._egress:
            self._egress[id(node)] = _rules_shape(self.model, groups, EGRESS)
        return self._egress[id(node)]


_SHAPES: weakref.WeakKeyDictionary[Model, PeerShapes] = weakref.WeakKeyDictionary()


def shapes(model: Model) -> PeerShapes:
    found = _SHAPES.get(model)
    if found is None:
        found = _SHAPES[model] = PeerShapes(model)
    return found


def named_groups(model: Model, groups: list, direction: str) -> frozenset[int] | None:
    """The groups that ``direction`` rules of ``groups`` (and rules whose group is not known)
    name as their peer, by identity: what a peer endpoint's groups can change in a verdict.
    None when a group is not known."""
    if any(not isinstance(g, Resource) for g in groups):
        return None
    named: set[int] = set()
    for rule in _candidates(model, groups, direction):
        if rule.peer.kind == "group" and isinstance(rule.peer.value, Resource):
            named.add(id(rule.peer.value))
        elif rule.peer.kind == "self" and rule.group is not None:
            named.add(id(rule.group))
    return frozenset(named)


def peer_key(endpoint: Endpoint, named: frozenset[int] | None, egress: tuple | None, egress_reported: bool):
    """A peer's shape as seen by one node (whose rules name ``named``), or None: not reusable."""
    if named is None or egress is None or any(not isinstance(g, Resource) for g in endpoint.groups):
        return None
    carried = frozenset(id(g) for g in endpoint.groups if id(g) in named)
    addresses = (tuple(endpoint.subnet_cidrs), endpoint.subnets_complete, endpoint.vpc_cidr, endpoint.ipv6)
    return (carried, addresses, endpoint.internet, egress, egress_reported)


def _candidates(model: Model, groups: list, direction: str) -> list[SgRule]:
    rules = [r for g in groups for r in model.attr(g, "rules") if r.direction == direction]
    return rules + (floating_rules(model, direction) if groups else [])


def _rules_shape(model: Model, groups: Any, direction: str) -> tuple | None:
    if not isinstance(groups, list) or any(not isinstance(g, Resource) for g in groups):
        return None
    return (bool(groups), tuple(_rule_shape(r) for r in _candidates(model, groups, direction)))


def _rule_shape(rule: SgRule) -> tuple:
    peer = rule.peer
    if peer.kind == "group":
        value: Any = id(peer.value) if isinstance(peer.value, Resource) else "?"
    elif peer.kind == "self":
        value = id(rule.group) if rule.group is not None else "?"
    else:
        value = "?" if is_unknown(peer.value) or peer.kind == "prefix_list" else str(peer.value)
    return (
        "?" if isinstance(rule.protocol, Unknown) else rule.protocol,
        rule.ports if isinstance(rule.ports, tuple) else "?",
        rule.doubt is None,
        peer.kind,
        value,
        peer.foreign,
    )
