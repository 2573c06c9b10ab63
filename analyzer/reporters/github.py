"""GitHub Actions workflow commands: findings become annotations on the pull request."""

from __future__ import annotations

from typing import Any

from analyzer.findings import Finding

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render(findings: list[Finding], summary: dict[str, Any], rules: Any = None, color: bool = False) -> str:
    lines = []
    for finding in findings:
        properties = ",".join(
            [
                f"file={_escape(finding.location.path, True)}",
                f"line={finding.location.line}",
                f"col={finding.location.column}",
                f"title={_escape(finding.rule_id + ' ' + finding.title, True)}",
            ]
        )
        body = finding.message
        if finding.fix:
            body += f"\nFix: {' '.join(finding.fix.split())}"
        lines.append(f"::{_COMMANDS[finding.severity]} {properties}::{_escape(body)}")
    return "\n".join(lines) + ("\n" if lines else "")
