"""Terraform's type conversions and type constraints (``list(string)``, ``optional(T, d)``).

Conversions here are loose on purpose: a value that does not fit its declared type is
passed through unchanged rather than rejected, because the analyzer must never fail
where Terraform's own validation would speak first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lark import Tree

from analyzer.terraform.errors import EvalError
from analyzer.terraform.lazy import LazyObject, shallow_dict
from analyzer.terraform.parsing import name_of, trees
from analyzer.terraform.sets import TfSet
from analyzer.values import EachOf, Encoded, PartialStr, Unknown, is_unknown

# --- primitive conversions --------------------------------------------------------------


def normalize_number(value: int | float) -> int | float:
    """Terraform numbers are decimal: 4.0 and 4 are the same number (shown as 4)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def format_number(value: int | float) -> str:
    value = normalize_number(value)
    if isinstance(value, int):
        return str(value)
    if math.isinf(value) or math.isnan(value):
        raise EvalError("number is not finite")
    text = repr(value)
    if "e" in text:
        text = format(value, "f").rstrip("0").rstrip(".")
    return text


def to_string(value: Any, what: str = "value") -> Any:
    """String conversion as in interpolation: numbers and bools convert, null and collections do not."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, (Unknown, PartialStr)):
        return value
    if isinstance(value, Encoded):
        return Unknown(f"{value.reason}")
    if value is None:
        raise EvalError(f"cannot use a null {what} as a string")
    kind = "list" if isinstance(value, list) else "object"
    raise EvalError(f"cannot convert a {kind} to a string")


def to_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise EvalError("cannot convert a bool to a number")
    if isinstance(value, (int, float)):
        return normalize_number(value)
    if isinstance(value, str):
        try:
            number = float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            raise EvalError(f"cannot convert {value!r} to a number") from None
        return normalize_number(number)
    if is_unknown(value):
        return value if isinstance(value, Unknown) else Unknown(value.reason)
    raise EvalError(f"cannot convert {type_name(value)} to a number")


def to_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    if is_unknown(value):
        return value if isinstance(value, Unknown) else Unknown(value.reason)
    if value is None:
        raise EvalError("a null value cannot be used as a bool")
    raise EvalError(f"cannot convert {type_name(value)} to a bool")


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (str, PartialStr)):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, (dict, LazyObject)):
        return "object"
    return "unknown"


# --- type constraints -------------------------------------------------------------------


@dataclass
class TypeConstraint:
    kind: str  # string number bool any list set map tuple object
    element: TypeConstraint | None = None  # list/set/map
    elements: list[TypeConstraint] = field(default_factory=list)  # tuple
    attributes: dict[str, ObjectAttribute] = field(default_factory=dict)  # object


@dataclass
class ObjectAttribute:
    type: TypeConstraint
    optional: bool = False
    default: Any = None


ANY = TypeConstraint("any")


def parse_type(expr: Tree, evaluate_default: Callable[[Tree], Any]) -> TypeConstraint:
    """A type constraint from its expression tree; anything unrecognised is ``any``."""
    try:
        return _parse_type(expr, evaluate_default)
    except (EvalError, IndexError, KeyError, AttributeError):
        return ANY


def _parse_type(expr: Tree, evaluate_default: Callable[[Tree], Any]) -> TypeConstraint:
    node = expr
    while node.data == "expr_term" and len(trees(node)) == 1:
        node = trees(node)[0]
    if node.data in ("identifier", "keyword"):
        name = name_of(node)
        return TypeConstraint(name) if name in ("string", "number", "bool", "any") else ANY
    if node.data == "string":  # legacy quoted types: "string", "list", "map"
        legacy = name_of(node)
        return (
            TypeConstraint(legacy, element=ANY)
            if legacy in ("list", "map")
            else TypeConstraint(legacy if legacy in ("string", "number", "bool") else "any")
        )
    if node.data != "function_call":
        return ANY
    name = name_of(node.children[0])
    arguments = [t for t in trees(node) if t.data == "arguments"]
    args = trees(arguments[0]) if arguments else []
    if name in ("list", "set", "map"):
        return TypeConstraint(name, element=_parse_type(args[0], evaluate_default) if args else ANY)
    if name == "tuple":
        inner = _unwrap(args[0])
        return TypeConstraint("tuple", elements=[_parse_type(t, evaluate_default) for t in trees(inner)])
    if name == "object":
        inner = _unwrap(args[0])
        attributes = {}
        for elem in trees(inner):
            key = name_of(_unwrap(trees(elem.children[0])[0]) if trees(elem.children[0]) else elem.children[0])
            attributes[key] = _parse_attribute(elem.children[-1], evaluate_default)
        return TypeConstraint("object", attributes=attributes)
    return ANY


def _parse_attribute(expr: Tree, evaluate_default: Callable[[Tree], Any]) -> ObjectAttribute:
    node = _unwrap(expr)
    if node.data == "function_call" and name_of(node.children[0]) == "optional":
        arguments = [t for t in trees(node) if t.data == "arguments"]
        args = trees(arguments[0]) if arguments else []
        default = evaluate_default(args[1]) if len(args) > 1 else None
        return ObjectAttribute(_parse_type(args[0], evaluate_default), True, default)
    return ObjectAttribute(_parse_type(expr, evaluate_default))


def _unwrap(expr: Tree) -> Tree:
    while expr.data == "expr_term" and len(trees(expr)) == 1:
        expr = trees(expr)[0]
    return expr


def convert(value: Any, constraint: TypeConstraint, depth: int = 0) -> Any:
    """Convert ``value`` to ``constraint`` where that is safe; otherwise leave it as is."""
    if value is None or is_unknown(value) or constraint.kind == "any" or depth > 32:
        return value
    try:
        return _CONVERTERS[constraint.kind](value, constraint, depth)
    except EvalError:
        return value


def _convert_string(value: Any, constraint: TypeConstraint, depth: int) -> Any:
    return to_string(value) if isinstance(value, (bool, int, float)) else value


def _convert_number(value: Any, constraint: TypeConstraint, depth: int) -> Any:
    return to_number(value) if isinstance(value, str) else value


def _convert_bool(value: Any, constraint: TypeConstraint, depth: int) -> Any:
    return to_bool(value) if isinstance(value, str) else value


def _convert_list(value: Any, constraint: TypeConstraint, depth: int) -> Any:
    if isinstance(value, dict):
        return value
    if not isinstance(value, list):
        return value
    items = [convert(item, constraint.element or ANY, depth + 1) for item in value]
    if isinstance(value, EachOf):  # still as many elements as the unknown count
        return value.like(items)
    if constraint.kind == "set":
        items = TfSet(_dedupe(items))
    return items


def _dedupe(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if is_unknown(item) or not any(_same(item, seen) for seen in out):
            out.append(item)
    if all(isinstance(item, str) for item in out):
        out.sort()
    return out


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _convert_map(value: Any, constraint: TypeConstraint, depth: int) -> Any:
    value = shallow_dict(value)
    if not isinstance(value, dict):
        return value
    return {key: convert(item, constraint.element or ANY, depth + 1) for key, item in value.items()}


def _convert_tuple(value: Any, constraint: TypeConstraint, depth: int) -> Any:
    if not isinstance(value, list) or len(value) != len(constraint.elements):
        return value
    return [convert(item, element, depth + 1) for item, element in zip(value, constraint.elements)]


def _convert_object(value: Any, constraint: TypeConstraint, depth: int) -> Any:
    value = shallow_dict(value)
    if not isinstance(value, dict):
        return value
    out = {}
    for name, attribute in constraint.attributes.items():
        item = value.get(name)
        if item is None and attribute.optional:
            item = attribute.default
        if name in value or attribute.optional:
            out[name] = convert(item, attribute.type, depth + 1)
    return out


_CONVERTERS: dict[str, Callable[[Any, TypeConstraint, int], Any]] = {
    "string": _convert_string,
    "number": _convert_number,
    "bool": _convert_bool,
    "list": _convert_list,
    "set": _convert_list,
    "map": _convert_map,
    "tuple": _convert_tuple,
    "object": _convert_object,
}
