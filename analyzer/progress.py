"""A one-line progress report on stderr for runs that take a while.

Only for a person watching a terminal: the line is drawn when stderr is a TTY, the run is
not ``--quiet``, not in CI (``CI``, ``GITHUB_ACTIONS``) and not on a dumb terminal, and only
once the run has taken longer than ``SHOW_AFTER`` seconds, so a short run prints nothing.
It is one line rewritten in place with a carriage return (no escape sequences, so any
terminal shows it), at most ten times a second, by a background ticker: a root that takes
a minute still shows which root it is. The line is erased before anything else is written
to stderr and before the report, so the report and messages never share a line with it.

The loaders tell the active reporter what they are doing (``current().expect()``,
``current().working_on()``); outside ``shown()`` that is a reporter that does nothing.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TextIO

SHOW_AFTER = 1.0  # seconds before the line first appears
INTERVAL = 0.1  # seconds between two redraws: at most ten a second
_CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "TF_BUILD")


def wanted(stream: TextIO, quiet: bool, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether a person is watching ``stream``: a terminal, outside CI, the run not quiet.
    ``NO_COLOR`` does not matter: the line has no colour."""
    if quiet or environ.get("TERM") == "dumb":
        return False
    if any(environ.get(name, "").lower() not in ("", "0", "false") for name in _CI_VARIABLES):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or replaced stream
        return False


class Silent:
    """What the loaders talk to when nobody is watching: every call does nothing."""

    def expect(self, total: int) -> None:
        pass

    def working_on(self, what: str) -> None:
        pass

    def finished_one(self) -> None:
        pass

    def paused(self) -> AbstractContextManager[None]:
        return nullcontext()


class Progress(Silent):
    """The line on a terminal. ``clock`` and ``width`` are replaceable for tests."""

    def __init__(
        self,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
        width: Callable[[], int] | None = None,
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._width = width or (lambda: _terminal_width(stream))
        self._started = clock()
        self._lock = threading.RLock()  # a message written while paused may report progress itself
        self._total = 0
        self._done = 0
        self._what = "listing files"
        self._drawn = 0  # characters of the line now on the terminal (0: none)
        self._shown = ""
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def expect(self, total: int) -> None:
        """The run has ``total`` roots and files to read; none is read yet."""
        with self._lock:
            self._total, self._done = total, 0

    def working_on(self, what: str) -> None:
        """What the line names: the root or file being read, or the stage of the run."""
        with self._lock:
            self._what = what

    def finished_one(self) -> None:
        with self._lock:
            self._done = min(self._done + 1, self._total)

    def line(self) -> str:
        counted = f"{self._done}/{self._total} roots and files read, " if self._total else ""
        return _fitted(f"eksjoin: {counted}{self._what}", self._width() - 1)

    def tick(self) -> None:
        """Redraw the line if the run is old enough and the line changed."""
        if self._clock() - self._started < SHOW_AFTER:
            return
        with self._lock:
            line = self.line()
            if line != self._shown:
                self._write("\r" + line + " " * max(0, self._drawn - len(line)))
                self._drawn, self._shown = len(line), line

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Erase the line while the caller writes a message of its own to stderr."""
        with self._lock:
            self._erase()
            yield

    def start(self) -> None:
        self._ticker = threading.Thread(target=self._run, name="eksjoin-progress", daemon=True)
        self._ticker.start()

    def stop(self) -> None:
        """Stop redrawing and erase the line: what is written next starts a clean line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._erase()

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL):
            self.tick()

    def _erase(self) -> None:
        if self._drawn:
            self._write("\r" + " " * self._drawn + "\r")
            self._drawn, self._shown = 0, ""

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away: the run goes on without the line
            self._drawn = 0


_active: Silent = Silent()


def current() -> Silent:
    return _active


@contextmanager
def shown(reporter: Silent) -> Iterator[Silent]:
    """Make ``reporter`` the one the loaders talk to for the duration; it is stopped (its
    line erased) on the way out, also when the run fails."""
    global _active
    previous, _active = _active, reporter
    if isinstance(reporter, Progress):
        reporter.start()
    try:
        yield reporter
    finally:
        _active = previous
        if isinstance(reporter, Progress):
            reporter.stop()


def _terminal_width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _fitted(text: str, width: int) -> str:
    """A line that never wraps (a wrapped line cannot be rewritten with a carriage return):
    what does not fit is cut from the middle, keeping the counts and the path's end. ASCII
    only: stderr's encoding may not have an ellipsis."""
    width = max(width, 20)
    if len(text) <= width:
        return text
    head = width // 2
    return text[:head] + "..." + text[len(text) - (width - head - 3) :]
