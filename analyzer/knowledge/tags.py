"""Cluster tags: instances owned by the cluster, subnet tags for load balancers,
and security groups tagged for the cluster.

Before kubelet 1.26 the EKS AMIs ran kubelet with the in-tree AWS cloud provider, which
finds its cluster through the instance tag ``kubernetes.io/cluster/<name>``; newer AMIs use
the external provider and only AWS's documentation and runbook still ask for the tag.
"""

from __future__ import annotations

from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.auth import cluster_of
from analyzer.knowledge.cluster import version_before
from analyzer.knowledge.security_groups import is_cluster_security_group
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import PartialStr, Unknown, is_unknown

CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/"
OWNERSHIP_VALUES = ("owned", "shared")
LOAD_BALANCER_ROLE_TAGS = ("kubernetes.io/role/elb", "kubernetes.io/role/internal-elb")
CLOUD_PROVIDER_EXTERNAL_FROM = "1.26"
ASG_TYPES = ("aws_autoscaling_group", "AWS::AutoScaling::AutoScalingGroup")


def _key_text(key: Any) -> str | None:
    if isinstance(key, str):
        return key
    return key.text("\x00") if isinstance(key, PartialStr) else None


def _is_cluster_key(key: Any) -> Any:
    """True for ``kubernetes.io/cluster/<anything>``; Unknown when the prefix itself has holes."""
    text = _key_text(key)
    if text is None:
        return Unknown("a tag key is not known") if is_unknown(key) else False
    if text.startswith(CLUSTER_TAG_PREFIX):
        return True
    known_head = text.split("\x00", 1)[0]
    if "\x00" in text and CLUSTER_TAG_PREFIX.startswith(known_head):
        return Unknown(f"tag key {text.replace(chr(0), '${…}')} is not fully known")
    return False


def _flag(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _instance_tags(model: Model, node: Resource) -> tuple[list[dict], list[Unknown]]:
    """The tags that reach the node's instances, as {key, value, propagate_at_launch, where},
    and what could not be read."""
    tags: list[dict] = []
    holes: list[Unknown] = []
    if node.source_type in ASG_TYPES:
        listed = node.get("asg_tags")
        if isinstance(listed, Unknown):
            holes.append(listed)
        for tag in listed if isinstance(listed, list) else []:
            tags.append({**tag, "where": "the Auto Scaling group"})
    else:
        own = node.get("tags")
        if isinstance(own, Unknown):
            holes.append(own)
        for key, value in own.items() if isinstance(own, dict) else []:
            tags.append({"key": key, "value": value, "propagate_at_launch": True, "where": "the instance"})
    template = model.attr(node, "launch_template")
    if isinstance(template, Unknown):
        holes.append(template)
    elif isinstance(template, Resource):
        specs = template.get("tag_specifications")
        if isinstance(specs, Unknown):
            holes.append(specs)
        for spec in specs if isinstance(specs, list) else []:
            tags += _template_instance_tags(spec, template, holes)
    return tags, holes


def _template_instance_tags(spec: Any, template: Resource, holes: list[Unknown]) -> list[dict]:
    if not isinstance(spec, dict):
        holes.append(Unknown(f"a tag specification of {template.address} is not known"))
        return []
    kind = spec.get("resource_type", spec.get("ResourceType"))
    if is_unknown(kind):
        holes.append(Unknown(f"a tag specification type of {template.address} is not known"))
        return []
    if kind != "instance":
        return []
    raw = spec.get("tags", spec.get("Tags"))
    if isinstance(raw, Unknown):
        holes.append(raw)
        return []
    where = f"launch template {template.address}"
    if isinstance(raw, dict):
        return [{"key": k, "value": v, "propagate_at_launch": True, "where": where} for k, v in raw.items()]
    return [
        {"key": t.get("Key"), "value": t.get("Value"), "propagate_at_launch": True, "where": where}
        for t in raw or []
        if isinstance(t, dict)
    ]


@predicate("tags.cluster_name")
def node_cluster_name(model: Model, node: Any) -> Any:
    """The name of the node's cluster: the resolved cluster's, else the literal it names."""
    if not isinstance(node, Resource):
        return Unknown("the node is not known")
    cluster = cluster_of(model, node)
    if isinstance(cluster, Resource):
        return (
            cluster.get("name")
            if cluster.get("name") is not None
            else Unknown(f"{cluster.address} has no literal name")
        )
    raw = node.get("cluster")
    return raw if isinstance(raw, str) else Unknown(f"the cluster of {node.address} is not known")


@predicate("tags.instance_cluster_tags")
def instance_cluster_tags(model: Model, node: Any) -> list[Any]:
    """The ``kubernetes.io/cluster/<name>`` tags that reach the node's instances, as
    ``{key, value, propagate, where}`` (``key`` with ``${…}`` for a part that is not known,
    ``propagate`` whether the tag is put on the instances), in the order they are declared; a
    tag naming another cluster is listed too. What cannot be read is an Unknown item, first the
    tags that are not known at all, then in order a key that may be a cluster tag and a tag
    whose propagation or value is not known."""
    if not isinstance(node, Resource):
        return []
    tags, holes = _instance_tags(model, node)
    found: list[Any] = list(holes)
    for tag in tags:
        is_cluster = _is_cluster_key(tag.get("key"))
        if is_cluster is False:
            continue
        if isinstance(is_cluster, Unknown):
            found.append(is_cluster)
            continue
        propagate, value = _flag(tag.get("propagate_at_launch")), tag.get("value")
        key = _key_text(tag["key"]).replace("\x00", "${…}")
        if propagate is not False and (is_unknown(propagate) or is_unknown(value)):
            found.append(Unknown(f"tag {key} on {tag['where']} is not fully known"))
            continue
        found.append({"key": key, "value": value, "propagate": propagate is not False, "where": tag["where"]})
    return found


@predicate("tags.kubelet_reads_cluster_tag")
def kubelet_reads_cluster_tag(model: Model, node: Any) -> Any:
    """True when the node's kubelet is older than 1.26 (in-tree AWS cloud provider)."""
    if not isinstance(node, Resource):
        return Unknown("the node is not known")
    version = model.attr(node, "ami_k8s_version")
    if isinstance(version, Unknown) or version is None:
        version = model.attr(node, "k8s_version")
    if isinstance(version, Unknown) or version is None:
        cluster = cluster_of(model, node)
        if isinstance(cluster, Resource) and cluster.get("version") is not None:
            version = cluster.get("version")
    return version_before(model, version, CLOUD_PROVIDER_EXTERNAL_FROM)


def _tags_of(resource: Resource) -> Any:
    tags = resource.get("tags")
    return tags if isinstance(tags, (dict, Unknown)) else {}


@predicate("tags.load_balancer_subnets")
def load_balancer_subnets(model: Model, cluster: Any) -> Any:
    """Subnets of the cluster's VPC tagged for load balancers (kubernetes.io/role/elb or
    internal-elb); Unknown when the VPC or some subnet's tags are not known."""
    if not isinstance(cluster, Resource):
        return Unknown("the cluster is not known")
    vpc = model.attr(cluster, "vpc")
    if not isinstance(vpc, Resource):
        return vpc if isinstance(vpc, Unknown) else Unknown("the cluster VPC is not known")
    tagged: list[Resource] = []
    holes: list[Unknown] = []
    for subnet in model.of_kind(kinds.SUBNET):
        if model.attr(subnet, "vpc") is not vpc:
            continue
        tags = _tags_of(subnet)
        if isinstance(tags, Unknown):
            holes.append(tags)
        elif any(_key_text(k) in LOAD_BALANCER_ROLE_TAGS for k in tags):
            tagged.append(subnet)
        elif any(isinstance(k, PartialStr) for k in tags):
            holes.append(Unknown(f"a tag key of {subnet.address} is not known"))
    if tagged:
        return tagged
    return holes[0] if holes else []


@predicate("tags.carries_cluster_tag")
def carries_cluster_tag(model: Model, resource: Any, cluster_name: Any) -> Any:
    """Whether a resource carries ``kubernetes.io/cluster/<cluster_name>``: True, False, or
    Unknown when its tags, a tag key or the name are not known. EKS tags its cluster security
    group so."""
    if is_cluster_security_group(resource):
        return True
    if not isinstance(resource, Resource):
        return resource if isinstance(resource, Unknown) else Unknown("a resource is not known")
    tags = _tags_of(resource)
    if isinstance(tags, Unknown):
        return tags
    found = [_tagged_for(key, cluster_name) for key in tags]
    if any(f is True for f in found):
        return True
    if not isinstance(cluster_name, str):
        return Unknown("the cluster name is not known")
    hole = next((f for f in found if isinstance(f, Unknown)), None)
    return hole if hole is not None else False


def _tagged_for(key: Any, cluster_name: Any) -> Any:
    """Whether a tag key is ``kubernetes.io/cluster/<cluster_name>``."""
    text = _key_text(key)
    if text is None:
        return Unknown("a tag key is not known")
    if "\x00" in text:
        head = text.split("\x00", 1)[0]
        related = CLUSTER_TAG_PREFIX.startswith(head) or head.startswith(CLUSTER_TAG_PREFIX)
        return Unknown(f"tag key {text.replace(chr(0), '${…}')} is not fully known") if related else False
    if not text.startswith(CLUSTER_TAG_PREFIX):
        return False
    if not isinstance(cluster_name, str):
        return Unknown("the cluster name is not known")
    return text == CLUSTER_TAG_PREFIX + cluster_name
