"""The CLI contract: formats, exit codes, selection, configuration and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from analyzer.cli import cli

EXAMPLES = REPO / "examples"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, cwd=cwd or REPO)


def test_examples_report_errors_and_exit_1():
    result = run("lint", "examples", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    ids = {f["rule_id"] for f in report["findings"]}
    assert {"EKS-DNS-002", "EKS-IAM-002", "EKS-DNS-001", "EKS-CLUSTER-002", "EKS-IAM-007"} <= ids
    for finding in report["findings"]:
        assert finding["file"] and finding["line"] >= 1 and finding["resource"]
        assert finding["message"] and finding["fix"]


def test_every_finding_names_symptom_and_fix():
    report = json.loads(run("lint", "examples", "--format", "json").stdout)
    rule_findings = [f for f in report["findings"] if f["outcome"] != "load"]
    assert rule_findings and all(f["symptom"] and f["fix"] for f in rule_findings)


def test_clean_configuration_exits_0(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    result = run("lint", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout


@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1), ("never", 0)])
def test_fail_on_threshold(fail_on, code):
    # the official getting-started example has one warning (DNS hostnames) and no error
    target = REPO / "fixtures" / "EKS-DNS-002" / "terraform" / "fail_public_endpoint_warning"
    result = run("lint", str(target), "--fail-on", fail_on)
    assert result.returncode == code, result.stdout


def test_select_and_ignore():
    report = json.loads(run("lint", "examples", "--format", "json", "--select", "EKS-IAM").stdout)
    selected = {f["rule_id"] for f in report["findings"] if f["outcome"] != "load"}
    assert {"EKS-IAM-002", "EKS-IAM-007"} <= selected
    assert all(rule_id.startswith("EKS-IAM-") for rule_id in selected)
    report = json.loads(run("lint", "examples", "--format", "json", "--ignore", "EKS-IAM-002,EKS-IAM-007").stdout)
    assert not {"EKS-IAM-002", "EKS-IAM-007"} & {f["rule_id"] for f in report["findings"]}


def test_unknown_rule_selection_is_a_usage_error():
    result = run("lint", "examples", "--select", "EKS-NOPE-001")
    assert result.returncode == 2 and "no rule matches" in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_missing_path_is_a_usage_error():
    result = run("lint", "does/not/exist")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_bad_var_syntax_is_a_usage_error():
    result = run("lint", "examples", "--var", "novalue")
    assert result.returncode == 2 and "NAME=VALUE" in result.stderr


def test_invalid_config_is_a_usage_error(tmp_path):
    (tmp_path / ".eksjoin.yaml").write_text("fail_on: sometimes\n")
    result = run("lint", str(tmp_path))
    assert result.returncode == 2 and "fail_on" in result.stderr


def test_config_ignore_and_severity_override(tmp_path):
    """The configuration at the repository root applies to a folder linted inside it."""
    (tmp_path / ".git").mkdir()
    target = tmp_path / "infra"
    target.mkdir()
    (target / "main.tf").write_text((EXAMPLES / "terraform" / "main.tf").read_text())
    (tmp_path / ".eksjoin.yaml").write_text("ignore: [EKS-DNS-002]\nseverity: {EKS-IAM-002: warning}\n")
    report = json.loads(run("lint", str(target), "--format", "json").stdout)
    by_rule = {f["rule_id"]: f for f in report["findings"]}
    assert "EKS-DNS-002" not in by_rule
    assert by_rule["EKS-IAM-002"]["severity"] == "warning"


def test_inline_ignore_comment(tmp_path):
    text = (
        (EXAMPLES / "terraform" / "main.tf")
        .read_text()
        .replace(
            'resource "aws_vpc" "main" {',
            '# eksjoin:ignore EKS-DNS-002 -- hostnames are managed by the network team\nresource "aws_vpc" "main" {',
        )
    )
    (tmp_path / "main.tf").write_text(text)
    report = json.loads(run("lint", str(tmp_path), "--format", "json").stdout)
    assert "EKS-DNS-002" not in {f["rule_id"] for f in report["findings"]}
    assert "EKS-IAM-002" in {f["rule_id"] for f in report["findings"]}


def test_baseline_hides_known_findings(tmp_path):
    baseline = tmp_path / "baseline.json"
    first = run("lint", "examples", "--create-baseline", str(baseline))
    assert first.returncode == 1 and baseline.exists()
    second = run("lint", "examples", "--baseline", str(baseline), "--format", "json")
    assert second.returncode == 0
    assert json.loads(second.stdout)["findings"] == []


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit", "github", "markdown", "gitlab"])
def test_every_format_renders(output_format, tmp_path):
    out = tmp_path / "report"
    result = run("lint", "examples", "--format", output_format, "--output", str(out))
    assert result.returncode == 1 and result.stdout == ""
    text = out.read_text()
    assert "EKS-IAM-002" in text


def test_github_format_is_default_under_actions():
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "lint", "examples"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**__import__("os").environ, "GITHUB_ACTIONS": "true"},
    )
    assert result.stdout.startswith("::")
    assert "::error file=examples/" in result.stdout


def test_rules_list_and_show():
    runner = CliRunner()
    listing = runner.invoke(cli, ["rules"])
    assert listing.exit_code == 0 and "EKS-IAM-002" in listing.output
    shown = runner.invoke(cli, ["rules", "EKS-IAM-002"])
    assert "How to fix" in shown.output and "AmazonEKSWorkerNodePolicy" in shown.output
    missing = runner.invoke(cli, ["rules", "EKS-XYZ-001"])
    assert missing.exit_code == 2


def test_explain_matches_symptom_text():
    runner = CliRunner()
    result = runner.invoke(cli, ["explain", "E1124 err: failed to retrieve PrivateDnsName after 5 attempts"])
    assert result.exit_code == 0 and "EKS-IAM-002" in result.output
    by_id = runner.invoke(cli, ["explain", "eks-dns-001"])
    assert "EKS-DNS-001" in by_id.output
    none = runner.invoke(cli, ["explain", "something entirely unrelated happened"])
    assert none.exit_code == 1


def test_malformed_inputs_become_findings_not_tracebacks(tmp_path):
    (tmp_path / "broken.tf").write_text('resource "aws_vpc" "x" {\n  cidr_block = \n')
    (tmp_path / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    (tmp_path / "blob.json").write_bytes(b"\x00\x01binary")
    (tmp_path / "bomb.yaml").write_text(
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    )
    result = run("lint", str(tmp_path), "--format", "json")
    assert "Traceback" not in result.stderr and result.returncode in (0, 1), result.stderr
    findings = json.loads(result.stdout)["findings"]
    by_file = {Path(f["file"]).name: f for f in findings}
    assert by_file["broken.tf"]["rule_id"] == "LOAD-001" and by_file["broken.tf"]["line"] >= 2
    assert by_file["broken.yaml"]["rule_id"] == "LOAD-001"
    assert by_file["bomb.yaml"]["rule_id"] == "LOAD-002"


def test_symlink_escaping_the_root_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text('resource "aws_vpc" "x" {}\n')
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "file.tf").symlink_to(outside / "secret.tf")
    result = run("lint", str(root), "--format", "json")
    findings = [f for f in json.loads(result.stdout)["findings"] if f["outcome"] != "notice"]
    assert {f["rule_id"] for f in findings} == {"LOAD-003"}
    assert len(findings) == 2


UNKNOWN_DNS = REPO / "fixtures" / "EKS-DNS-001" / "terraform" / "unknown_variable"
UNKNOWN_CFN = REPO / "fixtures" / "EKS-DNS-002" / "cloudformation" / "unknown_parameter_without_default"


def _rule_findings(result: subprocess.CompletedProcess, rule_id: str) -> list[dict]:
    return [f for f in json.loads(result.stdout)["findings"] if f["rule_id"] == rule_id]


def test_var_makes_an_unknown_value_known():
    unknown = _rule_findings(run("lint", str(UNKNOWN_DNS), "--format", "json"), "EKS-DNS-001")
    assert [f["severity"] for f in unknown] == ["warning"] and "--var" in unknown[0]["fix"]
    failing = run("lint", str(UNKNOWN_DNS), "--format", "json", "--var", "dns_support=false")
    assert [f["severity"] for f in _rule_findings(failing, "EKS-DNS-001")] == ["error"]
    assert failing.returncode == 1
    passing = run("lint", str(UNKNOWN_DNS), "--format", "json", "--var", "dns_support=true")
    assert _rule_findings(passing, "EKS-DNS-001") == []


def test_var_file(tmp_path):
    var_file = tmp_path / "prod.tfvars"
    var_file.write_text("dns_support = false\n")
    result = run("lint", str(UNKNOWN_DNS), "--format", "json", "--var-file", str(var_file))
    assert [f["severity"] for f in _rule_findings(result, "EKS-DNS-001")] == ["error"]


def test_cfn_param_and_param_file(tmp_path):
    assert _rule_findings(run("lint", str(UNKNOWN_CFN), "--format", "json"), "EKS-DNS-002")
    result = run("lint", str(UNKNOWN_CFN), "--format", "json", "--cfn-param", "Hostnames=true")
    assert _rule_findings(result, "EKS-DNS-002") == []
    params = tmp_path / "params.json"
    params.write_text('{"Hostnames": "false"}')
    result = run("lint", str(UNKNOWN_CFN), "--format", "json", "--cfn-params", str(params))
    assert [f["severity"] for f in _rule_findings(result, "EKS-DNS-002")] == ["warning"]
    assert "not set" not in _rule_findings(result, "EKS-DNS-002")[0]["message"]


def test_bad_parameter_file_is_a_usage_error(tmp_path):
    params = tmp_path / "params.json"
    params.write_text("[1, 2, 3]")
    result = run("lint", str(UNKNOWN_CFN), "--cfn-params", str(params))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_config_exclude(tmp_path):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "main.tf").write_text((EXAMPLES / "terraform" / "main.tf").read_text())
    (tmp_path / ".eksjoin.yaml").write_text("exclude: ['legacy/']\n")
    result = run("lint", str(tmp_path), "--format", "json")
    # what is excluded is not read, and the run says that nothing was checked
    assert result.returncode == 0
    assert [f["rule_id"] for f in json.loads(result.stdout)["findings"]] == ["RUN-001"]


def test_output_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    """A report is written beside its target and renamed over it: a failure before the rename
    leaves the old report and no temporary file; a symlinked target keeps its link."""
    from analyzer import cli as cli_module

    report = tmp_path / "report.json"
    report.write_text("old")
    report.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(report)

    def refuse(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli_module.os, "replace", refuse)
    result = CliRunner().invoke(cli, ["lint", str(EXAMPLES / "eksctl"), "--format", "json", "-o", str(link)])
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert report.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "report.json"]

    monkeypatch.undo()
    result = CliRunner().invoke(cli, ["lint", str(EXAMPLES / "eksctl"), "--format", "json", "-o", str(link)])
    assert result.exit_code == 1, result.output
    assert json.loads(report.read_text())["findings"] and link.is_symlink()
    assert report.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "report.json"]
