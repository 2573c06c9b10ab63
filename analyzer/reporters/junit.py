"""JUnit XML: one test case per finding, so CI dashboards list them as failures."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from analyzer.findings import Finding


def render(findings: list[Finding], summary: dict[str, Any], rules: Any = None, color: bool = False, **_: Any) -> str:
    failing = [f for f in findings if f.severity in ("error", "warning")]
    suite = ET.Element(
        "testsuite",
        name="eksjoin",
        tests=str(max(len(findings), 1)),
        failures=str(len(failing)),
        errors="0",
        skipped="0",
    )
    if not findings:
        ET.SubElement(suite, "testcase", classname="eksjoin", name="no findings")
    for finding in findings:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=finding.rule_id,
            name=f"{finding.location} {finding.resource}".strip(),
            file=finding.location.path,
            line=str(finding.location.line),
        )
        tag = "failure" if finding in failing else "system-out"
        element = ET.SubElement(case, tag)
        if tag == "failure":
            element.set("type", finding.severity)
            element.set("message", finding.message)
        element.text = f"{finding.message}\nsymptom: {finding.symptom}\nfix: {finding.fix}"
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
