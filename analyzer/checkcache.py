"""The persistent cache of the checks: what running the rules over a model gave, under
``<cache dir>/checks``, so a run over unchanged inputs does not evaluate the rules again.

The rules stage is a function of the model, the rules, eksjoin's code, the day (a Kubernetes
version's support is judged by today's date) and where findings are reported from (fetched
module code is reported at the user's module block, judged by the working directory and the
cache directory). An entry's key is a digest of all of these, where the model counts by the
ledger of the result cache (analyzer/resultcache.py): the digest of the stored bytes of every
result cache entry the model was made of, in order, and the diagnostics beside them. A model
built from anything else (a plan, a file the cache cannot hold, ``--no-cache``) has no
ledger digest, and its checks are evaluated and not stored.

An entry holds each result's rule ID, its subject as a position in the model with the
subject's key, its outcome, its finding and its reason; an entry that does not fit the model
it is read for (a position past the end, another key, a rule that did not run) counts as
corrupt: the rules are evaluated and the entry written again. The directory is bounded
like the result cache, entries are written atomically, and a corrupt entry is ignored and
rewritten (``ResultCache``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from typing import Any

from analyzer.cachedir import cache_root, cache_subdir
from analyzer.engine.catalogue import Rule
from analyzer.engine.runner import Result
from analyzer.model.graph import Model
from analyzer.resultcache import ResultCache, key_of
from analyzer.strict import strict

MAX_CACHE_BYTES = int(os.environ.get("EKSJOIN_CHECK_CACHE_MB", "64")) << 20


def checks_cache(enabled: bool) -> ResultCache:
    from analyzer.resultcache import NoCache

    return ResultCache(cache_subdir("checks")) if enabled else NoCache()


def key_for(rules: list[Rule], model: Model, ledger_digest: str | None) -> str | None:
    """The entry of these rules over this model, None when the model's making is not known
    by content (nothing is then read or stored)."""
    if ledger_digest is None:
        return None
    from analyzer.knowledge import versions

    catalogue = hashlib.blake2b(
        json.dumps([[r.id, r.spec] for r in rules], sort_keys=True, default=str).encode(), digest_size=16
    ).hexdigest()
    diagnostics = hashlib.blake2b(repr(model.diagnostics).encode(), digest_size=16).hexdigest()
    return key_of(
        "checks",
        ledger_digest,
        len(model.resources),
        diagnostics,
        catalogue,
        versions.today().isoformat(),
        os.getcwd(),
        str(cache_root()),
        strict(),
    )


def results_of(
    rules: list[Rule],
    model: Model,
    ledger_digest: str | None,
    cache: ResultCache,
    evaluate: Callable[[], list[Result]],
) -> list[Result]:
    """``evaluate()``, or the results it gave for the same rules over the same model."""
    key = key_for(rules, model, ledger_digest)
    if key is None:
        return evaluate()
    stored = cache.get(key)
    if stored is not None:
        results = _restored(stored, rules, model)
        if results is not None:
            return results
    results = evaluate()
    entry = _stored(results, model)
    if entry is not None:
        cache.put(key, entry)
        cache.evict(MAX_CACHE_BYTES)
    return results


def _stored(results: list[Result], model: Model) -> list[tuple[Any, ...]] | None:
    """What is kept of ``results``; None when a subject is not one of the model's resources."""
    position = {id(resource): index for index, resource in enumerate(model.resources)}
    if any(id(r.subject) not in position for r in results):
        return None
    return [(r.rule.id, position[id(r.subject)], r.subject.key, r.outcome, r.finding, r.reason) for r in results]


def _restored(stored: Any, rules: list[Rule], model: Model) -> list[Result] | None:
    by_id = {rule.id: rule for rule in rules}
    resources = model.resources
    results = []
    try:
        for rule_id, index, key, outcome, finding, reason in stored:
            if not 0 <= index < len(resources) or resources[index].key != key or rule_id not in by_id:
                return None
            subject = resources[index]
            if outcome not in ("pass", "fail", "skip", "unknown"):
                return None
            results.append(Result(by_id[rule_id], subject, outcome, finding, reason))
    except (TypeError, ValueError, IndexError):
        return None
    return results
