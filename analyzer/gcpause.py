"""Garbage collection around parsing.

python-hcl2's Lark trees are large (about 100 bytes of tree per byte of source), live until
their module is evaluated, and hold no reference cycles worth finding; every full collection
would rescan all of them, which was half of a corpus run. Inside ``trees_frozen()`` each
parse is followed by ``gc.freeze()``, which moves everything alive into the permanent
generation in constant time. On leaving, the objects are handed back to the collector so a
long-lived caller (a test run, an editor integration) still gets its garbage collected; the
command line, which exits after its report, keeps them frozen (``keep_frozen()``): handing
them back costs a third of the run in collections that would find nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0
_release = True


def after_parse() -> None:
    """Called after each parse: keep the new tree out of later collections."""
    if _depth:
        gc.freeze()


def keep_frozen() -> None:
    """For a process that ends after one analysis: never unfreeze."""
    global _release
    _release = False


@contextmanager
def trees_frozen() -> Iterator[None]:
    global _depth
    # Objects someone else froze (a server freezing before fork) are theirs: leave them frozen.
    owner = _depth == 0 and gc.get_freeze_count() == 0
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if owner and _release:
            gc.unfreeze()
