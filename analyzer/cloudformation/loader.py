"""Load a CloudFormation template: decode it, decide its conditions, evaluate its resources."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analyzer.cloudformation.decode import (
    Decoded,
    decode_template_file,
    decode_template_text,
)
from analyzer.cloudformation.equality import NO_VALUE
from analyzer.cloudformation.evaluator import Evaluator, Recording, TemplateScope
from analyzer.cloudformation.ordering import creation_orders
from analyzer.cloudformation.parameters import effective_parameter, load_parameter_file
from analyzer.cloudformation.sniff import sniff_template
from analyzer.cloudformation.types import CfnResource, CfnTemplate
from analyzer.diagnostics import EVALUATION, INVALID_CONFIG, Diagnostic
from analyzer.location import Location
from analyzer.values import Unknown

# Transforms run by CloudFormation itself; any other name is a user macro.
_AWS_TRANSFORM_PREFIX = "AWS::"

__all__ = ["load_parameter_file", "load_template", "load_template_text", "sniff_template"]


def load_template(path: Path, *, display: str, key: str, parameters: Mapping[str, str] = {}) -> CfnTemplate:
    """Load the template at ``path``. ``display`` is the path shown in locations, ``key``
    names the template in resource keys (``f"{key}#{LogicalId}"``), ``parameters``
    override parameter defaults. Problems become diagnostics; this never raises on input."""
    return _evaluate(decode_template_file(Path(path), display), display, key, parameters)


def load_template_text(text: str, *, display: str, key: str, parameters: Mapping[str, str] = {}) -> CfnTemplate:
    """``load_template`` for template source already in memory."""
    return _evaluate(decode_template_text(text, display), display, key, parameters)


def _evaluate(decoded: Decoded, display: str, key: str, parameters: Mapping[str, str]) -> CfnTemplate:
    template = CfnTemplate(path=display, key=key, diagnostics=list(decoded.diagnostics))
    if decoded.document is not None:
        _TemplateEvaluation(decoded.document, template, parameters).run()
    # A value evaluated twice (both branches of an undecided Fn::If) reports its problems once.
    template.diagnostics = list(dict.fromkeys(template.diagnostics))
    return template


class _TemplateEvaluation:
    def __init__(self, document: Any, template: CfnTemplate, given: Mapping[str, str]) -> None:
        self.document = document
        self.template = template
        self.given = given
        self.start = Location(template.path, 1, 1)

    def run(self) -> None:
        if not isinstance(self.document, dict):
            self._problem(self.document, "a template must be a mapping with a Resources section")
            return
        self.template.transforms = self._transforms(self.document.get("Transform"))
        self._evaluate_parameters()
        resources = self._section("Resources", required=True)
        scope = TemplateScope(
            display=self.template.path,
            key=self.template.key,
            parameters=self.template.parameters,
            resources={str(logical_id) for logical_id in resources},
            mappings=self._section("Mappings"),
        )
        evaluator = Evaluator(scope, self._section("Conditions"), self.template.diagnostics)
        self.template.conditions = evaluator.conditions.decide_all()
        orders = creation_orders(resources, self.template.key)
        for logical_id, body in resources.items():
            resource = self._resource(evaluator, logical_id, body)
            if resource is not None:
                resource.order = orders.get(resource.logical_id)
                self.template.resources.append(resource)

    # --- sections --------------------------------------------------------------------

    def _section(self, name: str, required: bool = False) -> dict:
        section = self.document.get(name)
        if section is None:
            if required:
                self._problem(self.document, f"the template has no {name} section")
            return {}
        if not isinstance(section, dict):
            self._problem(self._key_node(self.document, name), f"{name} must be a mapping")
            return {}
        return section

    def _evaluate_parameters(self) -> None:
        for name, declaration in self._section("Parameters").items():
            if not isinstance(declaration, dict):
                self._problem(name, f"parameter {name} must be a mapping with a Type")
                declaration = {}
            effective = effective_parameter(str(name), declaration, self.given)
            self.template.parameters[str(name)] = effective.value
            self.template.parameter_sources[str(name)] = effective.source

    def _transforms(self, transform: Any) -> list[str]:
        entries = transform if isinstance(transform, list) else [transform] if transform else []
        names = []
        for entry in entries:
            name = entry.get("Name") if isinstance(entry, dict) else entry
            if not isinstance(name, str):
                continue
            names.append(str(name))
            if not name.startswith(_AWS_TRANSFORM_PREFIX):
                self.template.diagnostics.append(
                    Diagnostic(
                        EVALUATION,
                        f"the template is processed by the macro {name} at deploy time; it is analysed as written",
                        self._location(entry) or self.start,
                        severity="info",
                    )
                )
        return names

    # --- resources -------------------------------------------------------------------

    def _resource(self, evaluator: Evaluator, logical_id: Any, body: Any) -> CfnResource | None:
        name = str(logical_id)
        where = self._location(logical_id) or self.start
        if name.startswith("Fn::ForEach::"):
            self.template.diagnostics.append(
                Diagnostic(
                    EVALUATION,
                    f"{name} (AWS::LanguageExtensions) is not expanded; the resources it creates are not analysed",
                    where,
                    severity="info",
                )
            )
            return None
        if not isinstance(body, dict):
            self._problem(logical_id, f"resource {name} must be a mapping with a Type")
            return None
        resource_type = body.get("Type")
        if not isinstance(resource_type, str) or not resource_type:
            self._problem(logical_id, f"resource {name} has no Type")
            return None
        condition = body.get("Condition")
        may_exist = False
        if condition is not None:
            decision = evaluator.conditions.decide(condition, self._key_node(body, "Condition"))
            if decision is False:
                return None  # CloudFormation does not create it
            may_exist = not isinstance(decision, bool)
        recording = Recording()
        properties = self._properties(evaluator, name, body, recording)
        locations = {
            own_key: found
            for own_key in ("Type", "Condition")
            if own_key in body and (found := self._location(self._key_node(body, own_key)))
        }
        locations.update(recording.locations)
        return CfnResource(
            logical_id=name,
            type=str(resource_type),
            key=f"{self.template.key}#{name}",
            properties=properties,
            location=where,
            locations=locations,
            condition=str(condition) if isinstance(condition, (str, bool, int, float)) else None,
            may_exist=may_exist,
            parameter_uses={path: tuple(names) for path, names in recording.parameter_uses.items()},
        )

    def _properties(self, evaluator: Evaluator, name: str, body: dict, recording: Recording) -> dict[str, Any]:
        node = body.get("Properties")
        if node is None:
            return {}
        properties = evaluator.evaluate_recorded(node, recording)
        if isinstance(properties, dict):
            return properties
        if properties is not NO_VALUE:
            why = f": {properties.reason}" if isinstance(properties, Unknown) else ""
            self._problem(
                self._key_node(body, "Properties"),
                f"the Properties of {name} are not a mapping{why}",
            )
        return {}

    # --- locations and problems ------------------------------------------------------

    def _location(self, node: Any) -> Location | None:
        mark = getattr(node, "start_mark", None)
        if mark is None:
            return None
        return Location(self.template.path, int(mark.line) + 1, int(mark.column) + 1)

    @staticmethod
    def _key_node(mapping: dict, key: str) -> Any:
        """The key object itself: decoded keys carry the marks of where they are written."""
        return next((candidate for candidate in mapping if candidate == key), mapping)

    def _problem(self, node: Any, message: str) -> None:
        self.template.diagnostics.append(
            Diagnostic(INVALID_CONFIG, message, self._location(node) or self.start, severity="warning")
        )
