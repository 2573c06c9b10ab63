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
        info = os.stat(resolved)
    except (OSError, RuntimeError) as exc:  # a symlink loop or a dangling link: report, never end the run
        reason = (
            "is a symlink loop" if isinstance(exc, RuntimeError) or "loop" in str(exc).lower() else "cannot be read"
        )
        inventory.diagnostics.append(
            Diagnostic(UNREADABLE, f"{path.name} {reason}; the file was skipped", Location(display_path(path)))
        )
        return
    if not stat.S_ISREG(info.st_mode):  # said before the boundary: /dev/zero is never read, wherever it is
        inventory.diagnostics.append(Diagnostic(UNREADABLE, not_regular(path, info), Location(display_path(path))))
        return
    if not resolved.is_relative_to(root):
        inventory.diagnostics.append(_outside_root(path))
        return
    limit = MAX_TERRAFORM_BYTES if kind == "terraform" else max_bytes
    _, problem = read_checked(path, limit, kind)
    source = SourceFile(resolved, display_path(path), root)
    if problem:
        inventory.diagnostics.append(Diagnostic(UNREADABLE, problem, Location(source.display)))
        return
    if kind == "terraform":
        inventory.terraform_dirs.setdefault(resolved.parent, []).append(source)
    elif kind == "yaml":
        inventory.yaml_files.append(source)
    else:
        inventory.json_files.append(source)


_FILE_TYPES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_regular(path: Path, info: os.stat_result) -> str:
    """What a file that is not a regular file is, and that it was not read."""
    what = next((name for test, name in _FILE_TYPES if test(info.st_mode)), "not a file")
    if path.is_symlink():
        return f"{path.name} is a link to {os.path.realpath(path)}, {what}, not a regular file; it was not read"
    return f"{path.name} is {what}, not a regular file; it was not read"


def read_checked(path: Path, max_bytes: int, kind: str = "") -> tuple[bytes | None, str | None]:
    """A file's bytes, or None and the sentence saying why it was not analysed.

    Its type and size are checked before it is opened (a FIFO would block, a device never ends,
    a sparse file of gigabytes costs its size in memory) and again on the open descriptor; then
    NUL bytes and UTF-8. Discovery and the Terraform loader both read through here, so one file
    gets one finding, in the same words, whichever of them met it first.
    """
    try:
        info = os.stat(path)
        problem = _type_or_size(path, info, max_bytes, kind)
        if problem:
            return None, problem
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(fd)
            problem = _type_or_size(path, info, max_bytes, kind)
            if problem:
                return None, problem
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(max_bytes + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        return None, unreadable(path, exc)
    if len(data) > max_bytes:  # it grew while being read
        return None, too_large(path, len(data), max_bytes, kind)
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


def _type_or_size(path: Path, info: os.stat_result, max_bytes: int, kind: str) -> str | None:
    if not stat.S_ISREG(info.st_mode):
        return not_regular(path, info)
    if info.st_size > max_bytes:
        return too_large(path, info.st_size, max_bytes, kind)
    return None


def too_large(path: Path, size: int, max_bytes: int, kind: str) -> str:
    what = " for Terraform files" if kind == "terraform" else ""
    return f"{path.name} is {size:,} bytes, over the {max_bytes:,}-byte limit{what}; it was not read"


def looks_like_plan(data: object) -> bool:
    """``terraform show -json`` output."""
    return (
        isinstance(data, dict)
        and "format_version" in data
        and ("planned_values" in data or "resource_changes" in data or "values" in data)
    )


def load_json(source: SourceFile) -> object:
    return json.loads(source.read_text())
