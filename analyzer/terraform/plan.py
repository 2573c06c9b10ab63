"""Terraform plan JSON (``terraform show -json plan.out``) as an input of its own.

Planned values are exact: they become TfBlock attributes as they are, and attributes the plan
marks as known only after apply (``after_unknown``) become Refs to the instance. When the
HCL of the same configuration is available, every block and attribute is located at the
line that declares it, found through the module calls from the root.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer import boundary, jsonsafe, shapes
from analyzer.diagnostics import PARSE_ERROR, UNREADABLE, Diagnostic
from analyzer.discovery import MAX_FILE_BYTES
from analyzer.location import Location
from analyzer.terraform.collect import literal_locations
from analyzer.terraform.files import display_path
from analyzer.terraform.functions.encoding import normalize_decoded
from analyzer.terraform.lazy import make_ref
from analyzer.terraform.module import (
    META_ARGUMENTS,
    RESOURCE_META_BLOCKS,
    ModuleDefinition,
    ResourceDecl,
    load_module_definition,
)
from analyzer.terraform.sources import read_modules_manifest, resolve_source
from analyzer.terraform.syntax import Body
from analyzer.terraform.types import TfBlock, TfConfiguration
from analyzer.values import Ref

# A plan is read like every JSON file (discovery reads it first with this limit); decoded, JSON
# takes several times its size in memory.
MAX_PLAN_BYTES = MAX_FILE_BYTES


def load_plan(path: Path, *, scan_root: Path, hcl_dirs: Sequence[Path] = ()) -> TfConfiguration:
    """Blocks from a plan JSON file; located in the HCL of ``hcl_dirs`` when it matches."""
    path = Path(path)
    display = display_path(path, scan_root)
    configuration = TfConfiguration(root=path)
    plan, problems = _read_plan(path, display)
    configuration.diagnostics.extend(problems)
    if plan is None:
        return configuration
    unknown_paths = _after_unknown_by_address(plan)
    references = _configured_references(plan)
    resources = list(_planned_resources(plan))
    locator = _HclLocator.for_plan(resources, [Path(d) for d in hcl_dirs], scan_root)
    planned = {str(resource.get("address")) for _, resource in resources}
    for module_address, resource in resources:
        block = _block_from_plan(module_address, resource, unknown_paths, display)
        if block is not None:
            _link_after_apply_values(block, references, planned)
            if locator is not None:
                locator.locate(block)
            configuration.blocks.append(block)
    if locator is not None:
        configuration.diagnostics.extend(locator.diagnostics)
    return configuration


def _read_plan(path: Path, display: str) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    try:
        plan = jsonsafe.loads(boundary.read_bytes(path, MAX_PLAN_BYTES).decode("utf-8"))
    except boundary.TooLarge:
        return None, [Diagnostic(PARSE_ERROR, f"{display} is too large to read as a plan", Location(display))]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic(PARSE_ERROR, f"cannot read {display}: {exc}", Location(display), "error")]
    except json.JSONDecodeError as exc:
        return None, [
            Diagnostic(PARSE_ERROR, f"invalid JSON: {exc.msg}", Location(display, exc.lineno, exc.colno), "error")
        ]
    except jsonsafe.TooDeep:
        message = (
            f"{display} is JSON nested more than {jsonsafe.MAX_DEPTH} levels deep, over the limit eksjoin reads; "
            "the plan was not analysed"
        )
        return None, [Diagnostic(UNREADABLE, message, Location(display), "error")]
    if not isinstance(plan, dict) or "planned_values" not in plan:
        return None, [
            Diagnostic(
                PARSE_ERROR,
                "not a Terraform plan: no planned_values (expected the output of `terraform show -json`)",
                Location(display),
                "error",
            )
        ]
    return shapes.check_types(plan, _plan_validator(), lambda path: Location(display))


# What the loader reads of a plan (Terraform's JSON output format): each part of the
# wrong type is a finding and is left out; a resource in it of the wrong shape is not read.
_RESOURCE = {
    "type": "object",
    "properties": {
        "address": {"type": "string"},
        "mode": {"type": "string"},
        "type": {"type": "string"},
        "name": {"type": "string"},
        "values": {"type": ["object", "null"]},
    },
}
_MODULE = {
    "type": ["object", "null"],
    "properties": {
        "address": {"type": "string"},
        "resources": {"type": ["array", "null"], "items": _RESOURCE},
        "child_modules": {"type": ["array", "null"], "items": {"$ref": "#/$defs/module"}},
    },
}
_CONFIGURED_MODULE = {
    "type": ["object", "null"],
    "properties": {
        "resources": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {"address": {"type": "string"}, "expressions": {"type": ["object", "null"]}},
            },
        },
        "module_calls": {
            "type": ["object", "null"],
            "additionalProperties": {
                "type": "object",
                "properties": {"module": {"$ref": "#/$defs/configured_module"}},
            },
        },
    },
}
PLAN_SCHEMA = {
    "type": "object",
    "$defs": {"module": _MODULE, "configured_module": _CONFIGURED_MODULE},
    "properties": {
        "planned_values": {"type": ["object", "null"], "properties": {"root_module": {"$ref": "#/$defs/module"}}},
        "prior_state": {
            "type": ["object", "null"],
            "properties": {
                "values": {"type": ["object", "null"], "properties": {"root_module": {"$ref": "#/$defs/module"}}}
            },
        },
        "resource_changes": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {
                    "address": {"type": "string"},
                    "change": {
                        "type": ["object", "null"],
                        "properties": {"after_unknown": {"type": ["object", "null"]}},
                    },
                },
            },
        },
        "configuration": {
            "type": ["object", "null"],
            "properties": {"root_module": {"$ref": "#/$defs/configured_module"}},
        },
    },
}


@lru_cache(maxsize=1)
def _plan_validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(PLAN_SCHEMA)


def _planned_resources(plan: dict[str, Any]):
    """(module address, resource) pairs from planned_values, plus data sources read during plan."""
    seen: set[str] = set()
    root = (plan.get("planned_values") or {}).get("root_module") or {}
    for module_address, resource in _walk_module(root, ""):
        seen.add(resource.get("address", ""))
        yield module_address, resource
    prior = ((plan.get("prior_state") or {}).get("values") or {}).get("root_module") or {}
    for module_address, resource in _walk_module(prior, ""):
        if resource.get("mode") == "data" and resource.get("address") not in seen:
            yield module_address, resource


def _walk_module(module: dict[str, Any], address: str):
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield module.get("address", address) or "", resource
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _walk_module(child, child.get("address", ""))


def _after_unknown_by_address(plan: dict[str, Any]) -> dict[str, Any]:
    table = {}
    for change in plan.get("resource_changes") or []:
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            table[change.get("address", "")] = change["change"].get("after_unknown") or {}
    return table


def _configured_references(plan: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    """(module path without instance keys, resource) -> attribute -> the module-relative
    resource attribute its expression references, from the plan's ``configuration``.

    An after-apply value written as ``aws_iam_role.cluster.arn`` then becomes a reference
    to that role rather than an opaque value: plans link as the HCL does."""
    table: dict[tuple[str, str], dict[str, str]] = {}
    root = (plan.get("configuration") or {}).get("root_module") or {}
    _collect_references(root, "", table)
    return table


def _collect_references(module: dict[str, Any], path: str, table: dict[tuple[str, str], dict[str, Any]]) -> None:
    for resource in module.get("resources") or []:
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            found: dict[str, Any] = {}
            _expression_references(resource.get("expressions") or {}, "", found)
            table[(path, resource["address"])] = found
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict):
            child = f"{path}.module.{name}" if path else f"module.{name}"
            _collect_references(call.get("module") or {}, child, table)


def _expression_references(expressions: Any, prefix: str, out: dict[str, Any]) -> None:
    """attribute path ("role_arn", "vpc_config.0.subnet_ids") -> the references its
    expression lists, nested blocks included."""
    if not isinstance(expressions, dict):
        return
    for name, expression in expressions.items():
        if isinstance(expression, dict) and isinstance(expression.get("references"), list):
            out[f"{prefix}{name}"] = [str(r) for r in expression["references"]]
        elif isinstance(expression, list):  # nested blocks
            for index, block in enumerate(expression):
                _expression_references(block, f"{prefix}{name}.{index}.", out)


_NOT_RESOURCES = {"var", "local", "module", "data", "each", "count", "path", "self", "terraform"}


def _resource_attribute_reference(references: list[str]) -> str | None:
    """``aws_iam_role.cluster.arn`` from ["aws_iam_role.cluster.arn", "aws_iam_role.cluster"]."""
    for reference in references:
        parts = str(reference).split(".")
        if parts[0] not in _NOT_RESOURCES and len(parts) >= 3:
            return str(reference)
    return None


def _strip_instance_keys(module_address: str) -> str:
    """module.a["x"].module.b[0] -> module.a.module.b (configuration is per module call)."""
    return ".".join(part.split("[", 1)[0] for part in module_address.split(".")) if module_address else ""


def _link_after_apply_values(
    block: TfBlock, references: dict[tuple[str, str], dict[str, str]], planned: set[str]
) -> None:
    """Replace an after-apply Ref to the block itself by a Ref to the resource its
    expression names, resolved to that resource's planned instance address."""
    kind = f"{'data.' if block.mode == 'data' else ''}{block.type}.{block.name}"
    links = references.get((_strip_instance_keys(block.module_path), kind), {})
    for path, refs in links.items():
        container, key = _slot(block.attributes, path)
        if container is None:
            continue
        value = container[key]
        if isinstance(value, Ref):
            target = _resource_attribute_reference(refs)
            if target is None:
                continue
            owner, _, attribute = target.rpartition(".")
            scoped = f"{block.module_path}.{owner}" if block.module_path else owner
            instance = next((a for a in (scoped, f"{scoped}[0]") if a in planned), None)
            if instance is not None:
                container[key] = _after_apply(instance, attribute)
        elif isinstance(value, list) and value and all(isinstance(v, Ref) and v.target == block.address for v in value):
            # a list of after-apply elements (``aws_subnet.private[*].id``): the instances its
            # references name, in Terraform's order, when they are as many as the elements
            instances = _referenced_instances(refs, block.module_path, planned)
            if len(instances) == len(value):
                container[key] = [_after_apply(instance, attribute) for instance, attribute in instances]


def _after_apply(instance: str, attribute: str) -> Ref:
    return Ref(f"{instance}.{attribute} is known only after apply", target=instance, attribute=attribute)


def _slot(attributes: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container and key of the value at a dotted path ("vpc_config.0.subnet_ids")."""
    container: Any = attributes
    parts = path.split(".")
    for part in parts[:-1]:
        container = container.get(part) if isinstance(container, dict) else _item(container, part)
        if container is None:
            return None, None
    last = parts[-1]
    if isinstance(container, dict) and last in container:
        return container, last
    return None, None


def _item(container: Any, part: str) -> Any:
    if isinstance(container, list) and part.isdigit() and int(part) < len(container):
        return container[int(part)]
    return None


_REFERENCE = re.compile(r"^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)(\[[^\]]*\])?(?:\.([A-Za-z0-9_.-]+))?$")


def _referenced_instances(refs: list[str], module_path: str, planned: set[str]) -> list[tuple[str, str]]:
    """(instance address, attribute) per resource instance the references name, in order:
    ``aws_subnet.a.id`` is one, ``aws_subnet.private[1].id`` one instance, and the bare
    ``aws_subnet.private`` of a splat every planned instance of it by index."""
    indexed: list[tuple[str, str, str]] = []  # (base, instance suffix, attribute)
    bases: list[str] = []
    for reference in refs:
        match = _REFERENCE.match(reference)
        if match is None or match.group(1) in _NOT_RESOURCES:
            continue
        base = f"{match.group(1)}.{match.group(2)}"
        if base not in bases:
            bases.append(base)
        if match.group(3) or match.group(4):
            entry = (base, match.group(3) or "", match.group(4) or "id")
            if not any(e[:2] == entry[:2] for e in indexed):
                indexed.append(entry)
    prefix = f"{module_path}." if module_path else ""
    found: list[tuple[str, str]] = []
    for base in bases:
        entries = [e for e in indexed if e[0] == base]
        if entries:
            found.extend((f"{prefix}{base}{suffix}", attribute) for _, suffix, attribute in entries)
            continue
        scoped = f"{prefix}{base}"
        instances = sorted((a for a in planned if a == scoped or a.startswith(scoped + "[")), key=_index_order)
        found.extend((instance, "id") for instance in instances)
    return [(instance, attribute) for instance, attribute in found if instance in planned]


def _index_order(address: str) -> tuple:
    key = address.rpartition("[")[2].rstrip("]").strip('"')
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def _block_from_plan(
    module_address: str, resource: dict[str, Any], unknown_paths: dict[str, Any], display: str
) -> TfBlock | None:
    address = resource.get("address")
    if not isinstance(address, str):
        return None
    mode = "data" if resource.get("mode") == "data" else "resource"
    values = normalize_decoded(resource.get("values") or {})
    attributes = _overlay_unknown(values, unknown_paths.get(address) or {}, address, "")
    return TfBlock(
        mode=mode,
        type=str(resource.get("type", "")),
        name=str(resource.get("name", "")),
        address=address,
        attributes=attributes if isinstance(attributes, dict) else {},
        location=Location(display),
        module_path=module_address,
        index=resource.get("index"),
    )


def _overlay_unknown(value: Any, unknown: Any, address: str, path: str) -> Any:
    """Put a Ref wherever the plan says the value is known only after apply."""
    if unknown is True:
        return make_ref(address, path)
    if isinstance(unknown, dict):
        base = dict(value) if isinstance(value, dict) else {}
        for key, marker in unknown.items():
            base[key] = _overlay_unknown(base.get(key), marker, address, f"{path}.{key}" if path else key)
        return base
    if isinstance(unknown, list):
        base_list = list(value) if isinstance(value, list) else []
        for index, marker in enumerate(unknown):
            item = base_list[index] if index < len(base_list) else None
            overlaid = _overlay_unknown(item, marker, address, f"{path}.{index}" if path else str(index))
            if index < len(base_list):
                base_list[index] = overlaid
            elif marker is not False:
                base_list.append(overlaid)
        return base_list
    return value


# --- HCL locations ----------------------------------------------------------------------


class _HclLocator:
    """Finds the HCL declaration of a planned resource, through the module call chain."""

    def __init__(self, root_dir: Path, scan_root: Path) -> None:
        self.root_dir = root_dir
        self.scan_root = scan_root
        self.manifest = read_modules_manifest(root_dir, scan_root)
        self.diagnostics: list[Diagnostic] = []
        self._modules: dict[tuple[str, ...], tuple[ModuleDefinition, tuple[tuple[str, Location], ...]] | None] = {}

    @classmethod
    def for_plan(cls, resources: list, hcl_dirs: list[Path], scan_root: Path) -> _HclLocator | None:
        """The HCL directory whose root module declares the most of the plan's root resources."""
        best, best_score = None, 0
        root_keys = {_declaration_key(r) for address, r in resources if not address}
        for directory in hcl_dirs:
            locator = cls(directory.resolve(), scan_root)
            definition = locator._definition(())
            if definition is None:
                continue
            score = len(root_keys & set(definition[0].resources)) + 1
            if score > best_score:
                best, best_score = locator, score
        return best

    def _definition(self, calls: tuple[str, ...]):
        if calls in self._modules:
            return self._modules[calls]
        if not calls:
            result = (load_module_definition(self.root_dir, self.scan_root), ())
        else:
            parent = self._definition(calls[:-1])
            result = None
            if parent is not None:
                definition, chain = parent
                call = definition.module_calls.get(calls[-1])
                if call is not None:
                    address = ".".join(f"module.{name}" for name in calls)
                    resolved = resolve_source(call, definition.directory, calls, address, self.manifest, self.scan_root)
                    if resolved.directory is not None:
                        result = (
                            load_module_definition(resolved.directory, self.scan_root),
                            chain + ((address, call.block.location),),
                        )
        self._modules[calls] = result
        return result

    def locate(self, block: TfBlock) -> None:
        found = self._definition(_module_calls(block.module_path))
        if found is None:
            return
        definition, chain = found
        decl = definition.resources.get(
            f"{block.type}.{block.name}" if block.mode == "resource" else f"data.{block.type}.{block.name}"
        )
        if decl is None:
            return
        block.location = decl.block.location
        block.locations = _static_locations(decl, block.attributes)
        if chain:
            block.module_call_address, block.module_call = _root_call_address(block.module_path), chain[0][1]
            block.module_call_chain = chain


def _declaration_key(resource: dict[str, Any]) -> str:
    prefix = "data." if resource.get("mode") == "data" else ""
    return f"{prefix}{resource.get('type')}.{resource.get('name')}"


def _module_calls(module_path: str) -> tuple[str, ...]:
    """``module.a["x"].module.b[0]`` -> ("a", "b")."""
    names: list[str] = []
    rest = module_path
    while rest.startswith("module."):
        rest = rest[len("module.") :]
        end = len(rest)
        for i, char in enumerate(rest):
            if char in ".[":
                end = i
                break
        names.append(rest[:end])
        rest = rest[end:]
        if rest.startswith("["):
            rest = _skip_index(rest)
        rest = rest[1:] if rest.startswith(".") else rest
    return tuple(names)


def _skip_index(text: str) -> str:
    """Drop a leading ``[0]`` or ``["key"]`` (quoted keys may contain brackets)."""
    if text.startswith('["'):
        i = 2
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == '"':
                return text[i + 2 :]
            i += 1
        return ""
    end = text.find("]")
    return text[end + 1 :] if end >= 0 else ""


def _root_call_address(module_path: str) -> str:
    rest = module_path[len("module.") :]
    end = len(rest)
    for i, char in enumerate(rest):
        if char == ".":
            end = i
            break
        if char == "[":
            end = len(rest) - len(_skip_index(rest[i:]))
            break
    return "module." + rest[:end]


def _static_locations(decl: ResourceDecl, attributes: dict[str, Any]) -> dict[str, Location]:
    out: dict[str, Location] = {}
    _locate_body(decl.block.body, attributes, "", out, top_level=True)
    return out


def _locate_body(body: Body, values: Any, prefix: str, out: dict[str, Location], top_level: bool = False) -> None:
    for name, attribute in body.attributes.items():
        if top_level and name in META_ARGUMENTS:
            continue
        out[prefix + name] = attribute.location
        literal_locations(attribute.expr, prefix + name, attribute.location.path, out, 0)
    static: dict[str, list] = {}
    dynamic: dict[str, Any] = {}
    for block in body.blocks:
        if block.type == "dynamic" and block.labels:
            dynamic.setdefault(block.labels[0], block)
        elif not (top_level and block.type in RESOURCE_META_BLOCKS):
            static.setdefault(block.type, []).append(block)
    for block_type in set(static) | set(dynamic):
        planned = values.get(block_type) if isinstance(values, dict) else None
        count = max(len(planned) if isinstance(planned, list) else 0, len(static.get(block_type, [])))
        for index in range(count):
            path = f"{prefix}{block_type}.{index}"
            item = planned[index] if isinstance(planned, list) and index < len(planned) else None
            blocks = static.get(block_type, [])
            if index < len(blocks):
                out[path] = blocks[index].location
                _locate_body(blocks[index].body, item, path + ".", out)
            elif block_type in dynamic:
                dynamic_block = dynamic[block_type]
                out[path] = dynamic_block.location
                contents = dynamic_block.body.blocks_of("content")
                if contents:
                    _locate_body(contents[0].body, item, path + ".", out)


__all__ = ["load_plan"]
