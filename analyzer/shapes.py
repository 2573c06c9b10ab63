"""The shape of input, checked before a normalizer reads it.

Normalizers read fields by name and expect each to have its type: a mapping where a
mapping belongs, a list where a list belongs. A JSON Schema of the fields a normalizer
reads says which; a value of another type is a LOAD-004 finding that names the field by
its path ("managedNodeGroups[0].iam must be a mapping, found a string"), and the value is
then left out, so the rest of the file is analysed as if the field were not written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema is imported when a shape is checked, not by every run
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

from analyzer.diagnostics import INVALID_CONFIG, Diagnostic
from analyzer.location import Location
from analyzer.values import Encoded, PartialStr

Path = tuple[Any, ...]

TYPE_WORDS = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean (true or false)",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
    "integer text": "a whole number",
    "number text": "a number",
}


def _known_later(instance: Any) -> bool:
    """A value the evaluator made (Unknown, a reference, one of several values) rather than a
    plain value as written: it may stand for any type."""
    return not isinstance(instance, (dict, list, str, int, float, bool, type(None), PartialStr, Encoded))


def _type_unless_known_later(validator: Any, types: Any, instance: Any, schema: Any) -> Any:
    from jsonschema import Draft202012Validator

    if _known_later(instance):
        return
    names = [types] if isinstance(types, str) else list(types)
    if isinstance(instance, (PartialStr, Encoded)) and any(name in NUMERALS for name in names):
        return  # its text is known only at deploy time: it may be the number
    # A string with holes, and base64 of a value with unknown parts, are strings whatever
    # their parts turn out to be: a list or a mapping cannot be one.
    written = "" if isinstance(instance, (PartialStr, Encoded)) else instance
    for error in Draft202012Validator.VALIDATORS["type"](validator, types, written, schema):
        error.instance = instance
        yield error


def _integer_text(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, str) and INTEGER_TEXT.fullmatch(instance) is not None


def _number_text(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, str) and NUMBER_TEXT.fullmatch(instance) is not None


# Text CloudFormation reads as a number ("443" where an integer belongs): the types
# "integer text" and "number text" of the shapes below.
INTEGER_TEXT = re.compile(r"\s*[-+]?\d+\s*")
NUMBER_TEXT = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
NUMERALS = {"integer text": _integer_text, "number text": _number_text}


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for evaluated input: a value known only at deploy time (Unknown, a
    reference, a string with holes) may stand for any type. The keywords inside (items,
    properties) still apply only to real lists and mappings."""
    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine_many(NUMERALS)
    return validators.extend(Draft202012Validator, validators={"type": _type_unless_known_later}, type_checker=checker)(
        schema
    )


def field_name(path: Sequence[Any]) -> str:
    """``["managedNodeGroups", 0, "amiFamily"]`` -> ``managedNodeGroups[0].amiFamily``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"


def kind_of(value: Any) -> str:
    """What a value is, in words: "a mapping", "the number 5"."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value[:60]!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Encoded):
        return f"a string ({value.reason})"
    if isinstance(value, PartialStr):
        return "a string with parts known only at deploy time"
    return type(value).__name__


def expected_types(types: str | Iterable[str]) -> str:
    names = [types] if isinstance(types, str) else list(types)
    numeral = next((name for name in names if name in NUMERALS), None)
    if numeral is not None:  # a number where one belongs, or its text: "a whole number"
        return TYPE_WORDS[numeral]
    words = [TYPE_WORDS.get(name, name) for name in names if name != "null"]
    return " or ".join(words) or "nothing"


def is_type_error(error: ValidationError) -> bool:
    """The value has none of the types its place allows (also when several shapes are
    allowed, as for a list or a mapping, and it fits none of them by type)."""
    if error.validator == "type":
        return True
    if error.validator in ("anyOf", "oneOf") and error.context:
        return all(e.validator == "type" and not e.relative_path for e in error.context)
    return False


def allowed_types(error: ValidationError) -> list[str]:
    if error.validator == "type":
        value = error.validator_value
        return [value] if isinstance(value, str) else list(value)
    types: list[str] = []
    for alternative in error.context or ():
        value = alternative.validator_value
        types += [value] if isinstance(value, str) else list(value)
    return list(dict.fromkeys(types))


def type_message(path: Sequence[Any], error: ValidationError) -> str:
    return f"{field_name(path)} must be {expected_types(allowed_types(error))}, found {kind_of(error.instance)}"


def without(data: Any, paths: Iterable[Path]) -> Any:
    """A copy of ``data`` with the values at ``paths`` left out (``data`` itself when none).

    Later list items go first, so that leaving out one does not move the others."""
    paths = sorted({tuple(p) for p in paths}, key=_sort_key, reverse=True)
    if not paths:
        return data
    if () in paths:
        return None
    data = _copied(data)
    for path in paths:
        parent = data
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
            del parent[path[-1]]
    return data


def _copied(data: Any) -> Any:
    """New mappings and lists all the way down; the values in them are shared."""
    if isinstance(data, dict):
        return {key: _copied(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_copied(value) for value in data]
    return data


def _sort_key(path: Path) -> tuple:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path)


def check_types(
    data: Any,
    validator: Draft202012Validator,
    locate: Callable[[Sequence[Any]], Location],
    *,
    prefix: Sequence[Any] = (),
    skip: Callable[[Any], bool] = lambda value: False,
) -> tuple[Any, list[Diagnostic]]:
    """``data`` without its wrongly typed values, and a LOAD-004 error for each.

    ``prefix`` is where ``data`` sits in the file (for the field path in messages); ``skip``
    says which values are not judged (a placeholder a template fills in later)."""
    paths: list[Path] = []
    diagnostics = []
    for error in type_errors(data, validator):
        if skip(error.instance):
            continue
        path = tuple(error.absolute_path)
        paths.append(path)
        full = (*prefix, *path)
        diagnostics.append(Diagnostic(INVALID_CONFIG, type_message(full, error), locate(full), "error"))
    return without(data, paths), diagnostics


def type_errors(data: Any, validator: Draft202012Validator) -> list[ValidationError]:
    """The type errors of ``data``, outermost first (an inner error of a value that is
    left out anyway is not reported)."""
    found = sorted(
        (e for e in validator.iter_errors(data) if is_type_error(e)), key=lambda e: _sort_key(tuple(e.absolute_path))
    )
    kept: list[ValidationError] = []
    for error in found:
        path = tuple(error.absolute_path)
        if not any(path[: len(tuple(k.absolute_path))] == tuple(k.absolute_path) for k in kept):
            kept.append(error)
    return kept


# --- CloudFormation: the resource provider schemas cfn-lint ships ---------------------

# CloudFormation converts between strings, numbers and booleans ("443" for an integer, 443
# for a string), so mostly the kind of value is judged: a scalar, a list or a mapping. Only
# text where a number belongs must read as one ("abc" for a RuleNumber cannot be deployed).
_SCALAR = ["string", "number", "boolean"]
_KINDS = {
    "string": _SCALAR,
    "integer": ["number", "boolean", "integer text"],
    "number": ["number", "boolean", "number text"],
    "boolean": _SCALAR,
}


def cloudformation_shape(resource_type: str) -> dict[str, Any] | None:
    """The shape of a resource type's properties (scalar, list or mapping, nested), from
    its provider schema; None for a type cfn-lint has no schema of."""
    schema = _provider_schema(resource_type)
    if schema is None:
        return None
    definitions = schema.get("definitions") or {}
    shape = _shape_of({"type": "object", "properties": schema.get("properties") or {}})
    shape["$defs"] = {name: _shape_of(part) for name, part in definitions.items() if isinstance(part, dict)}
    return shape


def _shape_of(schema: dict[str, Any]) -> dict[str, Any]:
    """Only the type, properties, items and references of ``schema``, types as kinds."""
    shape: dict[str, Any] = {}
    if isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/definitions/"):
        return {"$ref": "#/$defs/" + schema["$ref"].removeprefix("#/definitions/")}
    types = schema.get("type")
    if isinstance(types, (str, list)) and not schema.get("oneOf") and not schema.get("anyOf"):
        kinds: list[str] = []
        for name in [types] if isinstance(types, str) else types:
            kinds += _KINDS.get(name, [name])
        shape["type"] = list(dict.fromkeys([*kinds, "null"]))  # null: the field maps read it as not set
    properties = schema.get("properties")
    if isinstance(properties, dict):
        shape["properties"] = {k: _shape_of(v) for k, v in properties.items() if isinstance(v, dict)}
    if isinstance(schema.get("items"), dict):
        shape["items"] = _shape_of(schema["items"])
    return shape


@lru_cache(maxsize=1)
def _provider_index() -> dict[str, Any]:
    import json
    from importlib import resources

    text = resources.files("cfnlint.data.schemas").joinpath("providers", "us-east-1.json").read_text(encoding="utf-8")
    index = json.loads(text)
    return index if isinstance(index, dict) else {}


def _provider_schema(resource_type: str) -> dict[str, Any] | None:
    import json
    from importlib import resources

    try:
        digest = _provider_index().get(resource_type)
        if not isinstance(digest, str):
            return None
        text = resources.files("cfnlint.data.schemas").joinpath("resources", f"{digest}.json").read_text("utf-8")
        schema = json.loads(text)
    except (OSError, ValueError, ModuleNotFoundError):
        return None  # no schema: the field maps read the properties as written
    return schema if isinstance(schema, dict) else None
