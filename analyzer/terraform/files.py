"""File access for ``file()``, ``templatefile()`` and friends, confined to the scanned root.

Relative paths resolve against the root module directory, as Terraform resolves them
against its working directory (``path.module`` is relative to it). A path that leaves the
scanned root once symlinks are resolved is refused with LOAD-003 and never read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from analyzer import boundary
from analyzer.boundary import Boundary, OutsideBoundary, Refused
from analyzer.diagnostics import EVALUATION, OUTSIDE_ROOT, UNREADABLE, Diagnostic
from analyzer.location import Location
from analyzer.terraform import reads
from analyzer.terraform.errors import EvalError
from analyzer.terraform.parsing import MAX_FILE_BYTES
from analyzer.values import Unknown


def is_file(path: Path) -> bool:
    """``path.is_file()``, false where a folder on the way cannot be searched (it raises there)."""
    try:
        return path.is_file()
    except OSError:
        return False


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def display_path(path: Path, display_root: Path) -> str:
    """``path`` relative to ``display_root`` as a POSIX string, like every other finding
    path (``../infra/main.tf`` when outside it; absolute only across drives). A symlinked file
    is named by the link, as discovery names it: its target may be outside the repository."""
    try:
        if path.name in ("", ".", ".."):
            named = reads.resolve(path)
        else:
            named = reads.resolve(path.parent) / path.name
        return Path(os.path.relpath(named, reads.resolve(display_root))).as_posix()
    except ValueError:
        return path.absolute().as_posix()


def is_inside(path: Path, root: Path) -> bool:
    try:
        reads.resolve(path).relative_to(reads.resolve(root))
        return True
    except (ValueError, OSError, RuntimeError):
        return False


class FileAccess:
    def __init__(
        self,
        scan_root: Path,
        display_root: Path,
        cwd: Path,
        report: Callable[[Diagnostic], None],
        readable: tuple[Path, ...] = (),
    ) -> None:
        self.scan_root = scan_root.resolve()
        self.readable = readable  # the repository boundary and fetched module code
        self.boundary = Boundary(self.scan_root, tuple(Path(os.path.realpath(r)) for r in readable))
        self.display_root = display_root
        self.cwd = cwd
        self.report = report

    def display(self, path: Path) -> str:
        return display_path(path, self.display_root)

    def resolve(self, raw: str, location: Location, function: str) -> Path | Unknown:
        candidate = Path(raw)
        if not candidate.is_absolute():
            candidate = self.cwd / candidate
        if not any(is_inside(candidate, root) for root in (self.scan_root, *self.readable)):
            self.report(
                Diagnostic(
                    OUTSIDE_ROOT,
                    f"{function}() path {raw!r} resolves outside the scanned root; it was not read",
                    location,
                    "warning",
                    "Keep the files the configuration reads inside the repository, or widen the boundary with --root DIR.",
                )
            )
            return Unknown(f"{function}({raw!r}) refused: the path leaves the scanned root", location)
        return reads.resolve(candidate)

    def read_bytes(self, raw: str, location: Location, function: str) -> bytes | Unknown:
        path = self.resolve(raw, location, function)
        if isinstance(path, Unknown):
            return path
        if not reads.is_file(path) and not reads.is_special(path):
            raise EvalError(f"{function}(): no file exists at {raw!r}")
        try:
            data = reads.read_limited(path, MAX_FILE_BYTES)
        except Refused as refused:  # a FIFO or a device, never opened
            code = OUTSIDE_ROOT if isinstance(refused, OutsideBoundary) else UNREADABLE
            self.report(Diagnostic(code, f"{function}() path {raw!r} {refused.reason}; it was not read", location))
            return Unknown(f"{function}({raw!r}) not read: {refused.reason}", location)
        except OSError as exc:
            self.report(Diagnostic(UNREADABLE, f"{function}() cannot read {raw!r}: {exc.strerror or exc}", location))
            return Unknown(f"{function}({raw!r}) could not be read", location)
        if isinstance(data, int):
            self.report(
                Diagnostic(UNREADABLE, f"{function}() file {raw!r} is larger than 1 MiB; it was not read", location)
            )
            return Unknown(f"{function}({raw!r}) not read: larger than 1 MiB", location)
        return data

    def read_text(self, raw: str, location: Location, function: str) -> str | Unknown:
        data = self.read_bytes(raw, location, function)
        if isinstance(data, Unknown):
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.report(
                Diagnostic(UNREADABLE, f"{function}() file {raw!r} is not UTF-8 text; it was not read", location)
            )
            return Unknown(f"{function}({raw!r}) not read: not UTF-8 text", location)

    def exists(self, raw: str, location: Location, function: str) -> bool | Unknown:
        path = self.resolve(raw, location, function)
        if isinstance(path, Unknown):
            return path
        return reads.is_file(path)

    def glob(self, base: Path, pattern: str, location: Location, limit: int) -> list[Path] | Unknown:
        """``fileset()``'s matches, listed only inside the boundary: a pattern that leaves it is
        refused whole, before anything is listed, so no name from outside reaches the report."""
        try:
            return reads.glob(base, pattern, limit, boundary.active() or self.boundary)
        except Refused as refused:
            leaves = isinstance(refused, OutsideBoundary) or "'..'" in refused.reason
            if leaves:
                message = f"fileset() pattern {pattern!r} leads outside the repository; nothing there was listed"
                fix = "Keep the files the configuration reads inside the repository, or widen the boundary with --root DIR."
                code = OUTSIDE_ROOT
            else:
                message = f"fileset() of {pattern!r}: {self.display(base)} {refused.reason}; its files were not listed"
                fix = "Narrow the pattern to the files the configuration needs."
                code = EVALUATION
            self.report(Diagnostic(code, message, location, "warning", fix))
            return Unknown(f"fileset({pattern!r}) refused: {refused.reason}", location)

    def display_of(self, raw: str) -> str:
        candidate = Path(raw)
        if not candidate.is_absolute():
            candidate = self.cwd / candidate
        return self.display(candidate)
