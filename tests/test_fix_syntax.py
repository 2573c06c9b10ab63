"""A finding's fix is written in the syntax of its own format.

A CloudFormation finding says `EndpointPrivateAccess: true`, not `endpoint_private_access = true`;
a Terraform finding names `route_table_ids`, not `RouteTableIds`; an eksctl finding names
`iam.attachPolicyARNs`. Every failing fixture is linted and each finding's fix is searched
for another format's words: Terraform (snake_case attributes, `aws_*` types and references,
HCL assignments and blocks), CloudFormation (property names of the EC2, EKS, IAM and Auto
Scaling resource schemas, `AWS::` types, intrinsics) and eksctl (ClusterConfig keys).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import FIXTURES
from fixture_cases import FRAMEWORKS, discover_cases
from test_fixtures import _run

from analyzer import shapes
from analyzer.engine.catalogue import load_catalogue

FAILING = [c for c in discover_cases(FIXTURES) if c.outcome == "fail"]

# snake_case words, not inside a path, a host name, a TOML key or an upper-case constant
_SNAKE = re.compile(r"(?<![/\w.:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\.[a-z0-9_\[\]]+)*")
_HCL_ASSIGNMENT = re.compile(r"(?<![\w.-])[a-z_][a-z0-9_]* = (?:\"|true\b|false\b|\d|\[|\{|aws_|var\.)")
_HCL_BLOCK = re.compile(r'\b(?:resource|data|module) "')
_CFN_SYNTAX = re.compile(r"AWS::\w+::|!(?:GetAtt|Ref|Sub|Base64|Join|Select)\b|Fn::\w+|\bProperties:")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# keys of the NodeConfig and Kubernetes documents that user data and aws-auth hold in any format
_SHARED_KEYS = {"apiVersion", "kubeletExtraConfig"}


def _property_names(schema, names: set[str]) -> set[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                names.update(value)
            _property_names(value, names)
    elif isinstance(schema, list):
        for value in schema:
            _property_names(value, names)
    return names


@cache
def _cloudformation_properties() -> frozenset[str]:
    """Property names of several words (`RouteTableIds`): a one-word name is plain English."""
    names: set[str] = set()
    for resource_type in shapes._provider_index():
        if resource_type.split("::")[1:2] in (["EC2"], ["EKS"], ["IAM"], ["AutoScaling"]):
            _property_names(shapes._provider_schema(resource_type) or {}, names)
    return frozenset(n for n in names if re.fullmatch(r"[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+", n))


@cache
def _eksctl_keys() -> frozenset[str]:
    schema = json.loads(Path(shapes.__file__).with_name("eksctl").joinpath("schema.json").read_text("utf-8"))
    names = _property_names(schema, set())
    return frozenset(n for n in names if re.fullmatch(r"[a-z]+[A-Z][A-Za-z0-9]*", n)) - _SHARED_KEYS


def terraform_syntax(text: str) -> set[str]:
    return set(_SNAKE.findall(text)) | set(_HCL_ASSIGNMENT.findall(text)) | set(_HCL_BLOCK.findall(text))


def cloudformation_syntax(text: str) -> set[str]:
    return set(_CFN_SYNTAX.findall(text)) | (set(_WORD.findall(text)) & _cloudformation_properties())


def eksctl_syntax(text: str) -> set[str]:
    return set(_WORD.findall(text)) & _eksctl_keys()


FOREIGN = {
    "terraform": {"cloudformation": cloudformation_syntax, "eksctl": eksctl_syntax},
    "cloudformation": {"terraform": terraform_syntax, "eksctl": eksctl_syntax},
    "eksctl": {"terraform": terraform_syntax, "cloudformation": cloudformation_syntax},
    "kubernetes": {"terraform": terraform_syntax, "cloudformation": cloudformation_syntax, "eksctl": eksctl_syntax},
}


def foreign_syntax(framework: str, fix: str) -> dict[str, set[str]]:
    found = {other: detect(fix) for other, detect in FOREIGN.get(framework, {}).items()}
    return {other: words for other, words in found.items() if words}


def test_the_detectors_tell_the_formats_apart():
    assert foreign_syntax("cloudformation", "Set `endpoint_private_access = true` in `vpc_config`.")
    assert foreign_syntax("cloudformation", 'Add a `resource "aws_vpc_endpoint"`.')
    assert foreign_syntax("terraform", "Set `EndpointPrivateAccess: true` in `ResourcesVpcConfig`.")
    assert foreign_syntax("terraform", "Use `!GetAtt NodeInstanceRole.Arn`.")
    assert foreign_syntax("kubernetes", "Use `aws_iam_role.<name>.arn`.")
    assert foreign_syntax("cloudformation", "List them in the node group's `iam.attachPolicyARNs`.")
    neutral = (
        "Attach `arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy`; use /aws/service/eks/optimized-ami/1.31/"
        "amazon-linux-2023/x86_64/standard/recommended/image_id, AL2023_x86_64_STANDARD, a NodeConfig "
        '(apiVersion node.eks.aws/v1alpha1) or `[settings.kubernetes]` with `cluster-name = "<name>"`.'
    )
    for framework in FOREIGN:
        assert not foreign_syntax(framework, neutral), framework


@pytest.mark.parametrize("case", FAILING, ids=[c.id for c in FAILING])
def test_fix_of_a_failing_fixture_is_in_its_own_format(case):
    findings = [f for f in _run(case).findings if f.rule_id == case.rule_id]
    assert findings
    for finding in findings:
        assert finding.framework in FRAMEWORKS, finding
        foreign = foreign_syntax(finding.framework, finding.fix)
        assert not foreign, f"{finding.framework} finding, fix in {foreign}: {finding.fix}"


def _formats_of(rule) -> set[str]:
    """The formats a rule declares, and those it has a case for that is not a skip_ case."""
    evaluated = {p.parent.name for p in FIXTURES.glob(f"{rule.id}/*/*") if not p.name.startswith("skip_")}
    return (set(rule.spec.get("frameworks", ())) | evaluated) & set(FRAMEWORKS)


@pytest.mark.parametrize("rule", load_catalogue(), ids=lambda r: r.id)
def test_fix_text_for_each_format_of_a_rule(rule):
    """Also the formats a rule has no failing fixture for: the text it would give there."""
    for framework in sorted(_formats_of(rule)):
        fix = rule.remediation_for(framework)
        foreign = foreign_syntax(framework, fix)
        assert not foreign, f"{rule.id} for {framework}: fix in {foreign}: {fix}"
