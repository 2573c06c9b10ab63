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
    problems = []
    for path in examples:
        text = path.read_text(encoding="utf-8")
        documents, diagnostics = load_yaml_documents(text, relative(path))
        assert diagnostics == [], relative(path)
        configs = [d for d in documents if is_cluster_config(d.data)]
        assert configs, relative(path)
        for document in configs:
            problems += [
                f"{d.location}: {d.message}"
                for d in validate_cluster_config(document, relative(path))
                if d.severity != "info"
            ]
    assert problems == []


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
            if any(d.severity != "info" for d in findings):
                invalid.add(relative(path))
    assert counts["cluster_configs"] >= 75
    assert invalid == EXPECTED_INVALID
