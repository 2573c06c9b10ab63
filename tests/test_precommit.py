"""The shipped pre-commit hooks, run by pre-commit itself on a temporary git repository.

The hooks are taken from .pre-commit-hooks.yaml as shipped (entry, files, args, pass_filenames,
require_serial) and run as local hooks with the eksjoin of this interpreter on PATH, so pre-commit
builds no environment and needs no network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from roots_repo import CHILD_FILE, GIT_ENV, break_child, git, make_repo

ROOT = Path(__file__).resolve().parents[1]
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
FINDING = re.compile(r"^  (\d+):\d+\s+(error|warning|info)\s+(\S+)\s+(.*)$")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def pre_commit_env(tmp_path: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **GIT_ENV,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
    }


def local_config(repo: Path, ids: tuple[str, ...] = ("eksjoin", "eksjoin-all")) -> None:
    hooks = [{**hook, "language": "system"} for hook in HOOKS if hook["id"] in ids]
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}))
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "--no-verify", "-m", "pre-commit configuration", "--", ".pre-commit-config.yaml")


def run(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    pre_commit = [sys.executable, "-m", "pre_commit"]
    return subprocess.run([*pre_commit, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120)


def findings(output: str) -> set[tuple[str, str, int]]:
    """(file, rule, line) of each finding in eksjoin's text output."""
    found, current = set(), None
    for line in output.splitlines():
        match = FINDING.match(line)
        if match:
            found.add((current, match.group(3), int(match.group(1))))
        elif line and not line.startswith(" ") and re.fullmatch(r"[\w./-]+\.\w+", line):
            current = line
    return found


@pytest.fixture
def repo(tmp_path):
    repo = make_repo(tmp_path / "repo")
    local_config(repo)
    return repo


def test_hooks_are_what_the_readme_and_pre_commit_expect():
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert set(by_id) == {"eksjoin", "eksjoin-all"}
    assert by_id["eksjoin"]["pass_filenames"] is True
    assert by_id["eksjoin-all"]["pass_filenames"] is False and by_id["eksjoin-all"]["args"] == ["."]
    files = re.compile(by_id["eksjoin"]["files"])
    for read in ("main.tf", "a.tf.json", "prod.tfvars", "stack.yaml", "c.yml", "plan.json", "s.template"):
        assert files.search(read), read
    for not_read in ("README.md", "script.sh", "main.py", "Dockerfile"):
        assert not files.search(not_read), not_read
    readme_ids = set(re.findall(r"- id: ([\w-]+)", (ROOT / "README.md").read_text()))
    assert readme_ids and readme_ids <= set(by_id)


def test_commit_touching_only_the_child_reports_its_defect_and_nothing_the_whole_run_does_not(repo, tmp_path):
    env = pre_commit_env(tmp_path)
    break_child(repo)
    git(repo, "add", CHILD_FILE.as_posix())
    whole = run(repo, env, "run", "eksjoin-all", "--all-files")
    assert whole.returncode == 1, whole.stdout + whole.stderr
    whole_findings = findings(whole.stdout)
    assert ("infra/main.tf", "EKS-NET-002", 6) in whole_findings  # an old error outside the commit

    local_config(repo, ("eksjoin",))  # the hook a team installs for commits
    assert run(repo, env, "install").returncode == 0
    commit = subprocess.run(
        ["git", "commit", "-m", "break the child"], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )
    assert commit.returncode != 0, commit.stdout + commit.stderr  # the hook blocked the commit
    output = commit.stdout + commit.stderr
    changed = findings(output)
    assert {rule for file, rule, _ in changed if file == CHILD_FILE.as_posix()} >= {"EKS-IAM-001"}
    assert changed <= whole_findings, changed - whole_findings
    assert all(file == CHILD_FILE.as_posix() for file, _, _ in changed), changed
    assert "eksjoin (changed files)" in output


def test_a_commit_not_touching_iac_is_not_blocked_by_an_old_finding(repo, tmp_path):
    env = pre_commit_env(tmp_path)
    deploy = repo / "k8s" / "deploy.yaml"
    deploy.write_text(deploy.read_text() + "\n# scaled\n")
    git(repo, "add", "k8s/deploy.yaml")
    changed = run(repo, env, "run", "eksjoin")
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert findings(changed.stdout) == set()
    whole = run(repo, env, "run", "eksjoin-all")
    assert whole.returncode == 1 and ("infra/main.tf", "EKS-NET-002", 6) in findings(whole.stdout)
