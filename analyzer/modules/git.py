"""Cloning git module sources with only the https, ssh and file transports.

git runs with ``GIT_ALLOW_PROTOCOL=file:https:ssh`` (so ``ext::`` and other command-running
transports are refused by git itself, submodules included), no terminal prompt, no system
or global configuration and no hooks, in a directory inside the cache — never in the
scanned repository, whose configuration is therefore never read. Clones are shallow when
the ref is a branch or tag; a commit id is fetched by itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from analyzer.modules.addresses import GIT_TRANSPORTS, GitSource


class GitError(Exception):
    """The repository could not be cloned; the message says why."""


_COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")


def git_environment() -> dict[str, str]:
    keep = ("PATH", "HOME", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "http_proxy", "https_proxy", "no_proxy", "HTTPS_PROXY")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        GIT_ALLOW_PROTOCOL=":".join(GIT_TRANSPORTS),
        GIT_TERMINAL_PROMPT="0",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_SSH_COMMAND="ssh -o BatchMode=yes",
        LC_ALL="C",
    )
    return env


def _git(arguments: list[str], cwd: Path, timeout: float) -> None:
    command = ["git", "-c", "core.hooksPath=" + os.devnull, "-c", "protocol.ext.allow=never", *arguments]
    try:
        completed = subprocess.run(
            command, cwd=cwd, env=git_environment(), capture_output=True, text=True, timeout=timeout * 6, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {arguments[0]} timed out") from None
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["failed"])[-1]
        raise GitError(f"git {arguments[0]} failed: {last}")


def clone(source: GitSource, destination: Path, timeout: float) -> None:
    """Check out ``source`` (at its ref) into the empty directory ``destination``."""
    if source.url.split(":", 1)[0] not in GIT_TRANSPORTS:
        raise GitError(f"the git transport of {source.url!r} is not allowed")
    if source.ref and _COMMIT.match(source.ref):
        _git(["init", "-q", "."], destination, timeout)
        _git(["fetch", "-q", "--depth", "1", "--", source.url, source.ref], destination, timeout)
        _git(["checkout", "-q", "FETCH_HEAD"], destination, timeout)
    else:
        arguments = ["clone", "-q", "--depth", str(source.depth or 1), "--no-tags"]
        if source.ref:
            arguments += ["--branch", source.ref]
        _git([*arguments, "--", source.url, "."], destination, timeout)
    shutil.rmtree(destination / ".git", ignore_errors=True)
