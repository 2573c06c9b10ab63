"""Terraform: parse HCL (python-hcl2's raw Lark tree), evaluate it as Terraform would, and
hand the evaluated resource instances to ``analyzer.terraform.normalize``.

Public contract (used by the rest of eksjoin):

    load_terraform(module_dirs, scan_root=..., var_files=(), variables={}, display_root=None)
        -> list[TfConfiguration]           # one per root module
    load_plan(path, scan_root=..., hcl_dirs=()) -> TfConfiguration
    parse_hcl_file(path, display) -> (lark.Tree | None, list[Diagnostic])

Values follow ``analyzer.values``: an attribute reference to a resource attribute the
configuration does not set (``aws_vpc.main.id``) is ``Ref(target=<address>, attribute="id")``.

What a TfBlock holds:
  * ``attributes``: arguments as written and evaluated (``null`` stays None); nested blocks,
    ``dynamic`` ones included, are lists of dicts. ``data "aws_iam_policy_document"`` also has
    ``json`` (the policy) and ``data "cloudinit_config"`` has ``rendered`` (the MIME document).
  * an unknown ``count``/``for_each`` gives one stand-in block at the bare address, with
    ``index`` None and ``note`` saying why; ``count = 0`` gives none.

Layout:
  parsing, syntax, templates      text -> Lark trees, bodies, template nodes (HCL and JSON)
  expressions, operations, convert, functions/   the evaluator and Terraform's value rules
  module, sources, instances, views              module directories, calls, lazy instances
  policy_document, cloudinit                     data sources evaluated into their result
  variables, files                               root inputs; confined file access
  loader, rootdirs, collect, plan                entry points and TfBlock construction
"""

import importlib
from typing import Any

__all__ = ["TfBlock", "TfConfiguration", "load_plan", "load_terraform", "parse_hcl_file"]

_HOMES = {
    "TfBlock": "types",
    "TfConfiguration": "types",
    "load_plan": "plan",
    "load_terraform": "loader",
    "parse_hcl_file": "parsing",
}


def __getattr__(name: str) -> Any:
    """The public names are imported on first use: importing a light sub-module (``reads``,
    the result cache's questions) must not import the parser (python-hcl2, Lark) and the
    evaluator, which a warm run whose roots all come from the result cache never needs."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
