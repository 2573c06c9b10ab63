"""Bad input becomes diagnostics with locations, never a traceback; costly input is refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from analyzer.cloudformation import load_template, load_template_text
from analyzer.cloudformation.decode import MAX_FILE_BYTES
from analyzer.diagnostics import INVALID_CONFIG, PARSE_ERROR, UNREADABLE


def only_diagnostic(template):
    assert template.resources == []
    assert len(template.diagnostics) >= 1
    return template.diagnostics[0]


def test_go_templated_file_is_a_parse_error_with_a_hint(data_dir: Path) -> None:
    template = load_template(data_dir / "go-templated.yaml.template", display="ng.yaml.template", key="t")
    problem = only_diagnostic(template)
    assert problem.code == PARSE_ERROR and problem.severity == "error"
    assert (problem.location.path, problem.location.line) == ("ng.yaml.template", 9)
    assert "text-template directives" in problem.message


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("Resources:\n  A:\n    Type: [unclosed\n", 4, "not a valid YAML or JSON template"),
        (
            '{\n  "Resources": {\n    "A": {"Type": "AWS::SNS::Topic" "Properties": {}}\n  }\n}\n',
            3,
            "not a valid YAML or JSON",
        ),
        ("Resources:\n  A: {Type: {{ .Type }}}\n", 2, "text-template directives"),
        ("Resources:\n  A:\n    Type: x\n---\nResources: {}\n", 1, "single document"),
    ],
)
def test_malformed_input_is_a_parse_error(load_text, text: str, line: int, fragment: str) -> None:
    problem = only_diagnostic(load_text(text))
    assert problem.code == PARSE_ERROR
    assert problem.location.line == line
    assert fragment in problem.message


def test_dynamic_references_do_not_trigger_the_template_hint(load_text) -> None:
    problem = only_diagnostic(load_text("Resources:\n  A:\n    Type: '{{resolve:ssm:/x}}'\n  B: [\n"))
    assert "text-template" not in problem.message


def test_repeated_keys_warn_and_the_last_one_wins(load_text) -> None:
    template = load_text(
        "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
        "      GroupDescription: first\n      GroupDescription: second\n"
    )
    (warning,) = template.diagnostics
    assert (warning.code, warning.severity, warning.location.line) == (PARSE_ERROR, "warning", 6)
    assert "first at line 5" in warning.message
    assert template.resources[0].properties == {"GroupDescription": "second"}
    assert template.resources[0].locations["GroupDescription"].line == 6


def test_yaml_merge_keys_are_not_repeated_keys(load_text) -> None:
    template = load_text(
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: &common\n      TopicName: a\n"
        "      DisplayName: shared\n  B:\n    Type: AWS::SNS::Topic\n    Properties:\n"
        "      <<: *common\n      TopicName: b\n"
    )
    assert template.diagnostics == []
    assert template.resources[1].properties == {"TopicName": "b", "DisplayName": "shared"}


def alias_bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    lines.append(f"Resources: {{R: {{Type: AWS::SNS::Topic, Properties: {{X: *a{levels - 1}}}}}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text, fragment",
    [
        (alias_bomb(), "aliases are expanded"),
        ("a: &a [1, *a]\nResources: {}\n", "refers to itself"),
        ("Resources: " + "[" * 150 + "]" * 150 + "\n", "nested more than"),
        (
            "Resources:\n" + "".join(f"  R{i}: {{Type: AWS::SNS::Topic}}\n" for i in range(12000)),
            "more keys",
        ),
        ('{"Resources": {' + ",\n\t".join(f'"R{i}": 1' for i in range(12000)) + "}}", "more keys"),
    ],
)
def test_costly_documents_are_refused_quickly(load_text, text: str, fragment: str) -> None:
    started = time.perf_counter()
    problem = only_diagnostic(load_text(text))
    assert time.perf_counter() - started < 2
    assert problem.code == UNREADABLE and fragment in problem.message


def test_small_anchors_and_aliases_are_fine(load_text) -> None:
    template = load_text(
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n"
        "      Tags: &tags [{Key: a, Value: b}]\n"
        "  B:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: *tags\n"
    )
    assert template.diagnostics == []
    assert template.resources[1].properties["Tags"] == [{"Key": "a", "Value": "b"}]


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"Resources:\n  A: {Type: AWS::SNS::Topic}\n\x00", "binary"),
        (b"Resources:\n  A: {Type: \xff}\n", "not UTF-8"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(content)
    problem = only_diagnostic(load_template(path, display="t.yaml", key="t"))
    assert problem.code == UNREADABLE and fragment in problem.message


def test_missing_file(tmp_path: Path) -> None:
    problem = only_diagnostic(load_template(tmp_path / "absent.yaml", display="absent.yaml", key="t"))
    assert problem.code == UNREADABLE and "cannot read" in problem.message


def test_oversized_file_is_refused_without_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(b"Resources: {}\n")
        handle.truncate(MAX_FILE_BYTES + 1)
    started = time.perf_counter()
    problem = only_diagnostic(load_template(path, display="huge.yaml", key="t"))
    assert time.perf_counter() - started < 1
    assert problem.code == UNREADABLE and "larger than" in problem.message


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}')
    template = load_template(path, display="bom.json", key="t")
    assert template.diagnostics == [] and template.resources[0].type == "AWS::SNS::Topic"


@pytest.mark.parametrize(
    "text, fragment, loaded",
    [
        ("", "no Resources section", []),
        ("- a\n- b\n", "must be a mapping", []),
        ("Resources: [a, b]\n", "Resources must be a mapping", []),
        (
            "Resources:\n  A: text\n  B: {Type: AWS::SNS::Topic}\n",
            "resource A must be a mapping",
            ["B"],
        ),
        (
            "Resources:\n  A: {Properties: {}}\n  B: {Type: AWS::SNS::Topic}\n",
            "resource A has no Type",
            ["B"],
        ),
        (
            "Resources:\n  A: {Type: AWS::SNS::Topic, Properties: [x]}\n",
            "Properties of A are not a mapping",
            ["A"],
        ),
        (
            "Parameters: [x]\nResources:\n  A: {Type: AWS::SNS::Topic}\n",
            "Parameters must be a mapping",
            ["A"],
        ),
        (
            "Parameters:\n  P: text\nResources:\n  A: {Type: AWS::SNS::Topic}\n",
            "parameter P must be",
            ["A"],
        ),
        (
            "Conditions: text\nResources:\n  A: {Type: AWS::SNS::Topic}\n",
            "Conditions must be a mapping",
            ["A"],
        ),
    ],
)
def test_malformed_sections_keep_what_is_valid(load_text, text: str, fragment: str, loaded: list) -> None:
    template = load_text(text)
    assert [r.logical_id for r in template.resources] == loaded
    (problem,) = template.diagnostics
    assert problem.code == INVALID_CONFIG and fragment in problem.message


def test_properties_chosen_by_a_condition(load_text) -> None:
    template = load_text(
        "Conditions:\n  Yes: !Equals [a, a]\nResources:\n  A:\n    Type: AWS::SNS::Topic\n"
        "    Properties: !If [Yes, {TopicName: t}, !Ref AWS::NoValue]\n"
    )
    assert template.diagnostics == []
    assert template.resources[0].properties == {"TopicName": "t"}
    assert template.resources[0].locations["TopicName"].line == 6


def test_macros_are_reported_and_aws_transforms_are_not(data_dir: Path) -> None:
    sam = load_template(data_dir / "sam.yaml", display="sam.yaml", key="sam")
    assert sam.diagnostics == [] and sam.transforms == ["AWS::Serverless-2016-10-31"]
    (function,) = sam.resources
    assert function.type == "AWS::Serverless::Function"
    assert function.properties["Policies"][0]["Statement"][0]["Action"] == "eks:DescribeCluster"
    macro = load_template_text(
        "Transform: [MyMacro]\nResources:\n  A: {Type: AWS::SNS::Topic}\n",
        display="m.yaml",
        key="m",
    )
    (note,) = macro.diagnostics
    assert note.severity == "info" and "MyMacro" in note.message


def test_directory_is_not_read(tmp_path: Path) -> None:
    problem = only_diagnostic(load_template(tmp_path, display="dir", key="t"))
    assert problem.code == UNREADABLE and "not a regular file" in problem.message


def test_for_each_loops_are_noted_not_expanded(load_text) -> None:
    template = load_text(
        "Transform: AWS::LanguageExtensions\nResources:\n"
        "  Fn::ForEach::Topics:\n    - Name\n    - [a, b]\n"
        "    - Topic${Name}: {Type: AWS::SNS::Topic}\n"
        "  Plain: {Type: AWS::SNS::Topic}\n"
    )
    assert [r.logical_id for r in template.resources] == ["Plain"]
    (note,) = template.diagnostics
    assert note.severity == "info" and "Fn::ForEach::Topics" in note.message
    assert note.location.line == 3
