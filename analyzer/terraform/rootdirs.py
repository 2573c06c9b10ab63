"""Which of the directories discovery found are root modules.

Kept apart from the loader, and importing nothing of the parser or the evaluator: a warm run
answers each directory's local module calls from the result cache, and then needs neither.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path


def find_root_modules(
    module_dirs: Sequence[Path], display_root: Path, local_calls: Callable[[Path], list[Path]] | None = None
) -> list[Path]:
    """The directories no other directory calls as a local module.

    Copies that ``terraform init`` made under ``.terraform`` are never roots: they are
    evaluated through the module calls that name them. ``local_calls`` (a directory -> the
    directories it calls locally) can answer from a cache instead of parsing.
    """
    if local_calls is None:
        from analyzer.terraform.loader import local_calls_of  # parses each directory

        def local_calls(directory: Path) -> list[Path]:
            return local_calls_of(directory, display_root)

    directories = [d for d in dict.fromkeys(Path(d).resolve() for d in module_dirs) if ".terraform" not in d.parts]
    called: set[Path] = set()
    for directory in directories:
        for target in local_calls(directory):
            if target != directory:
                called.add(target)
    return [d for d in directories if d not in called]
