"""Human-readable output: one block per finding, grouped by file, then a summary."""

from __future__ import annotations

from typing import Any

import click

from analyzer.findings import Finding
from analyzer.reporters.common import at_or_above, printable, rule_counts

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def render(
    findings: list[Finding],
    summary: dict[str, Any],
    rules: Any = None,
    color: bool = False,
    quiet: bool = False,
    compact: bool = False,
    min_severity: str | None = None,
    **_: Any,
) -> str:
    """``quiet``: the summary only; ``compact``: one line per finding; ``min_severity``: show
    only findings at or above it (the summary still counts every finding)."""
    shown = [] if quiet else at_or_above(findings, min_severity)
    lines = _compact_lines(shown, color) if compact else _block_lines(shown, color)
    lines.append(_summary_line(findings, summary) + _hidden_part(len(findings) - len(shown), quiet, min_severity))
    if not quiet:
        lines.extend(_rule_count_lines(findings))
        lines.extend(_causes_lines(summary))
    return "\n".join(lines).lstrip("\n") + "\n"


def _hidden_part(hidden: int, quiet: bool, min_severity: str | None) -> str:
    if not hidden or quiet:
        return ""
    return f" ({hidden} below {min_severity} not shown)"


def _rule_count_lines(findings: list[Finding]) -> list[str]:
    rows = rule_counts(findings)
    if len(rows) < 2:
        return []
    return ["by rule: " + ", ".join(f"{r.rule_id} {r.count}" for r in rows)]


def _compact_lines(findings: list[Finding], color: bool) -> list[str]:
    """``file:line:col: severity RULE message`` — the shape editors and grep understand."""
    lines = []
    for finding in findings:
        where = (
            f"{finding.location.path}:{finding.location.line}:{finding.location.column}"
            if finding.location.path
            else "eksjoin"
        )
        where = printable(where)
        lines.append(
            f"{where}: {_severity_label(finding.severity, color)} {finding.rule_id} {printable(finding.message)}"
        )
    return lines


def _severity_label(severity: str, color: bool) -> str:
    """The severity padded by its plain word, so colour codes never shift the columns."""
    padding = " " * (7 - len(severity))
    return (click.style(severity, fg=_COLOURS[severity], bold=True) if color else severity) + padding


def _block_lines(findings: list[Finding], color: bool) -> list[str]:
    lines: list[str] = []
    current_file = None
    for finding in findings:
        if not finding.location.path:  # about the run itself
            lines.extend(_finding_lines(finding, color)[:1] + [f"           fix:      {printable(finding.fix)}"])
            continue
        if finding.location.path != current_file:
            current_file = finding.location.path
            shown = printable(current_file)
            lines.append(click.style(shown, bold=True) if color else shown)
        lines.extend(_finding_lines(finding, color))
    return lines


def _finding_lines(finding: Finding, color: bool) -> list[str]:
    where = f"{finding.location.line}:{finding.location.column}" if finding.location.path else ""
    head = f"  {where:<8} {_severity_label(finding.severity, color)} {finding.rule_id}  {printable(finding.message)}"
    lines = [head]
    if finding.resource:
        lines.append(f"           resource: {printable(finding.resource)}")
    if finding.symptom:
        lines.append(f"           symptom:  {printable(finding.symptom)}")
    if finding.fix:
        lines.append(f"           fix:      {printable(' '.join(finding.fix.split()))}")
    for address, location in finding.related:
        lines.append(f"           related:  {printable(str(address))} at {printable(str(location))}")
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
