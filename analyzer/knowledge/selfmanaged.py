"""Which Auto Scaling groups and instances are EKS nodes (node class SELF).

An ASG or instance is a self-managed node when its tags or its user data tie it to an
EKS cluster; a bastion host or any other ASG is not, and no node rule may judge it.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Encoded, PartialStr

CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/"
_EKS_BOOTSTRAP_MARKERS = (
    "/etc/eks/bootstrap.sh",
    "node.eks.aws",
    "Start-EKSBootstrap",
    "settings.kubernetes",
    "nodeadm",
)


def user_data_text(value: Any) -> str:
    """Best-effort text of user data, for recognising EKS bootstrap content."""
    if isinstance(value, Encoded):
        return user_data_text(value.inner)
    if isinstance(value, PartialStr):
        return value.text()
    if not isinstance(value, str):
        return ""
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
        return decoded
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return value


def _cluster_from_tags(tags: Any) -> str | None:
    if not isinstance(tags, dict):
        return None
    for key in tags:
        if isinstance(key, str) and key.startswith(CLUSTER_TAG_PREFIX):
            return key[len(CLUSTER_TAG_PREFIX) :]
    return None


def _user_data(model: Model, node: Resource) -> Any:
    if node.get("user_data") is not None:
        return node.get("user_data")
    template = model.attr(node, "launch_template")
    return template.get("user_data") if isinstance(template, Resource) else None


def bootstrap_cluster_name(user_data: Any) -> str | None:
    """The cluster a node's bootstrap configuration names, when it is written literally."""
    from analyzer.userdata import decode_user_data

    return decode_user_data(user_data).literal_cluster_name()


def is_eks_node(model: Model, node: Resource) -> bool:
    if _cluster_from_tags(node.get("tags")):
        return True
    text = user_data_text(_user_data(model, node))
    return any(marker in text for marker in _EKS_BOOTSTRAP_MARKERS)


def classify_node_candidates(model: Model) -> Model:
    """Drop ASGs/instances that are not EKS nodes; link the rest to their cluster by tag."""
    kept = []
    for resource in model.resources:
        if resource.kind == kinds.SELF_MANAGED and resource.get("node_candidate"):
            if not is_eks_node(model, resource):
                continue
            cluster_name = _cluster_from_tags(resource.get("tags")) or bootstrap_cluster_name(
                _user_data(model, resource)
            )
            if resource.get("cluster") is None and cluster_name:
                resource.set("cluster", cluster_name, resource.location)
        kept.append(resource)
    return Model(kept, model.diagnostics)
