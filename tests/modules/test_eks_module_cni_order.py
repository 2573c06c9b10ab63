"""EKS-IAM-011 through terraform-aws-eks, checked against the real module releases served
from ../shared/registry.

The module creates an add-on with ``before_compute = true`` as ``aws_eks_addon.before_compute``,
which waits only for the cluster (and the add-on's role), while its node groups take the
cluster's name from ``time_sleep.this`` (``dataplane_wait_duration``, "30s" by default): the
add-on gets that head start. Every other add-on is ``aws_eks_addon.this``, whose
``depends_on`` names the node group modules: it is created after them. With
``iam_role_attach_cni_policy = false`` only the add-on's IRSA role grants aws-node the CNI
permissions, so the first nodes need the add-on first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REGISTRY

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import Options, analyze

from .registry_server import RegistryServer

pytestmark = pytest.mark.skipif(not REGISTRY.is_dir(), reason="../shared/registry is not available")

CNI_ROLE = """
resource "aws_iam_role" "vpc_cni" {
  name = "demo-vpc-cni"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = module.eks.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "vpc_cni" {
  role       = aws_iam_role.vpc_cni.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
}
"""

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

  {addons_input} = {{
    vpc-cni = {{
      {before_compute}
      service_account_role_arn = aws_iam_role.vpc_cni.arn
    }}
    kube-proxy = {{}}
    coredns    = {{}}
  }}

  eks_managed_node_groups = {{
    default = {{
      instance_types             = ["m6i.large"]
      min_size                   = 1
      max_size                   = 2
      desired_size               = 1
      iam_role_attach_cni_policy = false
    }}
  }}
}}
"""

# (release, the input that names the add-ons in that major version)
RELEASES = [("21.19.0", "addons"), ("20.37.2", "cluster_addons")]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("eks-module-cache")


@pytest.fixture(scope="module")
def registry():
    with RegistryServer(REGISTRY) as server:
        yield server


def _iam_011(registry, cache, tmp_path, monkeypatch, version: str, addons_input: str, before_compute: bool) -> list:
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(registry.cli_config(tmp_path)))
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(cache))
    root = tmp_path / "root"
    root.mkdir()
    call = CALL.format(
        version=version,
        addons_input=addons_input,
        before_compute="before_compute = true" if before_compute else "",
    )
    (root / "main.tf").write_text(call + CNI_ROLE)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        analysis = analyze([Path(".")], load_catalogue(), Options(offline=False, select=("EKS-IAM-011",)))
    finally:
        os.chdir(cwd)
    assert analysis.inventory.modules_not_loaded == 0
    outcomes = {r.outcome for r in analysis.results if r.rule.id == "EKS-IAM-011"}
    findings = [f for f in analysis.findings if f.rule_id == "EKS-IAM-011"]
    return outcomes, findings


@pytest.mark.parametrize(("version", "addons_input"), RELEASES)
def test_an_addon_created_after_the_node_groups_is_reported(
    registry, cache, tmp_path, monkeypatch, version, addons_input
):
    outcomes, (finding,) = _iam_011(registry, cache, tmp_path, monkeypatch, version, addons_input, before_compute=False)
    assert outcomes == {"fail"}
    assert finding.severity == "warning" and finding.outcome == "fail"
    assert "module.eks.aws_eks_addon.this" in finding.message and "is created after" in finding.message
    assert 'module.eks.module.eks_managed_node_group["default"]' in finding.resource


@pytest.mark.parametrize(("version", "addons_input"), RELEASES)
def test_before_compute_gives_the_addon_its_head_start(registry, cache, tmp_path, monkeypatch, version, addons_input):
    outcomes, findings = _iam_011(registry, cache, tmp_path, monkeypatch, version, addons_input, before_compute=True)
    assert outcomes == {"pass"} and findings == []
