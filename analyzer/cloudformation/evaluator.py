"""Evaluate CloudFormation values: intrinsic functions into ``analyzer.values``.

Known inputs give real values (parameter defaults included). What only exists at deploy
time becomes an Unknown that says why: a resource's ``Ref``/``Fn::GetAtt`` is a
``Ref(target="<template>#<LogicalId>", attribute=...)`` the linker follows; pseudo
parameters, ``Fn::ImportValue`` and SSM parameters are plain Unknowns (``SsmParameter``
for SSM, naming the path). Strings with unknown parts stay ``PartialStr`` so the literal
text of user data built with ``Fn::Sub``/``Fn::Join`` is not lost.

While evaluating resource properties the evaluator records where each value is written
(dotted paths of the *evaluated* value, so ``AWS::NoValue`` list items do not shift the
indexes) and which parameters each value was computed from.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from analyzer.cloudformation.conditions import ConditionTable
from analyzer.cloudformation.equality import NO_VALUE, comparable, same_value
from analyzer.cloudformation.text import (
    SubVariable,
    as_text,
    resolve_dynamic_references,
    split_sub_template,
)
from analyzer.cloudformation.types import Conditional
from analyzer.diagnostics import EVALUATION, Diagnostic
from analyzer.location import Location
from analyzer.values import (
    Encoded,
    OneOf,
    PartialStr,
    Ref,
    Symbol,
    SymbolElement,
    Unknown,
    contains_unknown,
    describe,
    first_unknown,
    restore_markers,
)

MAX_DEPTH = 100
MAX_CIDR_COUNT = 256

PSEUDO_PARAMETERS = {
    "AWS::AccountId": "the account the stack is deployed in",
    "AWS::NotificationARNs": "the stack's notification topics",
    "AWS::Partition": "the partition of the region the stack is deployed in (aws, aws-cn, ...)",
    "AWS::Region": "the region the stack is deployed in",
    "AWS::StackId": "the ID of the stack",
    "AWS::StackName": "the name given to the stack",
    "AWS::URLSuffix": "the domain suffix of the region (amazonaws.com, amazonaws.com.cn, ...)",
}


@dataclass(frozen=True, eq=False)
class _ZoneList(Unknown):
    """What Fn::GetAZs returns: the zones of one region, of a length not known before
    deployment (name None when the region itself is not known)."""

    name: str | None = None


@dataclass
class TemplateScope:
    """What a template declares, for resolving names."""

    display: str
    key: str
    parameters: dict[str, Any]  # effective values
    resources: set[str]  # every declared logical ID
    mappings: dict[str, Any]  # the raw Mappings section


@dataclass
class Recording:
    """Where the values of one resource are written, and which parameters they use."""

    locations: dict[str, Location] = field(default_factory=dict)
    parameter_uses: dict[str, list[str]] = field(default_factory=dict)


class _Malformed(Exception):
    """An intrinsic function whose arguments do not have the documented shape."""


Handler = Callable[[Any, Any, "str | None", int], Any]


class Evaluator:
    def __init__(self, scope: TemplateScope, conditions_section: Any, diagnostics: list[Diagnostic]) -> None:
        self.scope = scope
        self.diagnostics = diagnostics
        self.conditions = ConditionTable(conditions_section, self)
        self._recording: Recording | None = None
        self._current_path: str | None = None
        self._functions: dict[str, Handler] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::If": self._if,
            "Fn::FindInMap": self._find_in_map,
            "Fn::Base64": self._base64,
            "Fn::GetAZs": self._get_azs,
            "Fn::Cidr": self._cidr,
            "Fn::ImportValue": self._import_value,
            "Fn::Length": self._length,
            "Fn::ToJsonString": self._to_json_string,
            "Fn::Transform": self._transform,
        }

    # --- entry points ----------------------------------------------------------------

    def evaluate_recorded(self, node: Any, recording: Recording) -> Any:
        """Evaluate resource properties, recording locations and parameter uses."""
        self._recording, self._current_path = recording, ""
        try:
            return self.value(node, "")
        finally:
            self._recording, self._current_path = None, None

    def value(self, node: Any, path: str | None = None, depth: int = 0) -> Any:
        """Evaluate ``node``; ``path`` is where the result lands (None: inside a function)."""
        if depth > MAX_DEPTH:
            return self.fail(node, f"values nested more than {MAX_DEPTH} levels deep")
        if path is not None and self._recording is not None:
            outer, self._current_path = self._current_path, path
            try:
                return self._value(node, path, depth)
            finally:
                self._current_path = outer
        return self._value(node, path, depth)

    def location(self, node: Any) -> Location | None:
        mark = getattr(node, "start_mark", None)
        if mark is None:
            return None
        return Location(self.scope.display, int(mark.line) + 1, int(mark.column) + 1)

    def fail(self, node: Any, message: str, severity: str = "warning") -> Unknown:
        """Report an evaluation problem and stand an Unknown in for the value."""
        where = self.location(node) or Location(self.scope.display, 1, 1)
        self.diagnostics.append(Diagnostic(EVALUATION, message, where, severity=severity))
        return Unknown(message, where)

    # --- structure -------------------------------------------------------------------

    def _value(self, node: Any, path: str | None, depth: int) -> Any:
        if isinstance(node, dict):
            function = intrinsic_name(node)
            if function is not None:
                return self._call(function, node, path, depth)
            return self._mapping(node, path, depth)
        if isinstance(node, list):
            return self._sequence(node, path, depth)
        if isinstance(node, str):
            return resolve_dynamic_references(str(node))
        if isinstance(node, (datetime.date, datetime.datetime)):
            return node.isoformat()  # YAML reads 2024-01-31 as a date; CloudFormation as text
        return node

    def _mapping(self, node: dict, path: str | None, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, child in node.items():
            child_path = _join_path(path, key)
            evaluated = self.value(child, child_path, depth + 1)
            if evaluated is NO_VALUE:
                continue
            result[str(key)] = evaluated
            self._record(child_path, key)
        return result

    def _sequence(self, node: list, path: str | None, depth: int) -> list[Any]:
        result: list[Any] = []
        for item in node:
            item_path = _join_path(path, len(result))
            evaluated = self.value(item, item_path, depth + 1)
            if evaluated is NO_VALUE:
                continue
            result.append(evaluated)
            self._record(item_path, item)
        return result

    def _record(self, path: str | None, node: Any) -> None:
        if path is None or self._recording is None:
            return
        where = self.location(node)
        if where is not None:
            self._recording.locations[path] = where

    def _call(self, function: str, node: dict, path: str | None, depth: int) -> Any:
        handler = self._functions.get(function)
        if handler is None:
            return self.fail(node, f"{function} is not supported here; its value is unknown")
        try:
            return handler(node[function], node, path, depth + 1)
        except _Malformed as problem:
            return self.fail(node, f"{function}: {problem}")

    def _argument(self, node: Any, depth: int) -> Any:
        return self.value(node, None, depth)

    # --- names -----------------------------------------------------------------------

    def _ref(self, name: Any, node: Any, path: str | None, depth: int) -> Any:
        if not isinstance(name, str):
            raise _Malformed("the name must be a string")
        if name == "AWS::NoValue":
            return NO_VALUE
        return self._resolve_name(name, node, allow_attribute=False)

    def _resolve_name(self, name: str, node: Any, *, allow_attribute: bool) -> Any:
        """A parameter, pseudo parameter or resource named in Ref or ``${...}``."""
        if name in self.scope.parameters:
            return self._parameter(name)
        if name in PSEUDO_PARAMETERS:
            # unknown, but one value throughout the stack: a launch template named
            # ${AWS::StackName} is the one the Auto Scaling group names the same way
            return Symbol(
                f"{name} is {PSEUDO_PARAMETERS[name]}, known only at deploy time",
                self.location(node),
                name=f"{self.scope.key}#{name}",
            )
        if name in self.scope.resources:
            return self._resource_ref(name, "Ref", node)
        resource, dot, attribute = name.partition(".")
        if allow_attribute and dot and resource in self.scope.resources:
            return self._resource_ref(resource, attribute, node)
        return self.fail(node, f"{name} is neither a parameter nor a resource of this template")

    def _parameter(self, name: str) -> Any:
        if self._recording is not None and self._current_path is not None:
            uses = self._recording.parameter_uses.setdefault(self._current_path, [])
            if name not in uses:
                uses.append(name)
        value = self.scope.parameters[name]
        return list(value) if isinstance(value, list) else value

    def _resource_ref(self, logical_id: str, attribute: str, node: Any) -> Ref:
        what = logical_id if attribute == "Ref" else f"{logical_id}.{attribute}"
        return Ref(
            f"{what} is known once {logical_id} is created",
            self.location(node),
            target=f"{self.scope.key}#{logical_id}",
            attribute=attribute,
        )

    def _get_att(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        if isinstance(argument, str):
            resource, _, attribute = argument.partition(".")
        elif isinstance(argument, list) and len(argument) == 2:
            resource, attribute = argument[0], self._argument(argument[1], depth)
        else:
            raise _Malformed('takes [LogicalId, Attribute] or "LogicalId.Attribute"')
        if not isinstance(resource, str) or not resource:
            raise _Malformed("the logical ID must be a string")
        if isinstance(attribute, Unknown):
            return Unknown(
                f"attribute of {resource} named by a value not known: {attribute.reason}",
                self.location(node),
            )
        if not isinstance(attribute, str) or not attribute:
            raise _Malformed("the attribute name must be a string")
        if resource not in self.scope.resources:
            return self.fail(node, f"Fn::GetAtt names {resource}, which is not a resource of this template")
        return self._resource_ref(resource, attribute, node)

    # --- strings ---------------------------------------------------------------------

    def _sub(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            template = argument[0]
            variables = {str(name): self._argument(value, depth) for name, value in argument[1].items()}
        elif isinstance(argument, list) and len(argument) == 1:
            template = argument[0]
        else:
            template = argument
        if not isinstance(template, str):
            raise _Malformed("the template must be a string")
        pieces = []
        for piece in split_sub_template(str(template)):
            if isinstance(piece, SubVariable):
                piece = self._sub_variable(piece.name, variables, node)
            pieces.append(as_text(piece))
        return _single_hole_as_itself(resolve_dynamic_references(PartialStr.join(pieces)))

    def _sub_variable(self, name: str, variables: dict[str, Any], node: Any) -> Any:
        if name in variables:
            value = variables[name]
        elif name == "AWS::NoValue":
            value = self.fail(node, "${AWS::NoValue} cannot be used in Fn::Sub")
        else:
            value = self._resolve_name(name, node, allow_attribute=True)
        if isinstance(value, list):
            return self.fail(node, f"${{{name}}} is a list and cannot be substituted into text")
        return value

    def _join(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        delimiter, items = _pair(argument, "takes [delimiter, [values]]")
        delimiter = self._argument(delimiter, depth)
        items = self._argument(items, depth)
        if not isinstance(delimiter, str):
            return _unknown_or_malformed(delimiter, "the delimiter", self.location(node))
        if not isinstance(items, list):
            return _unknown_or_malformed(items, "the list to join", self.location(node))
        pieces: list[Any] = []
        for index, item in enumerate(items):
            if index:
                pieces.append(delimiter)
            pieces.append(as_text(item))
        return _single_hole_as_itself(PartialStr.join(pieces))

    def _split(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        delimiter, source = _pair(argument, "takes [delimiter, string]")
        delimiter, source = self._argument(delimiter, depth), self._argument(source, depth)
        if not isinstance(delimiter, str) or delimiter == "":
            return _unknown_or_malformed(delimiter, "the delimiter", self.location(node))
        if not isinstance(source, str):
            return _unknown_or_malformed(source, "the string to split", self.location(node))
        return source.split(delimiter)

    def _base64(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        value = self._argument(argument, depth)
        if isinstance(value, (PartialStr, Unknown, Encoded)):
            return Encoded("base64", value)
        text = as_text(value)
        if not isinstance(text, str):
            raise _Malformed("takes a string")
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    def _to_json_string(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        value = self._argument(argument, depth)
        if not isinstance(value, (dict, list)):
            return _unknown_or_malformed(value, "the object", self.location(node))
        holes: dict[str, Unknown] = {}
        marked = _mark_holes(value, holes)
        text = json.dumps(marked, separators=(",", ":"))
        return restore_markers(text, holes) if holes else text

    # --- lists and lookups -----------------------------------------------------------

    def _select(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        index, items = _pair(argument, "takes [index, [values]]")
        index, items = self._argument(index, depth), self._argument(items, depth)
        position = _as_index(index)
        if position is None:
            return _unknown_or_malformed(index, "the index", self.location(node))
        if isinstance(items, _ZoneList) and items.name:
            return SymbolElement(
                f"availability zone {position} of the region is known only at deploy time",
                self.location(node),
                name=f"{items.name}[{position}]",
                of=items.name,
                index=position,
            )
        if not isinstance(items, list):
            if isinstance(items, Unknown):
                return Unknown(f"element {position} of a list not known: {items.reason}", self.location(node))
            raise _Malformed("the second argument must be a list")
        if position >= len(items):
            return self.fail(node, f"Fn::Select: index {position} is past the end of a list of {len(items)}")
        return items[position]

    def _find_in_map(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            raise _Malformed("takes [MapName, TopLevelKey, SecondLevelKey] and an optional DefaultValue")
        default_given = len(argument) == 4
        if default_given and not (isinstance(argument[3], dict) and "DefaultValue" in argument[3]):
            raise _Malformed("the fourth argument must be {DefaultValue: ...}")
        name, top, second = (self._argument(item, depth) for item in argument[:3])
        if not isinstance(name, str):
            return _unknown_or_malformed(name, "the map name", self.location(node))
        table = self.scope.mappings.get(name)
        if not isinstance(table, dict):
            return self.fail(node, f"Fn::FindInMap: mapping {name} is not defined")
        candidates = [
            entry[second_key]
            for top_key, entry in table.items()
            if _key_matches(top_key, top) and isinstance(entry, dict)
            for second_key in entry
            if _key_matches(second_key, second)
        ]
        if _is_unknown_key(top) or _is_unknown_key(second):
            return self._one_of(candidates, name, top, second, node, depth)
        if candidates:
            return self._argument(candidates[0], depth)
        if default_given:
            return self._argument(argument[3]["DefaultValue"], depth)
        return self.fail(node, f"Fn::FindInMap: {name} has no entry [{describe(top)}][{describe(second)}]")

    def _one_of(self, candidates: list[Any], name: str, top: Any, second: Any, node: Any, depth: int) -> Any:
        """A lookup with an unknown key is still known when every entry it could hit agrees."""
        values = [self._argument(candidate, depth) for candidate in candidates]
        if values and all(same_value(values[0], other) for other in values[1:]):
            return values[0]
        reason = f"Fn::FindInMap {name}[{describe(top)}][{describe(second)}] uses a key not known before deployment"
        if values:  # still one of the entries it could hit: checks may hold for all of them
            return OneOf(reason, self.location(node), candidates=tuple(values))
        return Unknown(reason, self.location(node))

    def _length(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        value = self._argument(argument, depth)
        if isinstance(value, list):
            return len(value)
        return _unknown_or_malformed(value, "the list", self.location(node))

    def _cidr(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            raise _Malformed("takes [ipBlock, count, cidrBits]")
        block, count, bits = (self._argument(item, depth) for item in argument)
        for value in (block, count, bits):
            if isinstance(value, (Unknown, PartialStr)):
                reason = value.reason
                return Unknown(f"Fn::Cidr of a value not known: {reason}", self.location(node))
        count, bits = _as_index(count), _as_index(bits)
        if not isinstance(block, str) or count is None or bits is None:
            raise _Malformed("takes a CIDR block and two numbers")
        try:
            network = ipaddress.ip_network(block, strict=False)
        except ValueError:
            raise _Malformed(f"{block!r} is not a CIDR block") from None
        new_prefix = network.max_prefixlen - bits
        if not 0 < count <= MAX_CIDR_COUNT or not network.prefixlen <= new_prefix <= network.max_prefixlen:
            raise _Malformed(f"cannot cut {count} blocks of {bits} host bits from {block}")
        subnets = []
        for subnet in network.subnets(new_prefix=new_prefix):
            subnets.append(str(subnet))
            if len(subnets) == count:
                return subnets
        raise _Malformed(f"{block} holds fewer than {count} blocks of {bits} host bits")

    # --- deploy-time values ----------------------------------------------------------

    def _get_azs(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        region = self._argument(argument, depth)
        return _ZoneList(
            "the availability zones of the region are known only at deploy time",
            self.location(node),
            name=self._zone_list_name(region),
        )

    def _zone_list_name(self, region: Any) -> str | None:
        """Which list GetAZs returns: the stack's region ("" or AWS::Region) or a named one."""
        if region == "" or (isinstance(region, Symbol) and region.name == f"{self.scope.key}#AWS::Region"):
            return f"{self.scope.key}#Fn::GetAZs(AWS::Region)"
        if isinstance(region, str):
            return f"Fn::GetAZs({region})"
        return None

    def _import_value(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        name = self._argument(argument, depth)
        return Unknown(f"Fn::ImportValue {describe(name)}: exported by another stack", self.location(node))

    def _transform(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        macro = argument.get("Name") if isinstance(argument, dict) else None
        return Unknown(f"output of the macro {describe(macro)}, known only at deploy time", self.location(node))

    # --- conditions ------------------------------------------------------------------

    def _if(self, argument: Any, node: Any, path: str | None, depth: int) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            raise _Malformed("takes [ConditionName, value if true, value if false]")
        name, when_true, when_false = argument
        decision = self.conditions.decide(name, node)
        if isinstance(decision, bool):
            return self.value(when_true if decision else when_false, path, depth)
        true_value = self._argument(when_true, depth)
        false_value = self._argument(when_false, depth)
        if same_value(true_value, false_value):
            return self.value(when_true, path, depth)  # again, to record its locations
        return Conditional(
            f"Fn::If on {decision.reason}",
            self.location(node),
            condition=str(name),
            when_true=None if true_value is NO_VALUE else true_value,
            when_false=None if false_value is NO_VALUE else false_value,
            candidates=tuple(None if v is NO_VALUE else v for v in (true_value, false_value)),
        )


def intrinsic_name(node: dict) -> str | None:
    """The function a one-key mapping calls (``Ref``, ``Fn::Sub``, ...), if it is one."""
    if len(node) != 1:
        return None
    (key,) = node.keys()
    if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
        return str(key)
    return None


def _join_path(path: str | None, key: Any) -> str | None:
    if path is None:
        return None
    return str(key) if path == "" else f"{path}.{key}"


def _single_hole_as_itself(value: Any) -> Any:
    """``!Sub "${Role.Arn}"`` is the attribute itself, not a string around it."""
    if isinstance(value, PartialStr) and len(value.parts) == 1:
        return value.parts[0]
    return value


def _pair(argument: Any, shape: str) -> tuple[Any, Any]:
    if not isinstance(argument, list) or len(argument) != 2:
        raise _Malformed(shape)
    return argument[0], argument[1]


def _as_index(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _unknown_or_malformed(value: Any, what: str, origin: Location | None) -> Unknown:
    """An Unknown argument makes the result Unknown; a known one of the wrong kind is an error."""
    hole = first_unknown(value) if contains_unknown(value) else None
    if hole is not None:
        return Unknown(f"{what} is not known: {hole.reason}", origin)
    raise _Malformed(f"{what} has the wrong type ({describe(value)})")


def _is_unknown_key(value: Any) -> bool:
    return isinstance(value, (Unknown, PartialStr, Encoded))


def _key_matches(key: Any, wanted: Any) -> bool:
    return _is_unknown_key(wanted) or comparable(key) == comparable(wanted)


def _mark_holes(value: Any, holes: dict[str, Unknown]) -> Any:
    """Replace unknown parts by marker strings so the rest can be serialised."""
    if isinstance(value, dict):
        return {key: _mark_holes(item, holes) for key, item in value.items()}
    if isinstance(value, list):
        return [_mark_holes(item, holes) for item in value]
    if isinstance(value, PartialStr):
        return "".join(part if isinstance(part, str) else _marker(part, holes) for part in value.parts)
    if isinstance(value, Unknown):
        return _marker(value, holes)
    if isinstance(value, Encoded):
        return _marker(Unknown(value.reason), holes)
    return value


def _marker(hole: Unknown, holes: dict[str, Unknown]) -> str:
    marker = f"__EKSJOIN_HOLE_{len(holes)}__"
    holes[marker] = hole
    return marker
