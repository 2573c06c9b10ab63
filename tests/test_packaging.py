"""The wheel ships the rule catalogue and the schemas the analyzer loads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_contains_rules_and_schemas(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(REPO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = next(tmp_path.glob("eksjoin-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    rule_files = sorted(p.name for p in (REPO / "rules").glob("*.yaml"))
    assert rule_files
    for name in rule_files:
        assert f"analyzer/_rules/{name}" in names
    assert "analyzer/engine/rule.schema.json" in names
    assert "analyzer/eksctl/schema.json" in names
