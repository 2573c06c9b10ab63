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

import pytest
from conftest import REGISTRY

from .eks_root import eks_module_call, findings_of, lint_root, outcomes_of

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

INPUTS = """
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
"""

# (release, the input that names the add-ons in that major version)
RELEASES = [("21.19.0", "addons"), ("20.37.2", "cluster_addons")]


def _iam_011(registry, cache, tmp_path, monkeypatch, version: str, addons_input: str, before_compute: bool):
    inputs = INPUTS.format(addons_input=addons_input, before_compute="before_compute = true" if before_compute else "")
    analysis = lint_root(
        registry, cache, tmp_path, monkeypatch, eks_module_call(version, inputs) + CNI_ROLE, ("EKS-IAM-011",)
    )
    return outcomes_of(analysis, "EKS-IAM-011"), findings_of(analysis, "EKS-IAM-011")


@pytest.mark.parametrize(("version", "addons_input"), RELEASES)
def test_an_addon_created_after_the_node_groups_is_reported(
    registry, module_cache, tmp_path, monkeypatch, version, addons_input
):
    outcomes, (finding,) = _iam_011(
        registry, module_cache, tmp_path, monkeypatch, version, addons_input, before_compute=False
    )
    assert outcomes == {"fail"}
    assert finding.severity == "warning" and finding.outcome == "fail"
    assert "module.eks.aws_eks_addon.this" in finding.message and "is created after" in finding.message
    assert 'module.eks.module.eks_managed_node_group["default"]' in finding.resource


@pytest.mark.parametrize(("version", "addons_input"), RELEASES)
def test_before_compute_gives_the_addon_its_head_start(
    registry, module_cache, tmp_path, monkeypatch, version, addons_input
):
    outcomes, findings = _iam_011(
        registry, module_cache, tmp_path, monkeypatch, version, addons_input, before_compute=True
    )
    assert outcomes == {"pass"} and findings == []
