"""``#cloud-config`` user data: the files cloud-init writes and the commands it runs.

cloud-init writes ``write_files`` first, then runs ``bootcmd`` and ``runcmd``; each of the two
command lists becomes one shell script, a string item being a line of shell and a list item an
argument vector that is quoted (never expanded) by cloud-init.
"""

from __future__ import annotations

import base64
import binascii
import shlex
from typing import Any

import yaml

from analyzer.userdata.encoding import DecodingProblem, bytes_to_text, gunzip
from analyzer.userdata.safe_yaml import content_line, load_documents, mapping_value_node
from analyzer.userdata.shell import KubeletAction, ShellFindings, ShellReader, WrittenFile, is_kubelet_path
from analyzer.values import Unknown

COMMAND_KEYS = ("bootcmd", "runcmd")
BASE64_ENCODINGS = frozenset({"b64", "base64"})
GZIP_ENCODINGS = frozenset({"gz", "gzip"})
BOTH_ENCODINGS = frozenset({"gz+b64", "gz+base64", "gzip+b64", "gzip+base64"})


def read_cloud_config(text: str, holes: dict[str, Unknown], findings: ShellFindings, first_line: int = 1) -> None:
    """Add what the cloud-config does to ``findings`` (problems included)."""
    loaded = load_documents(text)
    findings.problems.extend(f"cloud-config: {problem}" for problem in loaded.problems)
    if not loaded.documents:
        return
    document = loaded.documents[0]
    if not isinstance(document.data, dict):
        findings.problems.append("cloud-config: the document is not a mapping")
        return
    offset = first_line - 1
    _write_files(
        document.data.get("write_files"), mapping_value_node(document.node, "write_files"), holes, findings, offset
    )
    for key in COMMAND_KEYS:
        _commands(key, document.data.get(key), mapping_value_node(document.node, key), holes, findings, offset)


def _write_files(
    entries: Any, node: yaml.Node | None, holes: dict[str, Unknown], findings: ShellFindings, offset: int
) -> None:
    if entries is None:
        return
    if not isinstance(entries, list) or not isinstance(node, yaml.SequenceNode):
        findings.problems.append("cloud-config: write_files is not a list")
        return
    for entry, entry_node in zip(entries, node.value):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        path = entry["path"]
        content_node = mapping_value_node(entry_node, "content")
        line = offset + (content_line(content_node) if content_node is not None else entry_node.start_mark.line + 1)
        content = _decoded_content(entry, findings, path)
        if is_kubelet_path(path):
            findings.kubelet_actions.append(KubeletAction(line, "configure", f"write_files writes {path}"))
        if content is not None:
            findings.files[path] = WrittenFile(content, line)


def _decoded_content(entry: dict[str, Any], findings: ShellFindings, path: str) -> str | None:
    content = entry.get("content", "")
    if not isinstance(content, (str, bytes)):
        return None
    encoding = str(entry.get("encoding", "")).lower()
    if not encoding or encoding == "text/plain":
        return content if isinstance(content, str) else bytes_to_text(content)[0]
    try:
        raw = content if isinstance(content, bytes) else content.encode("utf-8")
        if encoding in BASE64_ENCODINGS | BOTH_ENCODINGS:
            raw = base64.b64decode(raw, validate=False)
        if encoding in GZIP_ENCODINGS | BOTH_ENCODINGS:
            raw = gunzip(raw)
    except (binascii.Error, ValueError, DecodingProblem) as exc:
        findings.problems.append(f"cloud-config: write_files {path}: cannot decode {encoding} content ({exc})")
        return None
    return bytes_to_text(raw)[0]


def _commands(
    key: str, items: Any, node: yaml.Node | None, holes: dict[str, Unknown], findings: ShellFindings, offset: int
) -> None:
    if items is None:
        return
    if not isinstance(items, list) or not isinstance(node, yaml.SequenceNode):
        findings.problems.append(f"cloud-config: {key} is not a list")
        return
    reader = ShellReader(findings, holes)  # one script per key: variables carry across items
    for item, item_node in zip(items, node.value):
        line = offset + content_line(item_node)
        if isinstance(item, str):
            reader.read(item, line)
        elif isinstance(item, list):
            reader.read(shlex.join(str(argument) for argument in item), line)
