"""Conditions are decided with three-valued logic; resource Conditions filter resources."""

from __future__ import annotations

import pytest

from analyzer.cloudformation import load_template_text
from analyzer.diagnostics import EVALUATION
from analyzer.values import Unknown

UNDECIDED = "undecided"

# Conditions of intrinsics-base.yaml: Env defaults to prod, AWS::Region is not known.
CASES = [
    ("IsProd", True),
    ("IsDev", False),
    ("InUsEast1", UNDECIDED),
    ("HasClusterName", UNDECIDED),  # ClusterName has no default
    ("ProdAndUsEast1", UNDECIDED),  # True and unknown
    ("DevAndUsEast1", False),  # False and unknown
    ("ProdOrUsEast1", True),  # True or unknown
    ("DevOrUsEast1", UNDECIDED),  # False or unknown
    ("NotUsEast1", UNDECIDED),
    ("EnabledIsTrue", True),  # "true" (string parameter) equals YAML true
    ("SameRegion", True),  # the same unknown on both sides
]


def expect(decision: object, expected: object) -> None:
    if expected == UNDECIDED:
        assert isinstance(decision, Unknown), decision
    else:
        assert decision is expected


@pytest.mark.parametrize("name, expected", CASES, ids=[c[0] for c in CASES])
def test_three_valued_conditions(evaluate, name: str, expected: object) -> None:
    _, template = evaluate("x")
    expect(template.conditions[name], expected)


@pytest.mark.parametrize(
    "parameters, name, expected",
    [
        ({"ClusterName": "demo"}, "HasClusterName", True),
        ({"ClusterName": ""}, "HasClusterName", False),
        ({"Env": "dev"}, "IsProd", False),
        ({"Env": "dev"}, "DevAndUsEast1", UNDECIDED),
        ({"Env": "dev"}, "ProdOrUsEast1", UNDECIDED),
    ],
)
def test_given_parameters_decide_conditions(evaluate, parameters, name, expected) -> None:
    _, template = evaluate("x", parameters)
    expect(template.conditions[name], expected)


def test_undecided_condition_says_why(evaluate) -> None:
    _, template = evaluate("x")
    reason = template.conditions["HasClusterName"].reason
    assert "HasClusterName" in reason and "ClusterName has no default" in reason


RESOURCES = """
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
  InUsEast1: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  Always:
    Type: AWS::SNS::Topic
  ProdOnly:
    Type: AWS::SNS::Topic
    Condition: IsProd
  DevOnly:
    Type: AWS::SNS::Topic
    Condition: IsDev
  MaybeEast:
    Type: AWS::SNS::Topic
    Condition: InUsEast1
"""


def test_resource_conditions() -> None:
    template = load_template_text(RESOURCES, display="r.yaml", key="t")
    by_id = {r.logical_id: r for r in template.resources}
    assert set(by_id) == {"Always", "ProdOnly", "MaybeEast"}  # DevOnly is never created
    assert (by_id["Always"].condition, by_id["Always"].may_exist) == (None, False)
    assert (by_id["ProdOnly"].condition, by_id["ProdOnly"].may_exist) == ("IsProd", False)
    assert (by_id["MaybeEast"].condition, by_id["MaybeEast"].may_exist) == ("InUsEast1", True)
    assert template.diagnostics == []


def test_given_parameter_changes_which_resources_exist() -> None:
    template = load_template_text(RESOURCES, display="r.yaml", key="t", parameters={"Env": "dev"})
    assert {r.logical_id for r in template.resources} == {"Always", "DevOnly", "MaybeEast"}


def test_resource_with_undefined_condition_may_exist() -> None:
    template = load_template_text(
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: Nowhere\n",
        display="r.yaml",
        key="t",
    )
    assert template.resources[0].may_exist is True
    (problem,) = [d for d in template.diagnostics if d.code == EVALUATION]
    assert "Nowhere" in problem.message and problem.location.line == 4


@pytest.mark.parametrize(
    "conditions, message",
    [
        ("A: !Condition B\n  B: !Condition A", "depends on itself"),
        ("A: !Equals [x]", "Fn::Equals takes a list of two values"),
        ("A: {Fn::Bogus: [x, y]}", "a condition must be"),
        ("A: !And []", "Fn::And takes a list"),
    ],
)
def test_malformed_conditions_are_undecided_with_a_diagnostic(conditions: str, message: str) -> None:
    template = load_template_text(
        f"Conditions:\n  {conditions}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: A\n",
        display="c.yaml",
        key="t",
    )
    assert isinstance(template.conditions["A"], Unknown)
    assert template.resources[0].may_exist is True
    assert any(message in d.message for d in template.diagnostics), template.diagnostics
