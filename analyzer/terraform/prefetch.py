"""Downloading a configuration's remote modules before it is evaluated.

Evaluation asks for one module at a time, in the order the code uses them; the downloads
themselves wait on the network, so they are started here first, a level at a time (the
root's calls, then the calls inside what they brought, such as eks -> kms), several at
once. Evaluation then finds every package in the fetcher's memo. Only calls with a literal
source are seen here; anything else is fetched, or reported, when evaluation reaches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from analyzer.terraform.files import is_dir, is_file, is_inside
from analyzer.terraform.module import is_local_source, load_module_definition

MAX_NESTING = 8


def prefetch_modules(root_dirs: Iterable[Path], fetcher, readable: Sequence[Path], display_root: Path) -> None:
    from analyzer.modules.fetch import Fetched

    seen: set[Path] = set()
    level = [Path(d).resolve() for d in root_dirs]
    for _ in range(MAX_NESTING):
        calls, local = _calls_of(level, seen, readable, display_root)
        fetched = [outcome.directory for outcome in fetcher.prefetch(calls) if isinstance(outcome, Fetched)]
        level = local + fetched
        if not level:
            return


def _calls_of(
    directories: list[Path], seen: set[Path], readable: Sequence[Path], display_root: Path
) -> tuple[list[tuple[str, str | None]], list[Path]]:
    remote: list[tuple[str, str | None]] = []
    local: list[Path] = []
    for directory in directories:
        if directory in seen or is_file(directory / ".terraform" / "modules" / "modules.json"):
            continue  # terraform init's copies are used for these calls
        seen.add(directory)
        for call in load_module_definition(directory, display_root).module_calls.values():
            if call.source is None:
                continue
            if not is_local_source(call.source):
                remote.append((call.source, call.version))
                continue
            target = (directory / call.source).resolve()
            if is_dir(target) and any(is_inside(target, root) for root in readable):
                local.append(target)
    return remote, local
