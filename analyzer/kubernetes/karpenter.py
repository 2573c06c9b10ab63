"""Karpenter's EC2NodeClass: the IAM identity of the nodes Karpenter launches.

``spec.role`` names the node IAM role (by name; Karpenter creates the instance profile) and
``spec.instanceProfile`` an instance profile instead. No node resource in the files runs that
role, yet it is a node role: its aws-auth mapping or access entry must map the node identity.
The same canonical kind (``karpenter.ec2_node_class``) comes from manifests and from
Terraform's kubectl_manifest (``yaml_body``) and kubernetes_manifest (``manifest``).
"""

from __future__ import annotations

from typing import Any

from analyzer.location import Location
from analyzer.model import kinds
from analyzer.model.resource import Resource
from analyzer.values import PartialStr, Unknown, restore_markers

API_GROUP = "karpenter.k8s.aws/"


def is_ec2_node_class(data: Any) -> bool:
    if not isinstance(data, dict) or data.get("kind") != "EC2NodeClass":
        return False
    api_version = data.get("apiVersion")
    return isinstance(api_version, str) and api_version.startswith(API_GROUP)


def node_class_resource(
    data: dict,
    key: str,
    framework: str,
    source_type: str,
    location: Location,
    field_locations: dict[str, Location] | None = None,
) -> Resource:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    name = metadata.get("name")
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    resource = Resource(
        kind=kinds.KARPENTER_NODE_CLASS,
        key=key,
        address=f"EC2NodeClass {name}" if isinstance(name, str) else "EC2NodeClass",
        framework=framework,
        source_type=source_type,
        location=location,
    )
    where = field_locations or {}
    resource.set("name", name, location)
    for field, written in (("role", "spec.role"), ("instance_profile", "spec.instanceProfile")):
        value = spec.get(written.split(".")[1])
        if value is not None:
            resource.set(
                field, value if isinstance(value, (str, Unknown, PartialStr)) else None, where.get(written, location)
            )
    return resource


def normalize_node_class(document: Any, display: str) -> tuple[list[Resource], list]:
    """An EC2NodeClass manifest (one document of a possibly multi-document file)."""
    location = document.locations.get("", Location(display))
    resource = node_class_resource(
        document.data,
        key=f"{display}#{document.index}/ec2nodeclass",
        framework="kubernetes",
        source_type="EC2NodeClass",
        location=location,
        field_locations=document.locations,
    )
    return [resource], []


def node_classes_in_text(text: Any) -> list[dict]:
    """The EC2NodeClass documents in a YAML body (Terraform's kubectl_manifest ``yaml_body``),
    holes kept as the values they stand for."""
    from analyzer.yamlsafe import load_yaml_documents

    table: dict = {}
    if isinstance(text, PartialStr):
        text, table = text.with_markers()
    if not isinstance(text, str) or "EC2NodeClass" not in text:
        return []
    documents, problems = load_yaml_documents(text, "yaml_body")
    if problems:
        return []
    found = []
    for document in documents:
        data = restore_markers(document.data, table) if table else document.data
        if is_ec2_node_class(data):
            found.append(data)
    return found
