"""Registered predicates: small pure functions for what YAML cannot say.

A predicate takes the model and keyword arguments and returns a value (never a verdict):
rules compare that value with an operator. Predicates live beside the knowledge they
encode (``analyzer.knowledge``) and register here by dotted name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PredicateFn = Callable[..., Any]
PREDICATES: dict[str, PredicateFn] = {}


def predicate(name: str) -> Callable[[PredicateFn], PredicateFn]:
    def register(fn: PredicateFn) -> PredicateFn:
        if name in PREDICATES:
            raise ValueError(f"predicate {name} registered twice")
        PREDICATES[name] = fn
        return fn

    return register
