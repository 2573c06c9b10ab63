"""A managed node group's compute fields as the CreateNodegroup API checks them:
the instance types and whether EC2 offers each (``ec2_instance_types.json``, refreshed by
``scripts/refresh_ec2_instance_types.py``), and the name with its limit of 63 characters
(Terraform's ``node_group_name_prefix`` gets a 26-character suffix)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown

MAX_NAME = 63
TERRAFORM_UNIQUE_SUFFIX = 26


@lru_cache(maxsize=1)
def known_instance_types() -> frozenset[str]:
    text = resources.files("analyzer.knowledge").joinpath("ec2_instance_types.json").read_text()
    return frozenset(json.loads(text)["types"])


@lru_cache(maxsize=1)
def known_families() -> frozenset[str]:
    return frozenset(t.split(".", 1)[0] for t in known_instance_types())


def _placeholder(value: str) -> bool:
    """Text a template or script fills in later (eksctl ``${INSTANCE_TYPE}``)."""
    return "${" in value or "{{" in value or value.startswith("$")


@predicate("compute.nodegroup_name")
def nodegroup_name(model: Model, node: Any) -> Any:
    """The node group's name as the API gets it: ``value``, its ``length`` (None when it is not
    known text), ``limit`` (63 characters; a Terraform node_group_name_prefix gets a
    26-character suffix, so 37 for it), ``written`` (name or node_group_name_prefix) and
    ``field`` (name or name_prefix, where it is set)."""
    if not isinstance(node, Resource):
        return None
    name, prefix = node.get("name"), node.get("name_prefix")
    from_prefix = prefix is not None and isinstance(name, str) and name == prefix
    return {
        "value": name,
        "length": len(name) if isinstance(name, str) else None,
        "limit": MAX_NAME - TERRAFORM_UNIQUE_SUFFIX if from_prefix else MAX_NAME,
        "written": "node_group_name_prefix" if from_prefix else "name",
        "field": "name_prefix" if from_prefix else "name",
    }


@predicate("compute.instance_types")
def instance_types(model: Model, node: Any) -> Any:
    """The node group's instance types: ``types``, each {type, offered (in EC2's list),
    family_known (the list knows its family, so a type it lacks does not exist)} or an Unknown
    for a type that is not known; ``count``: how many are listed. Both are Unknown when the
    list is not known."""
    if not isinstance(node, Resource):
        return None
    types = node.get("instance_types")
    if types is None:
        return {"types": [], "count": 0}
    if is_unknown(types) or not isinstance(types, list):
        hole = Unknown(f"the instance types of {node.address} are not known ({getattr(types, 'reason', types)})")
        return {"types": hole, "count": hole}
    found: list[Any] = []
    for value in types:
        if is_unknown(value) or not isinstance(value, str) or _placeholder(value):
            found.append(
                Unknown(f"an instance type of {node.address} is not known ({getattr(value, 'reason', value)})")
            )
            continue
        family = value.split(".", 1)[0]
        found.append(
            {"type": value, "offered": value in known_instance_types(), "family_known": family in known_families()}
        )
    return {"types": found, "count": len(types)}
