"""Windows user data: ``<powershell>`` blocks and ``Start-EKSBootstrap.ps1`` invocations.

A small PowerShell lexer (strings with their quoting rules, variables, call operator,
parameters, comments, backtick continuations) is enough to follow the pattern every EKS
template uses: ``[string]$File = "$EKSBinDir\\Start-EKSBootstrap.ps1"`` then
``& $File -EKSClusterName prod ...``. Variables are case-insensitive, as in PowerShell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analyzer.values import PartialStr, Unknown, restore_markers

PsValue = str | PartialStr | Unknown
BOOTSTRAP_SCRIPT = "start-eksbootstrap.ps1"
KNOWN_PARAMETERS = {
    name.lower(): name
    for name in (
        "EKSClusterName",
        "APIServerEndpoint",
        "Base64ClusterCA",
        "DNSClusterIP",
        "ServiceCIDR",
        "KubeletExtraArgs",
        "KubeProxyExtraArgs",
        "ExcludedSnatCIDRs",
        "ContainerRuntime",
    )
}
POWERSHELL_HOSTS = frozenset({"powershell", "powershell.exe", "pwsh", "pwsh.exe"})
KEYWORDS = frozenset(
    {
        "if",
        "elseif",
        "else",
        "foreach",
        "for",
        "while",
        "do",
        "until",
        "try",
        "catch",
        "finally",
        "switch",
        "function",
        "param",
        "return",
        "trap",
        "throw",
        "break",
        "continue",
    }
)
COMMON_VERBS = (
    "get-",
    "set-",
    "new-",
    "start-",
    "stop-",
    "install-",
    "invoke-",
    "write-",
    "add-",
    "remove-",
    "import-",
    "initialize-",
    "format-",
    "restart-",
    "enable-",
    "disable-",
    "test-",
    "out-",
)
_TAG_OPEN, _TAG_CLOSE = "<powershell>", "</powershell>"


@dataclass
class WindowsBootstrapCall:
    script: PsValue
    params: dict[str, Any]  # canonical parameter name -> value (True when given without one)
    line: int
    positional: list[PsValue] = field(default_factory=list)
    opaque_args: list[PsValue] = field(default_factory=list)  # unknown words that may hold parameters
    part_index: int = 0

    @property
    def cluster_name(self) -> Any:
        return self.params.get("EKSClusterName")

    @property
    def may_hide_arguments(self) -> bool:
        return bool(self.opaque_args)


@dataclass
class WindowsUserData:
    tagged: bool  # inside <powershell>...</powershell>, as EC2Launch requires
    blocks: int
    bootstrap_calls: list[WindowsBootstrapCall] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class _Token:
    kind: str  # word, string, variable, type, op, subexpr, redirect, param
    text: str
    expandable: bool = False


def has_powershell_tag(text: str) -> bool:
    return _TAG_OPEN in text.lower()


def looks_like_powershell(text: str) -> bool:
    """Untagged text whose first statement reads as PowerShell, not as shell."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        lowered = line.lower()
        return (
            line.startswith(("$", "& ", "[string]", "[int]", "[bool]", "[array]", "param("))
            or (lowered.startswith(COMMON_VERBS) and " " in line)
            or lowered.startswith(_TAG_OPEN)
        )
    return False


def read_windows(text: str, holes: dict[str, Unknown]) -> WindowsUserData:
    blocks = list(_blocks(text))
    tagged = bool(blocks)
    if not blocks:
        blocks = [(text, 1)]
    result = WindowsUserData(tagged=tagged, blocks=len(blocks) if tagged else 0)
    reader = _Reader(holes, result)
    for body, first_line in blocks:
        reader.read(body, first_line)
    return result


def _blocks(text: str) -> list[tuple[str, int]]:
    lowered = text.lower()
    found = []
    start = lowered.find(_TAG_OPEN)
    while start >= 0:
        body_start = start + len(_TAG_OPEN)
        end = lowered.find(_TAG_CLOSE, body_start)
        end = len(text) if end < 0 else end
        found.append((text[body_start:end], text.count("\n", 0, body_start) + 1))
        start = lowered.find(_TAG_OPEN, end)
    return found


class _Reader:
    def __init__(self, holes: dict[str, Unknown], result: WindowsUserData) -> None:
        self.holes = holes
        self.result = result
        self.variables: dict[str, PsValue] = {}

    def read(self, body: str, first_line: int) -> None:
        for tokens, line in _statements(body, first_line, self.result.problems):
            self._statement(tokens, line)

    def _statement(self, tokens: list[_Token], line: int) -> None:
        if tokens[0].kind == "word" and tokens[0].text.lower() in KEYWORDS:
            return
        types = 0
        while types < len(tokens) and tokens[types].kind == "type":
            types += 1
        rest = tokens[types:]
        if len(rest) >= 2 and rest[0].kind == "variable" and rest[1].kind == "op" and rest[1].text.endswith("="):
            self._assign(rest[0].text, rest[1].text, rest[2:])
            return
        called = tokens[0].kind == "op" and tokens[0].text in ("&", ".")
        if called:
            tokens = tokens[1:]
        if not tokens:
            return
        command = self._value(tokens[0])
        args = tokens[1:]
        command_text = _text(command)
        if command_text is None:
            if called or tokens[0].kind == "word":  # "& $unknown ..." or an IaC hole as a statement
                self.result.opaque.append(f"line {line}: runs a command that is not known before deployment")
            return
        if command_text.lower() in POWERSHELL_HOSTS:
            command, args = self._script_of_host(args)
            command_text = _text(command) if command is not None else None
        if command_text is not None and command_text.lower().endswith(BOOTSTRAP_SCRIPT):
            self.result.bootstrap_calls.append(self._bootstrap(command, args, line))

    def _assign(self, name: str, operator: str, tokens: list[_Token]) -> None:
        key = name.lower()
        if operator == "=" and len(tokens) == 1 and tokens[0].kind in ("word", "string", "variable"):
            self.variables[key] = self._value(tokens[0])
        else:
            self.variables[key] = Unknown(f"PowerShell variable ${name} is computed at run time")

    def _script_of_host(self, args: list[_Token]) -> tuple[PsValue | None, list[_Token]]:
        for index, token in enumerate(args):
            if token.kind == "param" and token.text.lower() == "-file" and index + 1 < len(args):
                return self._value(args[index + 1]), args[index + 2 :]
        return None, []

    def _bootstrap(self, script: PsValue, args: list[_Token], line: int) -> WindowsBootstrapCall:
        call = WindowsBootstrapCall(script=script, params={}, line=line)
        index = 0
        while index < len(args):
            token = args[index]
            index += 1
            if token.kind == "redirect":
                continue
            if token.kind == "param":
                name, colon, inline = token.text[1:].partition(":")
                canonical = KNOWN_PARAMETERS.get(name.lower(), name)
                if colon:
                    call.params[canonical] = self._restore(inline)
                elif index < len(args) and args[index].kind not in ("param", "redirect"):
                    call.params[canonical] = self._value(args[index])
                    index += 1
                else:
                    call.params[canonical] = True
                continue
            value = self._value(token)
            if token.kind == "word" and token.text in self.holes:
                call.opaque_args.append(value)  # an IaC hole may stand for several parameters
            else:
                call.positional.append(value)
        return call

    # -- values ---------------------------------------------------------------------------------
    def _value(self, token: _Token) -> PsValue:
        if token.kind == "variable":
            return self._variable(token.text)
        if token.kind == "subexpr":
            return Unknown(f"PowerShell expression $({_short(token.text)}) is evaluated at run time")
        if token.kind == "string" and token.expandable:
            return self._expand(token.text)
        return self._restore(token.text)

    def _variable(self, name: str) -> PsValue:
        lowered = name.lower()
        if lowered.startswith("env:"):
            return Unknown(f"environment variable $env:{name[4:]} of the instance")
        if lowered in self.variables:
            return self.variables[lowered]
        return Unknown(f"PowerShell variable ${name} is not set earlier in the user data")

    def _expand(self, text: str) -> PsValue:
        """An expandable ("double-quoted") string: variables and escapes resolved."""
        pieces: list[PsValue] = []
        literal: list[str] = []  # the current run of characters, joined once
        index = 0
        while index < len(text):
            ch = text[index]
            value: PsValue | None = None
            if ch == "`" and index + 1 < len(text):
                literal.append(_ESCAPES.get(text[index + 1], text[index + 1]))
                index += 2
            elif ch == "$" and text.startswith("$(", index):
                end = _matching(text, index + 1, "(", ")")
                value = Unknown(f"PowerShell expression {_short(text[index : end + 1])} is evaluated at run time")
                index = end + 1
            elif ch == "$" and text.startswith("${", index):
                end = text.find("}", index)
                end = len(text) if end < 0 else end
                value = self._variable(text[index + 2 : end])
                index = end + 1
            elif ch == "$" and index + 1 < len(text) and _is_variable_char(text[index + 1]):
                end = _variable_end(text, index + 1)
                value = self._variable(text[index + 1 : end])
                index = end
            else:
                literal.append(ch)
                index += 1
            if value is not None:
                pieces += ["".join(literal), value]
                literal = []
        pieces.append("".join(literal))
        return self._restore_pieces(pieces)

    def _restore_pieces(self, pieces: list[PsValue]) -> PsValue:
        merged = PartialStr.join(pieces)  # literal runs first, so that hole markers are whole
        parts = merged.parts if isinstance(merged, PartialStr) else (merged,)
        joined = PartialStr.join([self._restore(p) if isinstance(p, str) else p for p in parts])
        if isinstance(joined, PartialStr) and len(joined.parts) == 1:
            return joined.parts[0]
        return joined

    def _restore(self, text: str) -> PsValue:
        return restore_markers(text, self.holes) if self.holes else text


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "`": "`", '"': '"', "$": "$"}


def _is_variable_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _variable_end(text: str, start: int) -> int:
    """End of a variable name inside a string; ``$env:Name`` keeps its scope prefix."""
    end = start
    while end < len(text) and (
        _is_variable_char(text[end])
        or (text[end] == ":" and text[start:end].lower() in ("env", "script", "global", "local"))
    ):
        end += 1
    return end


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _text(value: PsValue | None) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, PartialStr):
        return value.text()
    return None


def _matching(text: str, pos: int, opening: str, closing: str) -> int:
    depth = 0
    while pos < len(text):
        if text[pos] == opening:
            depth += 1
        elif text[pos] == closing:
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return len(text) - 1


def _statements(body: str, first_line: int, problems: list[str]) -> list[tuple[list[_Token], int]]:
    """Tokens of each statement with its starting line."""
    lexer = _Lexer(body, first_line, problems)
    lexer.run()
    return lexer.statements


class _Lexer:
    def __init__(self, text: str, first_line: int, problems: list[str]) -> None:
        self.text = text
        self.pos = 0
        self.line = first_line
        self.problems = problems
        self.current: list[_Token] = []
        self.current_line = first_line
        self.statements: list[tuple[list[_Token], int]] = []

    def run(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r":
                self.pos += 1
            elif (ch == "`" and text.startswith("`\n", self.pos)) or text.startswith("`\r\n", self.pos):
                self.pos = text.index("\n", self.pos) + 1
                self.line += 1
            elif ch in "\n;{}":
                self._end_statement()
                if ch == "\n":
                    self.line += 1
                self.pos += 1
            elif text.startswith("<#", self.pos):
                end = text.find("#>", self.pos)
                end = len(text) if end < 0 else end + 2
                self.line += text.count("\n", self.pos, end)
                self.pos = end
            elif ch == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif ch in "'\"" or text.startswith(("@'", '@"'), self.pos):
                self._string()
            elif ch == "$":
                self._variable()
            elif _redirection_length(text, self.pos):
                width = _redirection_length(text, self.pos)
                self._emit(_Token("redirect", text[self.pos : self.pos + width]))
                self.pos += width
            elif (ch == "[" and not self.current) or (ch == "[" and self.current[-1].kind == "type"):
                self._type()
            elif ch in "&|(),":
                self._emit(_Token("op", ch))
                self.pos += 1
            elif (ch in "+-*/" and text.startswith("=", self.pos + 1)) or ch == "=":
                width = 2 if ch != "=" else 1
                self._emit(_Token("op", text[self.pos : self.pos + width]))
                self.pos += width
            else:
                self._word()
        self._end_statement()

    def _emit(self, token: _Token) -> None:
        if not self.current:
            self.current_line = self.line
        self.current.append(token)

    def _end_statement(self) -> None:
        if self.current:
            self.statements.append((self.current, self.current_line))
        self.current = []

    def _string(self) -> None:
        text = self.text
        here = text[self.pos] == "@"
        quote = text[self.pos + 1] if here else text[self.pos]
        start = self.pos + (2 if here else 1)
        closing = quote + "@" if here else quote
        index = start
        chars: list[str] = []
        while index < len(text):
            if quote == '"' and text[index] == "`" and not here:
                chars.append(text[index : index + 2])
                index += 2
                continue
            if text.startswith(closing, index):
                if not here and text.startswith(quote * 2, index):  # '' or "" is an escaped quote
                    chars.append(quote if quote == "'" else '`"')
                    index += 2
                    continue
                break
            chars.append(text[index])
            index += 1
        else:
            self.problems.append(f"line {self.line}: unterminated PowerShell string")
        self.line += text.count("\n", self.pos, index)
        self._emit(_Token("string", "".join(chars).strip("\r\n") if here else "".join(chars), quote == '"'))
        self.pos = index + len(closing)

    def _variable(self) -> None:
        text = self.text
        if text.startswith("$(", self.pos):
            end = _matching(text, self.pos + 1, "(", ")")
            self._emit(_Token("subexpr", text[self.pos + 2 : end]))
            self.line += text.count("\n", self.pos, end)
            self.pos = end + 1
            return
        if text.startswith("${", self.pos):
            end = text.find("}", self.pos)
            end = len(text) if end < 0 else end
            self._emit(_Token("variable", text[self.pos + 2 : end]))
            self.pos = end + 1
            return
        end = self.pos + 1
        while end < len(text) and (_is_variable_char(text[end]) or text[end] in ":?"):
            end += 1
        self._emit(_Token("variable", text[self.pos + 1 : end] or "$"))
        self.pos = max(end, self.pos + 1)

    def _type(self) -> None:
        end = self.text.find("]", self.pos)
        end = len(self.text) if end < 0 else end
        self._emit(_Token("type", self.text[self.pos + 1 : end]))
        self.pos = end + 1

    def _word(self) -> None:
        text = self.text
        start = self.pos
        chars: list[str] = []
        while self.pos < len(text) and text[self.pos] not in " \t\r\n;{}|()&,":
            ch = text[self.pos]
            if ch in "'\"":
                end = text.find(ch, self.pos + 1)
                end = len(text) if end < 0 else end
                chars.append(text[self.pos + 1 : end])
                self.pos = end + 1
            else:
                chars.append(ch)
                self.pos += 1
        word = "".join(chars)
        if len(word) > 1 and word[0] == "-" and (word[1].isalpha() or word[1] == "_"):
            self._emit(_Token("param", word))
        else:
            self._emit(_Token("word", word))
        if self.pos == start:  # a stray separator: never loop
            self.pos += 1


def _redirection_length(text: str, pos: int) -> int:
    """Length of a redirection such as ``3>&1``, ``2>``, ``*>>`` or ``>`` at ``pos``, else 0."""
    end = pos
    while end < len(text) and (text[end].isdigit() or text[end] == "*"):
        end += 1
    if not text.startswith(">", end):
        return 0
    end += 2 if text.startswith(">>", end) else 1
    if text.startswith("&", end):
        end += 1
        while end < len(text) and text[end].isdigit():
            end += 1
    return end - pos
