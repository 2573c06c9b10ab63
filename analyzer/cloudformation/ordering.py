"""Creation order in a template: CloudFormation creates a resource after every resource it
names in ``DependsOn``, ``Ref``, ``Fn::GetAtt`` or a ``${...}`` of ``Fn::Sub``, and after
what those wait for in turn; resources that do not name each other are created in parallel.
"""

from __future__ import annotations

import re
from typing import Any

from analyzer.model.resource import CreationOrder

_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")  # ${Name} or ${Name.Attribute}, not ${!literal}


def creation_orders(resources: dict, scope: str) -> dict[str, CreationOrder]:
    """Each logical ID's CreationOrder, keyed ``scope#LogicalId`` like resource keys."""
    names = {str(logical_id) for logical_id in resources}
    direct = {str(logical_id): _named(body, names) - {str(logical_id)} for logical_id, body in resources.items()}
    orders = {}
    for name in direct:
        after = _closure(name, direct)
        orders[name] = CreationOrder(f"{scope}#{name}", frozenset(f"{scope}#{a}" for a in after))
    return orders


def _closure(name: str, direct: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(direct.get(name, ()))
    while stack:
        other = stack.pop()
        if other in seen:
            continue
        seen.add(other)
        stack.extend(direct.get(other, ()))
    seen.discard(name)
    return seen


def _named(body: Any, names: set[str]) -> set[str]:
    """The logical IDs a resource's body waits for."""
    if not isinstance(body, dict):
        return set()
    found = set(_depends_on(body.get("DependsOn"), names))
    for key in ("Properties", "Metadata", "UpdatePolicy", "CreationPolicy"):
        if key in body:
            found |= _references(body[key], names)
    return found


def _depends_on(value: Any, names: set[str]) -> list[str]:
    listed = value if isinstance(value, list) else [value]
    return [str(item) for item in listed if isinstance(item, str) and str(item) in names]


def _references(node: Any, names: set[str]) -> set[str]:
    found: set[str] = set()
    stack, seen = [node], set()
    while stack:
        value = stack.pop()
        if id(value) in seen:  # an alias met twice (or inside itself) is read once
            continue
        seen.add(id(value))
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            for key, inner in value.items():
                found |= _intrinsic(str(key), inner, names)
                stack.append(inner)
    return found


def _intrinsic(key: str, argument: Any, names: set[str]) -> set[str]:
    if key == "Ref" and isinstance(argument, str):
        return {str(argument)} & names
    if key == "Fn::GetAtt":
        target = argument[0] if isinstance(argument, list) and argument else argument
        if isinstance(target, str):
            return {str(target).split(".", 1)[0]} & names
    if key == "Fn::Sub":
        text = argument[0] if isinstance(argument, list) and argument else argument
        local = (
            set(argument[1])
            if isinstance(argument, list) and len(argument) > 1 and isinstance(argument[1], dict)
            else set()
        )
        if isinstance(text, str):
            return {m.split(".", 1)[0].strip() for m in _SUB_NAME.findall(text)} & (names - {str(n) for n in local})
    return set()
