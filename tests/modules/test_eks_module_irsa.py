"""terraform-aws-eks creates the cluster's IAM OIDC provider inside the module (enable_irsa,
on by default): ``aws_iam_openid_connect_provider.oidc_provider`` with ``url`` the cluster's
``identity[0].oidc[0].issuer``. A vpc-cni IRSA role from terraform-aws-iam's
iam-role-for-service-accounts-eks trusts it with a ``sub`` condition whose key is known only
after apply, so EKS-IAM-004 is unknown there, never an error. Checked against the real module
releases served from ../shared/registry."""

from __future__ import annotations

import pytest
from conftest import REGISTRY

from analyzer.model import kinds

from .eks_root import lint_root, outcomes_of

pytestmark = pytest.mark.skipif(not REGISTRY.is_dir(), reason="../shared/registry is not available")

CALL = """
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "21.19.0"

  name               = "demo"
  kubernetes_version = "1.33"
  vpc_id             = "vpc-0123456789abcdef0"
  subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]

  addons = {
    vpc-cni = {
      before_compute           = true
      service_account_role_arn = module.vpc_cni_irsa.iam_role_arn
    }
    kube-proxy = {}
    coredns    = {}
  }

  eks_managed_node_groups = {
    default = {
      instance_types             = ["m6i.large"]
      min_size                   = 1
      max_size                   = 2
      desired_size               = 1
      iam_role_attach_cni_policy = false
    }
  }
}

module "vpc_cni_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "5.60.0"

  role_name             = "demo-vpc-cni"
  attach_vpc_cni_policy = true
  vpc_cni_enable_ipv4   = true

  oidc_providers = {
    main = {
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["kube-system:aws-node"]
    }
  }
}
"""


def test_the_modules_oidc_provider_is_the_clusters_and_irsa_is_never_an_error(registry, tmp_path, monkeypatch):
    analysis = lint_root(registry, tmp_path / "cache", tmp_path, monkeypatch, CALL, ("EKS-IAM-004",))
    (cluster,) = analysis.model.of_kind(kinds.CLUSTER)
    (provider,) = analysis.model.of_kind(kinds.OIDC_PROVIDER)
    assert analysis.model.attr(provider, "cluster") is cluster
    assert outcomes_of(analysis, "EKS-IAM-004") == {"unknown"}
    reasons = {r.reason for r in analysis.results if r.rule.id == "EKS-IAM-004"}
    assert reasons == {"the trust policy condition is not resolved"}
    assert not [f for f in analysis.findings if f.severity == "error"]
