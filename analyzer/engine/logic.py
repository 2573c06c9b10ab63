"""Three-valued verdicts: True, False, or Unknown (with the reason it is unknown)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Verdict:
    value: bool | None  # None = unknown
    bindings: dict[str, Any] = field(default_factory=dict)  # witnesses for the message
    reason: str = ""  # why unknown

    @property
    def is_true(self) -> bool:
        return self.value is True

    @property
    def is_false(self) -> bool:
        return self.value is False

    @property
    def is_unknown(self) -> bool:
        return self.value is None


def true(**bindings: Any) -> Verdict:
    return Verdict(True, dict(bindings))


def false(**bindings: Any) -> Verdict:
    return Verdict(False, dict(bindings))


def unknown(reason: str, **bindings: Any) -> Verdict:
    return Verdict(None, dict(bindings), reason)


def conjunction(verdicts: list[Verdict]) -> Verdict:
    """Kleene AND: any False wins, then any Unknown."""
    unknowns = []
    merged: dict[str, Any] = {}
    for verdict in verdicts:
        if verdict.is_false:
            return verdict
        if verdict.is_unknown:
            unknowns.append(verdict)
        merged.update(verdict.bindings)
    if unknowns:
        return Verdict(None, {**merged, **unknowns[0].bindings}, unknowns[0].reason)
    return Verdict(True, merged)


def disjunction(verdicts: list[Verdict]) -> Verdict:
    """Kleene OR: any True wins, then any Unknown."""
    unknowns = []
    last_false = Verdict(False)
    for verdict in verdicts:
        if verdict.is_true:
            return verdict
        if verdict.is_unknown:
            unknowns.append(verdict)
        else:
            last_false = verdict
    if unknowns:
        return unknowns[0]
    return last_false


def negation(verdict: Verdict) -> Verdict:
    if verdict.is_unknown:
        return verdict
    return Verdict(not verdict.value, verdict.bindings)
