"""The terraform-aws-eks karpenter sub-module creates the IAM role of the nodes Karpenter
launches and an access entry for it (``aws_eks_access_entry.node``, type
``var.access_entry_type``). No node resource runs that role, yet it is a node role: a STANDARD
entry does not map the node identity (EKS-AUTH-005). Checked against the real module releases
served from ../shared/registry."""

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
resource "aws_eks_cluster" "demo" {{
  name     = "demo"
  role_arn = "arn:aws:iam::111122223333:role/demo-cluster"

  access_config {{
    authentication_mode = "API"
  }}
  vpc_config {{
    subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  }}
}}

module "karpenter" {{
  source  = "terraform-aws-modules/eks/aws//modules/karpenter"
  version = "{version}"

  cluster_name                  = aws_eks_cluster.demo.name
  node_iam_role_use_name_prefix = false
  node_iam_role_name            = "KarpenterNodeRole-demo"
{extra}
}}
"""


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("karpenter-module-cache")


@pytest.fixture(scope="module")
def registry():
    with RegistryServer(REGISTRY) as server:
        yield server


def _auth_005(registry, cache, tmp_path, monkeypatch, version: str, extra: str = "") -> list:
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(registry.cli_config(tmp_path)))
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(cache))
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(CALL.format(version=version, extra=extra))
    cwd = os.getcwd()
    os.chdir(root)
    try:
        analysis = analyze([Path(".")], load_catalogue(), Options(offline=False, select=("EKS-AUTH-005",)))
    finally:
        os.chdir(cwd)
    assert analysis.inventory.modules_not_loaded == 0
    return [f for f in analysis.findings if f.rule_id == "EKS-AUTH-005"]


@pytest.mark.parametrize("version", ["20.37.2", "21.19.0"])
def test_a_standard_entry_for_the_karpenter_node_role_is_an_error(registry, cache, tmp_path, monkeypatch, version):
    (finding,) = _auth_005(registry, cache, tmp_path, monkeypatch, version, '  access_entry_type = "STANDARD"')
    assert finding.severity == "error"
    assert "STANDARD" in finding.message and "Karpenter" in finding.message
    assert finding.location.path == "main.tf"  # the module call, where the fix goes


def test_the_modules_default_entry_type_maps_the_node(registry, cache, tmp_path, monkeypatch):
    assert _auth_005(registry, cache, tmp_path, monkeypatch, "21.19.0") == []


def test_an_entry_for_a_role_created_elsewhere_is_still_a_node_roles_entry(registry, cache, tmp_path, monkeypatch):
    extra = """  create_node_iam_role = false
  node_iam_role_arn    = "arn:aws:iam::111122223333:role/KarpenterNodeRole-demo"
  access_entry_type    = "STANDARD"
"""
    (finding,) = _auth_005(registry, cache, tmp_path, monkeypatch, "21.19.0", extra)
    assert "KarpenterNodeRole-demo" in finding.message
