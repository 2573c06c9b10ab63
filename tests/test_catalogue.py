"""Meta-tests: every rule validates, is documented, and has fixtures for its formats."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, REPO
from fixture_cases import discover_cases

from analyzer.engine.catalogue import RuleError, load_catalogue, load_rule

RULES = load_catalogue(validate=True)  # a run skips the schema for the shipped catalogue: it is checked here

# The rule files are the catalogue. An ID names its category: EKS-<PREFIX>-<three digits>.
CATEGORY_OF_PREFIX = {
    "AMI": "ami",
    "AUTH": "auth",
    "AUTO": "cluster",  # EKS Auto Mode
    "HYB": "cluster",  # EKS Hybrid Nodes
    "CLUSTER": "cluster",
    "DNS": "dns",
    "EPT": "endpoints",
    "IAM": "iam",
    "NACL": "nacl",
    "NET": "network",
    "SG": "security-group",
    "TAG": "tags",
    "UDATA": "userdata",
}
NODE_CLASSES = {"MNG-default", "MNG-LT", "MNG-CUSTOM-AMI", "SELF"}


def test_catalogue_is_not_empty():
    assert len(RULES) >= 9


def test_runtime_catalogue_is_the_validated_one():
    """The fast path (libyaml, no schema) must read exactly what the schema check accepted."""
    fast = load_catalogue()
    assert [(r.id, r.spec) for r in fast] == [(r.id, r.spec) for r in RULES]


def test_pure_python_yaml_reads_the_same_rules():
    for rule in RULES:
        assert yaml.safe_load(rule.path.read_text(encoding="utf-8")) == rule.spec, rule.id


def test_another_rule_directory_is_validated_in_full(tmp_path):
    shipped = RULES[0]
    broken = dict(shipped.spec, severity="catastrophic")
    _write_rule(tmp_path, broken)
    with pytest.raises(RuleError, match="severity"):
        load_catalogue(tmp_path)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_id_names_its_category(rule):
    match = re.fullmatch(r"EKS-([A-Z]+)-(\d{3})", rule.id)
    assert match, f"{rule.id}: IDs are EKS-<CATEGORY>-<NNN>"
    assert CATEGORY_OF_PREFIX.get(match.group(1)) == rule.spec["category"], (
        f"{rule.id}: category {rule.spec['category']!r} does not match the ID prefix {match.group(1)}"
    )
    assert rule.spec.get("docs", f"docs/rules.md#{rule.id.lower()}") == f"docs/rules.md#{rule.id.lower()}"
    assert set(rule.spec.get("node_classes", ())) <= NODE_CLASSES, rule.id


def test_rule_names_are_unique():
    names = [r.spec["name"] for r in RULES if "name" in r.spec]
    assert len(names) == len(set(names))


def test_no_reference_to_documents_outside_the_repository():
    """The catalogue is the rule files: code, tests and docs cite nothing outside the repository."""
    outside = ("shared" + "/spec", "RULES" + ".md", "ARCHITECTURE" + ".md", "RULES" + " §")
    offenders = []
    for folder in ("analyzer", "tests", "docs", "rules"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix not in (".py", ".md", ".yaml", ".yml", ".json", ".toml") or ".venv" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.relative_to(REPO)}: {word}" for word in outside if word in text]
    for name in ("README.md", "CONTRIBUTING.md", "pyproject.toml"):
        path = REPO / name
        if path.exists():
            offenders += [f"{name}: {word}" for word in outside if word in path.read_text(encoding="utf-8")]
    assert not offenders


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_fixtures_for_each_framework(rule):
    cases = [c for c in discover_cases(FIXTURES) if c.rule_id == rule.id]
    for framework in rule.spec["frameworks"]:
        outcomes = {c.outcome for c in cases if c.framework == framework}
        missing = {"fail", "pass", "unknown"} - outcomes
        assert not missing, f"{rule.id}/{framework} lacks {sorted(missing)} fixtures"


def test_fixture_directories_are_well_formed():
    for case in discover_cases(FIXTURES):
        assert case.outcome in ("fail", "pass", "unknown", "skip"), case.path
        assert case.framework in ("terraform", "cloudformation", "eksctl", "kubernetes"), case.path
        assert any(r.id == case.rule_id for r in RULES), f"fixtures for unknown rule {case.path}"


def _write_rule(tmp_path: Path, spec: dict) -> Path:
    path = tmp_path / f"{spec['id']}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_invalid_rule_is_a_hard_error_naming_file_and_path(tmp_path):
    spec = dict(RULES[0].spec)
    spec["check"] = dict(spec["check"], for_each="ec2.nonsense")
    path = _write_rule(tmp_path, spec)
    with pytest.raises(RuleError) as error:
        load_rule(path)
    assert str(path) in str(error.value) and "check/for_each" in str(error.value)


def test_unknown_predicate_is_rejected(tmp_path):
    spec = dict(RULES[0].spec)
    spec["check"] = dict(spec["check"], assert_={})
    spec["check"] = {**RULES[0].spec["check"], "assert": {"value": {"predicate": "iam.nope"}, "op": "is_true"}}
    with pytest.raises(RuleError, match=r"unknown predicate 'iam\.nope'"):
        load_rule(_write_rule(tmp_path, spec))


def test_symptom_patterns_are_checked_when_the_rule_loads(tmp_path):
    good = {**RULES[0].spec, "symptoms": [{"pattern": r"x509: .*unknown authority", "note": "kubelet log"}]}
    assert load_rule(_write_rule(tmp_path, good)).spec["symptoms"][0]["note"] == "kubelet log"
    bad = {**RULES[0].spec, "symptoms": [{"pattern": "x509: (unclosed", "note": "kubelet log"}]}
    with pytest.raises(RuleError, match="symptoms/0/pattern"):
        load_rule(_write_rule(tmp_path, bad))
    missing_note = {**RULES[0].spec, "symptoms": [{"pattern": "x509"}]}
    with pytest.raises(RuleError, match="symptoms/0"):
        load_rule(_write_rule(tmp_path, missing_note))


def test_rule_file_name_must_match_id(tmp_path):
    path = tmp_path / "EKS-DNS-999.yaml"
    path.write_text(yaml.safe_dump(RULES[0].spec))
    with pytest.raises(RuleError, match="file name must be the rule ID"):
        load_rule(path)


def test_rule_docs_are_up_to_date():
    generated = subprocess.run(
        [sys.executable, "-m", "analyzer", "rules", "--format", "markdown"], capture_output=True, text=True, check=True
    ).stdout
    committed = (REPO / "docs" / "rules.md").read_text()
    assert committed.split("\n", 2)[2] == generated, (
        "docs/rules.md is stale: regenerate it with the command in CONTRIBUTING.md"
    )


def test_a_misspelt_field_path_is_a_load_error_naming_file_and_path(tmp_path):
    spec = next(r.spec for r in RULES if r.id == "EKS-DNS-001")
    broken = {**spec, "check": {**spec["check"], "assert": {**spec["check"]["assert"]}}}
    broken["check"]["assert"]["value"] = "$subject.enable_dns_suport"
    path = tmp_path / "EKS-DNS-001.yaml"
    path.write_text(yaml.safe_dump(broken))
    with pytest.raises(
        RuleError, match=r"EKS-DNS-001\.yaml: invalid rule at check/assert/value: .*'enable_dns_suport'"
    ):
        load_rule(path)
