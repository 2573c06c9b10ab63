"""What several reporters say the same way: counts by severity and by rule, and the order
in which findings are worth reading (most severe first)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from analyzer.findings import SEVERITIES, SEVERITY_RANK, Finding


def _escapes() -> dict[int, str]:
    """Control characters (C0, DEL, C1), line and paragraph separators and the bidirectional
    overrides: each could start a new line, a terminal sequence or a workflow command, or make
    text read differently from what it is."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    codes = [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    table = {}
    for code in codes:
        char = chr(code)
        table[code] = named.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return table


_ESCAPES = _escapes()


def printable(text: str) -> str:
    """``text`` with every character that could change what a reader or a CI runner sees
    written as an escape: values from the scanned files reach messages, and a newline in one
    must not become a line of its own (``::error ...`` is a GitHub workflow command)."""
    return text.translate(_ESCAPES)


@dataclass
class RuleCount:
    rule_id: str
    severity: str  # the most severe of the rule's findings
    count: int
    title: str
    by_severity: dict[str, int] = field(default_factory=dict)

    @property
    def severities(self) -> str:
        """``error``, or ``2 error, 6 warning`` for a rule whose findings differ in severity:
        a row must not call eight findings errors when two are."""
        present = [(s, n) for s, n in self.by_severity.items() if n]
        if len(present) <= 1:
            return self.severity
        return ", ".join(f"{n} {s}" for s, n in sorted(present, key=lambda p: -SEVERITY_RANK[p[0]]))


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    return {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}


def rule_counts(findings: list[Finding]) -> list[RuleCount]:
    """One row per rule: most severe rules first, then the most frequent, then by ID."""
    counts = Counter(f.rule_id for f in findings)
    worst: dict[str, Finding] = {}
    for finding in findings:
        seen = worst.get(finding.rule_id)
        if seen is None or SEVERITY_RANK[finding.severity] > SEVERITY_RANK[seen.severity]:
            worst[finding.rule_id] = finding
    mix = Counter((f.rule_id, f.severity) for f in findings)
    rows = [
        RuleCount(rule, worst[rule].severity, n, worst[rule].title, {s: mix[rule, s] for s in SEVERITIES})
        for rule, n in counts.items()
    ]
    return sorted(rows, key=lambda r: (-SEVERITY_RANK[r.severity], -r.count, r.rule_id))


def by_severity(findings: list[Finding]) -> list[Finding]:
    """Most severe first; within a severity, the reporters' usual file/line order."""
    return sorted(findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.sort_key()))


def at_or_above(findings: list[Finding], severity: str | None) -> list[Finding]:
    if not severity:
        return list(findings)
    return [f for f in findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[severity]]


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def scanned_sentence(summary: dict[str, Any]) -> str:
    """What the run looked at, as one sentence every format can print."""
    text = (
        f"{plural(summary['checks'], 'check')} on {plural(summary['resources'], 'resource')} in "
        f"{plural(summary['files'], 'file')}: {summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['unknown']} unknown, {summary['skipped']} not applicable"
    )
    if summary.get("suppressed"):
        text += f"; {summary['suppressed']} suppressed"
    return text + "."
