"""The canonical model every rule is written against."""

from analyzer.model.graph import Model, fact
from analyzer.model.resource import DECLARED, EKSCTL_DEFAULT, TOOL_DEFAULT, Resource

__all__ = ["DECLARED", "EKSCTL_DEFAULT", "TOOL_DEFAULT", "Model", "Resource", "fact"]
