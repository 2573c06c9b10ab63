"""terraform-aws-eks v21 hard-codes ``bootstrap_self_managed_addons = false`` in its
``aws_eks_cluster`` (main.tf of 21.0 and later); v20 passes the input through (null: the
provider's default, true). A v21 cluster whose ``addons`` install no vpc-cni or kube-proxy
is therefore EKS-CLUSTER-006, and the same call to v20 is not. Checked against the real
module releases served from ../shared/registry."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REGISTRY

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import Options, analyze

from .registry_server import RegistryServer

pytestmark = pytest.mark.skipif(not REGISTRY.is_dir(), reason="../shared/registry is not available")

CALL = """
module "eks" {{
  source  = "terraform-aws-modules/eks/aws"
  version = "{version}"

  name               = "demo"
  cluster_name       = "demo"
  kubernetes_version = "1.33"
  cluster_version    = "1.33"
  vpc_id             = "vpc-0123456789abcdef0"
  subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
{addons}
  eks_managed_node_groups = {{
    default = {{
      instance_types = ["m6i.large"]
      min_size       = 1
      max_size       = 2
      desired_size   = 1
    }}
  }}
}}
"""

ADDONS = """
  addons = {
    vpc-cni    = { before_compute = true }
    kube-proxy = {}
    coredns    = {}
  }
"""


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("eks-module-cache")


@pytest.fixture(scope="module")
def registry():
    with RegistryServer(REGISTRY) as server:
        yield server


def _cluster_006(registry, cache, tmp_path, monkeypatch, version: str, addons: str = "") -> list:
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(registry.cli_config(tmp_path)))
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(cache))
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(CALL.format(version=version, addons=addons))
    cwd = os.getcwd()
    os.chdir(root)
    try:
        analysis = analyze([Path(".")], load_catalogue(), Options(offline=False, select=("EKS-CLUSTER-006",)))
    finally:
        os.chdir(cwd)
    assert analysis.inventory.modules_not_loaded == 0
    return [f for f in analysis.findings if f.rule_id == "EKS-CLUSTER-006"]


def test_a_v21_cluster_without_networking_addons_is_reported(registry, cache, tmp_path, monkeypatch):
    (finding,) = _cluster_006(registry, cache, tmp_path, monkeypatch, "21.19.0")
    assert finding.severity == "warning"
    assert "vpc-cni" in finding.message and "kube-proxy" in finding.message
    assert finding.location.path == "main.tf"


def test_a_v21_cluster_with_its_addons_is_not_reported(registry, cache, tmp_path, monkeypatch):
    assert _cluster_006(registry, cache, tmp_path, monkeypatch, "21.19.0", ADDONS) == []


def test_a_v20_cluster_keeps_the_default_addons(registry, cache, tmp_path, monkeypatch):
    assert _cluster_006(registry, cache, tmp_path, monkeypatch, "20.37.2") == []
