"""The progress line: on a terminal only, after a second, throttled, erased before the report.

The terminal tests run the real command with stderr on a pseudo-terminal. Their runs are
made slow enough by a wrapper that sets the delay to zero and sleeps before loading, so
they do not depend on how fast the machine is.
"""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analyzer import progress

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# The command line, with the line shown at once and a loading step that takes 0.6 s.
SLOW_RUN = """
import sys, time
from analyzer import pipeline, progress
progress.SHOW_AFTER = 0.0
building = pipeline.build_model
def slow_build_model(*args, **kwargs):
    time.sleep(0.6)
    return building(*args, **kwargs)
pipeline.build_model = slow_build_model
from analyzer.cli import main
sys.argv = ["eksjoin", *sys.argv[1:]]
main()
"""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def a_line(clock: Clock, width: int = 80) -> tuple[progress.Progress, Terminal]:
    stream = Terminal()
    return progress.Progress(stream, clock=clock, width=lambda: width), stream


def test_a_short_run_prints_nothing():
    clock = Clock()
    line, stream = a_line(clock)
    line.expect(3)
    line.working_on("infra/eks")
    clock.now += progress.SHOW_AFTER - 0.01
    line.tick()
    line.stop()
    assert stream.getvalue() == ""


def test_after_a_second_the_line_names_the_counts_and_the_current_root():
    clock = Clock()
    line, stream = a_line(clock)
    line.expect(3)
    line.working_on("infra/eks")
    line.finished_one()
    line.working_on("infra/network")
    clock.now += progress.SHOW_AFTER + 0.01
    line.tick()
    assert stream.getvalue() == "\reksjoin: 1/3 roots and files read, infra/network"


def test_the_line_is_redrawn_only_when_it_changes_and_a_shorter_line_covers_the_longer():
    clock = Clock()
    line, stream = a_line(clock)
    line.expect(2)
    line.working_on("infra/a-long-folder-name")
    clock.now += 2
    line.tick()
    line.tick()  # unchanged: nothing written
    first = stream.getvalue()
    line.finished_one()
    line.working_on("k8s")
    line.tick()
    second = stream.getvalue()[len(first) :]
    assert first.count("\r") == 1
    assert second.startswith("\reksjoin: 1/2 roots and files read, k8s")
    assert len(second) == len(first)  # padded with spaces over what was there


def test_the_line_never_wraps():
    clock = Clock()
    line, stream = a_line(clock, width=40)
    line.expect(9)
    line.working_on("corpus/terraform-aws-eks-blueprints/patterns/karpenter-mng")
    clock.now += 2
    line.tick()
    drawn = stream.getvalue().removeprefix("\r")
    assert len(drawn) == 39
    assert drawn.startswith("eksjoin: 0/9") and drawn.endswith("karpenter-mng")


def test_stop_erases_the_line_and_a_message_gets_a_line_of_its_own():
    clock = Clock()
    line, stream = a_line(clock)
    line.working_on("listing files")
    clock.now += 2
    line.tick()
    drawn = len(stream.getvalue()) - 1
    with line.paused():
        stream.write("eksjoin: cloning a module\n")
    assert stream.getvalue().endswith("\r" + " " * drawn + "\r" + "eksjoin: cloning a module\n")
    line.tick()  # drawn again below the message
    line.stop()
    assert stream.getvalue().endswith("\r" + " " * drawn + "\r")


def test_the_ticker_redraws_at_most_ten_times_a_second(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    stream = Terminal()
    line = progress.Progress(stream, width=lambda: 80)
    started = time.monotonic()
    with progress.shown(line):
        changes = 0
        while stream.getvalue().count("\reksjoin:") < 3 and time.monotonic() - started < 10:
            changes += 1  # far more changes than redraws
            progress.current().working_on(f"file {changes}")
        elapsed = time.monotonic() - started
    assert progress.current() is not line
    redraws = stream.getvalue().count("\reksjoin:")
    assert redraws >= 3, "the ticker redraws while the run goes on"
    assert redraws <= elapsed / progress.INTERVAL + 1 < changes
    assert stream.getvalue().endswith("\r")


@pytest.mark.parametrize(
    ("environ", "quiet", "expected"),
    [
        ({}, False, True),
        ({}, True, False),
        ({"CI": "true"}, False, False),
        ({"GITHUB_ACTIONS": "true"}, False, False),
        ({"CI": "false"}, False, True),
        ({"TERM": "dumb"}, False, False),
        ({"NO_COLOR": "1"}, False, True),  # the line has no colour
    ],
)
def test_wanted_only_for_a_person_at_a_terminal(environ, quiet, expected):
    assert progress.wanted(Terminal(), quiet, environ) is expected
    assert progress.wanted(io.StringIO(), quiet, environ) is False


def _environment() -> dict[str, str]:
    outside_ci = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "TERM", "GITLAB_CI")}
    return {**outside_ci, "TERM": "xterm", "EKSJOIN_OFFLINE": "1", "PYTHONUTF8": "1"}


def _run_on_terminal(*args: str, tmp_path: Path) -> tuple[int, bytes, bytes]:
    """The command with stderr on a pseudo-terminal: exit code, stdout, what the terminal got."""
    try:
        controller, terminal = os.openpty()
    except OSError as exc:  # a container without /dev/ptmx
        pytest.skip(f"no pseudo-terminal can be opened: {exc}")
    command = [sys.executable, "-c", SLOW_RUN, "lint", *args]
    environment = {**_environment(), "EKSJOIN_CACHE_DIR": str(tmp_path / "cache")}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=terminal, env=environment, cwd=ROOT) as process:
        os.close(terminal)
        shown = _read_until_closed(controller, deadline=time.monotonic() + 120)
        out = process.stdout.read()
        code = process.wait(timeout=120)
    os.close(controller)
    return code, out, shown


def _read_until_closed(controller: int, deadline: float) -> bytes:
    received = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the last holder of the terminal exited
            break
        if not chunk:
            break
        received += chunk
    return received


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals on this platform")
def test_on_a_terminal_the_line_appears_and_is_erased_before_the_report(tmp_path):
    code, out, shown = _run_on_terminal(str(EXAMPLES), "--format", "json", tmp_path=tmp_path)
    assert code == 1, shown
    assert b"\reksjoin: " in shown
    assert b"roots and files read" in shown
    last_drawn = shown.rsplit(b"\reksjoin: ", 1)[1].split(b"\r", 1)[0].rstrip(b" ")
    assert shown.endswith(b"\r" + b" " * len(b"eksjoin: " + last_drawn) + b"\r"), "erased when the run ends"
    assert out.startswith(b"{") and b"\r" not in out, "the report is untouched"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals on this platform")
def test_quiet_on_a_terminal_draws_no_line(tmp_path):
    _, out, shown = _run_on_terminal(str(EXAMPLES), "--quiet", tmp_path=tmp_path)
    assert b"\r" not in shown and b"roots and files" not in shown
    assert b"error" in out


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals on this platform")
def test_no_progress_on_a_terminal_draws_no_line(tmp_path):
    _, _, shown = _run_on_terminal(str(EXAMPLES), "--no-progress", tmp_path=tmp_path)
    assert b"\r" not in shown


def test_no_line_when_stderr_is_a_pipe(tmp_path):
    environment = {**_environment(), "EKSJOIN_CACHE_DIR": str(tmp_path / "cache")}
    ran = subprocess.run(
        [sys.executable, "-c", SLOW_RUN, "lint", str(EXAMPLES)],
        capture_output=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
    )
    assert ran.returncode == 1
    assert b"\r" not in ran.stderr and b"roots and files" not in ran.stderr
    assert ran.stderr == b""
