"""The cache of the checks: a run over unchanged inputs gives the findings of the last run
without evaluating the rules; an edit, another day, other rules or --no-cache evaluate them."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, corpus_path

from analyzer import checkcache, pipeline
from analyzer.knowledge import versions
from analyzer.pipeline import Options, analyze

EKSCTL = REPO / "examples" / "eksctl" / "cluster.yaml"
CLOUDFORMATION = REPO / "examples" / "cloudformation" / "cluster.yaml"
TERRAFORM = REPO / "examples" / "terraform" / "main.tf"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(directory))
    monkeypatch.chdir(tmp_path)  # findings name work/...
    return directory


@pytest.fixture
def evaluations(monkeypatch):
    """The number of times the rules were evaluated."""
    counted: list[int] = []
    real = pipeline.run_rules

    def counting(rules, model):
        counted.append(1)
        return real(rules, model)

    monkeypatch.setattr(pipeline, "run_rules", counting)
    return counted


def _inputs(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(EKSCTL, work / "eksctl.yaml")
    shutil.copy(CLOUDFORMATION, work / "stack.yaml")
    (work / "terraform").mkdir()
    shutil.copy(TERRAFORM, work / "terraform" / "main.tf")
    return work


def _outcome(paths, catalogue, **options):
    """Everything a report is made of: the findings and every check's result."""
    analysis = analyze(paths, catalogue, Options(offline=True, **options))
    findings = [
        (f.rule_id, f.severity, str(f.location), f.resource, f.message, f.fix, f.outcome, tuple(f.related))
        for f in analysis.findings
    ]
    results = [(r.rule.id, r.subject.address, r.outcome, r.reason) for r in analysis.results]
    return findings, results, pipeline.summarize(analysis)


def _entries(cache_dir):
    return sorted((cache_dir / "checks").glob("*/*.pickle"))


def test_a_warm_run_gives_the_cold_findings_without_evaluating_the_rules(tmp_path, cache_dir, catalogue, evaluations):
    work = _inputs(tmp_path)
    cold = _outcome([work], catalogue)
    assert evaluations == [1] and len(_entries(cache_dir)) == 1
    assert any(f[1] == "error" for f in cold[0])  # the examples carry intended defects
    assert {f[2].split(":")[0] for f in cold[0]} >= {"work/eksctl.yaml", "work/stack.yaml", "work/terraform/main.tf"}
    warm = _outcome([work], catalogue)
    assert warm == cold
    assert evaluations == [1]
    assert _outcome([work], catalogue, cache=False) == cold
    assert evaluations == [1, 1]


def test_the_corpus_cold_and_warm_agree(cache_dir, catalogue, evaluations):
    subset = [
        corpus_path("aws-cloudformation__aws-cloudformation-templates"),
        corpus_path("eksctl-io__eksctl", "examples"),
        corpus_path("hashicorp__terraform-provider-aws", "examples", "eks-getting-started"),
    ]
    cold = _outcome(subset, catalogue)
    warm = _outcome(subset, catalogue)
    assert warm == cold and len(evaluations) == 1
    assert cold[0] and cold[1]


def test_an_edit_in_one_file_changes_exactly_its_findings(tmp_path, cache_dir, catalogue, evaluations):
    work = _inputs(tmp_path)
    before = _outcome([work], catalogue)
    target = work / "eksctl.yaml"
    stat = target.stat()
    text = target.read_text()
    edited = text.replace('version: "1.32"', 'version: "1.22"', 1)  # same size, same mtime
    assert edited != text and len(edited) == len(text)
    target.write_text(edited)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = _outcome([work], catalogue)
    assert len(evaluations) == 2  # evaluated again
    assert after == _outcome([work], catalogue, cache=False)

    def of_other_files(outcome):
        return [f for f in outcome[0] if not f[2].startswith("work/eksctl.yaml")]

    assert of_other_files(after) == of_other_files(before)
    changed = set(after[0]) ^ set(before[0])
    assert changed and all(f[2].startswith("work/eksctl.yaml") for f in changed)
    assert any(f[0] == "EKS-CLUSTER-008" for f in changed)


def test_another_day_evaluates_the_rules_again(tmp_path, cache_dir, catalogue, evaluations, monkeypatch):
    """EKS-CLUSTER-008 judges the cluster's Kubernetes version (1.32) by today's date."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(EKSCTL, work / "eksctl.yaml")

    def on(day):
        monkeypatch.setattr(versions, "today", lambda: day)
        outcome = _outcome([work], catalogue)
        assert outcome == _outcome([work], catalogue, cache=False)
        return [f for f in outcome[0] if f[0] == "EKS-CLUSTER-008"]

    in_standard_support = on(datetime.date(2025, 6, 1))
    assert len(evaluations) == 2
    ended = on(datetime.date(2028, 1, 1))
    assert len(evaluations) == 4  # the cached findings of another day are not used
    assert ended and ended != in_standard_support
    assert on(datetime.date(2025, 6, 1)) == in_standard_support
    assert len(evaluations) == 5  # that day's entry is still there


def test_other_rules_are_evaluated_again(tmp_path, cache_dir, catalogue, evaluations):
    work = _inputs(tmp_path)
    every = _outcome([work], catalogue)
    some = _outcome([work], catalogue, select=("EKS-CLUSTER",))
    assert len(evaluations) == 2
    assert some != every and all(r[0].startswith("EKS-CLUSTER") for r in some[1])
    assert _outcome([work], catalogue) == every and len(evaluations) == 2


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path, cache_dir, catalogue, evaluations):
    work = _inputs(tmp_path)
    cold = _outcome([work], catalogue)
    [entry] = _entries(cache_dir)
    entry.write_bytes(entry.read_bytes()[:60])  # truncated
    assert _outcome([work], catalogue) == cold
    assert len(evaluations) == 2
    assert _outcome([work], catalogue) == cold  # rewritten whole
    assert len(evaluations) == 2


def test_an_entry_that_does_not_fit_the_model_is_not_used(tmp_path, cache_dir, catalogue, evaluations, monkeypatch):
    """An entry naming a subject the model does not have at that place (another key, a position
    past the end) or a rule that did not run is evaluated again, never trusted."""
    work = _inputs(tmp_path)
    cold = _outcome([work], catalogue)
    stored = checkcache._stored

    def damaged(results, model):
        entry = stored(results, model)
        first = entry[0]
        return [(first[0], first[1], "someone else", *first[3:]), *entry[1:]]

    monkeypatch.setattr(checkcache, "_stored", damaged)
    shutil.rmtree(cache_dir / "checks")
    assert _outcome([work], catalogue) == cold
    monkeypatch.setattr(checkcache, "_stored", stored)
    assert _outcome([work], catalogue) == cold
    assert len(evaluations) == 3


def test_no_cache_reads_and_writes_no_checks(tmp_path, cache_dir, catalogue, evaluations):
    work = _inputs(tmp_path)
    _outcome([work], catalogue, cache=False)
    _outcome([work], catalogue, cache=False)
    assert _entries(cache_dir) == [] and len(evaluations) == 2


def test_a_plan_is_not_known_by_content_and_its_checks_are_not_stored(tmp_path, cache_dir, catalogue, evaluations):
    work = tmp_path / "work"
    work.mkdir()
    planned = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_eks_cluster.this",
                        "mode": "managed",
                        "type": "aws_eks_cluster",
                        "name": "this",
                        "values": {"name": "demo", "version": "1.20", "vpc_config": [{"subnet_ids": ["subnet-1"]}]},
                    }
                ]
            }
        },
    }
    (work / "plan.json").write_text(json.dumps(planned))
    first = _outcome([work], catalogue)
    assert first[1]  # the plan's cluster was checked
    assert _outcome([work], catalogue) == first
    assert len(evaluations) == 2 and _entries(cache_dir) == []


def test_concurrent_runs_sharing_the_checks_cache(tmp_path, cache_dir):
    work = _inputs(tmp_path)
    env = dict(os.environ, EKSJOIN_CACHE_DIR=str(cache_dir))
    command = [sys.executable, "-m", "analyzer", "lint", "--format", "json", "--offline", str(work)]
    reference = subprocess.run([*command, "--no-cache"], env=env, capture_output=True, text=True, cwd=tmp_path)
    for _ in range(2):  # both empty, then both warm
        runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=tmp_path) for _ in range(2)]
        outputs = [run.communicate()[0] for run in runs]
        assert [run.returncode for run in runs] == [reference.returncode] * 2
        assert [json.loads(o) for o in outputs] == [json.loads(reference.stdout)] * 2
    # each cold run stored its own result entries and its checks over them; the warm runs read
    # whichever entries were renamed into place last: at most one more entry, each whole
    assert 1 <= len(_entries(cache_dir)) <= 3
