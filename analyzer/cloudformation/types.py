"""What CloudFormation evaluation produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analyzer.diagnostics import Diagnostic
from analyzer.location import Location
from analyzer.values import OneOf, Unknown


@dataclass(eq=False)
class CfnResource:
    logical_id: str
    type: str  # "AWS::EC2::VPC"
    key: str  # f"{template_key}#{logical_id}", what Ref.target names
    properties: dict[str, Any]  # intrinsics evaluated into analyzer.values
    location: Location  # the logical ID's line
    # dotted property paths -> location: "EnableDnsSupport", "ResourcesVpcConfig.SubnetIds",
    # "SecurityGroupIngress.0.FromPort"; also "Type" and "Condition" (the resource's own
    # keys) unless a property of that name takes the entry.
    locations: dict[str, Location] = field(default_factory=dict)
    condition: str | None = None
    may_exist: bool = False  # the Condition could not be decided
    # dotted property path -> template parameters read to compute the value there, so a
    # message can say "from parameter X (default ...)".
    parameter_uses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    order: Any = None  # analyzer.model.resource.CreationOrder: what the stack creates first

    def location_for(self, path: str) -> Location:
        """Where ``path`` is written, or its nearest written ancestor, or the logical ID."""
        parts = path.split(".") if path else []
        while parts:
            found = self.locations.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return self.location


@dataclass
class CfnTemplate:
    path: str  # as displayed
    key: str  # template key used in resource keys
    resources: list[CfnResource] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)  # effective values
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # where each effective parameter value comes from: "default" | "given" | "missing"
    parameter_sources: dict[str, str] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)  # name -> True | False | Unknown
    transforms: list[str] = field(default_factory=list)  # "AWS::Serverless-2016-10-31", ...


class SourceFloat(float):
    """A float in a YAML template that remembers how it was written.

    ``str()`` gives that text back: ``Version: 1.30`` is 1.3 as a number but "1.30" as
    text, which is what CloudFormation passes to a string property.
    """

    text: str

    def __new__(cls, value: float, text: str) -> SourceFloat:
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text

    def __reduce__(self):  # the result cache pickles templates' values; __new__ needs the text
        return (SourceFloat, (float(self), self.text))


@dataclass(frozen=True, eq=False)
class SsmParameter(Unknown):
    """A value read from SSM Parameter Store at deploy time.

    Comes from ``AWS::SSM::Parameter::Value<...>`` parameters and ``{{resolve:ssm:...}}``
    dynamic references; ``path`` names the SSM parameter (e.g.
    ``/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id``), which
    tells an AMI family even though the AMI ID itself is unknown.
    """

    path: str = ""

    def __repr__(self) -> str:
        return f"SsmParameter({self.path!r})"


@dataclass(frozen=True, eq=False)
class Conditional(OneOf):
    """``Fn::If`` on a condition that cannot be decided: one of two values, not known which.

    A branch that is ``AWS::NoValue`` is ``None`` here (the property would be absent).
    """

    condition: str = ""
    when_true: Any = None
    when_false: Any = None

    def __repr__(self) -> str:
        return f"Conditional({self.condition}: {self.when_true!r} | {self.when_false!r})"
