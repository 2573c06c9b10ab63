"""The Dockerfile: what it promises (pinned base, non-root, eksjoin as the entrypoint) is read
from it everywhere; where a Docker daemon runs, the image is built and lints the examples."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ACTION_PYTHON = re.search(r'python-version: "([\d.]+)"', (ROOT / "action.yml").read_text()).group(1)


def instructions(name: str) -> list[str]:
    return re.findall(rf"(?m)^{name}\s+(.+)$", DOCKERFILE)


def test_base_images_are_pinned_to_the_actions_python():
    bases = [line.split()[0] for line in instructions("FROM")]
    assert bases and all(re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", b) for b in bases), bases
    assert all(b.startswith(f"python:{ACTION_PYTHON}-") for b in bases)


def test_runs_as_a_user_not_root_with_eksjoin_as_entrypoint():
    users = instructions("USER")
    assert users and users[-1].strip() not in {"root", "0"}
    assert instructions("ENTRYPOINT") == ['["eksjoin"]']


def test_build_context_holds_what_the_wheel_needs():
    lines = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and line[0] != "#"]
    copied = {part for line in instructions("COPY") if "--from" not in line for part in line.split()[:-1]}
    assert lines[0] == "*"  # everything else (.venv, .git, caches, the tests) stays out of the image
    assert {"analyzer", "rules", "pyproject.toml"} <= copied
    assert all(f"!{name}" in lines or f"!{name}/" in lines for name in copied)


def _docker_works() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


@pytest.mark.skipif(not _docker_works(), reason="no Docker daemon on this machine")
def test_image_builds_and_lints_the_examples():
    tag = "eksjoin:test"
    build = subprocess.run(["docker", "build", "-q", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=900)
    if build.returncode and re.search(r"(?i)could not resolve|connection|network|pull access", build.stderr):
        pytest.skip(f"the base image or PyPI cannot be reached: {build.stderr.strip()[-200:]}")
    assert build.returncode == 0, build.stderr
    lint = subprocess.run(
        ["docker", "run", "--rm", "-v", f"{ROOT / 'examples'}:/src:ro", tag, "lint", "/src"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert lint.returncode == 1, lint.stderr
    assert "EKS-DNS-002" in lint.stdout and "error(s)" in lint.stdout
