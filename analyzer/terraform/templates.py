"""String templates: ``"a${x}b"``, ``%{if}``/``%{for}`` directives, heredocs, ``templatefile()``.

Quoted strings arrive from the grammar already split into parts. Heredoc bodies and template
files arrive as raw text, so a small lexer splits literal text from ``${...}`` and ``%{...}``
sequences (tracking nested braces and quoted strings) and each expression inside is parsed
with the HCL grammar. Both paths produce the same flat token list, which is then folded
into a tree of template nodes (strip markers applied) that the evaluator renders.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from lark import Token, Tree

from analyzer.terraform.errors import EvalError
from analyzer.terraform.parsing import node_position, parse_expression, trees

# --- template nodes ------------------------------------------------------------------


@dataclass
class Literal:
    text: str


@dataclass
class Interpolation:
    expr: Tree


@dataclass
class IfDirective:
    condition: Tree
    then: list = field(default_factory=list)
    otherwise: list = field(default_factory=list)


@dataclass
class ForDirective:
    key_name: str | None
    value_name: str
    collection: Tree
    body: list = field(default_factory=list)


TemplateNode = Literal | Interpolation | IfDirective | ForDirective


# --- flat tokens, before directives are nested ------------------------------------------


@dataclass
class _Token:
    kind: str  # "literal" | "interp" | "if" | "else" | "endif" | "for" | "endfor"
    text: str = ""
    expr: Tree | None = None
    names: tuple[str, ...] = ()
    strip_left: bool = False
    strip_right: bool = False


# --- escapes -------------------------------------------------------------------------

_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f"}


def _code_point(number: int) -> str:
    """The character of a ``\\u``/``\\U`` escape. A surrogate half (or a number past
    U+10FFFF) is no character: HCL writes U+FFFD for it, as Go encodes an invalid rune."""
    if 0xD800 <= number <= 0xDFFF or number > 0x10FFFF:
        return "\ufffd"
    return chr(number)


def unescape_quoted(text: str) -> str:
    """Resolve the backslash escapes of a quoted HCL string."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        code = text[i + 1]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            i += 2
        elif code in "uU":
            width = 4 if code == "u" else 8
            digits = text[i + 2 : i + 2 + width]
            try:
                out.append(_code_point(int(digits, 16)))
                i += 2 + width
            except ValueError:
                out.append(text[i : i + 2])
                i += 2
        else:
            out.append(text[i : i + 2])
            i += 2
    return "".join(out)


# --- quoted strings (already split by the grammar) -------------------------------------


def tokens_from_string(node: Tree) -> list[_Token]:
    """Flat template tokens of a ``string`` node."""
    out: list[_Token] = []
    for part in node.children:
        if not isinstance(part, Tree):
            continue  # the quotes
        inner = part.children[0]
        if isinstance(inner, Token):
            if inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                out.append(_Token("literal", str(inner)[1:]))
            else:
                out.append(_Token("literal", unescape_quoted(str(inner))))
        else:
            out.append(_directive_token_from_tree(inner))
    return out


def _directive_token_from_tree(node: Tree) -> _Token:
    kind = node.data
    if kind == "interpolation":
        return _Token("interp", expr=trees(node)[0])
    children = node.children
    keyword_index = next(
        i for i, c in enumerate(children) if isinstance(c, Token) and c.type in ("IF", "ELSE", "ENDIF", "FOR", "ENDFOR")
    )
    strip_left = any(isinstance(c, Token) and c.type == "STRIP_MARKER" for c in children[:keyword_index])
    strip_right = any(isinstance(c, Token) and c.type == "STRIP_MARKER" for c in children[keyword_index:])
    if kind == "template_if_start":
        return _Token("if", expr=_directive_expression(node), strip_left=strip_left, strip_right=strip_right)
    if kind == "template_for_start":
        names = tuple(str(t.children[0]) for t in trees(node) if t.data == "identifier")
        return _Token(
            "for", expr=_directive_expression(node), names=names, strip_left=strip_left, strip_right=strip_right
        )
    simple = {"template_else": "else", "template_endif": "endif", "template_endfor": "endfor"}[kind]
    return _Token(simple, strip_left=strip_left, strip_right=strip_right)


def _directive_expression(node: Tree) -> Tree:
    return [t for t in trees(node) if t.data != "identifier" or node.data == "template_if_start"][-1]


# --- raw text (heredoc bodies, template files) -----------------------------------------


def heredoc_text(raw: str, flush: bool) -> str:
    """The body of a ``<<EOF`` / ``<<-EOF`` heredoc terminal, indentation removed for ``<<-``."""
    first_newline = raw.index("\n")
    body = raw[first_newline + 1 :]
    # drop the closing marker line
    body = body.rstrip("\n").rstrip("\r")
    last_newline = body.rfind("\n")
    body = body[: last_newline + 1] if last_newline >= 0 else ""
    if flush:
        body = _remove_common_indent(body)
    return body


def _remove_common_indent(body: str) -> str:
    lines = body.split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    if not indents:
        return body
    cut = min(indents)
    return "\n".join(line[cut:] if line.strip() else line.lstrip(" \t") for line in lines)


@functools.lru_cache(maxsize=2048)
def parse_template_text(text: str, display: str, line: int = 1) -> tuple[TemplateNode, ...]:
    """Template nodes of a heredoc body or template file starting at ``line``."""
    return tuple(build_template(_tokens_from_text(text, display, line)))


def _tokens_from_text(text: str, display: str, first_line: int) -> list[_Token]:
    out: list[_Token] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("$${", i) or text.startswith("%%{", i):
            literal.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            close = find_closing_brace(text, i + 2)
            if close < 0:
                raise EvalError(f"unterminated template sequence at {display}:{first_line + text.count(chr(10), 0, i)}")
            if literal:
                out.extend(_line_literals("".join(literal)))
                literal = []
            line = first_line + text.count("\n", 0, i)
            column = i - (text.rfind("\n", 0, i) + 1) + 3
            out.append(_sequence_token(text[i], text[i + 2 : close], display, line, column))
            i = close + 1
            continue
        literal.append(text[i])
        i += 1
    if literal:
        out.extend(_line_literals("".join(literal)))
    return out


def _line_literals(text: str) -> list[_Token]:
    """Literal text as one token per line, as HCL scans templates: a strip marker then
    trims only the adjacent line (``${x ~}`` eats the rest of its line, not the blank
    lines after it)."""
    lines = text.split("\n")
    tokens = [_Token("literal", line + "\n") for line in lines[:-1]]
    if lines[-1]:
        tokens.append(_Token("literal", lines[-1]))
    return tokens


def find_closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing a sequence whose content starts at ``start``, or -1."""
    depth = 0
    i, n = start, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            i = _skip_quoted(text, i + 1)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _skip_quoted(text: str, i: int) -> int:
    """Index just past the quoted string whose content starts at ``i``."""
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            i += 2
        elif char == '"':
            return i + 1
        elif text.startswith("${", i) or text.startswith("%{", i):
            close = find_closing_brace(text, i + 2)
            i = n if close < 0 else close + 1
        elif char == "\n":
            return i  # a quoted string never spans lines: stop rather than swallow the rest
        else:
            i += 1
    return n


def _sequence_token(sigil: str, content: str, display: str, line: int, column: int) -> _Token:
    strip_left = content.startswith("~")
    strip_right = content.endswith("~") and len(content) > (1 if strip_left else 0)
    inner = content[1 if strip_left else 0 : len(content) - (1 if strip_right else 0)]
    if sigil == "$":
        return _Token(
            "interp",
            expr=parse_expression(inner, display, line, column),
            strip_left=strip_left,
            strip_right=strip_right,
        )
    head = inner.strip()
    keyword = head.split(None, 1)[0] if head else ""
    if keyword in ("else", "endif", "endfor") and head == keyword:
        return _Token(keyword, strip_left=strip_left, strip_right=strip_right)
    if keyword == "if":
        condition = head[2:]
        return _Token(
            "if",
            expr=parse_expression(condition, display, line, column),
            strip_left=strip_left,
            strip_right=strip_right,
        )
    if keyword == "for":
        names, collection = _parse_for_head(head, display, line, column)
        return _Token("for", expr=collection, names=names, strip_left=strip_left, strip_right=strip_right)
    raise EvalError(f"unknown template directive %{{{head}}} at {display}:{line}")


def _parse_for_head(head: str, display: str, line: int, column: int) -> tuple[tuple[str, ...], Tree]:
    """``for k, v in coll`` parsed by the grammar as the intro of a for expression."""
    tree = parse_expression(f"[{head} : null]", display, line, column)
    for_expr = trees(tree)[0] if tree.data == "expr_term" else tree
    intro = next(t for t in trees(for_expr) if t.data == "for_intro")
    names = tuple(str(t.children[0]) for t in trees(intro) if t.data == "identifier")
    collection = next(t for t in trees(intro) if t.data != "identifier")
    return names, collection


# --- folding tokens into nodes ---------------------------------------------------------


def build_template(flat: list[_Token]) -> list[TemplateNode]:
    """Apply strip markers, then nest ``if``/``for`` directives."""
    _apply_strip_markers(flat)
    root: list[TemplateNode] = []
    stack: list[tuple[_Token, TemplateNode, list[TemplateNode]]] = []
    current = root
    for token in flat:
        if token.kind == "literal":
            if token.text:
                current.append(Literal(token.text))
        elif token.kind == "interp":
            current.append(Interpolation(token.expr))
        elif token.kind == "if":
            node = IfDirective(token.expr)
            current.append(node)
            stack.append((token, node, current))
            current = node.then
        elif token.kind == "else":
            if not stack or not isinstance(stack[-1][1], IfDirective):
                raise EvalError("template: %{else} without %{if}")
            current = stack[-1][1].otherwise
        elif token.kind == "for":
            key_name, value_name = token.names if len(token.names) == 2 else (None, token.names[0])
            node = ForDirective(key_name, value_name, token.expr)
            current.append(node)
            stack.append((token, node, current))
            current = node.body
        elif token.kind in ("endif", "endfor"):
            expected = IfDirective if token.kind == "endif" else ForDirective
            if not stack or not isinstance(stack[-1][1], expected):
                raise EvalError(f"template: unexpected %{{{token.kind}}}")
            _, _, current = stack.pop()
    if stack:
        raise EvalError(f"template: %{{{stack[-1][0].kind}}} is never closed")
    return root


def _apply_strip_markers(flat: list[_Token]) -> None:
    for index, token in enumerate(flat):
        if token.kind == "literal":
            continue
        if token.strip_left and index > 0 and flat[index - 1].kind == "literal":
            flat[index - 1].text = flat[index - 1].text.rstrip(" \t\r\n")
        if token.strip_right and index + 1 < len(flat) and flat[index + 1].kind == "literal":
            flat[index + 1].text = flat[index + 1].text.lstrip(" \t\r\n")


def template_from_string(node: Tree) -> list[TemplateNode]:
    return build_template(tokens_from_string(node))


def template_from_heredoc(token: Token, display: str) -> tuple[TemplateNode, ...]:
    raw = str(token)
    flush = raw.startswith("<<-")
    line, _ = node_position(token)
    return parse_template_text(heredoc_text(raw, flush), display, line + 1)
