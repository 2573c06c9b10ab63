"""A module directory's declarations: variables, locals, outputs, resources, data, module calls.

Built once per directory from its ``.tf`` and ``.tf.json`` files (parse results are
cached), and shared by every instance of the module.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from lark import Token, Tree

from analyzer import boundary
from analyzer.contentcache import Bounded, digest
from analyzer.diagnostics import PARSE_ERROR, Diagnostic
from analyzer.location import Location
from analyzer.terraform import reads
from analyzer.terraform.errors import EvalError
from analyzer.terraform.files import display_path
from analyzer.terraform.parsing import parse_hcl_file, parse_hcl_text, read_text
from analyzer.terraform.syntax import Attribute, Block, Body, file_body, json_file_body, unwrap

# Arguments of resource and data blocks that are not attributes of the instance.
META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"})
# Arguments of module blocks that are not inputs of the module.
MODULE_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "depends_on", "providers"})
RESOURCE_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection", "precondition", "postcondition"})


@dataclass
class VariableDecl:
    name: str
    location: Location
    default: Attribute | None = None
    type_expr: Tree | None = None
    nullable: bool = True
    constraint: object = None  # parsed type constraint, cached on first use


@dataclass
class ResourceDecl:
    mode: str  # "resource" | "data"
    type: str
    name: str
    block: Block

    @property
    def key(self) -> str:
        return f"{self.type}.{self.name}" if self.mode == "resource" else f"data.{self.type}.{self.name}"

    @property
    def count(self) -> Attribute | None:
        return self.block.body.attributes.get("count")

    @property
    def for_each(self) -> Attribute | None:
        return self.block.body.attributes.get("for_each")


@dataclass
class ModuleCall:
    name: str
    block: Block
    source: str | None  # None when the source is not a literal string
    version: str | None = None  # the version constraint, when a literal string

    @property
    def count(self) -> Attribute | None:
        return self.block.body.attributes.get("count")

    @property
    def for_each(self) -> Attribute | None:
        return self.block.body.attributes.get("for_each")

    def inputs(self) -> dict[str, Attribute]:
        return {name: attr for name, attr in self.block.body.attributes.items() if name not in MODULE_META_ARGUMENTS}


@dataclass
class ModuleDefinition:
    directory: Path
    variables: dict[str, VariableDecl] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    outputs: dict[str, Attribute | None] = field(default_factory=dict)
    resources: dict[str, ResourceDecl] = field(default_factory=dict)  # by key, in source order
    module_calls: dict[str, ModuleCall] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @functools.cached_property
    def resource_types(self) -> frozenset[str]:
        return frozenset(decl.type for decl in self.resources.values() if decl.mode == "resource")

    @functools.cached_property
    def data_types(self) -> frozenset[str]:
        return frozenset(decl.type for decl in self.resources.values() if decl.mode == "data")


def terraform_files(directory: Path) -> list[Path]:
    """The directory's ``.tf`` and ``.tf.json`` files, listed through the repository boundary.

    A link leading out of the repository and a FIFO or device are listed too: reading them is
    refused, and that refusal is the finding that says the file was not read."""
    return [p for p in reads.files_in(directory) if p.name.endswith(".tf") or p.name.endswith(".tf.json")]


def listing_error(directory: Path) -> str | None:
    """Why ``directory`` cannot be listed (``Permission denied``), or None when it can. A folder
    that cannot be listed is not cached: the answer to listing it, no files, would be the same
    once it can be listed and is empty."""
    try:
        boundary.list_dir(directory)
        return None
    except OSError as exc:
        reads.not_cacheable()
        return exc.strerror or str(exc)


# By directory, display root and the content digest of every file: an edit that keeps size
# and mtime is still seen. Bounded, for long-lived processes.
_DEFINITIONS: Bounded[ModuleDefinition] = Bounded(limit=1024)


def load_module_definition(directory: Path, display_root: Path) -> ModuleDefinition:
    """Declarations of the module in ``directory`` (cached while its files' contents are unchanged)."""
    files = terraform_files(directory)
    signature = tuple((str(p), _content_digest(p)) for p in files)
    key = (str(directory.resolve()), str(display_root.resolve()), signature)
    return _DEFINITIONS.get_or_make(key, lambda: _build_definition(directory, files, display_root))


def _content_digest(path: Path) -> str:
    try:
        data = reads.read_limited(path)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    return f"large:{data}" if isinstance(data, int) else digest(data)


def _build_definition(directory: Path, files: list[Path], display_root: Path) -> ModuleDefinition:
    definition = ModuleDefinition(directory, files=files)
    for path in files:
        display = display_path(path, display_root)
        body = _file_body(path, display, definition.diagnostics)
        if body is not None:
            _collect(definition, body)
    return definition


def _file_body(path: Path, display: str, diagnostics: list[Diagnostic]) -> Body | None:
    if path.name.endswith(".tf.json"):
        text, problems = read_text(path, display)
        diagnostics.extend(problems)
        if text is None:
            return None
        tree, problems = parse_hcl_text(_JSON_PREFIX + text, display)
        diagnostics.extend(_unshift_first_line(problems))
        if tree is None:
            return None
        try:
            return json_file_body(tree, display)
        except EvalError as exc:
            diagnostics.append(Diagnostic(PARSE_ERROR, f"invalid Terraform JSON: {exc}", Location(display), "error"))
            return None
    tree, problems = parse_hcl_file(path, display)
    diagnostics.extend(problems)
    return file_body(tree, display) if tree is not None else None


_JSON_PREFIX = "__expression__ = "  # JSON is parsed as the value of one attribute


def _unshift_first_line(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Columns on line 1 of a JSON file are shifted by the prefix the parser saw."""
    out = []
    for d in diagnostics:
        if d.location.line == 1 and d.location.column > len(_JSON_PREFIX):
            location = Location(d.location.path, 1, d.location.column - len(_JSON_PREFIX))
            d = Diagnostic(d.code, d.message, location, d.severity, d.fix)
        out.append(d)
    return out


def _collect(definition: ModuleDefinition, body: Body) -> None:
    for block in body.blocks:
        handler = _COLLECTORS.get(block.type)
        if handler is not None:
            handler(definition, block)


def _collect_variable(definition: ModuleDefinition, block: Block) -> None:
    if not block.labels:
        return
    attributes = block.body.attributes
    nullable = True
    if "nullable" in attributes:
        nullable = _literal_bool(attributes["nullable"].expr, default=True)
    definition.variables[block.labels[0]] = VariableDecl(
        block.labels[0],
        block.location,
        attributes.get("default"),
        attributes["type"].expr if "type" in attributes else None,
        nullable,
    )


def _literal_bool(expr: Tree, default: bool) -> bool:
    node = unwrap(expr)
    if node.data == "literal_value":
        return str(node.children[0]) == "true"
    return default


def _collect_locals(definition: ModuleDefinition, block: Block) -> None:
    definition.locals.update(block.body.attributes)


def _collect_output(definition: ModuleDefinition, block: Block) -> None:
    if block.labels:
        definition.outputs[block.labels[0]] = block.body.attributes.get("value")


def _collect_resource(definition: ModuleDefinition, block: Block) -> None:
    if len(block.labels) >= 2:
        decl = ResourceDecl("resource" if block.type == "resource" else "data", block.labels[0], block.labels[1], block)
        definition.resources[decl.key] = decl


def _collect_module(definition: ModuleDefinition, block: Block) -> None:
    if not block.labels:
        return
    source_attribute = block.body.attributes.get("source")
    definition.module_calls[block.labels[0]] = ModuleCall(
        block.labels[0], block, _literal_string(source_attribute), _literal_string(block.body.attributes.get("version"))
    )


def _literal_string(attribute: Attribute | None) -> str | None:
    if attribute is None:
        return None
    node = unwrap(attribute.expr)
    if node.data != "string":
        return None
    parts = [p for p in node.children if isinstance(p, Tree)]
    if not all(isinstance(p.children[0], Token) and p.children[0].type == "STRING_CHARS" for p in parts):
        return None
    return "".join(str(p.children[0]) for p in parts)


_COLLECTORS = {
    "variable": _collect_variable,
    "locals": _collect_locals,
    "output": _collect_output,
    "resource": _collect_resource,
    "data": _collect_resource,
    "module": _collect_module,
}


def is_local_source(source: str | None) -> bool:
    return source is not None and (source.startswith(("./", "../")) or source in (".", ".."))


def local_module_dirs(definition: ModuleDefinition) -> list[Path]:
    """Directories this module calls through local sources (``./x``, ``../..``)."""
    return [
        reads.resolve(definition.directory / call.source)
        for call in definition.module_calls.values()
        if is_local_source(call.source)
    ]
