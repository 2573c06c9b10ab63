"""Read a template file and decode it with cfn-lint's decoder, safely.

cfn-lint turns YAML (short-form tags included) and JSON into dict/list/str subclasses
that carry ``start_mark``/``end_mark``. We load with a subclass of its YAML loader that
differs in two ways, both to analyse what CloudFormation deploys:

* a repeated mapping key keeps its last value, with a warning (CloudFormation accepts
  such templates and uses the last value; cfn-lint refuses them);
* a float keeps the text it was written with (``Default: 1.30`` is the version "1.30",
  not 1.3).

When that load fails, cfn-lint's own ``decode_str`` describes the error (or reads the
document as JSON, which it does for JSON that YAML cannot read, e.g. tab-indented).

Before decoding, the document is measured with PyYAML's C event parser, because decoding
has costs that grow faster than the input: YAML aliases expand, and cfn-lint compares
every key of a mapping with every other one (a 6 MiB mapping takes minutes). Anything
beyond the limits below is refused with a diagnostic; CloudFormation itself takes at most
1 MB of template, so real templates stay far below them.

Every problem becomes a ``Diagnostic``; nothing here raises on bad input.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cfnlint.decode import decode_str
from cfnlint.decode.cfn_yaml import CfnFullLoader, multi_constructor
from cfnlint.decode.mark import Mark
from cfnlint.decode.node import dict_node
from yaml.constructor import ConstructorError

from analyzer import boundary, jsonsafe
from analyzer.cloudformation.types import SourceFloat
from analyzer.diagnostics import PARSE_ERROR, UNREADABLE, Diagnostic
from analyzer.location import Location

# cfn-lint logs decode failures at ERROR level; we report them as diagnostics instead.
logging.getLogger("cfnlint").addHandler(logging.NullHandler())

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000  # nodes once every alias is expanded
MAX_DEPTH = 100
# Sum over mappings of (number of keys)^2: the duplicate-key check costs that much.
MAX_KEY_COMPARISONS = 25_000_000
MAX_PARSE_DIAGNOSTICS = 5

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Decoded:
    """A decoded template (``None`` when it could not be read) and what went wrong."""

    document: Any
    diagnostics: list[Diagnostic]


class _TooLarge(Exception):
    """The document exceeds one of the decoding limits."""


def decode_template_file(path: Path, display: str) -> Decoded:
    """Read ``path`` and decode it; ``display`` is the path shown in locations."""
    text, problem = _read_text(path, display)
    if problem is not None:
        return Decoded(None, [problem])
    return decode_template_text(text, display)


def decode_template_text(text: str, display: str) -> Decoded:
    """Decode template source text (YAML or JSON)."""
    refusal = _check_limits(text, display)
    if refusal is not None:
        return Decoded(None, [refusal])
    loaded = _load_yaml(text, display)
    if loaded is not None:
        return loaded
    document, matches = decode_str(text)
    if matches:
        return Decoded(None, _parse_diagnostics(matches, text, display))
    return Decoded(document, [])


# --- reading -------------------------------------------------------------------------


def _read_text(path: Path, display: str) -> tuple[str, Diagnostic | None]:
    start = Location(display, 1, 1)
    try:
        raw = boundary.read_bytes(path, MAX_FILE_BYTES)
    except boundary.TooLarge as error:
        return "", _unreadable(
            f"template is {error.size} bytes, larger than the {MAX_FILE_BYTES} bytes eksjoin reads "
            "(CloudFormation accepts at most 1 MB)",
            start,
        )
    except boundary.NotARegularFile:  # a FIFO or device would block or never end
        return "", _unreadable("not a regular file", start)
    except boundary.Refused as refused:
        return "", boundary.refusal_diagnostic(path, display, refused)
    except OSError as error:
        return "", _unreadable(f"cannot read template: {error.strerror or error}", start)
    if len(raw) > MAX_FILE_BYTES:
        return "", _unreadable(f"template is larger than {MAX_FILE_BYTES} bytes", start)
    if b"\x00" in raw:
        return "", _unreadable("template is a binary file (it contains NUL bytes)", start)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return "", _unreadable(f"template is not UTF-8 text (byte {error.start})", start)
    return text, None


def _unreadable(message: str, location: Location) -> Diagnostic:
    return Diagnostic(UNREADABLE, message, location, severity="error")


# --- limits --------------------------------------------------------------------------


def _check_limits(text: str, display: str) -> Diagnostic | None:
    """Refuse documents whose decoding would cost too much; None when it is safe."""
    try:
        _measure_yaml(text)
        return None
    except _TooLarge as reason:
        return _unreadable(f"template refused: {reason}", Location(display, 1, 1))
    except yaml.YAMLError:
        pass  # not YAML; the decoder falls back to JSON, which we measure too
    try:
        _measure_json(text)
    except _TooLarge as reason:
        return _unreadable(f"template refused: {reason}", Location(display, 1, 1))
    except (ValueError, RecursionError):
        # Neither YAML nor JSON: the decoder stops at the syntax error, before any
        # expensive work, so it can safely describe the error.
        pass
    return None


def _measure_yaml(text: str) -> None:
    """Walk the YAML event stream, raising _TooLarge when a limit is crossed."""
    stack: list[_Container] = []
    anchor_sizes: dict[str, int] = {}
    open_anchors: set[str] = set()
    total = 0
    comparisons = 0

    def count(size: int) -> None:
        nonlocal total
        total += size
        if total > MAX_EXPANDED_NODES:
            raise _TooLarge(
                f"more than {MAX_EXPANDED_NODES} values once YAML aliases are expanded "
                "(an alias bomb, or a document far larger than any template)"
            )

    def close_child(size: int) -> None:
        if stack:
            stack[-1].children += 1
            stack[-1].size += size

    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                anchor_sizes[event.anchor] = 1
            count(1)
            close_child(1)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise _TooLarge(f"the YAML alias *{event.anchor} refers to itself")
            size = anchor_sizes.get(event.anchor, 1)
            count(size)
            close_child(size)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise _TooLarge(f"values nested more than {MAX_DEPTH} levels deep")
            if event.anchor:
                open_anchors.add(event.anchor)
            count(1)
            stack.append(_Container(isinstance(event, yaml.MappingStartEvent), event.anchor))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            container = stack.pop()
            if container.is_mapping:
                comparisons += (container.children // 2) ** 2
                if comparisons > MAX_KEY_COMPARISONS:
                    raise _TooLarge("mappings with more keys than any template has")
            if container.anchor:
                open_anchors.discard(container.anchor)
                anchor_sizes[container.anchor] = container.size
            close_child(container.size)


@dataclass
class _Container:
    is_mapping: bool
    anchor: str | None
    children: int = 0
    size: int = 1  # expanded size, the container itself included


def _measure_json(text: str) -> None:
    """The JSON counterpart of _measure_yaml (JSON has no aliases)."""
    comparisons = 0

    def count_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal comparisons
        comparisons += len(pairs) ** 2
        if comparisons > MAX_KEY_COMPARISONS:
            raise _TooLarge("mappings with more keys than any template has")
        return {}

    try:
        jsonsafe.loads(text, object_pairs_hook=count_pairs)
    except jsonsafe.TooDeep:
        raise _TooLarge(f"values nested more than {MAX_DEPTH} levels deep") from None


# --- cfn-lint results ----------------------------------------------------------------


def _parse_diagnostics(matches: list[Any], text: str, display: str) -> list[Diagnostic]:
    hint = _template_directive_hint(text)
    diagnostics = []
    for match in matches[:MAX_PARSE_DIAGNOSTICS]:
        line = max(int(getattr(match, "linenumber", 1) or 1), 1)
        column = max(int(getattr(match, "columnnumber", 1) or 1), 1)
        message = _first_line(str(getattr(match, "message", "")))
        if "(line " not in message:
            message += f" (line {line}, column {column})"
        diagnostics.append(
            Diagnostic(
                PARSE_ERROR,
                f"not a valid YAML or JSON template: {message}{hint}",
                Location(display, line, column),
                severity="error",
            )
        )
    return diagnostics


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unreadable input"


def _template_directive_hint(text: str) -> str:
    """Explain the usual cause when a file holds text-template directives ({{ ... }})."""
    position = text.find("{{")
    while position != -1:
        if not text.startswith("{{resolve:", position):  # CloudFormation dynamic reference
            return (
                "; the file contains text-template directives ({{ ... }}): render the "
                "template first and scan the result"
            )
        position = text.find("{{", position + 2)
    return ""


# --- the loader ----------------------------------------------------------------------


class _TemplateLoader(CfnFullLoader):
    """cfn-lint's YAML loader, with last-key-wins mappings and floats that keep their text."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream, None)
        self.duplicates: list[tuple[str, Any, Any]] = []  # key, first mark, repeated mark

    def construct_last_key_wins_map(self, node: yaml.MappingNode) -> Any:
        merged = any(key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value)
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, False)
            if key is None:
                raise ConstructorError(problem="a null key", problem_mark=key_node.start_mark)
            value = self.construct_object(value_node, False)
            if key in mapping:
                if not merged:
                    first = next(k for k in mapping if k == key)
                    self.duplicates.append((str(key), first.start_mark, key_node.start_mark))
                del mapping[key]  # keep the later key, with its own marks
            mapping[key] = value
        return dict_node(mapping, node.start_mark, node.end_mark, merged)

    def construct_source_float(self, node: yaml.ScalarNode) -> SourceFloat:
        return SourceFloat(self.construct_yaml_float(node), str(node.value))


_TemplateLoader.add_constructor("tag:yaml.org,2002:map", _TemplateLoader.construct_last_key_wins_map)
_TemplateLoader.add_constructor("tag:yaml.org,2002:float", _TemplateLoader.construct_source_float)
_TemplateLoader.add_multi_constructor("!", multi_constructor)


def _load_yaml(text: str, display: str) -> Decoded | None:
    """The decoded template, or None when it is not YAML this loader can read."""
    loader = _TemplateLoader(text)
    try:
        document = loader.get_single_data()
    except (yaml.YAMLError, TypeError, ValueError):
        return None  # cfn-lint describes the problem, or reads the text as JSON
    finally:
        loader.dispose()
    if document is None:
        document = dict_node({}, Mark(0, 0), Mark(0, 0))
    return Decoded(document, [_repeated_key(display, *found) for found in loader.duplicates])


def _repeated_key(display: str, key: str, first: Any, repeated: Any) -> Diagnostic:
    return Diagnostic(
        PARSE_ERROR,
        f"key {key!r} is repeated (first at line {first.line + 1}); CloudFormation "
        "deploys the last one, so the earlier one is ignored",
        Location(display, repeated.line + 1, repeated.column + 1),
        severity="warning",
        fix=f"Remove one of the two {key!r} entries.",
    )
