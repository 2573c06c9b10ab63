"""Creation order: which resources Terraform creates before a resource starts.

Terraform starts a resource once everything it references has been created: a reference
anywhere in its body (``count``, ``for_each``, nested and dynamic blocks), its
``depends_on``, and what the locals, variables and module outputs it reads reference in
turn; a ``depends_on`` (or ``count``/``for_each``) on a module block holds back every
resource inside the module. Dependencies are between declarations, not instances
(``aws_x.y[0]`` waits for all of ``aws_x.y``), so the graph is built over declarations with
their module path written without instance keys (``module.eks.module.node_group.aws_x.y``).

A module whose code is not available is one node: its outputs wait for its inputs. What a
template file reads is passed to ``templatefile`` in the call, so nothing is missed there.
Resources that reference nothing of each other are created concurrently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lark import Token, Tree

from analyzer.model.resource import CreationOrder
from analyzer.terraform.instances import ModuleInstance
from analyzer.terraform.module import ModuleCall, ModuleDefinition
from analyzer.terraform.parsing import name_of, trees
from analyzer.terraform.syntax import Body, unwrap
from analyzer.terraform.types import TfBlock

_INDEX = "[]"  # an index step in a reference (its key does not matter for dependencies)
_TRAVERSALS = {"get_attr_expr_term", "index_expr_term", "full_splat_expr_term", "attr_splat_expr_term"}
_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')
SLEEP_TYPE = "time_sleep"  # hashicorp/time: waits create_duration before what references it starts


def declaration_address(address: str) -> str:
    """``module.a["k"].aws_x.y[0]`` -> ``module.a.aws_x.y``: the declaration an instance belongs to."""
    return _INSTANCE_KEY.sub("", address)


@dataclass
class _Module:
    """One module declaration path: its code, and the call (in its parent) that makes it."""

    path: str  # "" for the root module, "module.eks.module.node_group." otherwise (with the dot)
    definition: ModuleDefinition | None  # None: the code is not available
    parent: _Module | None = None
    call: ModuleCall | None = None
    children: dict[str, _Module] = field(default_factory=dict)


class CreationGraph:
    """The dependency graph of one configuration, over declarations."""

    def __init__(self, root: ModuleInstance) -> None:
        self._modules: dict[str, _Module] = {}
        self._edges: dict[str, frozenset[str]] = {}
        self._before: dict[str, frozenset[str]] = {}
        self._register(root, "", None, None)

    # -- building ------------------------------------------------------------------------
    def _register(self, instance: ModuleInstance | None, path: str, parent: _Module | None, call: Any) -> _Module:
        module = _Module(path, instance.definition if instance is not None else None, parent, call)
        self._modules[path] = module
        if instance is None:
            return module
        for name, child_call in instance.definition.module_calls.items():
            children = instance.module_children(name)
            child = children[0] if children else None
            module.children[name] = self._register(child, f"{path}module.{name}.", module, child_call)
        return module

    # -- queries -------------------------------------------------------------------------
    def created_before(self, address: str) -> frozenset[str]:
        """Declaration addresses of every resource and data source created before
        ``address`` (a declaration address) starts."""
        if address not in self._before:
            self._before[address] = frozenset(self._reach(self._resource_node(address)))
        return self._before[address]

    def _resource_node(self, address: str) -> str:
        return "resource:" + address

    def _reach(self, start: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self._edges_of(start))
        found: set[str] = set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if node.startswith("resource:"):
                found.add(node.removeprefix("resource:"))
            stack.extend(self._edges_of(node))
        found.discard(start.removeprefix("resource:"))
        return found

    def _edges_of(self, node: str) -> frozenset[str]:
        if node not in self._edges:
            self._edges[node] = frozenset()  # a cycle (an error in Terraform) ends here
            self._edges[node] = frozenset(self._compute_edges(node))
        return self._edges[node]

    def _compute_edges(self, node: str) -> Iterator[str]:
        kind, _, rest = node.partition(":")
        if kind == "resource":
            yield from self._resource_edges(rest)
        elif kind in ("local", "output", "var"):
            path, _, name = rest.rpartition("|")
            yield from self._value_edges(kind, self._modules[path], name)
        elif kind == "held":  # what a module block holds back: its depends_on, count, for_each
            yield from self._held_edges(self._modules[rest])
        elif kind == "inputs":  # a module whose code is not here: everything it is given
            module = self._modules[rest]
            yield from self._call_edges(module, everything=True)

    def _resource_edges(self, address: str) -> Iterator[str]:
        path, key = _split_address(address)
        module = self._modules.get(path)
        if module is None or module.definition is None:
            return
        decl = module.definition.resources.get(key)
        if decl is None:
            return
        yield from self._references(module, _body_expressions(decl.block.body))
        yield from self._json_depends_on(module, decl.block.body)
        if module.parent is not None:
            yield f"held:{module.path}"

    def _value_edges(self, kind: str, module: _Module, name: str) -> Iterator[str]:
        definition = module.definition
        if definition is None:
            return
        if kind == "local" and name in definition.locals:
            yield from self._references(module, [definition.locals[name].expr])
        elif kind == "output" and definition.outputs.get(name) is not None:
            yield from self._references(module, [definition.outputs[name].expr])
        elif kind == "var" and module.call is not None and module.parent is not None:
            attribute = module.call.inputs().get(name)
            if attribute is not None:
                yield from self._references(module.parent, [attribute.expr])

    def _held_edges(self, module: _Module) -> Iterator[str]:
        yield from self._call_edges(module, everything=False)
        if module.parent is not None and module.parent.parent is not None:
            yield f"held:{module.parent.path}"

    def _call_edges(self, module: _Module, everything: bool) -> Iterator[str]:
        if module.call is None or module.parent is None:
            return
        attributes = module.call.block.body.attributes
        names = attributes if everything else [n for n in ("depends_on", "count", "for_each") if n in attributes]
        yield from self._references(
            module.parent, [attributes[n].expr for n in names if n not in ("source", "version")]
        )
        yield from self._json_depends_on(module.parent, module.call.block.body)
        if everything and module.parent.parent is not None:
            yield f"held:{module.parent.path}"

    def _references(self, module: _Module, expressions: list[Tree]) -> Iterator[str]:
        for expr in expressions:
            for chain in references(expr):
                yield from self._resolve(module, chain)

    def _json_depends_on(self, module: _Module, body: Body) -> Iterator[str]:
        depends_on = body.attributes.get("depends_on")
        if body.json_syntax and depends_on is not None:
            for chain in depends_on_strings(depends_on.expr):
                yield from self._resolve(module, chain)

    def _resolve(self, module: _Module, chain: tuple[str, ...]) -> Iterator[str]:
        definition = module.definition
        if definition is None or not chain:
            return
        head, rest = chain[0], [step for step in chain[1:] if step != _INDEX]
        if head in ("var", "local") and rest:
            yield f"{head}:{module.path}|{rest[0]}"
        elif head == "module" and rest:
            yield from self._module_reference(module, rest)
        elif head == "data" and len(rest) >= 2 and f"data.{rest[0]}.{rest[1]}" in definition.resources:
            yield f"resource:{module.path}data.{rest[0]}.{rest[1]}"
        elif rest and f"{head}.{rest[0]}" in definition.resources:
            yield f"resource:{module.path}{head}.{rest[0]}"

    def _module_reference(self, module: _Module, rest: list[str]) -> Iterator[str]:
        child = module.children.get(rest[0])
        if child is None:
            return
        if child.definition is None:
            yield f"inputs:{child.path}"
            return
        outputs = [rest[1]] if len(rest) > 1 else list(child.definition.outputs)
        for name in outputs:
            yield f"output:{child.path}|{name}"


def _split_address(address: str) -> tuple[str, str]:
    """``module.a.module.b.aws_x.y`` -> (``module.a.module.b.``, ``aws_x.y``)."""
    parts = address.split(".")
    position = 0
    while position + 1 < len(parts) and parts[position] == "module":
        position += 2
    return ".".join(parts[:position]) + ("." if position else ""), ".".join(parts[position:])


def _body_expressions(body: Body) -> list[Tree]:
    """Every expression of a resource body and its nested blocks, ``lifecycle`` aside (it
    names the resource's own attributes, and ``replace_triggered_by`` orders nothing)."""
    found = [attribute.expr for attribute in body.attributes.values()]
    for block in body.blocks:
        if block.type != "lifecycle":
            found.extend(_body_expressions(block.body))
    return found


def references(expr: Tree) -> list[tuple[str, ...]]:
    """The references in an expression, each as its name and attribute steps
    (``module.eks.cluster_name`` -> ("module", "eks", "cluster_name"))."""
    found: list[tuple[str, ...]] = []
    stack: list[Any] = [expr]
    while stack:
        node = stack.pop()
        if not isinstance(node, Tree):
            continue
        chain = _chain(node)
        if chain is not None:
            found.append(chain)
            stack.extend(_index_expressions(node))
            continue
        stack.extend(node.children)
    return found


def depends_on_strings(expr: Tree) -> list[tuple[str, ...]]:
    """``"depends_on": ["aws_x.y"]`` in JSON syntax: each plain string of a list as the
    reference it spells (a string that names nothing resolves to nothing)."""
    node = unwrap(expr)
    if node.data != "tuple":
        return []
    found = []
    for item in trees(node):
        inner = unwrap(item)
        if inner.data == "string":
            found.append(tuple(name_of(inner).split(".")))
    return found


def _chain(node: Tree) -> tuple[str, ...] | None:
    if node.data == "expr_term":
        inner = trees(node)
        if len(inner) != 1 or any(isinstance(c, Token) and c.type == "LPAR" for c in node.children):
            return None
        if inner[0].data == "identifier":
            return (str(inner[0].children[0]),)
        return _chain(inner[0]) if inner[0].data in _TRAVERSALS else None
    if node.data not in _TRAVERSALS:
        return None
    base, step = trees(node)[:2]
    head = _chain(base)
    if head is None:
        return None
    if node.data == "get_attr_expr_term":
        return head + (name_of(trees(step)[0]),)
    if node.data == "index_expr_term":
        return head + (_INDEX,)
    return head + (_INDEX, *(name_of(trees(s)[0]) for s in trees(step) if s.data == "get_attr"))


def _index_expressions(node: Tree) -> list[Tree]:
    """The expressions inside the index steps of a traversal (``aws_x.y[local.k]``)."""
    found: list[Tree] = []
    while isinstance(node, Tree):
        if node.data == "index_expr_term":
            base, index = trees(node)[:2]
            found.extend(trees(index))
            node = base
        elif node.data in _TRAVERSALS or (node.data == "expr_term" and len(trees(node)) == 1):
            node = trees(node)[0]
        else:
            break
    return found


# -- what a block is created after ---------------------------------------------------------


def order_blocks(root: ModuleInstance, blocks: list[TfBlock]) -> None:
    """Set ``order`` on every resource block: what Terraform creates before it starts."""
    graph = CreationGraph(root)
    durations = {
        declaration_address(block.address): block.attributes.get("create_duration")
        for block in blocks
        if block.mode == "resource" and block.type == SLEEP_TYPE
    }
    for block in blocks:
        if block.mode != "resource":
            continue
        key = declaration_address(block.address)
        after = graph.created_before(key)
        waits = tuple(sorted((node, durations[node]) for node in after if node in durations))
        block.order = CreationOrder(key, after, waits)
