"""Lazy views of evaluated blocks: resource and data instances, nested blocks, module outputs.

An attribute the configuration sets evaluates to its value; one it does not set (``id``,
``arn``, ``vpc_config[0].cluster_security_group_id``) is a Ref to the instance address and
the attribute path, which the linker follows.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from analyzer.location import Location
from analyzer.terraform.errors import EvalError
from analyzer.terraform.expressions import Scope, evaluate_safely
from analyzer.terraform.known_attributes import CharacterSet, known_attribute
from analyzer.terraform.lazy import LazyObject, make_ref, shallow_dict
from analyzer.terraform.module import META_ARGUMENTS, RESOURCE_META_BLOCKS
from analyzer.terraform.operations import derived_unknown, iterate
from analyzer.terraform.syntax import Block, Body, unwrap
from analyzer.values import Generated, Ref, Unknown, is_unknown

if TYPE_CHECKING:
    from analyzer.terraform.instances import ModuleInstance


class BodyView(LazyObject):
    """The attributes and nested blocks of one block body, evaluated on demand."""

    def __init__(
        self,
        instance: ModuleInstance,
        body: Body,
        bindings: dict[str, Any],
        target: str,
        path: str,
        location: Location,
        *,
        data_source: bool = False,
        top_level: bool = False,
    ) -> None:
        self.instance = instance
        self.body = body
        self.bindings = bindings
        self.target = target  # instance address, e.g. 'module.eks.aws_eks_cluster.this[0]'
        self.path = path  # attribute path prefix inside the instance, e.g. "vpc_config.0."
        self.location = location
        self.data_source = data_source
        self.top_level = top_level

    # -- what is configured --

    def attribute_names(self) -> list[str]:
        names = list(self.body.attributes)
        return [n for n in names if n not in META_ARGUMENTS] if self.top_level else names

    def block_types(self) -> list[str]:
        types: list[str] = []
        for block in self.body.blocks:
            block_type = block.labels[0] if block.type == "dynamic" and block.labels else block.type
            if block.type == "dynamic" and not block.labels:
                continue
            if self.top_level and block_type in RESOURCE_META_BLOCKS:
                continue
            if block_type not in types:
                types.append(block_type)
        return types

    def keys(self) -> list[str]:
        return self.attribute_names() + [t for t in self.block_types() if t not in self.body.attributes]

    # -- reading --

    def get_attr(self, name: str) -> Any:
        if name in self.body.attributes and (not self.top_level or name not in META_ARGUMENTS):
            value = self.attribute(name)
            if value is not None:
                return value
            # null means "not set": the provider may compute it (a name from name_prefix, ...)
            return make_ref(self.target, self.path + name, self.location, data_source=self.data_source)
        if name in self.block_types():
            return self.nested(name)
        return make_ref(self.target, self.path + name, self.location, data_source=self.data_source)

    def get_index(self, key: Any) -> Any:
        raise EvalError(f"{self.describe()} is a single object and cannot be indexed")

    def describe(self) -> str:
        return self.target + (f" ({self.path.rstrip('.')})" if self.path else "")

    def scope(self, display: str) -> Scope:
        return Scope(self.instance, self.bindings, display)

    def attribute(self, name: str) -> Any:
        attribute = self.body.attributes[name]
        label = f"{self.target}.{self.path}{name}"
        return self.instance.root.once(
            ("attr", self.target, self.path, name),
            label,
            attribute.location,
            lambda: evaluate_safely(attribute.expr, self.scope(attribute.location.path), attribute.location),
        )

    def nested(self, block_type: str) -> Any:
        """The nested blocks of one type as a list of BlockViews (dynamic blocks expanded)."""
        label = f"{self.target}.{self.path}{block_type}"
        return self.instance.root.once(
            ("blocks", self.target, self.path, block_type),
            label,
            self.location,
            lambda: self._expand_blocks(block_type),
        )

    def _expand_blocks(self, block_type: str) -> Any:
        views: list[BlockView] = []
        for block in self.body.blocks:
            if block.type == block_type:
                views.append(self._block_view(block.body, self.bindings, block_type, len(views), block.location))
            elif block.type == "dynamic" and block.labels and block.labels[0] == block_type:
                expanded = self._expand_dynamic(block, block_type, len(views))
                if isinstance(expanded, Unknown):
                    return expanded
                views.extend(expanded)
        return views

    def _block_view(
        self, body: Body, bindings: dict[str, Any], block_type: str, index: int, location: Location
    ) -> BlockView:
        return BlockView(
            self.instance,
            body,
            bindings,
            self.target,
            f"{self.path}{block_type}.{index}.",
            location,
            data_source=self.data_source,
        )

    def _expand_dynamic(self, block: Block, block_type: str, start: int) -> Any:
        for_each = block.body.attributes.get("for_each")
        contents = block.body.blocks_of("content")
        if for_each is None or not contents:
            return []
        collection = evaluate_safely(for_each.expr, self.scope(for_each.location.path), for_each.location)
        pairs = iterate(shallow_dict(collection)) if not is_unknown(collection) else derived_unknown(collection)
        if isinstance(pairs, Unknown):
            return Unknown(f'dynamic "{block_type}" for_each is unknown: {pairs.reason}', for_each.location)
        iterator = _iterator_name(block) or block_type
        return [
            self._block_view(
                contents[0].body,
                {**self.bindings, iterator: {"key": key, "value": value}},
                block_type,
                start + offset,
                block.location,
            )
            for offset, (key, value) in enumerate(pairs)
        ]


def _iterator_name(block: Block) -> str | None:
    attribute = block.body.attributes.get("iterator")
    if attribute is None:
        return None
    node = unwrap(attribute.expr)
    return str(node.children[0]) if node.data == "identifier" else None


class BlockView(BodyView):
    """One nested block (``vpc_config``, ``ingress``, a dynamic block's instance)."""


class ResourceView(BodyView):
    """One resource or data source instance."""

    def __init__(
        self, instance: ModuleInstance, decl, address: str, bindings: dict[str, Any], index: int | str | None
    ) -> None:
        super().__init__(
            instance,
            decl.block.body,
            bindings,
            address,
            "",
            decl.block.location,
            data_source=decl.mode == "data",
            top_level=True,
        )
        self.decl = decl
        self.index = index
        self.bindings = {**bindings, "self": self}

    def get_attr(self, name: str) -> Any:
        if name not in self.body.attributes:
            known = known_attribute(self.decl.type, name, self._argument, data=self.data_source)
            if isinstance(known, CharacterSet):
                return _generated(super().get_attr(name), known)
            if isinstance(known, Unknown) and not isinstance(known, Ref):
                return _same_as_argument(super().get_attr(name), known)
            if known is not None:
                return known
        return super().get_attr(name)

    def _argument(self, name: str) -> Any:
        if name in self.body.attributes:
            return self.attribute(name)
        return self.nested(name) if name in self.block_types() else None


def _generated(ref: Any, characters: CharacterSet) -> Any:
    """The computed attribute's Ref (its identity), knowing its alphabet and length."""
    if not isinstance(ref, Ref) or type(ref) is not Ref:
        return ref
    return Generated(
        ref.reason,
        ref.origin,
        target=ref.target,
        attribute=ref.attribute,
        alphabet=characters.alphabet,
        length=characters.length,
    )


def _same_as_argument(ref: Any, argument: Unknown) -> Any:
    """A computed attribute that equals an argument whose value is not known: still the Ref
    (the identity the linker follows), its reason the argument's ("aws_eks_cluster.x.id is its
    name: var.cluster_name has no value")."""
    if not isinstance(ref, Ref):
        return ref
    reason = f"{ref.target}.{ref.attribute} is its name: {argument.reason}"
    return dataclasses.replace(ref, reason=reason)


class ModuleOutputs(LazyObject):
    """``module.x``: the outputs of one module instance."""

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def keys(self) -> list[str]:
        return list(self.instance.definition.outputs)

    def get_attr(self, name: str) -> Any:
        if name not in self.instance.definition.outputs:
            raise EvalError(f'{self.instance.address} has no output "{name}"')
        return self.instance.output(name)

    def describe(self) -> str:
        return self.instance.address
