"""Runs the catalogue over the model: PASS / FAIL / SKIP / UNKNOWN per subject."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from analyzer.engine.catalogue import Rule
from analyzer.engine.expressions import (
    Scope,
    evaluate_condition,
    message_template,
    render,
    resolve_path,
    resource_names,
    unknown_sentence,
)
from analyzer.engine.logic import Verdict
from analyzer.findings import Finding
from analyzer.location import Location
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.modules import is_fetched_code
from analyzer.strict import strict

PASS, FAIL, SKIP, UNKNOWN = "pass", "fail", "skip", "unknown"

_UNKNOWN_HINT = (
    "make it resolvable (--var / --var-file for Terraform, --cfn-param / --cfn-params "
    "for CloudFormation, or lint `terraform show -json` plan output)"
)
# the same hint in the terms of the finding's own format
_UNKNOWN_HINTS = {
    "terraform": "Make it resolvable (--var / --var-file, or lint `terraform show -json` plan output)",
    "cloudformation": "Make it resolvable (--cfn-param / --cfn-params)",
}


@dataclass
class Result:
    rule: Rule
    subject: Resource
    outcome: str
    finding: Finding | None = None
    reason: str = ""
    bindings: dict[str, Any] = field(default_factory=dict)


def run_rules(rules: Iterable[Rule], model: Model) -> list[Result]:
    results = []
    for rule in rules:
        for subject in model.of_kind(*rule.kinds):
            results.append(_guarded(rule, subject, model))
    return results


def _guarded(rule: Rule, subject: Resource, model: Model) -> Result:
    """A defect in one check must not hide every other finding: report it and go on."""
    try:
        return evaluate_rule(rule, subject, model)
    except Exception as exc:
        if strict():
            raise
        finding = Finding(
            rule_id=rule.id,
            severity="warning",
            title=rule.title,
            message=f"eksjoin could not evaluate this check on {subject.address} "
            f"({type(exc).__name__}: {exc}); please report it",
            location=subject.location,
            resource=subject.address,
            outcome=UNKNOWN,
        )
        return Result(rule, subject, UNKNOWN, finding, reason=str(exc))


def evaluate_rule(rule: Rule, subject: Resource, model: Model) -> Result:
    check = rule.check
    scope = Scope(model, {"subject": subject}, check.get("let"))
    applies = evaluate_condition(check["where"], scope) if "where" in check else None
    if applies is not None and applies.is_false:
        return Result(rule, subject, SKIP, reason="not applicable")
    if applies is not None and applies.is_unknown:
        return _maybe_applicable(rule, subject, scope, applies)
    precondition = evaluate_condition(check["when"], scope) if "when" in check else None
    if precondition is not None and precondition.is_false:
        return Result(rule, subject, SKIP, reason="precondition false")
    verdict = evaluate_condition(check["assert"], scope)
    if verdict.is_true:
        return Result(rule, subject, PASS)
    if precondition is not None and precondition.is_unknown:
        # when -> assert with an unknown "when" can only be unknown, never a failure
        verdict = Verdict(None, verdict.bindings, precondition.reason)
    witness = scope.child(**verdict.bindings)
    if verdict.is_unknown:
        return _unknown_result(rule, subject, verdict, witness)
    severity, message, anchor = _fail_presentation(rule, witness)
    message = message_template(message, witness)
    if subject.may_exist and severity == "error":
        # existence depends on an undecidable Condition: never an error by itself
        severity, message = "warning", message + " (if the resource's condition holds)"
    finding = _finding(rule, subject, witness, severity, render(message, witness), anchor, FAIL)
    return Result(rule, subject, FAIL, finding, bindings=verdict.bindings)


def _maybe_applicable(rule: Rule, subject: Resource, scope: Scope, applies: Verdict) -> Result:
    """A rule whose ``where`` is unknown: it passes when its assertion holds anyway, and is
    otherwise unknown (never "not applicable", never a failure)."""
    verdict = evaluate_condition(rule.check["assert"], scope)
    if verdict.is_true:
        return Result(rule, subject, PASS)
    reason = f"whether it applies is not known ({applies.reason})"
    return _unknown_result(rule, subject, Verdict(None, verdict.bindings, reason), scope.child(**verdict.bindings))


def _fail_presentation(rule: Rule, scope: Scope) -> tuple[str, str, str | None]:
    check = rule.check
    for case in check.get("severity_by", ()):
        if evaluate_condition(case["when"], scope).is_true:
            return (case["severity"], case.get("message", check["message"]), case.get("anchor", check.get("anchor")))
    return rule.severity, check["message"], check.get("anchor")


def _unknown_result(rule: Rule, subject: Resource, verdict: Verdict, scope: Scope) -> Result:
    policy = rule.check.get("on_unknown", "warn")
    if policy == "skip":
        return Result(rule, subject, UNKNOWN, reason=verdict.reason)
    severity = "info" if policy == "info" or rule.severity == "info" else "warning"
    template = message_template(rule.check.get("unknown_message"), scope) or _unknown_subject(rule)
    anchor = rule.check.get("anchor")
    # an unknown points where the doubt is: the rule's anchor, or ``unknown_anchor`` when the
    # anchor's resource is only decided by a failure; the fingerprint keeps the rule's anchor
    location_anchor = rule.check.get("unknown_anchor", anchor)
    finding = _finding(rule, subject, scope, severity, "", location_anchor, UNKNOWN, key=anchor)
    names = [subject.address, finding.resource, *resource_names(scope)]
    finding.message = unknown_sentence(render(template, scope), verdict.reason, names)
    finding.reason = verdict.reason
    hint = _UNKNOWN_HINTS.get(finding.framework, f"{_UNKNOWN_HINT[0].upper()}{_UNKNOWN_HINT[1:]}")
    finding.fix = f"{hint}. Then: {finding.fix}"
    return Result(rule, subject, UNKNOWN, finding, reason=verdict.reason)


def _unknown_subject(rule: Rule) -> str:
    """What a rule without ``unknown_message`` could not verify: its title, for its subject
    (its failure message would print values that are not known)."""
    title = rule.title[:1].lower() + rule.title[1:] if rule.title[1:2].islower() else rule.title
    return f"for {{subject.address}} that {title}"


def _finding(
    rule: Rule,
    subject: Resource,
    scope: Scope,
    severity: str,
    message: str,
    anchor: str | None,
    outcome: str,
    key: str | None = None,
) -> Finding:
    resource, location = anchor_location(subject, scope, anchor)
    related = []
    if resource is not subject:
        related.append((subject.address, subject.location))
    if resource.module_call is not None and is_fetched_code(location.path):
        # the user cannot edit fetched code: report at their module block, the module's line beside it
        related.append((resource.address, location))
        location = resource.module_call
    elif resource.module_call is not None and is_fetched_code(resource.location.path):
        # located at the module argument the user wrote; the resource inside the module beside it
        related.append((resource.address, resource.location))
    elif resource.module_call is not None:
        related.append((resource.module_call_address or "module", resource.module_call))
    return Finding(
        rule_id=rule.id,
        severity=severity,
        title=rule.title,
        message=message,
        location=location,
        resource=resource.address,
        symptom=rule.symptom,
        fix=rule.remediation_for(resource.framework),
        outcome=outcome,
        related=related,
        docs=rule.spec.get("docs", ""),
        key=(anchor if key is None else key) or "",
        block_line=resource.location.line if resource.location.path == location.path else 0,
        framework=resource.framework,
    )


def anchor_location(subject: Resource, scope: Scope, anchor: str | None) -> tuple[Resource, Location]:
    """Resolve ``field.path`` or ``$binding[.field.path]`` to the resource and line it names."""
    if not anchor:
        return subject, subject.location
    if not anchor.startswith("$"):
        return subject, subject.location_of(anchor)
    binding, _, path = anchor[1:].partition(".")
    try:
        target = resolve_path("$" + binding, scope)
    except KeyError:
        target = None
    if isinstance(target, list) and target and isinstance(target[0], Resource):
        target = target[0]
    if not isinstance(target, Resource):
        return subject, subject.location
    return target, target.location_of(path or None)


_INSTANCE_KEY = re.compile(r"\[[^\[\]]*\]$")


def _block_address(address: str) -> str:
    """``aws_subnet.private[1]`` -> ``aws_subnet.private``."""
    return _INSTANCE_KEY.sub("", address)


def findings_of(results: Iterable[Result]) -> list[Finding]:
    """One defect, one finding: the same finding from several subjects merges, and one
    unresolved value that blocks several rules at one place is reported once."""
    merged: dict[tuple, Finding] = {}
    for result in results:
        finding = result.finding
        if finding is None:
            continue
        if finding.outcome == UNKNOWN:
            key: tuple = (UNKNOWN, finding.location, finding.reason)
        else:  # instances of one count/for_each block are one defect at one line
            key = (finding.rule_id, finding.location, _block_address(finding.resource), finding.outcome)
        existing = merged.get(key)
        if existing is None:
            merged[key] = finding
            continue
        if finding.resource != existing.resource:
            existing.related.append((finding.resource, finding.location))
        existing.related.extend(r for r in finding.related if r not in existing.related)
        if finding.rule_id != existing.rule_id and finding.rule_id not in existing.also:
            existing.also.append(finding.rule_id)
    for finding in merged.values():
        if finding.also:
            finding.message += f" (this also leaves {', '.join(finding.also)} unverified)"
    return sorted(merged.values(), key=Finding.sort_key)
