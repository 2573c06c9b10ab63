"""Security groups: which groups carry which rules, which groups each
node and the control plane carry, and whether a flow between them is allowed.

* Every group's rules form one normalized list (``SgRule``): its inline rules (Terraform
  ``ingress``/``egress`` blocks, CloudFormation ``SecurityGroupIngress``/``SecurityGroupEgress``)
  and the standalone rule resources attached to it, with each tool's defaults: a Terraform
  ``aws_security_group`` has no egress unless declared (the provider removes AWS's allow-all),
  a CloudFormation group without ``SecurityGroupEgress`` keeps the allow-all egress.
* The EKS cluster security group is created by EKS, so no resource declares it: it is a
  synthetic group per cluster with EKS's rules (all inbound from itself, all outbound), plus the
  rules users attach to ``vpc_config[0].cluster_security_group_id`` / ``ClusterSecurityGroupId``.
* A flow is allowed when some group on the source allows it out and some group on the
  destination allows it in (groups are stateful, so returns need nothing).

Flows are three-valued: True, False, or an Unknown naming what could not be resolved (a group
from a variable, a rule whose group is not known, a CIDR computed at apply time). A group or
rule the analyzer cannot see can only make a flow Unknown, never denied.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from analyzer.knowledge import cidrs
from analyzer.knowledge.ami import EKSCTL
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import TOOL_DEFAULT, Resource
from analyzer.values import PartialStr, Ref, Unknown, describe, is_unknown

INGRESS, EGRESS = "ingress", "egress"
ALL = "all"  # every protocol (-1)
ALL_PORTS = (0, 65535)
_PROTOCOLS = {
    "-1": ALL,
    "all": ALL,
    "tcp": "tcp",
    "6": "tcp",
    "udp": "udp",
    "17": "udp",
    "icmp": "icmp",
    "1": "icmp",
    "icmpv6": "icmpv6",
    "58": "icmpv6",
}
# How a reference to the EKS-created cluster security group reads in each format.
_CLUSTER_SG_ATTRIBUTES = ("cluster_security_group_id", "ClusterSecurityGroupId")


# -- the normalized rule --------------------------------------------------------------------------
@dataclass(frozen=True)
class Peer:
    """The other side of a rule: ``cidr``, ``ipv6``, ``prefix_list``, ``group`` or ``self``.

    For ``group`` the value is the group (a Resource) or an Unknown; ``foreign`` marks a
    reference to a resource that is certainly not one of the analyzed groups."""

    kind: str
    value: Any = None
    foreign: bool = False


@dataclass(frozen=True, eq=False)
class SgRule:
    group: Resource | None  # the group the rule is on; None when that is not known
    direction: str
    protocol: Any  # ALL, "tcp", "udp", another protocol name/number, or an Unknown
    ports: Any  # (low, high) inclusive, or an Unknown
    peer: Peer
    origin: Resource  # the resource that declares it (the group, or a standalone rule)
    doubt: str | None = None  # why the rule may not apply (it may not exist, its group is unknown)


def _protocol(value: Any) -> Any:
    if is_unknown(value):
        return value if isinstance(value, Unknown) else Unknown(f"protocol {value} is not known")
    if value is None:
        return ALL
    text = str(value).strip().lower()
    return _PROTOCOLS.get(text, text)


def _ports(protocol: Any, low: Any, high: Any) -> Any:
    if protocol == ALL:
        return ALL_PORTS
    for value in (low, high):
        if is_unknown(value):
            return value if isinstance(value, Unknown) else Unknown("the port range is not known")
    try:
        low_port = 0 if low in (None, -1, "-1") else int(low)
        high_port = 65535 if high in (None, -1, "-1") else int(high)
    except (TypeError, ValueError):
        return Unknown(f"port range {low}-{high} is not a number")
    return (low_port, high_port)


def _items(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


# Inline rule spellings -> canonical names (the standalone rules are canonical already).
_TERRAFORM_INLINE = {
    "protocol": "protocol",
    "from_port": "from_port",
    "to_port": "to_port",
    "cidrs": ("cidr_blocks",),
    "ipv6_cidrs": ("ipv6_cidr_blocks",),
    "prefix_lists": ("prefix_list_ids",),
    "groups": ("security_groups",),
    "self": "self",
}
_CLOUDFORMATION_INLINE = {
    "protocol": "IpProtocol",
    "from_port": "FromPort",
    "to_port": "ToPort",
    "cidrs": ("CidrIp",),
    "ipv6_cidrs": ("CidrIpv6",),
    "prefix_lists": ("SourcePrefixListId", "DestinationPrefixListId"),
    "groups": ("SourceSecurityGroupId", "DestinationSecurityGroupId", "SourceSecurityGroupName"),
    "self": None,
}


def _canonical_inline(entry: dict, framework: str) -> dict:
    names = _CLOUDFORMATION_INLINE if framework == "cloudformation" else _TERRAFORM_INLINE
    spec: dict[str, Any] = {}
    for name, source in names.items():
        if source is None:
            continue
        if isinstance(source, tuple):
            spec[name] = [item for key in source for item in _items(entry.get(key))]
        else:
            spec[name] = entry.get(source)
    return spec


def _standalone_spec(rule: Resource) -> dict:
    return {
        "protocol": rule.get("protocol"),
        "from_port": rule.get("from_port"),
        "to_port": rule.get("to_port"),
        "cidrs": _items(rule.get("cidrs")),
        "ipv6_cidrs": _items(rule.get("ipv6_cidrs")),
        "prefix_lists": _items(rule.get("prefix_lists")),
        "groups": _items(rule.get("source_security_group")),
        "self": rule.get("self"),
    }


def _rules_from_spec(
    model: Model, spec: dict, group: Resource | None, direction: str, origin: Resource, doubt: str | None = None
) -> list[SgRule]:
    protocol = _protocol(spec.get("protocol"))
    ports = _ports(protocol, spec.get("from_port"), spec.get("to_port"))
    peers = [Peer("cidr", c) for c in _items(spec.get("cidrs"))]
    peers += [Peer("ipv6", c) for c in _items(spec.get("ipv6_cidrs"))]
    peers += [Peer("prefix_list", p) for p in _items(spec.get("prefix_lists"))]
    peers += [_group_peer(model, g) for g in _items(spec.get("groups"))]
    flag = spec.get("self")
    if flag is True or (isinstance(flag, str) and flag.lower() == "true"):
        peers.append(Peer("self"))
    elif is_unknown(flag):
        peers.append(Peer("self"))
        doubt = doubt or "whether the rule applies to its own group is not known"
    return [SgRule(group, direction, protocol, ports, peer, origin, doubt) for peer in peers]


def _unknown_rule(group: Resource, direction: str, value: Any) -> SgRule:
    reason = value.reason if isinstance(value, Unknown) else "the rules are not known"
    return SgRule(
        group,
        direction,
        Unknown(reason),
        Unknown(reason),
        Peer("unknown", reason),
        group,
        f"the {direction} rules of {group.address} are not known ({reason})",
    )


def _group_peer(model: Model, value: Any) -> Peer:
    resolved = resolve_group(model, value)
    return Peer("group", resolved, foreign=_certainly_foreign(model, value))


def _certainly_foreign(model: Model, value: Any) -> bool:
    """A reference to a resource that is not in the analyzed files cannot name an analyzed
    group. A literal ID or a variable can (e.g. an existing cluster's security group ID)."""
    return isinstance(value, Ref) and model.get(value.target) is None


# -- which group a reference names ----------------------------------------------------------------
def linked(model: Model, owner: Resource, name: str) -> Any:
    """``owner.name`` followed, but Unknown where it names a resource whose address several
    analyzed configurations define (root modules side by side with the same addresses): which
    of them is meant cannot be told, and guessing would judge the wrong resource."""
    value = model.attr(owner, name)
    if isinstance(value, list):
        return [_unambiguous(model, v) for v in value]
    return _unambiguous(model, value)


def _unambiguous(model: Model, value: Any) -> Any:
    if isinstance(value, Resource) and value.key in _duplicate_keys(model):
        return Unknown(
            f"several analyzed configurations define {value.address}; which one is "
            "meant is not known (analyze each configuration on its own)"
        )
    return value


def _duplicate_keys(model: Model) -> set[str]:
    if model not in _DUPLICATES:
        seen: set[str] = set()
        _DUPLICATES[model] = {r.key for r in model.resources if r.key in seen or seen.add(r.key)}
    return _DUPLICATES[model]


_DUPLICATES: weakref.WeakKeyDictionary[Model, set[str]] = weakref.WeakKeyDictionary()


def resolve_group(model: Model, value: Any) -> Any:
    """The security group a value names: a group of the analyzed files, the synthetic EKS
    cluster security group, or an Unknown."""
    if isinstance(value, Resource):
        return value
    if isinstance(value, Ref):
        target = _unambiguous(model, model.get(value.target))
        if isinstance(target, Unknown):
            return target
        if target is not None and target.kind == kinds.CLUSTER and value.attribute.endswith(_CLUSTER_SG_ATTRIBUTES):
            return model.attr(target, "cluster_security_group")
        if target is not None and target.kind != kinds.SECURITY_GROUP:
            return Unknown(
                f"{target.address}.{value.attribute} is not a security group of the analyzed files", value.origin
            )
    found = _unambiguous(model, model.follow(value, kinds.SECURITY_GROUP))
    if isinstance(found, (Resource, Unknown)):
        return found
    if value is None or value == "":
        return Unknown("a security group of the list has no value")
    return Unknown(f"{describe(value)} does not name one security group")


def _resolve_groups(model: Model, values: Any) -> Any:
    if isinstance(values, Unknown):
        return values
    return [resolve_group(model, v) for v in _items(values)]


def is_cluster_security_group(group: Any) -> bool:
    return isinstance(group, Resource) and group.get("eks_cluster_security_group") is True


def _synthetic_cluster_group(owner: Resource, address: str) -> Resource:
    group = Resource(
        kind=kinds.SECURITY_GROUP,
        key=f"{owner.key}#cluster-security-group",
        address=address,
        framework=owner.framework,
        source_type="EKS cluster security group",
        location=owner.location,
        provenance=TOOL_DEFAULT,
        module_call=owner.module_call,
        module_call_address=owner.module_call_address,
    )
    group.set("eks_cluster_security_group", True, None, TOOL_DEFAULT)
    return group


@fact(kinds.CLUSTER, "cluster_security_group")
def cluster_security_group(model: Model, cluster: Resource) -> Resource:
    """The security group EKS creates for the cluster (one object per cluster)."""
    group = _synthetic_cluster_group(cluster, f"the cluster security group of {cluster.address}")
    group.set("cluster", cluster, None, TOOL_DEFAULT)
    return group


@fact(kinds.NODEGROUP, "unresolved_cluster_security_group")
def unresolved_cluster_security_group(model: Model, node: Resource) -> Resource:
    """The cluster security group of a managed node group whose cluster is not in the analyzed
    files: its EKS rules are known all the same."""
    return _synthetic_cluster_group(node, f"the cluster security group of {node.address}'s cluster")


# -- the rules of a group -------------------------------------------------------------------------
@fact(kinds.SECURITY_GROUP_RULE, "target_group")
def rule_target_group(model: Model, rule: Resource) -> Any:
    return resolve_group(model, rule.get("security_group"))


def _standalone_rules(model: Model) -> list[Resource]:
    return model.of_kind(kinds.SECURITY_GROUP_RULE)


def _attached_rules(model: Model, group: Resource) -> list[Resource]:
    """The rule resources whose group is ``group``, in the model's order (indexed once per model)."""
    index = _ATTACHED.get(model)
    if index is None:
        index = _ATTACHED[model] = {}
        for resource in _standalone_rules(model):
            target = model.attr(resource, "target_group")
            if isinstance(target, Resource):
                index.setdefault(id(target), []).append(resource)
    return [r for r in index.get(id(group), ()) if model.attr(r, "target_group") is group]


_ATTACHED: weakref.WeakKeyDictionary[Model, dict[int, list[Resource]]] = weakref.WeakKeyDictionary()


def _rule_direction(rule: Resource) -> Any:
    direction = rule.get("direction")
    return direction.lower() if isinstance(direction, str) else direction


@fact(kinds.SECURITY_GROUP, "rules")
def group_rules(model: Model, group: Resource) -> list[SgRule]:
    """Every rule of the group: inline, tool or EKS defaults, and attached rule resources."""
    rules: list[SgRule] = []
    if is_cluster_security_group(group):
        # EKS: all inbound from the group itself (re-created if removed), all outbound
        rules.append(SgRule(group, INGRESS, ALL, ALL_PORTS, Peer("self"), group))
        rules.append(SgRule(group, EGRESS, ALL, ALL_PORTS, Peer("cidr", "0.0.0.0/0"), group))
        rules.append(SgRule(group, EGRESS, ALL, ALL_PORTS, Peer("ipv6", "::/0"), group))
    else:
        for direction in (INGRESS, EGRESS):
            rules += _inline_rules(model, group, direction)
    doubt = f"{group.address} may not be created" if group.may_exist else None
    for resource in _attached_rules(model, group):
        direction = _rule_direction(resource)
        if direction not in (INGRESS, EGRESS):
            rules.append(_unknown_rule(group, INGRESS, direction))
            rules.append(_unknown_rule(group, EGRESS, direction))
            continue
        rule_doubt = doubt or (f"{resource.address} may not be created" if resource.may_exist else None)
        rules += _rules_from_spec(model, _standalone_spec(resource), group, direction, resource, rule_doubt)
    return rules


def _inline_rules(model: Model, group: Resource, direction: str) -> list[SgRule]:
    declared = group.get(direction)
    if declared is None and direction == EGRESS and group.framework == "cloudformation":
        # CloudFormation keeps EC2's allow-all egress unless SecurityGroupEgress is given
        return [SgRule(group, EGRESS, ALL, ALL_PORTS, Peer("cidr", "0.0.0.0/0"), group)]
    if isinstance(declared, (Unknown, PartialStr)):
        return [_unknown_rule(group, direction, declared)]
    rules: list[SgRule] = []
    for entry in _items(declared):
        if isinstance(entry, dict):
            rules += _rules_from_spec(model, _canonical_inline(entry, group.framework), group, direction, group)
        else:
            rules.append(_unknown_rule(group, direction, entry))
    return rules


@fact(kinds.SECURITY_GROUP, "declares_no_egress")
def declares_no_egress(model: Model, group: Resource) -> bool:
    """True for a group that certainly has no outbound rule at all."""
    rules = model.attr(group, "rules")
    return not any(r.direction == EGRESS for r in rules) and not floating_rules(model, EGRESS)


def floating_rules(model: Model, direction: str) -> list[SgRule]:
    """Rules whose group is not known: they may be attached to any group (a variable, a
    parameter or a literal ID can name a group created elsewhere, even by another tool)."""
    per_model = _FLOATING.setdefault(model, {})
    if direction not in per_model:
        per_model[direction] = _find_floating_rules(model, direction)
    return per_model[direction]


_FLOATING: weakref.WeakKeyDictionary[Model, dict] = weakref.WeakKeyDictionary()


def _find_floating_rules(model: Model, direction: str) -> list[SgRule]:
    found: list[SgRule] = []
    for resource in _standalone_rules(model):
        if resource.get("security_group") is None:
            continue
        target = model.attr(resource, "target_group")
        if isinstance(target, Resource) or _certainly_foreign(model, resource.get("security_group")):
            continue
        rule_direction = _rule_direction(resource)
        if rule_direction not in (direction, None) and isinstance(rule_direction, str):
            continue
        reason = target.reason if isinstance(target, Unknown) else "its group is not known"
        found += _rules_from_spec(
            model,
            _standalone_spec(resource),
            None,
            direction,
            resource,
            f"{resource.address} may be attached to it ({reason})",
        )
    return found


# -- what nodes and the control plane carry -------------------------------------------------------
@fact(kinds.NODEGROUP, "launch_template_security_groups")
@fact(kinds.SELF_MANAGED, "launch_template_security_groups")
def launch_template_security_groups(model: Model, node: Resource) -> Any:
    """The groups the node's launch template (or launch configuration) sets; None if none."""
    if node.get("launch_template") is None:
        return None
    template = linked(model, node, "launch_template")
    if not isinstance(template, Resource):
        reason = template.reason if isinstance(template, Unknown) else "not found"
        return Unknown(f"the launch template of {node.address} is not known ({reason})")
    declared = template.get("security_groups")
    if isinstance(declared, Unknown):
        return declared
    return _resolve_groups(model, declared) or None


@fact(kinds.NODEGROUP, "launch_template_replaces_cluster_sg")
@fact(kinds.SELF_MANAGED, "launch_template_replaces_cluster_sg")
def launch_template_replaces_cluster_sg(model: Model, node: Resource) -> Any:
    """True for a managed node group whose launch template sets security groups: EKS then
    attaches those instead of the cluster security group."""
    if node.kind != kinds.NODEGROUP or node.framework == EKSCTL:
        return False
    groups = model.attr(node, "launch_template_security_groups")
    if isinstance(groups, Unknown):
        return groups
    return bool(groups)


def _cluster_group_of(model: Model, node: Resource) -> Resource:
    cluster = linked(model, node, "cluster")
    if isinstance(cluster, Resource):
        return model.attr(cluster, "cluster_security_group")
    return model.attr(node, "unresolved_cluster_security_group")


@fact(kinds.NODEGROUP, "node_security_groups")
@fact(kinds.SELF_MANAGED, "node_security_groups")
def node_security_groups(model: Model, node: Resource) -> Any:
    """The groups on the node's network interface: a list of groups and Unknowns,
    or an Unknown when the set itself cannot be told."""
    if node.framework == EKSCTL:
        return _eksctl_node_groups(model, node)
    from_template = model.attr(node, "launch_template_security_groups")
    if isinstance(from_template, Unknown):
        return from_template
    if node.kind == kinds.NODEGROUP:
        return list(from_template) if from_template else [_cluster_group_of(model, node)]
    own = _resolve_groups(model, node.get("security_groups"))
    if isinstance(own, Unknown):
        return own
    groups = list(from_template or []) + own
    return groups or [_vpc_default_group(model, node)]


def _eksctl_node_groups(model: Model, node: Resource) -> Any:
    """eksctl builds managed node groups' launch templates with the cluster security group
    plus ``securityGroups.attachIDs``; self-managed ones get its own shared/local groups
    (modelled by ``eksctl_managed_groups``) plus the attached IDs."""
    settings = node.get("securityGroups")
    attached = settings.get("attachIDs") if isinstance(settings, dict) else None
    groups = _resolve_groups(model, attached or [])
    if isinstance(groups, Unknown):
        groups = [groups]
    if node.kind == kinds.NODEGROUP:
        if node.get("launchTemplate") is not None:  # the user's own template decides
            return Unknown(
                f"{node.address} uses a launch template outside the analyzed files, whose security groups are not known"
            )
        return [_cluster_group_of(model, node)] + groups
    kept = eksctl_managed_groups(node)
    if kept["shared"] or kept["local"]:
        groups.append(Unknown(f"eksctl manages the node security groups of {node.address}"))
    return groups or [
        Unknown(
            f"{node.address} disables eksctl's security groups "
            "(withShared: false, withLocal: false) and attaches none: EC2 "
            "uses the VPC's default security group"
        )
    ]


def eksctl_managed_groups(node: Resource) -> dict[str, bool]:
    """Which of eksctl's own groups a self-managed eksctl node group keeps (both by default)."""
    settings = node.get("securityGroups")
    settings = settings if isinstance(settings, dict) else {}
    return {"shared": settings.get("withShared") is not False, "local": settings.get("withLocal") is not False}


def _vpc_default_group(model: Model, node: Resource) -> Any:
    vpc = node_vpc(model, node)
    if isinstance(vpc, Resource):
        for group in model.of_kind(kinds.SECURITY_GROUP):
            if group.get("vpc_default") is True and model.attr(group, "vpc") is vpc:
                return group
    return Unknown(
        f"{node.address} sets no security groups, so EC2 attaches the VPC's default "
        "security group, whose rules are not in the analyzed files"
    )


@fact(kinds.NODEGROUP, "carries_cluster_security_group")
@fact(kinds.SELF_MANAGED, "carries_cluster_security_group")
def carries_cluster_security_group(model: Model, node: Resource) -> Any:
    groups = model.attr(node, "node_security_groups")
    if isinstance(groups, Unknown):
        return groups
    return any(is_cluster_security_group(g) for g in groups)


@fact(kinds.CLUSTER, "control_plane_security_groups")
def control_plane_security_groups(model: Model, cluster: Resource) -> Any:
    """The groups on the control-plane ENIs: the cluster security group and
    ``vpc_config.security_group_ids`` / ``ResourcesVpcConfig.SecurityGroupIds``."""
    extra = _resolve_groups(model, cluster.get("security_groups"))
    if isinstance(extra, Unknown):
        extra = [extra]
    if cluster.framework == EKSCTL:
        # eksctl adds its own control-plane group (or vpc.securityGroup), rules managed by it
        extra.append(
            Unknown(
                f"eksctl manages the control-plane security group of "
                f"{cluster.address}; its rules are not in the analyzed files"
            )
        )
    return [model.attr(cluster, "cluster_security_group")] + extra


@fact(kinds.CLUSTER, "cluster_security_group_egress_rules")
def cluster_security_group_egress_rules(model: Model, cluster: Resource) -> list[Resource]:
    """Egress rule resources the configuration attaches to the EKS cluster security group."""
    group = model.attr(cluster, "cluster_security_group")
    return (
        [r for r in _attached_rules(model, group) if _rule_direction(r) == EGRESS]
        if isinstance(group, Resource)
        else []
    )


# -- where an endpoint's addresses are ------------------------------------------------------------
@dataclass
class Endpoint:
    """One side of a flow: the groups on its interfaces and the addresses they have."""

    name: str
    groups: list = field(default_factory=list)  # Resources and Unknowns
    subnet_cidrs: list = field(default_factory=list)  # known IPv4 CIDRs of its subnets
    subnets_complete: bool = False  # every subnet's CIDR is known
    vpc_cidr: Any = None
    ipv6: bool = False
    internet: bool = False  # public AWS service endpoints, reached through NAT/IGW


def _subnet_addresses(model: Model, subnets: Any) -> tuple[list, bool, Any]:
    """(known subnet CIDRs, whether all are known, the VPC CIDR or an Unknown)."""
    cidrs: list[str] = []
    complete = isinstance(subnets, list) and bool(subnets)
    vpc_cidr: Any = Unknown("the VPC is not known")
    for subnet in subnets if isinstance(subnets, list) else []:
        cidr = subnet.get("cidr_block") if isinstance(subnet, Resource) else None
        if isinstance(cidr, str):
            cidrs.append(cidr)
        else:
            complete = False
        if isinstance(subnet, Resource) and not isinstance(vpc_cidr, str):
            vpc = linked(model, subnet, "vpc")
            if isinstance(vpc, Resource) and isinstance(vpc.get("cidr_block"), str):
                vpc_cidr = vpc.get("cidr_block")
    return cidrs, complete, vpc_cidr


def node_vpc(model: Model, node: Resource) -> Any:
    subnets = linked(model, node, "subnets")
    for subnet in subnets if isinstance(subnets, list) else []:
        if isinstance(subnet, Resource):
            vpc = linked(model, subnet, "vpc")
            if isinstance(vpc, Resource):
                return vpc
    cluster = linked(model, node, "cluster")
    if isinstance(cluster, Resource):
        return _unambiguous(model, model.attr(cluster, "vpc"))
    return Unknown(f"the VPC of {node.address} is not known")


def _ipv6(model: Model, node_or_cluster: Resource) -> bool:
    cluster = node_or_cluster if node_or_cluster.kind == kinds.CLUSTER else linked(model, node_or_cluster, "cluster")
    return isinstance(cluster, Resource) and cluster.get("ip_family") == "ipv6"


def node_endpoint(model: Model, node: Resource, groups: Any = None) -> Endpoint:
    groups = model.attr(node, "node_security_groups") if groups is None else groups
    cidrs, complete, vpc_cidr = _subnet_addresses(model, linked(model, node, "subnets"))
    if not isinstance(vpc_cidr, str):
        vpc = node_vpc(model, node)
        if isinstance(vpc, Resource) and isinstance(vpc.get("cidr_block"), str):
            vpc_cidr = vpc.get("cidr_block")
    return Endpoint(node.address, _as_group_list(groups), cidrs, complete, vpc_cidr, _ipv6(model, node))


def control_plane_endpoint(model: Model, cluster: Any) -> Endpoint:
    if not isinstance(cluster, Resource):
        reason = cluster.reason if isinstance(cluster, Unknown) else "no cluster"
        return Endpoint("the control plane", [Unknown(f"the cluster is not known ({reason})")])
    cidrs, complete, vpc_cidr = _subnet_addresses(model, linked(model, cluster, "subnets"))
    if not isinstance(vpc_cidr, str):
        vpc = _unambiguous(model, model.attr(cluster, "vpc"))
        if isinstance(vpc, Resource) and isinstance(vpc.get("cidr_block"), str):
            vpc_cidr = vpc.get("cidr_block")
    return Endpoint(
        f"the control plane of {cluster.address}",
        _as_group_list(model.attr(cluster, "control_plane_security_groups")),
        cidrs,
        complete,
        vpc_cidr,
        _ipv6(model, cluster),
    )


def _as_group_list(groups: Any) -> list:
    return [groups] if isinstance(groups, Unknown) else list(groups or [])


# -- flow evaluation ------------------------------------------------------------------------------
def both(*values: Any) -> Any:
    """Three-valued AND."""
    if any(v is False for v in values):
        return False
    return next((v for v in values if isinstance(v, Unknown)), True)


def _network(text: Any) -> Any:
    return cidrs.network(text)


def _cidr_matches(cidr: Any, endpoint: Endpoint) -> Any:
    if is_unknown(cidr):
        return Unknown(f"a rule's CIDR is not known ({getattr(cidr, 'reason', cidr)})")
    network = _network(cidr)
    if network is None or network.version != 4:
        return Unknown(f"rule CIDR {cidr} is not an IPv4 network")
    if network.prefixlen == 0:
        return True
    if endpoint.internet:
        return False if network.is_private else Unknown(f"{cidr} may hold public AWS endpoints")
    if endpoint.subnets_complete:
        covered = [_within(c, network) for c in endpoint.subnet_cidrs]
        if all(covered) or not any(covered):
            return all(covered)
        # some subnets only: which of them the interfaces land in is decided at launch
        return Unknown(f"{cidr} covers only some subnets of {endpoint.name}")
    if isinstance(endpoint.vpc_cidr, str) and _within(endpoint.vpc_cidr, network):
        return True
    return Unknown(f"the addresses of {endpoint.name} are not known")


def _within(cidr: str, network: Any) -> bool:
    inner = _network(cidr)
    return inner is not None and inner.version == network.version and inner.subnet_of(network)


def _ipv6_matches(cidr: Any, endpoint: Endpoint) -> Any:
    if not endpoint.ipv6:
        return False
    network = _network(cidr)
    if network is not None and network.prefixlen == 0:
        return True
    return Unknown(f"the IPv6 addresses of {endpoint.name} are not known")


def _carries(endpoint: Endpoint, group: Any, foreign: bool = False) -> Any:
    if isinstance(group, Resource) and any(g is group for g in endpoint.groups):
        return True
    unknown = next((g for g in endpoint.groups if isinstance(g, Unknown)), None)
    if unknown is not None:
        return Unknown(unknown.reason)
    if isinstance(group, Resource) or foreign:
        return False
    return Unknown(group.reason if isinstance(group, Unknown) else "a referenced group is not known")


def _peer_matches(rule: SgRule, endpoint: Endpoint) -> Any:
    peer = rule.peer
    if peer.kind == "cidr":
        return _cidr_matches(peer.value, endpoint)
    if peer.kind == "ipv6":
        return _ipv6_matches(peer.value, endpoint)
    if peer.kind == "group":
        return False if endpoint.internet else _carries(endpoint, peer.value, peer.foreign)
    if peer.kind == "self":
        if endpoint.internet:
            return False
        if rule.group is None:
            return Unknown(rule.doubt or "the rule's group is not known")
        return _carries(endpoint, rule.group)
    if peer.kind == "prefix_list":
        return Unknown(f"prefix list {getattr(peer.value, 'reason', peer.value)} is not resolved")
    return Unknown(str(peer.value))


def _protocol_matches(rule_protocol: Any, protocol: str) -> Any:
    if isinstance(rule_protocol, Unknown):
        return rule_protocol
    return rule_protocol in (ALL, protocol)


def _covered(spans: Iterable[tuple[int, int]], wanted: tuple[int, int]) -> bool:
    reach = wanted[0]
    for low, high in sorted(spans):
        if low > reach:
            break
        reach = max(reach, high + 1)
        if reach > wanted[1]:
            return True
    return reach > wanted[1]


def allows(model: Model, groups: list, direction: str, protocol: str, ports: tuple[int, int], peer: Endpoint) -> Any:
    """Whether some group of ``groups`` allows ``direction`` traffic on every port of
    ``ports`` with ``peer``: True, False, or an Unknown naming the first doubt."""
    candidates: list[SgRule] = []
    doubts: list[str] = []
    for group in groups:
        if isinstance(group, Resource):
            candidates += [r for r in model.attr(group, "rules") if r.direction == direction]
        else:
            doubts.append(group.reason if isinstance(group, Unknown) else "a group is not known")
    if any(isinstance(g, Resource) for g in groups):
        candidates += floating_rules(model, direction)
    return rules_allow(candidates, protocol, ports, peer, doubts)


def rules_allow(
    rules: Iterable[SgRule], protocol: str, ports: tuple[int, int], peer: Endpoint, unseen: Iterable[str] = ()
) -> Any:
    """Whether ``rules`` together allow every port of ``ports`` with ``peer``. ``unseen``
    names groups whose rules are not known: they may allow anything."""
    doubts = list(unseen)
    definite: list[tuple[int, int]] = []
    possible: list[tuple[int, int]] = [ALL_PORTS] if doubts else []
    for rule in rules:
        verdict = both(_protocol_matches(rule.protocol, protocol), _peer_matches(rule, peer))
        if verdict is False:
            continue
        span = rule.ports if isinstance(rule.ports, tuple) else ALL_PORTS
        if verdict is True and rule.doubt is None and isinstance(rule.ports, tuple):
            definite.append(span)
        else:
            possible.append(span)
            doubts.append(
                rule.doubt
                or getattr(verdict, "reason", None)
                or getattr(rule.ports, "reason", "a rule is not fully known")
            )
    if _covered(definite, ports):
        return True
    if doubts and _covered(definite + possible, ports):
        return Unknown(doubts[0])
    return False


def either(*values: Any) -> Any:
    """Three-valued OR."""
    if any(v is True for v in values):
        return True
    return next((v for v in values if isinstance(v, Unknown)), False)


# -- descriptions for messages --------------------------------------------------------------------
def describe_port(protocol: str, ports: tuple[int, int]) -> str:
    span = str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"
    return f"{protocol.upper()} {span}"


def group_names(groups: Iterable[Any]) -> str:
    names = [g.address if isinstance(g, Resource) else "(unresolved)" for g in groups]
    return ", ".join(names) or "none"


def first_declared_group(groups: Iterable[Any]) -> Resource | None:
    """The first group a user declared (not EKS's cluster group): where a fix goes."""
    return next((g for g in groups if isinstance(g, Resource) and not is_cluster_security_group(g)), None)


def no_egress_note(model: Model, groups: Iterable[Any]) -> str:
    """Says why a Terraform group has no outbound rule, a trap users rarely know about."""
    empty = [
        g
        for g in groups
        if isinstance(g, Resource)
        and g.framework == "terraform"
        and not is_cluster_security_group(g)
        and declares_no_egress(model, g)
    ]
    if not empty:
        return ""
    names = ", ".join(g.address for g in empty)
    return (
        f"; {names} declares no egress rule, and Terraform removes the allow-all egress rule "
        "AWS creates with a new group"
    )
