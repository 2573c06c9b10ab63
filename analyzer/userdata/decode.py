"""``decode_user_data``: from an evaluated user-data value to a ``UserData`` view.

The layers come off in the order EC2, cloud-init and nodeadm take them off: an ``Encoded``
wrapper or real base64 text, then gzip, then a MIME multipart envelope (parsed with the standard
``email`` package), then each part by its content type or, without one, by what it looks like.
A value with holes (``PartialStr``) is decoded on its marker text; the holes come back as
Unknowns in everything extracted from it.
"""

from __future__ import annotations

import email
import email.errors
import email.message
import email.policy
import posixpath
from dataclasses import dataclass, field
from typing import Any

from analyzer.strict import strict
from analyzer.userdata.bottlerocket import looks_like_bottlerocket, read_bottlerocket
from analyzer.userdata.cloud_config import read_cloud_config
from analyzer.userdata.encoding import (
    MAX_DECODED_BYTES,
    DecodingProblem,
    bytes_to_text,
    gunzip,
    is_gzip,
    is_printable_text,
    strict_base64,
)
from analyzer.userdata.model import UserData, UserDataPart
from analyzer.userdata.nodeconfig import is_node_config, merge_node_configs, read_node_configs
from analyzer.userdata.powershell import has_powershell_tag, looks_like_powershell, read_windows
from analyzer.userdata.safe_yaml import load_documents
from analyzer.userdata.shell import SHELLS, ShellFindings, read_shell
from analyzer.values import Encoded, PartialStr, Unknown, restore_markers

NODECONFIG_MEDIA_TYPE = "application/node.eks.aws"
SHELL_MEDIA_TYPES = ("text/x-shellscript", "text/cloud-boothook")
CLOUD_CONFIG_MEDIA_TYPES = ("text/cloud-config",)
OPAQUE_MEDIA_TYPES = ("text/x-include-url", "text/x-include-once-url", "text/part-handler", "text/cloud-config-archive")


@dataclass
class _RawPart:
    text: str
    content_type: str | None
    first_line: int
    filename: str | None = None


def decode_user_data(value: Any) -> UserData:
    """Decode a user-data value (str, PartialStr, Encoded, bytes, Unknown or None); never raises."""
    try:
        return _decode(value)
    except RecursionError:
        reason = "user data is nested too deeply to decode"
    except Exception as exc:  # a reader defect must not stop the scan: report it as a problem
        if strict():
            raise
        reason = f"user data could not be analysed ({type(exc).__name__}: {exc})"
    return UserData(known=False, reason=reason, problems=[reason])


def _decode(value: Any) -> UserData:
    if value is None:
        return UserData(known=True, present=False)
    layers: list[str] = []
    while isinstance(value, Encoded):
        layers.append(value.encoding)
        value = value.inner
    if isinstance(value, Unknown):
        return UserData(known=False, reason=value.reason, raw_encoding=_encoding_name(layers), holes=[value])
    holes: dict[str, Unknown] = {}
    problems: list[str] = []
    if isinstance(value, PartialStr):
        text, holes = value.with_markers()
    elif isinstance(value, str):
        text = _decode_text(value, layers, problems)
    elif isinstance(value, (bytes, bytearray)):
        text = _decode_bytes(bytes(value), layers, problems)
    else:
        reason = f"user data is a {type(value).__name__}, not text"
        return UserData(known=False, reason=reason, problems=[reason])
    result = UserData(known=True, raw_encoding=_encoding_name(layers), problems=problems, holes=list(holes.values()))
    if text is None:  # an encoding layer could not be removed: the problem says why
        return result
    result.decoded_size = len(text.encode("utf-8", "replace"))
    if result.decoded_size > MAX_DECODED_BYTES:
        result.problems.append(f"decoded user data is larger than {MAX_DECODED_BYTES} bytes; not analysed")
        return result
    _analyse(text, holes, result)
    return result


def _decode_text(value: str, layers: list[str], problems: list[str]) -> str | None:
    if layers:  # an Encoded wrapper around fully known text: the text is what gets encoded
        return value
    raw = strict_base64(value)
    if raw is None:
        return value
    layers.append("base64")
    return _decode_bytes(raw, layers, problems)


def _decode_bytes(raw: bytes, layers: list[str], problems: list[str]) -> str | None:
    if is_gzip(raw):
        layers.append("gzip")
        try:
            raw = gunzip(raw)
        except DecodingProblem as exc:
            problems.append(str(exc))
            return None
    text, problem = bytes_to_text(raw)
    if problem:
        problems.append(problem)
    return text


def _encoding_name(layers: list[str]) -> str:
    base64_layer = any(layer in ("base64", "base64gzip") for layer in layers)
    gzip_layer = any(layer in ("gzip", "base64gzip") for layer in layers)
    if base64_layer and gzip_layer:
        return "base64+gzip"
    return "base64" if base64_layer else "gzip" if gzip_layer else "plain"


# -- envelope -----------------------------------------------------------------------------------
@dataclass
class _Collected:
    """What the parts add up to, before it is stored on the UserData."""

    findings: ShellFindings = field(default_factory=ShellFindings)
    node_configs: list[dict[str, Any]] = field(default_factory=list)
    node_config_problems: list[str] = field(default_factory=list)


def _analyse(text: str, holes: dict[str, Unknown], result: UserData) -> None:
    collected = _Collected()
    raw_parts = _split_envelope(text, result)
    for index, raw in enumerate(raw_parts):
        part = _make_part(raw, index, holes)
        result.parts.append(part)
        before = _counts(collected.findings)
        _read_part(part.kind, raw.text, index, holes, collected, result)
        _stamp(collected.findings, before, index)
    findings = collected.findings
    result.bootstrap_calls = findings.bootstrap_calls
    result.nodeadm_calls = findings.nodeadm_calls
    result.kubelet_actions = findings.kubelet_actions
    result.opaque += findings.opaque
    result.problems += findings.problems + collected.node_config_problems
    if collected.node_configs:
        result.node_config = merge_node_configs(collected.node_configs, holes, collected.node_config_problems)
        result.problems += [p for p in result.node_config.problems if p not in collected.node_config_problems]
    _note_hidden_content(result, raw_parts, holes)


def _make_part(raw: _RawPart, index: int, holes: dict[str, Unknown]) -> UserDataPart:
    kind = "unknown" if raw.text.strip() in holes else _classify(raw.content_type, raw.text)
    content = PartialStr.join([restore_markers(raw.text, holes)]) if holes else raw.text
    return UserDataPart(
        kind=kind,
        text=content.text() if isinstance(content, PartialStr) else content,
        content=content,
        content_type=raw.content_type,
        index=index,
        first_line=raw.first_line,
        has_shebang=raw.text.lstrip("\ufeff\r\n\t ").startswith("#!"),
        filename=raw.filename,
    )


def _read_part(
    kind: str, text: str, index: int, holes: dict[str, Unknown], collected: _Collected, result: UserData
) -> None:
    if kind == "shell":
        read_shell(text, holes, 1, collected.findings)
    elif kind == "cloud-config":
        read_cloud_config(text, holes, collected.findings)
    elif kind == "nodeconfig":
        problems = collected.node_config_problems
        collected.node_configs += read_node_configs(_nodeadm_decoded(text, problems), problems)
    elif kind == "toml":
        _add_bottlerocket(result, text, holes)
    elif kind == "powershell":
        _add_windows(result, text, holes, index)


def _split_envelope(text: str, result: UserData) -> list[_RawPart]:
    """The parts of a MIME document, or the whole text as one part."""
    if not text.strip():
        return []
    message = email.message_from_string(text, policy=email.policy.compat32)
    declared = message.get("Content-Type")
    if declared is None or any(isinstance(d, email.errors.MissingHeaderBodySeparatorDefect) for d in message.defects):
        return [_RawPart(text, None, 1)]
    result.mime_version = message.get("MIME-Version")
    if message.get_content_maintype() != "multipart":
        body = _payload_text(message, result)
        return [_RawPart(body, message.get_content_type(), _line_of(text, body), message.get_filename())]
    result.is_mime = True
    result.mime_boundary_ok = _boundary_ok(message, result)
    if not message.is_multipart():  # no part could be found: keep the body, read nothing into it
        body = message.get_payload()
        if not isinstance(body, str) or not body.strip():
            return []
        return [_RawPart(body, message.get_content_type(), _line_of(text, body))]
    parts: list[_RawPart] = []
    lines = _LineFinder(text)
    for part in message.walk():
        if part.is_multipart():
            continue
        raw_payload = part.get_payload()
        body = _payload_text(part, result)
        first_line = lines.next_line_of(raw_payload if isinstance(raw_payload, str) else "")
        parts.append(_RawPart(body, part.get_content_type(), first_line, part.get_filename()))
    return parts


def _boundary_ok(message: email.message.Message, result: UserData) -> bool:
    boundary = message.get_boundary()
    if not boundary:
        result.problems.append("multipart user data declares no boundary")
        return False
    ok = True
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, email.errors.StartBoundaryNotFoundDefect):
                result.problems.append(f"the MIME boundary {boundary!r} never starts a part")
                ok = False
            elif isinstance(defect, email.errors.CloseBoundaryNotFoundDefect):
                result.problems.append(f"the MIME document is not closed with --{boundary}--")
                ok = False
    return ok


def _payload_text(part: email.message.Message, result: UserData) -> str:
    encoding = (part.get("Content-Transfer-Encoding") or "").strip().lower()
    if encoding not in ("base64", "quoted-printable"):
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    raw = part.get_payload(decode=True) or b""
    if any(
        isinstance(d, email.errors.InvalidBase64CharactersDefect | email.errors.InvalidBase64PaddingDefect)
        for d in part.defects
    ):
        result.problems.append(f"a MIME part ({part.get_content_type()}) has invalid base64 content")
    if is_gzip(raw):
        try:
            raw = gunzip(raw)
        except DecodingProblem as exc:
            result.problems.append(f"a MIME part ({part.get_content_type()}): {exc}")
            return ""
    text, problem = bytes_to_text(raw)
    if problem:
        result.problems.append(problem)
    return text


def _line_of(text: str, body: str) -> int:
    return _LineFinder(text).next_line_of(body)


class _LineFinder:
    """Lines where successive parts start, found by searching forward through the document."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.line = 1

    def next_line_of(self, payload: str) -> int:
        probe = payload.strip()[:200]
        found = self.text.find(probe, self.position) if probe else -1
        if found < 0:
            return self.line
        self.line += self.text.count("\n", self.position, found)
        self.position = found
        return self.line


# -- parts --------------------------------------------------------------------------------------
def _classify(content_type: str | None, text: str) -> str:
    media_type = (content_type or "").lower()
    if media_type == NODECONFIG_MEDIA_TYPE:
        return "nodeconfig"
    if media_type.startswith(SHELL_MEDIA_TYPES):
        return "shell"
    if media_type in CLOUD_CONFIG_MEDIA_TYPES:
        return "cloud-config"
    if media_type in OPAQUE_MEDIA_TYPES or media_type.startswith("multipart/"):
        return "unknown"
    return _sniff(text)


def _sniff(text: str) -> str:
    stripped = text.lstrip("\ufeff\r\n\t ")
    if not stripped:
        return "unknown"
    first_line = stripped.split("\n", 1)[0].strip()
    lowered = first_line.lower()
    if first_line.startswith("#!"):
        return "shell" if _is_shell_interpreter(first_line[2:]) else "unknown"
    if lowered.startswith("#cloud-config"):
        return "cloud-config"
    if lowered.startswith("#cloud-boothook"):
        return "shell"
    if has_powershell_tag(text):
        return "powershell"
    if _holds_node_config(text):
        return "nodeconfig"
    if looks_like_bottlerocket(text):
        return "toml"
    if looks_like_powershell(text):
        return "powershell"
    return "shell" if is_printable_text(text.encode("utf-8", "replace")) else "unknown"


def _is_shell_interpreter(line: str) -> bool:
    words = line.split()
    if not words:
        return False
    program = posixpath.basename(words[0])
    if program == "env" and len(words) > 1:
        program = posixpath.basename(words[1])
    return program in SHELLS


def _holds_node_config(text: str) -> bool:
    if "NodeConfig" not in text or "node.eks.aws" not in text:
        return False
    return any(is_node_config(document.data) for document in load_documents(text).documents)


def _nodeadm_decoded(text: str, problems: list[str]) -> str:
    """nodeadm also accepts a NodeConfig part that is base64 and/or gzip."""
    raw = strict_base64(text)
    if raw is None:
        return text
    if is_gzip(raw):
        try:
            raw = gunzip(raw)
        except DecodingProblem as exc:
            problems.append(f"NodeConfig: {exc}")
            return ""
    return bytes_to_text(raw)[0]


def _add_bottlerocket(result: UserData, text: str, holes: dict[str, Unknown]) -> None:
    settings = read_bottlerocket(text, holes)
    result.problems += [f"Bottlerocket: {problem}" for problem in settings.problems]
    result.opaque += [f"Bottlerocket settings {where}" for where in settings.opaque]
    if result.bottlerocket is None:
        result.bottlerocket = settings


def _add_windows(result: UserData, text: str, holes: dict[str, Unknown], index: int) -> None:
    windows = read_windows(text, holes)
    for call in windows.bootstrap_calls:
        call.part_index = index
    result.problems += [f"PowerShell: {problem}" for problem in windows.problems]
    result.opaque += windows.opaque
    if result.windows is None:
        result.windows = windows
    else:
        result.windows.bootstrap_calls += windows.bootstrap_calls
        result.windows.blocks += windows.blocks


def _counts(findings: ShellFindings) -> tuple[int, int, int]:
    return len(findings.bootstrap_calls), len(findings.nodeadm_calls), len(findings.kubelet_actions)


def _stamp(findings: ShellFindings, before: tuple[int, int, int], index: int) -> None:
    for item in (
        findings.bootstrap_calls[before[0] :]
        + findings.nodeadm_calls[before[1] :]
        + findings.kubelet_actions[before[2] :]
    ):
        item.part_index = index


def _note_hidden_content(result: UserData, parts: list[_RawPart], holes: dict[str, Unknown]) -> None:
    for index, part in enumerate(parts):
        if part.text.strip() in holes:
            result.opaque.append(f"part {index} is entirely unknown ({holes[part.text.strip()].reason})")
