"""Validate an eksctl ClusterConfig against eksjoin's JSON Schema of it.

Each schema violation becomes one LOAD-004 diagnostic at the line of the offending
field. Settings that eksctl itself refuses (see ``defaults.eksctl_rejects``) are added
as LOAD-004 errors: ``eksctl create`` stops before creating anything, so they are
reported once here and never again under an EKS-* rule. What eksctl refuses with the
Kubernetes version it picks itself (``defaults.eksctl_may_reject``) is a warning.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from analyzer import shapes
from analyzer.diagnostics import INVALID_CONFIG, Diagnostic
from analyzer.eksctl.defaults import eksctl_may_reject, eksctl_rejects, is_placeholder_text
from analyzer.location import Location
from analyzer.yamlsafe import YamlDocument

API_GROUP = "eksctl.io/"
KIND = "ClusterConfig"

# Validators whose complaint is about a value's shape: a placeholder that a script or
# template fills in later (``${NODES}``, ``<generated-ami>``) must not trigger them.
_VALUE_VALIDATORS = {"type", "enum", "pattern", "format", "const"}


def is_cluster_config(data: Any) -> bool:
    """An eksctl ClusterConfig document: ``apiVersion: eksctl.io/...``, ``kind: ClusterConfig``."""
    if not isinstance(data, dict):
        return False
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str):  # a ClusterConfig with a broken apiVersion: the schema says what is wrong
        return kind == KIND and api_version is not None
    return api_version.startswith(API_GROUP) and kind == KIND


def is_placeholder(value: Any) -> bool:
    """Text that stands for a value filled in later by a template or a script."""
    return isinstance(value, str) and is_placeholder_text(value)


def validate_cluster_config(doc: YamlDocument, display: str) -> list[Diagnostic]:
    """Schema violations, then what eksctl itself would refuse, each at its line."""
    return check_cluster_config(doc, display)[1]


def check_cluster_config(doc: YamlDocument, display: str) -> tuple[YamlDocument, list[Diagnostic]]:
    """The document as the normalizer may read it, and its schema violations.

    A value whose type its field does not allow is left out of the returned document
    (shapes.without): the normalizer then reads the field as not written, instead of
    calling a mapping's methods on a string. A placeholder (``${NODE_LABELS}``) stays: it
    is read as Unknown."""
    diagnostics: list[Diagnostic] = []
    wrong: list[tuple[Any, ...]] = []
    for error in _validator().iter_errors(doc.data):
        diagnostics.extend(_diagnostics_for(error, doc))
        wrong.extend(_wrongly_typed(error))
    data = shapes.without(doc.data, wrong)
    checked = dataclasses.replace(doc, data=data if isinstance(data, dict) else {})
    diagnostics += _refusals(checked.data, doc)
    diagnostics.sort(key=lambda d: (d.location.line, d.location.column, d.message))
    return checked, diagnostics


_REFUSAL_FIX = (
    "Change the setting as eksctl's message says; `eksctl create cluster --dry-run -f <file>` runs the same "
    "validation without creating anything."
)


_DEFAULT_VERSION_FIX = (
    "Set `amiFamily: AmazonLinux2023` (its nodeadm reads a NodeConfig instead of bootstrap.sh arguments), "
    "or write `metadata.version` to say which Kubernetes version the cluster runs."
)


def _refusals(data: dict[str, Any], doc: YamlDocument) -> list[Diagnostic]:
    """What eksctl refuses: an error, since ``eksctl create`` stops there; and a warning for
    what it refuses with the Kubernetes version it picks itself when none is written."""
    found = [
        Diagnostic(INVALID_CONFIG, f"eksctl will reject this: {message}", _location(doc, path), "error", _REFUSAL_FIX)
        for path, message in eksctl_rejects(data, doc.scalar_text)
    ]
    found += [
        Diagnostic(
            INVALID_CONFIG,
            f"eksctl will likely reject this: {message}",
            _location(doc, path),
            "warning",
            _DEFAULT_VERSION_FIX,
        )
        for path, message in eksctl_may_reject(data, doc.scalar_text)
    ]
    return found


def _location(doc: YamlDocument, dotted: str) -> Location:
    return doc.location_of(dotted.split(".") if dotted else [])


def _wrongly_typed(error: ValidationError) -> list[tuple[Any, ...]]:
    """Where a value has a type its field does not allow, also inside one of several shapes."""
    if shapes.is_type_error(error):
        return [] if is_placeholder(error.instance) else [tuple(error.absolute_path)]
    if error.validator in ("anyOf", "oneOf") and error.context:
        return [path for inner in error.context for path in _wrongly_typed(inner) if inner.relative_path]
    return []


@lru_cache(maxsize=1)
def cluster_config_schema() -> dict[str, Any]:
    text = resources.files("analyzer.eksctl").joinpath("schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(cluster_config_schema())


# --- one error -> diagnostics -----------------------------------------------------


def _diagnostics_for(error: ValidationError, doc: YamlDocument) -> list[Diagnostic]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _alternatives(error, doc)
    if error.validator in _VALUE_VALIDATORS and is_placeholder(error.instance):
        return []
    if error.validator != "type" and not _has_its_type(error):
        return []  # the type error of the same value says what is wrong
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        return [_unknown_field(path, key, error, doc) for key in _unknown_keys(error)]
    if error.validator == "enum" and _matches_ignoring_case(error):
        return []
    message, severity = _describe(error)
    location = doc.location_of(path)
    return [Diagnostic(INVALID_CONFIG, f"{shapes.field_name(path)}: {message}", location, severity)]


def _has_its_type(error: ValidationError) -> bool:
    types = error.schema.get("type") if isinstance(error.schema, dict) else None
    if types is None:
        return True
    return any(_validator().is_type(error.instance, t) for t in ([types] if isinstance(types, str) else types))


def _alternatives(error: ValidationError, doc: YamlDocument) -> list[Diagnostic]:
    """A value that fits none of several shapes (node group taints: a list or a mapping).

    When the value has the type of one alternative, what is wrong inside it is what
    matters; otherwise the message lists the types that would fit.
    """
    inside = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
    if inside:
        return _diagnostics_for(best_match(inside), doc)
    if is_placeholder(error.instance):
        return []
    types: list[str] = []
    for alternative in error.context:
        value = alternative.validator_value
        types += [value] if isinstance(value, str) else list(value)
    path = list(error.absolute_path)
    expected = _expected_types(list(dict.fromkeys(types)))
    message = f"expected {expected}, found {shapes.kind_of(error.instance)}"
    location = doc.location_of(path)
    return [Diagnostic(INVALID_CONFIG, f"{shapes.field_name(path)}: {message}", location, "error")]


def _describe(error: ValidationError) -> tuple[str, str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if error.validator == "type":
        return f"expected {_expected_types(error.validator_value)}, found {shapes.kind_of(value)}", "error"
    if error.validator == "enum":
        allowed = [choice for choice in error.validator_value if choice not in ("", None)]
        severity = "warning" if schema.get("x-open-enum") else "error"
        return f"{value!r} is not one of {allowed}", severity
    if error.validator == "pattern":
        expected = schema.get("x-expected", f"text matching {error.validator_value!r}")
        return f"{value!r} is not {expected}", "error"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required but missing"), "error"
    return error.message, "error"


def _unknown_field(path: list[Any], key: str, error: ValidationError, doc: YamlDocument) -> Diagnostic:
    known = sorted(_declared_properties(error.schema))
    message = f"{shapes.field_name(path + [key])}: unknown field; eksctl rejects fields it does not know"
    fix = ""
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
    if close:
        message += f" (did you mean {close[0]!r}?)"
        fix = f"Rename {key!r} to {close[0]!r}."
    return Diagnostic(INVALID_CONFIG, message, doc.location_of(path + [key]), "warning", fix)


def _unknown_keys(error: ValidationError) -> list[str]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    declared = _declared_properties(error.schema)
    return [str(key) for key in instance if key not in declared]


def _declared_properties(schema: Any) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    return set(schema.get("properties", {}))


def _matches_ignoring_case(error: ValidationError) -> bool:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if not schema.get("x-case-insensitive") or not isinstance(error.instance, str):
        return False
    folded = error.instance.casefold()
    choices = [choice for choice in error.validator_value if isinstance(choice, str)]
    return any(choice.casefold() == folded for choice in choices)


# --- wording ----------------------------------------------------------------------


def _expected_types(types: str | Iterable[str]) -> str:
    names = [types] if isinstance(types, str) else list(types)
    words = [shapes.TYPE_WORDS.get(name, name) for name in names if name != "null"]
    if "a string" in words and "a number" in words:  # a Go string field accepts any scalar
        words = ["a string"]
    return " or ".join(words) or "nothing"
