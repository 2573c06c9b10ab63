"""The user cache directory eksjoin writes to: fetched module code, persistent results.

``EKSJOIN_CACHE_DIR`` overrides it (tests point it at a temporary directory; CI at a cached
path); otherwise platformdirs gives the platform's convention (``$XDG_CACHE_HOME/eksjoin``
on Linux, ``~/Library/Caches/eksjoin`` on macOS, ``%LOCALAPPDATA%\\eksjoin\\Cache`` on
Windows). Nothing is created until a caller asks for a sub-directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

CACHE_DIR_ENV = "EKSJOIN_CACHE_DIR"


def cache_root() -> Path:
    """The eksjoin cache directory (not created)."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser().absolute()
    return Path(platformdirs.user_cache_dir("eksjoin", appauthor=False)).absolute()


def cache_subdir(name: str) -> Path:
    """``<cache root>/<name>``, created (owner-only) when missing."""
    directory = cache_root() / name
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory
