"""What Terraform evaluation produces: resource and data instances with locations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.diagnostics import Diagnostic
from analyzer.location import Location


@dataclass(eq=False)
class TfBlock:
    """One evaluated resource (or data source) instance."""

    mode: str  # "resource" | "data"
    type: str  # "aws_vpc"
    name: str  # "main"
    address: str  # "module.eks.aws_eks_cluster.this[0]", "aws_subnet.az[\"a\"]"
    attributes: dict[str, Any]  # evaluated; nested blocks become lists of dicts
    location: Location  # the block's first line
    # dotted attribute paths -> where they are written, e.g. "assume_role_policy",
    # "vpc_config.0.endpoint_private_access", "ingress.1.from_port"
    locations: dict[str, Location] = field(default_factory=dict)
    module_path: str = ""  # "" for the root module, else "module.eks" / "module.a.module.b"
    index: int | str | None = None  # count.index or each.key
    module_call: Location | None = None  # the calling module block, for blocks inside modules
    module_call_address: str | None = None  # "module.eks"
    # For blocks inside modules: module_call/module_call_address name the call written in the
    # root module (the one a user can edit); the chain lists every call from the root inwards,
    # as (module instance address, location of its module block).
    module_call_chain: tuple[tuple[str, Location], ...] = ()
    # Non-empty when count/for_each could not be evaluated: the block then stands for an
    # unknown number of instances, is addressed without an index, and index is None.
    note: str = ""
    # What Terraform creates before this instance starts (analyzer.terraform.ordering);
    # None for data sources and for plan JSON, which is not read for its order.
    order: Any = None


@dataclass
class TfConfiguration:
    root: Path  # the root module directory (or the plan file)
    blocks: list[TfBlock] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # "a.b" (module call names from the root) -> the directory its code was read from
    module_directories: dict[str, Path] = field(default_factory=dict)
    # "a.b" -> analyzer.terraform.instances.ModuleReach of a module call whose code is missing
    unloaded_inputs: dict[str, Any] = field(default_factory=dict)
