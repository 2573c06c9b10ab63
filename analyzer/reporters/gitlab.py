"""GitLab code quality: the CodeClimate subset GitLab reads (description, check_name,
fingerprint, severity, location.path, location.lines.begin), for `artifacts:reports:codequality`."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from analyzer.findings import Finding

_SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    description = f"{finding.rule_id}: {finding.message}"
    if finding.fix:
        description += f" Fix: {' '.join(finding.fix.split())}"
    return {
        "description": description,
        "check_name": finding.rule_id,
        "fingerprint": fingerprint,
        "severity": _SEVERITIES[finding.severity],
        # repository-relative, as GitLab links it; a finding about the run itself has no file
        "location": {
            "path": finding.repo_path or finding.location.path or ".",
            "lines": {"begin": max(finding.location.line, 1)},
        },
    }


def render(findings: list[Finding], summary: dict[str, Any], rules: Any = None, color: bool = False, **_: Any) -> str:
    issues, seen = [], set()
    for finding in findings:
        fingerprint = finding.fingerprint
        if fingerprint in seen:  # GitLab needs one per issue: two findings of one key differ by message
            fingerprint = hashlib.sha256(f"{fingerprint}\x1f{finding.message}".encode()).hexdigest()[:16]
        seen.add(fingerprint)
        issues.append(_issue(finding, fingerprint))
    return json.dumps(issues, indent=2) + "\n"
