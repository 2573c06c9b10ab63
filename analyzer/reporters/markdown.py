"""Markdown for pull-request comments and job summaries: the counts first (by severity, then
one row per rule), each rule's findings folded under ``<details>``, a join-path diagram per
cluster, and a size cap (GitHub refuses comments over 65,536 characters) that leaves out the
least severe findings first and says how many it left out."""

from __future__ import annotations

from typing import Any

from analyzer.findings import Finding
from analyzer.reporters.common import RuleCount, plural, printable, rule_counts, scanned_sentence, severity_counts

DEFAULT_MAX_CHARS = 64_000
_NOTE_RESERVE = 400  # room for the truncation note, which is written last


def _cell(text: str) -> str:
    """Plain table text: one line, pipes escaped, and no HTML (``<generated>`` would vanish)."""
    return printable(" ".join(text.split())).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    one_line = printable(" ".join(text.split())).replace("|", "\\|").replace("`", "'")
    return f"`{one_line}`" if text else ""


def render(
    findings: list[Finding],
    summary: dict[str, Any],
    rules: Any = None,
    color: bool = False,
    max_chars: int | None = None,
    model: Any = None,
    **_: Any,
) -> str:
    limit = max_chars or DEFAULT_MAX_CHARS
    from analyzer.reporters import joinpath  # the model's facts: not imported for --help or --version

    diagrams = joinpath.diagrams(model, findings)
    text = _render(findings, summary, diagrams or [], limit, limit)
    chars = limit
    for _ in range(5):  # the budget estimates the joined lines: shrink it until the report fits
        if len(text) <= limit:
            break
        chars -= len(text) - limit + 200
        text = _render(findings, summary, diagrams or [], limit, chars)
    return text


def _render(findings: list[Finding], summary: dict[str, Any], diagrams: list[str], limit: int, chars: int) -> str:
    head = _head(findings, summary)
    budget = _Budget(chars - len(head) - _NOTE_RESERVE)
    sections = [_Section(row, [f for f in findings if f.rule_id == row.rule_id]) for row in rule_counts(findings)]
    shown = [s for s in sections if s.frame_fits(budget)]
    # the join paths get up to a quarter of what is left before the rows fill the rest
    diagram_budget = _Budget(budget.chars // 4)
    fitting = [d for d in diagrams if diagram_budget.take(d)]
    budget.chars -= budget.chars // 4 - diagram_budget.chars
    for section in shown:  # most severe rules first: they keep their rows when space runs out
        section.fill(budget)
    body = [line for section in shown for line in section.lines()]
    if fitting:
        body += ["### Join paths", "", *(line for d in fitting for line in (d, ""))]
    left_out = budget.left_out + sum(len(s.findings) for s in sections if s not in shown)
    note = _note(left_out, len(diagrams) - len(fitting), limit)
    return "\n".join([head, *([note] if note else []), *body]).rstrip("\n") + "\n"


def _head(findings: list[Finding], summary: dict[str, Any]) -> str:
    counts = severity_counts(findings)
    lines = ["## eksjoin", ""]
    if findings:
        worst = ", ".join(plural(counts[s], s) for s in ("error", "warning") if counts[s] or s == "error")
        lines.append(f"**{worst}, {counts['info']} info.** {scanned_sentence(summary)}")
    else:
        lines.append(f"**No findings:** nothing here stops nodes from joining. {scanned_sentence(summary)}")
    rows = rule_counts(findings)
    if rows:
        lines += ["", "| Rule | Severity | Findings | Title |", "|---|---|---:|---|"]
        lines += [f"| {r.rule_id} | {r.severities} | {r.count} | {_cell(r.title)} |" for r in rows]
    return "\n".join(lines) + "\n"


class _Budget:
    """Characters left for details; what did not fit is counted, never silently dropped."""

    def __init__(self, chars: int):
        self.chars = chars
        self.left_out = 0

    def take(self, text: str) -> bool:
        if len(text) + 1 > self.chars:
            return False
        self.chars -= len(text) + 1
        return True


MAX_ROWS_PER_RULE = 50  # one rule with hundreds of findings must not crowd out the others


class _Section:
    """One rule's findings, folded: its fixes once, then one row per finding."""

    def __init__(self, row: RuleCount, findings: list[Finding]):
        self.row, self.findings = row, findings
        fixes = list(dict.fromkeys(" ".join(f.fix.split()) for f in findings if f.fix))
        self.opening = [
            "<details>",
            f"<summary><b>{row.rule_id}</b> ({row.severities}): {_cell(row.title)} — "
            f"{plural(row.count, 'finding')}</summary>",
            "",
            *(f"**Fix:** {fix}\n" for fix in fixes),
            "| Location | Resource | Finding |",
            "|---|---|---|",
        ]
        self.rows: list[str] = []
        self.left_out = 0

    def frame_fits(self, budget: _Budget) -> bool:
        return budget.take("\n".join([*self.opening, "", "</details>", "", ""]))

    def fill(self, budget: _Budget) -> None:
        for finding in self.findings:
            where = f"{finding.location.path}:{finding.location.line}" if finding.location.path else "(the run)"
            text = f"| {_code(where)} | {_code(finding.resource)} | {_cell(finding.message)} |"
            if len(self.rows) < MAX_ROWS_PER_RULE and budget.take(text):
                self.rows.append(text)
            else:
                self.left_out += 1
        if self.left_out:
            budget.left_out += self.left_out
            budget.chars -= 80

    def lines(self) -> list[str]:
        more = [f"| … | | {plural(self.left_out, 'more finding')} of {self.row.rule_id} left out |"]
        return [*self.opening, *self.rows, *(more if self.left_out else []), "", "</details>", ""]


def _note(findings_left_out: int, diagrams_left_out: int, limit: int) -> str:
    parts = []
    if findings_left_out:
        parts.append(plural(findings_left_out, "finding"))
    if diagrams_left_out:
        parts.append(plural(diagrams_left_out, "join-path diagram"))
    if not parts:
        return ""
    return (
        f"> **Truncated:** {' and '.join(parts)} left out to keep this report under {limit:,} characters "
        "(`--max-chars`); `--format json` or `--format sarif` lists every finding.\n"
    )
