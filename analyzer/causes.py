"""Why checks ended unknown, grouped by the value at the bottom of each reason.

A reason wraps its cause: "the AMI ID is not known (parameter NodeImageId has no default;
pass --cfn-param NodeImageId=...)". Many checks often share one cause (a variable without a
value, a module that is not downloaded); the summary names each cause once, with how many
checks it leaves unknown, so the one fix that decides them is visible.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

# The end of a wrapper before ": <cause>" ("count of aws_subnet.x is unknown: <cause>").
_WRAPPER_END = re.compile(r"(is unknown|is not known|are not known|not known|could not be resolved|unverified)$")


def root_cause(reason: str) -> str:
    """The innermost cause a reason names."""
    text = " ".join(reason.split())
    for _ in range(32):  # reasons nest a few levels; bound the walk
        inner = _trailing_group(text)
        if inner:
            text = inner
            continue
        head, sep, tail = text.partition(": ")
        if sep and tail and _WRAPPER_END.search(head):
            text = tail
            continue
        break
    return text


def _trailing_group(text: str) -> str | None:
    """The text of a balanced "(...)" that ends ``text``, if it holds a sentence."""
    if not text.endswith(")"):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            depth -= 1
            if depth == 0:
                inner = text[index + 1 : -1].strip()
                # "(None)", "(unresolved)": a placeholder, not a cause of its own
                return inner if " " in inner and index > 0 and text[index - 1] == " " else None
    return None


def unknown_causes(reasons: Iterable[str]) -> list[dict[str, Any]]:
    """[{cause, checks}] for the given reasons of unknown checks, most checks first."""
    counts = Counter(root_cause(reason) for reason in reasons if reason)
    return [{"cause": cause, "checks": checks} for cause, checks in sorted(counts.items(), key=lambda c: (-c[1], c[0]))]
