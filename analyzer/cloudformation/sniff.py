"""Recognising a CloudFormation template without importing its decoder.

cfn-lint (and sympy, networkx behind it) costs about half a second to import: a run whose
files are all Terraform or eksctl must not pay it, so the test lives apart from the loader.
"""

from __future__ import annotations

from typing import Any

RESOURCE_TYPE_PREFIXES = ("AWS::", "Custom::", "AWSQS::")


def sniff_template(data: Any) -> bool:
    """Whether a decoded document is a CloudFormation template."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return False
    return any(
        isinstance(body, dict) and isinstance(body.get("Type"), str) and body["Type"].startswith(RESOURCE_TYPE_PREFIXES)
        for body in resources.values()
    )
