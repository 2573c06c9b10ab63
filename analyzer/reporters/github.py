"""GitHub Actions workflow commands: findings become annotations on the pull request."""

from __future__ import annotations

from typing import Any

from analyzer.findings import Finding
from analyzer.reporters.common import printable

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(text: str, property_value: bool = False) -> str:
    """A workflow command's own escapes, after every control character from a value is written
    as an escape: only the line break this reporter puts in (before ``Fix:``) stays one."""
    text = "\n".join(printable(part) for part in text.split("\n"))
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render(findings: list[Finding], summary: dict[str, Any], rules: Any = None, color: bool = False, **_: Any) -> str:
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
    # a clean run still says what it scanned: a gate pointed at the wrong path must not be silent
    lines.append(f"::notice title=eksjoin::{_escape(scanned(findings, summary))}")
    return "\n".join(lines) + "\n"


def scanned(findings: list[Finding], summary: dict[str, Any]) -> str:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    text = (
        f"eksjoin: {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info in "
        f"{summary['files']} file(s), {summary['resources']} resource(s), {summary['checks']} check(s) "
        f"({summary['passed']} passed, {summary['failed']} failed, {summary['unknown']} unknown)"
    )
    return text + (f"; {summary['suppressed']} suppressed" if summary.get("suppressed") else "")
