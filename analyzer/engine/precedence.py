"""One defect, one finding: precedence between rules, declared in the rule files.

A rule lists the rules that report its defect better (``superseded_by``). After every
selected rule has run, a failure or unknown of a rule gives way when a rule it names failed
on the same subject. Only rules that ran take part: with the superseding rule deselected
(``--select`` / ``--ignore``), the superseded rule reports the defect itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.engine.runner import FAIL, SKIP, UNKNOWN, Result


def apply_precedence(results: Iterable[Result]) -> list[Result]:
    results = list(results)
    failed = {(r.rule.id, id(r.subject)) for r in results if r.outcome == FAIL}
    return [_give_way(result, failed) for result in results]


def _give_way(result: Result, failed: set[tuple[str, int]]) -> Result:
    if result.outcome not in (FAIL, UNKNOWN):
        return result
    winners = [rule_id for rule_id in result.rule.superseded_by if (rule_id, id(result.subject)) in failed]
    if not winners:
        return result
    return Result(result.rule, result.subject, SKIP, reason=f"superseded by {', '.join(winners)}")
