"""Node labels kubelet refuses to set on its own node.

kubelet (``ValidateKubeletFlags``) stops at start-up when ``--node-labels`` names a label in
the ``kubernetes.io`` or ``k8s.io`` namespaces (or their subdomains) that is neither in the
``kubelet.kubernetes.io`` / ``node.kubernetes.io`` namespaces nor one of the labels kubelet
sets itself. EKS passes a managed node group's ``labels`` to kubelet that way; user data
passes them with ``--node-labels`` (bootstrap.sh ``--kubelet-extra-args``, NodeConfig
``kubelet.flags``) or Bottlerocket's ``settings.kubernetes.node-labels``.
"""

from __future__ import annotations

import re
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown

KUBELET_LABELS = frozenset(
    {
        "kubernetes.io/hostname",
        "kubernetes.io/arch",
        "kubernetes.io/os",
        "beta.kubernetes.io/instance-type",
        "node.kubernetes.io/instance-type",
        "beta.kubernetes.io/os",
        "beta.kubernetes.io/arch",
        "failure-domain.beta.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/region",
        "topology.kubernetes.io/zone",
        "topology.kubernetes.io/region",
    }
)
KUBELET_NAMESPACES = ("kubelet.kubernetes.io", "node.kubernetes.io")
_NODE_LABELS_FLAG = re.compile(r"--node-labels[= ]['\"]?([^\s'\"\\]+)")
_BOTTLEROCKET_TABLE = re.compile(r"^\s*\[settings\.kubernetes\.node-labels\]\s*$")
_TOML_KEY = re.compile(r"^\s*\"?([^\"=\s]+)\"?\s*=")


def _in_domain(namespace: str, domain: str) -> bool:
    return namespace == domain or namespace.endswith("." + domain)


def refused(key: str) -> bool:
    """kubelet refuses to start with this label key."""
    if "/" not in key:
        return False
    namespace = key.split("/", 1)[0]
    if not (_in_domain(namespace, "kubernetes.io") or _in_domain(namespace, "k8s.io")):
        return False
    if key in KUBELET_LABELS:
        return False
    return not any(_in_domain(namespace, allowed) for allowed in KUBELET_NAMESPACES)


def _from_user_data(user_data: Any) -> list[str]:
    keys: list[str] = []
    for part in getattr(user_data, "parts", None) or []:
        in_labels_table = False
        for line in part.text.splitlines():
            for match in _NODE_LABELS_FLAG.finditer(line):
                keys += [pair.split("=", 1)[0] for pair in match.group(1).split(",") if pair]
            if line.strip().startswith("["):
                in_labels_table = bool(_BOTTLEROCKET_TABLE.match(line))
                continue
            key = _TOML_KEY.match(line) if in_labels_table else None
            if key:
                keys.append(key.group(1))
    return keys


def _eksctl_applies(node: Resource, key: str) -> bool:
    """eksctl accepts node-role.kubernetes.io labels in its node groups (its validation lists
    that namespace as allowed) rather than passing them to kubelet as written."""
    return node.framework == "eksctl" and _in_domain(key.split("/", 1)[0], "node-role.kubernetes.io")


@predicate("labels.refused")
def refused_by_kubelet(model: Model, key: Any) -> bool:
    """kubelet refuses to start with the label ``key`` in --node-labels."""
    return isinstance(key, str) and refused(key)


@predicate("labels.kubelet_labels")
def kubelet_labels(model: Model, node: Any) -> Any:
    """The label keys a node gives kubelet, sorted: ``labels`` from the node group's labels
    (an Unknown when they cannot be read; eksctl applies node-role.kubernetes.io labels
    itself instead), and ``user_data`` from --node-labels in its user data or Bottlerocket's
    settings.kubernetes.node-labels."""
    if not isinstance(node, Resource):
        return None
    labels = node.get("labels")
    keys: Any = []
    if is_unknown(labels) and not isinstance(labels, dict):
        keys = Unknown(f"the labels of {node.address} are not known ({getattr(labels, 'reason', labels)})")
    elif isinstance(labels, str):  # a placeholder filled in later (eksctl templates)
        keys = Unknown(f"the labels of {node.address} are {labels!r}, filled in later")
    elif isinstance(labels, dict):
        keys = sorted(str(k) for k in labels if isinstance(k, str) and not _eksctl_applies(node, k))
    from_user_data = sorted(set(_from_user_data(model.attr(node, "decoded_user_data"))))
    return {"labels": keys, "user_data": from_user_data}
