"""CloudFormation: decode templates with cfn-lint's decoder (line marks, short-form tags),
evaluate intrinsic functions, and hand evaluated resources to the normalizer.

Public contract:

    sniff_template(data) -> bool
    load_template(path, *, display, key, parameters={}) -> CfnTemplate
    load_template_text(text, *, display, key, parameters={}) -> CfnTemplate
    load_parameter_file(path) -> dict[str, str]     # raises ValueError with a user message

A ``Fn::GetAtt`` / ``Ref`` to a resource of the same template becomes
``Ref(target=f"{template_key}#{LogicalId}", attribute="Arn" | "Ref" | ...)``.
Values deployed from SSM Parameter Store are ``SsmParameter`` Unknowns naming the path;
``Fn::If`` on a condition that cannot be decided is a ``Conditional`` Unknown. A YAML float
is a ``SourceFloat`` whose ``str()`` is the text as written (``1.30`` stays "1.30").
"""

from __future__ import annotations

import importlib
from typing import Any

from analyzer.cloudformation.sniff import sniff_template
from analyzer.cloudformation.types import (
    CfnResource,
    CfnTemplate,
    Conditional,
    SourceFloat,
    SsmParameter,
)

# The loader imports cfn-lint (about half a second): only a template found pays for it.
_LAZY = {"load_parameter_file": "parameters", "load_template": "loader", "load_template_text": "loader"}

__all__ = [
    "CfnResource",
    "CfnTemplate",
    "Conditional",
    "SourceFloat",
    "SsmParameter",
    "load_parameter_file",
    "load_template",
    "load_template_text",
    "sniff_template",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"analyzer.cloudformation.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
