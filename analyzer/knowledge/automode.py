"""EKS Auto Mode: the capabilities a cluster enables with it and what its node role needs.
Facts only; the Auto Mode rules decide in YAML."""

from __future__ import annotations

from typing import Any

from analyzer.knowledge.policies import ECR_PULL_ACTIONS
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource

# The capabilities EKS wants enabled or disabled together with Auto Mode compute
# (compute_config.enabled / ComputeConfig.Enabled).
CAPABILITIES = (
    ("auto_mode_load_balancing", "load balancing (elastic_load_balancing.enabled)"),
    ("auto_mode_block_storage", "block storage (storage_config.block_storage.enabled)"),
)

# What an Auto Mode node role needs: (policy the fix names, AWS managed policies that grant
# it, the actions another policy must grant instead).
NODE_ROLE_NEEDS = (
    (
        "AmazonEKSWorkerNodeMinimalPolicy",
        ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEKSWorkerNodePolicy"),
        ("eks-auth:AssumeRoleForPodIdentity",),
    ),
    (
        "AmazonEC2ContainerRegistryPullOnly",
        ("AmazonEC2ContainerRegistryPullOnly", "AmazonEC2ContainerRegistryReadOnly"),
        tuple(ECR_PULL_ACTIONS),
    ),
)


@fact(kinds.CLUSTER, "auto_mode_capabilities")
def auto_mode_capabilities(model: Model, cluster: Resource) -> list[dict[str, Any]]:
    """Each capability Auto Mode compute goes with: ``field``, ``label`` (for a message) and
    ``enabled`` (True, False, None when not written, or Unknown)."""
    return [{"field": field, "label": label, "enabled": cluster.get(field)} for field, label in CAPABILITIES]


@fact(kinds.CLUSTER, "auto_mode_node_role_needs")
def auto_mode_node_role_needs(model: Model, cluster: Resource) -> list[dict[str, Any]]:
    """The policies an Auto Mode node role needs: ``name``, ``managed`` (AWS managed policies
    that grant it) and ``actions`` (what other policies must grant instead)."""
    return [
        {"name": name, "managed": list(managed), "actions": list(actions)} for name, managed, actions in NODE_ROLE_NEEDS
    ]
