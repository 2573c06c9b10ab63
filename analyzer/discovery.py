"""Discovery: walk the scanned paths and sort files into typed inputs.

Nothing is executed and nothing outside the scanned roots is read: a symlink that
leaves the root is reported, not followed. Oversized, binary and non-UTF-8 files are
reported and skipped, and the run goes on.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from analyzer.diagnostics import OUTSIDE_ROOT, UNREADABLE, Diagnostic
from analyzer.location import Location

MAX_FILE_BYTES = 5 * 1024 * 1024
ALWAYS_EXCLUDED_DIRS = {".git", ".hg", ".svn", ".terraform", "node_modules", ".venv", "__pycache__", ".tox"}
TERRAFORM_SUFFIXES = (".tf", ".tf.json")
YAML_SUFFIXES = (".yaml", ".yml", ".template")
JSON_SUFFIXES = (".json",)


@dataclass
class SourceFile:
    path: Path  # absolute, resolved
    display: str  # what findings show
    root: Path  # the scanned root it was found under

    def read_text(self) -> str:
        return self.path.read_text(encoding="utf-8-sig")


@dataclass
class Inventory:
    """Every input found, by type."""

    terraform_dirs: dict[Path, list[SourceFile]] = field(default_factory=dict)
    planned_dirs: dict[Path, list[SourceFile]] = field(default_factory=dict)  # HCL of a plan
    yaml_files: list[SourceFile] = field(default_factory=list)
    json_files: list[SourceFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    modules_loaded: int = 0  # remote module packages fetched or read from the cache
    modules_not_loaded: int = 0

    @property
    def file_count(self) -> int:
        terraform = [*self.terraform_dirs.values(), *self.planned_dirs.values()]
        return sum(len(f) for f in terraform) + len(self.yaml_files) + len(self.json_files)


def display_path(path: Path) -> str:
    """Relative to the working directory, POSIX-style: what editors and CI annotations expect."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _exclude_spec(excludes: list[str]) -> pathspec.PathSpec:
    # pathspec picks its RE2 backend when google-re2 is installed, and RE2 refuses a file name
    # that is not UTF-8; Python's own re matches every name.
    try:
        return pathspec.PathSpec.from_lines("gitwildmatch", excludes, backend="simple")
    except TypeError:  # pathspec before 1.0 has one backend and no choice
        return pathspec.PathSpec.from_lines("gitwildmatch", excludes)


def discover(paths: Iterable[Path], excludes: Iterable[str] = (), max_bytes: int = MAX_FILE_BYTES) -> Inventory:
    inventory = Inventory()
    spec = _exclude_spec(list(excludes))
    for given in paths:
        given = Path(given)
        if not given.exists():
            raise FileNotFoundError(f"no such file or directory: {given}")
        root = given.resolve() if given.is_dir() else given.resolve().parent
        inventory.roots.append(root)
        candidates = [given] if given.is_file() else _walk(given, root, spec, inventory)
        for candidate in candidates:
            _classify(candidate, root, inventory, max_bytes)
    return inventory


def _walk(directory: Path, root: Path, spec: pathspec.PathSpec, inventory: Inventory) -> Iterable[Path]:
    for current, dirnames, filenames in os.walk(directory, followlinks=False):
        here = Path(current)
        dirnames[:] = sorted(
            d for d in dirnames if d not in ALWAYS_EXCLUDED_DIRS and not _excluded(here / d, root, spec, is_dir=True)
        )
        for dirname in dirnames:
            _check_symlinked_dir(here / dirname, root, inventory)
        for filename in sorted(filenames):
            path = here / filename
            if not _excluded(path, root, spec, is_dir=False):
                yield path


def _excluded(path: Path, root: Path, spec: pathspec.PathSpec, is_dir: bool) -> bool:
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    return spec.match_file(relative + ("/" if is_dir else ""))


def _check_symlinked_dir(path: Path, root: Path, inventory: Inventory) -> None:
    if path.is_symlink() and not path.resolve().is_relative_to(root):
        inventory.diagnostics.append(_outside_root(path))


def _outside_root(path: Path) -> Diagnostic:
    return Diagnostic(
        OUTSIDE_ROOT,
        f"{path.name} is a link to {path.resolve()}, outside the scanned root; it was not read",
        Location(display_path(path)),
        fix="scan the target directly if it belongs to this configuration",
    )


def _kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name in (".eksjoin.yaml", ".eksjoin.yml"):
        return None  # eksjoin's own configuration, not infrastructure
    if name.endswith(TERRAFORM_SUFFIXES):
        return "terraform"
    if name.endswith(YAML_SUFFIXES):
        return "yaml"
    if name.endswith(JSON_SUFFIXES):
        return "json"
    return None


def _classify(path: Path, root: Path, inventory: Inventory, max_bytes: int) -> None:
    kind = _kind_of(path)
    if kind is None:
        return
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a symlink loop or a dangling link: report, never end the run
        reason = (
            "is a symlink loop" if isinstance(exc, RuntimeError) or "loop" in str(exc).lower() else "cannot be read"
        )
        inventory.diagnostics.append(
            Diagnostic(UNREADABLE, f"{path.name} {reason}; the file was skipped", Location(display_path(path)))
        )
        return
    if not resolved.is_relative_to(root):
        inventory.diagnostics.append(_outside_root(path))
        return
    problem = _unreadable(resolved, max_bytes)
    source = SourceFile(resolved, display_path(path), root)
    if problem:
        inventory.diagnostics.append(
            Diagnostic(UNREADABLE, f"{problem}; the file was skipped", Location(source.display))
        )
        return
    if kind == "terraform":
        inventory.terraform_dirs.setdefault(resolved.parent, []).append(source)
    elif kind == "yaml":
        inventory.yaml_files.append(source)
    else:
        inventory.json_files.append(source)


def _unreadable(path: Path, max_bytes: int) -> str | None:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the open; a device never ends
            return f"{path.name} is not a regular file"
        size = info.st_size
        if size > max_bytes:
            return f"file is {size:,} bytes, over the {max_bytes:,}-byte limit"
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    if b"\x00" in head:
        return "file is binary"
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"file is not UTF-8 text (byte {exc.start})"
    return None


def looks_like_plan(data: object) -> bool:
    """``terraform show -json`` output."""
    return (
        isinstance(data, dict)
        and "format_version" in data
        and ("planned_values" in data or "resource_changes" in data or "values" in data)
    )


def load_json(source: SourceFile) -> object:
    return json.loads(source.read_text())
