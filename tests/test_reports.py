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
    assert text.count("<details>") == text.count("</details>") == 9  # one per rule


def test_markdown_cap_truncates_with_a_count_of_what_was_left_out(run):
    full = run("lint", "examples", "--format", "markdown").out
    capped = run("lint", "examples", "--format", "markdown", "--max-chars", "3000").out
    assert len(full) > 3000 >= len(capped)
    rows = lambda text: len(re.findall(r"^\| `examples/", text, re.M))  # noqa: E731
    left_out = int(re.search(r"Truncated:\*\* (\d+) findings? left out", capped).group(1))
    assert left_out == rows(full) - rows(capped) > 0
    assert "| EKS-TAG-002 | info | 2 |" in capped  # the per-rule counts always stay


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
    assert default[("EKS-AMI-004", "aws_eks_node_group.default")] == "skipped"  # unknown is never failure
    assert default[("EKS-DNS-001", "aws_vpc.main")] == "passed"  # a check that passed
    assert len(default) == len(set(default))  # one case per rule and resource
    strict = _cases(_junit(run, "examples", "--fail-on", "warning"))
    assert strict[("EKS-IAM-002", "aws_iam_role.nodes")] == "failure"
    assert strict[("EKS-IAM-009", "aws_iam_role.nodes")] == "passed"
    never = _junit(run, "examples", "--fail-on", "never")
    assert never.find("testsuite").get("failures") == "0"
    suite = _junit(run, "examples").find("testsuite")
    assert suite.get("failures") == str(list(default.values()).count("failure")) == "5"


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
    assert "(6 below error not shown)" in compact[-4]
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
