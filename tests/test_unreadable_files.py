"""Files and folders eksjoin does not analyse: each is one finding that says what happened and
why, the size and type are checked before anything is read, and the rest of the tree is analysed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_inprocess import eksjoin

from analyzer import discovery

SENTINEL = """\
resource "aws_vpc" "sentinel" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = false
  enable_dns_hostnames = true
}
resource "aws_subnet" "sentinel" {
  vpc_id     = aws_vpc.sentinel.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_eks_cluster" "sentinel" {
  name     = "sentinel"
  role_arn = "arn:aws:iam::123456789012:role/sentinel"
  vpc_config {
    subnet_ids = [aws_subnet.sentinel.id]
  }
}
"""


@pytest.fixture
def run(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "sentinel.tf").write_text(SENTINEL)
    return lambda *args: eksjoin(capsys, monkeypatch, *args)


def _findings(run) -> list[dict]:
    result = run("lint", ".", "--format", "json")
    assert "internal error" not in result.err, result.err
    return json.loads(result.out)["findings"]


def _load_002(findings: list[dict]) -> list[dict]:
    assert any(f["rule_id"] == "EKS-DNS-001" for f in findings), "the rest of the tree was not analysed"
    return [f for f in findings if f["rule_id"] == "LOAD-002"]


def _resources(run) -> int:
    return json.loads(run("lint", ".", "--format", "json").out)["summary"]["resources"]


def test_a_binary_tf_file_is_skipped_once_and_not_analysed(run, tmp_path):
    (tmp_path / "bin.tf").write_bytes(b'resource "aws_vpc" "x" {\n  cidr_block = "10.0.\x000.0/16"\n}\n')
    [problem] = _load_002(_findings(run))
    assert problem["message"] == "file is binary; the file was skipped"
    assert problem["file"] == "bin.tf"
    assert _resources(run) == 3  # the VPC in bin.tf was not analysed


def test_a_tf_file_that_is_not_utf8_is_one_finding(run, tmp_path):
    (tmp_path / "latin1.tf").write_bytes(b'resource "aws_vpc" "x" {\n  cidr_block = "10.0.\xff0.0/16"\n}\n')
    [problem] = _load_002(_findings(run))
    assert problem["message"] == "file is not UTF-8 text (byte 46); the file was skipped"


def test_an_oversized_tf_file_is_not_read(run, tmp_path, monkeypatch):
    with open(tmp_path / "huge.tf", "wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: 2 GiB that cost nothing on disk
    read = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: read.append(str(path)) or real_open(path, *a, **k))
    [problem] = _load_002(_findings(run))
    assert problem["message"] == (
        "huge.tf is 2,147,483,648 bytes, over the 1,048,576-byte limit for Terraform files; it was not read"
    )
    assert not [p for p in read if p.endswith("huge.tf")]


def test_a_tf_file_between_the_terraform_and_the_general_limit_is_one_finding(run, tmp_path):
    (tmp_path / "big.tf").write_text("# padding\n" * 150_000)  # 1.5 MB: over 1 MiB, under 5 MiB
    [problem] = _load_002(_findings(run))
    assert "over the 1,048,576-byte limit for Terraform files; it was not read" in problem["message"]


def test_a_device_and_a_fifo_are_never_opened(run, tmp_path, monkeypatch):
    (tmp_path / "zero.tf").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "pipe.yaml")
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: opened.append(str(path)) or real_open(path, *a, **k))
    messages = sorted(f["message"] for f in _load_002(_findings(run)))
    assert messages == [
        "pipe.yaml is a FIFO, not a regular file; it was not read",
        "zero.tf is a link to /dev/zero, a character device, not a regular file; it was not read",
    ]
    assert not [p for p in opened if p.endswith(("zero.tf", "/dev/zero", "pipe.yaml"))]


def test_a_folder_that_cannot_be_listed_is_a_finding(run, tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path=".", *args):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", scandir)  # as root, mode 000 would still be readable
    [problem] = _load_002(_findings(run))
    assert problem["message"] == (
        "locked/ is a folder eksjoin cannot list (Permission denied); nothing under it was analysed"
    )
    assert problem["file"] == "locked"


def test_discovery_and_the_terraform_loader_say_the_same_sentence(tmp_path):
    path = tmp_path / "bin.tf"
    path.write_bytes(b"a = \x00\n")
    assert discovery.read_checked(path, 100, "terraform") == (None, "file is binary; the file was skipped")
    path.write_text("a = 1\n")
    assert discovery.read_checked(path, 100, "terraform") == (b"a = 1\n", None)
    assert discovery.read_checked(path, 3, "terraform")[1] == (
        "bin.tf is 6 bytes, over the 3-byte limit for Terraform files; it was not read"
    )


def test_a_file_that_changes_between_the_check_and_the_open_is_checked_again(tmp_path, monkeypatch):
    path = Path(tmp_path / "grows.tf")
    path.write_text("a = 1\n")
    real_fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: (path.write_text("a = 1\n" * 10), real_fstat(fd))[1])
    data, problem = discovery.read_checked(path, 10, "terraform")
    assert data is None and "over the 10-byte limit" in problem


def _unprivileged(command: list[str]) -> list[str]:
    """As root, drop the permission override, so that mode 000 means what it says."""
    if os.geteuid() != 0:
        return command
    if not shutil.which("setpriv"):
        pytest.skip("setpriv is needed to drop root's read override")
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "--", *command]


def test_a_module_in_a_folder_that_cannot_be_listed_is_a_finding_and_the_run_goes_on(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "sentinel.tf").write_text(SENTINEL)
    (tmp_path / "mod.tf").write_text('module "m" {\n  source = "./locked"\n}\n')
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "main.tf").write_text("")
    (tmp_path / "locked").chmod(0)
    try:
        command = _unprivileged([sys.executable, "-m", "analyzer", "lint", ".", "--format", "json", "--no-cache"])
        env = {**os.environ, "EKSJOIN_OFFLINE": "1"}
        ran = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert ran.returncode == 1, ran.stderr
    messages = {(f["rule_id"], f["file"], f["message"]) for f in json.loads(ran.stdout)["findings"]}
    assert (
        "LOAD-002",
        "locked",
        "locked/ is a folder eksjoin cannot list (Permission denied); nothing under it was analysed",
    ) in messages
    assert (
        "LOAD-005",
        "mod.tf",
        "module source './locked' is a folder eksjoin cannot list (Permission denied); the module was not read",
    ) in messages
    assert any(rule == "EKS-DNS-001" for rule, _, _ in messages)
