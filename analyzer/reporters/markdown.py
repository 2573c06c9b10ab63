"""Markdown: a table for pull-request comments and job summaries."""

from __future__ import annotations

from typing import Any

from analyzer.findings import Finding


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(findings: list[Finding], summary: dict[str, Any], rules: Any = None, color: bool = False, **_: Any) -> str:
    lines = ["## eksjoin", ""]
    if not findings:
        lines.append("No findings: nothing here stops nodes from joining.")
    else:
        lines += ["| Severity | Rule | Location | Resource | Finding | Fix |", "|---|---|---|---|---|---|"]
        for f in findings:
            lines.append(
                f"| {f.severity} | {f.rule_id} | `{f.location.path}:{f.location.line}` "
                f"| `{_cell(f.resource)}` | {_cell(f.message)} | {_cell(f.fix)} |"
            )
    lines += [
        "",
        f"{summary['checks']} checks on {summary['resources']} resources in "
        f"{summary['files']} files: {summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['unknown']} unknown.",
    ]
    return "\n".join(lines) + "\n"
