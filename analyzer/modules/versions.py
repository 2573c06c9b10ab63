"""Terraform's module version constraints, with the exact semantics ``terraform init`` uses.

Terraform checks module versions with hashicorp/go-version: a constraint string is a
comma-separated list of ``op version`` terms that must all hold; ``op`` is one of ``=``
(also written as nothing), ``!=``, ``>``, ``>=``, ``<``, ``<=`` and ``~>``. Versions may be
partial (``1.2`` compares as ``1.2.0``), and ``~>`` keeps every specified segment but the
last fixed (``~> 1.2`` is ``>= 1.2, < 2.0``; ``~> 1.2.3`` is ``>= 1.2.3, < 1.3.0``; ``~> 1``
is ``>= 1``). A pre-release (``2.0.0-beta1``) is selected only when a term names it exactly
(``= 2.0.0-beta1``), as Terraform's installer filters pre-releases on top of go-version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import total_ordering

# hashicorp/go-version's VersionRegexpRaw (leading "v" allowed).
_VERSION = re.compile(
    r"^v?(?P<segments>[0-9]+(?:\.[0-9]+)*?)"
    r"(?:-(?P<pre>[0-9]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)|(?:-?(?P<pre2>[A-Za-z\-~]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)))?"
    r"(?:\+(?P<meta>[0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*))?$"
)
_TERM = re.compile(r"^\s*(?P<op>=|!=|>=|<=|>|<|~>)?\s*(?P<version>\S+)\s*$")
_OPERATORS = ("", "=", "!=", ">", ">=", "<", "<=", "~>")


class VersionError(ValueError):
    """A version or a constraint that Terraform would reject."""


@total_ordering
@dataclass(frozen=True)
class Version:
    segments: tuple[int, ...]  # padded to at least three
    prerelease: str = ""
    specified: int = 3  # how many segments were written (for ~>)
    original: str = ""

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION.match(text.strip())
        if match is None:
            raise VersionError(f"{text!r} is not a version")
        written = tuple(int(s) for s in match["segments"].split("."))
        padded = written + (0,) * (3 - len(written))
        return cls(padded, match["pre"] or match["pre2"] or "", len(written), text.strip())

    @property
    def core(self) -> tuple[int, ...]:
        return self.segments

    def _key(self) -> tuple:
        return (self.segments, _prerelease_key(self.prerelease))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        return self.original or ".".join(map(str, self.segments)) + (f"-{self.prerelease}" if self.prerelease else "")


def _prerelease_key(prerelease: str) -> tuple:
    """A release sorts after its pre-releases; identifiers compare numerically when numeric."""
    if not prerelease:
        return (1,)
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in prerelease.split("."))
    return (0, parts)


@dataclass(frozen=True)
class Term:
    operator: str  # "=" for a bare version
    version: Version

    def allows(self, candidate: Version) -> bool:
        return _CHECKS[self.operator](candidate, self.version)

    def __str__(self) -> str:
        return f"{self.operator} {self.version}"


def _prerelease_compatible(v: Version, c: Version) -> bool:
    """go-version's prereleaseCheck for the ordering operators."""
    if c.prerelease and v.prerelease:
        return c.segments == v.segments
    return not (v.prerelease and not c.prerelease)


def _pessimistic(v: Version, c: Version) -> bool:
    if bool(v.prerelease) != bool(c.prerelease):
        return False
    if v < c:
        return False
    fixed = c.specified - 1
    if v.segments[:fixed] != c.segments[:fixed]:
        return False
    return v.segments[c.specified - 1] >= c.segments[c.specified - 1]


_CHECKS = {
    "=": lambda v, c: v == c,
    "!=": lambda v, c: v != c,
    ">": lambda v, c: _prerelease_compatible(v, c) and v > c,
    ">=": lambda v, c: _prerelease_compatible(v, c) and v >= c,
    "<": lambda v, c: _prerelease_compatible(v, c) and v < c,
    "<=": lambda v, c: _prerelease_compatible(v, c) and v <= c,
    "~>": _pessimistic,
}


@dataclass(frozen=True)
class Constraint:
    terms: tuple[Term, ...]
    text: str

    @classmethod
    def parse(cls, text: str | None) -> Constraint:
        """``None`` or empty: any version (Terraform then takes the latest release)."""
        if text is None or not text.strip():
            return cls((), "")
        terms = []
        for raw in text.split(","):
            match = _TERM.match(raw)
            if match is None:
                raise VersionError(f"{raw.strip()!r} is not a version constraint")
            terms.append(Term(match["op"] or "=", Version.parse(match["version"])))
        return cls(tuple(terms), text.strip())

    def allows(self, candidate: Version) -> bool:
        if not all(term.allows(candidate) for term in self.terms):
            return False
        if candidate.prerelease:  # only when asked for by name
            return any(t.operator == "=" and t.version == candidate for t in self.terms)
        return True

    def newest(self, available: Iterable[str]) -> Version | None:
        """The newest of ``available`` that this constraint allows (unparseable ones ignored)."""
        best: Version | None = None
        for text in available:
            try:
                candidate = Version.parse(text)
            except VersionError:
                continue
            if self.allows(candidate) and (best is None or candidate > best):
                best = candidate
        return best

    def __str__(self) -> str:
        return self.text or "any version"
