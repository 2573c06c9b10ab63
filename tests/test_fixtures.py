"""Every fixture case: the rule's outcome, and findings exactly where annotated."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES
from fixture_cases import discover_cases
from sentences import problems

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import Options, analyze

CASES = discover_cases(FIXTURES)
RULES = {rule.id: rule for rule in load_catalogue()}


def _options(case) -> Options:
    raw = case.options
    params = dict(raw.get("cfn_params", {}))
    if raw.get("cfn_params_file"):
        from analyzer.cloudformation import load_parameter_file

        params = {**load_parameter_file(case.path / raw["cfn_params_file"]), **params}
    return Options(
        var_files=tuple(case.path / f for f in raw.get("var_files", [])),
        variables={k: str(v) for k, v in raw.get("vars", {}).items()},
        cfn_parameters=params,
    )


def _run(case):
    rules = [r for r in load_catalogue() if r.id == case.rule_id]
    assert rules, f"no rule {case.rule_id}"
    cwd = os.getcwd()
    os.chdir(case.path)  # findings then carry paths relative to the case directory
    try:
        return analyze([Path(".")], rules, _options(case))
    finally:
        os.chdir(cwd)


def _assert_load_findings(case, analysis) -> None:
    """The case's load findings above info are exactly those options.yaml declares: an ID
    (`LOAD-006`), or `{id, severity, line}` for one finding that must be there as written."""
    declared = case.options.get("load_findings", [])
    load_problems = [f for f in analysis.findings if f.outcome == "load" and f.severity != "info"]
    expected_ids = {entry["id"] if isinstance(entry, dict) else entry for entry in declared}
    assert {f.rule_id for f in load_problems} == expected_ids, f"fixture load findings: {load_problems}"
    for entry in (e for e in declared if isinstance(e, dict)):
        matching = [
            f
            for f in load_problems
            if f.rule_id == entry["id"]
            and f.severity == entry.get("severity", f.severity)
            and f.location.line == entry.get("line", f.location.line)
        ]
        assert matching, f"no {entry} among {load_problems}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture(case):
    analysis = _run(case)
    outcomes = {r.outcome for r in analysis.results if r.rule.id == case.rule_id}
    findings = [f for f in analysis.findings if f.rule_id == case.rule_id]
    _assert_load_findings(case, analysis)
    reported = {(f.location.path, f.location.line) for f in findings}
    if case.outcome == "fail":
        assert "fail" in outcomes, f"expected a failure, got {outcomes}: {findings}"
        assert case.expect, "a fail_ case must annotate where the finding goes (# expect:)"
        expected = {(e.file, e.line) for e in case.expect}
        assert reported == expected, f"findings at {sorted(reported)}, expected {sorted(expected)}"
        for expectation in case.expect:
            if expectation.severity:
                severities = {
                    f.severity
                    for f in findings
                    if (f.location.path, f.location.line) == (expectation.file, expectation.line)
                }
                assert expectation.severity in severities, severities
    elif case.outcome == "pass":
        assert "pass" in outcomes, f"expected the rule to pass on a subject, got {outcomes}"
        assert not findings, findings
    elif case.outcome == "unknown":
        assert "unknown" in outcomes and "fail" not in outcomes, outcomes
        assert all(f.severity != "error" for f in findings), findings
        reasons = [r.reason for r in analysis.results if r.rule.id == case.rule_id and r.outcome == "unknown"]
        assert case.reason, (
            f"an unknown_ case names the value it is about: add `reason: ...` to expected.yaml ({reasons})"
        )
        assert any(case.reason in reason for reason in reasons), f"no unknown names {case.reason!r}: {reasons}"
    else:
        assert outcomes <= {"skip"}, outcomes
        assert not findings, findings
    for ok in case.ok:
        assert (ok.file, ok.line) not in reported, f"unexpected finding at {ok.file}:{ok.line}"
    garbled = [p for f in analysis.findings for p in problems(f, RULES.get(f.rule_id))]
    assert not garbled, garbled
