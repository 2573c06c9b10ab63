"""The aws-auth ConfigMap: mapRoles / mapUsers are YAML documents inside data strings.

The same canonical kind (``k8s.aws_auth``) comes from manifests, from Terraform's
kubernetes_config_map(_v1)(_v1_data) resources and from eksctl's iamIdentityMappings.
``ownership`` says whether the source replaces the whole ConfigMap ("full") or adds
entries to the one EKS maintains ("partial").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from analyzer import shapes
from analyzer.diagnostics import INVALID_CONFIG, Diagnostic
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
    from analyzer.yamlsafe import load_yaml_documents

    documents, problems = load_yaml_documents(text, "mapRoles")  # nesting and alias bombs are refused
    return documents[0].data if documents and not problems else None


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


# What the normalizer reads of a ConfigMap manifest: the mapping under ``data``, whose
# mapRoles/mapUsers are YAML text (a list is accepted as already read), and in that text
# a list of entries with an ARN, a user name and a list of group names.
_ENTRY = {
    "type": "object",
    "properties": {
        "rolearn": {"type": ["string", "null"]},
        "userarn": {"type": ["string", "null"]},
        "username": {"type": ["string", "null"]},
        "groups": {"type": ["array", "null"], "items": {"type": ["string", "null"]}},
    },
}
_MANIFEST = {
    "type": "object",
    "properties": {
        "data": {
            "type": ["object", "null"],
            "properties": {
                "mapRoles": {"type": ["string", "array", "null"], "items": _ENTRY},
                "mapUsers": {"type": ["string", "array", "null"], "items": _ENTRY},
            },
        }
    },
}
_ENTRIES = {"type": "array", "items": _ENTRY}


def normalize_aws_auth(document: Any, display: str) -> tuple[list[Resource], list[Diagnostic]]:
    """A ConfigMap manifest (one document of a possibly multi-document file)."""
    from jsonschema import Draft202012Validator

    def locate(path: Sequence[Any]) -> Location:
        return document.location_of(path)

    data, problems = shapes.check_types(document.data, Draft202012Validator(_MANIFEST), locate)
    payload = (data or {}).get("data") or {}
    maps = {}
    for name in ("mapRoles", "mapUsers"):
        maps[name], found = _read_entries(payload.get(name), name, display, locate)
        problems += found
    location = document.locations.get("", Location(display))
    resource = aws_auth_resource(
        key=f"{display}#{document.index}/aws-auth",
        address="ConfigMap kube-system/aws-auth",
        framework="kubernetes",
        source_type="ConfigMap",
        location=location,
        map_roles=maps["mapRoles"],
        map_users=maps["mapUsers"],
        roles_location=document.locations.get("data.mapRoles"),
    )
    return [resource], problems


def _read_entries(
    text: Any, name: str, display: str, locate: Callable[[Sequence[Any]], Location]
) -> tuple[Any, list[Diagnostic]]:
    """The entries of data.mapRoles / data.mapUsers, without those of the wrong shape."""
    from jsonschema import Draft202012Validator

    from analyzer.yamlsafe import load_yaml_documents

    where = ("data", name)
    if isinstance(text, str):
        documents, problems = load_yaml_documents(text, display)
        if problems:
            return Unknown(f"data.{name} could not be read"), [
                Diagnostic(p.code, f"data.{name}: {p.message}", locate(where), p.severity, p.fix) for p in problems
            ]
        text = documents[0].data if documents else None
        if text is not None and not isinstance(text, list):
            message = f"data.{name} must be YAML text of a list of mappings, found {shapes.kind_of(text)}"
            return Unknown(f"data.{name} is not a YAML list"), [
                Diagnostic(INVALID_CONFIG, message, locate(where), "error")
            ]
    if not isinstance(text, list):
        return text, []
    return shapes.check_types(text, Draft202012Validator(_ENTRIES), lambda path: locate(where), prefix=where)
