"""Filesystem and path functions. Every read goes through the scope's confined FileAccess."""

from __future__ import annotations

import base64
import hashlib
import posixpath
from pathlib import Path
from typing import Any

from analyzer.terraform import reads
from analyzer.terraform.convert import to_string
from analyzer.terraform.errors import EvalError
from analyzer.terraform.functions.registry import Call, function
from analyzer.terraform.lazy import shallow_dict
from analyzer.terraform.operations import derived_unknown
from analyzer.terraform.templates import parse_template_text
from analyzer.values import Unknown, is_unknown


def _files(call: Call) -> Any:
    files = getattr(call.scope.context, "files", None)
    if files is None:
        raise EvalError(f"{call.name}(): files cannot be read in this context")
    return files


def _path(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise EvalError(f"{name}(): the path must be a string")
    return value


@function("file", needs_call=True)
def file(call: Call, path: Any) -> Any:
    return _files(call).read_text(_path(path, "file"), call.location, "file")


@function("filebase64", needs_call=True)
def filebase64(call: Call, path: Any) -> Any:
    data = _files(call).read_bytes(_path(path, "filebase64"), call.location, "filebase64")
    return data if isinstance(data, Unknown) else base64.b64encode(data).decode()


@function("fileexists", needs_call=True)
def fileexists(call: Call, path: Any) -> Any:
    return _files(call).exists(_path(path, "fileexists"), call.location, "fileexists")


def _file_digest(algorithm: str, encode_base64: bool):
    def digest(call: Call, path: Any) -> Any:
        data = _files(call).read_bytes(_path(path, call.name), call.location, call.name)
        if isinstance(data, Unknown):
            return data
        hashed = hashlib.new(algorithm, data)
        return base64.b64encode(hashed.digest()).decode() if encode_base64 else hashed.hexdigest()

    return digest


for _name, _algorithm, _b64 in (
    ("filemd5", "md5", False),
    ("filesha1", "sha1", False),
    ("filesha256", "sha256", False),
    ("filesha512", "sha512", False),
    ("filebase64sha256", "sha256", True),
    ("filebase64sha512", "sha512", True),
):
    function(_name, needs_call=True)(_file_digest(_algorithm, _b64))


@function("templatefile", strict=False, needs_call=True)
def templatefile(call: Call, path: Any, variables: Any) -> Any:
    if is_unknown(path):
        return derived_unknown(path)
    files = _files(call)
    text = files.read_text(_path(path, "templatefile"), call.location, "templatefile")
    if isinstance(text, Unknown):
        return text
    if is_unknown(variables):
        return derived_unknown(variables)
    bindings = shallow_dict(variables)
    if not isinstance(bindings, dict):
        raise EvalError("templatefile(): the variables must be a map or object")
    from analyzer.terraform.expressions import IsolatedContext, Scope, render_template

    display = files.display_of(path)
    nodes = parse_template_text(text, display, 1)
    scope = Scope(IsolatedContext(files, call.scope.context.report), dict(bindings), display)
    return render_template(nodes, scope)


@function("fileset", needs_call=True)
def fileset(call: Call, path: Any, pattern: Any) -> Any:
    files = _files(call)
    base = files.resolve(_path(path, "fileset"), call.location, "fileset")
    if isinstance(base, Unknown):
        return base
    if not reads.is_dir(base):
        return []
    matches = files.glob(base, to_string(pattern), call.location, FILESET_MAX_MATCHES)
    if isinstance(matches, Unknown):
        return matches
    return sorted(posixpath.relpath(m.as_posix(), base.as_posix()) for m in matches)


FILESET_MAX_MATCHES = 1000


@function("basename")
def basename(path: Any) -> str:
    return posixpath.basename(_path(path, "basename").rstrip("/")) or "/"


@function("dirname")
def dirname(path: Any) -> str:
    return posixpath.dirname(_path(path, "dirname").rstrip("/")) or "."


@function("abspath", needs_call=True)
def abspath(call: Call, path: Any) -> str:
    raw = Path(_path(path, "abspath"))
    return (raw if raw.is_absolute() else _files(call).cwd / raw).absolute().as_posix()


@function("pathexpand", strict=False)
def pathexpand(path: Any) -> Any:
    if is_unknown(path):
        return derived_unknown(path)
    if _path(path, "pathexpand").startswith("~"):
        return Unknown("pathexpand() depends on the home directory of whoever runs Terraform")
    return path
