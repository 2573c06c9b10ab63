"""Encoding and hashing functions: base64, gzip, JSON, YAML, CSV, URL, digests.

Encoding a value with unknown parts never throws the known parts away: base64 becomes
``Encoded``, JSON/YAML become a PartialStr whose holes are the unknowns, and decoding a
PartialStr parses around marker strings that are then turned back into the holes.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime
import gzip
import hashlib
import io
import json
import re
import urllib.parse
import uuid
from typing import Any

import yaml

from analyzer import jsonsafe
from analyzer.terraform.budgets import MAX_YAML_NODES, OverBudget
from analyzer.terraform.convert import normalize_number, to_string
from analyzer.terraform.errors import EvalError
from analyzer.terraform.functions.registry import function
from analyzer.terraform.operations import derived_unknown
from analyzer.values import Encoded, HoleKey, PartialStr, Unknown, is_unknown, key_value, restore_markers


def _text(value: Any, name: str) -> str:
    if not isinstance(value, (str, int, float, bool)):
        raise EvalError(f"{name}(): expected a string")
    return to_string(value)


# --- base64 and gzip ----------------------------------------------------------------


@function("base64encode", strict=False)
def base64encode(value: Any) -> Any:
    if is_unknown(value):
        return Encoded("base64", value)
    return base64.b64encode(_utf8(_text(value, "base64encode"))).decode()


@function("base64gzip", strict=False)
def base64gzip(value: Any) -> Any:
    if is_unknown(value):
        return Encoded("base64gzip", value)
    return base64.b64encode(gzip.compress(_utf8(_text(value, "base64gzip")), mtime=0)).decode()


@function("base64decode", strict=False)
def base64decode(value: Any) -> Any:
    if isinstance(value, Encoded) and value.encoding == "base64":
        return value.inner
    if is_unknown(value):
        return derived_unknown(value)
    try:
        data = base64.b64decode(_text(value, "base64decode"), validate=True)
    except (binascii.Error, ValueError):
        raise EvalError("base64decode(): the string is not valid base64") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise EvalError("base64decode(): the decoded bytes are not UTF-8") from None


@function("textencodebase64")
def textencodebase64(value: Any, encoding: Any) -> str:
    try:
        return base64.b64encode(_text(value, "textencodebase64").encode(_text(encoding, "textencodebase64"))).decode()
    except LookupError:
        raise EvalError(f"textencodebase64(): unknown encoding {encoding!r}") from None


@function("textdecodebase64")
def textdecodebase64(value: Any, encoding: Any) -> str:
    try:
        return base64.b64decode(_text(value, "textdecodebase64")).decode(_text(encoding, "textdecodebase64"))
    except (LookupError, binascii.Error, UnicodeDecodeError):
        raise EvalError("textdecodebase64(): cannot decode") from None


# --- JSON ---------------------------------------------------------------------------


class _Holes:
    """Replaces unknowns by marker strings before serialising, and back afterwards."""

    def __init__(self) -> None:
        self.table: dict[str, Unknown] = {}

    def mark(self, value: Any, depth: int = 0) -> Any:
        if depth > 64:
            raise EvalError("value nested too deeply to encode")
        if isinstance(value, Unknown):
            return self._marker(value)
        if isinstance(value, Encoded):
            return self._marker(Unknown(value.reason))
        if isinstance(value, PartialStr):
            return "".join(p if isinstance(p, str) else self._marker(p) for p in value.parts)
        if isinstance(value, dict):
            return {
                self.mark(key_value(k), depth + 1) if isinstance(k, HoleKey) else str(k): self.mark(v, depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.mark(v, depth + 1) for v in value]
        return value

    def _marker(self, hole: Unknown) -> str:
        marker = f"__EKSJOIN_HOLE_{len(self.table)}__"
        self.table[marker] = hole
        return marker

    def restore(self, text: str) -> Any:
        if not self.table:
            return text
        return restore_markers(text, self.table)


_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_text(value: Any) -> str:
    """Terraform's ``jsonencode`` text: compact, keys sorted, HTML-sensitive characters escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False)
    for char, escape in _HTML_ESCAPES.items():
        text = text.replace(char, escape)
    return text


@function("jsonencode", strict=False)
def jsonencode(value: Any) -> Any:
    if isinstance(value, (Unknown, Encoded)):
        return derived_unknown(value)
    holes = _Holes()
    try:
        text = json_text(holes.mark(value))
    except (TypeError, ValueError) as exc:
        raise EvalError(f"jsonencode(): {exc}") from None
    return holes.restore(text)


def normalize_decoded(value: Any, depth: int = 0) -> Any:
    if depth > jsonsafe.MAX_DEPTH:
        raise EvalError(
            f"a decoded value nested more than {jsonsafe.MAX_DEPTH} levels deep, over the limit eksjoin reads"
        )
    if isinstance(value, str):
        return valid_unicode(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return normalize_number(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {str(normalize_decoded(k, depth + 1)): normalize_decoded(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [normalize_decoded(v, depth + 1) for v in value]
    return str(value)


def _decode_partial(value: PartialStr, parse) -> Any:
    text, table = value.with_markers()
    try:
        decoded = parse(text)
    except (ValueError, RecursionError, yaml.YAMLError):  # markers outside string positions make the text unparseable
        return derived_unknown(value)
    return restore_markers(normalize_decoded(decoded), table)


def _json_parse(text: str) -> Any:
    try:
        return jsonsafe.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    except jsonsafe.TooDeep as exc:
        raise OverBudget(f"jsondecode(): {exc}") from None


@function("jsondecode", strict=False)
def jsondecode(value: Any) -> Any:
    if isinstance(value, PartialStr):
        return _decode_partial(value, _json_parse)
    if is_unknown(value):
        return derived_unknown(value)
    try:
        return normalize_decoded(_json_parse(_text(value, "jsondecode")))
    except (ValueError, RecursionError) as exc:
        raise EvalError(f"jsondecode(): invalid JSON: {exc}") from None


# --- YAML ---------------------------------------------------------------------------


class _YamlDumper(yaml.SafeDumper):
    """Block style with Terraform-like quoting of multi-line strings."""


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_YamlDumper.add_representer(str, _represent_str)


def yaml_text(value: Any) -> str:
    return yaml.dump(
        value, Dumper=_YamlDumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=float("inf")
    )


@function("yamlencode", strict=False)
def yamlencode(value: Any) -> Any:
    if isinstance(value, (Unknown, Encoded)):
        return derived_unknown(value)
    holes = _Holes()
    return holes.restore(yaml_text(holes.mark(value)))


def _yaml_parse(text: str) -> Any:
    """The one document of ``text``. Aliases share nodes while composing, so a document of a
    few lines can stand for billions of values ("billion laughs"): its size with every alias
    expanded is counted over the composed nodes before anything is built."""
    loader = yaml.SafeLoader(text)
    try:
        documents = []
        while loader.check_node():
            node = loader.get_node()
            _yaml_budget(node)
            documents.append(loader.construct_document(node))
    finally:
        loader.dispose()
    if len(documents) > 1:
        raise EvalError("yamldecode(): the string holds more than one YAML document")
    return documents[0] if documents else None


def _yaml_budget(root: yaml.Node) -> None:
    expanded: dict[int, int] = {}  # id(node) -> values with every alias expanded (capped)
    composing: set[int] = set()
    cap = MAX_YAML_NODES + 1

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in expanded:
            return expanded[key]
        if key in composing:
            raise EvalError("yamldecode(): a YAML alias refers to a node that contains it")
        composing.add(key)
        total = 1
        children = node.value if isinstance(node, yaml.SequenceNode) else ()
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        for child in children:
            total = min(total + size(child), cap)
        composing.discard(key)
        expanded[key] = total
        return total

    if size(root) <= MAX_YAML_NODES:
        return
    if len(expanded) > MAX_YAML_NODES:
        raise OverBudget(
            f"yamldecode(): the YAML document holds more than {MAX_YAML_NODES:,} values, over the limit of "
            f"{MAX_YAML_NODES:,} values eksjoin decodes"
        )
    raise OverBudget(
        f"yamldecode(): YAML aliases expand {len(expanded):,} written values to more than {MAX_YAML_NODES:,}, "
        f"over the limit of {MAX_YAML_NODES:,} values eksjoin decodes"
    )


@function("yamldecode", strict=False)
def yamldecode(value: Any) -> Any:
    if isinstance(value, PartialStr):
        return _decode_partial(value, _yaml_parse)
    if is_unknown(value):
        return derived_unknown(value)
    try:
        return normalize_decoded(_yaml_parse(_text(value, "yamldecode")))
    except yaml.YAMLError as exc:
        raise EvalError(f"yamldecode(): invalid YAML: {str(exc).splitlines()[0]}") from None


# --- CSV and URL ----------------------------------------------------------------------


@function("csvdecode")
def csvdecode(value: Any) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(_text(value, "csvdecode"))))
    if not rows:
        return []
    header = rows[0]
    for row in rows[1:]:
        if len(row) != len(header):
            raise EvalError("csvdecode(): a row has the wrong number of fields")
    return [dict(zip(header, row)) for row in rows[1:]]


@function("urlencode")
def urlencode(value: Any) -> str:
    return urllib.parse.quote(_utf8(_text(value, "urlencode")), safe="")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with each lone UTF-16 surrogate (``jsondecode("\\"\\\\ud800\\"")``) replaced by
    U+FFFD, as Go's decoders do: a Terraform string is always valid Unicode."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _utf8(text: str) -> bytes:
    return valid_unicode(text).encode("utf-8")


# --- hashes -------------------------------------------------------------------------


def _digest(name: str):
    def digest(value: Any) -> str:
        return hashlib.new(name, _utf8(_text(value, name))).hexdigest()

    return digest


for _name in ("md5", "sha1", "sha256", "sha512"):
    function(_name)(_digest(_name))


@function("base64sha256")
def base64sha256(value: Any) -> str:
    return base64.b64encode(hashlib.sha256(_utf8(_text(value, "base64sha256"))).digest()).decode()


@function("base64sha512")
def base64sha512(value: Any) -> str:
    return base64.b64encode(hashlib.sha512(_utf8(_text(value, "base64sha512"))).digest()).decode()


@function("uuidv5")
def uuidv5(namespace: Any, name: Any) -> str:
    namespaces = {
        "dns": uuid.NAMESPACE_DNS,
        "url": uuid.NAMESPACE_URL,
        "oid": uuid.NAMESPACE_OID,
        "x500": uuid.NAMESPACE_X500,
    }
    key = _text(namespace, "uuidv5")
    try:
        space = namespaces.get(key) or uuid.UUID(key)
    except ValueError:
        raise EvalError("uuidv5(): invalid namespace") from None
    return str(uuid.uuid5(space, _text(name, "uuidv5")))


def _not_static(name: str, why: str):
    def impl(*args: Any) -> Unknown:
        return Unknown(f"{name}() {why}")

    return impl


for _name, _why in (
    ("uuid", "is random at apply time"),
    ("timestamp", "is the time of apply"),
    ("plantimestamp", "is the time of plan"),
    ("bcrypt", "is salted at random"),
):
    function(_name, strict=False)(_not_static(_name, _why))
