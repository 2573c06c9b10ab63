"""Terraform's operators, indexing, attribute access and equality over the value domain.

Unknown in, Unknown out: an operation with an unknown operand yields an Unknown that keeps
the operand's reason, so the final message still says *what* was not resolved.
"""

from __future__ import annotations

import math
from typing import Any

from analyzer.terraform.convert import format_number, normalize_number, to_bool, to_number, to_string, type_name
from analyzer.terraform.errors import EvalError
from analyzer.terraform.known_attributes import never_empty
from analyzer.terraform.lazy import LazyObject, UnknownInstances, extend_ref, materialize
from analyzer.terraform.sets import TfSet
from analyzer.values import EachOf, Encoded, Opaque, Ref, Unknown, first_unknown, is_unknown, key_value


def derived_unknown(*values: Any) -> Unknown:
    """A plain Unknown for a value computed from unknown inputs, keeping the first reason."""
    for value in values:
        hole = value if isinstance(value, Unknown) else first_unknown(value)
        if hole is not None:
            return Unknown(hole.reason, hole.origin)
    return Unknown("computed from unknown values")


def first_top_unknown(*values: Any) -> Any:
    return next((v for v in values if is_unknown(v)), None)


# --- arithmetic and logic ---------------------------------------------------------------


def arithmetic(operator: str, left: Any, right: Any) -> Any:
    if is_unknown(left) or is_unknown(right):
        return derived_unknown(left, right)
    a, b = to_number(left), to_number(right)
    if operator == "+":
        result = a + b
    elif operator == "-":
        result = a - b
    elif operator == "*":
        result = a * b
    elif operator == "/":
        if b == 0:
            raise EvalError("division by zero")
        result = a / b
    elif operator == "%":
        if b == 0:
            raise EvalError("modulo by zero")
        result = math.fmod(a, b)
    else:
        raise EvalError(f"unknown operator {operator}")
    return normalize_number(result)


def compare(operator: str, left: Any, right: Any) -> Any:
    if is_unknown(left) or is_unknown(right):
        return derived_unknown(left, right)
    a, b = to_number(left), to_number(right)
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[operator]


def logical_and(left: Any, right_thunk) -> Any:
    if not is_unknown(left) and to_bool(left) is False:
        return False
    right = right_thunk()
    if not is_unknown(right) and to_bool(right) is False:
        return False
    if is_unknown(left) or is_unknown(right):
        return derived_unknown(left, right)
    return True


def logical_or(left: Any, right_thunk) -> Any:
    if not is_unknown(left) and to_bool(left) is True:
        return True
    right = right_thunk()
    if not is_unknown(right) and to_bool(right) is True:
        return True
    if is_unknown(left) or is_unknown(right):
        return derived_unknown(left, right)
    return False


def negate(value: Any) -> Any:
    if is_unknown(value):
        return derived_unknown(value)
    return not to_bool(value)


def minus(value: Any) -> Any:
    if is_unknown(value):
        return derived_unknown(value)
    return normalize_number(-to_number(value))


# --- equality ---------------------------------------------------------------------------


def equals(left: Any, right: Any) -> Any:
    """Terraform ``==``: True/False, or an Unknown when unknown parts decide the answer."""
    return _equals(materialize(left), materialize(right), 0)


def _equals(a: Any, b: Any, depth: int) -> Any:
    if depth > 64:
        return Unknown("value nested too deeply to compare")
    if (_empty(a) and never_empty(b)) or (_empty(b) and never_empty(a)):
        return False  # var.ami_id != "" with ami_id = data.aws_ami.x.id
    if is_unknown(a) or is_unknown(b):
        return derived_unknown(a, b)
    if isinstance(a, EachOf) or isinstance(b, EachOf):
        return Unknown((a if isinstance(a, EachOf) else b).reason)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        return _all_equal([(x, y) for x, y in zip(a, b)], depth)
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return False
        return _all_equal([(a[k], b[k]) for k in a], depth)
    return False


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def _all_equal(pairs: list[tuple[Any, Any]], depth: int) -> Any:
    unknown = None
    for x, y in pairs:
        result = _equals(x, y, depth + 1)
        if result is False:
            return False
        if isinstance(result, Unknown):
            unknown = unknown if unknown is not None else result
    return unknown if unknown is not None else True


def not_equals(left: Any, right: Any) -> Any:
    result = equals(left, right)
    return result if isinstance(result, Unknown) else not result


def same_value(a: Any, b: Any) -> bool:
    """Strict identity of two values for de-duplication (unknowns only equal themselves)."""
    if a is b:
        return True
    result = equals(a, b)
    return result is True


# --- indexing and attributes ------------------------------------------------------------


def index_value(base: Any, key: Any) -> Any:
    """``base[key]``."""
    if isinstance(base, UnknownInstances):
        return base.instance
    if isinstance(base, EachOf):  # some element: like the stand-in
        return base[0] if base else Unknown(base.reason)
    if isinstance(base, Ref):
        if is_unknown(key):
            return derived_unknown(base)
        return extend_ref(base, _key_text(key))
    if isinstance(base, Opaque) and not is_unknown(key):
        return base  # a part of an unloaded module's output carries what the output carries
    if is_unknown(base):
        return derived_unknown(base)
    if is_unknown(key):
        return derived_unknown(key)
    if isinstance(base, LazyObject):
        return base.get_index(_key_text(key))
    if isinstance(base, list):
        position = to_number(key)
        if not isinstance(position, int) or position < 0 or position >= len(base):
            raise EvalError(
                f"index {format_number(position) if isinstance(position, (int, float)) else position} "
                f"is out of range for a list of {len(base)} elements"
            )
        return base[position]
    if isinstance(base, dict):
        name = to_string(key, "key")
        if name not in base:
            raise EvalError(f'the map has no element "{name}"')
        return base[name]
    if base is None:
        raise EvalError("cannot index a null value")
    raise EvalError(f"cannot index a {type_name(base)}")


def get_attr(base: Any, name: str) -> Any:
    """``base.name``."""
    if isinstance(base, UnknownInstances):
        return get_attr(base.instance, name)
    if isinstance(base, Ref):
        return extend_ref(base, name)
    if isinstance(base, Opaque):
        return base
    if is_unknown(base):
        return derived_unknown(base)
    if isinstance(base, LazyObject):
        return base.get_attr(name)
    if isinstance(base, dict):
        if name not in base:
            raise EvalError(f'object has no attribute "{name}"')
        return base[name]
    if isinstance(base, list):
        if name.isdigit():  # legacy `list.0`
            return index_value(base, int(name))
        raise EvalError(f'cannot read attribute "{name}" of a list; use an index or [*]')
    if base is None:
        raise EvalError(f'cannot read attribute "{name}" of a null value')
    raise EvalError(f'cannot read attribute "{name}" of a {type_name(base)}')


def _key_text(key: Any) -> Any:
    if isinstance(key, bool):
        raise EvalError("a bool cannot be used as an index")
    if isinstance(key, float):
        return normalize_number(key)
    return key


def splat_items(base: Any) -> Any:
    """The elements a splat iterates: a list as is, null as empty, anything else as one."""
    if isinstance(base, UnknownInstances):  # each instance is like the stand-in
        return EachOf([base.instance], base.reason)
    if isinstance(base, list):
        return base
    if base is None:
        return []
    if is_unknown(base) and not isinstance(base, Ref):
        return derived_unknown(base)
    return [base]


def iterate(collection: Any) -> Any:
    """(key, value) pairs of a list or map in Terraform's order, or an Unknown."""
    if isinstance(collection, UnknownInstances) or is_unknown(collection):
        return derived_unknown(collection)
    if isinstance(collection, EachOf):
        return Unknown(collection.reason)
    if isinstance(collection, LazyObject):
        collection = dict(collection.items())
    if isinstance(collection, TfSet):
        return [(item, item) for item in collection]
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return [(key_value(key), collection[key]) for key in sorted(collection)]
    if collection is None:
        raise EvalError("cannot iterate over a null value")
    raise EvalError(f"cannot iterate over a {type_name(collection)}")


def interpolate(value: Any) -> Any:
    """A value as it appears inside a string template."""
    value = materialize(value)
    if isinstance(value, Encoded):
        return Unknown(value.reason)
    return to_string(value, "value in a template")
