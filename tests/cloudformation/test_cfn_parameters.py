"""Parameter values: defaults, given values, list and SSM types, and parameter files."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.cloudformation import SsmParameter, load_parameter_file
from analyzer.values import Unknown

AMI_PATH = "/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id"


@pytest.mark.parametrize(
    "parameters, expression, expected",
    [
        ({}, "!Ref Env", "prod"),  # the default deploys when nobody overrides it
        ({"Env": "dev"}, "!Ref Env", "dev"),  # a given value wins over the default
        (
            {"ClusterName": "demo"},
            "!Ref ClusterName",
            "demo",
        ),  # a given value fills a missing default
        ({"Subnets": "x, y"}, "!Ref Subnets", ["x", "y"]),  # list types split and trim
        ({"SubnetIds": "subnet-9"}, "!Ref SubnetIds", ["subnet-9"]),
        ({"NodeCount": "7"}, "!Ref NodeCount", "7"),
        ({"Env": "dev"}, "!If [IsProd, large, small]", "small"),
        ({"Undeclared": "x"}, "!Ref Env", "prod"),  # values for other templates are ignored
    ],
)
def test_parameter_precedence(evaluate, parameters, expression, expected) -> None:
    value, template = evaluate(expression, parameters)
    assert value == expected
    assert template.diagnostics == []


def test_parameter_sources(evaluate) -> None:
    _, template = evaluate("x", {"Env": "dev"})
    assert template.parameter_sources["Env"] == "given"
    assert template.parameter_sources["NodeCount"] == "default"
    assert template.parameter_sources["ClusterName"] == "missing"
    assert isinstance(template.parameters["ClusterName"], Unknown)
    assert template.parameters["NodeCount"] == "3"


def test_ssm_parameter_type_keeps_the_path(evaluate) -> None:
    value, _template = evaluate("!Ref NodeAmi")
    assert isinstance(value, SsmParameter) and value.path == AMI_PATH
    given, _ = evaluate("!Ref NodeAmi", {"NodeAmi": "/custom/ami"})
    assert isinstance(given, SsmParameter) and given.path == "/custom/ami"


def test_ssm_parameter_without_default_is_unknown(load_text) -> None:
    template = load_text(
        "Parameters:\n  Ami: {Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>'}\n"
        "Resources:\n  T: {Type: AWS::SNS::Topic}\n"
    )
    value = template.parameters["Ami"]
    assert isinstance(value, Unknown) and "--cfn-param Ami=" in value.reason


def test_parameter_uses_name_the_parameters_behind_a_value(evaluate) -> None:
    _, template = evaluate('!Join ["-", [!Ref Env, !Ref ClusterName, !GetAtt NodeRole.Arn]]')
    subject = next(r for r in template.resources if r.logical_id == "Subject")
    assert subject.parameter_uses == {"Value": ("Env", "ClusterName")}
    vpc = next(r for r in template.resources if r.logical_id == "Vpc")
    assert vpc.parameter_uses == {"CidrBlock": ("VpcBlock",)}


# --- parameter files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "params-list.json",
            {"ClusterName": "demo", "NodeCount": "5"},
        ),  # UsePreviousValue is skipped
        (
            "params-mapping.yaml",
            {"ClusterName": "demo", "NodeCount": "5", "Subnets": "subnet-x,subnet-y"},
        ),
        ("params-configuration.json", {"ClusterName": "demo", "Enabled": "false"}),
    ],
)
def test_parameter_file_formats(data_dir: Path, name: str, expected: dict) -> None:
    assert load_parameter_file(data_dir / name) == expected


def test_parameter_file_values_feed_the_template(data_dir: Path, evaluate) -> None:
    parameters = load_parameter_file(data_dir / "params-mapping.yaml")
    value, _ = evaluate("!Ref Subnets", parameters)
    assert value == ["subnet-x", "subnet-y"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("just text", "a parameter file holds"),
        ("[{ParameterValue: x}]", "entry 1 has no ParameterKey"),
        ("[{ParameterKey: A}]", "entry 1 (A) has no ParameterValue"),
        ("A: {nested: map}", "the value of A must be"),
        ("A: [1, {b: 2}]", "the value of A must be"),
        ("A: null", "the value of A must be"),
        ("A: [unclosed", "not valid JSON or YAML"),
    ],
)
def test_bad_parameter_files_raise_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(content)
    with pytest.raises(ValueError) as error:
        load_parameter_file(path)
    assert message in str(error.value) and str(path) in str(error.value)


def test_unreadable_parameter_files_raise_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read parameter file"):
        load_parameter_file(tmp_path / "missing.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="not UTF-8"):
        load_parameter_file(binary)


def test_floats_keep_the_text_they_were_written_with(load_text) -> None:
    template = load_text(
        "Parameters:\n  Version: {Type: String, Default: 1.30}\n"
        "Conditions:\n  Is130: !Equals [!Ref Version, 1.30]\n"
        "Resources:\n  Cluster:\n    Type: AWS::EKS::Cluster\n    Properties:\n"
        "      Version: 1.30\n      Name: !Sub 'eks-${Version}'\n"
        '      Joined: !Join ["/", [1.30, 2.50]]\n'
    )
    assert template.parameters["Version"] == "1.30"
    assert template.conditions["Is130"] is True
    properties = template.resources[0].properties
    assert properties["Version"] == 1.3 and str(properties["Version"]) == "1.30"
    assert properties["Name"] == "eks-1.30"
    assert properties["Joined"] == "1.30/2.50"
