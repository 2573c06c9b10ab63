"""Bottlerocket user data: TOML settings, and the TOML that EKS cannot merge.

Holes left by IaC evaluation are parsed as marker strings: a hole standing for a whole value
(``"cluster-dns-ip" = ${dns_ips}``) is quoted first, and a hole standing for whole lines
(``${bootstrap_extra_args}``) is dropped and remembered, so that a missing setting next to it is
reported as unknown rather than absent.

EKS merges managed-node-group TOML with its own and does not accept every valid TOML document
(launch-templates.adoc): quotes inside quoted keys, escaped quotes in values, arrays mixing
integers and floats or other types, and table headers with quoted keys.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from analyzer.values import Unknown, restore_markers

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

HOLE_PREFIX = "__EKSJOIN_HOLE_"
UNSUPPORTED_QUOTED_KEY = "quotes within a quoted key"
UNSUPPORTED_ESCAPED_QUOTE = "escaped quotes in a value"
UNSUPPORTED_MIXED_NUMBERS = "an array mixing integers and floats"
UNSUPPORTED_MIXED_TYPES = "an array mixing types"
UNSUPPORTED_QUOTED_HEADER = "a table header with quoted keys"


@dataclass
class BottlerocketSettings:
    document: dict[str, Any]  # the whole TOML document, holes restored
    problems: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # TOML constructs EKS cannot merge
    opaque: list[str] = field(default_factory=list)  # lines that are holes: settings may hide there

    def setting(self, path: str | tuple[str, ...]) -> Any:
        """A value under ``settings`` (``"kubernetes.cluster-name"``); None when absent, an
        Unknown when absent but possibly inside a fragment that is not known."""
        keys = tuple(path.split(".")) if isinstance(path, str) else path
        node: Any = self.document.get("settings")
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return Unknown(f"settings.{'.'.join(keys)} may be set by {self.opaque[0]}") if self.opaque else None
            node = node[key]
        return node

    @property
    def cluster_name(self) -> Any:
        return self.setting(("kubernetes", "cluster-name"))

    @property
    def api_server(self) -> Any:
        return self.setting(("kubernetes", "api-server"))

    @property
    def cluster_certificate(self) -> Any:
        return self.setting(("kubernetes", "cluster-certificate"))

    @property
    def cluster_dns_ip(self) -> Any:
        return self.setting(("kubernetes", "cluster-dns-ip"))


def looks_like_bottlerocket(text: str) -> bool:
    """A TOML document whose first table is ``settings`` (or that sets ``settings.`` keys)."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", HOLE_PREFIX)):
            continue
        return line.startswith(("[settings", "settings."))
    return False


def read_bottlerocket(text: str, holes: dict[str, Unknown]) -> BottlerocketSettings:
    opaque: list[str] = []
    text = _drop_hole_lines(text, holes, opaque)
    scan = _TomlScanner(text)
    scan.run()
    prepared = _quote_bare_holes(text, scan.bare_holes)
    try:
        parsed = tomllib.loads(prepared)
    except tomllib.TOMLDecodeError as exc:
        return BottlerocketSettings({}, [f"invalid TOML: {exc}"], list(dict.fromkeys(scan.unsupported)), opaque)
    unsupported = list(dict.fromkeys(scan.unsupported + _array_problems(parsed, ())))
    return BottlerocketSettings(restore_markers(parsed, holes), [], unsupported, opaque)


def _drop_hole_lines(text: str, holes: dict[str, Unknown], opaque: list[str]) -> str:
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if line.strip() in holes:
            opaque.append(f"line {number} ({holes[line.strip()].reason})")
            lines[number - 1] = ""
    return "\n".join(lines)


def _quote_bare_holes(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in reversed(spans):
        text = text[:start] + '"' + text[start:end] + '"' + text[end:]
    return text


def _array_problems(node: Any, path: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _array_problems(value, path + (str(key),))
    elif isinstance(node, list):
        kinds = {_toml_type(item) for item in node}
        where = ".".join(path) or "(top level)"
        if kinds == {"integer", "float"}:
            found.append(f"{UNSUPPORTED_MIXED_NUMBERS} at {where}")
        elif len(kinds) > 1:
            found.append(f"{UNSUPPORTED_MIXED_TYPES} at {where} ({', '.join(sorted(kinds))})")
        for item in node:
            found += _array_problems(item, path)
    return found


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (datetime.date, datetime.time)):
        return "datetime"
    return "table" if isinstance(value, dict) else "array"


class _TomlScanner:
    """Walks TOML text for what a parser does not report: how keys and strings are written."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.unsupported: list[str] = []
        self.bare_holes: list[tuple[int, int]] = []

    def run(self) -> None:
        while self.pos < len(self.text):
            self._skip(" \t\r\n")
            if self.pos >= len(self.text):
                return
            ch = self.text[self.pos]
            if ch == "#":
                self._skip_to_line_end()
            elif ch == "[":
                self._header()
            else:
                self._key_value()

    def _header(self) -> None:
        start_line = self.line
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        header = self.text[self.pos : end].split("#", 1)[0]
        if '"' in header or "'" in header:
            self.unsupported.append(f"{UNSUPPORTED_QUOTED_HEADER} on line {start_line}: {header.strip()}")
        self.pos = end

    def _key_value(self) -> None:
        key_line = self.line
        while self.pos < len(self.text) and self.text[self.pos] not in "=\n":
            ch = self.text[self.pos]
            if ch in "\"'":
                content = self._string(ch, in_value=False)
                if '"' in content or "'" in content:
                    self.unsupported.append(f"{UNSUPPORTED_QUOTED_KEY} on line {key_line}")
            else:
                self.pos += 1
        if self.pos < len(self.text) and self.text[self.pos] == "=":
            self.pos += 1
            self._value()

    def _value(self) -> None:
        depth = 0
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\n" and depth == 0:
                return
            if ch in "\"'":
                self._string(ch, in_value=True)
            elif ch == "#":
                self._skip_to_line_end()
            elif ch in "[{":
                depth += 1
                self.pos += 1
            elif ch in "]}":
                depth = max(0, depth - 1)
                self.pos += 1
            elif self.text.startswith(HOLE_PREFIX, self.pos):
                end = self.text.find("__", self.pos + len(HOLE_PREFIX))
                end = len(self.text) if end < 0 else end + 2
                self.bare_holes.append((self.pos, end))
                self.pos = end
            else:
                if ch == "\n":
                    self.line += 1
                self.pos += 1

    def _string(self, quote: str, in_value: bool) -> str:
        """Consume one string starting at ``pos``; returns its raw content."""
        multiline = self.text.startswith(quote * 3, self.pos)
        delimiter = quote * 3 if multiline else quote
        start = self.pos + len(delimiter)
        index = start
        while index < len(self.text):
            if quote == '"' and self.text[index] == "\\":
                if in_value and self.text[index + 1 : index + 2] == '"':
                    self.unsupported.append(f"{UNSUPPORTED_ESCAPED_QUOTE} on line {self.line}")
                index += 2
                continue
            if self.text.startswith(delimiter, index):
                break
            if self.text[index] == "\n":
                if not multiline:
                    break
                self.line += 1
            index += 1
        content = self.text[start:index]
        self.pos = min(index + len(delimiter), len(self.text))
        return content

    def _skip(self, chars: str) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            if self.text[self.pos] == "\n":
                self.line += 1
            self.pos += 1

    def _skip_to_line_end(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end
