"""What a shell user-data script does to an EKS node, read without running it.

The reader walks the commands in order, keeping the variables the script assigns so that
``CLUSTER=prod; /etc/eks/bootstrap.sh "$CLUSTER"`` resolves to ``prod``. Unresolvable values
become ``Unknown`` with a reason; an unknown word that is not quoted may stand for several
words, so it is marked *opaque* and everything it could hide is reported as not knowable.
It follows wrappers (``exec``, ``sudo``, ``bash -c``, ``source``) and scripts that the user data
writes (here-documents, cloud-config ``write_files``) and then executes.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field

from analyzer.userdata.bootstrap_sh import BOOTSTRAP_PATH, ENVIRONMENT_READ, BootstrapCall, read_bootstrap_arguments
from analyzer.userdata.shell_lexer import (
    EXPANSION,
    HEREDOC,
    Expansion,
    HereDoc,
    LogicalLine,
    char_index,
    is_operator,
    is_redirection,
    scan_script,
    split_words,
)
from analyzer.values import PartialStr, Unknown, restore_markers

ShellValue = str | PartialStr | Unknown

MAX_DEPTH = 4
RESERVED_WORDS = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time"})
COMPOUND_HEADS = frozenset({"for", "select", "case", "esac", "function", "in"})
DECLARATIONS = frozenset({"export", "readonly", "declare", "typeset", "local"})
SHELLS = frozenset({"bash", "sh", "dash", "zsh", "ksh"})
SHELL_OPTIONS_WITH_ARGUMENT = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
SUDO_OPTIONS_WITH_ARGUMENT = frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"})
KUBELET_PATHS = (
    "/etc/kubernetes/kubelet/",
    "/etc/systemd/system/kubelet.service",
    "/usr/lib/systemd/system/kubelet.service",
    "/var/lib/kubelet/",
    "/etc/eks/kubelet/",
)
KUBELET_UNITS = frozenset({"kubelet", "kubelet.service"})
SYSTEMCTL_STARTS = frozenset({"start", "restart", "enable", "reenable", "reload-or-restart", "try-restart", "reload"})
SYSTEMCTL_STOPS = frozenset({"stop", "disable", "mask", "kill"})
IN_PLACE_EDITORS = frozenset({"sed", "perl", "yq"})
FILE_WRITERS = frozenset({"tee", "cp", "mv", "install", "ln", "rm", "truncate", "rsync"})


@dataclass
class Word:
    value: ShellValue
    opaque: bool = False  # an unquoted unknown that may expand to any number of words

    @property
    def literal(self) -> str | None:
        return self.value if isinstance(self.value, str) else None


@dataclass
class NodeadmCall:
    line: int
    args: list[ShellValue]
    via: str
    part_index: int = 0


@dataclass
class KubeletAction:
    line: int
    kind: str  # "start" | "stop" | "configure"
    detail: str
    part_index: int = 0


@dataclass
class WrittenFile:
    content: str  # may hold hole markers of the enclosing document
    first_line: int
    expands: bool = False  # written by a here-document whose variables expand


@dataclass
class ShellFindings:
    bootstrap_calls: list[BootstrapCall] = field(default_factory=list)
    nodeadm_calls: list[NodeadmCall] = field(default_factory=list)
    kubelet_actions: list[KubeletAction] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)  # why some commands cannot be seen
    problems: list[str] = field(default_factory=list)
    files: dict[str, WrittenFile] = field(default_factory=dict)


@dataclass
class _RawCommand:
    line: int
    words: list[str] = field(default_factory=list)
    redirects: list[tuple[str, str]] = field(default_factory=list)
    heredoc: HereDoc | None = None


def read_shell(
    script: str, holes: dict[str, Unknown], first_line: int = 1, findings: ShellFindings | None = None
) -> ShellFindings:
    """Read one shell script (hole markers allowed) and return what it does."""
    findings = findings if findings is not None else ShellFindings()
    ShellReader(findings, holes).read(script, first_line)
    return findings


class ShellReader:
    """Reads one script; nested scripts (``bash -c``, executed files) get child readers."""

    def __init__(
        self,
        findings: ShellFindings,
        holes: dict[str, Unknown],
        *,
        depth: int = 0,
        env: dict[str, ShellValue] | None = None,
        exported: set[str] | None = None,
        via: tuple[str, ...] = (),
    ) -> None:
        self.findings = findings
        self.holes = holes
        self.depth = depth
        self.env: dict[str, ShellValue] = env if env is not None else {}
        self.exported: set[str] = exported if exported is not None else set()
        self.via = via
        self.expansions: list[Expansion] = []

    # -- driver -------------------------------------------------------------------------------
    def read(self, script: str, first_line: int = 1) -> None:
        if self.depth > MAX_DEPTH:
            self.findings.opaque.append(f"line {first_line}: scripts nested too deeply to follow")
            return
        scanned = scan_script(script, self.holes, first_line)
        self.expansions = scanned.expansions
        self.findings.problems.extend(scanned.problems)
        for line in scanned.lines:
            tokens, problem = split_words(line)
            if problem:
                self.findings.problems.append(problem)
            for command in _commands(tokens, line):
                self._run(command)

    def _child(
        self,
        *,
        share_env: bool = False,
        via: tuple[str, ...] = (),
        holes: dict[str, Unknown] | None = None,
        env: dict[str, ShellValue] | None = None,
    ) -> ShellReader:
        if share_env:
            return ShellReader(
                self.findings,
                holes or self.holes,
                depth=self.depth + 1,
                env=self.env,
                exported=self.exported,
                via=self.via + via,
            )
        inherited = env if env is not None else {k: v for k, v in self.env.items() if k in self.exported}
        return ShellReader(
            self.findings,
            holes or self.holes,
            depth=self.depth + 1,
            env=dict(inherited),
            exported=set(inherited),
            via=self.via + via,
        )

    # -- one simple command --------------------------------------------------------------------
    def _run(self, raw: _RawCommand) -> None:
        words = list(raw.words)
        while words and words[0] in RESERVED_WORDS:
            words.pop(0)
        if words and words[0] in COMPOUND_HEADS:
            return
        assignments, words = self._assignments(words)
        if words and words[0] in DECLARATIONS:
            self._declare(words[0], words[1:])
            return
        if words and words[0] in ("unset", "read"):
            self._unset_or_read(words[0], words[1:])
            return
        expanded = [word for token in words for word in self._expand(token, raw.line)]
        self._note_writes(raw)
        if not expanded:
            for name, value in assignments:
                self.env[name] = value
            return
        self._interpret(expanded, dict(assignments), raw)

    def _assignments(self, words: list[str]) -> tuple[list[tuple[str, ShellValue]], list[str]]:
        found: list[tuple[str, ShellValue]] = []
        while words:
            name, equals, rest = words[0].partition("=")
            append = name.endswith("+")
            name = name[:-1] if append else name
            if not (equals and _is_name(name)):
                break
            value = self._expand_value(rest)
            if append:
                value = PartialStr.join([self._lookup(name, quiet=True), value])
            found.append((name, value))
            words = words[1:]
        return found, words

    def _declare(self, builtin: str, args: list[str]) -> None:
        exporting = builtin == "export"
        for token in args:
            if token.startswith("-"):
                exporting = exporting or "x" in token
                continue
            name, equals, rest = token.partition("=")
            if not _is_name(name):
                continue
            if equals:
                self.env[name] = self._expand_value(rest)
            if exporting:
                self.exported.add(name)

    def _unset_or_read(self, builtin: str, args: list[str]) -> None:
        for token in args:
            if token.startswith("-") or not _is_name(token):
                continue
            if builtin == "unset":
                self.env.pop(token, None)
            else:
                self.env[token] = Unknown(f"shell variable ${token} is read at run time")

    # -- what the command does -----------------------------------------------------------------
    def _interpret(self, words: list[Word], command_env: dict[str, ShellValue], raw: _RawCommand) -> None:
        line = raw.line
        via, rest, inline = _unwrap(words)
        if inline is not None:
            self._read_inline(inline, via, line)
            return
        if not rest:
            if via and via[-1] in SHELLS and raw.heredoc is not None:  # bash <<EOF ... EOF
                self._child(via=tuple(via)).read(raw.heredoc.body, raw.heredoc.first_line)
            return
        target, args = rest[0], rest[1:]
        text = _text(target.value)
        if target.opaque or text is None:
            self.findings.opaque.append(f"line {line}: runs a command that is not known before deployment")
        if text is None:
            return
        via_text = " ".join(self.via + tuple(via)) or "direct"
        name = posixpath.basename(text)
        if text.endswith(BOOTSTRAP_PATH):
            self._bootstrap(args, command_env, line, via_text)
        elif name == "nodeadm" and args and args[0].literal == "init":
            self.findings.nodeadm_calls.append(NodeadmCall(line, [w.value for w in args], via_text))
        elif name == "eval":
            self.findings.opaque.append(f"line {line}: eval runs text built at run time")
        else:
            self._kubelet_effects(name, args, line)
        written = self.findings.files.get(text)
        if written is not None:
            share = bool(via) and via[-1] == "source"
            env = dict(self.env) if written.expands and not share else None
            self._child(share_env=share, via=tuple(via) + (text,), env=env).read(written.content, written.first_line)

    def _bootstrap(self, args: list[Word], command_env: dict[str, ShellValue], line: int, via: str) -> None:
        call = read_bootstrap_arguments(args, line, via)
        visible = {k: v for k, v in self.env.items() if k in self.exported}
        visible.update(command_env)
        call.environment = {k: v for k, v in visible.items() if k in ENVIRONMENT_READ}
        self.findings.bootstrap_calls.append(call)

    def _read_inline(self, inline: Word, via: list[str], line: int) -> None:
        value = inline.value
        if isinstance(value, str):
            self._child(via=tuple(via)).read(value, line)
        elif isinstance(value, PartialStr):
            text, holes = value.with_markers()
            self._child(via=tuple(via), holes=holes).read(text, line)
        else:
            self.findings.opaque.append(f"line {line}: runs a script that is not known before deployment")

    def _kubelet_effects(self, name: str, args: list[Word], line: int) -> None:
        literals = [w.literal for w in args]
        if name == "systemctl":
            units = {lit for lit in literals if lit in KUBELET_UNITS}
            verbs = {lit for lit in literals if lit}
            if units and verbs & SYSTEMCTL_STARTS:
                self._kubelet(line, "start", "systemctl " + " ".join(lit or "?" for lit in literals))
            elif units and verbs & SYSTEMCTL_STOPS:
                self._kubelet(line, "stop", "systemctl " + " ".join(lit or "?" for lit in literals))
        elif name == "service" and literals[:1] and literals[0] in KUBELET_UNITS:
            kind = "stop" if "stop" in literals else "start"
            self._kubelet(line, kind, "service " + " ".join(lit or "?" for lit in literals))
        elif name == "kubelet":
            self._kubelet(line, "start", "runs kubelet directly")
        elif name in FILE_WRITERS or (name in IN_PLACE_EDITORS and any(_is_in_place(lit) for lit in literals)):
            for path in literals:
                if path and is_kubelet_path(path):
                    self._kubelet(line, "configure", f"{name} changes {path}")

    def _note_writes(self, raw: _RawCommand) -> None:
        for operator, token in raw.redirects:
            if ">" not in operator:
                continue
            path = _text(self._expand_value(token))
            if path is None:
                continue
            if is_kubelet_path(path):
                self._kubelet(raw.line, "configure", f"writes {path}")
            if raw.heredoc is not None:
                self.findings.files[path] = WrittenFile(raw.heredoc.body, raw.heredoc.first_line, raw.heredoc.expands)

    def _kubelet(self, line: int, kind: str, detail: str) -> None:
        self.findings.kubelet_actions.append(KubeletAction(line, kind, detail))

    # -- expansion -----------------------------------------------------------------------------
    def _expand(self, token: str, line: int) -> list[Word]:
        """Words of one token after parameter expansion and field splitting."""
        fields: list[list[ShellValue]] = [[]]
        opaque = False
        keep_empty = token == ""
        for chunk, expansion in _chunks(token, self.expansions):
            if expansion is None:
                fields[-1].append(chunk)
                continue
            value = self._evaluate(expansion, line)
            if expansion.quoted:
                keep_empty = True
                fields[-1].append(value)
            elif isinstance(value, str):
                _split_into(fields, value)
            else:
                fields[-1].append(value)
                opaque = True
        words = [Word(_join(pieces), opaque) for pieces in fields if pieces or keep_empty]
        return [w for w in words if not (w.value == "" and not keep_empty)]

    def _expand_value(self, token: str) -> ShellValue:
        """A token expanded without field splitting (assignment values, redirection targets)."""
        return _join(
            [
                chunk if expansion is None else self._evaluate(expansion, 0)
                for chunk, expansion in _chunks(token, self.expansions)
            ]
        )

    def _evaluate(self, expansion: Expansion, line: int) -> ShellValue:
        if expansion.kind == "hole":
            return self.holes[expansion.text]
        if expansion.kind == "param":
            return self._lookup(expansion.text)
        if expansion.kind == "braced":
            return self._braced(expansion.text)
        if expansion.kind == "command":
            if line and self.depth < MAX_DEPTH:
                self._child(share_env=False, env=dict(self.env)).read(expansion.text, line)
            return Unknown(f"output of the command $({_short(expansion.text)}) at run time")
        return Unknown(f"arithmetic $(({_short(expansion.text)})) evaluated at run time")

    def _lookup(self, name: str, quiet: bool = False) -> ShellValue:
        if name in self.env:
            return self.env[name]
        if quiet:
            return ""
        if not _is_name(name):
            return Unknown(f"shell parameter ${name} is only known at run time")
        return Unknown(f"shell variable ${name} is not set earlier in the user data")

    def _braced(self, inner: str) -> ShellValue:
        """``${NAME}``, ``${NAME:-word}`` and friends; other forms are not evaluated."""
        end = 0
        while end < len(inner) and (inner[end].isalnum() or inner[end] == "_"):
            end += 1
        name, operator = inner[:end], inner[end:]
        if not name or inner.startswith("#"):
            return Unknown(f"expansion ${{{inner}}} is only known at run time")
        if not operator:
            return self._lookup(name)
        for op in (":-", ":=", ":+", "-", "=", "+"):
            if operator.startswith(op):
                return self._default(name, op, operator[len(op) :])
        return Unknown(f"expansion ${{{_short(inner)}}} is only known at run time")

    def _default(self, name: str, op: str, word_text: str) -> ShellValue:
        word = self._word_value(word_text)
        is_set = name in self.env
        current = self.env.get(name, "")
        if isinstance(current, (Unknown, PartialStr)):
            if op.endswith("+"):
                return Unknown(f"${{{name}{op}...}} depends on the unknown ${name}")
            return current
        usable = is_set and (current != "" or ":" not in op)
        if op.endswith("+"):
            return word if usable else ""
        if usable:
            return current
        if op.endswith("="):
            self.env[name] = word
        return word

    def _word_value(self, text: str) -> ShellValue:
        stripped = text
        if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "'\"":
            stripped = stripped[1:-1]
        if "$" not in stripped and "`" not in stripped:
            return _restore(stripped, self.holes)
        simple = stripped[2:-1] if stripped.startswith("${") and stripped.endswith("}") else stripped[1:]
        if stripped.startswith("$") and _is_name(simple):
            return self._lookup(simple)
        return Unknown(f"default value {_short(text)} is only known at run time")


# -- internals -----------------------------------------------------------------------------------
def _chunks(token: str, expansions: list[Expansion]) -> Iterator[tuple[str, Expansion | None]]:
    """Literal runs and expansions of a lexed token, in order."""
    start = 0
    index = token.find(EXPANSION)
    while index >= 0:
        if index > start:
            yield token[start:index].replace(HEREDOC, ""), None
        yield "", expansions[char_index(token[index + 1])]
        start = index + 2
        index = token.find(EXPANSION, start)
    if start < len(token):
        yield token[start:].replace(HEREDOC, ""), None


def _commands(tokens: list[str], line: LogicalLine) -> Iterator[_RawCommand]:
    current = _RawCommand(line.line)
    pending_redirect: str | None = None
    for token in tokens:
        if pending_redirect is not None and not is_operator(token):
            current.redirects.append((pending_redirect, token))
            pending_redirect = None
            continue
        pending_redirect = None
        if len(token) == 2 and token[0] == HEREDOC:
            index = char_index(token[1])
            if index < len(line.heredocs):
                current.heredoc = line.heredocs[index]
        elif is_redirection(token):
            pending_redirect = token
        elif is_operator(token):
            if current.words or current.redirects or current.heredoc:
                yield current
            current = _RawCommand(line.line)
        else:
            current.words.append(token)
    if current.words or current.redirects or current.heredoc:
        yield current


def _unwrap(words: list[Word]) -> tuple[list[str], list[Word], Word | None]:
    """Peel wrappers off a command: ``exec``, ``sudo``, ``env``, ``bash [-c]``, ``source``..."""
    via: list[str] = []
    index = 0
    while index < len(words):
        name = posixpath.basename(words[index].literal or "")
        if name == "exec":
            via.append("exec")
            index = _skip_options(words, index + 1, {"-a"})
        elif name == "sudo":
            via.append("sudo")
            index = _skip_options(words, index + 1, SUDO_OPTIONS_WITH_ARGUMENT)
        elif name == "env":
            index += 1
            while index < len(words) and _is_env_argument(words[index].literal or ""):
                index += 1
        elif name in ("nohup", "command", "builtin", "time"):
            index += 1
        elif name == "nice":
            index = _skip_options(words, index + 1, {"-n"})
        elif name == "timeout":
            index = _skip_options(words, index + 1, {"-s", "-k"}) + 1
        elif name in SHELLS:
            via.append(name)
            index += 1
            while index < len(words):
                option = words[index].literal or ""
                if option == "--":
                    index += 1
                    break
                if not option.startswith(("-", "+")) or option in ("-", "+"):
                    break
                if option.startswith("-") and not option.startswith("--") and "c" in option[1:]:
                    via.append("-c")
                    inline = words[index + 1] if index + 1 < len(words) else Word("")
                    return via, [], inline
                index += 2 if option in SHELL_OPTIONS_WITH_ARGUMENT else 1
            break
        elif name in ("source", "."):
            via.append("source")
            index += 1
            break
        else:
            break
    return via, words[index:], None


def _skip_options(words: list[Word], index: int, with_argument: set[str] | frozenset[str]) -> int:
    while index < len(words):
        option = words[index].literal or ""
        if option == "--":
            return index + 1
        if not option.startswith("-") or option == "-":
            return index
        index += 2 if option in with_argument else 1
    return index


def _split_into(fields: list[list[ShellValue]], value: str) -> None:
    """Field splitting of an unquoted known expansion (default IFS)."""
    chunks = value.split()
    if not chunks:
        if value and fields[-1]:
            fields.append([])
        return
    if value[0].isspace() and fields[-1]:
        fields.append([])
    for position, chunk in enumerate(chunks):
        if position:
            fields.append([])
        fields[-1].append(chunk)
    if value[-1].isspace():
        fields.append([])


def _join(pieces: list[ShellValue]) -> ShellValue:
    joined = PartialStr.join(pieces)
    if isinstance(joined, PartialStr) and len(joined.parts) == 1:
        return joined.parts[0]
    return joined


def _restore(text: str, holes: dict[str, Unknown]) -> ShellValue:
    return restore_markers(text, holes) if holes else text


def _text(value: ShellValue) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, PartialStr):
        return value.text()
    return None


def _is_name(name: str) -> bool:
    return (
        bool(name)
        and (name[0].isalpha() or name[0] == "_")
        and all(c.isalnum() or c == "_" for c in name)
        and name.isascii()
    )


def _is_in_place(option: str | None) -> bool:
    return bool(option) and (option.startswith(("-i", "--in-place=")) or option == "--in-place")


def is_kubelet_path(path: str) -> bool:
    normalized = posixpath.normpath(path) if path.startswith("/") else path
    return any(normalized == prefix.rstrip("/") or normalized.startswith(prefix) for prefix in KUBELET_PATHS)


def _is_env_argument(word: str) -> bool:
    name, equals, _ = word.partition("=")
    return word.startswith("-") or (bool(equals) and _is_name(name))


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
