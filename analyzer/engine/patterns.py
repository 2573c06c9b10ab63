"""Whether a regular expression finds a match in a string with holes of a known alphabet and
length (``education-eks-${random_string.suffix.result}``, the result 8 letters or digits).

The string is a row of positions, each the set of characters it may hold. A simple pattern
(anchors, literals, classes, ``.``, repeats of one of them) is a row of tokens, each a
character test with a repeat range. If one alignment of positions to tokens fits every
character every position may hold, every such string matches; if no alignment fits even one
character per position, none does; otherwise it is not known. Other patterns: not known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

_parser: Any
try:  # Python 3.11+
    import re._parser as _parser  # type: ignore[no-redef]
except ImportError:  # pragma: no cover
    import sre_parse as _parser  # type: ignore[no-redef]

Test = Callable[[str], bool]
Token = tuple[Test, int, float]

_CATEGORIES: dict[Any, Test] = {
    _parser.CATEGORY_DIGIT: lambda c: re.fullmatch(r"\d", c) is not None,
    _parser.CATEGORY_NOT_DIGIT: lambda c: re.fullmatch(r"\D", c) is not None,
    _parser.CATEGORY_WORD: lambda c: re.fullmatch(r"\w", c) is not None,
    _parser.CATEGORY_NOT_WORD: lambda c: re.fullmatch(r"\W", c) is not None,
    _parser.CATEGORY_SPACE: lambda c: re.fullmatch(r"\s", c) is not None,
    _parser.CATEGORY_NOT_SPACE: lambda c: re.fullmatch(r"\S", c) is not None,
}


def search_every(pattern: str, positions: list[frozenset[str]]) -> bool | None:
    """True: ``re.search(pattern, s)`` finds a match for every string ``s`` the positions
    allow; False: for none of them; None: not known (some do, or the pattern is not simple)."""
    if any("\n" in chars or not chars for chars in positions):
        return None  # "$" also matches before a final newline; an empty set allows no string
    tokens = _tokens(pattern)
    if tokens is None:
        return None
    if _aligns(tokens, positions, lambda test, chars: all(test(c) for c in chars)):
        return True
    if not _aligns(tokens, positions, lambda test, chars: any(test(c) for c in chars)):
        return False
    return None


def _tokens(pattern: str) -> list[Token] | None:
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    if parsed.state.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE):
        return None
    items = list(parsed)
    starts = (bool(items) and items[0] == (_parser.AT, _parser.AT_BEGINNING)) or (
        bool(items) and items[0] == (_parser.AT, _parser.AT_BEGINNING_STRING)
    )
    if starts:
        items = items[1:]
    ends = bool(items) and items[-1] in ((_parser.AT, _parser.AT_END), (_parser.AT, _parser.AT_END_STRING))
    if ends:
        items = items[:-1]
    tokens: list[Token] = [] if starts else [(lambda c: c != "\n", 0, float("inf"))]
    for op, av in items:
        if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT):
            low, high, sub = av
            inner = list(sub)
            test = _test(*inner[0]) if len(inner) == 1 else None
            if test is None:
                return None
            tokens.append((test, low, float("inf") if high == _parser.MAXREPEAT else high))
            continue
        test = _test(op, av)
        if test is None:
            return None
        tokens.append((test, 1, 1))
    if not ends:
        tokens.append((lambda c: True, 0, float("inf")))
    return tokens


def _test(op: Any, av: Any) -> Test | None:
    if op == _parser.LITERAL:
        return _is(chr(av))
    if op == _parser.NOT_LITERAL:
        wanted = chr(av)
        return lambda c: c != wanted
    if op == _parser.ANY:
        return lambda c: c != "\n"
    if op == _parser.IN:
        return _class(av)
    return None


def _is(wanted: str) -> Test:
    return lambda c: c == wanted


def _class(items: Iterable[tuple[Any, Any]]) -> Test | None:
    tests: list[Test] = []
    negate = False
    for op, av in items:
        if op == _parser.NEGATE:
            negate = True
        elif op == _parser.LITERAL:
            tests.append(_is(chr(av)))
        elif op == _parser.RANGE:
            tests.append(lambda c, lo=av[0], hi=av[1]: lo <= ord(c) <= hi)
        elif op == _parser.CATEGORY and av in _CATEGORIES:
            tests.append(_CATEGORIES[av])
        else:
            return None
    if negate:
        return lambda c: not any(t(c) for t in tests)
    return lambda c: any(t(c) for t in tests)


def _aligns(tokens: list[Token], positions: list[frozenset[str]], fits: Callable[[Test, frozenset[str]], bool]) -> bool:
    """Whether the tokens, in order and each within its repeat range, can cover the positions
    with every position fitting its token."""
    size = len(positions)
    reach = {0}
    for test, low, high in tokens:
        after: set[int] = set()
        for start in reach:
            count = 0
            if low == 0:
                after.add(start)
            while start + count < size and count < high and fits(test, positions[start + count]):
                count += 1
                if count >= low:
                    after.add(start + count)
        reach = after
        if not reach:
            return False
    return size in reach
