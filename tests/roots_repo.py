"""A git repository with a root module (infra/) that calls a child module (infra/modules/nodes)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SOURCE = Path(__file__).parent / "data" / "roots_repo"
CHILD = Path("infra/modules/nodes")
CHILD_FILE = CHILD / "main.tf"
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True, check=True)
    return done.stdout


def make_repo(path: Path) -> Path:
    """The repository, committed on main; the child module is correct in that commit."""
    shutil.copytree(SOURCE, path)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial configuration")
    return path


def break_child(repo: Path) -> None:
    """The child's node role trusts eks.amazonaws.com instead of ec2: EKS-IAM-001 in the child file."""
    child = repo / CHILD_FILE
    child.write_text(child.read_text().replace("ec2.amazonaws.com", "eks.amazonaws.com"))


def finding_keys(report: dict) -> set[tuple]:
    return {(f["rule_id"], f["file"], f["line"], f["resource"], f["message"]) for f in report["findings"]}
