"""Numeric functions."""

from __future__ import annotations

import math
from typing import Any

from analyzer.terraform.convert import normalize_number, to_number, to_string
from analyzer.terraform.errors import EvalError
from analyzer.terraform.functions.registry import function


def _numbers(args: tuple[Any, ...], name: str) -> list[Any]:
    if not args:
        raise EvalError(f"{name}() needs at least one argument")
    return [to_number(a) for a in args]


@function("min")
def min_(*args: Any) -> Any:
    return normalize_number(min(_numbers(args, "min")))


@function("max")
def max_(*args: Any) -> Any:
    return normalize_number(max(_numbers(args, "max")))


@function("abs")
def abs_(value: Any) -> Any:
    return normalize_number(abs(to_number(value)))


@function("ceil")
def ceil(value: Any) -> int:
    return math.ceil(to_number(value))


@function("floor")
def floor(value: Any) -> int:
    return math.floor(to_number(value))


@function("signum")
def signum(value: Any) -> int:
    number = to_number(value)
    return (number > 0) - (number < 0)


@function("pow")
def pow_(base: Any, exponent: Any) -> Any:
    try:
        return normalize_number(math.pow(to_number(base), to_number(exponent)))
    except (OverflowError, ValueError):
        raise EvalError("pow(): result out of range") from None


@function("log")
def log(value: Any, base: Any) -> Any:
    try:
        return normalize_number(math.log(to_number(value), to_number(base)))
    except (ValueError, ZeroDivisionError):
        raise EvalError("log(): invalid arguments") from None


@function("parseint")
def parseint(value: Any, base: Any) -> int:
    try:
        return int(to_string(value), int(to_number(base)))
    except ValueError:
        raise EvalError(f"parseint(): cannot parse {value!r}") from None
