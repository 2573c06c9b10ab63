"""The aws-auth ConfigMap: mapRoles / mapUsers are YAML documents inside data strings."""

from __future__ import annotations

from typing import Any

import yaml

from analyzer.model import kinds
from analyzer.model.resource import Resource


def is_aws_auth(data: Any) -> bool:
    if not isinstance(data, dict) or data.get("kind") != "ConfigMap":
        return False
    metadata = data.get("metadata") or {}
    return isinstance(metadata, dict) and metadata.get("name") == "aws-auth"


def parse_mappings(text: Any) -> Any:
    """The list inside ``mapRoles``/``mapUsers``; malformed text yields an empty list."""
    if isinstance(text, list):
        return text
    if not isinstance(text, str):
        return []
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    return parsed if isinstance(parsed, list) else []


def normalize_aws_auth(document: Any, display: str) -> list[Resource]:
    data = document.data
    location = document.locations.get("", None)
    from analyzer.location import Location

    location = location or Location(display)
    resource = Resource(kind=kinds.AWS_AUTH, key=f"{display}#aws-auth[{document.index}]",
                        address="ConfigMap/kube-system/aws-auth", framework="kubernetes",
                        source_type="ConfigMap", location=location)
    payload = data.get("data") or {}
    resource.set("map_roles", parse_mappings(payload.get("mapRoles")),
                 document.locations.get("data.mapRoles"))
    resource.set("map_users", parse_mappings(payload.get("mapUsers")),
                 document.locations.get("data.mapUsers"))
    resource.set("ownership", "full")
    return [resource]
