"""Roots, not files: a called child module is linted through its caller, findings limited to what was asked."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from roots_repo import CHILD, CHILD_FILE, break_child, finding_keys, git, make_repo

from analyzer.cli import cli
from analyzer.roots import callers_index, roots_of


def lint(repo, monkeypatch, *args):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["lint", "--format", "json", "--fail-on", "never", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def repo(tmp_path):
    repo = make_repo(tmp_path / "repo")
    break_child(repo)
    return repo


@pytest.mark.parametrize("target", [str(CHILD), str(CHILD_FILE), "--changed"])
def test_child_linted_alone_reports_only_what_the_whole_repository_reports(repo, monkeypatch, target):
    whole = finding_keys(lint(repo, monkeypatch, "."))
    alone = finding_keys(lint(repo, monkeypatch, target))
    assert alone <= whole, alone - whole
    assert {k[0] for k in alone if k[1] == CHILD_FILE.as_posix()} >= {"EKS-IAM-001"}
    assert all(k[1].startswith(CHILD.as_posix()) for k in alone), alone


def test_child_module_defaults_are_not_taken_for_values(repo, monkeypatch):
    # Alone, the child's policy_arns default ([]) would mean no worker policies: EKS-IAM-002.
    rules = {f["rule_id"] for f in lint(repo, monkeypatch, str(CHILD))["findings"]}
    assert "EKS-IAM-002" not in rules and "EKS-IAM-003" not in rules


def test_findings_are_limited_to_the_file_asked_for(repo, monkeypatch):
    report = lint(repo, monkeypatch, str(CHILD / "variables.tf"))
    assert report["findings"] == []
    assert report["summary"]["checks"] == 0


def test_changed_lints_nothing_when_nothing_changed(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["lint", "--changed"])
    assert result.exit_code == 0
    assert "no Terraform, CloudFormation, eksctl or JSON file changed against HEAD" in result.output


def test_changed_on_a_branch_compares_with_the_merge_base(repo, monkeypatch):
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "commit", "-q", "-am", "break the child")
    report = lint(repo, monkeypatch, "--changed")
    assert {f["rule_id"] for f in report["findings"]} >= {"EKS-IAM-001"}
    assert {f["file"] for f in report["findings"]} == {CHILD_FILE.as_posix()}


def test_changed_outside_git_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "--changed"])
    assert result.exit_code == 2
    assert "not a git repository" in result.output


def test_unknown_base_is_a_usage_error(repo, monkeypatch):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["lint", "--changed", "--base", "no-such-ref"])
    assert result.exit_code == 2
    assert "no commit 'no-such-ref'" in result.output


def test_callers_are_followed_to_the_roots_and_cycles_end(tmp_path):
    for name, source in (("root", "../mid"), ("mid", "../leaf"), ("a", "../b"), ("b", "../a")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(f'module "m" {{\n  source = "{source}"\n}}\n')
    (tmp_path / "leaf").mkdir()
    (tmp_path / "leaf" / "main.tf").write_text("")
    index = callers_index(tmp_path)
    assert roots_of((tmp_path / "leaf").resolve(), index) == {(tmp_path / "root").resolve()}
    assert roots_of((tmp_path / "a").resolve(), index) == {(tmp_path / "a").resolve()}
