"""YAML loading for user data that refuses alias bombs.

``yaml.safe_load`` builds shared objects for aliases, so a small document with nested aliases
("billion laughs") is cheap to load but explodes as soon as anything walks it. Each document is
composed first; its size with every alias expanded is computed over the node graph (linear,
memoised by node identity) and the document is refused when that size is excessive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_EXPANDED_NODES = 100_000
MAX_ALIASES = 1_000
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


@dataclass
class YamlDocument:
    data: Any
    node: yaml.Node


@dataclass
class YamlLoad:
    documents: list[YamlDocument] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def load_documents(text: str) -> YamlLoad:
    """Every document of ``text``; a problem (never an exception) for bad or hostile YAML."""
    result = YamlLoad()
    if _alias_count(text, result) > MAX_ALIASES:
        result.problems.append(f"YAML uses more than {MAX_ALIASES} aliases; refused to load it")
        return result
    if result.problems:
        return result
    loader = _LOADER(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            size = expanded_size(node)
            if size > MAX_EXPANDED_NODES:
                result.problems.append(
                    f"YAML aliases expand to more than {MAX_EXPANDED_NODES} nodes; refused to load it"
                )
                return result
            result.documents.append(YamlDocument(loader.construct_document(node), node))
    except yaml.YAMLError as exc:
        result.problems.append(f"invalid YAML: {_one_line(exc)}")
    except RecursionError:
        result.problems.append("YAML is nested too deeply; refused to load it")
    finally:
        loader.dispose()
    return result


def _alias_count(text: str, result: YamlLoad) -> int:
    count = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                count += 1
                if count > MAX_ALIASES:
                    break
    except yaml.YAMLError as exc:
        result.problems.append(f"invalid YAML: {_one_line(exc)}")
    return count


def expanded_size(root: yaml.Node) -> int:
    """Number of nodes the document would have with every alias expanded (capped)."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:  # recursive alias: infinite when expanded
            return MAX_EXPANDED_NODES + 1
        in_progress.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
                if total > MAX_EXPANDED_NODES:
                    break
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node) + size(value_node)
                if total > MAX_EXPANDED_NODES:
                    break
        in_progress.discard(key)
        sizes[key] = min(total, MAX_EXPANDED_NODES + 1)
        return sizes[key]

    return size(root)


def mapping_value_node(node: yaml.Node, key: str) -> yaml.Node | None:
    """The value node under ``key`` of a mapping node (last one wins, like the constructor)."""
    found = None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found = value_node
    return found


def content_line(node: yaml.Node) -> int:
    """1-based line where a scalar's content starts (block scalars start after the indicator)."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        line += 1
    return line


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
