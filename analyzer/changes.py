"""The files changed against a git base, for `eksjoin lint --changed`.

git is run as a plain subprocess (no shell), with system configuration, hooks, pagers,
fsmonitor, external diff drivers and textconv filters all turned off, so listing
changes runs nothing the repository configures.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from analyzer.discovery import JSON_SUFFIXES, TERRAFORM_SUFFIXES, YAML_SUFFIXES

READ_SUFFIXES = (*TERRAFORM_SUFFIXES, *YAML_SUFFIXES, *JSON_SUFFIXES, ".tfvars", ".tfvars.json")
_TIMEOUT_SECONDS = 60


class GitError(Exception):
    """git is missing, the path is not in a work tree, or the base does not exist."""


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_OPTIONAL_LOCKS="0",  # a read-only listing must not rewrite the index
    )
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


def git(args: list[str], cwd: Path) -> str:
    command = [
        "git",
        "--no-pager",
        "-c",
        "core.hooksPath=/dev/null",
        "-c",
        "core.fsmonitor=false",
        *args,
    ]
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=_git_env(),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed; --changed needs it") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} did not finish in {_TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done.stdout.decode("utf-8", "surrogateescape")


def work_tree(start: Path) -> Path:
    directory = start if start.is_dir() else start.parent
    return Path(git(["rev-parse", "--show-toplevel"], directory).strip())


def default_base(top: Path) -> str:
    """The merge base with the default branch, or HEAD on the default branch itself."""
    for branch in _default_branches(top):
        try:
            base = git(["merge-base", branch, "HEAD"], top).strip()
        except GitError:
            continue
        if base and base != _rev(top, "HEAD"):
            return base
    return "HEAD"


def _default_branches(top: Path) -> list[str]:
    candidates = []
    with contextlib.suppress(GitError):
        candidates.append(git(["symbolic-ref", "--short", "refs/remotes/origin/HEAD"], top).strip())
    return [*candidates, "origin/main", "origin/master", "main", "master"]


def _rev(top: Path, ref: str) -> str:
    try:
        return git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], top).strip()
    except GitError:
        return ""


def changed_paths(start: Path, base: str | None = None) -> tuple[str, list[Path]]:
    """(base used, paths changed in the working tree against it), limited to what eksjoin reads.

    A deleted Terraform file stands for its directory: the configuration changed.
    """
    top = work_tree(start)
    base = base or default_base(top)
    if not _rev(top, base):
        raise GitError(f"no commit {base!r} to compare with")
    listed = git(["diff", "--name-only", "-z", "--no-ext-diff", "--no-textconv", "--no-renames", base, "--"], top)
    untracked = git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    paths: list[Path] = []
    for name in sorted({*listed.split("\0"), *untracked.split("\0")} - {""}):
        if not name.lower().endswith(READ_SUFFIXES):
            continue
        path = top / name
        if path.exists():
            paths.append(path)
        elif name.endswith(TERRAFORM_SUFFIXES) and path.parent.is_dir():
            paths.append(path.parent)
    return base, list(dict.fromkeys(paths))
