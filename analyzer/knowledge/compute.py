"""A managed node group's compute fields as the CreateNodegroup API checks them:
instance types that exist (``ec2_instance_types.json``, refreshed by
``scripts/refresh_ec2_instance_types.py``), at most 20 of them, and a name of at most 63
characters (Terraform's ``node_group_name_prefix`` gets a 26-character suffix)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown

MAX_INSTANCE_TYPES = 20
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


@predicate("compute.nodegroup_problem")
def nodegroup_problem(model: Model, node: Any) -> Any:
    """{field, text, certain} for what the node group API refuses, None, or Unknown."""
    if not isinstance(node, Resource):
        return None
    name_problem = _name_problem(node)
    if name_problem is not None:
        return name_problem
    types = node.get("instance_types")
    if types is None:
        return None
    if is_unknown(types) or not isinstance(types, list):
        return Unknown(f"the instance types of {node.address} are not known ({getattr(types, 'reason', types)})")
    field = "instance_types"
    if len(types) > MAX_INSTANCE_TYPES:
        return {
            "field": field,
            "certain": False,
            "text": f"lists {len(types)} instance types; at most {MAX_INSTANCE_TYPES} are allowed",
        }
    unknown = None
    for value in types:
        if is_unknown(value) or not isinstance(value, str) or _placeholder(value):
            unknown = (
                unknown
                if unknown is not None
                else Unknown(f"an instance type of {node.address} is not known ({getattr(value, 'reason', value)})")
            )
            continue
        if value in known_instance_types():
            continue
        family = value.split(".", 1)[0]
        return {
            "field": field,
            "certain": family in known_families(),
            "text": f"asks for instance type {value}, which EC2 does not offer"
            + (
                ""
                if family in known_families()
                else " as far as eksjoin's list of instance types knows (refresh it if the type is new)"
            ),
        }
    return unknown


def _name_problem(node: Resource) -> Any:
    name, prefix = node.get("name"), node.get("name_prefix")
    if prefix is not None and isinstance(name, str) and name == prefix:
        limit, written = MAX_NAME - TERRAFORM_UNIQUE_SUFFIX, "node_group_name_prefix"
    else:
        limit, written = MAX_NAME, "name"
    if isinstance(name, str) and len(name) > limit:
        return {
            "field": "name" if written == "name" else "name_prefix",
            "certain": True,
            "text": f"has a {written} of {len(name)} characters ({name}); node group names have at most "
            f"{MAX_NAME} characters"
            + (f", and a prefix gets {TERRAFORM_UNIQUE_SUFFIX} more" if written != "name" else ""),
        }
    return None
