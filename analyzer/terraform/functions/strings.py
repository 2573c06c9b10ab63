"""String functions."""

from __future__ import annotations

import json
from typing import Any

import re2

from analyzer.terraform.budgets import string_budget
from analyzer.terraform.convert import format_number, to_number, to_string
from analyzer.terraform.errors import EvalError
from analyzer.terraform.functions.registry import function
from analyzer.terraform.operations import derived_unknown
from analyzer.values import PartialStr, Unknown, is_unknown


def _text(value: Any, what: str = "argument") -> str:
    if not isinstance(value, (str, int, float, bool)):
        raise EvalError(f"{what} must be a string")
    return to_string(value)


@function("lower")
def lower(value: Any) -> str:
    return _text(value).lower()


@function("upper")
def upper(value: Any) -> str:
    return _text(value).upper()


@function("title")
def title(value: Any) -> str:
    out, previous_letter = [], False
    for char in _text(value):
        out.append(char.upper() if not previous_letter else char)
        previous_letter = char.isalnum()
    return "".join(out)


@function("strrev")
def strrev(value: Any) -> str:
    return _text(value)[::-1]


def _edges(value: Any, transform_first, transform_last) -> Any:
    """Apply trimming to the literal ends of a string or a PartialStr."""
    if isinstance(value, PartialStr):
        parts = list(value.parts)
        if isinstance(parts[0], str):
            parts[0] = transform_first(parts[0])
        if isinstance(parts[-1], str):
            parts[-1] = transform_last(parts[-1])
        joined = PartialStr.join(parts)
        if isinstance(joined, PartialStr) and len(joined.parts) == 1:
            return joined.parts[0]  # nothing known is left around the hole
        return joined
    if is_unknown(value):
        return derived_unknown(value)
    text = _text(value)
    return transform_last(transform_first(text))


def _strip_trailing_newlines(text: str) -> str:
    while text.endswith(("\r\n", "\n")):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    return text


@function("chomp", strict=False)
def chomp(value: Any) -> Any:
    return _edges(value, lambda s: s, _strip_trailing_newlines)


@function("trimspace", strict=False)
def trimspace(value: Any) -> Any:
    return _edges(value, str.lstrip, str.rstrip)


@function("trim")
def trim(value: Any, cutset: Any) -> str:
    return _text(value).strip(_text(cutset))


@function("trimprefix", strict=False)
def trimprefix(value: Any, prefix: Any) -> Any:
    if is_unknown(prefix):
        return derived_unknown(prefix)
    prefix = _text(prefix)
    return _edges(value, lambda s: s[len(prefix) :] if prefix and s.startswith(prefix) else s, lambda s: s)


@function("trimsuffix", strict=False)
def trimsuffix(value: Any, suffix: Any) -> Any:
    if is_unknown(suffix):
        return derived_unknown(suffix)
    suffix = _text(suffix)
    return _edges(value, lambda s: s, lambda s: s[: -len(suffix)] if suffix and s.endswith(suffix) else s)


@function("indent", strict=False)
def indent(spaces: Any, value: Any) -> Any:
    if is_unknown(spaces):
        return derived_unknown(spaces)
    width = int(to_number(spaces))
    string_budget(width, "indent()")
    pad = " " * width
    if isinstance(value, PartialStr):
        known = [p for p in value.parts if isinstance(p, str)]
        string_budget(sum(len(p) + p.count("\n") * width for p in known), "the result of indent()")
        parts = [p.replace("\n", "\n" + pad) if isinstance(p, str) else p for p in value.parts]
        return PartialStr.join(parts)
    if is_unknown(value):
        return derived_unknown(value)
    text = _text(value)
    string_budget(len(text) + text.count("\n") * width, "the result of indent()")
    return text.replace("\n", "\n" + pad)


@function("substr")
def substr(value: Any, offset: Any, length: Any) -> str:
    text = _text(value)
    start, count = int(to_number(offset)), int(to_number(length))
    if start < 0:
        start = max(len(text) + start, 0)
    if start > len(text):
        raise EvalError("substr(): offset is beyond the end of the string")
    return text[start:] if count < 0 else text[start : start + count]


@function("startswith")
def startswith(value: Any, prefix: Any) -> bool:
    return _text(value).startswith(_text(prefix))


@function("endswith")
def endswith(value: Any, suffix: Any) -> bool:
    return _text(value).endswith(_text(suffix))


@function("strcontains")
def strcontains(value: Any, part: Any) -> bool:
    return _text(part) in _text(value)


@function("split")
def split(separator: Any, value: Any) -> list[str]:
    separator, text = _text(separator), _text(value)
    if text == "":
        return [""]
    return text.split(separator) if separator else list(text)


@function("join", strict=False)
def join(separator: Any, *lists: Any) -> Any:
    if is_unknown(separator):
        return derived_unknown(separator)
    if not lists:
        raise EvalError("join() needs at least one list")
    pieces: list[Any] = []
    for items in lists:
        if is_unknown(items):
            return derived_unknown(items)
        if not isinstance(items, list):
            raise EvalError("join(): arguments after the separator must be lists")
        for item in items:
            if pieces:
                pieces.append(_text(separator))
            if item is None:
                raise EvalError("join(): a list element is null")
            pieces.append(to_string(item))
    return PartialStr.join(pieces)


# --- regular expressions -------------------------------------------------------------
# Terraform's regex(), regexall() and replace() use Go's RE2 syntax; the RE2 engine matches in
# time linear in the input, so a backtracking pattern such as ``(a|aa)+$`` cannot stall a run.


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # the error becomes the EvalError below, not a line on stderr
    return options


_RE2_OPTIONS = _re2_options()


def _error_text(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else exc
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)


def _compile(pattern: str):
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        raise EvalError(f"invalid regular expression {pattern!r}: {_error_text(exc)}") from None


def _match_value(match, compiled) -> Any:
    if compiled.groupindex:
        return {name: match.group(name) for name in compiled.groupindex}
    if compiled.groups:
        return [group for group in match.groups()]
    return match.group(0)


@function("regex")
def regex_(pattern: Any, value: Any) -> Any:
    compiled = _compile(_text(pattern))
    match = compiled.search(_text(value))
    if match is None:
        raise EvalError("regex(): pattern did not match")
    return _match_value(match, compiled)


@function("regexall")
def regexall(pattern: Any, value: Any) -> list[Any]:
    compiled = _compile(_text(pattern))
    return [_match_value(match, compiled) for match in compiled.finditer(_text(value))]


def _go_replacement(template: str) -> str:
    """Go's ``$1`` / ``${name}`` replacement syntax in Python's ``\\g<...>`` form."""
    out, i = [], 0
    while i < len(template):
        char = template[i]
        if char == "\\":
            out.append("\\\\")
            i += 1
        elif char == "$" and i + 1 < len(template):
            if template[i + 1] == "$":
                out.append("$")
                i += 2
            elif template[i + 1] == "{":
                end = template.find("}", i)
                out.append(f"\\g<{template[i + 2 : end]}>")
                i = end + 1
            else:
                j = i + 1
                while j < len(template) and (template[j].isalnum() or template[j] == "_"):
                    j += 1
                out.append(f"\\g<{template[i + 1 : j]}>" if j > i + 1 else "$")
                i = j if j > i + 1 else i + 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


@function("replace")
def replace(value: Any, search: Any, replacement: Any) -> str:
    text, search, replacement = _text(value), _text(search), _text(replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        try:
            return _compile(search[1:-1]).sub(_go_replacement(replacement), text)
        except (re2.error, IndexError) as exc:
            raise EvalError(f"replace(): {_error_text(exc)}") from None
    return text.replace(search, replacement)


# --- format -------------------------------------------------------------------------


def _format_one(verb: str, flags: str, width: str, precision: str, value: Any) -> Any:
    if is_unknown(value):
        return value if isinstance(value, (Unknown, PartialStr)) else derived_unknown(value)
    if verb in ("s", "v") and not flags.count("#"):
        if isinstance(value, (list, dict)):
            text = json.dumps(value, separators=(",", ":"))
        elif value is None:
            text = "null"
        else:
            text = to_string(value)
        if precision:
            text = text[: int(precision)]
    elif verb == "v":
        text = json.dumps(value, separators=(",", ":"))
    elif verb == "q":
        text = json.dumps(to_string(value))
    elif verb == "t":
        if not isinstance(value, bool):
            raise EvalError("format(): %t needs a bool")
        text = "true" if value else "false"
    elif verb in "dbxXo":
        number = to_number(value)
        if not isinstance(number, int):
            raise EvalError(f"format(): %{verb} needs a whole number")
        spec = {"d": "d", "b": "b", "x": "x", "X": "X", "o": "o"}[verb]
        text = format(number, ("+" if "+" in flags else "") + spec)
    elif verb in "eEfgG":
        number = float(to_number(value))
        text = format(
            number,
            ("+" if "+" in flags else "") + (f".{precision}" if precision else ".6" if verb in "eEf" else "") + verb,
        )
        if verb in "gG" and not precision:
            text = format_number(number)
    else:
        raise EvalError(f"format(): unsupported verb %{verb}")
    if width:
        size = int(width)
        if "-" in flags:
            text = text.ljust(size)
        elif "0" in flags and verb not in "sqvt":
            sign = text[0] if text[:1] in "+-" else ""
            text = sign + text[len(sign) :].rjust(size - len(sign), "0")
        else:
            text = text.rjust(size)
    return text


def format_string(template: str, args: list[Any]) -> Any:
    pieces: list[Any] = []
    i, next_arg = 0, 0
    while i < len(template):
        char = template[i]
        if char != "%":
            j = template.find("%", i)
            j = len(template) if j < 0 else j
            pieces.append(template[i:j])
            i = j
            continue
        if template.startswith("%%", i):
            pieces.append("%")
            i += 2
            continue
        i += 1
        flags = ""
        while i < len(template) and template[i] in "+-# 0":
            flags += template[i]
            i += 1
        if i < len(template) and template[i] == "[":
            end = template.index("]", i)
            next_arg = int(template[i + 1 : end]) - 1
            i = end + 1
        width = ""
        while i < len(template) and template[i].isdigit():
            width += template[i]
            i += 1
        precision = ""
        if i < len(template) and template[i] == ".":
            i += 1
            while i < len(template) and template[i].isdigit():
                precision += template[i]
                i += 1
        if i >= len(template):
            raise EvalError("format(): incomplete format verb")
        verb = template[i]
        i += 1
        if next_arg >= len(args):
            raise EvalError("format(): not enough arguments for the format string")
        if width:
            string_budget(int(width), f"the width of %{width}{verb} in format()")
        if precision:
            string_budget(int(precision), f"the precision of %.{precision}{verb} in format()")
        pieces.append(_format_one(verb, flags, width, precision, args[next_arg]))
        next_arg += 1
    return PartialStr.join(pieces)


@function("format", strict=False)
def format_(template: Any, *args: Any) -> Any:
    if is_unknown(template):
        return derived_unknown(template)
    return format_string(_text(template, "format string"), list(args))


@function("formatlist", strict=False)
def formatlist(template: Any, *args: Any) -> Any:
    if is_unknown(template):
        return derived_unknown(template)
    lengths = {len(arg) for arg in args if isinstance(arg, list)}
    unknown_list = next((arg for arg in args if is_unknown(arg)), None)
    if unknown_list is not None:
        return derived_unknown(unknown_list)
    if len(lengths) > 1:
        raise EvalError("formatlist(): all list arguments must have the same length")
    if not lengths:
        return [format_string(_text(template), list(args))]
    count = lengths.pop()
    return [
        format_string(_text(template), [arg[i] if isinstance(arg, list) else arg for arg in args]) for i in range(count)
    ]
