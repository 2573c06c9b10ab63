"""Which attachments may reach a role: those of its own configuration."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from analyzer.engine.catalogue import load_catalogue
from analyzer.pipeline import Options, analyze

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "EKS-IAM-009" / "terraform"

ELSEWHERE = """
variable "role_name" {
  type = string
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = var.role_name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}
"""


def _outcomes(root: Path) -> dict[str, str]:
    rules = [r for r in load_catalogue() if r.id == "EKS-IAM-009"]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        analysis = analyze([Path(".")], rules, Options(offline=True, cache=False))
    finally:
        os.chdir(cwd)
    return {r.subject.location.path.split("/", 1)[0]: r.outcome for r in analysis.results}


def test_an_unresolved_attachment_of_another_root_leaves_the_role_decided(tmp_path):
    shutil.copytree(FIXTURES / "fail_no_ssm_policy", tmp_path / "nodes")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "main.tf").write_text(ELSEWHERE)
    assert _outcomes(tmp_path) == {"nodes": "fail"}


def test_an_unresolved_attachment_of_the_same_root_may_reach_the_role(tmp_path):
    shutil.copytree(FIXTURES / "fail_no_ssm_policy", tmp_path / "nodes")
    (tmp_path / "nodes" / "other.tf").write_text(ELSEWHERE)
    assert _outcomes(tmp_path) == {"nodes": "unknown"}
