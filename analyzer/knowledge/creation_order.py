"""Which of two resources a deployment creates first, and when aws-node gets its own role
(before or after the first nodes start).

Each format records what it creates before a resource starts (``Resource.creation``):
Terraform from references and ``depends_on``, CloudFormation from ``DependsOn``, ``Ref``,
``Fn::GetAtt`` and ``Fn::Sub``, eksctl from its fixed task order. Two resources neither of
which waits for the other are created concurrently: nothing says which is first.
"""

from __future__ import annotations

import re
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.cni_identity import AWS_NODE_SUBJECT
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown

BEFORE = "before"  # the second resource waits for the first
AFTER = "after"  # the first resource waits for the second
# the second waits behind a time_sleep the first does not wait for: the first starts that
# much earlier (terraform-aws-eks before_compute add-ons and its dataplane_wait_duration)
HEAD_START = "head start"
CONCURRENT = "concurrent"  # neither waits for the other
_ORDER_PREFERENCE = (BEFORE, HEAD_START, CONCURRENT, AFTER)


def creation_order(first: Resource, then: Resource) -> Any:
    """Where ``first`` is created relative to ``then``: BEFORE, AFTER, HEAD_START,
    CONCURRENT, or Unknown when a format does not tell."""
    for resource in (first, then):
        if resource.creation is None:
            return Unknown(f"the creation order of {resource.address} is not known ({_why_no_order(resource)})")
    a, b = first.creation, then.creation
    if a.scope != b.scope:
        return Unknown(f"{first.address} and {then.address} are deployed by different configurations")
    if a.key in b.after:
        return BEFORE
    if b.key in a.after:
        return AFTER
    return _head_start(a.after, b.waits)


def _head_start(first_after: frozenset[str], waits: tuple[tuple[str, Any], ...]) -> Any:
    unknown = None
    for node, duration in waits:
        if node in first_after:
            continue
        positive = _positive_duration(duration, node)
        if positive is True:
            return HEAD_START
        if isinstance(positive, Unknown):
            unknown = unknown or positive
    return unknown if unknown is not None else CONCURRENT


def _positive_duration(duration: Any, node: str) -> Any:
    """Whether a Go duration ("30s", "1m30s") is longer than zero."""
    if is_unknown(duration):
        reason = getattr(duration, "reason", "")
        return Unknown(f"the create_duration of {node.rpartition('#')[2]} is not known ({reason})")
    if not isinstance(duration, str):
        return False
    return re.search(r"[1-9]", duration) is not None


def _why_no_order(resource: Resource) -> str:
    if resource.framework == "terraform":
        return "eksjoin reads the creation order from Terraform files, not from plan JSON"
    return f"{resource.framework} resources are not ordered"


def cni_binding_resources(model: Model, cluster: Resource) -> list[tuple[str, Resource]]:
    """(mechanism, resource) for each resource that gives kube-system/aws-node a role of its
    own: the vpc-cni add-on with ``service_account_role_arn`` or a Pod Identity association
    for aws-node, and each Pod Identity association for kube-system/aws-node."""
    found: list[tuple[str, Resource]] = []
    for addon in model.of_kind(kinds.ADDON):
        if model.attr(addon, "cluster") is not cluster or addon.get("name") != "vpc-cni":
            continue
        if addon.get("service_account_role") is not None:
            found.append(("IRSA", addon))
        associations = addon.get("pod_identity_associations") or []
        if any(isinstance(a, dict) and a.get("service_account") == "aws-node" for a in associations):
            found.append(("Pod Identity", addon))
    for association in model.of_kind(kinds.POD_IDENTITY):
        if model.attr(association, "cluster") is not cluster:
            continue
        if association.get("namespace") in ("kube-system", None) and association.get("service_account") == "aws-node":
            found.append(("Pod Identity", association))
    return found


@predicate("eks.cni_binding_order")
def cni_binding_order(model: Model, node: Any) -> Any:
    """None when nothing gives aws-node a role of its own in ``node``'s cluster; otherwise
    {order, binding, mechanism} for the binding created earliest relative to ``node``
    (order: before, head start, concurrent, after, or an Unknown when it cannot be told)."""
    if not isinstance(node, Resource):
        return None
    cluster = model.attr(node, "cluster")
    if not isinstance(cluster, Resource):
        return None
    if cluster.get("cni_service_account_identity") is True:
        # eksctl creates the vpc-cni add-on with its role, and the aws-node role of
        # iam.withOIDC, among the tasks that run before any node group
        # (pkg/actions/addon/tasks.go, pkg/eks/tasks.go CreateExtraClusterConfigTasks)
        return {"order": BEFORE, "binding": f"eksctl's role for {AWS_NODE_SUBJECT}", "mechanism": "eksctl"}
    best, unknown = None, None
    for mechanism, binding in cni_binding_resources(model, cluster):
        candidate = {"order": creation_order(binding, node), "binding": binding.address, "mechanism": mechanism}
        if isinstance(candidate["order"], Unknown):
            unknown = unknown or candidate
        elif best is None or _ORDER_PREFERENCE.index(candidate["order"]) < _ORDER_PREFERENCE.index(best["order"]):
            best = candidate
    if best is not None and (best["order"] in (BEFORE, HEAD_START) or unknown is None):
        return best
    return unknown if unknown is not None else best
