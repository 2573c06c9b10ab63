"""Terraform's built-in functions, table-driven.

Each function is registered with how it treats unknown arguments: a *strict* function
returns an Unknown (keeping the argument's reason) as soon as one argument is not fully
known; the others look inside their arguments (``length`` of a list with unknown elements
is known, ``join`` of unknown parts is a PartialStr, ``base64encode`` of one is Encoded).
A function that is not in the table evaluates to ``Unknown("function foo() is not supported")``.
"""

from __future__ import annotations

from typing import Any

from analyzer.location import Location
from analyzer.terraform.errors import EvalError
from analyzer.terraform.functions.registry import REGISTRY, Call, FunctionSpec, function
from analyzer.terraform.lazy import materialize
from analyzer.terraform.operations import derived_unknown, first_top_unknown
from analyzer.values import EachOf, Unknown

__all__ = ["REGISTRY", "Call", "FunctionSpec", "call_function", "function", "supported_functions"]


def call_function(name: str, args: list[Any], scope: Any, location: Location) -> Any:
    spec = REGISTRY.get(name)
    if spec is None:
        return Unknown(f"function {name}() is not supported", location)
    if not spec.lazy_args:
        args = [materialize(arg) for arg in args]
    each = next((arg for arg in args if isinstance(arg, EachOf)), None)
    if each is not None:
        return _over_each_of(name, args, each)
    if spec.strict:
        unknown = first_top_unknown(*args)
        if unknown is not None:
            return derived_unknown(unknown)
    call_args = [Call(name, scope, location), *args] if spec.needs_call else args
    try:
        spec.signature.bind(*call_args)
    except TypeError:
        raise EvalError(f"wrong number of arguments for {name}()") from None
    return spec.impl(*call_args)


def _over_each_of(name: str, args: list[Any], each: EachOf) -> Any:
    """A function of a collection whose length is not known: elementwise functions keep the
    stand-in elements; ``element``/``one`` give the stand-in; anything else is unknown."""
    if name in ("tolist", "toset", "compact", "distinct") and len(args) == 1:
        return each
    if name == "concat" and all(isinstance(arg, list) for arg in args):
        return each.like([item for arg in args for item in arg])
    if name == "flatten" and len(args) == 1:
        flat: list[Any] = []
        for item in each:
            flat.extend(item if isinstance(item, list) else [item])
        return each.like(flat)
    if name in ("element", "one") and args and args[0] is each and each:
        return each[0]
    return Unknown(f"{name}() of a collection whose length is not known: {each.reason}")


def supported_functions() -> list[str]:
    return sorted(REGISTRY)


# Registration happens on import.
from analyzer.terraform.functions import (  # noqa: E402,F401
    collections,
    encoding,
    filesystem,
    network,
    numeric,
    strings,
)

__all__ = ["REGISTRY", "Call", "call_function", "function", "supported_functions"]
