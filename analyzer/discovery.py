"""Discovery: walk the scanned paths and sort files into typed inputs.

Nothing is executed and nothing outside the repository boundary (analyzer/boundary.py) is
read: a symlink that leaves it is reported, not followed. Oversized, binary and non-UTF-8
files, FIFOs and devices are reported and skipped, and the run goes on.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from analyzer import boundary
from analyzer.boundary import Boundary, NotARegularFile, TooLarge
from analyzer.diagnostics import UNREADABLE, Diagnostic
from analyzer.location import Location

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TERRAFORM_BYTES = 1 << 20  # HCL parse trees are ~100x their source; real configuration files are far smaller
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
        return boundary.read_text(self.path, MAX_FILE_BYTES)


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
    # the result cache ledger of the resources loaded (analyzer/resultcache.py): the digest
    # of the stored entries they came from, None when any came from elsewhere
    loaded_from: str | None = None

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
    seen: set[tuple[str, str]] = set()
    folders: dict[str, str] = {}  # each folder's realpath, once
    for given in paths:
        given = Path(given)
        if not given.exists():
            raise FileNotFoundError(f"no such file or directory: {given}")
        root = given.resolve() if given.is_dir() else given.resolve().parent
        if root not in inventory.roots:
            inventory.roots.append(root)
        confined = boundary.active() or Boundary(root)  # outside a run: the scanned root
        candidates = [given] if given.is_file() else _walk(given, root, spec, inventory, confined)
        for candidate in candidates:
            if _kind_of(candidate) is not None and _first_time(candidate, seen, folders):
                _classify(candidate, root, inventory, max_bytes, confined)
    return inventory


def _first_time(path: Path, seen: set[tuple[str, str]], folders: dict[str, str]) -> bool:
    """Whether ``path`` is met for the first time. A file named twice (``infra infra/main.tf``,
    ``infra ./infra``, a folder and a link to it) is one entry of one folder, and is read once;
    a file linked under another name is a file of its own (a shared ``providers.tf`` linked into
    each root module belongs to each)."""
    folder = str(path.parent)
    real = folders.get(folder)
    if real is None:
        real = folders[folder] = os.path.realpath(folder)
    key = (real, path.name)
    if key in seen:
        return False
    seen.add(key)
    return True


def _walk(
    directory: Path, root: Path, spec: pathspec.PathSpec, inventory: Inventory, confined: Boundary
) -> Iterable[Path]:
    def unlisted(error: OSError) -> None:  # os.walk would pass over a folder it cannot list in silence
        folder = Path(error.filename or directory)
        inventory.diagnostics.append(
            Diagnostic(
                UNREADABLE,
                f"{folder.name or folder}/ is a folder eksjoin cannot list ({error.strerror or error}); "
                "nothing under it was analysed",
                Location(display_path(folder)),
                fix="Give eksjoin permission to list the folder (read and execute), or exclude it in .eksjoin.yaml.",
            )
        )

    for current, dirnames, filenames in os.walk(directory, onerror=unlisted, followlinks=False):
        here = Path(current)
        dirnames[:] = sorted(
            d for d in dirnames if d not in ALWAYS_EXCLUDED_DIRS and not _excluded(here / d, root, spec, is_dir=True)
        )
        for dirname in dirnames:
            _check_symlinked_dir(here / dirname, inventory, confined)
        for filename in sorted(filenames):
            path = here / filename
            if not _excluded(path, root, spec, is_dir=False):
                yield path


def _excluded(path: Path, root: Path, spec: pathspec.PathSpec, is_dir: bool) -> bool:
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    return spec.match_file(relative + ("/" if is_dir else ""))


def _check_symlinked_dir(path: Path, inventory: Inventory, confined: Boundary) -> None:
    if path.is_symlink() and not confined.contains(path):
        refused = boundary.OutsideBoundary(path, confined)
        inventory.diagnostics.append(boundary.refusal_diagnostic(path, display_path(path), refused))


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


def _classify(path: Path, root: Path, inventory: Inventory, max_bytes: int, confined: Boundary) -> None:
    kind = _kind_of(path)
    if kind is None:
        return
    try:
        resolved = boundary.resolved(path)  # the run's resolution, which the reads below reuse
        os.stat(resolved)
    except (OSError, RuntimeError) as exc:  # a symlink loop or a dangling link: report, never end the run
        looped = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
        reason = "is a symlink loop" if looped or "loop" in str(exc).lower() else "cannot be read"
        inventory.diagnostics.append(
            Diagnostic(UNREADABLE, f"{path.name} {reason}; the file was skipped", Location(display_path(path)))
        )
        return
    source = SourceFile(resolved, display_path(path), root)
    try:
        data = confined.read_bytes(path, MAX_TERRAFORM_BYTES if kind == "terraform" else max_bytes, kind)
    except boundary.Refused as refused:  # a device, a FIFO, too large, or outside the repository
        inventory.diagnostics.append(boundary.refusal_diagnostic(path, source.display, refused))
        return
    except OSError as exc:
        problem = unreadable(path, exc)
    else:
        problem = content_problem(data)
    if problem:
        inventory.diagnostics.append(Diagnostic(UNREADABLE, problem, Location(source.display)))
        return
    if kind == "terraform":
        inventory.terraform_dirs.setdefault(resolved.parent, []).append(source)
    elif kind == "yaml":
        inventory.yaml_files.append(source)
    else:
        inventory.json_files.append(source)


def not_regular(path: Path, info: os.stat_result) -> str:
    """What a file that is not a regular file is, and that it was not read."""
    return NotARegularFile(path, info).sentence


def read_checked(path: Path, max_bytes: int, kind: str = "") -> tuple[bytes | None, str | None]:
    """A file's bytes through the run's boundary (analyzer/boundary.py), or None and the
    sentence saying why it was not analysed: its type and size are checked before it is
    opened, then NUL bytes and UTF-8. Discovery and the Terraform loader say the same words
    for one file, whichever of them met it first."""
    try:
        data = boundary.read_bytes(path, max_bytes, kind)
    except boundary.Refused as refused:
        return None, refused.sentence
    except OSError as exc:
        return None, unreadable(path, exc)
    problem = content_problem(data)
    return (None, problem) if problem else (data, None)


def content_problem(data: bytes) -> str | None:
    """Why bytes that were read are not analysed: NUL bytes, or not UTF-8."""
    if b"\x00" in data:
        return "file is binary; the file was skipped"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"file is not UTF-8 text (byte {exc.start}); the file was skipped"
    return None


def unreadable(path: Path, error: OSError) -> str:
    return f"{path.name} cannot be read ({error.strerror or error}); it was not analysed"


def too_large(path: Path, size: int, max_bytes: int, kind: str) -> str:
    return TooLarge(path, size, max_bytes, kind).sentence


def looks_like_plan(data: object) -> bool:
    """``terraform show -json`` output."""
    return (
        isinstance(data, dict)
        and "format_version" in data
        and ("planned_values" in data or "resource_changes" in data or "values" in data)
    )
