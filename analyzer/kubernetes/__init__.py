"""Kubernetes manifests that decide node authorization: the aws-auth ConfigMap, and
Karpenter's EC2NodeClass (which names a node role no node resource runs)."""

from analyzer.kubernetes.aws_auth import is_aws_auth, normalize_aws_auth
from analyzer.kubernetes.karpenter import is_ec2_node_class, normalize_node_class

__all__ = ["is_aws_auth", "is_ec2_node_class", "normalize_aws_auth", "normalize_node_class"]
