"""Module instances: the evaluation context of one module (root or called), lazily memoised.

``RootContext`` is shared by every module instance of one configuration: it memoises each
variable, local, output, resource expansion and attribute once, and detects reference
cycles (LOAD-005) instead of recursing forever.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lark import Tree

from analyzer.diagnostics import EVALUATION, UNREADABLE, Diagnostic
from analyzer.location import Location
from analyzer.terraform import reads
from analyzer.terraform.budgets import MAX_MODULE_DEPTH, MAX_MODULE_INSTANCES
from analyzer.terraform.convert import convert, parse_type, to_number, to_string
from analyzer.terraform.errors import EvalError
from analyzer.terraform.expressions import IsolatedContext, Scope, evaluate_safely
from analyzer.terraform.files import FileAccess, display_path
from analyzer.terraform.lazy import LazyObject, UnknownInstances, materialize, shallow_dict
from analyzer.terraform.module import ModuleCall, ModuleDefinition, ResourceDecl, load_module_definition
from analyzer.terraform.operations import derived_unknown
from analyzer.terraform.sources import read_modules_manifest, resolve_source
from analyzer.terraform.syntax import bare_variable
from analyzer.terraform.views import ModuleOutputs, ResourceView
from analyzer.values import (
    HoleKey,
    Opaque,
    PartialStr,
    Ref,
    Unknown,
    identity_text,
    is_unknown,
    iter_unknowns,
    key_value,
    provably_distinct,
)

MAX_REFERENCE_DEPTH = 150  # nested lazy evaluations (local -> local -> module output -> ...)

InputProvider = Callable[[str], tuple[bool, Any]]  # variable name -> (was it set?, value)


class RootContext:
    """Shared state of one configuration's evaluation."""

    def __init__(
        self, root_dir: Path, scan_root: Path, display_root: Path, fetcher=None, readable: tuple[Path, ...] = ()
    ) -> None:
        self.root_dir = root_dir
        self.scan_root = scan_root
        self.display_root = display_root
        self.fetcher = fetcher  # analyzer.modules.fetch.ModuleFetcher, shared by the run; None: no fetching
        self.readable = readable  # where else local module sources may point (repository, module cache)
        self.module_directories: dict[str, Path] = {}
        # "a.b" -> what the inputs of a module call whose code is not available carry
        self.unloaded_inputs: dict[str, ModuleReach] = {}
        self._pending_reach: dict[str, Callable[[], ModuleReach]] = {}
        self.diagnostics: list[Diagnostic] = []
        self._reported: set[tuple[str, str, str, int]] = set()
        self.files = FileAccess(scan_root, display_root, root_dir, self.report, readable)
        self.manifest = read_modules_manifest(root_dir, scan_root)
        if self.manifest.problem:
            manifest = display_path(root_dir / ".terraform" / "modules" / "modules.json", display_root)
            message = (
                f"{manifest} {self.manifest.problem}; the module folders terraform init recorded in it "
                "were not used, so each module call is resolved from its source"
            )
            fix = "Run `terraform init` again to rewrite it, or delete the .terraform folder."
            self.report(Diagnostic(UNREADABLE, message, Location(manifest), "warning", fix))
        self._memo: dict[tuple, Any] = {}
        self._stack: list[tuple] = []
        self._labels: dict[tuple, str] = {}
        self._in_progress: set[tuple] = set()
        self._cycles: set[frozenset[str]] = set()
        self.module_instances = 0  # expanded so far, within MAX_MODULE_INSTANCES
        self.over_module_instances = False  # a module call was refused for that limit (and reported)

    def report(self, diagnostic: Diagnostic) -> None:
        key = (diagnostic.code, diagnostic.message, diagnostic.location.path, diagnostic.location.line)
        if key not in self._reported:
            self._reported.add(key)
            self.diagnostics.append(diagnostic)

    def defer_reach(self, key: str, compute: Callable[[], ModuleReach]) -> None:
        self._pending_reach[key] = compute

    def settle_reach(self) -> dict[str, ModuleReach]:
        """The reach of every unloaded module call, computed once all blocks are evaluated: an
        input may refer to another module whose own inputs refer back (module.eks takes an
        IRSA role from module.irsa, which takes the OIDC provider from module.eks). Terraform
        orders that by output, so evaluating the inputs while the module is still being
        expanded would report a cycle Terraform does not have."""
        while self._pending_reach:
            key, compute = self._pending_reach.popitem()
            self.unloaded_inputs[key] = compute()
        _close_over_modules(self.unloaded_inputs)
        return dict(self.unloaded_inputs)

    def once(self, key: tuple, label: str, location: Location, compute: Callable[[], Any]) -> Any:
        """``compute()`` memoised under ``key``; a re-entry while computing is a reference cycle."""
        if key in self._memo:
            return self._memo[key]
        if key in self._in_progress:
            return self._cycle(key, label, location)
        if len(self._stack) >= MAX_REFERENCE_DEPTH:
            return Unknown(f"references nested too deeply to follow at {label}", location)
        self._stack.append(key)
        self._in_progress.add(key)
        self._labels[key] = label
        try:
            value = compute()
        finally:
            self._stack.pop()
            self._in_progress.discard(key)
        self._memo[key] = value
        return value

    def _cycle(self, key: tuple, label: str, location: Location) -> Unknown:
        start = self._stack.index(key)
        names = [self._labels[k] for k in self._stack[start:]] + [label]
        cycle = " -> ".join(names)
        members = frozenset(names)
        if members not in self._cycles:
            self._cycles.add(members)
            self.report(
                Diagnostic(
                    EVALUATION,
                    f"reference cycle: {cycle}",
                    location,
                    "warning",
                    "Break the cycle: Terraform rejects this configuration.",
                )
            )
        return Unknown(f"reference cycle: {cycle}", location)


class ModuleInstance:
    """One instance of a module: the root module, or ``module.x["k"]`` inside it."""

    def __init__(
        self,
        root: RootContext,
        definition: ModuleDefinition,
        address: str,
        key_path: tuple[str, ...],
        inputs: InputProvider,
        call_chain: tuple[tuple[str, Location], ...] = (),
        no_value_hint: str = "",
        caller: tuple[ModuleInstance, ModuleCall] | None = None,
    ) -> None:
        self.root = root
        self.definition = definition
        self.address = address  # "" for the root module
        self.key_path = key_path  # module call names from the root, for modules.json
        self.inputs = inputs
        self.call_chain = call_chain
        self.no_value_hint = no_value_hint
        self.caller = caller  # the instance whose module block made this one, and that block
        self.path_module = _relative(definition.directory, root.root_dir)
        self._children: dict[str, list[ModuleInstance]] = {}

    # -- EvalContext --

    @property
    def files(self) -> FileAccess:
        return self.root.files

    def report(self, diagnostic: Diagnostic) -> None:
        self.root.report(diagnostic)

    def root_value(self, name: str, location: Location) -> Any:
        namespace = _NAMESPACES.get(name)
        if namespace is not None:
            return namespace(self)
        if name in ("count", "each", "self"):
            raise EvalError(
                f'"{name}" is only valid inside a block that sets {"count" if name == "count" else "for_each"}'
            )
        if name in self.definition.resource_types:
            return ResourceTypeNamespace(self, name)
        raise KeyError(name)

    def prefix(self) -> str:
        return f"{self.address}." if self.address else ""

    # -- variables, locals, outputs --

    def variable(self, name: str) -> Any:
        decl = self.definition.variables.get(name)
        if decl is None:
            raise EvalError(f'reference to undeclared input variable "var.{name}"')
        return self.root.once(
            ("var", self.address, name), f"{self.prefix()}var.{name}", decl.location, lambda: self._variable_value(name)
        )

    def _variable_value(self, name: str) -> Any:
        decl = self.definition.variables[name]
        provided, value = self.inputs(name)
        if provided and value is None and not decl.nullable:
            provided = False
        if not provided:
            if decl.default is not None:
                value = evaluate_safely(
                    decl.default.expr, self._isolated_scope(decl.default.location.path), decl.default.location
                )
            else:
                return Opaque(
                    f"var.{name} has no value; {self.no_value_hint or f'pass --var {name}=... or --var-file'}",
                    decl.location,
                )
        if decl.type_expr is None:
            return value
        if decl.constraint is None:
            decl.constraint = parse_type(
                decl.type_expr,
                lambda expr: evaluate_safely(expr, self._isolated_scope(decl.location.path), decl.location),
            )
        return convert(value, decl.constraint)

    def _isolated_scope(self, display: str) -> Scope:
        return Scope(IsolatedContext(self.files, self.report), {}, display)

    def local(self, name: str) -> Any:
        attribute = self.definition.locals.get(name)
        if attribute is None:
            raise EvalError(f'reference to undeclared local value "local.{name}"')
        return self.root.once(
            ("local", self.address, name),
            f"{self.prefix()}local.{name}",
            attribute.location,
            lambda: evaluate_safely(attribute.expr, Scope(self, {}, attribute.location.path), attribute.location),
        )

    def output(self, name: str) -> Any:
        attribute = self.definition.outputs.get(name)
        if attribute is None:
            return None
        return self.root.once(
            ("output", self.address, name),
            f"{self.prefix()}output.{name}",
            attribute.location,
            lambda: evaluate_safely(attribute.expr, Scope(self, {}, attribute.location.path), attribute.location),
        )

    # -- resources and data sources --

    def resource_collection(self, key: str) -> Any:
        """``aws_x.y``: one instance, a list (count), a map (for_each) or UnknownInstances."""
        decl = self.definition.resources.get(key)
        if decl is None:
            raise EvalError(f'reference to undeclared resource "{key}"')
        return self.root.once(
            ("instances", self.address, key),
            f"{self.prefix()}{key}",
            decl.block.location,
            lambda: self._expand_resource(decl),
        )

    def _expand_resource(self, decl: ResourceDecl) -> Any:
        base = self.prefix() + decl.key
        return expand_instances(
            self,
            decl.count,
            decl.for_each,
            base,
            lambda address, bindings, index: _make_view(self, decl, address, bindings, index),
        )

    # -- module calls --

    def module_value(self, name: str) -> Any:
        call = self.definition.module_calls.get(name)
        if call is None:
            raise EvalError(f'reference to undeclared module "module.{name}"')
        return self.root.once(
            ("module", self.address, name),
            f"{self.prefix()}module.{name}",
            call.block.location,
            lambda: self._expand_module(call),
        )

    def module_children(self, name: str) -> list[ModuleInstance]:
        self.module_value(name)
        return self._children.get(name, [])

    def _expand_module(self, call: ModuleCall) -> Any:
        base = f"{self.prefix()}module.{call.name}"
        key_path = self.key_path + (call.name,)
        resolved = resolve_source(
            call,
            self.definition.directory,
            key_path,
            base,
            self.root.manifest,
            self.root.scan_root,
            self.root.readable,
            self.root.fetcher,
        )
        if resolved.diagnostic is not None:
            self.report(resolved.diagnostic)
        if resolved.directory is None:
            self._children[call.name] = []
            self.root.defer_reach(".".join(key_path), lambda: self._reach_of_inputs(call))
            return Opaque(resolved.reason, call.block.location, modules=(".".join(key_path),))
        refused = self._refused_call(call, base, resolved.directory)
        if refused is not None:
            self._children[call.name] = []
            return refused
        self.root.module_directories[".".join(key_path)] = resolved.directory
        definition = load_module_definition(resolved.directory, self.root.display_root)
        for diagnostic in definition.diagnostics:
            self.report(diagnostic)
        children: list[ModuleInstance] = []

        def make_child(address: str, bindings: dict[str, Any], index: Any) -> ModuleOutputs:
            chain = self.call_chain + ((address, call.block.location),)
            child = ModuleInstance(
                self.root,
                definition,
                address,
                key_path,
                self._call_inputs(call, bindings),
                chain,
                f"{address} does not set it",
                (self, call),
            )
            children.append(child)
            self.root.module_instances += 1
            return ModuleOutputs(child)

        value = expand_instances(self, call.count, call.for_each, base, make_child)
        self._children[call.name] = children
        return value

    def _refused_call(self, call: ModuleCall, base: str, directory: Path) -> Unknown | None:
        """A module block that would be expanded without end: its module is already being
        expanded above it (a module calling itself, or two calling each other), the calls
        nest deeper than ``MAX_MODULE_DEPTH``, or the root module has expanded
        ``MAX_MODULE_INSTANCES`` module instances already. Reported at the block; its instances
        are Unknown."""
        target = reads.resolve(directory)
        chain: list[tuple[str, Path]] = []  # (address, directory) from here up to the root
        instance: ModuleInstance | None = self
        while instance is not None:
            chain.append((instance.address or "the root module", reads.resolve(instance.definition.directory)))
            instance = instance.caller[0] if instance.caller else None
        chain.reverse()
        here = _relative(target, self.root.root_dir)
        for position, (_, ancestor) in enumerate(chain):
            if ancestor != target:
                continue
            if position == len(chain) - 1:
                what = f"{base} calls itself: its source {call.source!r} is the folder of the module that declares it"
            else:
                path = " -> ".join(a for a, _ in chain[position:]) + f" -> {base}"
                what = f"module cycle: {path} (folder {here} calls itself through its callees)"
            return self._refuse(call, what, "remove the call that closes the cycle; Terraform cannot expand it")
        if len(chain) > MAX_MODULE_DEPTH:
            what = (
                f"{base} is nested {len(chain)} module calls deep, over the limit of {MAX_MODULE_DEPTH} eksjoin expands"
            )
            return self._refuse(call, what, f"Keep module calls at most {MAX_MODULE_DEPTH} deep, or lint plan JSON.")
        if self.root.module_instances >= MAX_MODULE_INSTANCES:
            what = (
                f"{base} would take the configuration over {MAX_MODULE_INSTANCES:,} module instances, "
                "the limit eksjoin expands in one root module"
            )
            if self.root.over_module_instances:  # one finding says so for this call and every later one
                return Unknown(what, call.block.location)
            self.root.over_module_instances = True
            fix = "Lint plan JSON, or lint a root module that expands fewer modules."
            return self._refuse(call, what, fix, "; neither it nor any later module call was expanded")
        return None

    def _refuse(self, call: ModuleCall, what: str, fix: str, outcome: str = "; the module was not expanded") -> Unknown:
        location = call.block.location
        self.report(Diagnostic(EVALUATION, f"{what}{outcome}", location, "warning", fix))
        return Unknown(what, location)

    def input_location(self, name: str, editable: Callable[[Location], bool]) -> Location | None:
        """Where the value of ``var.<name>`` is written in code the user can edit: the module
        block's argument, followed up through callers while that argument is itself a bare
        ``var.x`` in code that is not ``editable``. None when no caller sets it."""
        if self.caller is None:
            return None
        parent, call = self.caller
        attribute = call.inputs().get(name)
        if attribute is None:
            return None
        if editable(attribute.location):
            return attribute.location
        passed_on = bare_variable(attribute.expr)
        return parent.input_location(passed_on, editable) if passed_on else None

    def _reach_of_inputs(self, call: ModuleCall) -> ModuleReach:
        """The resources whose identities the inputs of a module call carry: a module can
        only change what it is given (or creates itself). An input made of root variables
        carries none (a resource of this run has no ID before apply); an unknown of another
        origin may carry any."""
        reach = ModuleReach()
        for name, attribute in call.inputs().items():
            if self.address == "" and root_names(attribute.expr) <= _NAMES_WITHOUT_IDENTITIES:
                continue
            value = materialize(
                evaluate_safely(attribute.expr, Scope(self, {}, attribute.location.path), attribute.location)
            )
            for hole in iter_unknowns(value):
                if isinstance(hole, Ref):
                    reach.targets.add(hole.target)
                    reach.attributes.setdefault(hole.target, set()).add(hole.attribute)
                elif isinstance(hole, Opaque):
                    reach.modules.update(hole.modules)
                elif reach.anything is None:
                    reach.anything = f"input {name} of {self.prefix()}module.{call.name}: {hole.reason}"
        return reach

    def _call_inputs(self, call: ModuleCall, bindings: dict[str, Any]) -> InputProvider:
        inputs = call.inputs()

        def provide(name: str) -> tuple[bool, Any]:
            attribute = inputs.get(name)
            if attribute is None:
                return False, None
            return True, evaluate_safely(
                attribute.expr, Scope(self, bindings, attribute.location.path), attribute.location
            )

        return provide


@dataclass
class ModuleReach:
    targets: set[str] = field(default_factory=set)  # addresses of the resources referenced
    attributes: dict[str, set[str]] = field(default_factory=dict)  # address -> attributes referenced
    modules: set[str] = field(default_factory=set)  # unloaded module calls whose outputs the inputs carry
    anything: str | None = None  # why the inputs may carry any identity, if they may


def _close_over_modules(reaches: dict[str, ModuleReach]) -> None:
    """An input made of another unloaded module's outputs carries what that module's inputs
    carry (what the other module creates is new: it lies in a VPC only if that VPC reaches it)."""
    changed = True
    while changed:
        changed = False
        for reach in reaches.values():
            for other_key in sorted(reach.modules):
                other = reaches.get(other_key)
                if other is None or other is reach:
                    if other is None and reach.anything is None:  # not a module call seen here
                        reach.anything = f"an output of module {other_key} is an input"
                        changed = True
                    continue
                if other.anything is not None and reach.anything is None:
                    reach.anything = other.anything
                    changed = True
                for target in other.targets - reach.targets:
                    reach.targets.add(target)
                    changed = True
                for target, attributes in other.attributes.items():
                    mine = reach.attributes.setdefault(target, set())
                    if not attributes <= mine:
                        mine.update(attributes)
                        changed = True


_NAMES_WITHOUT_IDENTITIES = {"var", "path", "terraform"}


def root_names(expr: Any) -> set[str]:
    """The first names of the references in an expression (``var``, ``aws_vpc``, ``module``)."""
    names: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if not isinstance(node, Tree):
            text = str(node).strip()
            if ("${" in text or "%{" in text) and text not in ("${", "%{", "${~", "%{~"):
                names.add("?")  # a template read later: its references are not seen here
            continue
        if node.data.startswith("heredoc"):
            names.add("?")
        if node.data == "expr_term" and node.children and isinstance(node.children[0], Tree):
            first = node.children[0]
            if first.data == "identifier" and first.children:
                names.add(str(first.children[0]))
        stack.extend(node.children)
    return names


def _relative(directory: Path, root_dir: Path) -> str:
    try:
        relative = os.path.relpath(reads.resolve(directory), reads.resolve(root_dir))
    except ValueError:
        return directory.as_posix()
    return Path(relative).as_posix()


def _make_view(
    instance: ModuleInstance, decl: ResourceDecl, address: str, bindings: dict[str, Any], index: Any
) -> ResourceView:
    from analyzer.terraform.cloudinit import CLOUDINIT_TYPE, CloudInitView
    from analyzer.terraform.policy_document import POLICY_DOCUMENT_TYPE, PolicyDocumentView

    # data sources whose result is a pure function of their arguments are evaluated
    evaluated = {POLICY_DOCUMENT_TYPE: PolicyDocumentView, CLOUDINIT_TYPE: CloudInitView}
    view_class = evaluated.get(decl.type, ResourceView) if decl.mode == "data" else ResourceView
    return view_class(instance, decl, address, bindings, index)


# --- count / for_each -------------------------------------------------------------------


def instance_key(key: Any) -> str:
    """Terraform's address suffix: ``[0]`` or ``["a"]``."""
    if isinstance(key, int):
        return f"[{key}]"
    escaped = str(key).replace("\\", "\\\\").replace('"', '\\"')
    return f'["{escaped}"]'


def expand_instances(
    instance: ModuleInstance, count_attr, for_each_attr, base: str, make: Callable[[str, dict[str, Any], Any], Any]
) -> Any:
    """Instances of a resource or module block, built by ``make(address, bindings, index)``.

    An unknown count/for_each gives UnknownInstances holding one stand-in instance at the
    bare address, with ``count.index``/``each.*`` unknown.
    """
    if count_attr is not None:
        count = evaluate_safely(count_attr.expr, Scope(instance, {}, count_attr.location.path), count_attr.location)
        number = _whole_number(count)
        if isinstance(number, int) and number > MAX_INSTANCES:
            number = _over_instance_limit(instance, f"count of {base} is {number:,}", count_attr.location)
        if isinstance(number, Unknown):
            reason = f"count of {base} is unknown: {number.reason}"
            stand_in = make(base, {"count": {"index": Unknown(reason, count_attr.location)}}, None)
            return UnknownInstances(reason, count_attr.location, stand_in)
        return [make(f"{base}[{i}]", {"count": {"index": i}}, i) for i in range(number)]
    if for_each_attr is not None:
        collection = evaluate_safely(
            for_each_attr.expr, Scope(instance, {}, for_each_attr.location.path), for_each_attr.location
        )
        pairs = _for_each_pairs(collection)
        if isinstance(pairs, Unknown):
            reason = f"for_each of {base} is unknown: {pairs.reason}"
            hole = Unknown(reason, for_each_attr.location)
            stand_in = make(base, {"each": {"key": hole, "value": hole}}, None)
            return UnknownInstances(reason, for_each_attr.location, stand_in)
        return {
            key: make(f"{base}{instance_key(key)}", {"each": {"key": key_value(key), "value": value}}, key)
            for key, value in pairs
        }
    return make(base, {}, None)


def _whole_number(value: Any) -> Any:
    if is_unknown(value):
        return derived_unknown(value)
    try:
        number = to_number(value)
    except EvalError as exc:
        return Unknown(str(exc))
    if not isinstance(number, int) or number < 0:
        return Unknown(f"count must be a whole number, not {value!r}")
    return number


# One block expands to at most this many instances; more is a LOAD-005 finding, and the
# block's instances are one stand-in whose index is unknown (docs/reference: Limits).
MAX_INSTANCES = 10_000


def _over_instance_limit(instance: ModuleInstance, what: str, location: Location) -> Unknown:
    reason = f"{what}, over the limit of {MAX_INSTANCES:,} instances eksjoin expands"
    instance.report(
        Diagnostic(
            EVALUATION,
            f"{reason}; its instances were checked as one whose index is unknown.",
            location,
            fix=f"Lint plan JSON to check every instance, or keep count at most {MAX_INSTANCES:,}.",
        )
    )
    return Unknown(reason, location)


def _for_each_pairs(collection: Any) -> Any:
    """(key, value) pairs of a for_each value, or an Unknown."""
    if is_unknown(collection):
        return derived_unknown(collection)
    collection = shallow_dict(collection)
    if isinstance(collection, dict):
        return [(key, collection[key]) for key in sorted(collection)]
    if isinstance(collection, list):
        if any(is_unknown(item) for item in collection):
            return _symbolic_pairs(collection)
        try:
            keys = [to_string(item) for item in collection]
        except EvalError:
            return Unknown("for_each needs a map or a set of strings")
        return [(key, key) for key in sorted(set(keys))]
    if collection is None:
        return Unknown("for_each is null")
    return Unknown("for_each needs a map or a set of strings")


def _symbolic_pairs(collection: list) -> Any:
    """A set of strings with holes still has known, distinct elements when each hole is one
    attribute or symbol (``data.aws_partition.current.partition``) and any two elements are
    provably the same or provably different: the policy ARNs
    ``arn:${partition}:iam::aws:policy/<name>`` are three instances whatever the partition.
    Each key is a HoleKey: printed with its holes named, ``each.key`` the string itself."""
    elements: dict[str, Any] = {}  # identity text -> element
    for item in collection:
        identity = identity_text(item)
        if identity is None or not isinstance(item, (str, PartialStr)):
            return derived_unknown(*collection)
        if identity in elements:
            continue
        if any(not provably_distinct(item, seen) for seen in elements.values()):
            return derived_unknown(*collection)
        elements[identity] = item
    keys = [HoleKey(item) if isinstance(item, PartialStr) else item for item in elements.values()]
    return [(key, key_value(key)) for key in sorted(keys)]


# --- namespaces -------------------------------------------------------------------------


class _Namespace(LazyObject):
    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance


class VariablesNamespace(_Namespace):
    def keys(self) -> list[str]:
        return list(self.instance.definition.variables)

    def get_attr(self, name: str) -> Any:
        return self.instance.variable(name)


class LocalsNamespace(_Namespace):
    def keys(self) -> list[str]:
        return list(self.instance.definition.locals)

    def get_attr(self, name: str) -> Any:
        return self.instance.local(name)


class ModulesNamespace(_Namespace):
    def keys(self) -> list[str]:
        return list(self.instance.definition.module_calls)

    def get_attr(self, name: str) -> Any:
        return self.instance.module_value(name)


class DataNamespace(_Namespace):
    def keys(self) -> list[str]:
        return sorted(self.instance.definition.data_types)

    def get_attr(self, name: str) -> Any:
        if name not in self.instance.definition.data_types:
            raise EvalError(f'reference to undeclared data source type "data.{name}"')
        return ResourceTypeNamespace(self.instance, name, data=True)


class ResourcesNamespace(_Namespace):
    """``resource.aws_x.y``: the explicit form of ``aws_x.y``."""

    def keys(self) -> list[str]:
        return sorted(self.instance.definition.resource_types)

    def get_attr(self, name: str) -> Any:
        if name not in self.instance.definition.resource_types:
            raise EvalError(f'reference to undeclared resource type "resource.{name}"')
        return ResourceTypeNamespace(self.instance, name)


class ResourceTypeNamespace(_Namespace):
    def __init__(self, instance: ModuleInstance, resource_type: str, data: bool = False) -> None:
        super().__init__(instance)
        self.resource_type = resource_type
        self.prefix = f"data.{resource_type}." if data else f"{resource_type}."

    def keys(self) -> list[str]:
        return [
            key[len(self.prefix) :]
            for key in self.instance.definition.resources
            if key.startswith(self.prefix) and "." not in key[len(self.prefix) :]
        ]

    def get_attr(self, name: str) -> Any:
        return self.instance.resource_collection(self.prefix + name)


def _path_namespace(instance: ModuleInstance) -> dict[str, str]:
    return {"module": instance.path_module, "root": ".", "cwd": instance.root.root_dir.resolve().as_posix()}


_NAMESPACES: dict[str, Callable[[ModuleInstance], Any]] = {
    "var": VariablesNamespace,
    "local": LocalsNamespace,
    "module": ModulesNamespace,
    "data": DataNamespace,
    "resource": ResourcesNamespace,
    "path": _path_namespace,
    "terraform": lambda instance: {"workspace": "default"},
}

__all__ = ["ModuleInstance", "RootContext", "expand_instances", "instance_key"]
