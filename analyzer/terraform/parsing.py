"""Reading and parsing HCL with python-hcl2's raw Lark tree, which keeps line and column.

Every file is parsed once per process (cached by path and content digest, bounded); expression snippets
found inside heredocs and template files are parsed with the same grammar.
"""

from __future__ import annotations

import functools
from pathlib import Path

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from analyzer import boundary, gcpause
from analyzer.contentcache import Bounded, digest
from analyzer.diagnostics import PARSE_ERROR, UNREADABLE, Diagnostic
from analyzer.discovery import content_problem, too_large, unreadable
from analyzer.location import Location
from analyzer.terraform import reads
from analyzer.terraform.errors import EvalError

MAX_FILE_BYTES = reads.MAX_FILE_BYTES  # larger inputs are refused: real configuration files are far smaller

# Parse results by resolved path and content digest; bounded (a Lark tree is ~100x its source).
# A file is parsed to build its module's definition, which is cached (module._DEFINITIONS)
# and keeps what evaluation needs; whole trees are kept only for the last few files (another
# definition of the same folder, a variables file read twice). Keeping every tree held a
# corpus run's peak at 294 MB instead of 237 MB, for no parse saved.
_PARSE_CACHE: Bounded[tuple[Tree | None, tuple[Diagnostic, ...]]] = Bounded(limit=64)

# Wrapper used to parse a lone expression with the file grammar (which only accepts bodies).
_EXPRESSION_PREFIX = "__expression__ = ("
_EXPRESSION_SUFFIX = "\n)\n"


def read_text(path: Path, display: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's text, or None with a LOAD-002 diagnostic when too large, binary or unreadable."""
    data, problems = _read_bytes(path, display)
    if data is None:
        return None, problems
    return _decode(data, display)


def _read_bytes(path: Path, display: str) -> tuple[bytes | None, list[Diagnostic]]:
    """The file's bytes through ``reads`` (so the result cache knows what was read), checked as
    discovery checks it: a file both meet is one finding, in the same words."""
    try:
        data = reads.read_limited(path, MAX_FILE_BYTES)
    except boundary.Refused as refused:  # outside the repository, a FIFO or a device: never opened
        return None, [boundary.refusal_diagnostic(path, display, refused)]
    except OSError as exc:
        return None, [Diagnostic(UNREADABLE, unreadable(path, exc), Location(display))]
    problem = too_large(path, data, MAX_FILE_BYTES, "terraform") if isinstance(data, int) else content_problem(data)
    if problem:
        return None, [Diagnostic(UNREADABLE, problem, Location(display))]
    return data, []


def _decode(data: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        return None, [
            Diagnostic(UNREADABLE, f"{display} is not UTF-8 text (byte {exc.start}); not read", Location(display))
        ]


def parse_hcl_file(path: Path, display: str) -> tuple[Tree | None, list[Diagnostic]]:
    """Parse one HCL file into python-hcl2's raw Lark tree (nodes carry ``.meta.line/.column``).

    A syntax error gives ``(None, [Diagnostic(LOAD-001)])`` located at the offending token.
    """
    data, problems = _read_bytes(path, display)
    if data is None:
        return None, problems

    def parse() -> tuple[Tree | None, tuple[Diagnostic, ...]]:
        text, diagnostics = _decode(data, display)
        tree = None
        if text is not None:
            tree, diagnostics = parse_hcl_text(text, display)
        return tree, tuple(diagnostics)

    tree, diagnostics = _PARSE_CACHE.get_or_make((str(path.resolve()), digest(data)), parse)
    return tree, _relocate(diagnostics, display)


# Blocks nested deeper than this are never configuration (Terraform's deepest, a
# dynamic block inside a nested block type, is a handful of levels); reading them would
# recurse once per level.
MAX_BLOCK_DEPTH = 64


def parse_hcl_text(text: str, display: str) -> tuple[Tree | None, list[Diagnostic]]:
    try:
        tree = hcl2.parses_to_tree(text)
        gcpause.after_parse()
        if _block_depth(tree) > MAX_BLOCK_DEPTH:
            message = f"{display} nests blocks deeper than {MAX_BLOCK_DEPTH} levels; the file was not analysed"
            return None, [Diagnostic(UNREADABLE, message, Location(display), "warning")]
        return tree, []
    except UnexpectedInput as exc:
        return None, [_syntax_diagnostic(exc, display)]
    except (LarkError, RecursionError, ValueError) as exc:
        return None, [Diagnostic(PARSE_ERROR, f"HCL syntax error: {type(exc).__name__}", Location(display), "error")]


def _block_depth(tree: Tree) -> int:
    """How deep blocks nest in ``tree`` (walked without recursion, through bodies only)."""
    deepest = 0
    stack: list[tuple[Tree, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data == "block":
            depth += 1
            deepest = max(deepest, depth)
        stack.extend((c, depth) for c in node.children if isinstance(c, Tree) and c.data in ("body", "block"))
    return deepest


def _relocate(diagnostics: tuple[Diagnostic, ...], display: str) -> list[Diagnostic]:
    """Cached diagnostics name the file as first displayed; show them under the current name."""
    return [
        Diagnostic(d.code, d.message, Location(display, d.location.line, d.location.column), d.severity, d.fix)
        for d in diagnostics
    ]


def _syntax_diagnostic(exc: UnexpectedInput, display: str) -> Diagnostic:
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    if line < 0:  # Lark reports end-of-input as -1
        line, column = 1, 1
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        found = "end of file" if token.type == "$END" else repr(str(token).strip() or token.type)
        expected = _expected_names(exc.expected)
        message = f"HCL syntax error: unexpected {found}" + (f", expected {expected}" if expected else "")
    elif isinstance(exc, UnexpectedCharacters):
        message = f"HCL syntax error: unexpected character {exc.char!r}"
    elif isinstance(exc, UnexpectedEOF):
        message = "HCL syntax error: unexpected end of file"
    else:
        message = "HCL syntax error"
    return Diagnostic(
        PARSE_ERROR,
        message,
        Location(display, line, column),
        "error",
        "Fix the syntax; `terraform validate` shows the same error.",
    )


_TERMINAL_NAMES = {
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "RSQB": "']'",
    "LSQB": "'['",
    "RPAR": "')'",
    "LPAR": "'('",
    "EQ": "'='",
    "COLON": "':'",
    "COMMA": "','",
    "DBLQUOTE": "'\"'",
    "NAME": "a name",
    "NL_OR_COMMENT": "a new line",
    "STRING_CHARS": "text",
}


def _expected_names(expected: set[str]) -> str:
    names = sorted({_TERMINAL_NAMES[name] for name in expected if name in _TERMINAL_NAMES})
    return " or ".join(names[:4])


@functools.lru_cache(maxsize=4096)
def parse_expression(text: str, display: str, line: int = 1, column: int = 1) -> Tree:
    """Parse one expression (from a heredoc or template file) located at ``line``/``column``.

    Raises EvalError on a syntax error: the template is then evaluated to an Unknown.
    """
    try:
        tree = hcl2.parses_to_tree(_EXPRESSION_PREFIX + text + _EXPRESSION_SUFFIX)
    except (LarkError, RecursionError) as exc:
        where = f"{display}:{line}"
        raise EvalError(f"invalid expression in template at {where}: {type(exc).__name__}") from None
    attribute = next(
        child for child in tree.children[0].children if isinstance(child, Tree) and child.data == "attribute"
    )
    expression = attribute.children[-1]  # expr_term "(" expression ")"
    inner = next(
        child for child in expression.children if isinstance(child, Tree) and child.data != "new_line_or_comment"
    )
    _shift_positions(inner, line - 1, column - 1 - len(_EXPRESSION_PREFIX))
    return inner


def _shift_positions(tree: Tree, line_offset: int, first_line_column_offset: int) -> None:
    stack = [tree]
    while stack:
        node = stack.pop()
        meta = node.meta
        if not meta.empty:
            if meta.line == 1:
                meta.column += first_line_column_offset
            meta.line += line_offset
        stack.extend(child for child in node.children if isinstance(child, Tree))


# --- small accessors over the raw tree -------------------------------------------------


def trees(node: Tree) -> list[Tree]:
    """Child trees that carry meaning (not tokens, not newlines/comments)."""
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def tokens(node: Tree) -> list[Token]:
    return [c for c in node.children if isinstance(c, Token)]


def node_position(node: Tree | Token) -> tuple[int, int]:
    if isinstance(node, Token):
        return node.line or 1, node.column or 1
    if node.meta.empty:
        return 1, 1
    return node.meta.line, node.meta.column


def name_of(node: Tree) -> str:
    """Text of an ``identifier``/``keyword``/``literal_value``/``string`` used as a name or label."""
    if node.data in ("identifier", "keyword", "literal_value"):
        return str(node.children[0])
    if node.data == "string":
        return "".join(
            str(part.children[0])
            for part in node.children
            if isinstance(part, Tree) and isinstance(part.children[0], Token)
        )
    if node.data == "expr_term":
        return name_of(trees(node)[0])
    raise EvalError(f"expected a name, found {node.data}")
