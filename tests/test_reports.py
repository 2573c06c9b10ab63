"""Reports that scale: markdown counts first and a size cap, JUnit per rule and resource
against --fail-on, SARIF rule entries and suppressions, GitLab code quality, and text
options (--quiet, --compact, --min-severity, colour)."""

from __future__ import annotations

import json
import re
import sys
from xml.etree import ElementTree as ET

import pytest
from cli_inprocess import eksjoin
from conftest import REPO

EXAMPLE_TF = (REPO / "examples" / "terraform" / "main.tf").read_text()
VPC = 'resource "aws_vpc" "main" {'
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def run(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    return lambda *args: eksjoin(capsys, monkeypatch, *args)


@pytest.fixture
def suppressed_repo(tmp_path):
    """The Terraform example with EKS-DNS-002 ignored inline and a file that does not parse."""
    (tmp_path / "main.tf").write_text(
        EXAMPLE_TF.replace(VPC, f"# eksjoin:ignore EKS-DNS-002 -- DNS by the team\n{VPC}")
    )
    (tmp_path / "broken.tf").write_text('resource "aws_vpc" "x" {\n')
    return tmp_path


def test_markdown_puts_counts_first_and_folds_details(run):
    text = run("lint", "examples", "--format", "markdown").out
    table, details = text.index("| Rule | Severity | Findings |"), text.index("<details>")
    assert table < details
    assert "| EKS-IAM-009 | info | 2 |" in text
    assert text.count("<details>\n<summary><b>") == 9  # one per rule
    assert text.count("<details><summary>Join path of cluster ") == 2  # one per cluster with nodes


def test_markdown_cap_truncates_with_a_count_of_what_was_left_out(run):
    full = run("lint", "examples", "--format", "markdown").out
    capped = run("lint", "examples", "--format", "markdown", "--max-chars", "3000").out
    assert len(full) > 3000 >= len(capped)
    rows = lambda text: len(re.findall(r"^\| `examples/", text, re.M))  # noqa: E731
    left_out = int(
        re.search(r"Truncated:\*\* (\d+) findings?( and \d+ join-path diagrams?)? left out", capped).group(1)
    )
    assert left_out == rows(full) - rows(capped) > 0
    assert "| EKS-TAG-002 | info | 2 |" in capped  # the per-rule counts always stay


def test_markdown_row_of_a_rule_with_findings_of_two_severities_counts_each(run, tmp_path):
    (tmp_path / "helm.yaml").write_text("a: [\n")  # not recognised as IaC: info
    (tmp_path / "stack.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n')  # warning
    text = run("lint", str(tmp_path), "--format", "markdown").out
    assert "| LOAD-001 | 1 warning, 1 info | 2 | File could not be parsed |" in text
    assert "<summary><b>LOAD-001</b> (1 warning, 1 info):" in text
    assert "| RUN-002 | warning | 1 |" in text  # one severity: named alone


def _junit(run, *args: str) -> ET.Element:
    return ET.fromstring(run("lint", *args, "--format", "junit").out.split("?>", 1)[1])


def _cases(suite: ET.Element) -> dict[tuple[str, str], str]:
    def status(case: ET.Element) -> str:
        return next((child.tag for child in case if child.tag in ("failure", "skipped")), "passed")

    return {(c.get("classname"), c.get("name")): status(c) for c in suite.iter("testcase")}


def test_junit_fails_only_at_or_above_fail_on(run):
    default = _cases(_junit(run, "examples"))
    assert default[("EKS-DNS-002", "aws_vpc.main")] == "failure"  # error
    assert default[("EKS-IAM-002", "aws_iam_role.nodes")] == "passed"  # a warning under --fail-on error
    assert default[("EKS-DNS-001", "aws_vpc.main")] == "passed"  # a check that passed
    assert len(default) == len(set(default))  # one case per rule and resource
    strict = _cases(_junit(run, "examples", "--fail-on", "warning"))
    assert strict[("EKS-IAM-002", "aws_iam_role.nodes")] == "failure"
    assert strict[("EKS-IAM-009", "aws_iam_role.nodes")] == "passed"
    never = _junit(run, "examples", "--fail-on", "never")
    assert never.find("testsuite").get("failures") == "0"
    suite = _junit(run, "examples").find("testsuite")
    assert suite.get("failures") == str(list(default.values()).count("failure")) == "5"


def test_junit_skips_unknown_checks(run, tmp_path):
    """An unknown outcome is a skipped case, never a failure."""
    text = (REPO / "examples" / "terraform" / "main.tf").read_text()
    text = text.replace(
        'node_group_name = "default"', 'node_group_name = "default"\n  version         = var.node_version'
    )
    (tmp_path / "main.tf").write_text(text + '\nvariable "node_version" {\n  type = string\n}\n')
    cases = _cases(_junit(run, str(tmp_path)))
    assert cases[("EKS-AMI-004", "aws_eks_node_group.default")] == "skipped"


def test_junit_skips_suppressed_findings(run, suppressed_repo):
    cases = _cases(_junit(run, str(suppressed_repo)))
    assert cases[("EKS-DNS-002", "aws_vpc.main")] == "skipped"
    assert cases[("EKS-NET-002", "aws_subnet.private[0]")] == "failure"


def test_sarif_has_a_rule_for_load_findings_and_suppressions(run, suppressed_repo):
    report = json.loads(run("lint", str(suppressed_repo), "--format", "sarif").out)
    run_ = report["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    assert "LOAD-001" in by_id and by_id["LOAD-001"]["properties"]["security-severity"]
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert len(result["partialFingerprints"]["eksjoin/v2"]) == 16
    hidden = [r for r in run_["results"] if r["ruleId"] == "EKS-DNS-002"]
    assert hidden and hidden[0]["suppressions"][0]["kind"] == "inSource"
    assert not [r for r in run_["results"] if r["ruleId"] == "EKS-NET-002" and "suppressions" in r]


def test_gitlab_code_quality(run, tmp_path):
    issues = json.loads(run("lint", "examples", "--format", "gitlab").out)
    assert {i["check_name"] for i in issues} >= {"EKS-DNS-002", "EKS-IAM-002"}
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue in issues:
        assert issue["severity"] in ("info", "major", "critical")
        assert issue["location"]["path"].startswith("examples/") and issue["location"]["lines"]["begin"] >= 1
        assert issue["description"].startswith(issue["check_name"] + ": ")


def test_text_quiet_compact_and_min_severity(run):
    quiet = run("lint", "examples", "--quiet")
    assert quiet.code == 1 and quiet.out.count("\n") == 1 and "5 error(s)" in quiet.out
    compact = run("lint", "examples", "--compact", "--min-severity", "error").out.splitlines()
    findings = [line for line in compact if line.startswith("examples/")]
    assert len(findings) == 5 and all(": error " in line for line in findings)
    assert "(6 below error not shown)" in "\n".join(compact[-4:])
    full = run("lint", "examples").out
    assert "by rule: " in full and "EKS-IAM-009 2" in full


def test_colour_keeps_alignment_and_no_color_is_honoured(run, monkeypatch):
    plain = run("lint", "examples", "--no-color").out
    coloured = run("lint", "examples", "--color").out
    assert ANSI.search(coloured) and ANSI.sub("", coloured) == plain
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(run("lint", "examples").out)
    monkeypatch.delenv("NO_COLOR")
    assert ANSI.search(run("lint", "examples").out)


def _mermaid_blocks(text: str) -> dict[str, str]:
    blocks = re.findall(r"Join path of cluster (\S+).*?```mermaid\n(.*?)```", text, re.S)
    return dict(blocks)


def test_markdown_draws_each_clusters_join_path_with_failing_edges_marked(run):
    blocks = _mermaid_blocks(run("lint", "examples", "--format", "markdown").out)
    assert set(blocks) == {"aws_eks_cluster.main", "analytics"}  # the CloudFormation example has no nodes
    terraform = blocks["aws_eks_cluster.main"]
    ids = dict(re.findall(r'^  (n\d+)[\[(]"([^"]+)"', terraform, re.M))
    by_label = {label: node for node, label in ids.items()}
    node, subnet = by_label["managed node group aws_eks_node_group.default"], by_label["subnet aws_subnet.private[0]"]
    role = by_label["node role aws_iam_role.nodes"]
    assert f'{node} -->|"✗ EKS-NET-002"| {subnet}' in terraform
    assert f'{node} -->|"✗ EKS-IAM-002"| {role}' in terraform
    assert "no 0.0.0.0/0 route" in terraform and "aws-auth ConfigMap" in terraform
    edges = re.findall(r"^  n\d+ -", terraform, re.M)
    red = [int(i) for i in re.search(r"linkStyle ([\d,]+) ", terraform).group(1).split(",")]
    assert red and all(i < len(edges) for i in red)
    assert "✗" not in blocks["analytics"] and "linkStyle" not in blocks["analytics"]


def test_join_path_draws_only_what_is_known(run, tmp_path):
    # subnets from a variable without a value: no subnet, route table or gateway is drawn
    text = EXAMPLE_TF.replace("subnet_ids      = aws_subnet.private[*].id", "subnet_ids      = var.node_subnets")
    assert text != EXAMPLE_TF
    (tmp_path / "main.tf").write_text(text + 'variable "node_subnets" {\n  type = list(string)\n}\n')
    block = _mermaid_blocks(run("lint", str(tmp_path), "--format", "markdown").out)["aws_eks_cluster.main"]
    assert "managed node group aws_eks_node_group.default" in block
    assert "subnet " not in block and "route" not in block


HOSTILE_NAME = "x\n::error file=/etc/passwd,line=1::INJECTED\x1b[31m\u202etxt.exe"


@pytest.mark.parametrize("options", [["text"], ["text", "--compact"], ["github"], ["markdown"]])
def test_values_cannot_start_a_line_or_a_terminal_sequence(run, tmp_path, options):
    """A cluster name from the scanned file reaches the message: its newline, escape and
    bidirectional override are printed as escapes, never as themselves."""
    name = HOSTILE_NAME.replace("\n", "\\n").replace("\x1b", "\\u001b").replace("\u202e", "\\u202e")
    (tmp_path / "main.tf").write_text(
        f'resource "aws_eks_cluster" "c" {{\n  name     = "{name}"\n  role_arn = "arn:aws:iam::1:role/r"\n'
        '  vpc_config {\n    subnet_ids = ["subnet-1"]\n  }\n}\n'
    )
    out = run("lint", str(tmp_path), "--format", *options).out
    assert "EKS-CLUSTER-001" in out
    assert "\x1b" not in out and "\u202e" not in out
    assert not re.search(r"(?m)^::error file=/etc/passwd", out)
    assert "\\x1b[31m" in out and "\\u202e" in out
