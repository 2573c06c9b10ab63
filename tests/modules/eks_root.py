"""A root module calling the real terraform-aws-eks releases served from ../shared/registry,
linted the way a user lints it: from the root's own folder, with the loopback registry as the
Terraform CLI configuration's host and a module cache shared by the tests of one file."""

from __future__ import annotations

import textwrap
from pathlib import Path

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import Analysis, Options, analyze

# The inputs every major version of the module needs; v20 names them cluster_*, v21 drops the
# prefix, and each ignores the other's names.
_REQUIRED = """\
name               = "demo"
cluster_name       = "demo"
kubernetes_version = "1.33"
cluster_version    = "1.33"
vpc_id             = "vpc-0123456789abcdef0"
subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
"""


def eks_module_call(version: str, inputs: str, source: str = "terraform-aws-modules/eks/aws") -> str:
    """A ``module "eks"`` block for ``version`` with the required inputs and ``inputs`` (HCL)."""
    body = textwrap.indent(_REQUIRED + "\n" + textwrap.dedent(inputs).strip() + "\n", "  ")
    return f'module "eks" {{\n  source  = "{source}"\n  version = "{version}"\n\n{body}}}\n'


def lint_root(registry, cache: Path, tmp_path: Path, monkeypatch, main_tf: str, select: tuple[str, ...]) -> Analysis:
    """``main_tf`` linted online as a root module with only the rules ``select`` names; every
    module it calls must load, or the test would be checking nothing."""
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(registry.cli_config(tmp_path)))
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(cache))
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(main_tf)
    monkeypatch.chdir(root)
    analysis = analyze([Path(".")], load_catalogue(), Options(offline=False, select=select))
    assert analysis.inventory.modules_not_loaded == 0
    return analysis


def outcomes_of(analysis: Analysis, rule_id: str) -> set[str]:
    return {r.outcome for r in analysis.results if r.rule.id == rule_id}


def findings_of(analysis: Analysis, rule_id: str) -> list:
    return [f for f in analysis.findings if f.rule_id == rule_id]
