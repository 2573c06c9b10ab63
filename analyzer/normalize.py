"""Shared machinery for the per-format normalizers: declarative field mappings.

A mapping says, for one source type, which canonical kind it becomes, where each
canonical field is read from (a dotted source path, or a function), and the tool's
default when the configuration leaves the field out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from analyzer.location import Location
from analyzer.model.resource import Resource
from analyzer.values import Ref, Unknown, is_unknown

Reader = Callable[[dict], Any]
MISSING = object()

# Canonical fields of boolean type: both Terraform's type system and CloudFormation
# convert the strings "true"/"false" (parameters, variables) for such properties.
BOOLEAN_FIELDS = frozenset(
    {
        "enable_dns_support",
        "enable_dns_hostnames",
        "map_public_ip_on_launch",
        "endpoint_private_access",
        "endpoint_public_access",
        "bootstrap_self_managed_addons",
        "auto_mode",
        "auto_mode_load_balancing",
        "auto_mode_block_storage",
        "bootstrap_cluster_creator_admin_permissions",
        "private_dns_enabled",
        "associate_public_ip_address",
        "assign_ipv6_address_on_creation",
        "egress",
    }
)


def coerce(name: str, value: Any) -> Any:
    if name in BOOLEAN_FIELDS and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


@dataclass(frozen=True)
class FieldMap:
    kind: str
    fields: Mapping[str, str | Reader]  # canonical name -> source path or reader
    defaults: Mapping[str, Any] = field(default_factory=dict)
    identities: tuple[str, ...] = ()  # canonical fields whose literal values name the resource
    identity_prefix: str = ""  # e.g. "role-name:" so ARNs can find roles by name


def dig(data: Any, path: str) -> Any:
    """Follow a dotted path through dicts and lists; MISSING when absent."""
    current = data
    for part in path.split("."):
        if isinstance(current, Unknown):
            return current
        if isinstance(current, dict):
            if part not in current:
                return MISSING
            current = current[part]
        elif isinstance(current, list) and part.isdigit():
            index = int(part)
            if index >= len(current):
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current


def first_of(*paths: str) -> Reader:
    """A reader for the first of several source paths that is set."""

    def read(data: dict) -> Any:
        for path in paths:
            value = dig(data, path)
            if value is not MISSING and value is not None:
                return value
        return None

    return read


def single_list(path: str) -> Reader:
    """A reader that wraps the single value at ``path`` in a list (None when absent)."""

    def read(data: dict) -> Any:
        value = dig(data, path)
        return None if value is MISSING or value is None else [value]

    return read


def constant(value: Any) -> Reader:
    """A reader for a canonical field the resource type itself decides."""

    def read(data: dict) -> Any:
        return value

    return read


def issuer_cluster(path: str, issuer_attribute: str) -> Reader:
    """A reader for the cluster whose OIDC issuer the value at ``path`` is: the reference
    itself when it names ``issuer_attribute`` of a resource (the model follows it to the
    cluster), Unknown when the value is the issuer of no cluster eksjoin can name."""

    def read(data: dict) -> Any:
        value = dig(data, path)
        if value is MISSING or value is None:
            return None
        if isinstance(value, Ref) and value.attribute == issuer_attribute:
            return value
        if is_unknown(value):
            return Unknown(f"the issuer URL is not a cluster's issuer attribute ({value.reason})")
        return Unknown(f"the issuer URL {value!r} is written out, so which cluster it belongs to is not known")

    return read


def nearest_location(locations: Mapping[str, Location], path: str, fallback: Location) -> Location:
    """The location of ``path`` or of its nearest written parent."""
    while path:
        if path in locations:
            return locations[path]
        path = path.rpartition(".")[0]
    return fallback


def apply_mapping(resource: Resource, mapping: FieldMap, data: dict, locations: Mapping[str, Location]) -> None:
    """Fill ``resource`` from ``data`` per ``mapping``: values, their lines, and defaults."""
    for name, source in mapping.fields.items():
        if callable(source):
            value = source(data)
            path = None
        else:
            value = dig(data, source)
            path = source
            resource.source_names[name] = source.rsplit(".", 1)[-1]
        if value is MISSING or value is None:
            continue
        where = nearest_location(locations, path, resource.location) if path else resource.location
        resource.set(name, coerce(name, value), where)
    for name, default in mapping.defaults.items():
        if name not in resource.fields:
            resource.default(name, default)
            source = mapping.fields.get(name)
            if isinstance(source, str):
                resource.field_locations[name] = nearest_location(locations, source, resource.location)
    resource.identity_fields = tuple((name, mapping.identity_prefix) for name in mapping.identities)
    aliases = list(resource.aliases)
    for name in mapping.identities:
        value = resource.fields.get(name)
        if isinstance(value, str) and value:
            aliases.append(value)
            if mapping.identity_prefix:
                aliases.append(mapping.identity_prefix + value)
    resource.aliases = tuple(aliases)
