"""The comparison operators rules may use. Each returns True, False or an Unknown."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from analyzer.engine.patterns import search_every
from analyzer.model.resource import Resource
from analyzer.values import EachOf, PartialStr, Unknown, character_positions, first_unknown, is_unknown

Operator = Callable[[Any, Any], "bool | Unknown"]
OPERATORS: dict[str, Operator] = {}


def operator(name: str) -> Callable[[Operator], Operator]:
    def register(fn: Operator) -> Operator:
        OPERATORS[name] = fn
        return fn

    return register


def _unknown_in(*values: Any) -> Unknown | None:
    for value in values:
        if isinstance(value, Resource):
            continue
        hole = first_unknown(value)
        if hole is not None:
            return hole
    return None


def _strict(fn: Callable[[Any, Any], bool]) -> Operator:
    """Wrap a comparison that needs both sides fully known."""

    def wrapped(value: Any, arg: Any) -> bool | Unknown:
        hole = _unknown_in(value, arg)
        return hole if hole is not None else fn(value, arg)

    return wrapped


@operator("known")
def _known(value: Any, _arg: Any) -> bool:
    return value is not None and not is_unknown(value)


@operator("present")
def _present(value: Any, _arg: Any) -> bool:
    """Set at all; an unknown value is present."""
    return value is not None and value != []


@operator("resolved")
def _resolved(value: Any, _arg: Any) -> bool:
    """Names a resource of the analyzed files (not an external or unknown one)."""
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, Resource) for v in value)
    return isinstance(value, Resource)


@operator("exists")
def _exists(value: Any, _arg: Any) -> bool | Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, EachOf):  # as many elements as an unknown count: maybe none
        return Unknown(value.reason)
    return value is not None and value != [] and value != {}


@operator("absent")
def _absent(value: Any, arg: Any) -> bool | Unknown:
    present = _exists(value, arg)
    return present if isinstance(present, Unknown) else not present


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Resource) or isinstance(b, Resource):
        return a is b
    return a == b


OPERATORS["equals"] = _strict(_same)
OPERATORS["not_equals"] = _strict(lambda a, b: not _same(a, b))


@operator("same_as")
def _same_as(value: Any, arg: Any) -> bool | Unknown:
    hole = _unknown_in(value, arg)
    if hole is not None:
        return hole
    return _same(value, arg)


@operator("is_true")
def _is_true(value: Any, _arg: Any) -> bool | Unknown:
    hole = _unknown_in(value)
    return hole if hole is not None else value is True


@operator("is_false")
def _is_false(value: Any, _arg: Any) -> bool | Unknown:
    hole = _unknown_in(value)
    return hole if hole is not None else value is False


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


@operator("in")
def _in(value: Any, arg: Any) -> bool | Unknown:
    hole = _unknown_in(value)
    if hole is not None:
        return hole
    options = _as_list(arg)
    if any(_same(value, option) for option in options):
        return True
    hole = _unknown_in(options)
    return hole if hole is not None else False


@operator("not_in")
def _not_in(value: Any, arg: Any) -> bool | Unknown:
    result = _in(value, arg)
    return result if isinstance(result, Unknown) else not result


@operator("contains")
def _contains(value: Any, arg: Any) -> bool | Unknown:
    return _in(arg, value)


@operator("contains_all")
def _contains_all(value: Any, arg: Any) -> bool | Unknown:
    results = [_contains(value, item) for item in _as_list(arg)]
    if any(r is False for r in results):
        return False
    return next((r for r in results if isinstance(r, Unknown)), True)


@operator("contains_any")
def _contains_any(value: Any, arg: Any) -> bool | Unknown:
    results = [_contains(value, item) for item in _as_list(arg)]
    if any(r is True for r in results):
        return True
    return next((r for r in results if isinstance(r, Unknown)), False)


def _searched(fn: Callable[[Any, Any], bool], negate: bool) -> Operator:
    """A regular expression over a string, also one whose holes have a known alphabet and
    length (a random suffix): decided when every possible string gives the same answer."""
    strict = _strict(fn)

    def wrapped(value: Any, arg: Any) -> bool | Unknown:
        positions = character_positions(value) if isinstance(value, PartialStr) and isinstance(arg, str) else None
        found = search_every(arg, positions) if positions is not None else None
        if found is not None:
            return not found if negate else found
        return strict(value, arg)

    return wrapped


OPERATORS["matches"] = _searched(lambda a, b: isinstance(a, str) and re.search(b, a) is not None, negate=False)
OPERATORS["not_matches"] = _searched(lambda a, b: not (isinstance(a, str) and re.search(b, a)), negate=True)


@operator("length_gte")
def _length_gte(value: Any, arg: Any) -> bool | Unknown:
    """At least ``arg`` items: true when as many are known, unknown when the Unknown items
    (or an Unknown list) could make up the difference."""
    if isinstance(value, Unknown):
        return value
    hole = _unknown_in(arg)
    if hole is not None:
        return hole
    items = _as_list(value)
    maybe = [item for item in items if isinstance(item, Unknown)]
    if len(items) - len(maybe) >= arg:
        return True
    if isinstance(value, EachOf):
        return Unknown(value.reason)
    return maybe[0] if len(items) >= arg else False


OPERATORS["greater_than"] = _strict(lambda a, b: a > b)
OPERATORS["less_than"] = _strict(lambda a, b: a < b)


def _network(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(str(text), strict=False)


OPERATORS["cidr_within"] = _strict(
    lambda a, b: any(
        _network(a).subnet_of(_network(n)) for n in _as_list(b) if _network(n).version == _network(a).version
    )
)


@operator("port_range_covers")
def _port_range_covers(value: Any, arg: Any) -> bool | Unknown:
    """value is (from, to) or a port; arg is the port that must be inside."""
    hole = _unknown_in(value, arg)
    if hole is not None:
        return hole
    low, high = (value, value) if isinstance(value, int) else tuple(value)
    return int(low) <= int(arg) <= int(high)
