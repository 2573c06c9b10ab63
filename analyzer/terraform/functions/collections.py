"""Collection and type-conversion functions."""

from __future__ import annotations

import re
from typing import Any

from analyzer.terraform.convert import normalize_number, to_bool, to_number, to_string, type_name
from analyzer.terraform.errors import EvalError
from analyzer.terraform.functions.registry import function
from analyzer.terraform.lazy import LazyObject, UnknownInstances, extend_ref, materialize, shallow_dict
from analyzer.terraform.operations import derived_unknown, equals, same_value
from analyzer.terraform.sets import TfSet
from analyzer.values import Encoded, PartialStr, Ref, Unknown, is_unknown, key_value


def _list(value: Any, name: str) -> list[Any]:
    if isinstance(value, list):
        return value
    raise EvalError(f"{name}(): expected a list, got {type_name(value)}")


def _map(value: Any, name: str) -> dict[str, Any]:
    value = shallow_dict(value)
    if isinstance(value, dict):
        return value
    raise EvalError(f"{name}(): expected a map or object, got {type_name(value)}")


def _int(value: Any, name: str) -> int:
    number = to_number(value)
    if not isinstance(number, int):
        raise EvalError(f"{name}(): expected a whole number")
    return number


@function("length", strict=False, lazy_args=True)
def length(value: Any) -> Any:
    if isinstance(value, (Unknown, PartialStr, Encoded)):
        return derived_unknown(value)
    if isinstance(value, LazyObject):
        return len(value.keys())
    if isinstance(value, (list, dict)):
        return len(value)
    if isinstance(value, str):
        return len(value)
    raise EvalError(f"length(): cannot take the length of {type_name(value)}")


@function("concat", lazy_args=True)
def concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for items in lists:
        out.extend(_list(items, "concat"))
    return out


@function("merge", strict=False, lazy_args=True)
def merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if is_unknown(item):
            return derived_unknown(item)
        out.update(_map(item, "merge"))
    return out


@function("lookup", strict=False, lazy_args=True)
def lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if is_unknown(mapping):
        return derived_unknown(mapping)
    if is_unknown(key):
        if default and not (mapping.keys() if isinstance(mapping, LazyObject) else _map(mapping, "lookup")):
            return default[0]  # an empty map has no key: whichever key it is, the default
        return derived_unknown(key)
    key = to_string(key)
    if isinstance(mapping, LazyObject):
        if key in mapping.keys():  # noqa: SIM118 -- LazyObject has keys(), no __contains__
            return mapping.get_attr(key)
    else:
        mapping = _map(mapping, "lookup")
        if key in mapping:
            return mapping[key]
    if default:
        return default[0]
    raise EvalError(f'lookup(): the map has no key "{key}" and no default was given')


@function("element", strict=False, lazy_args=True)
def element(items: Any, index: Any) -> Any:
    if is_unknown(items) or is_unknown(index):
        return derived_unknown(items, index)
    items = _list(items, "element")
    if not items:
        raise EvalError("element(): cannot take an element of an empty list")
    position = _int(index, "element")
    if position < 0:
        raise EvalError("element(): index must not be negative")
    return items[position % len(items)]


def _flatten(items: list[Any], depth: int) -> list[Any]:
    if depth > 64:
        raise EvalError("flatten(): list nested too deeply")
    out: list[Any] = []
    for item in items:
        if isinstance(item, list):
            out.extend(_flatten(item, depth + 1))
        else:
            out.append(item)  # unknown elements stay elements: most are references to scalars
    return out


@function("flatten", lazy_args=True)
def flatten(items: Any) -> list[Any]:
    return _flatten(_list(items, "flatten"), 0)


@function("distinct", lazy_args=True)
def distinct(items: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(items, "distinct"):
        if not any(same_value(item, seen) for seen in out):
            out.append(item)
    return out


@function("compact", lazy_args=True)
def compact(items: Any) -> list[Any]:
    return [item for item in _list(items, "compact") if item is not None and not (isinstance(item, str) and item == "")]


@function("coalesce", strict=False, lazy_args=True)
def coalesce(*args: Any) -> Any:
    for arg in args:
        if is_unknown(arg):
            return arg
        if arg is None or (isinstance(arg, str) and arg == ""):
            continue
        return arg
    raise EvalError("coalesce(): no non-null, non-empty argument")


@function("coalescelist", strict=False, lazy_args=True)
def coalescelist(*args: Any) -> Any:
    for arg in args:
        if is_unknown(arg):
            return arg
        if arg is None:
            continue
        if _list(arg, "coalescelist"):
            return arg
    raise EvalError("coalescelist(): no non-empty list argument")


@function("contains", strict=False, lazy_args=True)
def contains(items: Any, value: Any) -> Any:
    if is_unknown(items) or is_unknown(value):
        return derived_unknown(items, value)
    unknown = None
    for item in _list(items, "contains"):
        result = equals(item, value)
        if result is True:
            return True
        if isinstance(result, Unknown):
            unknown = unknown if unknown is not None else result
    return unknown if unknown is not None else False


@function("index", strict=False, lazy_args=True)
def index(items: Any, value: Any) -> Any:
    if is_unknown(items) or is_unknown(value):
        return derived_unknown(items, value)
    for position, item in enumerate(_list(items, "index")):
        result = equals(item, value)
        if isinstance(result, Unknown):
            return result
        if result is True:
            return position
    raise EvalError("index(): the value is not in the list")


@function("keys", lazy_args=True)
def keys(mapping: Any) -> list[Any]:
    if isinstance(mapping, LazyObject):
        return sorted(mapping.keys())
    return [key_value(key) for key in sorted(_map(mapping, "keys"))]


@function("values", lazy_args=True)
def values(mapping: Any) -> list[Any]:
    mapping = _map(mapping, "values")
    return [mapping[key] for key in sorted(mapping)]


@function("zipmap", strict=False, lazy_args=True)
def zipmap(key_list: Any, value_list: Any) -> Any:
    if is_unknown(key_list) or is_unknown(value_list):
        return derived_unknown(key_list, value_list)
    key_list, value_list = _list(key_list, "zipmap"), _list(value_list, "zipmap")
    if len(key_list) != len(value_list):
        raise EvalError("zipmap(): the lists must have the same length")
    if any(is_unknown(k) for k in key_list):
        return derived_unknown(key_list)
    return {to_string(k): v for k, v in zip(key_list, value_list)}


# The zone lists of ``data.aws_availability_zones``: each zone of the region once, in one
# order, so element i of one list is a value of its own and differs from element j.
_ZONE_LIST = re.compile(r"(^|[.#])data\.aws_availability_zones\.[^.\[]+(\[[^\]]*\])?$")


def _zone_list(value: Any) -> bool:
    return isinstance(value, Ref) and value.attribute in ("names", "zone_ids") and bool(_ZONE_LIST.search(value.target))


def _zone(zones: Ref, index: int) -> Ref:
    """Zone ``index`` of a region's zone list: one zone, which one is read from AWS at plan time."""
    element = extend_ref(zones, index)
    what = "name" if zones.attribute == "names" else "ID"
    reason = (
        f"{element.target}.{element.attribute} is the zone {what} at index {index} of the region, "
        "which AWS returns when Terraform reads the data source at plan time; the files do not say which zone it is"
    )
    return Ref(reason, element.origin, target=element.target, attribute=element.attribute)


@function("slice", strict=False, lazy_args=True)
def slice_(items: Any, start: Any, end: Any) -> Any:
    if is_unknown(start) or is_unknown(end):
        return derived_unknown(items, start, end)
    if _zone_list(items):
        # slice(names, 0, 3) is the first three zones: Terraform fails the plan when the region
        # has fewer, so the result has exactly end - start elements, each zone i of the list.
        first, last = _int(start, "slice"), _int(end, "slice")
        if first < 0 or first > last:
            raise EvalError(f"slice(): indexes {first}..{last} are out of range")
        return [_zone(items, index) for index in range(first, last)]
    if is_unknown(items):
        return derived_unknown(items)
    items = _list(items, "slice")
    first, last = _int(start, "slice"), _int(end, "slice")
    if first < 0 or last > len(items) or first > last:
        raise EvalError(f"slice(): indexes {first}..{last} are out of range for a list of {len(items)}")
    return items[first:last]


@function("range")
def range_(*args: Any) -> list[Any]:
    numbers = [to_number(a) for a in args]
    if len(numbers) == 1:
        start, stop, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        start, stop, step = numbers[0], numbers[1], 1 if numbers[1] >= numbers[0] else -1
    elif len(numbers) == 3:
        start, stop, step = numbers
    else:
        raise EvalError("range() takes one to three arguments")
    if step == 0:
        raise EvalError("range(): step must not be zero")
    out, value = [], start
    while value < stop if step > 0 else value > stop:
        out.append(normalize_number(value))
        value += step
        if len(out) > 1024:
            raise EvalError("range(): more than 1024 elements")
    return out


@function("one", strict=False, lazy_args=True)
def one(items: Any) -> Any:
    if isinstance(items, UnknownInstances):
        return items.instance
    if is_unknown(items):
        return derived_unknown(items)
    items = _list(items, "one")
    if len(items) > 1:
        raise EvalError("one(): the list has more than one element")
    return items[0] if items else None


def _bool_reduce(items: Any, name: str, decisive: bool) -> Any:
    unknown = None
    for item in _list(items, name):
        if is_unknown(item):
            unknown = unknown if unknown is not None else item
            continue
        if to_bool(item) is decisive:
            return decisive
    return derived_unknown(unknown) if unknown is not None else (not decisive)


@function("alltrue")
def alltrue(items: Any) -> Any:
    return _bool_reduce(items, "alltrue", False)


@function("anytrue")
def anytrue(items: Any) -> Any:
    return _bool_reduce(items, "anytrue", True)


@function("sort")
def sort(items: Any) -> Any:
    items = _list(items, "sort")
    if any(is_unknown(item) for item in items):
        return derived_unknown(items)
    return sorted(to_string(item) for item in items)


@function("reverse", lazy_args=True)
def reverse(items: Any) -> list[Any]:
    return list(reversed(_list(items, "reverse")))


def _as_set(value: Any, name: str) -> list[Any]:
    return distinct(_list(value, name))


def _sorted_if_strings(items: list[Any]) -> TfSet:
    if all(isinstance(item, str) for item in items):
        return TfSet(sorted(items))
    return TfSet(items)


@function("setunion")
def setunion(*sets: Any) -> list[Any]:
    combined: list[Any] = []
    for items in sets:
        combined.extend(_list(items, "setunion"))
    return _sorted_if_strings(distinct(combined))


@function("setintersection")
def setintersection(first: Any, *others: Any) -> Any:
    result = _as_set(first, "setintersection")
    for items in others:
        other = _list(items, "setintersection")
        result = [item for item in result if any(same_value(item, o) for o in other)]
    return _sorted_if_strings(result)


@function("setsubtract")
def setsubtract(first: Any, second: Any) -> Any:
    other = _list(second, "setsubtract")
    return _sorted_if_strings(
        [item for item in _as_set(first, "setsubtract") if not any(same_value(item, o) for o in other)]
    )


@function("setproduct")
def setproduct(*sets: Any) -> list[Any]:
    result: list[list[Any]] = [[]]
    for items in sets:
        result = [prefix + [item] for prefix in result for item in _list(items, "setproduct")]
        if len(result) > 4096:
            raise EvalError("setproduct(): result too large")
    return result


@function("transpose")
def transpose(mapping: Any) -> Any:
    out: dict[str, list[str]] = {}
    for key in sorted(_map(mapping, "transpose")):
        for value in _list(mapping[key], "transpose"):
            if is_unknown(value):
                return derived_unknown(value)
            out.setdefault(to_string(value), []).append(key)
    return {key: sorted(items) for key, items in out.items()}


@function("chunklist", lazy_args=True)
def chunklist(items: Any, size: Any) -> list[Any]:
    items, size = _list(items, "chunklist"), _int(size, "chunklist")
    if size < 0:
        raise EvalError("chunklist(): size must not be negative")
    if size == 0:
        return [items]
    return [items[i : i + size] for i in range(0, len(items), size)]


@function("matchkeys", lazy_args=True)
def matchkeys(value_list: Any, key_list: Any, search: Any) -> Any:
    value_list, key_list = _list(value_list, "matchkeys"), _list(key_list, "matchkeys")
    search = _list(search, "matchkeys")
    if len(value_list) != len(key_list):
        raise EvalError("matchkeys(): the values and keys lists must have the same length")
    out = []
    for value, key in zip(value_list, key_list):
        hits = [equals(key, s) for s in search]
        if any(isinstance(h, Unknown) for h in hits):
            return derived_unknown(key)
        if any(h is True for h in hits):
            out.append(value)
    return out


@function("sum")
def sum_(items: Any) -> Any:
    items = _list(items, "sum")
    if not items:
        raise EvalError("sum(): the list is empty")
    if any(is_unknown(item) for item in items):
        return derived_unknown(items)
    return normalize_number(sum(to_number(item) for item in items))


# --- type conversions ---------------------------------------------------------------


@function("tostring", strict=False)
def tostring(value: Any) -> Any:
    if value is None or is_unknown(value):
        return value
    if isinstance(value, (list, dict)):
        raise EvalError(f"tostring(): cannot convert a {type_name(value)} to a string")
    return to_string(value)


@function("tonumber", strict=False)
def tonumber(value: Any) -> Any:
    return value if value is None else to_number(value)


@function("tobool", strict=False)
def tobool(value: Any) -> Any:
    return value if value is None else to_bool(value)


@function("tolist", strict=False, lazy_args=True)
def tolist(value: Any) -> Any:
    if value is None or is_unknown(value):
        return value
    return _list(value, "tolist")


@function("toset", strict=False, lazy_args=True)
def toset(value: Any) -> Any:
    if value is None or is_unknown(value):
        return value
    items = distinct(_list(value, "toset"))
    if all(isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in items) and any(
        isinstance(item, str) for item in items
    ):
        items = [to_string(item) for item in items]
    return _sorted_if_strings(items)


@function("tomap", strict=False, lazy_args=True)
def tomap(value: Any) -> Any:
    if value is None or is_unknown(value):
        return value
    return _map(value, "tomap")


@function("sensitive", "nonsensitive", strict=False, lazy_args=True)
def passthrough(value: Any) -> Any:
    return value


@function("issensitive", strict=False)
def issensitive(value: Any) -> bool:
    return False


@function("type", strict=False)
def type_(value: Any) -> str:
    return type_name(materialize(value))


@function("ephemeralasnull", strict=False, lazy_args=True)
def ephemeralasnull(value: Any) -> Any:
    return value
