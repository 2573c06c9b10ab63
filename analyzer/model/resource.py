"""Canonical resources: one shape for Terraform, CloudFormation, eksctl and manifests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analyzer.location import Location

# Where a resource or a field value comes from.
DECLARED = "declared"  # written in the analyzed files
TOOL_DEFAULT = "default"  # absent; the tool's documented default applies
EKSCTL_DEFAULT = "eksctl-default"  # created by eksctl on the user's behalf


@dataclass(frozen=True)
class CreationOrder:
    """Where a resource stands in the order its configuration creates resources in.

    Keys name the nodes of one configuration's order (a Terraform declaration, a template's
    logical ID, a step of eksctl's task list), scoped like resource keys (``root#node``);
    two resources of different configurations are not ordered against each other.
    """

    key: str  # this resource's node
    after: frozenset[str] = frozenset()  # every node created before this one starts
    # (node, duration) of the nodes in ``after`` that only wait (Terraform's time_sleep)
    waits: tuple[tuple[str, Any], ...] = ()

    @property
    def scope(self) -> str:
        return self.key.rpartition("#")[0]

    def scoped(self, scope: str) -> CreationOrder:
        def prefix(node: str) -> str:
            return f"{scope}#{node}"

        return CreationOrder(
            prefix(self.key),
            frozenset(prefix(node) for node in self.after),
            tuple((prefix(node), duration) for node, duration in self.waits),
        )


@dataclass(eq=False)
class Resource:
    """One resource in the canonical model.

    ``fields`` use canonical names (see ``analyzer.model.kinds``); values come from
    ``analyzer.values`` (known Python values, Unknown, Ref, PartialStr, Encoded).
    """

    kind: str  # canonical kind, e.g. "ec2.vpc"
    key: str  # unique in the model; what a Ref.target names
    address: str  # what the user recognises: aws_vpc.main, VPC, managedNodeGroups[ng-1]
    framework: str  # terraform | cloudformation | eksctl | kubernetes
    source_type: str  # aws_vpc, AWS::EC2::VPC, ClusterConfig.vpc, ConfigMap
    location: Location
    fields: dict[str, Any] = field(default_factory=dict)
    field_locations: dict[str, Location] = field(default_factory=dict)
    field_provenance: dict[str, str] = field(default_factory=dict)
    source_names: dict[str, str] = field(default_factory=dict)  # canonical -> as written
    provenance: str = DECLARED
    module_call: Location | None = None  # the calling module block, for resources inside modules
    module_call_address: str | None = None  # "module.eks"
    may_exist: bool = False  # True when existence depends on an undecidable condition
    # why the number of instances is unknown, when this resource stands for each of them
    # (a count/for_each not known before apply); "" for a single resource
    stands_for_each: str = ""
    aliases: tuple[str, ...] = ()  # other keys/identities that name this resource
    # (field, prefix) whose values name the resource even when not literal: a name with a
    # random_id suffix names it wherever the same expression is used (see Model.add)
    identity_fields: tuple[tuple[str, str], ...] = ()
    # what the configuration creates before this resource starts; None when the format or
    # the input does not tell (plan JSON)
    creation: CreationOrder | None = None

    @property
    def root(self) -> str:
        """The root module, template or file the resource belongs to (its key's scope)."""
        scope, sep, _ = self.key.partition("#")
        return scope if sep else self.location.path

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def set(self, name: str, value: Any, location: Location | None = None, provenance: str = DECLARED) -> None:
        self.fields[name] = value
        if location is not None:
            self.field_locations[name] = location
        self.field_provenance[name] = provenance

    def default(self, name: str, value: Any, provenance: str = TOOL_DEFAULT) -> None:
        """Fill ``name`` with a tool default when the configuration leaves it out."""
        if name not in self.fields or self.fields[name] is None:
            self.fields[name] = value
            self.field_provenance[name] = provenance

    def is_default(self, name: str) -> bool:
        return self.field_provenance.get(name) in (TOOL_DEFAULT, EKSCTL_DEFAULT)

    def location_of(self, path: str | None) -> Location:
        """The line of a field, falling back to its nearest written parent, then the resource."""
        while path:
            if path in self.field_locations:
                return self.field_locations[path]
            path = path.rpartition(".")[0]
        return self.location

    def __repr__(self) -> str:
        return f"<{self.kind} {self.address}>"
