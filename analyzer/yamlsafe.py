"""Safe YAML loading that keeps line marks.

PyYAML's safe loader builds only plain data (mappings, sequences, strings, numbers,
booleans, null); any other tag -- ``!!python/object``, CloudFormation's ``!Ref`` --
is refused. On top of that this loader:

* records where every mapping key and sequence item is written, as dotted paths
  (``managedNodeGroups.0.iam.attachPolicyARNs.1``) -> 1-based ``Location``;
* guards composition against alias bombs ("billion laughs"): the size of the tree as
  it would be with every alias expanded is computed while composing, so a bomb is
  refused after reading a few lines instead of after exhausting memory;
* refuses recursive aliases (``&a [*a]``), which would send any tree walk into a loop;
* turns every problem into a ``Diagnostic`` and never raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from analyzer.diagnostics import PARSE_ERROR, UNREADABLE, Diagnostic
from analyzer.location import Location

# Nesting deeper than this is never configuration; it is refused well before Python's
# recursion limit (the composer recurses a few frames per level) can be reached.
MAX_DEPTH = 100

PathPart = str | int


@dataclass
class YamlDocument:
    data: Any  # plain Python: dict / list / str / int / float / bool / None
    locations: dict[str, Location]  # dotted path -> where it is written; "" = document start
    index: int  # position of the document in the stream, from 0
    # Source text of plain scalars that did not load as strings, by dotted path
    # (``metadata.version: 1.30`` loads as the float 1.3; its text "1.30" is kept here).
    scalar_text: dict[str, str] = field(default_factory=dict)

    def location_of(self, path: Iterable[PathPart]) -> Location:
        """Where ``path`` is written, or its nearest written ancestor."""
        parts = [str(part) for part in path]
        while parts:
            found = self.locations.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return self.locations[""]


def dotted(path: Iterable[PathPart]) -> str:
    """The key of ``locations`` for a path given as parts: ("a", 0, "b") -> "a.0.b"."""
    return ".".join(str(part) for part in path)


def load_yaml_documents(
    text: str, display: str, *, max_aliases: int = 100, max_nodes: int = 200_000
) -> tuple[list[YamlDocument], list[Diagnostic]]:
    """Load every document of a YAML stream; problems become diagnostics.

    Documents read before a problem are kept; the stream cannot be followed past one.
    """
    documents: list[YamlDocument] = []
    loader = None
    try:
        loader = _GuardedLoader(text, max_aliases=max_aliases, max_nodes=max_nodes)
        while loader.check_node():
            start = loader.peek_event().start_mark
            loader.reset_document_guards()
            node = loader.get_node()
            data = loader.construct_document(node)
            documents.append(_document(node, data, loader.keys_of_last_document, len(documents), display, start))
    except _Refused as refused:
        return documents, [refused.diagnostic(display)]
    except yaml.MarkedYAMLError as error:
        return documents, [_parse_error(error, display)]
    except yaml.YAMLError as error:  # ReaderError: a character YAML does not allow
        return documents, [_reader_error(error, text, display)]
    except RecursionError:  # a safety net: MAX_DEPTH is meant to stop this first
        message = "YAML nesting is too deep to read"
        return documents, [Diagnostic(UNREADABLE, message, Location(display), "warning")]
    finally:
        if loader is not None:
            loader.dispose()
    return documents, []


# --- the loader -------------------------------------------------------------------


class _Refused(Exception):
    """The input is refused before it can do harm."""

    def __init__(self, code: str, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.mark = mark

    def diagnostic(self, display: str) -> Diagnostic:
        return Diagnostic(self.code, self.message, _location(display, self.mark), "warning")


class _GuardedComposer(Composer):
    """A composer that measures the alias-expanded size of what it builds."""

    def __init__(self, max_aliases: int, max_nodes: int) -> None:
        super().__init__()
        self._max_aliases = max_aliases
        self._max_nodes = max_nodes
        self._depth = 0
        self.reset_document_guards()

    def reset_document_guards(self) -> None:
        self._aliases = 0
        # id(node) -> node count with aliases expanded; only finished nodes are here
        self._expanded: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            return self._compose_alias(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    UNREADABLE,
                    f"YAML nesting is deeper than {MAX_DEPTH} levels; the document is not read",
                    self.peek_event().start_mark,
                )
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._expanded[id(node)] = self._expanded_size(node)
        return node

    def _compose_alias(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        target = self.anchors.get(event.anchor)
        if target is not None and id(target) not in self._expanded:
            # The anchored node is still being composed: the alias points into itself.
            raise _Refused(
                PARSE_ERROR,
                f"recursive YAML alias *{event.anchor} refers to a node that contains it",
                event.start_mark,
            )
        self._aliases += 1
        if self._aliases > self._max_aliases:
            raise _Refused(
                UNREADABLE,
                f"YAML alias expansion exceeds {self._max_aliases} aliases in one document; the document is not read",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def _expanded_size(self, node: Node) -> int:
        if isinstance(node, SequenceNode):
            children: Iterable[Node] = node.value
        elif isinstance(node, MappingNode):
            children = (child for pair in node.value for child in pair)
        else:
            return 1
        size = 1 + sum(self._expanded[id(child)] for child in children)
        if size > self._max_nodes:
            what = "YAML alias expansion exceeds" if self._aliases else "the YAML document has more than"
            raise _Refused(
                UNREADABLE,
                f"{what} {self._max_nodes} nodes in one document; the document is not read",
                node.start_mark,
            )
        return size


class _PlainConstructor(SafeConstructor):
    """SafeConstructor that yields only JSON-like values and refuses unknown tags."""

    def __init__(self) -> None:
        super().__init__()
        self._constructed_keys: dict[Node, Any] = {}
        self.keys_of_last_document: dict[Node, Any] = {}

    def construct_document(self, node: Node) -> Any:
        data = super().construct_document(node)
        # construct_document forgets which node built which object; the location walk
        # needs that for keys, so it is kept until the next document.
        self.keys_of_last_document = self._constructed_keys
        self._constructed_keys = {}
        return data

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        for key_node, _ in node.value:  # flattened: merged ("<<") entries are included
            if key_node in self.constructed_objects:
                self._constructed_keys[key_node] = self.constructed_objects[key_node]
        return mapping

    def construct_undefined(self, node: Node) -> Any:
        raise _Refused(
            PARSE_ERROR,
            f"YAML tag {node.tag!r} is not allowed: only standard YAML types are loaded",
            node.start_mark,
        )

    def construct_keep_text(self, node: ScalarNode) -> str:
        # Dates and binary stay as written: configuration compares them as text
        # (an IAM policy ``Version: 2012-10-17`` must not become a date).
        return str(self.construct_scalar(node))

    def construct_set_as_mapping(self, node: MappingNode) -> Any:
        data: dict[Any, Any] = {}
        yield data
        data.update(self.construct_mapping(node))

    def construct_pairs_as_lists(self, node: SequenceNode) -> Any:
        data: list[Any] = []
        yield data
        data.extend([key, value] for key, value in self._pairs(node))

    def construct_omap_as_mapping(self, node: SequenceNode) -> Any:
        data: dict[Any, Any] = {}
        yield data
        data.update(self._pairs(node))

    def _pairs(self, node: Node) -> list[tuple[Any, Any]]:
        """!!pairs / !!omap: a sequence of one-entry mappings."""
        if not isinstance(node, SequenceNode):
            raise ConstructorError(None, None, "expected a sequence of pairs", node.start_mark)
        pairs = []
        for item in node.value:
            if not isinstance(item, MappingNode) or len(item.value) != 1:
                raise ConstructorError(None, None, "expected a one-entry mapping", item.start_mark)
            key_node, value_node = item.value[0]
            pairs.append((self.construct_object(key_node), self.construct_object(value_node)))
        return pairs


_YAML = "tag:yaml.org,2002:"
_PlainConstructor.add_constructor(None, _PlainConstructor.construct_undefined)
_PlainConstructor.add_constructor(_YAML + "timestamp", _PlainConstructor.construct_keep_text)
_PlainConstructor.add_constructor(_YAML + "binary", _PlainConstructor.construct_keep_text)
_PlainConstructor.add_constructor(_YAML + "set", _PlainConstructor.construct_set_as_mapping)
_PlainConstructor.add_constructor(_YAML + "pairs", _PlainConstructor.construct_pairs_as_lists)
_PlainConstructor.add_constructor(_YAML + "omap", _PlainConstructor.construct_omap_as_mapping)


class _PurePythonLoader(Reader, Scanner, Parser, _GuardedComposer, _PlainConstructor, Resolver):
    def __init__(self, text: str, *, max_aliases: int, max_nodes: int) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _GuardedComposer.__init__(self, max_aliases, max_nodes)
        _PlainConstructor.__init__(self)
        Resolver.__init__(self)


_GuardedLoader: type = _PurePythonLoader

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _LibyamlLoader(_GuardedComposer, CParser, _PlainConstructor, Resolver):  # type: ignore
        """libyaml reads the events (several times faster); composing stays guarded:
        the Python composer comes first in the method order, so it builds the nodes."""

        def __init__(self, text: str, *, max_aliases: int, max_nodes: int) -> None:
            CParser.__init__(self, text)
            _GuardedComposer.__init__(self, max_aliases, max_nodes)
            _PlainConstructor.__init__(self)
            Resolver.__init__(self)

    _GuardedLoader = _LibyamlLoader


# --- locations --------------------------------------------------------------------


def _document(
    root: Node,
    data: Any,
    keys: dict[Node, Any],
    index: int,
    display: str,
    start: yaml.Mark,
) -> YamlDocument:
    empty = isinstance(root, ScalarNode) and root.value == "" and _is_plain(root)
    where = start if empty else root.start_mark  # an empty document is only its "---"
    document = YamlDocument(data=data, locations={"": _location(display, where)}, index=index)
    _record(root, data, keys, document, display)
    return document


def _record(root: Node, data: Any, keys: dict[Node, Any], document: YamlDocument, display: str) -> None:
    """Walk nodes and constructed data together, recording where each path is written.

    Iterative, so that nesting cannot exhaust the Python stack. Aliased nodes are
    walked again under each path that uses them: composing has already bounded the
    alias-expanded size.
    """
    pending: list[tuple[Node, Any, list[str]]] = [(root, data, [])]
    while pending:
        node, value, path = pending.pop()
        if isinstance(node, MappingNode) and isinstance(value, dict):
            for key, key_node, value_node in _last_entries(node, value, keys):
                child = path + [str(key)]
                document.locations[".".join(child)] = _location(display, key_node.start_mark)
                pending.append((value_node, value[key], child))
        elif isinstance(node, SequenceNode) and isinstance(value, list):
            for position, (item_node, item) in enumerate(zip(node.value, value)):
                child = path + [str(position)]
                document.locations[".".join(child)] = _location(display, item_node.start_mark)
                pending.append((item_node, item, child))
        elif isinstance(node, ScalarNode) and _is_plain(node) and not isinstance(value, str) and path and node.value:
            document.scalar_text[".".join(path)] = node.value


def _is_plain(node: ScalarNode) -> bool:
    """Unquoted, not a block scalar (PyYAML marks that None, libyaml "")."""
    return not node.style


def _last_entries(node: MappingNode, mapping: dict[Any, Any], keys: dict[Node, Any]) -> list[tuple[Any, Node, Node]]:
    """(key, key node, value node) per key; a duplicated key keeps its last entry, as
    the constructed mapping does."""
    entries: dict[Any, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if key_node not in keys:
            continue
        key = keys[key_node]
        try:
            if key in mapping:
                entries[key] = (key_node, value_node)
        except TypeError:  # an unhashable key never made it into the mapping
            continue
    return [(key, key_node, value_node) for key, (key_node, value_node) in entries.items()]


# --- diagnostics ------------------------------------------------------------------


def _location(display: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(display)
    return Location(display, mark.line + 1, mark.column + 1)


def _parse_error(error: yaml.MarkedYAMLError, display: str) -> Diagnostic:
    problem = error.problem or "invalid YAML"
    message = f"YAML parse error: {problem}"
    if error.context:
        message += f" ({error.context}"
        if (
            error.context_mark is not None
            and error.problem_mark is not None
            and error.context_mark.line != error.problem_mark.line
        ):
            message += f" started on line {error.context_mark.line + 1}"
        message += ")"
    mark = error.problem_mark or error.context_mark
    return Diagnostic(PARSE_ERROR, message, _location(display, mark), "warning")


def _reader_error(error: yaml.YAMLError, text: str, display: str) -> Diagnostic:
    position = getattr(error, "position", None)
    if isinstance(position, int) and 0 <= position <= len(text):
        before = text[:position]
        line = before.count("\n") + 1
        column = position - (before.rfind("\n") + 1) + 1
        location = Location(display, line, column)
    else:
        location = Location(display)
    character = getattr(error, "character", None)
    reason = getattr(error, "reason", None)
    if isinstance(character, int) and reason:
        detail = f"unacceptable character #x{character:04x}: {reason}"
    else:
        detail = str(error).splitlines()[0]
    return Diagnostic(UNREADABLE, f"not readable as YAML: {detail}", location, "warning")
