"""Template parameters: effective values, and parameter files given on the command line.

A parameter's value is what would deploy: the value given (``--cfn-param`` or a parameter
file), else its ``Default``. Only a parameter with neither is Unknown. Like CloudFormation,
values are strings; list types (``CommaDelimitedList``, ``List<...>``) are lists of strings.
``AWS::SSM::Parameter::Value<...>`` parameters hold an SSM parameter *name* and resolve to
its value at deploy time: they are ``SsmParameter`` Unknowns naming that path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analyzer import boundary, jsonsafe
from analyzer.cloudformation.types import SsmParameter
from analyzer.values import Unknown

SSM_VALUE_TYPE_PREFIX = "AWS::SSM::Parameter::Value<"
MAX_PARAMETER_FILE_BYTES = 1024 * 1024
_TEMPLATE_CONFIGURATION_KEYS = {"Parameters", "Tags", "StackPolicy"}


@dataclass(frozen=True)
class EffectiveParameter:
    value: Any
    source: str  # "given" | "default" | "missing"


def effective_parameter(name: str, declaration: Mapping[str, Any], given: Mapping[str, str]) -> EffectiveParameter:
    """The value parameter ``name`` takes when the stack is deployed."""
    declared_type = str(declaration.get("Type", "String"))
    if name in given:
        raw, source = given[name], "given"
    elif declaration.get("Default") is not None:
        raw, source = declaration["Default"], "default"
    else:
        return EffectiveParameter(Unknown(f"parameter {name} has no default; pass --cfn-param {name}=..."), "missing")
    text = parameter_text(raw)
    if declared_type.startswith(SSM_VALUE_TYPE_PREFIX):
        return EffectiveParameter(
            SsmParameter(f"parameter {name} is read from SSM parameter {text} at deploy time", path=text),
            source,
        )
    if is_list_type(declared_type):
        return EffectiveParameter([item.strip() for item in text.split(",")], source)
    return EffectiveParameter(text, source)


def is_list_type(declared_type: str) -> bool:
    return declared_type == "CommaDelimitedList" or declared_type.startswith("List<")


def parameter_text(raw: Any) -> str:
    """A parameter value as CloudFormation sees it: a string (lists joined by commas)."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (list, tuple)):
        return ",".join(parameter_text(item) for item in raw)
    return str(raw)


def load_parameter_file(path: Path) -> dict[str, str]:
    """Read a parameter file: ``[{"ParameterKey": .., "ParameterValue": ..}]`` (the AWS CLI
    format), a plain ``{"Name": "value"}`` mapping, or a template configuration file
    ``{"Parameters": {...}}``; JSON or YAML.

    Raises ValueError with a message for the user when the file cannot be used.
    """
    data = _read_structured_file(path)
    if isinstance(data, list):
        return _from_parameter_list(data, path)
    if isinstance(data, dict):
        if set(data) <= _TEMPLATE_CONFIGURATION_KEYS and isinstance(data.get("Parameters"), dict):
            data = data["Parameters"]
        return _from_parameter_mapping(data, path)
    raise ValueError(
        f"{path}: a parameter file holds a list of ParameterKey/ParameterValue entries "
        "or a mapping of parameter names to values"
    )


def _read_structured_file(path: Path) -> Any:
    try:
        raw = boundary.read_bytes(path, MAX_PARAMETER_FILE_BYTES)
    except boundary.TooLarge:
        raw = b" " * (MAX_PARAMETER_FILE_BYTES + 1)  # said below
    except boundary.Refused as refused:
        raise ValueError(f"{path}: parameter file {refused.reason}; it was not read") from None
    except OSError as error:
        raise ValueError(f"{path}: cannot read parameter file: {error.strerror or error}") from None
    if len(raw) > MAX_PARAMETER_FILE_BYTES:
        raise ValueError(f"{path}: parameter file is larger than {MAX_PARAMETER_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: parameter file is not UTF-8 text") from None
    try:
        return jsonsafe.loads(text)
    except ValueError:
        pass
    except jsonsafe.TooDeep as error:
        raise ValueError(f"{path}: {error}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ValueError(f"{path}: parameter file is not valid JSON or YAML: {problem}{where}") from None


def _from_parameter_list(entries: list[Any], path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("ParameterKey"), str):
            raise ValueError(f"{path}: entry {number} has no ParameterKey")
        if entry.get("UsePreviousValue") is True and "ParameterValue" not in entry:
            continue  # the value lives in the deployed stack, which we cannot see
        if "ParameterValue" not in entry:
            raise ValueError(f"{path}: entry {number} ({entry['ParameterKey']}) has no ParameterValue")
        values[entry["ParameterKey"]] = _scalar_text(entry["ParameterValue"], entry["ParameterKey"], path)
    return values


def _from_parameter_mapping(data: dict[Any, Any], path: Path) -> dict[str, str]:
    return {str(name): _scalar_text(value, str(name), path) for name, value in data.items()}


def _scalar_text(value: Any, name: str, path: Path) -> str:
    if isinstance(value, (list, tuple)) and all(_is_scalar(item) for item in value):
        return parameter_text(value)
    if not _is_scalar(value):
        raise ValueError(f"{path}: the value of {name} must be a string, number, boolean or list of them")
    return parameter_text(value)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))
