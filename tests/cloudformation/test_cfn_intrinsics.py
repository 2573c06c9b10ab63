"""Intrinsic functions evaluate into analyzer.values (expressions run in intrinsics-base.yaml)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest

from analyzer.cloudformation import Conditional, SsmParameter, load_template_text
from analyzer.cloudformation.equality import NO_VALUE
from analyzer.diagnostics import EVALUATION
from analyzer.values import Encoded, PartialStr, Ref, Unknown


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


KNOWN = [
    # Ref
    ("ref-parameter-default", "!Ref Env", "prod"),
    ("ref-long-form", "{Ref: Env}", "prod"),
    ("ref-number-parameter-is-text", "!Ref NodeCount", "3"),
    ("ref-boolean-default-is-text", "!Ref Enabled", "true"),
    ("ref-comma-delimited-list", "!Ref Subnets", ["subnet-a", "subnet-b", "subnet-c"]),
    ("ref-list-type", "!Ref SubnetIds", ["subnet-1", "subnet-2"]),
    # Fn::Join / Fn::Select / Fn::Split
    ("join", '!Join [",", [a, !Ref Env, 3, true]]', "a,prod,3,true"),
    ("join-list-parameter", '!Join ["|", !Ref Subnets]', "subnet-a|subnet-b|subnet-c"),
    ("join-long-form", '{"Fn::Join": ["", [x, y]]}', "xy"),
    ("join-skips-novalue", '!Join ["-", [a, !Ref "AWS::NoValue", b]]', "a-b"),
    ("select", "!Select [1, !Ref Subnets]", "subnet-b"),
    ("select-text-index", '!Select ["0", [x, y]]', "x"),
    ("split", '!Split [",", "a,b,,c"]', ["a", "b", "", "c"]),
    ("select-split-sub", '!Select [2, !Split ["-", !Sub "${Env}-x-y"]]', "y"),
    ("length", '{"Fn::Length": !Ref Subnets}', 3),
    # Fn::Sub
    ("sub-parameter", '!Sub "eks-${Env}"', "eks-prod"),
    ("sub-escaped-literal", '!Sub "${!Literal}-${Env}"', "${Literal}-prod"),
    ("sub-long-form", '{"Fn::Sub": "x-${Env}"}', "x-prod"),
    (
        "sub-variables",
        '!Sub ["${First}/${Env}", {First: !Select [0, !Ref SubnetIds]}]',
        "subnet-1/prod",
    ),
    ("sub-variable-shadows-parameter", '!Sub ["${Env}", {Env: staging}]', "staging"),
    ("sub-no-variables", '!Sub "plain text"', "plain text"),
    # Fn::If (decided conditions)
    ("if-true", "!If [IsProd, large, small]", "large"),
    ("if-false", "!If [IsDev, large, small]", "small"),
    ("if-nested", "!If [IsDev, a, !If [IsProd, b, c]]", "b"),
    ("if-long-form", '{"Fn::If": [IsProd, {"Fn::Sub": "${Env}!"}, x]}', "prod!"),
    ("if-undecided-equal-branches", "!If [InUsEast1, same, same]", "same"),
    # Fn::FindInMap
    ("find-in-map", "!FindInMap [Sizes, !Ref Env, Instance]", "m5.large"),
    (
        "find-in-map-default",
        "!FindInMap [Sizes, staging, Instance, {DefaultValue: t3.small}]",
        "t3.small",
    ),
    (
        "find-in-map-unknown-key-all-agree",
        '!FindInMap [RegionAmi, !Ref "AWS::Region", Arch]',
        "x86_64",
    ),
    # Fn::Base64
    ("base64", '!Base64 "hello"', b64("hello")),
    ("base64-of-sub", '!Base64 {"Fn::Sub": "x-${Env}"}', b64("x-prod")),
    # Fn::Cidr
    ("cidr", "!Cidr [!Ref VpcBlock, 3, 8]", ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]),
    ("cidr-ipv6", '!Cidr ["2001:db8::/56", 2, 64]', ["2001:db8::/64", "2001:db8:0:1::/64"]),
    ("select-cidr", '!Select [1, !Cidr ["10.1.0.0/16", 4, 12]]', "10.1.16.0/20"),
    # Fn::ToJsonString
    ("to-json-string", '{"Fn::ToJsonString": {a: [1, !Ref Env]}}', '{"a":[1,"prod"]}'),
    # AWS::NoValue
    (
        "novalue-in-list",
        '[a, !Ref "AWS::NoValue", !If [IsDev, x, !Ref "AWS::NoValue"], b]',
        ["a", "b"],
    ),
    (
        "novalue-in-mapping",
        '{Keep: 1, Drop: !Ref "AWS::NoValue", Maybe: !If [IsProd, !Ref "AWS::NoValue", 2]}',
        {"Keep": 1},
    ),
    ("novalue-removes-property", '!Ref "AWS::NoValue"', NO_VALUE),
    ("novalue-chosen-branch-removes-property", '!If [IsProd, !Ref "AWS::NoValue", x]', NO_VALUE),
    # plain values
    ("plain-mapping-keeps-unknown-keys", "{AnyKey: [1, 2.5, null]}", {"AnyKey": [1, 2.5, None]}),
    ("yaml-date-is-text", "2024-01-31", "2024-01-31"),
]


@pytest.mark.parametrize("expression, expected", [c[1:] for c in KNOWN], ids=[c[0] for c in KNOWN])
def test_known_values(evaluate, expression: str, expected: Any) -> None:
    value, template = evaluate(expression)
    assert value == expected
    assert [d for d in template.diagnostics if d.code == EVALUATION] == []


# --- values not known before deployment ------------------------------------------------


@dataclass
class IsRef:
    target: str
    attribute: str

    def check(self, value: Any) -> None:
        assert isinstance(value, Ref), value
        assert (value.target, value.attribute) == (self.target, self.attribute)


@dataclass
class IsUnknown:
    mentions: str

    def check(self, value: Any) -> None:
        assert isinstance(value, Unknown), value
        assert self.mentions in value.reason


@dataclass
class IsSsm:
    path: str

    def check(self, value: Any) -> None:
        assert isinstance(value, SsmParameter), value
        assert value.path == self.path
        assert self.path in value.reason


@dataclass
class IsPartial:
    text: str

    def check(self, value: Any) -> None:
        assert isinstance(value, PartialStr), value
        assert value.text() == self.text


@dataclass
class IsEncoded:
    inner: Any  # a checker for the inner value

    def check(self, value: Any) -> None:
        assert isinstance(value, Encoded), value
        assert value.encoding == "base64"
        self.inner.check(value.inner)


@dataclass
class IsConditional:
    condition: str
    when_true: Any
    when_false: Any

    def check(self, value: Any) -> None:
        assert isinstance(value, Conditional), value
        assert (value.condition, value.when_true, value.when_false) == (
            self.condition,
            self.when_true,
            self.when_false,
        )
        assert self.condition in value.reason


AMI_PATH = "/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id"

UNKNOWN = [
    ("ref-resource", "!Ref Vpc", IsRef("t#Vpc", "Ref")),
    ("get-att-short-form", "!GetAtt NodeRole.Arn", IsRef("t#NodeRole", "Arn")),
    ("get-att-list-form", '{"Fn::GetAtt": [NodeRole, Arn]}', IsRef("t#NodeRole", "Arn")),
    ("get-att-string-long-form", '{"Fn::GetAtt": "NodeRole.Arn"}', IsRef("t#NodeRole", "Arn")),
    ("get-att-nested-attribute", "!GetAtt Vpc.Outputs.Id", IsRef("t#Vpc", "Outputs.Id")),
    (
        "get-att-attribute-from-ref",
        '{"Fn::GetAtt": [NodeRole, !Ref Env]}',
        IsRef("t#NodeRole", "prod"),
    ),
    ("sub-of-one-attribute-is-the-attribute", '!Sub "${NodeRole.Arn}"', IsRef("t#NodeRole", "Arn")),
    ("sub-of-resource", '!Sub "${Vpc}"', IsRef("t#Vpc", "Ref")),
    (
        "parameter-without-default",
        "!Ref ClusterName",
        IsUnknown("parameter ClusterName has no default; pass --cfn-param ClusterName=..."),
    ),
    ("ssm-parameter", "!Ref NodeAmi", IsSsm(AMI_PATH)),
    (
        "ssm-dynamic-reference",
        '"{{resolve:ssm:/aws/service/bottlerocket/aws-k8s-1.29/x86_64/latest/image_id}}"',
        IsSsm("/aws/service/bottlerocket/aws-k8s-1.29/x86_64/latest/image_id"),
    ),
    (
        "ssm-dynamic-reference-in-sub",
        '!Sub "{{resolve:ssm:/aws/service/eks/optimized-ami/${NodeCount}/image_id}}"',
        IsSsm("/aws/service/eks/optimized-ami/3/image_id"),
    ),
    ("dynamic-reference-inside-text", '"ami={{resolve:ssm:/a/b:3}};"', IsPartial("ami=${?};")),
    (
        "sub-keeps-literal-text",
        '!Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Env}"',
        IsPartial("arn:${?}:iam::${?}:role/prod"),
    ),
    ("sub-variables-unknown", '!Sub ["${Name}-x", {Name: !Ref ClusterName}]', IsPartial("${?}-x")),
    (
        "join-keeps-literal-text",
        '!Join ["", ["/etc/eks/bootstrap.sh ", !Ref ClusterName, " --b"]]',
        IsPartial("/etc/eks/bootstrap.sh ${?} --b"),
    ),
    (
        "join-nested-in-sub-variables",
        '!Sub ["${Args}", {Args: !Join [" ", [--a, !GetAtt NodeRole.Arn]]}]',
        IsPartial("--a ${?}"),
    ),
    ("join-of-unknown-list", '!Join [",", !GetAZs ""]', IsUnknown("availability zones")),
    ("select-from-get-azs", '!Select [0, !GetAZs ""]', IsUnknown("availability zone 0 of the region")),
    ("get-azs", '!GetAZs ""', IsUnknown("availability zones")),
    ("split-of-unknown", '!Split [",", !Ref ClusterName]', IsUnknown("ClusterName")),
    (
        "base64-of-partial",
        '!Base64 {"Fn::Sub": "bootstrap ${ClusterName}"}',
        IsEncoded(IsPartial("bootstrap ${?}")),
    ),
    ("base64-of-unknown", "!Base64 {Ref: ClusterName}", IsEncoded(IsUnknown("ClusterName"))),
    (
        "find-in-map-unknown-key",
        '!FindInMap [RegionAmi, !Ref "AWS::Region", Ami]',
        IsUnknown("RegionAmi"),
    ),
    ("import-value", '!ImportValue "network-VpcId"', IsUnknown("network-VpcId")),
    ("import-value-sub", '!ImportValue {"Fn::Sub": "${Env}-VpcId"}', IsUnknown("prod-VpcId")),
    ("if-undecided", "!If [InUsEast1, a, b]", IsConditional("InUsEast1", "a", "b")),
    (
        "if-undecided-novalue-branch",
        '!If [InUsEast1, a, !Ref "AWS::NoValue"]',
        IsConditional("InUsEast1", "a", None),
    ),
    (
        "if-undecided-by-missing-parameter",
        "!If [HasClusterName, a, b]",
        IsConditional("HasClusterName", "a", "b"),
    ),
    ("cidr-of-unknown", "!Cidr [!GetAtt Vpc.CidrBlock, 2, 8]", IsUnknown("Fn::Cidr")),
    ("length-of-unknown", '{"Fn::Length": !GetAZs ""}', IsUnknown("availability zones")),
    (
        "to-json-string-partial",
        '{"Fn::ToJsonString": {name: !Ref ClusterName}}',
        IsPartial('{"name":"${?}"}'),
    ),
    (
        "transform",
        '{"Fn::Transform": {Name: AWS::Include, Parameters: {Location: s3://b/k}}}',
        IsUnknown("AWS::Include"),
    ),
]


@pytest.mark.parametrize("expression, expected", [c[1:] for c in UNKNOWN], ids=[c[0] for c in UNKNOWN])
def test_values_known_only_at_deploy_time(evaluate, expression: str, expected: Any) -> None:
    value, template = evaluate(expression)
    expected.check(value)
    assert [d for d in template.diagnostics if d.code == EVALUATION] == []


@pytest.mark.parametrize(
    "pseudo",
    [
        "AWS::Region",
        "AWS::AccountId",
        "AWS::StackName",
        "AWS::StackId",
        "AWS::URLSuffix",
        "AWS::Partition",
        "AWS::NotificationARNs",
    ],
)
def test_pseudo_parameters_are_unknown_with_a_reason(evaluate, pseudo: str) -> None:
    value, _ = evaluate(f'!Ref "{pseudo}"')
    assert isinstance(value, Unknown) and not isinstance(value, Ref)
    assert pseudo in value.reason and "deploy time" in value.reason


def test_unknown_values_say_where_they_come_from(evaluate) -> None:
    value, _ = evaluate("!GetAtt NodeRole.Arn")
    assert value.origin is not None and value.origin.path == "subject.yaml"


def test_sub_block_scalar_keeps_user_data_text(load_text) -> None:
    template = load_text(
        "Parameters:\n  ClusterName: {Type: String}\n"
        "Resources:\n  Lt:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n"
        "      UserData:\n        Fn::Base64: !Sub |\n"
        "          #!/bin/bash\n"
        "          /etc/eks/bootstrap.sh ${ClusterName} --kubelet-extra-args '--node-labels=a=b'\n"
        "          echo ${!HOME} done\n"
    )
    user_data = template.resources[0].properties["UserData"]
    assert isinstance(user_data, Encoded) and user_data.encoding == "base64"
    assert user_data.inner.text("<cluster>") == (
        "#!/bin/bash\n/etc/eks/bootstrap.sh <cluster> --kubelet-extra-args '--node-labels=a=b'\necho ${HOME} done\n"
    )


MALFORMED = [
    ("select-past-end", "!Select [5, [a]]", "past the end"),
    ("ref-undefined", "!Ref Missing", "Missing is neither a parameter nor a resource"),
    ("get-att-undefined", "!GetAtt Missing.Arn", "Missing"),
    ("unsupported-function", '{"Fn::Bogus": 1}', "Fn::Bogus is not supported"),
    ("if-undefined-condition", "!If [Undefined, a, b]", "condition Undefined is not defined"),
    ("join-malformed", '!Join "x"', "Fn::Join"),
    ("cidr-not-a-block", "!Cidr [bogus, 2, 8]", "not a CIDR block"),
    ("cidr-too-many", '!Cidr ["10.0.0.0/24", 4, 7]', "fewer than 4"),
    ("find-in-map-undefined-map", "!FindInMap [Nope, a, b]", "mapping Nope is not defined"),
    ("find-in-map-missing-entry", "!FindInMap [Sizes, dev, Instance]", "has no entry"),
    ("sub-undefined-variable", '!Sub "x-${Undefined}"', "Undefined is neither"),
    ("sub-list-parameter", '!Sub "${Subnets}"', "is a list"),
    ("condition-function-in-property", "!Equals [a, b]", "Fn::Equals is not supported"),
]


@pytest.mark.parametrize("expression, message", [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_intrinsics_become_diagnostics(evaluate, expression: str, message: str) -> None:
    value, template = evaluate(expression)
    problems = [d for d in template.diagnostics if d.code == EVALUATION]
    assert problems, "expected a diagnostic"
    assert any(message in d.message for d in problems), [d.message for d in problems]
    assert all(d.location.path == "subject.yaml" and d.location.line > 1 for d in problems)
    # the value is unknown (wholly or in part), never an exception
    assert isinstance(value, (Unknown, PartialStr))


ARGUMENT_SHAPES = [
    None,
    1,
    -1,
    True,
    1.5,
    "x",
    "A.B",
    "",
    [],
    [None],
    [1],
    ["x", "y"],
    [1, 2, 3],
    [1, 2, 3, 4],
    [1, 2, 3, 4, 5],
    {},
    {"a": 1},
    {"Ref": "P"},
    ["${P}", {"P": [1]}],
    [[1], [2]],
    ["M", {"Ref": "AWS::Region"}, "k", {"DefaultValue": 1}],
    ["C", {"Ref": "AWS::NoValue"}, 1],
    ["10.0.0.0/8", "300", "-1"],
    "a${b",
    "${!",
    "${}",
]


@pytest.mark.parametrize(
    "function",
    [
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::FindInMap",
        "Fn::Base64",
        "Fn::GetAZs",
        "Fn::Cidr",
        "Fn::ImportValue",
        "Fn::Length",
        "Fn::ToJsonString",
        "Fn::Transform",
        "Fn::Equals",
        "Fn::Not",
        "Condition",
    ],
)
def test_any_argument_shape_evaluates_without_raising(function: str) -> None:
    for shape in ARGUMENT_SHAPES:
        document = {
            "Parameters": {"P": {"Type": "String", "Default": "v"}},
            "Mappings": {"M": {"a": {"k": 1}, "b": {"k": 1}}},
            "Conditions": {
                "C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "x"]},
                "D": {function: shape},
            },
            "Resources": {
                "A": {
                    "Type": "AWS::SNS::Topic",
                    "Condition": "D",
                    "Properties": {
                        "V": {function: shape},
                        "L": [{function: shape}],
                        "N": {"Fn::Base64": {"Fn::Join": ["", [{function: shape}]]}},
                    },
                }
            },
        }
        template = load_template_text(json.dumps(document), display="shape.json", key="t")
        assert all(d.location.path == "shape.json" for d in template.diagnostics)
