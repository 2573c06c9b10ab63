"""Precedence declared in the rule files (``superseded_by``): one defect, one finding among the
rules that ran, and a superseded rule run on its own still reports the defect."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES
from fixture_cases import discover_cases

from analyzer.engine.catalogue import Rule, RuleError, load_catalogue
from analyzer.engine.precedence import apply_precedence
from analyzer.engine.runner import FAIL, PASS, SKIP, UNKNOWN, Result
from analyzer.location import Location
from analyzer.model.resource import Resource
from analyzer.pipeline import analyze

CATALOGUE = {rule.id: rule for rule in load_catalogue()}
SUPERSEDED = [rule for rule in CATALOGUE.values() if rule.superseded_by]


def _rule(rule_id: str, superseded_by: tuple[str, ...] = ()) -> Rule:
    spec = {"id": rule_id, "check": {"for_each": "eks.nodegroup"}}
    if superseded_by:
        spec["superseded_by"] = list(superseded_by)
    return Rule(rule_id, spec, Path(f"{rule_id}.yaml"))


def _node(address: str) -> Resource:
    return Resource("eks.nodegroup", address, address, "terraform", "aws_eks_node_group", Location("main.tf", 1))


def test_a_failure_gives_way_to_the_rule_that_supersedes_it_on_the_same_subject():
    loser, winner, other = _rule("EKS-UDATA-002", ("EKS-UDATA-003",)), _rule("EKS-UDATA-003"), _rule("EKS-AMI-002")
    first, second = _node("a"), _node("b")
    results = apply_precedence(
        [
            Result(loser, first, FAIL),
            Result(winner, first, FAIL),
            Result(loser, second, UNKNOWN),
            Result(winner, second, PASS),
            Result(other, second, FAIL),
        ]
    )
    assert [(r.rule.id, r.outcome) for r in results] == [
        ("EKS-UDATA-002", SKIP),
        ("EKS-UDATA-003", FAIL),
        ("EKS-UDATA-002", UNKNOWN),  # the superseding rule passed on b: nothing to give way to
        ("EKS-UDATA-003", PASS),
        ("EKS-AMI-002", FAIL),
    ]
    assert results[0].reason == "superseded by EKS-UDATA-003" and results[0].finding is None


def test_without_the_superseding_rule_the_failure_stays():
    loser = _rule("EKS-UDATA-002", ("EKS-UDATA-003",))
    [result] = apply_precedence([Result(loser, _node("a"), FAIL)])
    assert result.outcome == FAIL


def _write(tmp_path: Path, rule: Rule, **changes) -> None:
    spec = {**rule.spec, **changes}
    (tmp_path / f"{rule.id}.yaml").write_text(yaml.safe_dump(spec))


def test_superseded_by_must_name_a_rule_of_the_catalogue(tmp_path):
    _write(tmp_path, CATALOGUE["EKS-UDATA-003"], superseded_by=["EKS-UDATA-999"])
    with pytest.raises(RuleError, match=r"EKS-UDATA-003\.yaml: invalid rule at superseded_by: no rule EKS-UDATA-999"):
        load_catalogue(tmp_path)


def test_a_precedence_cycle_is_a_load_error(tmp_path):
    _write(tmp_path, CATALOGUE["EKS-UDATA-003"], superseded_by=["EKS-AMI-002"])
    _write(tmp_path, CATALOGUE["EKS-AMI-002"], superseded_by=["EKS-UDATA-003"])
    with pytest.raises(RuleError, match="supersedes itself"):
        load_catalogue(tmp_path)


def _analyze(case, rules):
    cwd = os.getcwd()
    os.chdir(case.path)
    try:
        return analyze([Path(".")], rules)
    finally:
        os.chdir(cwd)


def _superseding_fail_cases():
    winners = {winner for rule in SUPERSEDED for winner in rule.superseded_by}
    return [c for c in discover_cases(FIXTURES) if c.outcome == "fail" and c.rule_id in winners]


CASES = _superseding_fail_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_superseded_rule_run_alone_reports_the_defect(case):
    """On every failing fixture of a superseding rule: what gives way to it when both run is a
    failure when the superseded rule runs alone (--select), and never silently a pass."""
    losers = [rule for rule in SUPERSEDED if case.rule_id in rule.superseded_by]
    together = _analyze(case, [CATALOGUE[case.rule_id], *losers])
    superseded = [r for r in together.results if r.reason.startswith("superseded by")]
    for result in superseded:
        alone = _analyze(case, [result.rule])
        outcomes = {r.outcome for r in alone.results if r.subject.address == result.subject.address}
        assert outcomes & {FAIL, UNKNOWN}, f"{result.rule.id} alone on {result.subject.address}: {outcomes}"
        assert any(f.rule_id == result.rule.id for f in alone.findings) or UNKNOWN in outcomes
        assert not any(f.rule_id == result.rule.id for f in together.findings)


def test_the_al2023_node_without_nodeconfig_is_reported_by_the_nodeconfig_rule_alone():
    """bootstrap.sh on AL2023 and no NodeConfig: EKS-UDATA-003 reports it; with EKS-UDATA-003
    deselected, EKS-UDATA-002 reports the node that will never join instead of passing."""
    case = next(c for c in CASES if c.id == "EKS-UDATA-003/terraform/fail_self_managed_al2023")
    both = _analyze(case, [CATALOGUE["EKS-UDATA-003"], CATALOGUE["EKS-UDATA-002"]])
    assert {f.rule_id for f in both.findings if f.outcome == FAIL} == {"EKS-UDATA-003"}
    alone = _analyze(case, [CATALOGUE["EKS-UDATA-002"]])
    assert [f.severity for f in alone.findings if f.rule_id == "EKS-UDATA-002"] == ["error"]
