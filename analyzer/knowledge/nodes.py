"""Facts about nodes: provisioning class (MNG-default, MNG-LT, MNG-CUSTOM-AMI, SELF), node role, and the VPC CNI's identity."""

from __future__ import annotations

from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.index import attribute, referrers
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import Ref, Unknown, iter_unknowns

MNG_DEFAULT, MNG_LT, MNG_CUSTOM_AMI, SELF = "MNG-default", "MNG-LT", "MNG-CUSTOM-AMI", "SELF"


@fact(kinds.NODEGROUP, "node_class")
def managed_node_class(model: Model, nodegroup: Resource) -> Any:
    if nodegroup.get("launch_template") is None:
        return MNG_DEFAULT
    template = model.attr(nodegroup, "launch_template")
    if not isinstance(template, Resource):
        return template if isinstance(template, Unknown) else Unknown("launch template unknown")
    image = template.get("image_id")
    if image is None:
        return MNG_LT
    return MNG_CUSTOM_AMI


@fact(kinds.SELF_MANAGED, "node_class")
def self_managed_class(model: Model, node: Resource) -> str:
    return SELF


@fact(kinds.SELF_MANAGED, "role")
def self_managed_role(model: Model, node: Resource) -> Any:
    """The node role: explicit, else the instance profile's (own or the launch template's)."""
    if node.get("role") is not None:
        return model.follow(node.get("role"), kinds.IAM_ROLE)
    profile = model.attr(node, "instance_profile")
    if profile is None:
        template = model.attr(node, "launch_template")
        if isinstance(template, Resource):
            profile = model.attr(template, "instance_profile")
        elif isinstance(template, Unknown):
            return template
    if isinstance(profile, Resource):
        return model.attr(profile, "role")
    if profile is None:
        return Unknown(f"{node.address} has no instance profile in the analyzed files")
    return profile


@fact(kinds.CLUSTER, "vpc")
def cluster_vpc(model: Model, cluster: Resource) -> Any:
    """The VPC of the cluster's subnets (the first one that resolves)."""
    subnets = model.attr(cluster, "subnets")
    if isinstance(subnets, Unknown):
        return subnets
    reasons: list[Unknown] = []
    for subnet in subnets if isinstance(subnets, (list, tuple)) else []:  # not a list (Fn::Base64): none
        vpc = model.attr(subnet, "vpc") if isinstance(subnet, Resource) else subnet
        if isinstance(vpc, Resource):
            return vpc
        if isinstance(vpc, Unknown):
            reasons.append(vpc)
    if reasons:
        return reasons[0]
    return Unknown(f"{cluster.address} has no subnets in the analyzed files")


@fact(kinds.CLUSTER, "node_groups")
def cluster_node_groups(model: Model, cluster: Resource) -> list[Resource]:
    return referrers(model, tuple(kinds.NODE_KINDS), cluster, attribute("cluster"), "node-cluster")


@fact(kinds.VPC, "clusters")
def vpc_clusters(model: Model, vpc: Resource) -> list[Resource]:
    return referrers(model, (kinds.CLUSTER,), vpc, attribute("vpc"), "cluster-vpc-attr")


@fact(kinds.VPC, "hosts_eks")
def vpc_hosts_eks(model: Model, vpc: Resource) -> Any:
    """True when a cluster or node group of the analyzed files uses this VPC."""
    if model.attr(vpc, "clusters"):
        return True
    unresolved: Unknown | None = None
    for owner in model.of_kind(kinds.CLUSTER, *kinds.NODE_KINDS):
        subnets = model.attr(owner, "subnets")
        if isinstance(subnets, list) and any(isinstance(s, Resource) and model.attr(s, "vpc") is vpc for s in subnets):
            return True
        if unresolved is None and owner.root == vpc.root:
            unresolved = _unresolved_subnets(model, owner)
    return unresolved if unresolved is not None else False


def _unresolved_subnets(model: Model, owner: Resource) -> Unknown | None:
    """Why the subnets of a cluster or node group of the same root might be in any VPC of it:
    a value not known before apply that is not the ID of a subnet the files declare. A literal
    subnet ID exists before the run, so it is not in a VPC the run creates."""
    for hole in iter_unknowns(owner.get("subnets")):
        if isinstance(hole, Ref) and model.get(hole.target) is not None:
            continue
        return Unknown(f"the subnets of {owner.address} are not known ({hole.reason})")
    return None


def _is_aws_node(namespace: Any, service_account: Any) -> bool:
    return namespace in ("kube-system", None) and service_account == "aws-node"


@predicate("eks.cni_has_own_identity")
def cni_has_own_identity(model: Model, cluster: Any) -> Any:
    """The VPC CNI (kube-system/aws-node) gets AWS permissions through IRSA or Pod Identity."""
    if not isinstance(cluster, Resource):
        return cluster if isinstance(cluster, Unknown) else Unknown("the cluster is not known")
    if cluster.get("cni_service_account_identity") is True:  # e.g. eksctl iam.withOIDC
        return True
    for addon in model.of_kind(kinds.ADDON):
        if model.attr(addon, "cluster") is not cluster or addon.get("name") != "vpc-cni":
            continue
        if addon.get("service_account_role") is not None:
            return True
        for association in addon.get("pod_identity_associations") or []:
            if isinstance(association, dict) and association.get("service_account") == "aws-node":
                return True
    for association in model.of_kind(kinds.POD_IDENTITY):
        if model.attr(association, "cluster") is cluster and _is_aws_node(
            association.get("namespace"), association.get("service_account")
        ):
            return True
    return False


# AL2023 nodeadm and AL2 bootstrap.sh both resolve the node's PrivateDnsName with
# ec2:DescribeInstances; only a bootstrap without the endpoint and CA calls eks:DescribeCluster.
_ALWAYS_CALLED = ("ec2:DescribeInstances",)


@fact(kinds.NODEGROUP, "bootstrap_actions")
@fact(kinds.SELF_MANAGED, "bootstrap_actions")
def bootstrap_actions(model: Model, node: Resource) -> Any:
    """The AWS API actions the node's own bootstrap calls with the node role before kubelet
    starts; Unknown when the user data cannot tell whether it calls eks:DescribeCluster."""
    from analyzer.knowledge.endpoints import describe_cluster_call

    call = describe_cluster_call(model, node)
    if isinstance(call, Unknown):
        return call
    return list(_ALWAYS_CALLED) + (["eks:DescribeCluster"] if call is not None else [])
