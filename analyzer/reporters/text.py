"""Human-readable output: one block per finding, grouped by file, then a summary."""

from __future__ import annotations

from typing import Any

import click

from analyzer.findings import Finding

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def render(findings: list[Finding], summary: dict[str, Any], rules: Any = None, color: bool = False, **_: Any) -> str:
    lines: list[str] = []
    current_file = None
    for finding in findings:
        if not finding.location.path:  # about the run itself
            lines.extend(_finding_lines(finding, color)[:1] + [f"           fix:      {finding.fix}"])
            continue
        if finding.location.path != current_file:
            current_file = finding.location.path
            lines.append(click.style(current_file, bold=True) if color else current_file)
        lines.extend(_finding_lines(finding, color))
    lines.append(_summary_line(findings, summary))
    lines.extend(_causes_lines(summary))
    return "\n".join(lines) + "\n"


def _finding_lines(finding: Finding, color: bool) -> list[str]:
    severity = finding.severity
    label = click.style(severity, fg=_COLOURS[severity], bold=True) if color else severity
    where = f"{finding.location.line}:{finding.location.column}" if finding.location.path else ""
    padding = " " * (7 - len(severity))  # padded by the plain word, so colour keeps the columns
    head = f"  {where:<8} {label}{padding} {finding.rule_id}  {finding.message}"
    lines = [head]
    if finding.resource:
        lines.append(f"           resource: {finding.resource}")
    if finding.symptom:
        lines.append(f"           symptom:  {finding.symptom}")
    if finding.fix:
        lines.append(f"           fix:      {' '.join(finding.fix.split())}")
    for address, location in finding.related:
        lines.append(f"           related:  {address} at {location}")
    return lines


def _summary_line(findings: list[Finding], summary: dict[str, Any]) -> str:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    parts = [f"{counts['error']} error(s)", f"{counts['warning']} warning(s)", f"{counts['info']} info"]
    return (
        f"\n{', '.join(parts)} — {summary['files']} file(s), {summary['resources']} "
        f"resource(s), {summary['checks']} check(s): {summary['passed']} passed, "
        f"{summary['failed']} failed, {summary['unknown']} unknown, "
        f"{summary['skipped']} not applicable{_modules_part(summary)}"
        + (f"; {summary['suppressed']} suppressed" if summary.get("suppressed") else "")
    )


TOP_CAUSES = 3


def _causes_lines(summary: dict[str, Any]) -> list[str]:
    """The few causes that leave most checks unknown (the JSON report lists them all)."""
    causes = summary.get("unknown_causes") or []
    if not causes:
        return []
    lines = ["unknown because:"]
    lines += [f"  {c['checks']} check(s): {c['cause']}" for c in causes[:TOP_CAUSES]]
    if len(causes) > TOP_CAUSES:
        lines.append(f"  and {len(causes) - TOP_CAUSES} other cause(s) (--format json lists them all)")
    return lines


def _modules_part(summary: dict[str, Any]) -> str:
    loaded, missing = summary.get("modules_loaded", 0), summary.get("modules_not_loaded", 0)
    if not loaded and not missing:
        return ""
    return f"; remote modules: {loaded} loaded, {missing} not loaded"
