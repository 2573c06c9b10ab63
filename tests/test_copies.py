"""Several copies of one stack in one scan: each copy is linted as if it were alone.

Literal names (a cluster called "main", a role called "nodes") are matched within the root
that writes them first; two copies of a stack must never link a subnet of one to the VPC of
the other.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import analyze

# Folders that declare the same names in several roots (prod/staging-like copies).
STACKS = (
    "cookpad__terraform-aws-eks",
    "pipetail__minimal-eks-private-cluster",
    "hashicorp__terraform-provider-aws/examples/eks-getting-started",
)


def _findings(root: Path, rules) -> dict[str, set[tuple]]:
    """Findings of a scan of ``root``, per top-level folder, with paths relative to it."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        analysis = analyze([Path(".")], rules)
    finally:
        os.chdir(cwd)
    per_copy: dict[str, set[tuple]] = {}
    for finding in analysis.findings:
        copy, _, path = finding.location.path.partition("/")
        message = finding.message.replace(f"{copy}/", "")
        key = (finding.rule_id, finding.severity, finding.outcome, path, finding.location.line, message)
        per_copy.setdefault(copy, set()).add(key)
    return per_copy


def _stack_copy(target: Path) -> None:
    for stack in STACKS:
        shutil.copytree(CORPUS / stack, target / stack.replace("/", "__"))


def test_each_copy_gets_the_findings_of_one_copy_alone(tmp_path):
    if not all((CORPUS / stack).is_dir() for stack in STACKS):
        pytest.skip("corpus not available")
    rules = load_catalogue()
    alone = tmp_path / "alone"
    _stack_copy(alone / "copy")
    expected = _findings(alone, rules)["copy"]
    several = tmp_path / "several"
    for name in ("copy", "prod", "staging"):
        _stack_copy(several / name)
    found = _findings(several, rules)
    assert set(found) == {"copy", "prod", "staging"}
    for name, findings in found.items():
        assert findings == expected, (name, sorted(findings ^ expected)[:5])
    assert not [f for f in expected if f[1] == "error" and f[0] in ("EKS-NET-001", "EKS-AUTH-007")]
