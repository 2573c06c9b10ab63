"""The repository boundary: the one place that decides which files a run may read.

A run reads files only inside the repository that holds the scanned paths, as Terraform
would see it: the git work tree (found by walking up to a ``.git`` entry, no subprocess),
else the current directory when the scanned paths are inside it, else the scanned path
itself. ``--root DIR`` widens it. Module code fetched into the cache is readable too
(``extra``), and so is a file the user names on the command line (``--var-file``,
``--baseline``). Symlinks are resolved before every check, and only regular files are opened:
a FIFO, a device or a socket named ``main.tf`` is refused, never waited on, and a file's size
is checked before a byte of it is read.

``analyze()`` makes the run's boundary the current one (``enforced``); every read, directory
listing and glob of the user's files goes through the functions at the end of this module
(``read_bytes``, ``read_text``, ``list_dir``, ``glob``), which apply it. Outside a run (a test
calling a loader directly) they are not confined to a root, but still open only regular files
under the size cap. A refusal is a ``Refused`` (an ``OSError``) whose message says why; every
caller turns it into a finding.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class Refused(OSError):
    """The boundary refused to open or list a path; ``reason`` says why, in a finding's words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason

    @property
    def sentence(self) -> str:
        """The finding's words: ``zero.tf is a FIFO, not a regular file; it was not read``."""
        return f"{Path(self.path).name} {self.reason}; it was not read"


class OutsideBoundary(Refused):
    """A path resolves outside every readable root."""

    def __init__(self, path: Path, boundary: Boundary) -> None:
        self.target = _resolve(path)
        shown = f"resolves to {self.target}, " if self.target != Path(os.path.abspath(path)) else "is "
        super().__init__(path, f"{shown}outside the repository {boundary.root}")


class NotARegularFile(Refused):
    """A FIFO, device, socket or directory where a file was expected: never opened."""

    def __init__(self, path: Path, info: os.stat_result | None = None) -> None:
        what = "not a file"
        if info is not None:
            what = next((name for test, name in _FILE_TYPES if test(info.st_mode)), what)
        if _is_link(path):
            reason = f"is a link to {os.path.realpath(path)}, {what}, not a regular file"
        else:
            reason = f"is {what}, not a regular file"
        super().__init__(path, reason)


class TooLarge(Refused):
    def __init__(self, path: Path, size: int, limit: int, kind: str = "") -> None:
        what = " for Terraform files" if kind == "terraform" else ""
        super().__init__(path, f"is {size:,} bytes, over the {limit:,}-byte limit{what}")
        self.size = size
        self.limit = limit


_FILE_TYPES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _is_link(path: Path) -> bool:
    try:
        return Path(path).is_symlink()
    except OSError:
        return False


def _resolve(path: Path) -> Path:
    """``path`` with symlinks resolved; during a run (``enforced``), each absolute path is
    resolved once: discovery, the result cache's checks, the loaders and suppressions ask
    about the same files, and resolving walks every component on disk (a warm corpus run
    resolved 1,959 paths 8,100 times)."""
    memo = _RESOLVED.get()
    key = os.fspath(path)
    if memo is None or not os.path.isabs(key):
        return _resolve_now(path)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _resolve_in_parent(key) or _resolve_now(path)
    return found


def _resolve_in_parent(path: str) -> Path | None:
    """``path`` resolved as its folder's resolution (once per run) and its name, when its name
    is no symlink: one ``lstat`` instead of one per component. None when that does not hold
    (a symlink, a missing file, a loop, a name like ``..``): the path is resolved in full."""
    parent, name = os.path.split(path)
    if name in ("", ".", "..") or not parent or parent == path:
        return None
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return None
    except (OSError, ValueError):
        return None
    return _resolve(Path(parent)) / name


def resolved(path: Path) -> Path:
    """``path`` with symlinks resolved, as the boundary sees it (once per run, see _resolve);
    a symlink loop is left unresolved, so opening it fails with ELOOP."""
    return _resolve(path)


def _resolve_now(path: Path) -> Path:
    try:
        return Path(path).resolve(strict=False)
    except (OSError, RuntimeError):  # symlink loop
        return Path(os.path.abspath(path))


def is_within(path: Path, root: Path) -> bool:
    """``path`` is ``root`` or below it; both resolved. Compared as text: ``root in
    path.parents`` builds a Path for every parent (about 45 us, against 1 us)."""
    inner, outer = os.path.normcase(path), os.path.normcase(root)
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


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
        if is_within(path, cwd):
            return cwd
        return path if path.is_dir() else path.parent

    def with_extra(self, *paths: Path) -> Boundary:
        return Boundary(self.root, self.extra + tuple(_resolve(p) for p in paths))

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.root, *self.extra)

    def root_contains(self, path: Path) -> bool:
        """Inside the repository itself (not only the cache or a file named on the command line)."""
        return is_within(_resolve(path), self.root)

    def contains(self, path: Path) -> bool:
        resolved = _resolve(path)
        return any(is_within(resolved, root) for root in self.roots)

    def check(self, path: Path) -> Path:
        """``path`` with symlinks resolved; raises OutsideBoundary when it leaves every root."""
        resolved = _resolve(path)
        if not any(is_within(resolved, root) for root in self.roots):
            raise OutsideBoundary(Path(path), self)
        return resolved

    def read_bytes(self, path: Path, max_bytes: int, kind: str = "") -> bytes:
        """A regular file's bytes. Its type is checked before the boundary (a device or a FIFO
        is never opened, wherever it is), then the boundary, then its size, all before it is
        opened, and type and size again on the open descriptor: a FIFO would block, a device
        never ends, a sparse file of gigabytes would cost its size in memory."""
        resolved = _resolve(path)
        try:
            info = os.stat(resolved)
        except OSError:
            self.check(path)  # a missing file outside says it is outside, not that it is missing
            raise
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(Path(path), info)
        self.check(path)
        if info.st_size > max_bytes:
            raise TooLarge(Path(path), info.st_size, max_bytes, kind)
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # swapped since the stat above
                raise NotARegularFile(Path(path), info)
            if info.st_size > max_bytes:
                raise TooLarge(Path(path), info.st_size, max_bytes, kind)
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(max_bytes + 1)
        finally:
            os.close(fd)
        if len(data) > max_bytes:  # it grew while being read
            raise TooLarge(Path(path), len(data), max_bytes, kind)
        return data

    def read_text(self, path: Path, max_bytes: int) -> str:
        return self.read_bytes(path, max_bytes).decode("utf-8-sig")

    def is_regular_file(self, path: Path) -> bool:
        try:
            return self.contains(path) and stat.S_ISREG(os.stat(path).st_mode)
        except (OSError, RuntimeError):
            return False

    def refusal(self, path: Path) -> Refused | None:
        """Why the file ``path`` would not be read (not a regular file, outside the boundary),
        without opening it; None when it would be, or when it is missing (its open says so)."""
        try:
            info = os.stat(path)
        except (OSError, RuntimeError):
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            return NotARegularFile(Path(path), info)
        if not self.contains(path):
            return OutsideBoundary(Path(path), self)
        return None

    def list_dir(self, directory: Path) -> list[Path]:
        """The entries of a directory inside the boundary, by name, as paths under ``directory``."""
        resolved = self.check(directory)
        with os.scandir(resolved) as entries:
            names = sorted(entry.name for entry in entries)
        return [Path(directory) / name for name in names]

    def glob(self, base: Path, pattern: str, limit: int) -> list[Path]:
        """Files under ``base`` matching a Terraform ``fileset`` pattern (``*``, ``**``, ``?``,
        ``[...]``, ``{a,b}``), at most ``limit``. Only directories inside the boundary are listed:
        a pattern whose literal part leaves it (``../../*``), or a ``..`` after a wildcard, is
        refused before anything is listed, and a symlinked directory leading out is not entered."""
        segments = [s for s in pattern.split("/") if s not in ("", ".")]
        if pattern.startswith("/"):
            raise OutsideBoundary(Path(pattern), self)
        literal: list[str] = []
        while segments and not _WILDCARD.search(segments[0]):
            literal.append(segments.pop(0))
        if ".." in segments:
            raise Refused(Path(pattern), "has '..' after a wildcard, which could lead anywhere")
        start = Path(base).joinpath(*literal)
        self.check(start)
        if not segments:
            return [start] if self.is_regular_file(start) else []
        matcher = re.compile(_translate(segments), re.DOTALL)
        recursive = "**" in segments
        depth = None if recursive else len(segments)
        found: list[Path] = []
        seen: set[Path] = set()  # a symlinked directory back up the tree is listed once
        pending: list[tuple[Path, str, int]] = [(start, "", 0)]
        listed = 0
        while pending and len(found) <= limit and listed < GLOB_MAX_ENTRIES:
            directory, prefix, level = pending.pop()
            if _resolve(directory) in seen:
                continue
            seen.add(_resolve(directory))
            try:
                entries = self.list_dir(directory)
            except (OSError, RuntimeError):
                continue
            listed += len(entries)
            for entry in reversed(entries):
                relative = prefix + entry.name
                try:
                    is_dir = entry.is_dir()
                    is_file = not is_dir and stat.S_ISREG(os.stat(entry).st_mode)
                except (OSError, RuntimeError):
                    continue
                if is_dir and (depth is None or level + 1 < depth) and self.contains(entry):
                    pending.append((entry, relative + "/", level + 1))
                elif is_file and matcher.fullmatch(relative) and self.contains(entry):
                    found.append(entry)
        if len(found) > limit:
            raise Refused(Path(base), f"has over {limit:,} files matching {pattern!r}, the limit")
        if pending and listed >= GLOB_MAX_ENTRIES:
            raise Refused(Path(base), f"has over {GLOB_MAX_ENTRIES:,} entries to look through for {pattern!r}")
        return sorted(found)


GLOB_MAX_ENTRIES = 100_000  # directory entries one glob may look at
_WILDCARD = re.compile(r"[*?\[{]")


def _translate(segments: list[str]) -> str:
    """A regex for a relative path matching ``segments`` (``**`` is any number of directories)."""
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
        else:
            parts.append(_translate_segment(segment) + ("" if last else "/"))
    return "".join(parts)


def _translate_segment(segment: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        c = segment[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and "]" in segment[i + 1 :]:
            end = segment.index("]", i + 1)
            body = segment[i + 1 : end]
            negate = body.startswith(("!", "^"))
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end
        elif c == "{" and "}" in segment[i + 1 :]:
            end = segment.index("}", i + 1)
            out.append("(?:" + "|".join(_translate_segment(a) for a in segment[i + 1 : end].split(",")) + ")")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


# --- the run's boundary ------------------------------------------------------------------

UNCONFINED = Boundary(Path(os.path.abspath(os.sep)))
_CURRENT: ContextVar[Boundary | None] = ContextVar("eksjoin_boundary", default=None)
# The run's resolved paths (see _resolve): the first answer holds for the rest of the run.
_RESOLVED: ContextVar[dict[str, Path] | None] = ContextVar("eksjoin_resolved", default=None)
# Other answers about the file system that hold for the rest of the run (see run_memo).
_MEMO: ContextVar[dict[Any, Any] | None] = ContextVar("eksjoin_run_memo", default=None)


def active() -> Boundary | None:
    """The boundary of the run in progress, if any."""
    return _CURRENT.get()


def current() -> Boundary:
    """The boundary of the run in progress; outside a run, the whole filesystem (regular files only)."""
    return _CURRENT.get() or UNCONFINED


def run_memo() -> dict[Any, Any] | None:
    """A dictionary that lives as long as the run in progress (None outside a run), for answers
    that are asked many times and hold for the whole run, as resolutions do (see _resolve).
    A nested run shares it: keys name what decides the answer, the boundary included."""
    return _MEMO.get()


@contextlib.contextmanager
def enforced(boundary: Boundary) -> Iterator[Boundary]:
    token = _CURRENT.set(boundary)
    enclosing = _RESOLVED.get()  # a nested run shares its enclosing run's resolutions
    memo = _RESOLVED.set({} if enclosing is None else enclosing)
    shared = _MEMO.get() if enclosing is not None else None
    answers = _MEMO.set({} if shared is None else shared)
    try:
        yield boundary
    finally:
        _MEMO.reset(answers)
        _RESOLVED.reset(memo)
        _CURRENT.reset(token)


def read_bytes(path: Path, max_bytes: int, kind: str = "") -> bytes:
    return current().read_bytes(path, max_bytes, kind)


def read_text(path: Path, max_bytes: int) -> str:
    return current().read_text(path, max_bytes)


def list_dir(directory: Path) -> list[Path]:
    return current().list_dir(directory)


def glob(base: Path, pattern: str, limit: int) -> list[Path]:
    return current().glob(base, pattern, limit)


def refusal(path: Path) -> Refused | None:
    return current().refusal(path)


def refusal_diagnostic(path: Path, display: str, refused: Refused):
    """The finding for a file the boundary did not open: LOAD-003 when it leads outside the
    repository, LOAD-002 otherwise. Worded the same wherever the file is met (discovery, a
    module's file list), so one file is one finding."""
    from analyzer.diagnostics import OUTSIDE_ROOT, UNREADABLE, Diagnostic
    from analyzer.location import Location

    if isinstance(refused, OutsideBoundary):
        return Diagnostic(
            OUTSIDE_ROOT,
            refused.sentence,
            Location(display),
            "warning",
            "Keep the file inside the repository (copy it rather than link it), or widen the boundary with --root DIR.",
        )
    return Diagnostic(UNREADABLE, refused.sentence, Location(display))
