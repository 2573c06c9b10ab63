"""The repository boundary: the one place that decides which files a run may read.

A run reads files only inside the repository that holds the scanned paths, as Terraform
would see it: the git work tree (found by walking up to a ``.git`` entry, no subprocess),
else the current directory when the scanned paths are inside it, else the scanned path
itself. ``--root DIR`` widens it. Module code fetched into the cache is readable too
(``extra``). Symlinks are resolved before every check, and only regular files are opened:
a FIFO, a device or a socket named ``main.tf`` is refused, never waited on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class OutsideBoundary(Exception):
    """A path resolves outside every readable root."""

    def __init__(self, path: Path, boundary: Boundary) -> None:
        super().__init__(f"{path} is outside the repository boundary {boundary.root}")
        self.path = path


class NotARegularFile(Exception):
    """A FIFO, device, socket or directory where a file was expected."""


class TooLarge(Exception):
    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"{path} is {size} bytes, over the {limit}-byte limit")
        self.size = size
        self.limit = limit


def _resolve(path: Path) -> Path:
    try:
        return Path(path).resolve(strict=False)
    except (OSError, RuntimeError):  # symlink loop
        return Path(os.path.abspath(path))


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def git_work_tree(start: Path) -> Path | None:
    """The nearest enclosing directory holding ``.git`` (a directory or a worktree file)."""
    current = _resolve(start)
    if not current.is_dir():
        current = current.parent
    for directory in (current, *current.parents):
        if (directory / ".git").exists():
            return directory
    return None


@dataclass(frozen=True)
class Boundary:
    root: Path  # resolved repository root
    extra: tuple[Path, ...] = ()  # also readable: the module cache, a user's --root

    @classmethod
    def for_paths(cls, paths: Iterable[Path], widen: Path | None = None, cwd: Path | None = None) -> Boundary:
        """The repository that holds every scanned path, widened by ``widen`` (``--root``)."""
        cwd = _resolve(cwd or Path.cwd())
        resolved = [_resolve(Path(p)) for p in paths] or [cwd]
        roots = [cls._root_of(p, cwd) for p in resolved]
        root = Path(os.path.commonpath([str(r) for r in roots]))
        if widen is not None:
            widened = _resolve(widen)
            root = Path(os.path.commonpath([str(root), str(widened)]))
        return cls(root)

    @staticmethod
    def _root_of(path: Path, cwd: Path) -> Path:
        tree = git_work_tree(path)
        if tree is not None:
            return tree
        if _is_within(path, cwd):
            return cwd
        return path if path.is_dir() else path.parent

    def with_extra(self, *paths: Path) -> Boundary:
        return Boundary(self.root, self.extra + tuple(_resolve(p) for p in paths))

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.root, *self.extra)

    def contains(self, path: Path) -> bool:
        resolved = _resolve(path)
        return any(_is_within(resolved, root) for root in self.roots)

    def check(self, path: Path) -> Path:
        """``path`` with symlinks resolved; raises OutsideBoundary when it leaves every root."""
        resolved = _resolve(path)
        if not any(_is_within(resolved, root) for root in self.roots):
            raise OutsideBoundary(Path(path), self)
        return resolved

    def read_bytes(self, path: Path, max_bytes: int) -> bytes:
        """A regular file's bytes, size checked before reading; never blocks on a FIFO."""
        resolved = self.check(path)
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise NotARegularFile(f"{path} is not a regular file")
            if info.st_size > max_bytes:
                raise TooLarge(Path(path), info.st_size, max_bytes)
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(max_bytes + 1)
        finally:
            os.close(fd)
        if len(data) > max_bytes:  # grew while read
            raise TooLarge(Path(path), len(data), max_bytes)
        return data

    def read_text(self, path: Path, max_bytes: int) -> str:
        return self.read_bytes(path, max_bytes).decode("utf-8-sig")

    def is_regular_file(self, path: Path) -> bool:
        try:
            return self.contains(path) and stat.S_ISREG(os.stat(path).st_mode)
        except (OSError, RuntimeError):
            return False
