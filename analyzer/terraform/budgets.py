"""Size budgets of Terraform evaluation: what one value may grow to.

A configuration can double a string or a list a few dozen times in as many lines, and
``format("%0999999999d", 1)`` asks for a gigabyte. Every string the evaluator builds (a
template, a function result) and every list or object is measured against these limits; a
value over one raises ``OverBudget``, which the expression boundary turns into an Unknown
naming the limit and a LOAD-005 finding (docs/architecture.md: Limits).
"""

from __future__ import annotations

from typing import Any

from analyzer.terraform.errors import EvalError
from analyzer.values import PartialStr

MAX_STRING_CHARS = 1 << 20  # one string value: 1,048,576 characters
MAX_COLLECTION_VALUES = 100_000  # one list, set or object: values at every level of nesting
MAX_YAML_NODES = 100_000  # one yamldecode() document, with every alias expanded
# Module calls nested below the root module. The evaluator expands no deeper, and whatever
# walks the module tree afterwards (normalize: calls whose code is not here) stops there too.
MAX_MODULE_DEPTH = 32
# Module instances one root module expands in all: two calls of the next module per module,
# 20 levels deep, are a million instances. Each further call is refused (LOAD-005).
MAX_MODULE_INSTANCES = 1_000


class OverBudget(EvalError):
    """A value would exceed a size limit. ``try()`` and ``can()`` let it through: the
    value is not an error in Terraform, only too large for eksjoin to evaluate."""


def string_budget(length: int, what: str) -> None:
    """Refuse a string of ``length`` characters before it is built, when over the limit."""
    if length > MAX_STRING_CHARS:
        raise OverBudget(
            f"{what} would be {length:,} characters long, over the limit of {MAX_STRING_CHARS:,} "
            "characters eksjoin evaluates"
        )


def text_length(pieces: list[Any]) -> int:
    """Characters of known text in template pieces (strings, PartialStrs and Unknowns)."""
    total = 0
    for piece in pieces:
        if isinstance(piece, str):
            total += len(piece)
        elif isinstance(piece, PartialStr):
            total += sum(len(part) for part in piece.parts if isinstance(part, str))
    return total


def check_size(value: Any, what: str) -> Any:
    """``value`` itself when it is within the string and collection limits."""
    if isinstance(value, str):
        string_budget(len(value), what)
    elif isinstance(value, PartialStr):
        string_budget(text_length([value]), what)
    elif isinstance(value, (list, dict)):
        count = _values_within(value, MAX_COLLECTION_VALUES)
        if count > MAX_COLLECTION_VALUES:
            raise OverBudget(
                f"{what} holds more than {MAX_COLLECTION_VALUES:,} values, over the limit of "
                f"{MAX_COLLECTION_VALUES:,} values in one collection eksjoin evaluates"
            )
    return value


def _values_within(value: Any, limit: int) -> int:
    """Values in ``value`` at every level of nesting, counted up to ``limit + 1`` (a list
    that holds the same list twice counts it twice, as Terraform would build it)."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return count
        if type(item) is list:
            stack.extend(item)
        elif type(item) is dict:
            stack.extend(item.values())
    return count
