"""Turning evaluated module instances into TfBlocks with attribute locations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lark import Tree

from analyzer.location import Location
from analyzer.modules import is_fetched_code
from analyzer.terraform.instances import ModuleInstance
from analyzer.terraform.lazy import UnknownInstances, materialize
from analyzer.terraform.parsing import name_of, trees
from analyzer.terraform.syntax import Attribute, bare_variable, location_of, unwrap
from analyzer.terraform.types import TfBlock
from analyzer.terraform.views import BodyView, ResourceView
from analyzer.values import Unknown


def collect_blocks(instance: ModuleInstance) -> Iterator[TfBlock]:
    """Every resource and data instance of ``instance`` and of the modules it calls."""
    for key in instance.definition.resources:
        collection = instance.resource_collection(key)
        for view in _views(collection):
            yield build_block(instance, view, collection)
    for name in instance.definition.module_calls:
        for child in instance.module_children(name):
            yield from collect_blocks(child)


def _views(collection: Any) -> list[ResourceView]:
    if isinstance(collection, UnknownInstances):
        return [collection.instance]
    if isinstance(collection, list):
        return collection
    if isinstance(collection, dict):
        return list(collection.values())
    if isinstance(collection, ResourceView):
        return [collection]
    return []


def build_block(instance: ModuleInstance, view: ResourceView, collection: Any) -> TfBlock:
    decl = view.decl
    attributes = {name: _configured(view, name) for name in view.keys()}  # noqa: SIM118 -- views expose keys(), not iteration
    locations: dict[str, Location] = {}
    _body_locations(view, "", locations, lambda attribute: _editable_location(instance, attribute))
    chain = instance.call_chain
    return TfBlock(
        mode=decl.mode,
        type=decl.type,
        name=decl.name,
        address=view.target,
        attributes=attributes,
        location=decl.block.location,
        locations=locations,
        module_path=instance.address,
        index=view.index,
        module_call=chain[0][1] if chain else None,
        module_call_address=chain[0][0] if chain else None,
        note=collection.reason if isinstance(collection, UnknownInstances) else "",
        module_call_chain=tuple(chain),
    )


def _configured(view: BodyView, name: str) -> Any:
    """An attribute as written (null stays null), nested blocks as lists of such dicts."""
    if name in view.body.attributes:
        return materialize(view.attribute(name))
    if name not in view.block_types():  # computed by the evaluator (a policy document's json)
        return materialize(view.get_attr(name))
    blocks = view.nested(name)
    if isinstance(blocks, Unknown):
        return blocks
    return [{inner: _configured(block, inner) for inner in block.keys()} for block in blocks]  # noqa: SIM118


def _body_locations(
    view: BodyView, prefix: str, out: dict[str, Location], located: Callable[[Attribute], Location]
) -> None:
    for name in view.attribute_names():
        attribute = view.body.attributes[name]
        out[prefix + name] = located(attribute)
        literal_locations(attribute.expr, prefix + name, attribute.location.path, out, 0)
    for block_type in view.block_types():
        blocks = view.nested(block_type)
        if isinstance(blocks, Unknown):
            continue
        for position, block in enumerate(blocks):
            path = f"{prefix}{block_type}.{position}"
            out[path] = block.location
            _body_locations(block, path + ".", out, located)


def _editable_location(instance: ModuleInstance, attribute: Attribute) -> Location:
    """An attribute of fetched module code that is a bare ``var.x`` is located at the module
    argument the user wrote for it (the defect is fixed there); anything else where it is."""
    if not is_fetched_code(attribute.location.path):
        return attribute.location
    variable = bare_variable(attribute.expr)
    if variable is None:
        return attribute.location
    written = instance.input_location(variable, lambda location: not is_fetched_code(location.path))
    return written or attribute.location


def literal_locations(expr: Tree, path: str, display: str, out: dict[str, Location], depth: int) -> None:
    """Locations of the keys and elements of object and tuple literals (``tags.Name``, ``cidr_blocks.0``)."""
    if depth > 16:
        return
    node = unwrap(expr)
    if node.data == "object":
        for elem in trees(node):
            key = _literal_key(elem)
            if key is not None:
                out[f"{path}.{key}"] = location_of(elem, display)
                literal_locations(elem.children[-1], f"{path}.{key}", display, out, depth + 1)
    elif node.data == "tuple":
        for position, item in enumerate(trees(node)):
            out[f"{path}.{position}"] = location_of(item, display)
            literal_locations(item, f"{path}.{position}", display, out, depth + 1)


def _literal_key(elem: Tree) -> str | None:
    key_trees = trees(elem.children[0])
    if not key_trees:
        return None
    key = unwrap(key_trees[0])
    if key.data in ("identifier", "keyword"):
        return name_of(key)
    if key.data == "string" and all(
        isinstance(p.children[0], str) and getattr(p.children[0], "type", "") == "STRING_CHARS"
        for p in key.children
        if isinstance(p, Tree)
    ):
        return name_of(key)
    return None
