"""Roots, not files: the Terraform root modules the scanned paths belong to.

A directory that another directory of the repository calls as a local module
(``source = "../modules/nodes"``) is not a configuration of its own: its variables get
their values from the caller, and its defaults are only what the caller did not set.
Linting it alone would take the defaults for the values and report what no deployment
has. So a called directory is evaluated through its callers, up to the root modules no
one calls (each root one context), and the findings are then limited to the paths that
were asked for. A directory with no caller is a root.

Callers are looked for inside the repository boundary (analyzer/boundary.py), by reading
module blocks only; nothing is executed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer import boundary, progress
from analyzer.boundary import Boundary
from analyzer.discovery import ALWAYS_EXCLUDED_DIRS, MAX_FILE_BYTES, Inventory, SourceFile, display_path
from analyzer.findings import Finding

if TYPE_CHECKING:
    from analyzer.engine.runner import Result

# A file can only call a local module when it names a relative source.
_LOCAL_SOURCE = re.compile(rb"""source\s*"?\s*[=:]\s*"\.\.?(/|")""")
_TERRAFORM_SUFFIXES = (".tf", ".tf.json")
# Variable files belong to the configuration of the directory they sit in.
_VARIABLE_SUFFIXES = (".tfvars", ".tfvars.json")


def is_variable_file(path: Path) -> bool:
    return path.name.endswith(_VARIABLE_SUFFIXES)


def scan_targets(paths: Iterable[Path]) -> list[Path]:
    """What discovery walks: a variable file stands for its directory's configuration."""
    return [Path(p).parent if Path(p).is_file() and is_variable_file(Path(p)) else Path(p) for p in paths]


def callers_index(boundary_root: Path, cache=None) -> dict[Path, set[Path]]:
    """Module directory -> the directories that call it through a local source.

    Kept for the process while no directory or Terraform file under the root changed
    (an editor or a test suite lints many folders of one repository). ``cache`` (a result
    cache) keeps each calling folder's local calls between runs, while the files it read
    have the same contents, so an unchanged repository is not parsed to find its callers.
    """
    cached = _INDEXES.get(boundary_root)
    if cached is not None and _unchanged(cached[0]):
        return cached[1]
    stamps: dict[str, int] = {}
    index = _build_index(boundary_root, stamps, cache)
    _INDEXES[boundary_root] = (stamps, index)
    return index


_INDEXES: dict[Path, tuple[dict[str, int], dict[Path, set[Path]]]] = {}


def _unchanged(stamps: dict[str, int]) -> bool:
    for path, stamp in stamps.items():
        try:
            if os.stat(path, follow_symlinks=False).st_mtime_ns != stamp:
                return False
        except OSError:
            return False
    return True


def _build_index(boundary_root: Path, stamps: dict[str, int], cache=None) -> dict[Path, set[Path]]:
    index: dict[Path, set[Path]] = {}
    for directory in _calling_directories(boundary_root, stamps):
        progress.current().working_on(f"finding module callers: {display_path(directory)}")
        for target in _local_calls(directory, boundary_root, cache):
            if target != directory and ".terraform" not in target.parts:
                index.setdefault(target, set()).add(directory)
    return index


def _local_calls(directory: Path, boundary_root: Path, cache=None) -> list[Path]:
    from analyzer.terraform import reads

    def made() -> tuple[list[str], bool]:
        from analyzer.terraform.module import load_module_definition, local_module_dirs  # the parser: cache misses only

        # The calls do not depend on the folder paths are displayed from: the working directory,
        # as for the root modules, makes this the definition their evaluation uses (not a copy).
        return [str(p) for p in local_module_dirs(load_module_definition(directory, Path.cwd()))], True

    if cache is None:
        return [Path(p) for p in made()[0]]
    from analyzer.resultcache import key_of

    return [Path(p) for p in reads.reused_or_made(cache, key_of("local-calls", str(directory)), None, made)]


def _calling_directories(boundary_root: Path, stamps: dict[str, int]) -> Iterable[Path]:
    pending = [boundary_root]
    while pending:
        here = pending.pop()
        try:
            stamps[str(here)] = os.stat(here).st_mtime_ns
            boundary.current().check(here)
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError:
            continue
        calls = False
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in ALWAYS_EXCLUDED_DIRS:
                    pending.append(Path(entry.path))
            elif entry.name.endswith(_TERRAFORM_SUFFIXES) and _is_regular_file(entry):
                calls = _names_local_source(entry, stamps) or calls
        if calls:
            yield here.resolve()


def _is_regular_file(entry: os.DirEntry) -> bool:
    # Never open a FIFO or device; a symlink loop or dangling link raises here, and discovery reports it.
    try:
        return entry.is_file()
    except OSError:
        return False


def _names_local_source(entry: os.DirEntry, stamps: dict[str, int]) -> bool:
    try:
        stamps[entry.path] = entry.stat(follow_symlinks=False).st_mtime_ns
        return bool(_LOCAL_SOURCE.search(boundary.read_bytes(Path(entry.path), MAX_FILE_BYTES)))
    except OSError:  # refused (outside the boundary, too large) or unreadable: the loader reports it
        return False


def roots_of(directory: Path, index: dict[Path, set[Path]]) -> set[Path]:
    """The directories no one calls that reach ``directory`` through module calls."""
    roots: set[Path] = set()
    seen: set[Path] = set()
    pending = [directory]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        callers = index.get(current, set()) - {current}
        if not callers:
            roots.add(current)
        pending.extend(callers)
    # A cycle with no way out (a calls b, b calls a) has no root: evaluate the directory itself.
    return roots or {directory}


def through_callers(inventory: Inventory, boundary: Boundary, cache=None) -> list[Path]:
    """Evaluate called module directories through the roots that call them.

    A called directory and its roots are loaded together (one group, read within the
    boundary), so the loader sees the call and does not take the directory for a root.
    Returns the roots that were not among the scanned directories.
    """
    if not inventory.terraform_dirs:
        return []
    index = callers_index(boundary.root, cache)
    added: list[Path] = []
    for directory in list(inventory.terraform_dirs):
        if not index.get(directory, set()) - {directory}:
            continue
        for root in [directory, *sorted(roots_of(directory, index))]:
            if root not in inventory.terraform_dirs:
                inventory.terraform_dirs[root] = _root_files(root)
                added.append(root)
            for source in inventory.terraform_dirs[root]:
                source.root = boundary.root
    return added


def _root_files(directory: Path) -> list[SourceFile]:
    from analyzer.terraform.module import terraform_files

    return [SourceFile(path.resolve(), display_path(path), directory) for path in terraform_files(directory)]


@dataclass(frozen=True)
class Scope:
    """The files and folders that were asked for: findings are reported for these only."""

    targets: tuple[Path, ...]
    # path -> contains(path): thousands of results name the same few hundred files, and each
    # answer resolves paths on disk. Within one run the answer for a path does not change.
    _answers: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, paths: Sequence[Path]) -> Scope:
        return cls(tuple(Path(p).resolve() for p in scan_targets(paths)))

    def contains(self, path: str) -> bool:
        if path not in self._answers:
            self._answers[path] = self._contains(path)
        return self._answers[path]

    def _contains(self, path: str) -> bool:
        # Finding paths are relative to the working directory, except a plan's, which are
        # relative to the folder scanned.
        candidates = [boundary.resolved(Path(path).absolute())]
        if not Path(path).is_absolute() and not candidates[0].exists():
            candidates += [boundary.resolved(target / path) for target in self.targets if target.is_dir()]
        return any(self._inside(candidate) for candidate in candidates)

    def _inside(self, path: Path) -> bool:
        return any(boundary.is_within(path, target) for target in self.targets)

    def covers(self, finding: Finding) -> bool:
        """A finding counts for a path when its location or a related location is in it."""
        if not finding.location.path:
            return True
        if finding.outcome == "load" and finding.severity != "info":
            return True  # a root that could not be read is why the asked-for code was not checked
        locations = [finding.location, *(location for _, location in finding.related)]
        return any(location.path and self.contains(location.path) for location in locations)

    def covers_result(self, result: Result) -> bool:
        """A check counts when its finding does, or, passing, when its subject is in scope:
        its own file, or the ``module`` block that brought it in (fetched module code)."""
        if result.finding is not None:
            return self.covers(result.finding)
        location = result.subject.location
        if location is None or not location.path or self.contains(location.path):
            return True
        call = result.subject.module_call
        return call is not None and bool(call.path) and self.contains(call.path)
