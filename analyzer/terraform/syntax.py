"""The structure of a configuration file (bodies, attributes, blocks), whatever its syntax.

Native HCL and Terraform's JSON syntax both become ``Body`` objects whose attribute
expressions are raw Lark trees: JSON values are parsed with the HCL grammar too (JSON is
close to a subset of HCL expressions), so strings get the same ``${}`` template handling
and every value keeps its line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lark import Token, Tree

from analyzer.location import Location
from analyzer.terraform.errors import EvalError
from analyzer.terraform.parsing import name_of, node_position, trees


@dataclass
class Attribute:
    name: str
    expr: Tree
    location: Location


@dataclass
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    location: Location


@dataclass
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    # JSON syntax cannot tell a nested block from an object attribute; its bodies say so here
    json_syntax: bool = False

    def blocks_of(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]


def location_of(node: Tree | Token, display: str) -> Location:
    line, column = node_position(node)
    return Location(display, line, column)


# --- native syntax ---------------------------------------------------------------------


def body_from_hcl(body: Tree, display: str) -> Body:
    result = Body()
    for item in trees(body):
        if item.data == "attribute":
            name = name_of(item.children[0])
            result.attributes[name] = Attribute(name, item.children[-1], location_of(item, display))
        elif item.data == "block":
            result.blocks.append(_block_from_hcl(item, display))
    return result


def _block_from_hcl(block: Tree, display: str) -> Block:
    parts = trees(block)
    inner = parts[-1]
    header = [name_of(p) for p in parts[:-1]]
    return Block(header[0], tuple(header[1:]), body_from_hcl(inner, display), location_of(block, display))


def file_body(tree: Tree, display: str) -> Body:
    """The top-level body of a parsed ``.tf`` file."""
    return body_from_hcl(tree.children[0], display)


# --- JSON syntax -----------------------------------------------------------------------

# Top-level block types whose JSON form nests one object level per label.
_JSON_LABEL_COUNTS = {
    "resource": 2,
    "data": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "check": 1,
    "removed": 0,
}
_JSON_SKIPPED_KEYS = frozenset({"//", "lifecycle", "provisioner", "connection"})


def json_file_body(tree: Tree, display: str) -> Body:
    """The top-level body of a ``.tf.json`` file parsed as ``__expression__ = <json>``."""
    attribute = next(t for t in trees(tree.children[0]) if t.data == "attribute")
    body = Body(json_syntax=True)
    for key, value, location in _object_items(attribute.children[-1], display):
        labels = _JSON_LABEL_COUNTS.get(key)
        if labels is None:
            continue
        for block_value in _as_object_list(value):
            body.blocks.extend(_json_blocks(key, (), block_value, labels, display, location))
    return body


def _json_blocks(
    block_type: str, labels: tuple[str, ...], value: Tree, remaining: int, display: str, location: Location
) -> list[Block]:
    if remaining == 0:
        return [Block(block_type, labels, _json_body(value, display), location)]
    blocks: list[Block] = []
    for key, inner, inner_location in _object_items(value, display):
        for item in _as_object_list(inner):
            blocks.extend(_json_blocks(block_type, labels + (key,), item, remaining - 1, display, inner_location))
    return blocks


def _json_body(value: Tree, display: str) -> Body:
    """A block body in JSON syntax: every property is an attribute, except ``dynamic``."""
    body = Body(json_syntax=True)
    for key, expr, location in _object_items(value, display):
        if key in _JSON_SKIPPED_KEYS:
            continue
        if key == "dynamic":
            for item in _as_object_list(expr):
                body.blocks.extend(_json_blocks("dynamic", (), item, 1, display, location))
            continue
        body.attributes[key] = Attribute(key, expr, location)
    if "content" in body.attributes and "for_each" in body.attributes:  # inside a dynamic block
        content = body.attributes.pop("content")
        for item in _as_object_list(content.expr):
            body.blocks.append(Block("content", (), _json_body(item, display), content.location))
    return body


def unwrap(expr: Tree) -> Tree:
    """Skip ``expr_term`` wrappers down to the value node."""
    while isinstance(expr, Tree) and expr.data == "expr_term":
        inner = trees(expr)
        if len(inner) != 1 or any(isinstance(c, Token) and c.type == "LPAR" for c in expr.children):
            break
        expr = inner[0]
    return expr


def bare_variable(expr: Tree) -> str | None:
    """``x`` when ``expr`` is ``var.x`` or a traversal into it (``var.x.y``, ``var.x[0]``)."""
    node = unwrap(expr)
    while isinstance(node, Tree) and node.data in ("get_attr_expr_term", "index_expr_term"):
        base, step = trees(node)[:2]
        base = unwrap(base)
        if node.data == "get_attr_expr_term" and base.data == "identifier" and name_of(base) == "var":
            return name_of(trees(step)[0])
        node = base
    return None


def _object_items(node: Tree, display: str) -> list[tuple[str, Tree, Location]]:
    node = unwrap(node)
    if node.data != "object":
        raise EvalError(f"{display}: expected a JSON object")
    items = []
    for elem in trees(node):
        key_node, value = elem.children[0], elem.children[-1]
        key_trees = trees(key_node)
        key = name_of(unwrap(key_trees[0])) if key_trees else str(key_node.children[0])
        items.append((key, value, location_of(elem, display)))
    return items


def _as_object_list(value: Tree) -> list[Tree]:
    node = unwrap(value)
    if node.data == "tuple":
        return [unwrap(t) for t in trees(node)]
    return [node]
