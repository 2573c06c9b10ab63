"""String pieces of CloudFormation: ``Fn::Sub`` templates, dynamic references, and how
values turn into text when they are joined or substituted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analyzer.cloudformation.types import SsmParameter
from analyzer.values import Encoded, PartialStr, Unknown

_DYNAMIC_REFERENCE_OPEN = "{{resolve:"
_DYNAMIC_REFERENCE_CLOSE = "}}"


@dataclass(frozen=True)
class SubVariable:
    """``${name}`` in an ``Fn::Sub`` template."""

    name: str


def split_sub_template(template: str) -> list[str | SubVariable]:
    """Literal text and ``${...}`` variables; ``${!Literal}`` stands for ``${Literal}``."""
    pieces: list[str | SubVariable] = []
    position = 0
    while True:
        start = template.find("${", position)
        end = template.find("}", start + 2) if start != -1 else -1
        if start == -1 or end == -1:
            pieces.append(template[position:])
            return [piece for piece in pieces if piece != ""]
        pieces.append(template[position:start])
        body = template[start + 2 : end]
        if body.startswith("!"):
            pieces.append("${" + body[1:] + "}")
        else:
            pieces.append(SubVariable(body.strip()))
        position = end + 1


def as_text(value: Any) -> str | PartialStr | Unknown:
    """A value as it reads inside a string (Fn::Join, Fn::Sub); Unknown when it has no text."""
    if isinstance(value, (str, PartialStr, Unknown)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, Encoded):
        return Unknown(value.reason)
    return Unknown(f"a {type(value).__name__} cannot be used as text")


def resolve_dynamic_references(value: str | PartialStr) -> str | PartialStr | Unknown:
    """Turn ``{{resolve:ssm:/path}}`` and friends into holes: they resolve at deploy time.

    Only references written wholly inside literal text are recognised.
    """
    parts = value.parts if isinstance(value, PartialStr) else (value,)
    if not any(isinstance(p, str) and _DYNAMIC_REFERENCE_OPEN in p for p in parts):
        return value
    pieces: list[Any] = []
    for part in parts:
        pieces.extend(_split_references(part) if isinstance(part, str) else [part])
    if len(pieces) == 1 and isinstance(pieces[0], Unknown):
        return pieces[0]
    return PartialStr.join(pieces)


def _split_references(text: str) -> list[str | Unknown]:
    pieces: list[str | Unknown] = []
    position = 0
    while True:
        start = text.find(_DYNAMIC_REFERENCE_OPEN, position)
        end = text.find(_DYNAMIC_REFERENCE_CLOSE, start + len(_DYNAMIC_REFERENCE_OPEN)) if start != -1 else -1
        if start == -1 or end == -1:
            pieces.append(text[position:])
            return [piece for piece in pieces if piece != ""]
        pieces.append(text[position:start])
        pieces.append(_dynamic_reference(text[start + len(_DYNAMIC_REFERENCE_OPEN) : end]))
        position = end + len(_DYNAMIC_REFERENCE_CLOSE)


def _dynamic_reference(body: str) -> Unknown:
    service, _, reference = body.partition(":")
    if service == "ssm":
        name = reference.split(":")[0] if not reference.startswith("arn:") else reference
        return SsmParameter(f"SSM parameter {name} is resolved at deploy time", path=name)
    if service == "ssm-secure":
        return Unknown(f"secure SSM parameter {reference.split(':')[0]} is resolved at deploy time")
    return Unknown(f"dynamic reference {{{{resolve:{body}}}}} is resolved at deploy time")
