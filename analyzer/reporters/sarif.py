"""SARIF 2.1.0 for code-scanning tools: one result per finding with a physical location."""

from __future__ import annotations

import json
from typing import Any

from analyzer import __version__
from analyzer.findings import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    spec = rule.spec
    descriptor = {
        "id": rule.id,
        "name": spec["name"],
        "shortDescription": {"text": spec["title"]},
        "fullDescription": {"text": " ".join(spec["summary"].split())},
        "help": {"text": " ".join(spec["remediation"].split()), "markdown": spec["remediation"].strip()},
        "defaultConfiguration": {"level": _LEVELS[spec["severity"]]},
        "properties": {"category": spec["category"], "tags": ["eks", spec["category"]]},
    }
    return descriptor


def _location(finding: Finding) -> dict[str, Any]:
    region = {"startLine": max(finding.location.line, 1), "startColumn": max(finding.location.column, 1)}
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": finding.location.path, "uriBaseId": "%SRCROOT%"},
            "region": region,
        }
    }


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    text = finding.message
    if finding.symptom:
        text += f" Symptom: {finding.symptom}."
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [_location(finding)],
        "partialFingerprints": {"eksjoin/v1": finding.fingerprint},
        "properties": {"resource": finding.resource, "outcome": finding.outcome},
    }
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": i,
                "message": {"text": address},
                "physicalLocation": {
                    "artifactLocation": {"uri": loc.path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(loc.line, 1)},
                },
            }
            for i, (address, loc) in enumerate(finding.related)
        ]
    return result


def render(findings: list[Finding], summary: dict[str, Any], rules: Any = None, color: bool = False) -> str:
    rules = list(rules or [])
    rule_index = {rule.id: i for i, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "eksjoin",
                "version": __version__,
                "informationUri": "https://pypi.org/project/eksjoin/",
                "rules": [_rule_descriptor(r) for r in rules],
            }
        },
        "results": [_result(f, rule_index) for f in findings],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
