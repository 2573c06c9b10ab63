"""Network ACLs: which ACL a subnet uses, and whether it lets a flow through.

NACLs are stateless and per subnet: each direction is judged on its own, rules in ascending
rule-number order, the first rule that matches decides, and what no rule matches is denied.
A subnet not associated with an ACL uses its VPC's default ACL, which allows everything (AWS's
rule 100 in each direction) unless Terraform adopts it with ``aws_default_network_acl``,
which removes its rules and keeps only the declared ones. Traffic inside one subnet never
crosses an ACL, and ACLs never filter the Amazon DNS resolver, IMDS or time sync.

A flow is judged against a destination (or source) CIDR and a port range:
* "allowed"  every address and port of the flow is allowed;
* "denied"   none is;
* "partial"  some are (an ACL that allows only part of the range, or denies part of it);
* Unknown    a rule that could decide has values that are not known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge import cidrs, routing
from analyzer.knowledge.index import attribute, referrers
from analyzer.knowledge.routing import either, scope_of, unambiguous, unresolved_modules
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import Ref, Unknown, is_unknown

ALLOWED, DENIED, PARTIAL = "allowed", "denied", "partial"
INTERNET = "0.0.0.0/0"
ALL_PROTOCOLS = ("-1", "all")
TCP = ("6", "tcp")
DEFAULT_ACL_ATTRIBUTES = ("default_network_acl_id", "DefaultNetworkAcl")
AWS_ALLOW_ALL_NUMBER = 100  # the rule number of the default ACL's allow-all entries


@dataclass
class AclView:
    """The network ACL in effect for a subnet."""

    vpc: Any
    acl: Resource | None  # None: the VPC's default ACL, not declared in the files
    rules: list[Resource] = field(default_factory=list)
    aws_allow_all: bool = False  # AWS's own allow-all rules are still there

    @property
    def address(self) -> str:
        if self.acl is not None:
            return self.acl.address
        vpc = self.vpc.address if isinstance(self.vpc, Resource) else "the VPC"
        return f"the default network ACL of {vpc}"

    def __str__(self) -> str:
        return self.address


# -- which ACL -------------------------------------------------------------------------------------
def _default_acl_vpc(model: Model, value: Any) -> Resource | None:
    """``aws_vpc.x.default_network_acl_id`` / ``!GetAtt VPC.DefaultNetworkAcl``."""
    if isinstance(value, Ref) and value.attribute in DEFAULT_ACL_ATTRIBUTES:
        vpc = model.follow(value, kinds.VPC)
        return vpc if isinstance(vpc, Resource) else None
    return None


def _resolve_acl(model: Model, value: Any) -> Any:
    """A declared ACL, a VPC (its default ACL), or Unknown."""
    return _default_acl_vpc(model, value) or model.follow(value, kinds.NETWORK_ACL)


@fact(kinds.NETWORK_ACL, "acl_rules")
def acl_rules(model: Model, acl: Resource) -> list[Resource]:
    rules = referrers(model, (kinds.NETWORK_ACL_RULE,), acl, _rule_acl, "acl-rule-acl")
    if acl.get("default") is True:
        vpc = model.attr(acl, "vpc")
        rules += [r for r in _rules_of_vpc_default(model, vpc) if r not in rules]
    return rules


def _rule_acl(model: Model, rule: Resource) -> Any:
    return _resolve_acl(model, rule.get("network_acl"))


def _rule_default_acl_vpc(model: Model, rule: Resource) -> Any:
    return _default_acl_vpc(model, rule.get("network_acl"))


def _rules_of_vpc_default(model: Model, vpc: Any) -> list[Resource]:
    if not isinstance(vpc, Resource):
        return []
    return referrers(model, (kinds.NETWORK_ACL_RULE,), vpc, _rule_default_acl_vpc, "acl-rule-default-vpc")


def _explicit_acl(model: Model, subnet: Resource) -> tuple[Any, Unknown | None]:
    """(the ACL the subnet is associated with, an association that might be this subnet's)."""
    maybe: Unknown | None = None
    scope = scope_of(subnet)
    for acl in model.of_kind(kinds.NETWORK_ACL):
        listed = model.attr(acl, "subnets")
        if scope_of(acl) != scope and not (isinstance(listed, list) and subnet in listed):
            continue
        if isinstance(listed, Unknown):
            maybe = either(maybe, Unknown(f"the subnets of {acl.address} are not known ({listed.reason})"))
            continue
        for item in listed or []:
            if item is subnet:
                return acl, None
            if not isinstance(item, Resource):
                maybe = either(maybe, Unknown(f"{acl.address} lists a subnet that is not resolved"))
    for association in model.of_kind(kinds.NETWORK_ACL_ASSOCIATION):
        target = model.attr(association, "subnet")
        if target is subnet:
            acl = _resolve_acl(model, association.get("network_acl"))
            if isinstance(acl, Unknown):
                return Unknown(f"the network ACL of {subnet.address} is not in the analyzed files ({acl.reason})"), None
            return acl, None
        if not isinstance(target, Resource) and scope_of(association) == scope:
            maybe = either(maybe, Unknown(f"{association.address} associates a subnet that is not resolved"))
    return None, maybe


@fact(kinds.SUBNET, "network_acl")
def subnet_network_acl(model: Model, subnet: Resource) -> Any:
    """The ACL in effect for the subnet (AclView), or Unknown."""
    vpc = model.attr(subnet, "vpc")
    if subnet.framework == "eksctl":  # eksctl creates no network ACLs
        return AclView(vpc, None, [], aws_allow_all=True)
    acl, maybe = _explicit_acl(model, subnet)
    acl = unambiguous(model, acl)
    if isinstance(acl, Unknown):
        return acl
    if isinstance(acl, Resource) and acl.kind == kinds.VPC:
        vpc, acl = acl, None
    if isinstance(acl, Resource):
        return AclView(model.attr(acl, "vpc"), acl, model.attr(acl, "acl_rules"))
    maybe = either(
        maybe, unresolved_modules(model, scope_of(subnet), "network ACL associations", model.attr(subnet, "vpc"))
    )
    if maybe is not None:
        return maybe
    adopted = (
        next(
            (a for a in model.of_kind(kinds.NETWORK_ACL) if a.get("default") is True and model.attr(a, "vpc") is vpc),
            None,
        )
        if isinstance(vpc, Resource)
        else None
    )
    if adopted is not None:
        return AclView(vpc, adopted, model.attr(adopted, "acl_rules"))
    # The VPC's default ACL as AWS made it (also assumed for VPCs outside the analyzed files).
    return AclView(vpc, None, _rules_of_vpc_default(model, vpc), aws_allow_all=True)


# -- judging a flow --------------------------------------------------------------------------------
def _network(value: Any) -> Any:
    return cidrs.network(value)


def _overlap(rule_range: tuple[int, int], wanted: tuple[int, int]) -> str:
    low, high = rule_range
    if low <= wanted[0] and high >= wanted[1]:
        return "all"
    if high < wanted[0] or low > wanted[1]:
        return "none"
    return "some"


def _cidr_relation(rule_cidr: Any, wanted: Any) -> Any:
    if rule_cidr is None:
        return "none"  # an IPv6 rule, for an IPv4 flow
    if is_unknown(rule_cidr):
        return Unknown("a rule's CIDR block is not known")
    rule, flow = _network(rule_cidr), _network(wanted)
    if rule is None or flow is None or rule.version != flow.version:
        return "none"
    if flow.subnet_of(rule):
        return "all"
    return "some" if rule.overlaps(flow) else "none"


def _port_relation(rule: Resource, ports: tuple[int, int]) -> Any:
    protocol = rule.get("protocol")
    if is_unknown(protocol):
        return Unknown(f"the protocol of {rule.address} is not known")
    protocol = str(protocol).lower()
    if protocol in ALL_PROTOCOLS:
        return "all"
    if protocol not in TCP:
        return "none"
    low, high = rule.get("from_port"), rule.get("to_port")
    if is_unknown(low) or is_unknown(high):
        return Unknown(f"the ports of {rule.address} are not known")
    if low is None or high is None:
        return "all"
    try:
        span = (int(low), int(high))
    except (TypeError, ValueError):  # the API refuses such an entry; what it would allow is not known
        return Unknown(f"the ports of {rule.address} are not whole numbers ({low!r} to {high!r})")
    return _overlap(span, ports)


def _relation(rule: Resource, ports: tuple[int, int], cidr: str) -> Any:
    relations = [_cidr_relation(rule.get("cidr_block"), cidr), _port_relation(rule, ports)]
    if "none" in relations:
        return "none"
    unknown = next((r for r in relations if isinstance(r, Unknown)), None)
    if unknown is not None:
        return unknown
    return "all" if relations == ["all", "all"] else "some"


def _ordered(view: AclView, egress: bool) -> Any:
    rules = [r for r in view.rules if r.get("egress") is egress or (is_unknown(r.get("egress")))]
    if any(is_unknown(r.get("rule_number")) for r in rules):
        return Unknown(f"a rule number in {view.address} is not known")
    for rule in rules:
        if _rule_number(rule) is None:  # the API refuses such an entry; where it would sort is not known
            return Unknown(f"the rule number of {rule.address} is not a whole number ({rule.get('rule_number')!r})")
    return sorted(rules, key=_rule_number)


def _rule_number(rule: Resource) -> int | None:
    """The entry's rule number (0 when not set), None when it is no whole number."""
    try:
        return int(rule.get("rule_number") or 0)
    except (TypeError, ValueError):
        return None


def judge(view: AclView, egress: bool, ports: tuple[int, int], cidr: str) -> Any:
    """ALLOWED / DENIED / PARTIAL for TCP ``ports`` to (egress) or from (ingress) ``cidr``."""
    rules = _ordered(view, egress)
    if isinstance(rules, Unknown):
        return rules
    some_allowed = some_denied = False
    for rule in rules:
        if view.aws_allow_all and (_rule_number(rule) or 0) >= AWS_ALLOW_ALL_NUMBER:
            break
        relation = _relation(rule, ports, cidr)
        if isinstance(relation, Unknown):
            return relation
        if is_unknown(rule.get("egress")):
            return Unknown(f"the direction of {rule.address} is not known")
        allow = str(rule.get("action", "")).lower() == "allow"
        if relation == "all":
            if allow:
                return PARTIAL if some_denied else ALLOWED
            return PARTIAL if some_allowed else DENIED
        if relation == "some":
            some_allowed, some_denied = some_allowed or allow, some_denied or not allow
    if view.aws_allow_all:
        return PARTIAL if some_denied else ALLOWED
    return PARTIAL if some_allowed else DENIED


# -- what nodes need -------------------------------------------------------------------------------
def _cidr(subnet: Any) -> Any:
    value = subnet.get("cidr_block") if isinstance(subnet, Resource) else None
    return value if isinstance(value, str) and _network(value) is not None else None


def _peer_cidrs(model: Model, node_subnet: Resource, peers: list[Any]) -> Any:
    """CIDRs of the subnets a node subnet talks to, leaving out itself (no ACL inside a
    subnet); the VPC CIDR when a peer's CIDR is not known."""
    cidrs: list[str] = []
    for peer in peers:
        if peer is node_subnet:
            continue
        cidr = _cidr(peer)
        if cidr is None:
            vpc = model.attr(node_subnet, "vpc")
            cidr = _cidr(vpc)
            if cidr is None:
                return Unknown(f"the CIDR block of {getattr(peer, 'address', 'a subnet')} is not known")
        if cidr not in cidrs:
            cidrs.append(cidr)
    return cidrs


def _private_peers(model: Model, subnet: Resource) -> list[Any]:
    """Where nodes of a no-internet subnet send their traffic: the subnets of the VPC's
    interface endpoints and of the cluster's control-plane network interfaces."""
    peers: list[Any] = []
    vpc = model.attr(subnet, "vpc")
    for endpoint in model.attr(vpc, "endpoints") if isinstance(vpc, Resource) else []:
        subnets = model.attr(endpoint, "all_subnets")
        peers.extend(subnets if isinstance(subnets, list) else [])
    for node in model.attr(subnet, "nodes"):
        cluster = model.attr(node, "cluster")
        if isinstance(cluster, Resource):
            subnets = model.attr(cluster, "subnets")
            peers.extend(subnets if isinstance(subnets, list) else [])
    return peers


def _control_plane_subnets(model: Model, subnet: Resource) -> list[Resource]:
    """The subnets of the clusters of the nodes in ``subnet`` (where the control plane's
    network interfaces are)."""
    clusters = [model.attr(n, "cluster") for n in model.attr(subnet, "nodes")]
    return [
        s
        for c in clusters
        if isinstance(c, Resource)
        for s in _listed(model.attr(c, "subnets"))
        if isinstance(s, Resource)
    ]


def _peers(model: Model, subnet: Resource, peers: str) -> Any:
    """The CIDR blocks at the other end of a flow through the subnet's ACL: ``internet`` when
    nodes in the subnet reach the internet; ``private``, what nodes without internet egress
    call there instead (interface endpoints, the control plane); ``control_plane``, the
    cluster subnets of its nodes; ``nodes``, the node subnets that reach this subnet privately."""
    reach = {e.reach for e in model.attr(subnet, "node_egress")}
    if peers == "internet":
        return [INTERNET] if routing.EGRESS in reach else []
    if peers == "private":
        return _peer_cidrs(model, subnet, _private_peers(model, subnet)) if routing.ENDPOINTS in reach else []
    if peers == "control_plane":
        return _peer_cidrs(model, subnet, _control_plane_subnets(model, subnet))
    if peers == "nodes":
        return _peer_cidrs(model, subnet, model.attr(subnet, "private_node_peers"))
    raise ValueError(f"unknown peers {peers!r}")


def _ports_text(ports: tuple[int, int]) -> str:
    return str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"


@predicate("nacl.peer_flows")
def peer_flows(model: Model, subnet: Any, flows: list[dict]) -> Any:
    """The flows of ``flows`` through the subnet's ACL, one per CIDR block of their ``peers``
    (see ``_peers``), in order: each flow's fields, with ``cidr`` and ``port_range`` (its ports
    as text). An Unknown when the CIDR blocks of some peers are not known, unless that flow says
    ``unknown_peers: skip``."""
    if not isinstance(subnet, Resource):
        return []
    found: list[dict] = []
    for flow in flows:
        cidrs = _peers(model, subnet, flow["peers"])
        if isinstance(cidrs, Unknown):
            if flow.get("unknown_peers") == "skip":
                continue
            return cidrs
        low, high = flow["ports"]
        found += [dict(flow, cidr=cidr, port_range=_ports_text((low, high))) for cidr in cidrs]
    return found


@fact(kinds.SUBNET, "private_node_peers")
def private_node_peers(model: Model, subnet: Resource) -> list[Resource]:
    """Node subnets that reach this subnet privately: through the cluster's private endpoint
    (control-plane ENIs live in the cluster subnets) or through interface endpoints in it."""
    peers: list[Resource] = []
    for cluster in referrers(model, (kinds.CLUSTER,), subnet, attribute("subnets"), "cluster-subnets"):
        if cluster.get("endpoint_private_access") is not True:
            continue
        for node in model.attr(cluster, "node_groups"):
            peers += [s for s in model.attr(node, "resolved_subnets") if s not in peers]
    vpc = model.attr(subnet, "vpc")
    if isinstance(vpc, Resource):
        for endpoint in model.attr(vpc, "endpoints"):
            subnets = model.attr(endpoint, "all_subnets")
            if isinstance(subnets, list) and subnet in subnets:
                for egress in model.attr(vpc, "endpoint_node_subnets"):
                    if egress.subnet not in peers:
                        peers.append(egress.subnet)
    return peers


@predicate("nacl.lets_through")
def lets_through(model: Model, acl: Any, direction: str, ports: Any, cidr: str) -> Any:
    """How the ACL (a network ACL, or the ACL in effect for a subnet) treats TCP ``ports``
    (a port or [from, to]) to (``outbound``) or from (``inbound``) ``cidr``: "allowed",
    "denied", "partial", or Unknown when a rule that could decide is not known."""
    if isinstance(acl, Resource) and acl.kind == kinds.NETWORK_ACL:
        view = AclView(model.attr(acl, "vpc"), acl, model.attr(acl, "acl_rules"))
    elif isinstance(acl, Resource) and acl.kind == kinds.SUBNET:
        view = model.attr(acl, "network_acl")
    else:
        view = acl
    if isinstance(view, Unknown):
        return view
    low, high = (ports, ports) if isinstance(ports, int) else ports
    return judge(view, direction == "outbound", (int(low), int(high)), cidr)


@fact(kinds.NETWORK_ACL, "node_subnets")
def acl_node_subnets(model: Model, acl: Resource) -> list[Resource]:
    """Node subnets (with internet egress) that use this ACL."""
    return referrers(model, (kinds.SUBNET,), acl, _node_subnet_acl, "node-subnet-acl")


def _node_subnet_acl(model: Model, subnet: Resource) -> Any:
    """The ACL a node subnet uses, when it is declared (None for other subnets)."""
    if not model.attr(subnet, "nodes"):
        return None
    view = model.attr(subnet, "network_acl")
    return view.acl if isinstance(view, AclView) else None


def _listed(value: Any) -> list[Any]:
    """The items of a list; none for a value that is not one (Unknown: not known which)."""
    return list(value) if isinstance(value, (list, tuple)) else []
