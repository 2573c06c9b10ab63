"""Root module input values, with Terraform's precedence (later wins):

variable defaults < terraform.tfvars < terraform.tfvars.json < *.auto.tfvars(.json) in
lexical order < --var-file files in the order given < --var values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analyzer import jsonsafe
from analyzer.diagnostics import OUTSIDE_ROOT, PARSE_ERROR, UNREADABLE, Diagnostic
from analyzer.location import Location
from analyzer.terraform import reads
from analyzer.terraform.errors import EvalError
from analyzer.terraform.expressions import IsolatedContext, Scope, evaluate, evaluate_safely
from analyzer.terraform.files import display_path
from analyzer.terraform.functions.encoding import normalize_decoded
from analyzer.terraform.module import ModuleDefinition
from analyzer.terraform.parsing import parse_expression, parse_hcl_file, read_text
from analyzer.terraform.syntax import file_body, unwrap
from analyzer.values import contains_unknown


def automatic_var_files(root_dir: Path) -> list[Path]:
    """The variable files Terraform loads by itself, in its order."""
    present = reads.files_in(root_dir)
    files = [root_dir / "terraform.tfvars", root_dir / "terraform.tfvars.json"]
    auto = [p for p in present if p.name.endswith(".auto.tfvars") or p.name.endswith(".auto.tfvars.json")]
    return [p for p in files if p in present] + auto


def root_input_values(
    root_dir: Path,
    definition: ModuleDefinition,
    var_files: Sequence[Path],
    variables: Mapping[str, str],
    display_root: Path,
) -> tuple[dict[str, Any], list[Diagnostic]]:
    values: dict[str, Any] = {}
    diagnostics: list[Diagnostic] = []
    for path in [*automatic_var_files(root_dir), *var_files]:
        file_values, problems = read_var_file(Path(path), display_root)
        values.update(file_values)
        diagnostics.extend(_values_not_used(d) for d in problems)
    for name, raw in variables.items():
        values[name] = parse_cli_value(
            raw, definition.variables[name].type_expr if name in definition.variables else None
        )
    return values, diagnostics


def _values_not_used(diagnostic: Diagnostic) -> Diagnostic:
    """A variables file Terraform would load but the boundary refused is an error: the
    configuration is checked with other values than Terraform would use."""
    if diagnostic.code != OUTSIDE_ROOT:
        return diagnostic
    message = f"{diagnostic.message}, so the variables it sets were checked with their other values"
    return dataclasses.replace(diagnostic, message=message, severity="error")


def read_var_file(path: Path, display_root: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    display = display_path(path, display_root)
    if path.name.endswith(".json"):
        return _read_json_var_file(path, display)
    tree, diagnostics = parse_hcl_file(path, display)
    if tree is None:
        return {}, diagnostics
    scope = Scope(IsolatedContext(), {}, display)
    return {
        name: evaluate_safely(attribute.expr, scope, attribute.location)
        for name, attribute in file_body(tree, display).attributes.items()
    }, diagnostics


def _read_json_var_file(path: Path, display: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    text, diagnostics = read_text(path, display)
    if text is None:
        return {}, diagnostics
    try:
        data = jsonsafe.loads(text)
    except jsonsafe.TooDeep:
        return {}, [_too_deep(display)]
    except ValueError as exc:
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        return {}, [
            Diagnostic(
                PARSE_ERROR, f"invalid JSON: {getattr(exc, 'msg', exc)}", Location(display, line, column), "error"
            )
        ]
    if not isinstance(data, dict):
        return {}, [Diagnostic(PARSE_ERROR, "a .tfvars.json file must hold a JSON object", Location(display), "error")]
    try:
        return normalize_decoded(data), []
    except EvalError:  # a value nested deeper than the limit (the measure above stops that first)
        return {}, [_too_deep(display)]


def _too_deep(display: str) -> Diagnostic:
    message = (
        f"{display} is JSON nested more than {jsonsafe.MAX_DEPTH} levels deep, over the limit eksjoin reads; "
        "its values were not used"
    )
    return Diagnostic(UNREADABLE, message, Location(display), "warning")


def parse_cli_value(raw: str, type_expr) -> Any:
    """A ``--var name=value`` value: a string for string variables, else an HCL literal if it is one."""
    if type_expr is not None:
        node = unwrap(type_expr)
        if node.data == "identifier" and str(node.children[0]) == "string":
            return raw
    try:
        value = evaluate(parse_expression(raw, "--var"), Scope(IsolatedContext(), {}, "--var"))
    except (EvalError, RecursionError):
        return raw
    return raw if contains_unknown(value) else value
