"""The terraform-aws-eks karpenter sub-module creates the IAM role of the nodes Karpenter
launches and an access entry for it (``aws_eks_access_entry.node``, type
``var.access_entry_type``). No node resource runs that role, yet it is a node role: a STANDARD
entry does not map the node identity (EKS-AUTH-005). Checked against the real module releases
served from ../shared/registry."""

from __future__ import annotations

import pytest
from conftest import REGISTRY

from .eks_root import findings_of, lint_root

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


def _auth_005(registry, module_cache, tmp_path, monkeypatch, version: str, extra: str = "") -> list:
    main_tf = CALL.format(version=version, extra=extra)
    return findings_of(
        lint_root(registry, module_cache, tmp_path, monkeypatch, main_tf, ("EKS-AUTH-005",)), "EKS-AUTH-005"
    )


@pytest.mark.parametrize("version", ["20.37.2", "21.19.0"])
def test_a_standard_entry_for_the_karpenter_node_role_is_an_error(
    registry, module_cache, tmp_path, monkeypatch, version
):
    (finding,) = _auth_005(registry, module_cache, tmp_path, monkeypatch, version, '  access_entry_type = "STANDARD"')
    assert finding.severity == "error"
    assert "STANDARD" in finding.message and "Karpenter" in finding.message
    assert finding.location.path == "main.tf"  # the module call, where the fix goes


def test_the_modules_default_entry_type_maps_the_node(registry, module_cache, tmp_path, monkeypatch):
    assert _auth_005(registry, module_cache, tmp_path, monkeypatch, "21.19.0") == []


def test_an_entry_for_a_role_created_elsewhere_is_still_a_node_roles_entry(
    registry, module_cache, tmp_path, monkeypatch
):
    extra = """  create_node_iam_role = false
  node_iam_role_arn    = "arn:aws:iam::111122223333:role/KarpenterNodeRole-demo"
  access_entry_type    = "STANDARD"
"""
    (finding,) = _auth_005(registry, module_cache, tmp_path, monkeypatch, "21.19.0", extra)
    assert "KarpenterNodeRole-demo" in finding.message
