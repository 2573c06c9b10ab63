"""Model building per format: eksctl expansion, aws-auth sources, YAML = JSON templates."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import corpus_path

from analyzer.model import kinds
from analyzer.model.resource import EKSCTL_DEFAULT
from analyzer.pipeline import Options, build_model
from analyzer.values import Ref


def model_of(tmp_path: Path, name: str, text: str):
    (tmp_path / name).write_text(textwrap.dedent(text))
    model, _ = build_model([tmp_path], Options())
    return model


def test_eksctl_creates_vpc_subnets_roles_with_defaults(tmp_path):
    model = model_of(
        tmp_path,
        "cluster.yaml",
        """
        apiVersion: eksctl.io/v1alpha5
        kind: ClusterConfig
        metadata: {name: demo, region: eu-west-1, version: 1.30}
        managedNodeGroups:
          - name: private
            privateNetworking: true
        nodeGroups:
          - name: public
        """,
    )
    (cluster,) = model.of_kind(kinds.CLUSTER)
    assert cluster.get("version") == "1.30"  # unquoted YAML 1.30 is not the float 1.3
    assert cluster.get("authentication_mode") == "API_AND_CONFIG_MAP"
    assert (cluster.get("endpoint_public_access"), cluster.get("endpoint_private_access")) == (True, False)
    vpc = model.attr(cluster, "vpc")
    assert vpc.provenance == EKSCTL_DEFAULT
    assert vpc.get("enable_dns_hostnames") is True and vpc.get("enable_dns_support") is True
    managed = model.of_kind(kinds.NODEGROUP)[0]
    self_managed = model.of_kind(kinds.SELF_MANAGED)[0]
    assert [s.get("eksctl_access") for s in model.attr(managed, "subnets")] == ["private"]
    assert [s.get("eksctl_access") for s in model.attr(self_managed, "subnets")] == ["public"]
    role = model.attr(managed, "role")
    names = {arn.rsplit("/", 1)[-1] for arn in role.get("managed_policy_arns")}
    assert {"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"} <= names
    assert managed.location.line == 6  # the node group's name line


def test_eksctl_private_cluster_endpoints_and_access(tmp_path):
    model = model_of(
        tmp_path,
        "cluster.yaml",
        """
        apiVersion: eksctl.io/v1alpha5
        kind: ClusterConfig
        metadata: {name: demo, region: eu-west-1}
        privateCluster: {enabled: true}
        accessConfig:
          authenticationMode: API
          accessEntries:
            - principalARN: arn:aws:iam::111122223333:role/nodes
              type: EC2_LINUX
        iamIdentityMappings:
          - arn: arn:aws:iam::111122223333:role/admins
            username: admin
            groups: [system:masters]
        """,
    )
    (cluster,) = model.of_kind(kinds.CLUSTER)
    assert (cluster.get("endpoint_public_access"), cluster.get("endpoint_private_access")) == (False, True)
    endpoints = {
        e.get("service_name").removeprefix("com.amazonaws.eu-west-1."): e for e in model.of_kind(kinds.VPC_ENDPOINT)
    }
    assert set(endpoints) == {"ec2", "ecr.api", "ecr.dkr", "s3", "sts"}
    assert endpoints["s3"].get("endpoint_type") == "Gateway"
    assert endpoints["ec2"].get("endpoint_type") == "Interface"
    assert endpoints["ec2"].get("private_dns_enabled") is True
    (entry,) = model.of_kind(kinds.ACCESS_ENTRY)
    assert entry.get("type") == "EC2_LINUX" and model.attr(entry, "cluster") is cluster
    (auth,) = model.of_kind(kinds.AWS_AUTH)
    assert auth.get("ownership") == "partial"
    assert auth.get("map_roles")[0]["rolearn"].endswith("role/admins")


def test_eksctl_existing_vpc_subnets_are_external(tmp_path):
    model = model_of(
        tmp_path,
        "cluster.yaml",
        """
        apiVersion: eksctl.io/v1alpha5
        kind: ClusterConfig
        metadata: {name: demo, region: eu-west-1}
        vpc:
          id: vpc-0123
          subnets:
            private:
              eu-west-1a: {id: subnet-aaa}
        managedNodeGroups:
          - name: ng
            subnets: [eu-west-1a]
        """,
    )
    (cluster,) = model.of_kind(kinds.CLUSTER)
    assert cluster.get("vpc") == "vpc-0123" and not model.of_kind(kinds.VPC)
    (group,) = model.of_kind(kinds.NODEGROUP)
    assert group.get("subnets") == ["subnet-aaa"]


def test_aws_auth_from_manifest_multi_document(tmp_path):
    model = model_of(
        tmp_path,
        "auth.yaml",
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: tools}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: aws-auth, namespace: kube-system}
        data:
          mapRoles: |
            - rolearn: arn:aws:iam::111122223333:role/nodes
              username: system:node:{{EC2PrivateDNSName}}
              groups: [system:bootstrappers, system:nodes]
        """,
    )
    (auth,) = model.of_kind(kinds.AWS_AUTH)
    assert auth.get("ownership") == "full"
    assert auth.get("map_roles")[0]["groups"] == ["system:bootstrappers", "system:nodes"]
    assert auth.location.path.endswith("auth.yaml") and auth.location.line >= 6


def test_aws_auth_from_terraform_keeps_role_references(tmp_path):
    model = model_of(
        tmp_path,
        "main.tf",
        """
        resource "aws_iam_role" "nodes" {
          name               = "nodes"
          assume_role_policy = "{}"
        }

        resource "kubernetes_config_map_v1_data" "aws_auth" {
          metadata {
            name      = "aws-auth"
            namespace = "kube-system"
          }
          data = {
            mapRoles = <<-YAML
              - rolearn: ${aws_iam_role.nodes.arn}
                username: system:node:{{EC2PrivateDNSName}}
                groups:
                  - system:bootstrappers
                  - system:nodes
            YAML
          }
        }
        """,
    )
    (auth,) = model.of_kind(kinds.AWS_AUTH)
    assert auth.get("ownership") == "partial"  # _v1_data without force = true patches
    (entry,) = auth.get("map_roles")
    assert isinstance(entry["rolearn"], Ref) and entry["rolearn"].target.endswith("#aws_iam_role.nodes")
    assert model.follow(entry["rolearn"], kinds.IAM_ROLE) is model.of_kind(kinds.IAM_ROLE)[0]


def _canonical(model):
    return sorted((r.kind, r.address, repr(sorted((k, repr(v)) for k, v in r.fields.items()))) for r in model.resources)


def test_yaml_and_json_templates_build_the_same_model(tmp_path):
    folder = corpus_path("aws-cloudformation__aws-cloudformation-templates", "EKS")
    from_yaml, _ = build_model([folder / "template.yaml"], Options())
    from_json, _ = build_model([folder / "template.json"], Options())
    assert len(from_yaml.resources) > 20

    def normalize(text):
        return text.replace("template.json", "T").replace("template.yaml", "T")

    assert [normalize(str(x)) for x in _canonical(from_yaml)] == [normalize(str(x)) for x in _canonical(from_json)]


def test_two_root_modules_with_the_same_addresses_stay_apart(tmp_path):
    for name, role in (("managed", "ec2.amazonaws.com"), ("other", "lambda.amazonaws.com")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "main.tf").write_text(
            textwrap.dedent(f"""
            resource "aws_iam_role" "nodes" {{
              name               = "{name}-nodes"
              assume_role_policy = jsonencode({{Statement = [{{Effect = "Allow",
                Principal = {{Service = "{role}"}}, Action = "sts:AssumeRole"}}]}})
            }}

            resource "aws_eks_node_group" "main" {{
              cluster_name  = "c"
              node_role_arn = aws_iam_role.nodes.arn
              subnet_ids    = ["subnet-1"]
            }}
            """)
        )
    model, _ = build_model([tmp_path], Options())
    groups = model.of_kind(kinds.NODEGROUP)
    assert len(groups) == 2 and len({g.key for g in groups}) == 2
    roles = {g.key.split("#")[0].rsplit("/", 1)[-1]: model.attr(g, "role").get("name") for g in groups}
    assert roles == {"managed": "managed-nodes", "other": "other-nodes"}


def test_untagged_self_managed_node_links_to_its_cluster_by_bootstrap_name(tmp_path):
    model = model_of(
        tmp_path,
        "main.tf",
        """
        resource "aws_eks_cluster" "main" {
          name     = "shop"
          role_arn = "arn:aws:iam::111122223333:role/cluster"
          vpc_config {
            subnet_ids = ["subnet-1"]
          }
        }

        resource "aws_launch_template" "nodes" {
          image_id  = "ami-123"
          user_data = base64encode("#!/bin/bash\\n/etc/eks/bootstrap.sh shop\\n")
        }

        resource "aws_autoscaling_group" "nodes" {
          min_size            = 1
          max_size            = 1
          vpc_zone_identifier = ["subnet-1"]
          launch_template {
            id = aws_launch_template.nodes.id
          }
        }
        """,
    )
    (node,) = model.of_kind(kinds.SELF_MANAGED)
    assert model.attr(node, "cluster") is model.of_kind(kinds.CLUSTER)[0]
