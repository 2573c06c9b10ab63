"""terraform-aws-eks v21 hard-codes ``bootstrap_self_managed_addons = false`` in its
``aws_eks_cluster`` (main.tf of 21.0 and later); v20 passes the input through (null: the
provider's default, true). A v21 cluster whose ``addons`` install no vpc-cni or kube-proxy
is therefore EKS-CLUSTER-006, and the same call to v20 is not. Checked against the real
module releases served from ../shared/registry."""

from __future__ import annotations

import pytest
from conftest import REGISTRY

from .eks_root import eks_module_call, findings_of, lint_root

pytestmark = pytest.mark.skipif(not REGISTRY.is_dir(), reason="../shared/registry is not available")

NODE_GROUPS = """
eks_managed_node_groups = {
  default = {
    instance_types = ["m6i.large"]
    min_size       = 1
    max_size       = 2
    desired_size   = 1
  }
}
"""

ADDONS = """
addons = {
  vpc-cni    = { before_compute = true }
  kube-proxy = {}
  coredns    = {}
}
"""


def _cluster_006(registry, cache, tmp_path, monkeypatch, version: str, addons: str = "") -> list:
    call = eks_module_call(version, addons + NODE_GROUPS)
    return findings_of(lint_root(registry, cache, tmp_path, monkeypatch, call, ("EKS-CLUSTER-006",)), "EKS-CLUSTER-006")


def test_a_v21_cluster_without_networking_addons_is_reported(registry, module_cache, tmp_path, monkeypatch):
    (finding,) = _cluster_006(registry, module_cache, tmp_path, monkeypatch, "21.19.0")
    assert finding.severity == "warning"
    assert "vpc-cni" in finding.message and "kube-proxy" in finding.message
    assert finding.location.path == "main.tf"


def test_a_v21_cluster_with_its_addons_is_not_reported(registry, module_cache, tmp_path, monkeypatch):
    assert _cluster_006(registry, module_cache, tmp_path, monkeypatch, "21.19.0", ADDONS) == []


def test_a_v20_cluster_keeps_the_default_addons(registry, module_cache, tmp_path, monkeypatch):
    assert _cluster_006(registry, module_cache, tmp_path, monkeypatch, "20.37.2") == []
