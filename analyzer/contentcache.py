"""In-process caches keyed by what a file contains, not by its path, size and mtime.

An edit that keeps size and modification time (``rsync -t``, ``tar``, ``touch -r``) must
not give a stale result, so entries are keyed by a digest of the bytes read; the caches are
bounded so a long-lived process (a test run, an editor integration) does not grow forever.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, TypeVar

V = TypeVar("V")


def digest(data: bytes) -> str:
    """A short content digest (BLAKE2b, 128 bits): fast, and collisions are not a concern here."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: Path, max_bytes: int = 16 * 1024 * 1024) -> str:
    """Digest of the file's bytes, or of its absence when it cannot be read (the repository
    boundary decides: a file outside it, a FIFO, a device or one over ``max_bytes`` is not read)."""
    from analyzer import boundary

    try:
        return digest(boundary.read_bytes(path, max_bytes))
    except boundary.Refused as refused:
        return f"refused:{refused.reason}"
    except OSError as exc:
        return f"unreadable:{exc.errno}"


class Bounded(Generic[V]):
    """A least-recently-used mapping holding at most ``limit`` entries."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: OrderedDict[Hashable, V] = OrderedDict()

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        value = make()
        self._entries[key] = value
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
