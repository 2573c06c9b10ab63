"""Terraform: parse HCL (python-hcl2's raw Lark tree), evaluate it as Terraform would, and
hand the evaluated resource instances to ``analyzer.terraform.normalize``.

Public contract (used by the rest of eksjoin):

    load_terraform(module_dirs, scan_root=..., var_files=(), variables={}, display_root=None)
        -> list[TfConfiguration]           # one per root module
    load_plan(path, scan_root=..., hcl_dirs=()) -> TfConfiguration
    parse_hcl_file(path, display) -> (lark.Tree | None, list[Diagnostic])

Values follow ``analyzer.values``: an attribute reference to a resource attribute the
configuration does not set (``aws_vpc.main.id``) is ``Ref(target=<address>, attribute="id")``.
"""

from analyzer.terraform.types import TfBlock, TfConfiguration
from analyzer.terraform.loader import load_terraform
from analyzer.terraform.parsing import parse_hcl_file

__all__ = ["TfBlock", "TfConfiguration", "load_terraform", "load_plan", "parse_hcl_file"]


def __getattr__(name: str):
    if name == "load_plan":
        from analyzer.terraform.plan import load_plan

        return load_plan
    raise AttributeError(name)
