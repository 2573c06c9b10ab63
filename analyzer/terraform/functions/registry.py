"""The table of Terraform functions: each implementation registers itself by name here, and
``analyzer.terraform.functions`` dispatches calls through it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analyzer.location import Location


@dataclass
class Call:
    """Where a function is called from: file functions need the scope's file access."""

    name: str
    scope: Any  # analyzer.terraform.expressions.Scope
    location: Location


@dataclass
class FunctionSpec:
    impl: Callable[..., Any]
    strict: bool
    lazy_args: bool
    needs_call: bool
    signature: inspect.Signature


REGISTRY: dict[str, FunctionSpec] = {}


def function(*names: str, strict: bool = True, lazy_args: bool = False, needs_call: bool = False):
    """Register an implementation under one or more names.

    ``lazy_args`` keeps resource instances and module outputs inside arguments as they are
    (``values(aws_iam_role.this)[*].arn`` must still produce references).
    """

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(impl)
        for name in names:
            REGISTRY[name] = FunctionSpec(impl, strict, lazy_args, needs_call, signature)
        return impl

    return register
