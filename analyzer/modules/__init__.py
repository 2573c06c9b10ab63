"""Module code that ``terraform init`` would fetch: registry, git and HTTP archive sources.

``addresses`` classifies a source string; ``versions`` implements Terraform's version
constraints; the fetchers bring the code into the module cache (under the user cache
directory, see analyzer.cachedir), from which evaluation reads it like a local module.
Nothing here executes code from the scanned repository, and a module that cannot be
fetched is reported, never silently skipped.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path


def is_fetched_code(path: str) -> bool:
    """Whether a finding path (relative to the current directory) is module code that
    ``terraform init`` or eksjoin fetched: under ``.terraform/`` or the module cache."""
    if not path:
        return False
    if ".terraform" in Path(path).parts:
        return True
    from analyzer.cachedir import cache_root

    return _under(path, os.getcwd(), str(cache_root()))


@functools.lru_cache(maxsize=65536)
def _under(path: str, cwd: str, cache: str) -> bool:
    # asked once per attribute of every fetched block: resolve each path once
    try:
        resolved = (Path(cwd) / path).resolve()
        return (Path(cache).resolve() / "modules") in resolved.parents
    except (OSError, RuntimeError):
        return False
