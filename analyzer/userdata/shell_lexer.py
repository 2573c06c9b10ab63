"""Lexing of shell scripts into command lines and words.

Two stages, because ``shlex`` alone loses what a static reader needs:

1. ``scan_script`` walks the script once, aware of quoting, and cuts it into *logical lines*
   (line continuations joined, comments dropped, here-document bodies set aside with their line
   numbers). Every expansion (``$VAR``, ``${VAR:-x}``, ``$(cmd)``, backquotes, holes left by
   IaC evaluation) is lifted into a table and replaced by a private-use sentinel character, so
   that ``shlex`` cannot mangle it and we remember whether it was inside double quotes.
2. ``shlex`` (POSIX mode, punctuation characters) splits each logical line into words and
   operators, handling the quote removal.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from analyzer.values import Unknown

EXPANSION = "\ue000"  # followed by one character that encodes the table index
HEREDOC = "\ue001"  # a word standing for the n-th here-document of the line
_INDEX_BASE = 0xF0000
MAX_EXPANSIONS = 0x10000  # one private-use character indexes them; real user data has a few dozen
MAX_LINE = 16 * 1024  # EC2 caps all of user data at 16 KiB; shlex slows quadratically on huge words
HOLE_PREFIX = "__EKSJOIN_HOLE_"
_NAME_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
_NAME_CHARS = _NAME_START + "0123456789"
_SPECIAL_PARAMS = "0123456789@*#?$!-"
_OPERATOR_CHARS = ";&|()<>"


@dataclass(frozen=True)
class Expansion:
    kind: str  # "param" (simple $NAME), "braced" (${...}), "command" ($(...), `...`), "arith", "hole"
    text: str  # the name, the inside of ${...} or $(...), or the hole marker
    quoted: bool  # inside double quotes: expands to one word, no field splitting


@dataclass
class HereDoc:
    body: str
    first_line: int
    expands: bool  # unquoted delimiter


@dataclass
class LogicalLine:
    text: str
    line: int
    heredocs: list[HereDoc] = field(default_factory=list)


@dataclass
class ScannedScript:
    lines: list[LogicalLine]
    expansions: list[Expansion]
    holes: dict[str, Unknown]
    problems: list[str] = field(default_factory=list)


def index_char(index: int) -> str:
    return chr(_INDEX_BASE + index)


def char_index(ch: str) -> int:
    return ord(ch) - _INDEX_BASE


def scan_script(script: str, holes: dict[str, Unknown] | None = None, first_line: int = 1) -> ScannedScript:
    return _Scanner(script, holes or {}, first_line).run()


class _Scanner:
    """Single pass over the script text; see the module docstring."""

    def __init__(self, text: str, holes: dict[str, Unknown], first_line: int) -> None:
        self.text = text
        self.holes = holes
        self.pos = 0
        self.line = first_line
        self.out: list[str] = []
        self.line_start = first_line
        self.pending_heredocs: list[tuple[str, bool, bool]] = []  # delimiter, strip tabs, expands
        self.heredocs: list[HereDoc] = []
        self.result = ScannedScript([], [], holes)

    # -- driver -------------------------------------------------------------------------------
    def run(self) -> ScannedScript:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "\n":
                self._end_of_line()
            elif ch == "\\":
                self._backslash_unquoted()
            elif ch == "'":
                self._single_quoted()
            elif ch == '"':
                self._double_quoted()
            elif ch == "#" and self._at_word_start():
                self._comment()
            elif ch == "<" and text.startswith("<<", self.pos) and not text.startswith("<<<", self.pos):
                self._heredoc_operator()
            elif ch.isdigit() and self._at_word_start() and self._is_fd_number():
                self._skip_fd_number()
            elif ch in "$`" or text.startswith(HOLE_PREFIX, self.pos):
                self._expansion(quoted=False)
            else:
                self.out.append(ch)
                self.pos += 1
        self._flush_line()
        return self.result

    # -- pieces -------------------------------------------------------------------------------
    def _at_word_start(self) -> bool:
        if not self.out:
            return True
        last = self.out[-1][-1]
        return last in " \t\r\n" or last in _OPERATOR_CHARS

    def _is_fd_number(self) -> bool:
        # "2>&1": the descriptor number is not an argument (shlex would make it one)
        end = self.pos
        while end < len(self.text) and self.text[end].isdigit():
            end += 1
        return end < len(self.text) and self.text[end] in "<>"

    def _skip_fd_number(self) -> None:
        while self.text[self.pos].isdigit():
            self.pos += 1

    def _end_of_line(self) -> None:
        self.pos += 1
        self.line += 1
        self._read_heredoc_bodies()
        self._flush_line()

    def _flush_line(self) -> None:
        text = "".join(self.out)
        if text.strip() or self.heredocs:
            self.result.lines.append(LogicalLine(text, self.line_start, self.heredocs))
        self.out = []
        self.heredocs = []
        self.line_start = self.line

    def _backslash_unquoted(self) -> None:
        nxt = self.text[self.pos + 1 : self.pos + 2]
        if nxt == "\n":  # line continuation
            self.pos += 2
            self.line += 1
        elif nxt == "$" or nxt == "`":
            self.out.append(nxt)
            self.pos += 2
        else:
            self.out.append(self.text[self.pos : self.pos + 2])
            self.pos += 2

    def _single_quoted(self) -> None:
        end = self.text.find("'", self.pos + 1)
        if end < 0:
            self.result.problems.append(f"line {self.line}: unterminated single quote")
            end = len(self.text) - 1
        chunk = self.text[self.pos : end + 1]
        self.line += chunk.count("\n")
        self.pos = end + 1
        # an IaC hole is substituted before the shell runs, so it counts even inside '...'
        for piece in self._split_holes(chunk):
            if isinstance(piece, Expansion):
                self.result.expansions.append(piece)
                self.out.append(EXPANSION + index_char(len(self.result.expansions) - 1))
            elif piece:
                self.out.append(piece)

    def _split_holes(self, chunk: str) -> list[str | Expansion]:
        pieces: list[str | Expansion] = []
        start = 0
        while self.holes:
            found = chunk.find(HOLE_PREFIX, start)
            end = chunk.find("__", found + len(HOLE_PREFIX)) if found >= 0 else -1
            if end < 0:
                break
            marker = chunk[found : end + 2]
            if marker in self.holes and len(self.result.expansions) + len(pieces) < MAX_EXPANSIONS:
                pieces.append(chunk[start:found])
                pieces.append(Expansion("hole", marker, True))
            else:
                pieces.append(chunk[start : end + 2])
            start = end + 2
        pieces.append(chunk[start:])
        return pieces

    def _double_quoted(self) -> None:
        text = self.text
        self.out.append('"')
        self.pos += 1
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == '"':
                self.out.append('"')
                self.pos += 1
                return
            if ch == "\\":
                nxt = text[self.pos + 1 : self.pos + 2]
                if nxt == "\n":
                    self.line += 1
                elif nxt in ("$", "`"):
                    self.out.append(nxt)
                else:
                    self.out.append(text[self.pos : self.pos + 2])
                self.pos += 2
            elif ch in "$`" or text.startswith(HOLE_PREFIX, self.pos):
                self._expansion(quoted=True)
            else:
                if ch == "\n":
                    self.line += 1
                self.out.append(ch)
                self.pos += 1
        self.result.problems.append(f"line {self.line}: unterminated double quote")
        self.out.append('"')

    def _comment(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def _heredoc_operator(self) -> None:
        text = self.text
        self.pos += 2
        strip_tabs = text.startswith("-", self.pos)
        if strip_tabs:
            self.pos += 1
        while self.pos < len(text) and text[self.pos] in " \t":
            self.pos += 1
        delimiter, quoted = self._heredoc_delimiter()
        if not delimiter:
            self.result.problems.append(f"line {self.line}: here-document without a delimiter")
            return
        self.pending_heredocs.append((delimiter, strip_tabs, not quoted))
        self.out.append(f" {HEREDOC}{index_char(len(self.heredocs) + len(self.pending_heredocs) - 1)} ")

    def _heredoc_delimiter(self) -> tuple[str, bool]:
        text = self.text
        chars: list[str] = []
        quoted = False
        while self.pos < len(text) and text[self.pos] not in " \t\n;&|()<>":
            ch = text[self.pos]
            if ch in "'\"":
                end = text.find(ch, self.pos + 1)
                end = len(text) if end < 0 else end
                chars.append(text[self.pos + 1 : end])
                quoted = True
                self.pos = end + 1
            elif ch == "\\":
                quoted = True
                chars.append(text[self.pos + 1 : self.pos + 2])
                self.pos += 2
            else:
                chars.append(ch)
                self.pos += 1
        return "".join(chars), quoted

    def _read_heredoc_bodies(self) -> None:
        for delimiter, strip_tabs, expands in self.pending_heredocs:
            body: list[str] = []
            first_line = self.line
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                raw = self.text[self.pos : end]
                self.pos = min(end + 1, len(self.text))
                self.line += 1
                candidate = raw.lstrip("\t") if strip_tabs else raw
                if candidate.rstrip("\r") == delimiter:
                    break
                body.append(candidate + "\n")
            else:
                self.result.problems.append(f"line {first_line - 1}: here-document is not closed by {delimiter!r}")
            self.heredocs.append(HereDoc("".join(body), first_line, expands))
        self.pending_heredocs = []

    # -- expansions ---------------------------------------------------------------------------
    def _expansion(self, quoted: bool) -> None:
        text = self.text
        start = self.pos
        if len(self.result.expansions) >= MAX_EXPANSIONS:
            if len(self.result.expansions) == MAX_EXPANSIONS:
                self.result.problems.append(f"more than {MAX_EXPANSIONS} expansions; the rest is read literally")
                self.result.expansions.append(Expansion("param", "", quoted))  # marks the problem as reported
            self.out.append(text[start])
            self.pos += 1
            return
        if text.startswith(HOLE_PREFIX, start):
            end = text.find("__", start + len(HOLE_PREFIX))
            marker = text[start : end + 2] if end > 0 else ""
            if marker in self.holes:
                self._emit(Expansion("hole", marker, quoted), end + 2)
                return
            self.out.append(text[start])
            self.pos += 1
            return
        if text[start] == "`":
            end = self._find_backquote_end(start + 1)
            self._emit(Expansion("command", text[start + 1 : end], quoted), end + 1)
            return
        nxt = text[start + 1 : start + 2]
        if text.startswith("$((", start):
            end = self._find_closing(start + 1, "(", ")")
            self._emit(Expansion("arith", text[start + 3 : end - 1], quoted), end + 1)
        elif nxt == "(":
            end = self._find_closing(start + 1, "(", ")")
            self._emit(Expansion("command", text[start + 2 : end], quoted), end + 1)
        elif nxt == "{":
            end = self._find_closing(start + 1, "{", "}")
            self._emit(Expansion("braced", text[start + 2 : end], quoted), end + 1)
        elif nxt and nxt in _NAME_START:
            end = start + 1
            while end < len(text) and text[end] in _NAME_CHARS:
                end += 1
            self._emit(Expansion("param", text[start + 1 : end], quoted), end)
        elif nxt and nxt in _SPECIAL_PARAMS:
            self._emit(Expansion("param", nxt, quoted), start + 2)
        else:  # a lone dollar is a literal character
            self.out.append("$")
            self.pos += 1

    def _emit(self, expansion: Expansion, end: int) -> None:
        self.line += self.text.count("\n", self.pos, end)
        self.result.expansions.append(expansion)
        self.out.append(EXPANSION + index_char(len(self.result.expansions) - 1))
        self.pos = end

    def _find_backquote_end(self, pos: int) -> int:
        text = self.text
        while pos < len(text):
            if text[pos] == "\\":
                pos += 2
                continue
            if text[pos] == "`":
                return pos
            pos += 1
        self.result.problems.append(f"line {self.line}: unterminated command substitution")
        return len(text)

    def _find_closing(self, pos: int, opening: str, closing: str) -> int:
        """Index of the bracket closing the one at ``pos``, skipping quoted text."""
        text = self.text
        depth = 0
        while pos < len(text):
            ch = text[pos]
            if ch == "\\":
                pos += 2
                continue
            if ch in "'\"":
                end = text.find(ch, pos + 1)
                if end < 0:
                    break
                pos = end + 1
                continue
            if ch == opening:
                depth += 1
            elif ch == closing:
                depth -= 1
                if depth == 0:
                    return pos
            pos += 1
        self.result.problems.append(f"line {self.line}: unbalanced {opening}{closing} in an expansion")
        return len(text)


def split_words(line: LogicalLine) -> tuple[list[str], str | None]:
    """``shlex`` tokens of one logical line: words and operator runs (``;``, ``&&``, ``>``...)."""
    if len(line.text) > MAX_LINE:
        return line.text.split(), f"line {line.line}: longer than {MAX_LINE} characters; split on blanks only"
    lexer = shlex.shlex(line.text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer), None
    except ValueError as exc:  # unbalanced quotes: fall back to whitespace words
        return line.text.split(), f"line {line.line}: {exc}"


def is_operator(token: str) -> bool:
    return bool(token) and all(ch in _OPERATOR_CHARS for ch in token)


def is_redirection(token: str) -> bool:
    return is_operator(token) and any(ch in "<>" for ch in token)
