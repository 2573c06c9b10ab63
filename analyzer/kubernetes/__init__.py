"""Kubernetes manifests that decide node authorization: the aws-auth ConfigMap."""

from analyzer.kubernetes.aws_auth import is_aws_auth, normalize_aws_auth

__all__ = ["is_aws_auth", "normalize_aws_auth"]
