"""JSON reading with a nesting limit checked before anything is parsed.

Python's JSON reader recurses once per level of lists and mappings, so a file of a few
thousand ``[`` raises RecursionError deep inside it (or, in a thread with a larger stack,
exhausts it). Every JSON file eksjoin reads -- plan JSON, ``.tfvars.json``, CloudFormation
templates, other ``.json``, ``.terraform/modules/modules.json``, a baseline, a
``--cfn-params`` file -- goes through ``loads`` here: the nesting is measured on the text
first (outside strings, in linear time), and a document nested deeper than ``MAX_DEPTH``
is refused with ``TooDeep``, whose message names the limit.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

# Lists and mappings inside each other, the document's outermost one counted: the YAML
# limit (analyzer/yamlsafe.py) is the same. Real configuration is rarely 20 deep.
MAX_DEPTH = 100

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class TooDeep(Exception):
    """The document is nested deeper than ``MAX_DEPTH``; it was not parsed."""

    def __init__(self, depth: int | None = None) -> None:
        self.depth = depth
        super().__init__(f"JSON nested more than {MAX_DEPTH} levels deep, over the limit eksjoin reads")


def depth_of(text: str) -> int:
    """How deep lists and mappings nest in ``text`` (brackets inside strings do not count)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if bracket in "[{" else -1 for bracket in brackets), default=0)


def check_depth(text: str) -> None:
    """Raise ``TooDeep`` when ``text`` nests deeper than ``MAX_DEPTH``."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # too few brackets to nest deeper: no scan
        return
    depth = depth_of(text)
    if depth > MAX_DEPTH:
        raise TooDeep(depth)


def loads(text: str | bytes, **options: Any) -> Any:
    """``json.loads(text)``, refusing a document nested deeper than ``MAX_DEPTH`` before it is
    parsed (``TooDeep``); invalid JSON raises ``json.JSONDecodeError`` (a ValueError) as ever."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    check_depth(text)
    try:
        return json.loads(text, **options)
    except RecursionError:  # a safety net: the limit is meant to stop this first
        raise TooDeep() from None
