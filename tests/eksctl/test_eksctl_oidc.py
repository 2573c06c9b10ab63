"""eksctl's IAM OIDC provider and the vpc-cni add-on's IRSA role (pkg/actions/addon
makeServiceAccountRole): with iam.withOIDC eksctl creates the provider for the cluster's
issuer; without it, it creates the add-on with no role at all, whatever the add-on names."""

from __future__ import annotations

import os
from pathlib import Path

from analyzer.engine.catalogue import load_catalogue
from analyzer.model import kinds
from analyzer.pipeline import Options, analyze

HEAD = """apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: demo
  region: us-east-1
  version: "1.33"
"""

NODES_WITHOUT_CNI_POLICY = """managedNodeGroups:
  - name: workers
    iam:
      attachPolicyARNs:
        - arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy
        - arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly
addons:
  - name: vpc-cni
    serviceAccountRoleARN: arn:aws:iam::111122223333:role/vpc-cni
"""


def _analyze(tmp_path: Path, text: str, select: tuple[str, ...] = ()):
    (tmp_path / "cluster.yaml").write_text(text)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return analyze([Path(".")], load_catalogue(), Options(select=select))
    finally:
        os.chdir(cwd)


def test_with_oidc_creates_the_provider_of_the_clusters_issuer(tmp_path: Path) -> None:
    analysis = _analyze(tmp_path, HEAD + "iam:\n  withOIDC: true\n")
    (provider,) = analysis.model.of_kind(kinds.OIDC_PROVIDER)
    (cluster,) = analysis.model.of_kind(kinds.CLUSTER)
    assert analysis.model.attr(provider, "cluster") is cluster
    assert provider.get("client_ids") == ["sts.amazonaws.com"]


def test_without_oidc_there_is_no_provider(tmp_path: Path) -> None:
    assert _analyze(tmp_path, HEAD).model.of_kind(kinds.OIDC_PROVIDER) == []


def test_an_addon_role_without_oidc_is_not_used(tmp_path: Path) -> None:
    analysis = _analyze(tmp_path, HEAD + NODES_WITHOUT_CNI_POLICY, ("EKS-IAM-007",))
    (addon,) = analysis.model.of_kind(kinds.ADDON)
    assert addon.get("service_account_role") is None
    (finding,) = [f for f in analysis.findings if f.rule_id == "EKS-IAM-007"]
    assert "AmazonEKS_CNI_Policy" in finding.message


def test_an_addon_role_with_oidc_is_its_irsa_role(tmp_path: Path) -> None:
    text = HEAD + "iam:\n  withOIDC: true\n" + NODES_WITHOUT_CNI_POLICY
    analysis = _analyze(tmp_path, text, ("EKS-IAM-007",))
    (addon,) = analysis.model.of_kind(kinds.ADDON)
    assert addon.get("service_account_role") == "arn:aws:iam::111122223333:role/vpc-cni"
    assert [f for f in analysis.findings if f.rule_id == "EKS-IAM-007"] == []
