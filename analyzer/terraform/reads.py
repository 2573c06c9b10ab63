"""The file-system questions evaluating a Terraform root module asks, and their answers.

Loading a root module reads its files, its modules' files, variable files, files named by
``file()`` and ``templatefile()``, lists folders and resolves symlinks; it also asks the
module fetcher for remote modules. Each of these goes through a function here, so that while
a root module is evaluated (``recording()``) every question and its answer is noted. The
result cache keeps a root module's resources with those answers and reuses them only while
asking every question again gives the same answers (``still_true``): an edit anywhere the
root reads, a file added to a module folder, a symlink pointed elsewhere or a module version
newly published makes the entry stale, and nothing else does.

An answer is a digest, never the bytes: a file's answer is the digest of its content, not
its size or modification time, which ``rsync -t`` or ``touch -r`` keep across an edit.

Every read, listing and glob here goes through the run's repository boundary
(analyzer/boundary.py), when the question is first asked and when it is asked again: a file the
boundary refused is answered ``refused:<why>``, never a digest, so an entry made while a file
was refused is reused only while it still is, and one made while it was read only while it
still can be.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from analyzer import boundary

MAX_FILE_BYTES = 1 << 20  # larger inputs are refused: real configuration files are far smaller

Question = tuple[str, str, str]  # (kind, subject, detail)

_recordings: list[Recording] = []


class Recording:
    """The questions one root module's evaluation asked and what they were answered."""

    def __init__(self) -> None:
        self.answers: dict[Question, Any] = {}
        self.cacheable = True  # False: an answer changed during the run, or a defect was met

    def note(self, question: Question, answer: Any) -> None:
        previous = self.answers.setdefault(question, answer)
        if previous != answer:  # the file changed while it was being read: do not keep the result
            self.cacheable = False


@contextlib.contextmanager
def recording() -> Iterator[Recording]:
    record = Recording()
    _recordings.append(record)
    try:
        yield record
    finally:
        _recordings.remove(record)


def _note(question: Question, answer: Any) -> None:
    for record in _recordings:
        record.note(question, answer)


def not_cacheable() -> None:
    """What is being evaluated met a defect: its result is not kept, the next run tries again."""
    for record in _recordings:
        record.cacheable = False


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# --- the questions ------------------------------------------------------------------------


def read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | int:
    """The file's bytes, or its size when larger than ``limit``; ``boundary.Refused`` when the
    boundary does not open it (outside the repository, not a regular file), OSError when unreadable."""
    question = ("file", str(path), str(limit))
    try:
        data = _read_limited(path, limit)
    except boundary.Refused as refused:
        _note(question, f"refused:{refused.reason}")
        raise
    except OSError as exc:
        _note(question, f"error:{exc.errno}")
        raise
    _note(question, f"large:{data}" if isinstance(data, int) else _digest(data))
    return data


def _read_limited(path: Path, limit: int) -> bytes | int:
    try:
        return boundary.read_bytes(path, limit)
    except boundary.TooLarge as large:
        return large.size


def _file_answer(path: str, limit: str) -> str:
    try:
        data = _read_limited(Path(path), int(limit))
    except boundary.Refused as refused:
        return f"refused:{refused.reason}"
    except OSError as exc:
        return f"error:{exc.errno}"
    return f"large:{data}" if isinstance(data, int) else _digest(data)


def files_in(directory: Path) -> list[Path]:
    """The files in ``directory`` (regular files, FIFOs, devices and links leading out of the
    repository: reading those is refused, and the refusal is the finding), sorted; none when
    it cannot be listed or is outside the boundary."""
    found = _files_in(str(directory))
    _note(("files", str(directory), ""), found)
    return [directory / name for name in found]


def _files_in(directory: str, _detail: str = "") -> tuple[str, ...]:
    try:
        entries = boundary.list_dir(Path(directory))
    except OSError:
        return ()
    return tuple(p.name for p in entries if _is_not_dir(p))


def _is_not_dir(path: Path) -> bool:
    """Something a file's name can be (not a directory, not dangling, not a loop)."""
    try:
        return not stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, RuntimeError, ValueError):
        return False


def _is_file(path: Path, _detail: str = "") -> bool:
    """``Path.is_file()``, false (not an error) where a folder on the way cannot be searched."""
    try:
        return Path(path).is_file()
    except OSError:
        return False


def _is_dir(path: Path, _detail: str = "") -> bool:
    try:
        return Path(path).is_dir()
    except OSError:
        return False


def is_file(path: Path) -> bool:
    answer = _is_file(path)
    _note(("is_file", str(path), ""), answer)
    return answer


def is_special(path: Path) -> bool:
    """A FIFO, device or socket: something to refuse with a finding, not a missing file."""
    answer = _is_special(path)
    _note(("is_special", str(path), ""), answer)
    return answer


def _is_special(path: Path, _detail: str = "") -> bool:
    return _is_not_dir(Path(path)) and not _is_file(path)


def is_dir(path: Path) -> bool:
    answer = _is_dir(path)
    _note(("is_dir", str(path), ""), answer)
    return answer


def resolve(path: Path) -> Path:
    """``path`` with symlinks resolved (RuntimeError or OSError on a loop, as Path.resolve)."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        _note(("resolve", str(path), ""), None)
        raise
    _note(("resolve", str(path), ""), str(resolved))
    return resolved


def _resolve_answer(path: str, _detail: str = "") -> str | None:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return None


def glob(base: Path, pattern: str, limit: int, confined: boundary.Boundary | None = None) -> list[Path]:
    """``fileset()``'s files under ``base``, listed by the boundary (analyzer/boundary.py): a
    pattern that leaves it is ``boundary.Refused`` before anything is listed."""
    question = ("glob", str(base), f"{limit}:{pattern}")
    try:
        found = (confined or boundary.current()).glob(base, pattern, limit)
    except boundary.Refused as refused:
        _note(question, f"refused:{refused.reason}")
        raise
    _note(question, tuple(str(p) for p in found))
    return found


def _glob_answer(base: str, detail: str) -> tuple[str, ...] | str | None:
    limit, _, pattern = detail.partition(":")
    try:
        return tuple(str(p) for p in boundary.glob(Path(base), pattern, int(limit)))
    except boundary.Refused as refused:
        return f"refused:{refused.reason}"
    except (OSError, ValueError):
        return None


def fetched(source: str, constraint: str | None, outcome: Any) -> Any:
    """Note what the module fetcher gave for a call (a directory and version, or why not)."""
    _note(("fetch", source, constraint or ""), _outcome_answer(outcome))
    return outcome


def _outcome_answer(outcome: Any) -> tuple[str, ...]:
    directory = getattr(outcome, "directory", None)
    if directory is not None:
        return ("fetched", str(directory), getattr(outcome, "version", ""))
    return ("not-loaded", getattr(outcome, "why", ""), getattr(outcome, "fix", ""))


def still_true(answers: dict[Question, Any], fetcher=None) -> bool:
    """Whether asking every question again gives the recorded answers."""
    local: dict[str, Callable[[str, str], Any]] = {
        "file": _file_answer,
        "files": _files_in,
        "is_file": _is_file,
        "is_dir": _is_dir,
        "is_special": _is_special,
        "resolve": _resolve_answer,
        "glob": _glob_answer,
    }
    # Roots share modules, so the same question comes back from many entries: during a run each
    # is answered once (under the boundary in force), as the run's path resolutions are.
    memo = boundary.run_memo()
    confined = boundary.current()
    for (kind, subject, detail), answer in sorted(answers.items(), key=lambda item: item[0][0] == "fetch"):
        if kind == "fetch":
            if fetcher is None or _outcome_answer(fetcher.fetch(subject, detail or None)) != answer:
                return False
            continue
        if kind not in local:
            return False
        if memo is None:
            now = local[kind](subject, detail)
        else:
            question = ("still_true", confined, kind, subject, detail)
            now = memo[question] if question in memo else memo.setdefault(question, local[kind](subject, detail))
        if now != answer:
            return False
    return True


def reused_or_made(cache, key: str, fetcher, make: Callable[[], tuple[Any, bool]]) -> Any:
    """What ``make`` evaluates to (a Terraform root module's resources, a folder's local
    calls), from the result cache while every file-system question it asked has the same
    answer; otherwise made again, and kept unless a defect was met (``make`` returns the
    value and whether it may be kept)."""
    from analyzer import resultcache

    entry = cache.get(key)
    if entry is not None:
        answers, value = entry
        stored = cache.last_digest
        if still_true(answers, fetcher):
            resultcache.used(key, stored)
            return value
    with recording() as record:
        value, keep = make()
    resultcache.used(key, cache.put(key, (record.answers, value)) if keep and record.cacheable else None)
    return value
