"""JUnit XML: one test case per rule and resource, so CI dashboards count checks, not lines.

A case fails only for a finding at or above ``--fail-on`` (what fails the job fails the
test); a check that could not be decided, or a finding that an ignore or the baseline hides,
is skipped with the reason; a finding below the threshold passes with its text attached. Checks
that do not apply to a resource are not test cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from analyzer.findings import SEVERITY_RANK, Finding

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass
class _Case:
    rule_id: str
    resource: str
    findings: list[Finding] = field(default_factory=list)
    hidden: list[Finding] = field(default_factory=list)  # suppressed
    unknown_reason: str = ""  # a check that was not decided and reported nothing

    def status(self, fail_on: str) -> str:
        threshold = SEVERITY_RANK.get(fail_on, 99)  # never: nothing fails
        if any(f.outcome != "unknown" and SEVERITY_RANK[f.severity] >= threshold for f in self.findings):
            return FAILED
        if any(f.outcome != "unknown" for f in self.findings):
            return PASSED  # below the threshold: reported, not failing
        if self.findings or self.hidden or self.unknown_reason:
            return SKIPPED
        return PASSED


def _cases(findings: list[Finding], suppressed: list[Finding], results: list[Any]) -> list[_Case]:
    cases: dict[tuple[str, str], _Case] = {}

    def case(rule_id: str, resource: str) -> _Case:
        return cases.setdefault((rule_id, resource), _Case(rule_id, resource))

    for finding in findings:
        case(finding.rule_id, finding.resource).findings.append(finding)
    for finding in suppressed:
        case(finding.rule_id, finding.resource).hidden.append(finding)
    for result in results:
        if result.outcome == "pass":
            case(result.rule.id, result.subject.address)
        elif result.outcome == "unknown" and result.finding is None:
            case(result.rule.id, result.subject.address).unknown_reason = result.reason or "not known"
    return sorted(cases.values(), key=lambda c: (c.rule_id, c.resource))


def _text(findings: list[Finding]) -> str:
    return "\n\n".join(
        f"{f.location}: {f.message}"
        + (f"\nsymptom: {f.symptom}" if f.symptom else "")
        + (f"\nfix: {f.fix}" if f.fix else "")
        for f in findings
    )


def render(
    findings: list[Finding],
    summary: dict[str, Any],
    rules: Any = None,
    color: bool = False,
    suppressed: list[Finding] = (),
    results: list[Any] = (),
    fail_on: str = "error",
    **_: Any,
) -> str:
    cases = _cases(findings, list(suppressed), list(results))
    statuses = [c.status(fail_on) for c in cases]
    suite = ET.Element(
        "testsuite",
        name="eksjoin",
        tests=str(len(cases)),
        failures=str(statuses.count(FAILED)),
        errors="0",
        skipped=str(statuses.count(SKIPPED)),
    )
    for case, status in zip(cases, statuses, strict=True):
        first = (case.findings or case.hidden or [None])[0]
        element = ET.SubElement(suite, "testcase", classname=case.rule_id, name=case.resource or "(the run)")
        if first is not None and first.location.path:
            element.set("file", first.location.path)
            element.set("line", str(first.location.line))
        if status == FAILED:
            failing = [f for f in case.findings if f.outcome != "unknown"]
            worst = max(failing, key=lambda f: SEVERITY_RANK[f.severity])
            failure = ET.SubElement(element, "failure", type=worst.severity, message=worst.message)
            failure.text = _text(case.findings)
        elif status == SKIPPED:
            ET.SubElement(element, "skipped", message=_skip_reason(case))
        elif case.findings:
            ET.SubElement(element, "system-out").text = _text(case.findings)
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _skip_reason(case: _Case) -> str:
    if case.findings:  # unknown outcomes: what could not be resolved
        return "not decided: " + "; ".join(dict.fromkeys(f.reason or f.message for f in case.findings))
    if case.hidden:
        return "suppressed by " + ", ".join(dict.fromkeys(f.suppressed_by for f in case.hidden))
    return f"not decided: {case.unknown_reason}"
