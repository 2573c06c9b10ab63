"""Machine-readable JSON: every field of every finding, plus the run summary."""

from __future__ import annotations

import json
from typing import Any

from analyzer import __version__
from analyzer.findings import Finding


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "title": finding.title,
        "message": finding.message,
        "file": finding.location.path,
        "line": finding.location.line,
        "column": finding.location.column,
        "resource": finding.resource,
        "symptom": finding.symptom,
        "fix": finding.fix,
        "outcome": finding.outcome,
        "fingerprint": finding.fingerprint,
        "related": [{"resource": address, "file": loc.path, "line": loc.line} for address, loc in finding.related],
    }


def render(findings: list[Finding], summary: dict[str, Any], rules: Any = None, color: bool = False, **_: Any) -> str:
    payload = {
        "tool": "eksjoin",
        "version": __version__,
        "summary": summary,
        "findings": [finding_dict(f) for f in findings],
    }
    return json.dumps(payload, indent=2) + "\n"
