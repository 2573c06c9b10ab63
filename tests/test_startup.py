"""Start-up stays light: heavy packages are imported only by the inputs that need them."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

_PROBE = """
import json, sys
from analyzer.cli import main
try:
    main()
except SystemExit:
    pass
HEAVY = ("cfnlint", "jsonschema", "lark", "hcl2", "analyzer.knowledge", "analyzer.terraform.loader")
print(json.dumps(sorted(m for m in HEAVY if m in sys.modules)), file=sys.stderr)
"""


def _imported(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=REPO, timeout=120, check=False
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_a_terraform_run_imports_neither_cfn_lint_nor_jsonschema():
    assert not {"cfnlint", "jsonschema"} & set(_imported("lint", "examples/terraform"))


def test_an_eksctl_run_does_not_import_cfn_lint():
    assert "cfnlint" not in _imported("lint", "examples/eksctl")


def test_a_cloudformation_template_imports_cfn_lint():
    assert "cfnlint" in _imported("lint", "--no-cache", "examples/cloudformation")


def test_a_cached_cloudformation_template_does_not_import_cfn_lint(tmp_path, monkeypatch):
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(tmp_path / "cache"))
    assert "cfnlint" in _imported("lint", "examples/cloudformation")
    assert "cfnlint" not in _imported("lint", "examples/cloudformation")  # its resources came from the cache


def test_a_warm_terraform_run_imports_neither_the_parser_nor_the_evaluator(tmp_path, monkeypatch):
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(tmp_path / "cache"))
    assert {"lark", "hcl2", "analyzer.terraform.loader"} <= set(_imported("lint", "examples/terraform"))
    warm = set(_imported("lint", "examples/terraform"))  # every root and module call came from the cache
    assert not {"lark", "hcl2", "analyzer.terraform.loader"} & warm


def test_version_imports_no_parser_and_no_rule_machinery():
    assert _imported("--version") == []
