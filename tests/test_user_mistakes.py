"""Never green by accident, and every user mistake exits 2 with a one-line message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_inprocess import eksjoin
from conftest import REPO

EXAMPLE_TF = (REPO / "examples" / "terraform" / "main.tf").read_text()


@pytest.fixture
def run(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    return lambda *args: eksjoin(capsys, monkeypatch, *args)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "markdown", "gitlab"])
def test_an_empty_folder_is_never_green(run, tmp_path, fmt):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.md").write_text("no infrastructure here\n")
    default = run("lint", "empty", "--format", fmt)
    assert default.code == 0 and "RUN-001" in default.out  # said in every format
    strict = run("lint", "empty", "--format", fmt, "--fail-on", "warning")
    assert strict.code == 4, strict.out + strict.err


def test_files_with_nothing_to_check_are_a_warning(run, tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
    result = run("lint", ".", "--fail-on", "warning", "--format", "json")
    assert result.code == 4
    report = json.loads(result.out)
    assert [f["rule_id"] for f in report["findings"]] == ["RUN-002"]
    assert "1 file(s)" in report["findings"][0]["message"]


def test_findings_exit_1_before_nothing_checked(run, tmp_path):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    assert run("lint", ".", "--fail-on", "warning").code == 1


def _one_line_usage_error(result, *words: str) -> None:
    assert result.code == 2, result.out + result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eksjoin: "), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    for word in words:
        assert word in lines[0], lines[0]


def test_output_into_a_missing_folder(run, tmp_path):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    _one_line_usage_error(run("lint", ".", "-o", "missing/report.json"), "missing")
    _one_line_usage_error(run("lint", ".", "--create-baseline", "missing/b.json"), "missing")


@pytest.mark.parametrize(
    "content, words",
    [
        (None, ("does not exist",)),
        ("{", ("not readable JSON",)),
        ('{"findings": 3}', ("not an eksjoin baseline",)),
        ('{"version": 3, "findings": []}', ("version", "--create-baseline")),
        ('{"version": 1, "findings": [{"fingerprint": "f", "rule_id": 5}]}', ("version-1", "--create-baseline")),
    ],
)
def test_missing_or_malformed_baseline(run, tmp_path, content, words):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    if content is not None:
        (tmp_path / "b.json").write_text(content)
    _one_line_usage_error(run("lint", ".", "--baseline", "b.json"), *words)
    (tmp_path / ".eksjoin.yaml").write_text("baseline: b.json\n")
    _one_line_usage_error(run("lint", "."), *words)


@pytest.mark.parametrize(
    "config, words",
    [
        ("severity: {EKS-NOPE-001: error}\n", ("EKS-NOPE-001", "severity")),
        ("select: [EKS-NOPE]\n", ("EKS-NOPE",)),
        ("ignore: [EKS-IAM-999]\n", ("EKS-IAM-999",)),
        ("ignore_paths: [{path: x.json, rules: [EKS-NOPE-001]}]\n", ("EKS-NOPE-001", "ignore_paths")),
        ("ignore_paths: [{path: x.json}]\n", ("ignore_paths",)),
        ("fail_on: [\n", ("cannot read the configuration",)),
        ("colour: true\n", ("unknown setting", "colour")),
    ],
)
def test_unknown_rule_ids_and_malformed_configuration(run, tmp_path, config, words):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    (tmp_path / ".eksjoin.yaml").write_text(config)
    _one_line_usage_error(run("lint", "."), *words)


def test_a_configuration_named_on_the_command_line_is_named_as_written(run, tmp_path):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    (tmp_path / "lint.yaml").write_text("fail_on: [\n")
    result = run("lint", ".", "--config", "lint.yaml")
    _one_line_usage_error(result, "eksjoin: lint.yaml: cannot read the configuration: ", "(line 2, column 1)")
    assert "<unicode string>" not in result.err
    (tmp_path / "lint.yaml").write_bytes(b"\xff\xfe")
    _one_line_usage_error(run("lint", ".", "--config", "lint.yaml"), "lint.yaml: ", "not UTF-8 text")


@pytest.mark.parametrize(
    ("message", "sentence"),
    [
        ("no rule matches 'EKS-X'", "No rule matches 'EKS-X'"),
        ("c4.yaml: cannot read it", "c4.yaml: cannot read it"),
        ("--base only applies with --changed", "--base only applies with --changed"),
        ("EKS-IAM-002 is not a rule", "EKS-IAM-002 is not a rule"),
        ("the folder\n  x does not exist", "The folder x does not exist"),
    ],
)
def test_messages_start_with_a_capital_unless_they_start_with_a_name(message, sentence):
    from analyzer.cli import as_sentence

    assert as_sentence(message) == sentence


@pytest.mark.parametrize(
    "args, words",
    [
        (("--ignore", "EKS-NOPE-001"), ("EKS-NOPE-001",)),
        (("--select", "EKS-TAGS"), ("EKS-TAGS",)),
        (("--var", "novalue"), ("NAME=VALUE",)),
        (("--var-file", "none.tfvars"), ("none.tfvars",)),
        (("--config", "none.yaml"), ("none.yaml",)),
        (("--fail-on", "sometimes"), ("sometimes",)),
        (("missing-folder",), ("missing-folder",)),
    ],
)
def test_bad_options(run, tmp_path, args, words):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    _one_line_usage_error(run("lint", ".", *args), *words)


def test_create_baseline_then_lint_with_it(run, tmp_path):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    assert run("lint", ".", "--create-baseline", "b.json").code == 1
    data = json.loads(Path(tmp_path / "b.json").read_text())
    assert data["version"] == 2 and data["findings"]
    assert run("lint", ".", "--baseline", "b.json").code == 0


def test_broken_json_is_reported_only_when_it_looks_like_infrastructure(run, tmp_path):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    (tmp_path / "stack.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {')
    (tmp_path / "tfplan.json").write_text('{"format_version": "1.2", "planned_values": {')
    (tmp_path / "settings.json").write_text('{\n  // editor settings with a comment\n  "a": 1\n}\n')
    report = json.loads(run("lint", ".", "--format", "json").out)
    broken = {f["file"]: f["message"] for f in report["findings"] if f["rule_id"] == "LOAD-001"}
    assert set(broken) == {"stack.json", "tfplan.json"}
    assert broken["stack.json"].startswith("stack.json looks like a CloudFormation template but is not valid JSON")
    assert broken["tfplan.json"].startswith("tfplan.json looks like a Terraform plan")
