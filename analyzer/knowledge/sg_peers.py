"""The node-group pairs of a cluster to judge for node-to-node traffic, each pair shape once.

Whether every node group of a cluster reaches every other is n x n flows, each a walk over
both sides' rules. Most peers of a node look the same to it: what a flow's verdict depends
on is the peer's addresses, which of the groups the node's rules name the peer carries, and
the peer's own egress rules (with the groups they name). ``PeerShapes`` gives each peer that
shape once per model, and ``ClusterPeers`` groups a cluster's peers by it once per cluster,
so a node is shown one peer per shape (the first in the cluster's order) and the pairs
judged grow with the shapes, not with the square of the node groups. A peer whose shape is
not known (its groups, or a group's rules, unresolved) is always shown. The verdict of a
shape is that of its first peer: the first failure and the first doubt in the cluster's
order are those of the full walk.
"""

from __future__ import annotations

import weakref
from typing import Any

from analyzer.knowledge.ami import EKSCTL
from analyzer.knowledge.security_groups import EGRESS, INGRESS, Endpoint, SgRule, floating_rules, node_endpoint
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown


class PeerShapes:
    """Per model: each node's endpoint and egress-rule shape, computed once."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._endpoints: dict[int, tuple[Any, Endpoint]] = {}
        self._egress: dict[int, tuple | None] = {}
        self._clusters: dict[int, ClusterPeers] = {}

    def endpoint(self, node: Resource, groups: Any) -> Endpoint:
        """``node_endpoint(model, node, groups)``, reused while ``groups`` is the same object."""
        cached = self._endpoints.get(id(node))
        if cached is None or cached[0] is not groups:
            cached = (groups, node_endpoint(self.model, node, groups))
            self._endpoints[id(node)] = cached
        return cached[1]

    def cluster_peers(self, cluster: Resource) -> ClusterPeers:
        """The cluster's node groups (outside eksctl) grouped by shape, computed once."""
        found = self._clusters.get(id(cluster))
        if found is None:
            found = self._clusters[id(cluster)] = ClusterPeers(self, cluster)
        return found

    def egress_shape(self, node: Resource, groups: list) -> tuple | None:
        """What the egress side of a flow from ``node`` depends on, or None (never reused)
        when a group of the node is not known."""
        if id(node) not in self._egress:
            self._egress[id(node)] = _rules_shape(self.model, groups, EGRESS)
        return self._egress[id(node)]


class ClusterPeers:
    """A cluster's node groups (outside eksctl, in the cluster's order) and their shapes.

    ``hot`` holds every group that the ingress rules of a node group of the cluster name:
    only those can tell peers apart for any node, so peers are grouped by the hot groups
    they carry and the rest of their shape. A node sees a class through the groups its own
    rules name (a subset of ``hot``); classes it sees alike are judged once."""

    def __init__(self, shapes: PeerShapes, cluster: Resource) -> None:
        model = shapes.model
        self.members: list[Resource] = [n for n in model.attr(cluster, "node_groups") or [] if n.framework != EKSCTL]
        self.position = {id(n): index for index, n in enumerate(self.members)}
        hot: set[int] = set()
        for node in model.attr(cluster, "node_groups") or []:
            groups = model.attr(node, "node_security_groups")
            named = named_groups(model, groups, INGRESS) if isinstance(groups, list) else None
            hot |= named or set()
        self.hot = frozenset(hot)
        rests: dict[tuple, int] = {}
        classes: dict[tuple, list[int]] = {}
        self.individual: list[int] = []  # peers whose shape is not known
        self.key_of: dict[int, tuple | None] = {}  # position -> (hot groups carried, rest)
        for index, peer in enumerate(self.members):
            groups = model.attr(peer, "node_security_groups")
            key = None
            if not isinstance(groups, Unknown):
                endpoint = shapes.endpoint(peer, groups)
                egress = shapes.egress_shape(peer, groups)
                reported = model.attr(peer, "https_egress_blocked") is True
                if egress is not None and all(isinstance(g, Resource) for g in endpoint.groups):
                    addresses = (
                        tuple(endpoint.subnet_cidrs),
                        endpoint.subnets_complete,
                        endpoint.vpc_cidr,
                        endpoint.ipv6,
                    )
                    rest = rests.setdefault((addresses, endpoint.internet, egress, reported), len(rests))
                    key = (frozenset(id(g) for g in endpoint.groups if id(g) in self.hot), rest)
            self.key_of[index] = key
            if key is None:
                self.individual.append(index)
            else:
                classes.setdefault(key, []).append(index)
        self.classes = classes
        # the classes that carry a hot group, by group; and every class by the rest of its shape
        self.by_group: dict[int, list[tuple]] = {}
        self.by_rest: dict[int, list[tuple]] = {}
        for key in classes:  # in the order of their first member
            for group in key[0]:
                self.by_group.setdefault(group, []).append(key)
            self.by_rest.setdefault(key[1], []).append(key)

    def key(self, index: int, named: frozenset[int] | None) -> tuple | None:
        """The shape of the peer at ``index`` as a node whose rules name ``named`` sees it."""
        key = self.key_of[index]
        if key is None or named is None:
            return None
        return (key[0] & named, key[1])

    def to_judge(self, node: Resource, named: frozenset[int] | None) -> list[tuple[Resource, tuple | None]]:
        """The peers of ``node`` to judge, each with its shape as ``node`` sees it (None: not
        reusable): the node itself first, then the other node groups in the cluster's order,
        one for each shape the node sees (its first), and every peer whose shape is not known."""
        own = self.position.get(id(node))
        self_key = self.key(own, named) if own is not None else None
        if named is None or not named <= self.hot:  # shapes cannot be told: every peer, judged alone
            return [(node, None)] + [(peer, None) for i, peer in enumerate(self.members) if i != own]
        seen: dict[tuple, int] = {}
        touched: set[tuple] = set()
        for group in named:
            for key in self.by_group.get(group, ()):
                touched.add(key)
        for key in touched:
            self._offer(seen, key, (key[0] & named, key[1]), own)
        for rest, keys in self.by_rest.items():
            for key in keys:
                if key not in touched and self._offer(seen, key, (frozenset(), rest), own):
                    break
        chosen = sorted(
            [(index, key) for key, index in seen.items()] + [(i, None) for i in self.individual if i != own]
        )
        return [(node, self_key)] + [(self.members[index], key) for index, key in chosen]

    def _offer(self, seen: dict[tuple, int], key: tuple, seen_as: tuple, own: int | None) -> bool:
        """Offer the first member of class ``key`` other than the node itself as the peer for
        shape ``seen_as``; True when the class has such a member."""
        first = next((i for i in self.classes[key][:2] if i != own), None)
        if first is None:
            return False
        if seen_as not in seen or first < seen[seen_as]:
            seen[seen_as] = first
        return True


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
