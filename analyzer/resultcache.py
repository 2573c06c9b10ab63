"""The persistent result cache: what loading one input file gave (its normalized resources
and diagnostics), under ``<cache dir>/results``, so a second run over unchanged files does
not parse or normalize them again.

An entry's key is a digest of everything that decides the result: the eksjoin version and
the code that made it (``code_digest``: an edit to eksjoin's own modules, data or rule files,
or another release of a parser it uses, makes every entry stale without a version bump), the
file's resolved path and the name findings give it, a digest of its bytes (never its size or
modification time, which ``rsync -t`` or ``touch -r`` keep across an edit) and every option
that changes evaluation. Entries are written to a temporary file and renamed into place,
so a killed run or two runs at once never leave half an entry; an entry that cannot be read
back (truncated, corrupt, from another version) is removed and the file loaded again.
Reads refresh an entry's time, and ``evict`` removes the least recently used entries
beyond the size bound. The directory is the user's own (owner-only), as the module cache.
``--no-cache`` (or ``cache: false``) turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.cachedir import cache_subdir

MAX_CACHE_BYTES = int(os.environ.get("EKSJOIN_RESULT_CACHE_MB", "256")) << 20
_MAGIC = b"eksjoin-result-1\n"


# Packages whose release changes what loading a file gives (parsers, the regex engine of
# Terraform's functions, the CloudFormation decoder): their files are part of the code digest.
_LOADING_DEPENDENCIES = ("hcl2", "lark", "cfnlint", "yaml", "re2", "jsonschema")


def key_of(*parts: Any) -> str:
    """A digest of the parts (JSON-encoded, sorted keys), the eksjoin version and its code."""
    text = json.dumps([__version__, code_digest(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def code_digest() -> str:
    """A digest of the code that turns files into resources, computed once per process.

    A source checkout (rules/ beside the package, files edited in place) is hashed by
    content, so that an edit that keeps size and mtime still counts (about 10 ms for the
    1.5 MB of modules, data and rules). An installed package is hashed by each file's path,
    size and modification time (a few ms): installing writes every file anew, and nobody
    edits site-packages while keeping the times. Dependencies count by their entry file's
    size and time, which an upgrade changes; the Python version counts too."""
    from analyzer.engine.catalogue import rules_dir

    package = Path(__file__).resolve().parent
    rules = rules_dir().resolve()
    by_content = not rules.is_relative_to(package)
    trees = [package] if rules.is_relative_to(package) else [package, rules]
    digest = hashlib.blake2b(tree_digest(trees, by_content=by_content).encode(), digest_size=16)
    digest.update(sys.version.encode())
    for name in _LOADING_DEPENDENCIES:
        digest.update(f"\0{name}:{_entry_file_signature(name)}".encode())
    return digest.hexdigest()


def tree_digest(trees: list[Path], *, by_content: bool) -> str:
    """A digest of every file under ``trees`` (compiled bytecode aside): its path relative to
    its tree and its bytes (``by_content``) or its size and modification time."""
    digest = hashlib.blake2b(digest_size=16)
    for tree in trees:
        for path in _files_under(tree):
            digest.update(f"{tree.name}/{path.relative_to(tree).as_posix()}\0".encode())
            try:
                if by_content:
                    data = path.read_bytes()
                    digest.update(len(data).to_bytes(8, "little") + data)
                else:
                    stat = path.stat()
                    digest.update(f"{stat.st_size}:{stat.st_mtime_ns}\0".encode())
            except OSError as exc:  # unreadable now: whatever it held, it is not what it was
                digest.update(f"unreadable:{exc.errno}\0".encode())
    return digest.hexdigest()


def _files_under(tree: Path) -> list[Path]:
    found = []
    for directory, subdirectories, names in os.walk(tree):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        found.extend(Path(directory, name) for name in sorted(names) if not name.endswith((".pyc", ".pyo")))
    return found


def _entry_file_signature(module: str) -> str:
    try:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec else None
        stat = os.stat(origin) if origin else None
    except (ImportError, ValueError, OSError):
        return "missing"
    return f"{origin}:{stat.st_size}:{stat.st_mtime_ns}" if stat else "missing"


class Ledger:
    """What a run's model was made of: the key and the digest of the stored bytes of every
    result cache entry whose value the run used, in the order used. Two runs whose ledgers
    agree built their models from the same bytes, so the model is the same; a value the run
    used that is not an entry's bytes (not cached, not storable, ``--no-cache``) leaves the
    ledger incomplete, and ``digest()`` is then None."""

    def __init__(self) -> None:
        self._digest = hashlib.blake2b(digest_size=16)
        self.complete = True

    def used(self, key: str, payload: str | None) -> None:
        if payload is None:
            self.complete = False
        else:
            self._digest.update(f"{key}:{payload}\0".encode())

    def digest(self) -> str | None:
        return self._digest.hexdigest() if self.complete else None


_ledgers: list[Ledger] = []


@contextlib.contextmanager
def ledger() -> Iterator[Ledger]:
    """Note, while inside, every value loading takes from the result cache or stores in it."""
    record = Ledger()
    _ledgers.append(record)
    try:
        yield record
    finally:
        _ledgers.remove(record)


def used(key: str, payload: str | None) -> None:
    """The run used the value of entry ``key`` whose bytes have digest ``payload`` (None:
    a value that is no entry's bytes)."""
    for record in _ledgers:
        record.used(key, payload)


def not_from_cache() -> None:
    """The run used a value the result cache neither gave nor stored."""
    used("", None)


# Bytes written to each cache directory since it was last bounded, in this process: a run that
# wrote nothing (a warm run) cannot have taken the cache over its bound, so it does not list it.
_WRITTEN: dict[str, int] = {}


class ResultCache:
    def __init__(self, root: Path | None = None) -> None:
        self._root = root
        self.hits = 0
        self.misses = 0
        self.last_digest: str | None = None  # of the bytes of the entry ``get`` returned last

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = cache_subdir("results")
        return self._root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Any | None:
        path = self._path(key)
        self.last_digest = None
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        value = _decode(data, key)
        if value is None:  # corrupt or foreign: removed, and rewritten by the caller
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        with contextlib.suppress(OSError):  # evicted by a concurrent run meanwhile: the value read is whole
            os.utime(path)
        self.hits += 1
        self.last_digest = _payload_digest(data)
        return value

    def put(self, key: str, value: Any) -> str | None:
        """Store ``value``; the digest of its bytes (what ``get`` will give as ``last_digest``),
        None when it cannot be stored."""
        path = self._path(key)
        try:
            payload = _MAGIC + key.encode() + b"\n" + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return None  # a value that cannot be stored is simply computed again next time
        digest = _payload_digest(payload)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, staging = tempfile.mkstemp(prefix=".partial-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                os.replace(staging, path)
                _WRITTEN[str(self.root)] = _WRITTEN.get(str(self.root), 0) + len(payload)
            finally:
                if os.path.exists(staging):
                    os.unlink(staging)
        except OSError:
            pass  # a read-only or full cache directory costs speed, never the run
        return digest

    def evict(self, limit: int = MAX_CACHE_BYTES) -> None:
        """Remove least recently used entries until the cache is under ``limit`` bytes; nothing
        to do, and the cache is not listed (a stat of every entry), when this process wrote
        nothing to it since it was last bounded."""
        if not _WRITTEN.pop(str(self.root), 0):
            return
        entries = []
        for path in self.root.glob("*/*.pickle"):
            try:
                stat = path.stat()
            except OSError:  # removed by a concurrent run
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= limit:
                break
            path.unlink(missing_ok=True)
            total -= size


def _payload_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _decode(data: bytes, key: str) -> Any | None:
    header = _MAGIC + key.encode() + b"\n"
    if not data.startswith(header):
        return None
    try:
        return pickle.loads(data[len(header) :])
    except Exception:  # any damage: the entry is worthless, never the run's failure
        return None


class NoCache(ResultCache):
    """``--no-cache``: nothing read, nothing written."""

    def get(self, key: str) -> Any | None:
        self.last_digest = None
        return None

    def put(self, key: str, value: Any) -> str | None:
        return None

    def evict(self, limit: int = MAX_CACHE_BYTES) -> None:
        return None


def file_digest(path: Path) -> str | None:
    """None when the file is not read (refused by the boundary, or unreadable): nothing is cached."""
    from analyzer import boundary
    from analyzer.discovery import MAX_FILE_BYTES

    try:
        return hashlib.blake2b(boundary.read_bytes(path, MAX_FILE_BYTES), digest_size=16).hexdigest()
    except OSError:
        return None
