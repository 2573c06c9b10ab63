"""SARIF 2.1.0 for code-scanning tools: one result per finding with a physical location."""

from __future__ import annotations

import json
import os
import posixpath
from typing import Any
from urllib.parse import quote

from analyzer import __version__
from analyzer.diagnostics import HELP, TITLES
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
        "properties": {
            "category": spec["category"],
            "tags": ["eks", spec["category"]],
            "security-severity": _SECURITY_SEVERITY[spec["severity"]],
        },
    }
    return descriptor


# GitHub code scanning ranks results by this 0.0-10.0 score
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}


def _own_descriptor(rule_id: str, severity: str) -> dict[str, Any]:
    """Findings about the input and the run (LOAD-*, RUN-*, SUP-*) get a rule entry too."""
    return {
        "id": rule_id,
        "name": TITLES.get(rule_id, "Input problem").replace(" ", ""),
        "shortDescription": {"text": TITLES.get(rule_id, "Input problem")},
        "help": {"text": HELP.get(rule_id, "See the finding's message.")},
        "defaultConfiguration": {"level": _LEVELS[severity]},
        "properties": {
            "category": rule_id.split("-", 1)[0].lower(),
            "tags": ["eksjoin"],
            "security-severity": _SECURITY_SEVERITY[severity],
        },
    }


def artifact_location(path: str) -> dict[str, Any]:
    """A SARIF artifact location is a URI reference: spaces, ``%``, ``#``, non-ASCII and the
    raw bytes of a file name that is not UTF-8 (kept as surrogates) are percent-encoded. A
    path inside the scanned tree is relative to ``%SRCROOT%``; an absolute one is a file URI."""
    posix = path.replace(os.sep, "/")
    encoded = quote(os.fsencode(posix), safe="/")
    if posixpath.isabs(posix):
        return {"uri": f"file://{encoded}"}
    return {"uri": encoded, "uriBaseId": "%SRCROOT%"}


def _location(finding: Finding) -> dict[str, Any]:
    region = {"startLine": max(finding.location.line, 1), "startColumn": max(finding.location.column, 1)}
    return {
        "physicalLocation": {
            "artifactLocation": artifact_location(finding.location.path),
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
        "partialFingerprints": {"eksjoin/v2": finding.fingerprint},
        "properties": {"resource": finding.resource, "outcome": finding.outcome},
        "ruleIndex": rule_index[finding.rule_id],
    }
    if finding.location.path:
        result["locations"] = [_location(finding)]
    if finding.suppressed_by:
        kind = "external" if finding.suppressed_by == "baseline" else "inSource"
        result["suppressions"] = [{"kind": kind, "status": "accepted", "justification": finding.suppressed_by}]
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": i,
                "message": {"text": address},
                "physicalLocation": {
                    "artifactLocation": artifact_location(loc.path),
                    "region": {"startLine": max(loc.line, 1)},
                },
            }
            for i, (address, loc) in enumerate(finding.related)
        ]
    return result


def render(
    findings: list[Finding],
    summary: dict[str, Any],
    rules: Any = None,
    color: bool = False,
    suppressed: list[Finding] = (),
    **_: Any,
) -> str:
    rules = list(rules or [])
    results = sorted([*findings, *suppressed], key=Finding.sort_key)
    # a rule entry for every rule with a result (the catalogue's, or LOAD-*/RUN-*/SUP-*), in
    # catalogue order: code-scanning tools read each result's rule from it
    reported = {f.rule_id for f in results}
    descriptors = [_rule_descriptor(r) for r in rules if r.id in reported]
    for finding in results:
        if finding.rule_id not in {d["id"] for d in descriptors}:
            descriptors.append(_own_descriptor(finding.rule_id, finding.severity))
    rule_index = {d["id"]: i for i, d in enumerate(descriptors)}
    run = {
        "tool": {
            "driver": {
                "name": "eksjoin",
                "version": __version__,
                "informationUri": "https://pypi.org/project/eksjoin/",
                "rules": descriptors,
            }
        },
        "results": [_result(f, rule_index) for f in results],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
