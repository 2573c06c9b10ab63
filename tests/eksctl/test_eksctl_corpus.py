"""The real-world corpus: every YAML file loads, eksctl's own examples validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.diagnostics import PARSE_ERROR, UNREADABLE
from analyzer.eksctl.validate import is_cluster_config, validate_cluster_config
from analyzer.yamlsafe import load_yaml_documents

CORPUS = (Path(__file__).resolve().parents[2] / "../shared/corpus").resolve()
EKSCTL_EXAMPLES = CORPUS / "eksctl-io__eksctl" / "examples"
YAML_SUFFIXES = (".yaml", ".yml", ".template")

# ClusterConfigs that eksctl itself refuses: negative test fixtures of eksctl's own.
EXPECTED_INVALID = {
    # a null item in nodeGroups
    "eksctl-io__eksctl/pkg/ctl/cmdutils/test_data/unset-nodegroups.yaml",
    # containerRuntime is a field of unmanaged node groups only
    "eksctl-io__eksctl/pkg/ctl/cmdutils/test_data/managed-nodegroup-with-container-runtime.yaml",
}

# What eksctl refuses (LOAD-004 error) or likely refuses (warning) in its own examples today,
# by file: each is checked against eksctl's validation, and nothing else may be reported.
AL2_DEFAULT_VERSION = "runs AmazonLinux2 and metadata.version is not set"
EXPECTED_REFUSALS = {
    # nodeGroups[0]: an AL2 custom AMI without overrideBootstrapCommand (ValidateNodeGroup),
    # and AL2 with eksctl's default version (1.33 or later), where AL2 is refused
    "eksctl-io__eksctl/examples/05-advanced-nodegroups.yaml": {
        ("error", "nodeGroups[0].overrideBootstrapCommand is required when using a custom AMI"),
        ("warning", AL2_DEFAULT_VERSION),
    },
    # managedNodeGroups[2] / [1]: amiFamily AmazonLinux2 with eksctl's default version
    "eksctl-io__eksctl/examples/15-managed-nodes.yaml": {("warning", AL2_DEFAULT_VERSION)},
    "eksctl-io__eksctl/examples/22-managed-nodes-launch-template.yaml": {("warning", AL2_DEFAULT_VERSION)},
    # the custom-AMI integration test still runs AL2 without a version
    "eksctl-io__eksctl/integration/tests/custom_ami/testdata/override-bootstrap.yaml": {
        ("warning", AL2_DEFAULT_VERSION),
    },
}


def _unexpected(file: str, diagnostics: list) -> list[str]:
    """Problems above info that EXPECTED_REFUSALS does not name for the file."""
    expected = EXPECTED_REFUSALS.get(file, set())
    return [
        f"{d.location}: {d.severity} {d.message}"
        for d in diagnostics
        if d.severity != "info" and not any(d.severity == s and m in d.message for s, m in expected)
    ]


pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")


def corpus_yaml_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name.endswith(YAML_SUFFIXES))


def relative(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def test_every_eksctl_example_validates() -> None:
    examples = sorted(EKSCTL_EXAMPLES.glob("*.yaml"))
    assert len(examples) == 49
    problems, refused = [], set()
    for path in examples:
        text = path.read_text(encoding="utf-8")
        documents, diagnostics = load_yaml_documents(text, relative(path))
        assert diagnostics == [], relative(path)
        configs = [d for d in documents if is_cluster_config(d.data)]
        assert configs, relative(path)
        for document in configs:
            found = validate_cluster_config(document, relative(path))
            problems += _unexpected(relative(path), found)
            refused |= {
                (relative(path), s, m)
                for d in found
                for s, m in EXPECTED_REFUSALS.get(relative(path), ())
                if d.severity == s and m in d.message
            }
    assert problems == []
    examples_expected = {(f, s, m) for f, pairs in EXPECTED_REFUSALS.items() for s, m in pairs if "/examples/" in f}
    assert refused == examples_expected


def test_every_yaml_file_loads_without_a_traceback() -> None:
    files = corpus_yaml_files()
    assert len(files) > 100
    counts = {"documents": 0, "cluster_configs": 0}
    invalid = set()
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        documents, diagnostics = load_yaml_documents(text, relative(path))
        assert {d.code for d in diagnostics} <= {PARSE_ERROR, UNREADABLE}
        counts["documents"] += len(documents)
        for document in documents:
            if not is_cluster_config(document.data):
                continue
            counts["cluster_configs"] += 1
            findings = validate_cluster_config(document, relative(path))
            if _unexpected(relative(path), findings):
                invalid.add(relative(path))
    assert counts["cluster_configs"] >= 75
    assert invalid == EXPECTED_INVALID
