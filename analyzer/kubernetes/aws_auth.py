"""The aws-auth ConfigMap: mapRoles / mapUsers are YAML documents inside data strings.

The same canonical kind (``k8s.aws_auth``) comes from manifests, from Terraform's
kubernetes_config_map(_v1)(_v1_data) resources and from eksctl's iamIdentityMappings.
``ownership`` says whether the source replaces the whole ConfigMap ("full") or adds
entries to the one EKS maintains ("partial").
"""

from __future__ import annotations

from typing import Any

import yaml

from analyzer.location import Location
from analyzer.model import kinds
from analyzer.model.resource import Resource
from analyzer.values import PartialStr, Unknown, restore_markers

FULL, PARTIAL = "full", "partial"


def is_aws_auth(data: Any) -> bool:
    if not isinstance(data, dict) or data.get("kind") != "ConfigMap":
        return False
    metadata = data.get("metadata") or {}
    return isinstance(metadata, dict) and metadata.get("name") == "aws-auth"


def parse_mappings(text: Any) -> Any:
    """The list inside ``mapRoles``/``mapUsers``: from YAML text (holes kept), or a list.

    Text that is not a YAML list is Unknown: nodes would not be authorized by it either,
    but that is for the rules to judge, not the parser."""
    if text is None:
        return []
    if isinstance(text, list):
        return text
    if isinstance(text, PartialStr):
        marked, table = text.with_markers()
        parsed = _safe_yaml(marked)
        return (
            restore_markers(parsed, table)
            if isinstance(parsed, list)
            else Unknown(f"mapRoles could not be read ({text.reason})")
        )
    if isinstance(text, Unknown):
        return text
    if not isinstance(text, str):
        return Unknown("mapRoles is not a YAML string")
    parsed = _safe_yaml(text)
    return parsed if isinstance(parsed, list) else Unknown("mapRoles is not a YAML list")


def _safe_yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def aws_auth_resource(
    key: str,
    address: str,
    framework: str,
    source_type: str,
    location: Location,
    map_roles: Any,
    map_users: Any = None,
    ownership: str = FULL,
    roles_location: Location | None = None,
) -> Resource:
    resource = Resource(
        kind=kinds.AWS_AUTH, key=key, address=address, framework=framework, source_type=source_type, location=location
    )
    resource.set("map_roles", parse_mappings(map_roles), roles_location or location)
    resource.set("map_users", parse_mappings(map_users), location)
    resource.set("ownership", ownership)
    return resource


def normalize_aws_auth(document: Any, display: str) -> list[Resource]:
    """A ConfigMap manifest (one document of a possibly multi-document file)."""
    payload = document.data.get("data") or {}
    location = document.locations.get("", Location(display))
    return [
        aws_auth_resource(
            key=f"{display}#{document.index}/aws-auth",
            address="ConfigMap kube-system/aws-auth",
            framework="kubernetes",
            source_type="ConfigMap",
            location=location,
            map_roles=payload.get("mapRoles"),
            map_users=payload.get("mapUsers"),
            roles_location=document.locations.get("data.mapRoles"),
        )
    ]
