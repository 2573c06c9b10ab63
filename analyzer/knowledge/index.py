"""Reverse links computed once per model: which resources point at a given one.

Facts such as "the node groups of this cluster" or "the attachments of this role" used to
scan every resource of a kind for each resource asked about, which made the rules stage
quadratic in the size of a configuration. ``referrers`` builds the whole reverse mapping
on the first question and answers the next ones from it; it asks the model exactly the
facts the scan asked, in the same order, so results are identical.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from analyzer.model.graph import Model
from analyzer.model.resource import Resource

KeyFn = Callable[[Model, Resource], Any]

# model -> (index name -> (resources seen, target id -> referrers in model order))
_INDEXES: weakref.WeakKeyDictionary[Model, dict[str, tuple[int, dict[int, list[Resource]]]]] = (
    weakref.WeakKeyDictionary()
)


def referrers(model: Model, kinds: tuple[str, ...], target: Resource, key: KeyFn, name: str) -> list[Resource]:
    """Resources of ``kinds`` (in model order) for which ``key(model, resource)`` is
    ``target`` or a list holding it. ``name`` identifies ``key`` for the cache."""
    candidates = model.of_kind(*kinds)
    indexes = _INDEXES.setdefault(model, {})
    cached = indexes.get(name)
    if cached is None or cached[0] != len(candidates):  # resources added since: rebuild
        cached = (len(candidates), _build(model, candidates, key))
        indexes[name] = cached
    return list(cached[1].get(id(target), ()))


def _build(model: Model, candidates: list[Resource], key: KeyFn) -> dict[int, list[Resource]]:
    index: dict[int, list[Resource]] = {}
    for resource in candidates:
        value = key(model, resource)
        targets = value if isinstance(value, list) else [value]
        seen: set[int] = set()
        for target in targets:
            if isinstance(target, Resource) and id(target) not in seen:
                seen.add(id(target))
                index.setdefault(id(target), []).append(resource)
    return index


def attribute(name: str) -> KeyFn:
    """The key ``model.attr(resource, name)``."""

    def key(model: Model, resource: Resource) -> Any:
        return model.attr(resource, name)

    key.__name__ = f"attr_{name}"
    return key
