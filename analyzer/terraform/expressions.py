"""The HCL expression evaluator over python-hcl2's raw Lark tree.

``evaluate(node, scope)`` walks one expression; it raises ``EvalError`` where Terraform would
report an error. ``evaluate_safely`` is the expression boundary: errors, and any internal
failure, become an Unknown located at the expression, and evaluation of the rest goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from lark import Token, Tree

from analyzer.diagnostics import EVALUATION, Diagnostic
from analyzer.location import Location
from analyzer.strict import strict
from analyzer.terraform import operations as ops
from analyzer.terraform.budgets import OverBudget, check_size, string_budget, text_length
from analyzer.terraform.convert import normalize_number, to_bool
from analyzer.terraform.errors import EvalError
from analyzer.terraform.lazy import UnknownInstances, materialize
from analyzer.terraform.parsing import name_of, node_position, trees
from analyzer.terraform.templates import (
    ForDirective,
    IfDirective,
    Interpolation,
    Literal,
    TemplateNode,
    template_from_heredoc,
    template_from_string,
    unescape_quoted,
)
from analyzer.values import (
    EachOf,
    HoleKey,
    PartialStr,
    Ref,
    Unknown,
    identity_text,
    is_unknown,
    key_value,
    provably_distinct,
)


class EvalContext(Protocol):
    """What an expression can see beyond its local bindings (a module instance, or nothing)."""

    files: Any  # analyzer.terraform.files.FileAccess

    def root_value(self, name: str, location: Location) -> Any:
        """Value of a root name such as ``var``, ``local``, ``aws_vpc``; KeyError if none."""

    def report(self, diagnostic: Diagnostic) -> None: ...


class IsolatedContext:
    """A context with no names of its own: template files, variable defaults, tfvars values."""

    def __init__(self, files: Any = None, report: Callable[[Diagnostic], None] | None = None) -> None:
        self.files = files
        self._report = report

    def root_value(self, name: str, location: Location) -> Any:
        raise KeyError(name)

    def report(self, diagnostic: Diagnostic) -> None:
        if self._report is not None:
            self._report(diagnostic)


class Scope:
    """Local bindings (each, count, for-expression and template variables) over a context."""

    __slots__ = ("bindings", "context", "display")

    def __init__(self, context: EvalContext, bindings: dict[str, Any] | None = None, display: str = "") -> None:
        self.context = context
        self.bindings = bindings or {}
        self.display = display

    def child(self, bindings: dict[str, Any]) -> Scope:
        return Scope(self.context, {**self.bindings, **bindings}, self.display)

    def location(self, node: Tree | Token) -> Location:
        line, column = node_position(node)
        return Location(self.display, line, column)


# --- the boundary -----------------------------------------------------------------------


def evaluate_safely(node: Tree, scope: Scope, location: Location | None = None) -> Any:
    """Evaluate one expression; never raises."""
    where = location or scope.location(node)
    try:
        return evaluate(node, scope)
    except OverBudget as exc:
        scope.context.report(
            Diagnostic(
                EVALUATION,
                f"{exc}; the value is treated as unknown",
                where,
                "warning",
                "Lint plan JSON to check the value Terraform computes, or build smaller values.",
            )
        )
        return Unknown(str(exc), where)
    except EvalError as exc:
        return Unknown(str(exc), where)
    except RecursionError:
        return Unknown("expression nested too deeply to evaluate", where)
    except Exception as exc:  # an evaluator defect must not end the run: degrade this value only
        if strict():
            raise
        scope.context.report(
            Diagnostic(
                EVALUATION,
                f"internal error while evaluating this expression ({type(exc).__name__}: {exc}); "
                "its value is treated as unknown",
                where,
                "info",
            )
        )
        return Unknown(f"internal evaluation error ({type(exc).__name__})", where)


# --- dispatch ---------------------------------------------------------------------------


def evaluate(node: Tree | Token, scope: Scope) -> Any:
    if isinstance(node, Token):
        raise EvalError(f"unexpected token {node!s}")
    handler = _HANDLERS.get(node.data)
    if handler is None:
        raise EvalError(f"unsupported expression ({node.data})")
    return handler(node, scope)


def _expr_term(node: Tree, scope: Scope) -> Any:
    return evaluate(trees(node)[0], scope)


def _int_lit(node: Tree, scope: Scope) -> Any:
    return int(str(node.children[0]))


def _float_lit(node: Tree, scope: Scope) -> Any:
    return normalize_number(float(str(node.children[0])))


def _literal_value(node: Tree, scope: Scope) -> Any:
    return {"true": True, "false": False, "null": None}[str(node.children[0])]


def _identifier(node: Tree, scope: Scope) -> Any:
    name = str(node.children[0])
    if name in scope.bindings:
        return scope.bindings[name]
    try:
        return scope.context.root_value(name, scope.location(node))
    except KeyError:
        raise EvalError(f'unknown name "{name}"') from None


def _tuple(node: Tree, scope: Scope) -> Any:
    return check_size([evaluate(item, scope) for item in trees(node)], "a list")


def _object(node: Tree, scope: Scope) -> Any:
    result: dict[str, Any] = {}
    unknown_key = None
    for elem in trees(node):
        key = _object_key(elem.children[0], scope)
        value = evaluate(elem.children[-1], scope)
        if is_unknown(key):
            unknown_key = unknown_key or key
            continue
        result[key] = value
    if unknown_key is not None:
        return ops.derived_unknown(unknown_key)
    return check_size(result, "an object")


def _object_key(key_node: Tree, scope: Scope) -> Any:
    inner = trees(key_node)
    if not inner:
        return str(key_node.children[0])
    expr = inner[0]
    if expr.data == "keyword":
        return name_of(expr)
    bare = _bare_name(expr)
    if bare is not None:
        return bare
    key = ops.interpolate(evaluate(expr, scope))
    return key


def _bare_name(expr: Tree) -> str | None:
    """A key written as a bare identifier is its own name, not a variable reference."""
    if expr.data == "expr_term" and len(expr.children) == 1 and isinstance(expr.children[0], Tree):
        inner = expr.children[0]
        if inner.data in ("identifier", "literal_value"):
            return str(inner.children[0])
    return None


def _conditional(node: Tree, scope: Scope) -> Any:
    condition_node, then_node, else_node = trees(node)
    condition = evaluate(condition_node, scope)
    if is_unknown(condition):
        return _unknown_condition(condition, then_node, else_node, scope)
    if to_bool(condition):
        return evaluate(then_node, scope)
    return evaluate(else_node, scope)


def _unknown_condition(condition: Any, then_node: Tree, else_node: Tree, scope: Scope) -> Any:
    try:
        then_value = materialize(evaluate(then_node, scope))
        else_value = materialize(evaluate(else_node, scope))
    except EvalError:
        return ops.derived_unknown(condition)
    if ops.equals(then_value, else_value) is True:
        return then_value
    hole = ops.derived_unknown(condition)
    return Unknown(f"condition is unknown: {hole.reason}", hole.origin)


_BINARY = {
    "PLUS": "+",
    "MINUS": "-",
    "ASTERISK": "*",
    "SLASH": "/",
    "PERCENT": "%",
    "LT": "<",
    "GT": ">",
    "LEQ": "<=",
    "GEQ": ">=",
    "DOUBLE_EQ": "==",
    "NEQ": "!=",
    "DOUBLE_AMP": "&&",
    "DOUBLE_PIPE": "||",
}


def _binary_op(node: Tree, scope: Scope) -> Any:
    left_node, term = trees(node)[:2]
    operator_node, right_node = trees(term)[:2]
    operator = _BINARY[operator_node.children[0].type]
    left = evaluate(left_node, scope)
    if operator == "&&":
        return ops.logical_and(left, lambda: evaluate(right_node, scope))
    if operator == "||":
        return ops.logical_or(left, lambda: evaluate(right_node, scope))
    right = evaluate(right_node, scope)
    if operator == "==":
        return ops.equals(left, right)
    if operator == "!=":
        return ops.not_equals(left, right)
    if operator in ("<", ">", "<=", ">="):
        return ops.compare(operator, left, right)
    return ops.arithmetic(operator, left, right)


def _unary_op(node: Tree, scope: Scope) -> Any:
    operator = node.children[0]
    value = evaluate(node.children[1], scope)
    return ops.negate(value) if operator.type == "NOT" else ops.minus(value)


# --- strings and templates --------------------------------------------------------------


def _string(node: Tree, scope: Scope) -> Any:
    parts = node.children
    if all(
        not isinstance(p, Tree) or (isinstance(p.children[0], Token) and p.children[0].type == "STRING_CHARS")
        for p in parts
    ):
        return unescape_quoted("".join(str(p.children[0]) for p in parts if isinstance(p, Tree)))
    return render_template(template_from_string(node), scope)


def _template_string(node: Tree, scope: Scope) -> Any:
    raw = str(node.children[0])
    return unescape_quoted(raw[2:-2])


def _heredoc(node: Tree, scope: Scope) -> Any:
    return render_template(template_from_heredoc(node.children[0], scope.display), scope)


def render_template(nodes: list[TemplateNode] | tuple[TemplateNode, ...], scope: Scope) -> Any:
    """A template's value: a str, a PartialStr when parts are unknown, or the bare value of
    a template made of a single interpolation (``"${var.list}"`` is the list itself)."""
    if len(nodes) == 1 and isinstance(nodes[0], Interpolation):
        return evaluate(nodes[0].expr, scope)
    pieces = _render_nodes(nodes, scope)
    string_budget(text_length(pieces), "a string template")
    return PartialStr.join(pieces)


def _render_nodes(nodes, scope: Scope) -> list[Any]:
    pieces: list[Any] = []
    for node in nodes:
        if isinstance(node, Literal):
            pieces.append(node.text)
        elif isinstance(node, Interpolation):
            pieces.append(ops.interpolate(evaluate(node.expr, scope)))
        elif isinstance(node, IfDirective):
            pieces.extend(_render_if(node, scope))
        elif isinstance(node, ForDirective):
            pieces.extend(_render_for(node, scope))
    return pieces


def _render_if(node: IfDirective, scope: Scope) -> list[Any]:
    condition = evaluate(node.condition, scope)
    if is_unknown(condition):
        hole = ops.derived_unknown(condition)
        return [Unknown(f"template condition is unknown: {hole.reason}", hole.origin)]
    return _render_nodes(node.then if to_bool(condition) else node.otherwise, scope)


def _render_for(node: ForDirective, scope: Scope) -> list[Any]:
    pairs = ops.iterate(evaluate(node.collection, scope))
    if isinstance(pairs, Unknown):
        return [pairs]
    pieces: list[Any] = []
    for key, value in pairs:
        bindings = {node.value_name: value}
        if node.key_name:
            bindings[node.key_name] = key
        pieces.extend(_render_nodes(node.body, scope.child(bindings)))
    return pieces


# --- references, indexing, splats -------------------------------------------------------


def _get_attr_expr(node: Tree, scope: Scope) -> Any:
    base_node, attr = trees(node)
    return ops.get_attr(evaluate(base_node, scope), name_of(trees(attr)[0]))


def _index_expr(node: Tree, scope: Scope) -> Any:
    base_node, index = trees(node)
    return ops.index_value(evaluate(base_node, scope), _index_key(index, scope))


def _index_key(index: Tree, scope: Scope) -> Any:
    if index.data == "short_index":
        return int(str(index.children[-1]))
    return evaluate(trees(index)[0], scope)


def _apply_traversal(value: Any, step: Tree, scope: Scope) -> Any:
    if step.data == "get_attr":
        return ops.get_attr(value, name_of(trees(step)[0]))
    return ops.index_value(value, _index_key(step, scope))


def _full_splat(node: Tree, scope: Scope) -> Any:
    base_node, splat = trees(node)
    items = ops.splat_items(evaluate(base_node, scope))
    if isinstance(items, Unknown):
        return items
    steps = trees(splat)
    results = []
    for item in items:
        for step in steps:
            item = _apply_traversal(item, step, scope)
        results.append(item)
    return items.like(results) if isinstance(items, EachOf) else results


def _attr_splat(node: Tree, scope: Scope) -> Any:
    """Legacy ``.*``: attribute steps apply to each element, later index steps to the result."""
    base_node, splat = trees(node)
    items = ops.splat_items(evaluate(base_node, scope))
    if isinstance(items, Unknown):
        return items
    steps = trees(splat)
    split = next((i for i, step in enumerate(steps) if step.data != "get_attr"), len(steps))
    results = []
    for item in items:
        for step in steps[:split]:
            item = _apply_traversal(item, step, scope)
        results.append(item)
    value: Any = items.like(results) if isinstance(items, EachOf) else results
    for step in steps[split:]:
        value = _apply_traversal(value, step, scope)
    return value


# --- for expressions --------------------------------------------------------------------


def _for_parts(node: Tree) -> tuple[str | None, str, Tree, list[Tree], Tree | None, bool]:
    intro = next(t for t in trees(node) if t.data == "for_intro")
    names = [str(t.children[0]) for t in trees(intro) if t.data == "identifier"]
    collection = next(t for t in trees(intro) if t.data != "identifier")
    key_name, value_name = (names[0], names[1]) if len(names) == 2 else (None, names[0])
    condition = next((trees(t)[0] for t in trees(node) if t.data == "for_cond"), None)
    bodies = [t for t in trees(node) if t.data not in ("for_intro", "for_cond")]
    grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
    return key_name, value_name, collection, bodies, condition, grouping


def _for_iterations(node: Tree, scope: Scope):
    key_name, value_name, collection_node, bodies, condition, grouping = _for_parts(node)
    pairs = ops.iterate(evaluate(collection_node, scope))
    if isinstance(pairs, Unknown):
        return pairs, bodies, grouping
    iterations = []
    for key, value in pairs:
        bindings = {value_name: value}
        if key_name:
            bindings[key_name] = key
        inner = scope.child(bindings)
        if condition is not None:
            keep = evaluate(condition, inner)
            if is_unknown(keep):
                hole = ops.derived_unknown(keep)
                return Unknown(f"for expression condition is unknown: {hole.reason}", hole.origin), bodies, grouping
            if not to_bool(keep):
                continue
        iterations.append(inner)
    return iterations, bodies, grouping


def _for_tuple(node: Tree, scope: Scope) -> Any:
    each = _for_each_of(node, scope)
    if each is not None:
        return each
    iterations, bodies, _ = _for_iterations(node, scope)
    if isinstance(iterations, Unknown):
        return iterations
    return check_size([evaluate(bodies[0], inner) for inner in iterations], "a for expression")


def _for_each_of(node: Tree, scope: Scope) -> Any:
    """``[for s in aws_subnet.private : s.id]`` over instances of unknown number: one element
    per instance, each like the stand-in (None when the collection is not such)."""
    key_name, value_name, collection_node, bodies, condition, _ = _for_parts(node)
    collection = evaluate(collection_node, scope)
    items = ops.splat_items(collection) if isinstance(collection, (UnknownInstances, EachOf)) else None
    if not isinstance(items, EachOf):
        return None
    bindings = {value_name: items[0] if items else Unknown(items.reason)}
    if key_name:
        bindings[key_name] = Unknown(items.reason)
    inner = scope.child(bindings)
    if condition is not None:
        keep = evaluate(condition, inner)
        if is_unknown(keep):
            hole = ops.derived_unknown(keep)
            return Unknown(f"for expression condition is unknown: {hole.reason}", hole.origin)
        if not to_bool(keep):
            return items.like([])  # the condition fails alike for every instance
    return items.like([evaluate(bodies[0], inner)])


def _for_object(node: Tree, scope: Scope) -> Any:
    iterations, bodies, grouping = _for_iterations(node, scope)
    if isinstance(iterations, Unknown):
        return iterations
    key_node, value_node = bodies[0], bodies[1]
    result: dict[str, Any] = {}
    for inner in iterations:
        key = _for_key(ops.interpolate(evaluate(key_node, inner)), result)
        if isinstance(key, Unknown):
            return key
        value = evaluate(value_node, inner)
        if grouping:
            result.setdefault(key, []).append(value)
        elif key in result:
            raise EvalError(f'duplicate key "{key}" in for expression; use ... to group')
        else:
            result[key] = value
    return check_size(result, "a for expression")


def _for_key(key: Any, result: dict[str, Any]) -> Any:
    """The key of a for expression's next element, or an Unknown. A key with holes is kept as a
    HoleKey when each hole is one attribute or symbol and it is provably equal to, or provably
    distinct from, every key already there: the policy ARNs ``arn:${partition}:iam::aws:policy/X``
    are as many keys whatever the partition."""
    if not is_unknown(key):
        clash = next((k for k in result if isinstance(k, HoleKey) and _may_be_equal(key, k)), None)
        return key if clash is None else _ambiguous_key(key, clash)
    if not isinstance(key, PartialStr) or identity_text(key) is None:
        hole = ops.derived_unknown(key)
        return Unknown(f"for expression key is unknown: {hole.reason}", hole.origin)
    same = next((k for k in result if identity_text(key_value(k)) == identity_text(key)), None)
    if same is not None:
        return same  # provably the same key: grouped, or a duplicate as for a literal key
    clash = next((k for k in result if _may_be_equal(key, k)), None)
    return HoleKey(key) if clash is None else _ambiguous_key(key, clash)


def _may_be_equal(key: Any, other: Any) -> bool:
    return not provably_distinct(key_value(key), key_value(other))


def _ambiguous_key(key: Any, other: Any) -> Unknown:
    hole = ops.derived_unknown(key_value(key) if is_unknown(key_value(key)) else key_value(other))
    return Unknown(f"for expression keys {key!s} and {other!s} may be the same: {hole.reason}", hole.origin)


# --- function calls ---------------------------------------------------------------------


def _function_call(node: Tree, scope: Scope) -> Any:
    from analyzer.terraform.functions import call_function  # the table imports this module

    names = [name_of(t) for t in trees(node) if t.data == "identifier"]
    name = "::".join(names)
    arguments = next((t for t in trees(node) if t.data == "arguments"), None)
    arg_nodes = trees(arguments) if arguments is not None else []
    expand_last = arguments is not None and any(
        isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments.children
    )
    location = scope.location(node)
    if name in ("try", "can"):
        return _try(arg_nodes, scope) if name == "try" else _can(arg_nodes, scope)
    args = [evaluate(arg, scope) for arg in arg_nodes]
    if expand_last and args:
        last = args.pop()
        if is_unknown(last):
            return ops.derived_unknown(last)
        if not isinstance(last, list):
            raise EvalError(f"{name}(...): the expanded argument must be a list")
        args.extend(last)
    return check_size(call_function(name, args, scope, location), f"the result of {name}()")


def _try(arg_nodes: list[Tree], scope: Scope) -> Any:
    """``try``: the first argument that evaluates without error; an unknown one stays unknown."""
    last_error = "try() needs at least one argument"
    for arg in arg_nodes:
        try:
            value = evaluate(arg, scope)
        except OverBudget:
            raise
        except EvalError as exc:
            last_error = str(exc)
            continue
        return value
    raise EvalError(f"no argument of try() could be evaluated: {last_error}")


def _can(arg_nodes: list[Tree], scope: Scope) -> Any:
    if len(arg_nodes) != 1:
        raise EvalError("can() takes exactly one argument")
    try:
        value = evaluate(arg_nodes[0], scope)
    except OverBudget:
        raise
    except EvalError:
        return False
    if isinstance(value, Unknown) and not isinstance(value, Ref):
        return ops.derived_unknown(value)
    return True


_HANDLERS: dict[str, Callable[[Tree, Scope], Any]] = {
    "expr_term": _expr_term,
    "int_lit": _int_lit,
    "float_lit": _float_lit,
    "literal_value": _literal_value,
    "identifier": _identifier,
    "keyword": lambda node, scope: _identifier(node, scope),
    "tuple": _tuple,
    "object": _object,
    "conditional": _conditional,
    "binary_op": _binary_op,
    "unary_op": _unary_op,
    "string": _string,
    "template_string": _template_string,
    "heredoc_template": _heredoc,
    "heredoc_template_trim": _heredoc,
    "get_attr_expr_term": _get_attr_expr,
    "index_expr_term": _index_expr,
    "full_splat_expr_term": _full_splat,
    "attr_splat_expr_term": _attr_splat,
    "for_tuple_expr": _for_tuple,
    "for_object_expr": _for_object,
    "function_call": _function_call,
}

__all__ = ["EvalContext", "IsolatedContext", "Scope", "evaluate", "evaluate_safely", "render_template"]
