"""The module cache: fetched module code under ``<cache dir>/modules``, one entry per source
address and resolved version.

An entry is ``<kind>/<readable key>/`` holding ``code/`` and ``entry.json`` (the source,
version and a digest of the file list). It is built in a temporary directory beside it and
renamed into place, so a run that is killed leaves no half entry, and two runs that fetch
the same module at once both end with one whole entry. ``entry.json`` is checked on every
read; an entry that fails the check is removed and fetched again. Reads refresh the entry's
time, and ``evict`` removes the least recently used entries beyond the size bound.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analyzer.cachedir import cache_subdir

ENTRY_FILE = "entry.json"
MAX_CACHE_BYTES = int(os.environ.get("EKSJOIN_MODULE_CACHE_MB", "2048")) << 20
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _component(text: str) -> str:
    cleaned = _SAFE.sub("_", text)[:80].strip(".") or "_"
    return cleaned


class ModuleCache:
    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = cache_subdir("modules")
        return self._root

    def entry_dir(self, kind: str, key_parts: tuple[str, ...], version: str) -> Path:
        digest = hashlib.sha256("\x1f".join((kind, *key_parts, version)).encode()).hexdigest()[:12]
        return self.root.joinpath(kind, *(_component(p) for p in key_parts), f"{_component(version)}-{digest}")

    def get(self, kind: str, key_parts: tuple[str, ...], version: str) -> Path | None:
        """The code directory of a whole, verified entry, or None."""
        entry = self.entry_dir(kind, key_parts, version)
        meta = _read_entry(entry)
        if meta is None:
            return None
        code = entry / "code"
        if meta.get("key") != [kind, *key_parts, version] or meta.get("digest") != _digest(code):
            shutil.rmtree(entry, ignore_errors=True)  # corrupt: fetched again by the caller
            return None
        os.utime(entry / ENTRY_FILE)
        return code

    def cached_versions(self, kind: str, key_parts: tuple[str, ...]) -> list[str]:
        """Versions with an entry for this package (for resolving a constraint offline)."""
        directory = self.root.joinpath(kind, *(_component(p) for p in key_parts))
        versions = []
        for entry in sorted(directory.glob("*/" + ENTRY_FILE)) if directory.is_dir() else []:
            meta = _read_entry(entry.parent)
            if meta and meta.get("key", [])[:-1] == [kind, *key_parts]:
                versions.append(str(meta["key"][-1]))
        return versions

    def put(self, kind: str, key_parts: tuple[str, ...], version: str, fill: Callable[[Path], None]) -> Path:
        """Build an entry with ``fill(code_dir)`` in a temporary directory, then rename it in."""
        entry = self.entry_dir(kind, key_parts, version)
        entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=entry.parent))
        try:
            code = staging / "code"
            code.mkdir()
            fill(code)
            meta = {"key": [kind, *key_parts, version], "digest": _digest(code), "created": time.time()}
            (staging / ENTRY_FILE).write_text(json.dumps(meta), encoding="utf-8")
            try:
                os.rename(staging, entry)
            except OSError:  # another run won the race, or a stale corrupt entry is in the way
                if self.get(kind, key_parts, version) is None:
                    shutil.rmtree(entry, ignore_errors=True)
                    os.rename(staging, entry)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.evict()
        return entry / "code"

    def evict(self, limit: int = MAX_CACHE_BYTES) -> None:
        """Remove least recently used entries until the cache is under ``limit`` bytes."""
        entries = []
        for entry in _entries(self.root):
            try:
                entries.append(((entry / ENTRY_FILE).stat().st_mtime, _size(entry), entry))
            except OSError:  # removed or replaced by a concurrent run meanwhile
                continue
        total = sum(size for _, size, _ in entries)
        for _, size, entry in sorted(entries):
            if total <= limit:
                break
            shutil.rmtree(entry, ignore_errors=True)
            total -= size


def _entries(root: Path) -> list[Path]:
    """Every entry directory under ``root``. Entries being built (``.partial-*``, by this run's
    other fetches or another run) are not entered: they are renamed or removed at any moment,
    and a directory that vanishes while it is walked is skipped (``os.walk`` ignores it)."""
    found = []
    for directory, subdirs, files in os.walk(root):
        if ENTRY_FILE in files:
            found.append(Path(directory))
            subdirs.clear()  # an entry holds code, never another entry
            continue
        subdirs[:] = [d for d in subdirs if not d.startswith(".partial-")]
    return found


def _read_entry(entry: Path) -> dict | None:
    try:
        meta = json.loads((entry / ENTRY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _digest(code: Path) -> str:
    """A digest of every path and size under ``code``: cheap, and catches truncation and loss."""
    hasher = hashlib.sha256()
    for path in sorted(code.rglob("*")):
        relative = path.relative_to(code).as_posix()
        size = path.lstat().st_size if path.is_file() and not path.is_symlink() else -1
        hasher.update(f"{relative}\0{size}\n".encode())
    return hasher.hexdigest()


def _size(directory: Path) -> int:
    total = 0
    for path in directory.rglob("*"):
        try:
            total += path.lstat().st_size if path.is_file() and not path.is_symlink() else 0
        except OSError:  # removed by a concurrent eviction
            continue
    return total
