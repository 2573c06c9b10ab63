"""The value domain shared by every evaluator (Terraform, CloudFormation, eksctl).

A configuration value is either known (None, bool, int, float, str, list, dict) or
not knowable before deployment. Unknown-ness is explicit and never collapses to
False: rules that meet an Unknown yield UNKNOWN, never FAIL.

* ``Unknown``    a value that cannot be known statically; says why and where.
* ``Ref``        an Unknown that points at an attribute of a resource in the model
                 (``aws_vpc.main.id``, ``!GetAtt Role.Arn``): the linker follows it.
* ``PartialStr`` a string with holes (``"arn:aws:iam::${var.acct}:role/x"``); the text
                 around the holes stays available to parsers of user data and aws-auth.
* ``Encoded``    an encoding (base64, gzip) applied to a value that is not fully known,
                 so decoders can still look inside.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from analyzer.location import Location


@dataclass(frozen=True, eq=False)
class Unknown:
    """A value that cannot be known before deployment."""

    reason: str
    origin: Location | None = None

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __str__(self) -> str:
        return f"<unknown: {self.reason}>"

    def __bool__(self) -> bool:
        raise TypeError(f"truth value of an Unknown is undefined ({self.reason})")


@dataclass(frozen=True, eq=False)
class Ref(Unknown):
    """A computed attribute of a modelled resource: unknown in value, known in identity."""

    target: str = ""  # resource key in the model, e.g. "aws_vpc.main" or "cfn:VPC"
    attribute: str = ""  # "id", "arn", "Arn", "ClusterSecurityGroupId", ...

    def __repr__(self) -> str:
        return f"Ref({self.target}.{self.attribute})"


@dataclass(frozen=True, eq=False)
class TypedArn(Ref):
    """A Ref whose value is known to be an ARN whose resource type is one of ``resource_types``
    (IAM's ``role``, ``user``, ``root``; STS's ``federated-user``), though not which one
    (``data.aws_iam_session_context.current.issuer_arn``: the caller's role, or the caller)."""

    resource_types: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"TypedArn({self.target}.{self.attribute}: {'|'.join(self.resource_types)})"


@dataclass(frozen=True, eq=False)
class Generated(Ref):
    """A computed attribute whose text is ``length`` characters, each one of ``alphabet``,
    unknown which (``random_string``'s ``result``): checks on its form can still decide."""

    alphabet: frozenset[str] = frozenset()
    length: int = 0

    def __repr__(self) -> str:
        return f"Generated({self.target}.{self.attribute}: {self.length} of {len(self.alphabet)} characters)"


def character_positions(value: Any) -> list[frozenset[str]] | None:
    """The characters each position of a string may hold: a literal character is itself, a
    Generated hole is ``length`` positions of its alphabet. None when another hole is in it."""
    parts = value.parts if isinstance(value, PartialStr) else (value,)
    positions: list[frozenset[str]] = []
    for part in parts:
        if isinstance(part, str):
            positions.extend(frozenset(c) for c in part)
        elif isinstance(part, Generated) and part.alphabet:
            positions.extend([part.alphabet] * part.length)
        else:
            return None
    return positions


@dataclass(frozen=True, eq=False)
class Opaque(Unknown):
    """An Unknown that can name a resource of this run only through the module calls in
    ``modules`` (key paths such as ``"eks.addons"``) whose code is not available: their
    outputs carry at most what their inputs carry. With no modules it names none, as a root
    variable without a value (the user passes a literal; a resource of this run has no ID
    before apply)."""

    modules: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Opaque({self.reason!r}, {self.modules!r})"


@dataclass(frozen=True, eq=False)
class Symbol(Unknown):
    """A value unknown before deployment that is the same wherever one scope uses it
    (``AWS::StackName`` inside one template): equal to itself, to nothing else."""

    name: str = ""  # scoped, e.g. "stack.yaml#AWS::StackName"

    def __repr__(self) -> str:
        return f"Symbol({self.name})"


@dataclass(frozen=True, eq=False)
class SymbolElement(Symbol):
    """Element ``index`` of a list of distinct values unknown before deployment, such as
    ``Fn::Select [1, Fn::GetAZs ""]``: each element is itself wherever it is used, and two
    indices of one list are different values (GetAZs lists each zone of the region once)."""

    of: str = ""  # the list, scoped, e.g. "stack.yaml#Fn::GetAZs(AWS::Region)"
    index: int = 0

    def __repr__(self) -> str:
        return f"SymbolElement({self.of}[{self.index}])"


class EachOf(list):
    """The elements of a collection whose length is not known before apply (``aws_x.y[*].id``
    of a block whose count/for_each is unknown): it holds one stand-in element that every
    element is like. A check that holds for the stand-in holds for each element; anything
    that depends on how many there are is unknown (``reason`` says why)."""

    def __init__(self, items=(), reason: str = "the number of elements is not known") -> None:
        super().__init__(items)
        self.reason = reason

    def like(self, items) -> EachOf:
        """Another collection of as many elements, each like one of ``items``."""
        return EachOf(items, self.reason)

    def __repr__(self) -> str:
        return f"EachOf({list.__repr__(self)})"


@dataclass(frozen=True)
class PartialStr:
    """A string made of literal text and holes (Unknowns)."""

    parts: tuple[str | Unknown, ...]

    @staticmethod
    def join(pieces: Iterable[Any]) -> str | PartialStr:
        """Concatenate strings, PartialStrs and Unknowns; a fully known result is a plain str."""
        merged: list[str | Unknown] = []
        for piece in pieces:
            subparts = piece.parts if isinstance(piece, PartialStr) else (piece,)
            for part in subparts:
                if isinstance(part, str) and merged and isinstance(merged[-1], str):
                    merged[-1] += part
                elif not (isinstance(part, str) and part == ""):
                    merged.append(part)
        if all(isinstance(p, str) for p in merged):
            return "".join(merged)  # type: ignore[arg-type]
        return PartialStr(tuple(merged))

    @property
    def holes(self) -> list[Unknown]:
        return [p for p in self.parts if isinstance(p, Unknown)]

    @property
    def reason(self) -> str:
        return "; ".join(dict.fromkeys(h.reason for h in self.holes))

    def text(self, placeholder: str = "${?}") -> str:
        """The literal text with every hole replaced by ``placeholder``."""
        return "".join(p if isinstance(p, str) else placeholder for p in self.parts)

    def with_markers(self) -> tuple[str, dict[str, Unknown]]:
        """Text with a unique marker per hole, and the marker -> hole table.

        Lets structured decoders (YAML, JSON, shell) parse around the holes, then map
        marker strings back to the Unknowns they stand for (see ``restore_markers``).
        """
        table: dict[str, Unknown] = {}
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                marker = f"__EKSJOIN_HOLE_{len(table)}__"
                table[marker] = part
                out.append(marker)
        return "".join(out), table

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Encoded:
    """``encoding(inner)`` where ``inner`` is not fully known (else it is encoded for real)."""

    encoding: str  # "base64" | "gzip" | "base64gzip"
    inner: Any

    @property
    def reason(self) -> str:
        return f"{self.encoding} of a value with unknown parts"


def is_unknown(value: Any) -> bool:
    """True when the value as a whole is not fully known (Unknown, PartialStr, Encoded)."""
    return isinstance(value, (Unknown, PartialStr, Encoded))


def contains_unknown(value: Any) -> bool:
    """True when the value or anything nested in it is not fully known."""
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def first_unknown(value: Any) -> Unknown | None:
    """The first hole found in a value, for messages that say what was not resolved."""
    for hole in iter_unknowns(value):
        return hole
    return None


def iter_unknowns(value: Any) -> Iterator[Unknown]:
    if isinstance(value, Unknown):
        yield value
    elif isinstance(value, PartialStr):
        yield from value.holes
    elif isinstance(value, Encoded):
        yield from iter_unknowns(value.inner)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_unknowns(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from iter_unknowns(item)


def restore_markers(value: Any, table: dict[str, Unknown]) -> Any:
    """Inverse of ``PartialStr.with_markers`` over a decoded structure."""
    if not table:
        return value
    if isinstance(value, str):
        if value in table:
            return table[value]
        if "__EKSJOIN_HOLE_" not in value:
            return value
        pieces: list[Any] = [value]
        for marker, hole in table.items():
            next_pieces: list[Any] = []
            for piece in pieces:
                if isinstance(piece, str) and marker in piece:
                    chunks = piece.split(marker)
                    for i, chunk in enumerate(chunks):
                        if i:
                            next_pieces.append(hole)
                        next_pieces.append(chunk)
                else:
                    next_pieces.append(piece)
            pieces = next_pieces
        return PartialStr.join(pieces)
    if isinstance(value, dict):
        return {k: restore_markers(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [restore_markers(v, table) for v in value]
    return value


def scope_refs(value: Any, scope: str) -> Any:
    """The value with every Ref's target qualified as ``scope#target`` (keys are per root)."""
    if isinstance(value, Ref):
        if "#" in value.target:
            return value
        return dataclasses.replace(value, target=f"{scope}#{value.target}")  # keeps a subclass (TypedArn)
    if isinstance(value, OneOf):
        return OneOf(value.reason, value.origin, candidates=tuple(scope_refs(c, scope) for c in value.candidates))
    if isinstance(value, PartialStr):
        return PartialStr(tuple(scope_refs(p, scope) for p in value.parts))
    if isinstance(value, Encoded):
        return Encoded(value.encoding, scope_refs(value.inner, scope))
    if isinstance(value, EachOf):
        return value.like(scope_refs(item, scope) for item in value)
    if isinstance(value, list):
        return [scope_refs(item, scope) for item in value]
    if isinstance(value, tuple):
        return tuple(scope_refs(item, scope) for item in value)
    if isinstance(value, dict):
        return {key: scope_refs(item, scope) for key, item in value.items()}
    return value


def identity_text(value: Any) -> str | None:
    """A string that names ``value`` exactly when two values are provably the same: a literal
    is itself; a hole that is a Ref (one attribute of one resource) or a Symbol stands for
    that attribute or symbol. None when a hole could be anything."""
    if isinstance(value, str):
        return value
    if isinstance(value, (Ref, Symbol)) and not isinstance(value, OneOf):
        return "${" + _hole_token(value) + "}"
    if isinstance(value, PartialStr):
        pieces = [identity_text(part) for part in value.parts]
        return None if any(piece is None for piece in pieces) else "".join(pieces)  # type: ignore[arg-type]
    return None


def _hole_token(hole: Ref | Symbol) -> str:
    """A token without "/" or ":" (ARN separators) that names one hole."""
    import hashlib

    name = hole.name if isinstance(hole, Symbol) else f"{hole.target}.{hole.attribute}"
    return "hole-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]


def provably_distinct(a: Any, b: Any) -> bool:
    """True when two strings, either of which may have holes, can never be equal: their literal
    text before the first hole or after the last one disagrees, or they are the same holes at
    the same places and differ in one literal piece only (``arn:${p}:iam::aws:policy/A`` and
    ``arn:${p}:iam::aws:policy/B``). Holes may stand for any text, the empty text included."""
    if isinstance(a, str) and isinstance(b, str):
        return a != b
    a_parts, b_parts = _string_parts(a), _string_parts(b)
    if a_parts is None or b_parts is None:
        return False
    if _ends_disagree(a_parts, b_parts):
        return True
    return _one_piece_differs(a_parts, b_parts)


def _string_parts(value: Any) -> tuple | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, PartialStr):
        return value.parts
    return None


def _ends_disagree(a: tuple, b: tuple) -> bool:
    if _is_literal(a) or _is_literal(b):  # the literal must hold the other's literal ends
        text, other = (a[0], b) if _is_literal(a) else (b[0], a)
        head, tail = _literal_end(other, 0), _literal_end(other, -1)
        return not (text.startswith(head) and text.endswith(tail) and len(text) >= len(head) + len(tail))
    a_head, b_head = _literal_end(a, 0), _literal_end(b, 0)
    a_tail, b_tail = _literal_end(a, -1), _literal_end(b, -1)
    heads_clash = not (a_head.startswith(b_head) or b_head.startswith(a_head))
    tails_clash = not (a_tail.endswith(b_tail) or b_tail.endswith(a_tail))
    return heads_clash or tails_clash


def _is_literal(parts: tuple) -> bool:
    return all(isinstance(part, str) for part in parts)


def _literal_end(parts: tuple, index: int) -> str:
    return parts[index] if isinstance(parts[index], str) else ""


def _one_piece_differs(a: tuple, b: tuple) -> bool:
    """Same holes in the same order (each a Ref or Symbol, so equal to itself), the literal
    pieces between them equal but for one: the texts differ exactly where that piece does."""
    if len(a) != len(b):
        return False
    differing = 0
    for x, y in zip(a, b, strict=True):
        if isinstance(x, str) != isinstance(y, str):
            return False
        if isinstance(x, str):
            differing += x != y
        elif identity_text(x) is None or identity_text(x) != identity_text(y):
            return False
    return differing == 1


def hole_text(value: Any) -> str:
    """A string with holes as Terraform would print it, each hole named by what it stands for
    (``arn:${data.aws_partition.current.partition}:iam::aws:policy/X``)."""
    parts = value.parts if isinstance(value, PartialStr) else (value,)
    return "".join(p if isinstance(p, str) else "${" + describe(p) + "}" for p in parts)


class HoleKey(str):
    """A map key or instance key that is a string with holes, each a Ref or Symbol (the
    ``for_each`` keys ``arn:${partition}:iam::aws:policy/<name>``). As a ``str`` it is the key's
    printed form, so maps sort, address and report it; ``value`` is the key itself, which is what
    ``each.key``, ``keys()`` and ``for k, v in`` see."""

    value: PartialStr

    def __new__(cls, value: PartialStr) -> HoleKey:
        key = super().__new__(cls, hole_text(value))
        key.value = value
        return key


def key_value(key: Any) -> Any:
    """A map key as a value: the string with holes a HoleKey stands for, else the key."""
    return key.value if isinstance(key, HoleKey) else key


def describe(value: Any) -> str:
    """Short human text for a value in a message."""
    if isinstance(value, Ref):
        return f"{value.target}.{value.attribute}"
    if isinstance(value, Unknown):
        return f"<unknown: {value.reason}>"
    if isinstance(value, PartialStr):
        return repr(value.text())
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return repr(value) if isinstance(value, str) else str(value)


__all__ = [
    "EachOf",
    "Encoded",
    "Generated",
    "HoleKey",
    "OneOf",
    "Opaque",
    "PartialStr",
    "Ref",
    "Symbol",
    "TypedArn",
    "Unknown",
    "character_positions",
    "contains_unknown",
    "describe",
    "first_unknown",
    "hole_text",
    "identity_text",
    "is_unknown",
    "iter_unknowns",
    "key_value",
    "provably_distinct",
    "restore_markers",
    "scope_refs",
]


@dataclass(frozen=True, eq=False)
class OneOf(Unknown):
    """Unknown, but certainly one of ``candidates`` (a map lookup or conditional whose key
    or condition is unknown). Lets checks succeed when every candidate satisfies them."""

    candidates: tuple = ()

    def __repr__(self) -> str:
        return f"OneOf{self.candidates!r}"
