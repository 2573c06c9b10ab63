"""Inline ignores (expiry, prefixes, block lines), CloudFormation Metadata, path-scoped
ignores, and baselines whose fingerprints survive a move of directory and a reworded message."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from cli_inprocess import eksjoin
from conftest import REPO

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import Options, analyze

EXAMPLE_TF = (REPO / "examples" / "terraform" / "main.tf").read_text()
EXAMPLE_CFN = (REPO / "examples" / "cloudformation" / "cluster.yaml").read_text()
VPC = 'resource "aws_vpc" "main" {'


@pytest.fixture
def run(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    return lambda *args: eksjoin(capsys, monkeypatch, *args)


def _ids(report: dict) -> list[str]:
    return [f["rule_id"] for f in report["findings"]]


def _lint_json(run, *args: str) -> dict:
    return json.loads(run("lint", *args, "--format", "json").out)


def test_ignore_above_the_block_with_reason(run, tmp_path):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF.replace(VPC, f"# eksjoin:ignore EKS-DNS-002 -- team DNS\n{VPC}"))
    report = _lint_json(run, ".")
    assert "EKS-DNS-002" not in _ids(report) and "EKS-IAM-002" in _ids(report)
    assert report["summary"]["suppressed"] == 1  # counted apart, not as reported


def test_ignore_on_the_blocks_opening_line_covers_a_finding_inside_it(run, tmp_path):
    # EKS-IAM-007-like findings sit on an attribute line; the ignore may sit on the block line
    text = EXAMPLE_TF.replace(
        'resource "aws_iam_role" "nodes" {', 'resource "aws_iam_role" "nodes" { # eksjoin:ignore EKS-IAM -- rebuilt'
    )
    (tmp_path / "main.tf").write_text(text)
    ids = _ids(_lint_json(run, "."))
    assert not [i for i in ids if i.startswith("EKS-IAM-")], ids


def test_prefix_and_list(run, tmp_path):
    text = EXAMPLE_TF.replace(VPC, f"# eksjoin:ignore EKS-TAG,EKS-DNS-002 -- prefix and ID\n{VPC}")
    text = text.replace(
        'resource "aws_eks_cluster" "main" {', '# eksjoin:ignore EKS-TAG\nresource "aws_eks_cluster" "main" {'
    )
    (tmp_path / "main.tf").write_text(text)
    ids = _ids(_lint_json(run, "."))
    assert "EKS-TAG-002" not in ids and "EKS-DNS-002" not in ids


def test_an_expired_ignore_stops_working_and_is_reported(run, tmp_path):
    (tmp_path / "main.tf").write_text(
        EXAMPLE_TF.replace(VPC, f"# eksjoin:ignore EKS-DNS-002 exp:2020-01-31 -- old\n{VPC}")
    )
    report = _lint_json(run, ".")
    assert "EKS-DNS-002" in _ids(report)
    expired = [f for f in report["findings"] if f["rule_id"] == "SUP-001"]
    assert len(expired) == 1 and expired[0]["severity"] == "info" and "2020-01-31" in expired[0]["message"]
    assert expired[0]["line"] == EXAMPLE_TF[: EXAMPLE_TF.index(VPC)].count("\n") + 1  # the comment's line
    strict = _lint_json(run, ".", "--strict-suppressions")
    assert [f["severity"] for f in strict["findings"] if f["rule_id"] == "SUP-001"] == ["warning"]


def test_a_future_expiry_still_suppresses(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF.replace(VPC, f"# eksjoin:ignore EKS-DNS-002 exp:2030-01-31\n{VPC}"))
    monkeypatch.chdir(tmp_path)
    before = analyze([Path(".")], load_catalogue(), Options(today=dt.date(2030, 1, 31)))
    after = analyze([Path(".")], load_catalogue(), Options(today=dt.date(2030, 2, 1)))
    assert "EKS-DNS-002" not in {f.rule_id for f in before.findings}
    assert {"EKS-DNS-002", "SUP-001"} <= {f.rule_id for f in after.findings}


def test_unused_and_malformed_ignores_are_reported(run, tmp_path):
    text = EXAMPLE_TF.replace(VPC, f"# eksjoin:ignore EKS-IAM-001 -- nothing here\n{VPC}")
    text = text.replace(
        'resource "aws_subnet" "private" {', '# eksjoin:ignore EKS-NOPE-001 whenever\nresource "aws_subnet" "private" {'
    )
    (tmp_path / "main.tf").write_text(text)
    report = _lint_json(run, ".")
    by_id = {f["rule_id"]: f for f in report["findings"]}
    assert by_id["SUP-002"]["severity"] == "info" and "EKS-IAM-001" in by_id["SUP-002"]["message"]
    assert by_id["SUP-003"]["severity"] == "warning" and "EKS-NOPE-001" in by_id["SUP-003"]["message"]
    # an ignore of a rule that did not run is not called unused
    selected = _lint_json(run, ".", "--select", "EKS-DNS")
    assert "SUP-002" not in _ids(selected)


def test_cloudformation_metadata_ignore(run, tmp_path):
    text = EXAMPLE_CFN.replace(
        "  Vpc:\n    Type: AWS::EC2::VPC\n",
        "  Vpc:\n    Type: AWS::EC2::VPC\n    Metadata:\n      eksjoin:\n        ignore: [EKS-DNS-001]\n"
        "        reason: resolver is replaced by the DNS team\n",
    )
    assert text != EXAMPLE_CFN
    (tmp_path / "cluster.yaml").write_text(text)
    report = _lint_json(run, ".")
    assert "EKS-DNS-001" not in _ids(report) and "EKS-CLUSTER-002" in _ids(report)
    assert report["summary"]["suppressed"] == 1


def test_path_scoped_ignore_in_the_configuration(run, tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(EXAMPLE_TF)
    (tmp_path / ".eksjoin.yaml").write_text(
        "ignore_paths:\n  - {path: 'infra/*.tf', rules: [EKS-TAG, EKS-DNS-002], reason: network team}\n"
        "  - {path: 'plans/', rules: [EKS-IAM-002], expires: 2020-01-01}\n"
    )
    report = _lint_json(run, "infra")
    ids = _ids(report)
    assert "EKS-DNS-002" not in ids and "EKS-TAG-002" not in ids and "EKS-IAM-002" in ids
    assert "SUP-001" in ids  # the expired entry is reported


def _git_repo(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def test_baseline_survives_another_directory_a_line_move_and_a_reworded_message(run, tmp_path, monkeypatch):
    _git_repo(tmp_path)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(EXAMPLE_TF)
    assert run("lint", "infra", "--create-baseline", "baseline.json").code == 1
    baseline = json.loads((tmp_path / "baseline.json").read_text())
    assert {e["file"] for e in baseline["findings"]} == {"infra/main.tf"}  # repository-relative

    monkeypatch.chdir(tmp_path / "infra")  # another working directory
    (tmp_path / "infra" / "main.tf").write_text("# a new first line\n\n" + EXAMPLE_TF)  # lines move
    again = run("lint", ".", "--baseline", "../baseline.json", "--format", "json")
    assert again.code == 0, again.out
    assert [f for f in json.loads(again.out)["findings"] if f["outcome"] != "notice"] == []

    rules = load_catalogue()
    for rule in rules:  # every message reworded
        rule.check["message"] = _reworded(rule.check["message"])
    reworded = analyze([Path(".")], rules, Options(baseline=tmp_path / "baseline.json"))
    assert [f for f in reworded.findings if f.outcome != "notice"] == []
    assert any(f.message.startswith("reworded") for f in reworded.suppressed)


def _reworded(message):
    """The message with every template it may choose reworded."""
    if isinstance(message, dict):
        return {**message, **{key: _reworded(message[key]) for key in ("then", "else", "unknown") if key in message}}
    return "reworded: " + message


def test_a_new_defect_is_reported_over_the_baseline(run, tmp_path):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    run("lint", ".", "--create-baseline", "b.json")
    (tmp_path / "cfn.yaml").write_text(EXAMPLE_CFN)
    ids = _ids(_lint_json(run, ".", "--baseline", "b.json"))
    assert "EKS-DNS-001" in ids and "EKS-DNS-002" not in ids


def _v1_baseline(report: dict, file_of=lambda f: f) -> str:
    """A baseline as eksjoin 0.1.0 wrote it: paths relative to the working directory of its run
    and a fingerprint that is not reproduced (it hashed that path)."""
    entries = [
        {
            "fingerprint": "0123456789abcdef",
            "rule_id": f["rule_id"],
            "file": file_of(f["file"]),
            "resource": f["resource"],
            "message": f["message"],
        }
        for f in report["findings"]
        if f["outcome"] == "fail"
    ]
    return json.dumps({"version": 1, "findings": entries})


def test_a_version_1_baseline_still_hides_what_it_accepted_from_any_directory(run, tmp_path, monkeypatch):
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "main.tf").write_text(EXAMPLE_TF)
    monkeypatch.chdir(tmp_path / "repo")
    report = _lint_json(run, ".")
    assert {f["file"] for f in report["findings"]} == {"main.tf"}
    (tmp_path / "bl.json").write_text(_v1_baseline(report))  # written from inside repo/

    for cwd, target, baseline in ((tmp_path / "repo", ".", "../bl.json"), (tmp_path, "repo", "bl.json")):
        monkeypatch.chdir(cwd)
        again = run("lint", target, "--baseline", baseline, "--format", "json")
        assert again.code == 0, again.out
        assert [f for f in json.loads(again.out)["findings"] if f["outcome"] != "notice"] == []
        assert json.loads(again.out)["summary"]["suppressed"] == len(json.loads(_v1_baseline(report))["findings"])
        assert "version 1" in again.err and "--create-baseline" in again.err  # said once, beside the report

    # --create-baseline over it writes version 2, with fingerprints that survive rewording
    assert run("lint", "repo", "--baseline", "bl.json", "--create-baseline", "bl.json").code == 0
    upgraded = json.loads((tmp_path / "bl.json").read_text())
    assert upgraded["version"] == 2 and upgraded["findings"]
    assert run("lint", "repo", "--baseline", "bl.json").err == ""


def test_a_version_1_entry_matches_only_its_rule_resource_message_and_file(run, tmp_path):
    (tmp_path / "main.tf").write_text(EXAMPLE_TF)
    report = _lint_json(run, ".")
    dns = next(f for f in report["findings"] if f["rule_id"] == "EKS-DNS-002")
    variants = {
        "reworded": {**dns, "message": dns["message"] + " (old wording)"},
        "other file": {**dns, "file": "other/main.tf"},
        "other resource": {**dns, "resource": "aws_vpc.other"},
        "longer path": {**dns, "file": "somewhere/main.tf"},  # not a suffix of main.tf
    }
    for name, entry in variants.items():
        (tmp_path / "b.json").write_text(_v1_baseline({"findings": [entry]}))
        ids = _ids(_lint_json(run, ".", "--baseline", "b.json"))
        assert "EKS-DNS-002" in ids, name
    for file in ("main.tf", "./main.tf", "../main.tf", str(tmp_path / "main.tf")):
        (tmp_path / "b.json").write_text(_v1_baseline({"findings": [{**dns, "file": file}]}))
        ids = _ids(_lint_json(run, ".", "--baseline", "b.json"))
        assert "EKS-DNS-002" not in ids and "EKS-IAM-002" in ids, file
