"""An audit hook (``sys.addaudithook``) that records every file a lint opens and every folder it
lists or globs, from any thread, and says which of them lie outside what the lint may read.

A hook cannot be removed once added, so one hook is installed per process and does nothing
unless a ``Watch`` is active; while one is, every ``open``, ``os.listdir``, ``os.scandir`` and
``glob.glob`` in the process is checked, whichever thread makes it (the Terraform loader runs
on a worker thread).
"""

from __future__ import annotations

import os
import sys
import sysconfig
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import analyzer

PROJECT = Path(analyzer.__file__).resolve().parents[1]  # the eksjoin being tested
EVENTS = {"open", "os.listdir", "os.scandir", "glob.glob", "glob.glob/2", "shutil.rmtree"}
TEST_SERVER_THREAD = "process_request_thread"  # socketserver's threads: tests/modules/registry_server.py


def _python_roots() -> set[str]:
    """Python's own files: the interpreter, the standard library, site-packages."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots |= {path for path in sysconfig.get_paths().values() if path}
    roots |= {p for p in sys.path if p and p.startswith((sys.prefix, sys.base_prefix)) and os.path.isdir(p)}
    return {os.path.realpath(root) for root in roots}


# What any lint may read besides its boundary: Python's files, eksjoin's own code and rule
# catalogue, the null device. (The cache directory and the boundary are the lint's own.)
ALWAYS = frozenset(_python_roots() | {str(PROJECT / "analyzer"), str(PROJECT / "rules"), os.devnull, "/dev/urandom"})


@dataclass
class Read:
    event: str
    path: str
    thread: str

    def __str__(self) -> str:
        return f"{self.event} {self.path} (thread {self.thread})"


@dataclass(eq=False)  # two watches are two, even while they hold the same reads
class Watch:
    """The reads of one stretch of code, checked against ``allowed`` (folders or files)."""

    allowed: tuple[str, ...]
    reads: list[Read] = field(default_factory=list)

    def permits(self, path: str) -> bool:
        return any(path == root or path.startswith(root.rstrip("/") + "/") for root in self.allowed)

    @property
    def outside(self) -> list[Read]:
        """The reads outside what is allowed, symlinks resolved (a link inside pointing out
        is a read outside). Resolved here, not in the hook, so the hook stays cheap."""
        imports = _import_directories()
        folders: dict[str, str] = {}
        found = []
        for read in self.reads:
            if TEST_SERVER_THREAD in read.thread:
                continue  # the test's module registry serving an archive over HTTP, not the lint
            resolved = Read(read.event, _resolved(read.path, folders), read.thread)
            if not self.permits(resolved.path) and not (read.event == "os.listdir" and resolved.path in imports):
                found.append(resolved)
        return found


def _resolved(path: str, folders: dict[str, str]) -> str:
    """``os.path.realpath(path)``, with the folders already resolved kept in ``folders``."""
    if os.path.islink(path):
        return os.path.realpath(path)
    folder, name = os.path.split(path)
    if folder not in folders:
        folders[folder] = os.path.realpath(folder)
    return os.path.join(folders[folder], name)


def _import_directories() -> set[str]:
    """The folders on sys.path: the import system lists them (names only) to find a module
    imported for the first time during a lint."""
    return {os.path.realpath(os.path.abspath(entry or ".")) for entry in sys.path if isinstance(entry, str)}


_LOCK = threading.Lock()
_ACTIVE: list[Watch] = []
_INSTALLED = False


def _path_of(event: str, args: tuple) -> str | None:
    """The absolute path an event reads, or None (an open descriptor, a write-only open)."""
    if not args:
        return None
    target = args[0]
    if event == "open" and not _reads(args):
        return None
    if target is None:
        target = "."  # os.listdir() / os.scandir() of the current directory
    if isinstance(target, int):
        return None  # an already-open descriptor: its open was checked
    if event == "shutil.rmtree" and len(args) > 1 and args[1] is not None:
        return None  # relative to a descriptor rmtree itself opened (a folder inside one checked)
    try:
        target = os.fsdecode(os.fspath(target))
    except TypeError:
        return None
    return os.path.abspath(target)


def _reads(args: tuple) -> bool:
    """Whether an ``open`` may read: a mode with r or +, or flags that are not write-only or
    create-new (mkstemp's O_CREAT|O_EXCL makes a file; it reads nothing that was there)."""
    mode, flags = (args[1], args[2]) if len(args) >= 3 else (None, 0)
    if isinstance(mode, str):
        return "r" in mode or "+" in mode
    if isinstance(flags, int):
        if flags & os.O_CREAT and flags & os.O_EXCL:
            return False
        return flags & os.O_ACCMODE != os.O_WRONLY
    return True


def _within_rmtree() -> bool:
    """Whether shutil.rmtree is running in this thread: it opens each folder below the one it
    removes by its name relative to an open descriptor of its parent (``dir_fd``), which an
    audit event does not carry, so the name alone would be taken for a path in the current
    directory. The folder rmtree was given is checked by its own event ("shutil.rmtree")."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name in ("_rmtree_safe_fd", "_rmtree_unsafe") and frame.f_code.co_filename.endswith(
            "shutil.py"
        ):
            return True
        frame = frame.f_back
    return False


def _hook(event: str, args: tuple) -> None:
    if event not in EVENTS or not _ACTIVE:
        return
    path = _path_of(event, args)
    if path is None:
        return
    if event == "open" and not os.path.isabs(os.fsdecode(os.fspath(args[0]))) and _within_rmtree():
        return
    read = Read(event, path, threading.current_thread().name)
    with _LOCK:
        for watch in _ACTIVE:
            watch.reads.append(read)


def install() -> None:
    global _INSTALLED
    with _LOCK:
        if not _INSTALLED:
            sys.addaudithook(_hook)
            _INSTALLED = True


@contextmanager
def watching(allowed: Iterable[str | Path]) -> Iterator[Watch]:
    """Record every read while the block runs; ``allowed`` and ``ALWAYS`` may be read."""
    install()
    roots = {os.path.realpath(str(p)) for p in allowed} | ALWAYS
    watch = Watch(tuple(sorted(roots)))
    with _LOCK:
        _ACTIVE.append(watch)
    try:
        yield watch
    finally:
        with _LOCK:
            _ACTIVE.remove(watch)


def user_settings() -> list[str]:
    """The user's own Terraform CLI configuration (registry credentials), which a lint that
    fetches modules reads wherever it is."""
    named = os.environ.get("TF_CLI_CONFIG_FILE")
    home = Path.home()
    return [*([named] if named else []), str(home / ".terraformrc"), str(home / ".terraform.d")]


def lint_allowed(paths: Iterable[Path], options=None) -> list[str]:
    """What a lint of ``paths`` may read: its boundary's roots (the repository, ``--root``,
    the cache directory, files named on the command line) and the user's CLI configuration."""
    from analyzer.pipeline import Options, run_boundary

    return [str(root) for root in run_boundary(list(paths), options or Options()).roots] + user_settings()


# --- every in-process lint of the suite (tests/conftest.py; EKSJOIN_AUDIT_LINTS=0 turns it off) -

_enforced = None
_outside: list[Read] = []


def watch_every_lint() -> None:
    """Every run's boundary (``analyzer.boundary.enforced``) is watched while it is in force;
    what a run reads outside it is kept for ``take_outside``."""
    global _enforced
    from analyzer import boundary

    if _enforced is not None:
        return
    _enforced = boundary.enforced

    @contextmanager
    def enforced_and_watched(confined):
        with _enforced(confined) as entered, watching([*map(str, confined.roots), *user_settings()]) as watch:
            yield entered
        _outside.extend(read for read in watch.outside if read not in _outside)

    boundary.enforced = enforced_and_watched


def take_outside() -> list[Read]:
    """The reads outside a run's boundary since the last call."""
    found = list(_outside)
    del _outside[:]
    return found
