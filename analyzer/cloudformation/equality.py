"""Comparing evaluated values: ``Fn::Equals`` and the two branches of an undecided ``Fn::If``."""

from __future__ import annotations

from typing import Any

from analyzer.cloudformation.types import Conditional, SsmParameter
from analyzer.values import Encoded, PartialStr, Ref, Unknown


class NoValue:
    """``AWS::NoValue``: the property or list item is left out."""

    _instance: NoValue | None = None

    def __new__(cls) -> NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = NoValue()


def comparable(value: Any) -> Any:
    """The text CloudFormation compares in ``Fn::Equals``; None when not fully known."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        items = [comparable(item) for item in value]
        return None if any(item is None for item in items) else tuple(items)
    return None


def same_value(left: Any, right: Any) -> bool:
    """Whether two evaluated values are certainly the same, unknown parts included.

    Two Unknowns are the same when they stand for the same thing: the same resource
    attribute, the same SSM parameter, or the same unknown input (same reason).
    """
    if left is NO_VALUE or right is NO_VALUE:
        return left is right
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return _same_unknown(left, right)
    if isinstance(left, PartialStr) or isinstance(right, PartialStr):
        return (
            isinstance(left, PartialStr) and isinstance(right, PartialStr) and _same_sequence(left.parts, right.parts)
        )
    if isinstance(left, Encoded) or isinstance(right, Encoded):
        return (
            isinstance(left, Encoded)
            and isinstance(right, Encoded)
            and left.encoding == right.encoding
            and same_value(left.inner, right.inner)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_value(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return _same_sequence(left, right)
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return type(left) is type(right) and left == right


def _same_sequence(left: Any, right: Any) -> bool:
    return len(left) == len(right) and all(same_value(a, b) for a, b in zip(left, right, strict=True))


def _same_unknown(left: Any, right: Any) -> bool:
    if type(left) is not type(right):
        return False
    if isinstance(left, Ref):
        return (left.target, left.attribute) == (right.target, right.attribute)
    if isinstance(left, SsmParameter):
        return left.path == right.path
    if isinstance(left, Conditional):
        return (
            left.condition == right.condition
            and same_value(left.when_true, right.when_true)
            and same_value(left.when_false, right.when_false)
        )
    return left.reason == right.reason
