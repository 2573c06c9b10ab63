"""Facts about clusters: compute EKS manages itself, add-ons,
versions, and the launch-template settings EKS refuses for managed node groups."""

from __future__ import annotations

from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.ami import k8s_version_text
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import Ref, Unknown, is_unknown

AUTO_MODE = "EKS Auto Mode"
FARGATE_ONLY = "only Fargate profiles"
DEFAULT_ADDONS = ("vpc-cni", "kube-proxy")
NODE_ENTRY_TYPES = ("EC2_LINUX", "EC2_WINDOWS")


# -- out-of-scope compute -----------------------------------------------------------------------
@fact(kinds.CLUSTER, "out_of_scope")
def cluster_out_of_scope(model: Model, cluster: Resource) -> Any:
    """Why EKS, not the analyzed files, provisions this cluster's compute ("EKS Auto Mode",
    "only Fargate profiles"), or False. Node rules do not apply to such compute; network
    rules still apply to the subnets it uses."""
    auto = cluster.get("auto_mode")
    if auto is True:
        return AUTO_MODE
    if is_unknown(auto):
        return Unknown(f"whether {cluster.address} uses EKS Auto Mode is not known")
    profiles = [p for p in model.of_kind(kinds.FARGATE) if model.attr(p, "cluster") is cluster]
    if not profiles:
        return False
    for node in model.of_kind(*kinds.NODE_KINDS):
        owner = model.attr(node, "cluster")
        if owner is cluster or isinstance(owner, Unknown):
            return False  # EC2 nodes (or nodes that may belong here) next to Fargate
    if _ec2_entries_without_nodes(model, cluster):
        return False  # e.g. Karpenter: EC2 node roles with access entries, nodes outside IaC
    return FARGATE_ONLY


@fact(kinds.CLUSTER, "declares_nodes")
def cluster_declares_nodes(model: Model, cluster: Resource) -> bool:
    """True when managed node groups or self-managed nodes of the analyzed files join this
    cluster (an Auto Mode cluster may have them too; they need the default add-ons)."""
    return any(model.attr(node, "cluster") is cluster for node in model.of_kind(*kinds.NODE_KINDS))


def _ec2_entries_without_nodes(model: Model, cluster: Resource) -> bool:
    for entry in model.of_kind(kinds.ACCESS_ENTRY):
        kind = entry.get("type")
        if model.attr(entry, "cluster") is cluster and isinstance(kind, str) and kind.upper() in NODE_ENTRY_TYPES:
            return True
    return False


@fact(kinds.NODEGROUP, "out_of_scope")
@fact(kinds.SELF_MANAGED, "out_of_scope")
def node_out_of_scope(model: Model, node: Resource) -> Any:
    """Why a node is compute EKS manages (then node rules skip it), or False.

    Auto Mode node pools, Fargate and Karpenter-launched instances are not resources of the
    analyzed files, so a node group or self-managed node declared there is always in scope,
    Auto Mode cluster or not; the fact exists so node rules can say so uniformly."""
    return False


# -- add-ons ------------------------------------------------------------------------------------
@predicate("cluster.missing_addons")
def missing_addons(model: Model, cluster: Any, names: list[str] | None = None) -> Any:
    """Which of the add-ons ``names`` (default: EKS's default vpc-cni and kube-proxy) no
    ``aws_eks_addon``/``AWS::EKS::Addon`` (or eksctl ``addons``) of the cluster installs;
    Unknown when an add-on's cluster or name is not known."""
    if not isinstance(cluster, Resource):
        return []
    wanted = list(names or DEFAULT_ADDONS)
    holes: list[Unknown] = []
    for addon in model.of_kind(kinds.ADDON):
        owner = model.attr(addon, "cluster")
        name = addon.get("name")
        ours = isinstance(owner, Resource) and (owner is cluster or owner.key == cluster.key)
        if not ours and not isinstance(owner, Unknown):
            continue
        if not isinstance(name, str):
            holes.append(Unknown(f"the add-on name of {addon.address} is not known"))
        elif name in wanted and ours:
            wanted.remove(name)
        elif name in wanted:
            holes.append(Unknown(f"the cluster of {addon.address} is not known"))
    if wanted and holes:
        return holes[0]
    return wanted


# -- versions -----------------------------------------------------------------------------------
def parse_version(value: Any) -> tuple[int, int] | None:
    text = k8s_version_text(value)
    if not isinstance(text, str):
        return None
    parts = text.strip().split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1])


@predicate("cluster.version_before")
def version_before(model: Model, version: Any, bound: str) -> Any:
    """True when a Kubernetes version is older than ``bound`` ("1.26"); Unknown if not known."""
    if isinstance(version, Unknown):
        return version
    if version is None:
        return False  # EKS creates its current default version, newer than any bound a rule asks about
    parsed, limit = parse_version(version), parse_version(bound)
    if parsed is None or limit is None:
        return Unknown(f"Kubernetes version {version!r} is not known")
    return parsed < limit


# -- managed node group launch templates ------------------------------------------------------
# Launch template settings the managed node group API refuses (launch-templates.adoc,
# "Launch template – Prohibited"), as canonical fields in the order a fix reads them.
PROHIBITED_TEMPLATE_FIELDS = (
    ("instance_profile", "an IAM instance profile"),
    ("network_interfaces", "a subnet in a network interface"),
    ("shutdown_behavior", "an instance-initiated shutdown behavior"),
    ("hibernation", "hibernation (stop-hibernate behavior)"),
)


@predicate("cluster.prohibited_template_settings")
def prohibited_template_settings(model: Model, template: Any) -> Any:
    """{fields, first, text} for the settings of a managed node group's launch template
    that EKS refuses; None when there are none; Unknown when one may be set."""
    if not isinstance(template, Resource):
        return None
    found: list[tuple[str, str]] = []
    holes: list[Unknown] = []
    for field, label in PROHIBITED_TEMPLATE_FIELDS:
        value = template.get(field)
        if field == "network_interfaces":
            value = _interface_subnets(value)
        if field == "hibernation" and value is False:
            continue
        if value is None or value == [] or value == "":
            continue
        if _maybe_unset(value):
            holes.append(Unknown(f"{template.address} may set {label}"))
            continue
        found.append((field, label))
    if found:
        return {"fields": [f for f, _ in found], "first": found[0][0], "text": ", ".join(label for _, label in found)}
    return holes[0] if holes else None


def _maybe_unset(value: Any) -> bool:
    """An unknown value that may be null (a variable); a reference to a resource is set."""
    if isinstance(value, list):
        return bool(value) and all(_maybe_unset(v) for v in value)
    return isinstance(value, Unknown) and not isinstance(value, Ref)


def _interface_subnets(interfaces: Any) -> Any:
    if isinstance(interfaces, Unknown):
        return interfaces
    if isinstance(interfaces, dict):
        interfaces = [interfaces]
    if not isinstance(interfaces, list):
        return None
    subnets = []
    for interface in interfaces:
        if isinstance(interface, Unknown):
            subnets.append(interface)
        elif isinstance(interface, dict):
            subnet = interface.get("subnet_id", interface.get("SubnetId"))
            if subnet is not None and subnet != "":
                subnets.append(subnet)
    return subnets
