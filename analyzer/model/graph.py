"""The model: every canonical resource, indexed, with links followed on demand.

Linking is where references become edges: a Terraform ``Ref`` or CloudFormation
``!Ref``/``!GetAtt`` names its target by key; a literal name, ID or ARN names it by
identity (``cluster_name = "demo"``, ``rolearn: arn:aws:iam::1:role/nodes``). A
reference that names nothing in the analyzed files is Unknown, never "missing".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from analyzer.diagnostics import Diagnostic
from analyzer.model.kinds import LINKS, LOOKUP
from analyzer.model.resource import Resource
from analyzer.values import EachOf, Encoded, OneOf, PartialStr, Ref, Unknown, identity_text, is_unknown

_BUILTINS = {"address", "kind", "key", "framework", "source_type", "provenance"}
FactFn = Callable[["Model", Resource], Any]
_FACTS: dict[tuple[str, str], FactFn] = {}


BUILTIN_FIELDS = frozenset(_BUILTINS)


def fact_names(kind: str) -> set[str]:
    """The facts registered for ``kind`` (and for every kind)."""
    return {name for (fact_kind, name) in _FACTS if fact_kind in (kind, "*")}


def fact(kind: str, name: str) -> Callable[[FactFn], FactFn]:
    """Register a derived fact, readable by rules as ``$resource.<name>``."""

    def register(fn: FactFn) -> FactFn:
        _FACTS[(kind, name)] = fn
        return fn

    return register


class Model:
    def __init__(self, resources: Iterable[Resource] = (), diagnostics: Iterable[Diagnostic] = ()):
        import analyzer.knowledge  # noqa: F401  (registers the facts this model answers)

        self.resources: list[Resource] = []
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self._by_key: dict[str, Resource] = {}
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_identity: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        self._fact_cache: dict[tuple[int, str], Any] = {}
        self._computing: set[tuple[int, str]] = set()
        for resource in resources:
            self.add(resource)

    # -- building -------------------------------------------------------------
    def add(self, resource: Resource) -> Resource:
        self.resources.append(resource)
        self._by_key[resource.key] = resource
        self._by_kind[resource.kind].append(resource)
        for alias in resource.aliases:
            self._by_identity[(resource.kind, alias)].append(resource)
        for name, prefix in resource.identity_fields:
            value = resource.fields.get(name)
            text = None if isinstance(value, str) else identity_text(value)
            if text:  # a name with holes that are one resource attribute or one symbol
                self._by_identity[(resource.kind, text)].append(resource)
                if prefix:
                    self._by_identity[(resource.kind, prefix + text)].append(resource)
        return resource

    def add_identity(self, resource: Resource, identity: Any) -> None:
        """Let a literal (name, ID, ARN) found in other resources name this one."""
        if isinstance(identity, str) and identity:
            self._by_identity[(resource.kind, identity)].append(resource)

    # -- queries --------------------------------------------------------------
    def of_kind(self, *kinds: str) -> list[Resource]:
        return [r for kind in kinds for r in self._by_kind.get(kind, ())]

    def get(self, key: str) -> Resource | None:
        return self._by_key.get(key)

    def attr(self, resource: Resource, name: str) -> Any:
        """A field, a followed link, or a derived fact of ``resource``."""
        if name in _BUILTINS:
            return getattr(resource, name)
        if name in resource.fields:
            target_kind = LINKS.get(resource.kind, {}).get(name)
            value = resource.fields[name]
            return value if target_kind is None else self.follow(value, target_kind, origin=resource)
        fn = _FACTS.get((resource.kind, name)) or _FACTS.get(("*", name))
        if fn is None:
            return None
        return self._fact(resource, name, fn)

    def _fact(self, resource: Resource, name: str, fn: FactFn) -> Any:
        cache_key = (id(resource), name)
        if cache_key in self._fact_cache:
            return self._fact_cache[cache_key]
        if cache_key in self._computing:  # a fact that needs itself is not knowable
            return Unknown(f"{resource.address}.{name} depends on itself")
        self._computing.add(cache_key)
        try:
            value = fn(self, resource)
        finally:
            self._computing.discard(cache_key)
        self._fact_cache[cache_key] = value
        return value

    def follow(self, value: Any, kind: str, _seen: frozenset[str] = frozenset(), origin: Resource | None = None) -> Any:
        """Resolve a link value to the resource(s) of ``kind`` it names. ``origin`` is the
        resource the value is written in: a literal name is looked up nearest to it."""
        if value is None:
            return None
        if isinstance(value, EachOf):
            return value.like(self.follow(item, kind, _seen, origin) for item in value)
        if isinstance(value, (list, tuple)):
            return [self.follow(item, kind, _seen, origin) for item in value]
        if isinstance(value, Resource):
            return value
        if isinstance(value, Ref):
            return self._follow_ref(value, kind, _seen, origin)
        if isinstance(value, PartialStr):
            text = identity_text(value)
            if text is not None and self._named(text, kind):
                return self._follow_identity(text, kind, value, origin)
            return self._follow_identity(value.text("*"), kind, value, origin)
        if isinstance(value, Encoded):  # base64 or gzip of a value is never a name or an ID
            return Unknown(f"{value.reason} does not name a {kind}", getattr(value.inner, "origin", None))
        if isinstance(value, OneOf) and value.candidates:
            return self._follow_one_of(value, kind, _seen, origin)
        if is_unknown(value):
            text = identity_text(value)
            if text is not None and self._named(text, kind):
                return self._follow_identity(text, kind, value, origin)
            return value
        if isinstance(value, str):
            return self._follow_identity(value, kind, value, origin)
        return Unknown(f"{value!r} does not name a {kind}")

    def _follow_one_of(self, value: OneOf, kind: str, seen: frozenset[str], origin: Resource | None) -> Any:
        """Unknown, but certainly one of its candidates: the resource every candidate names, or
        one of the resources they name; unknown as it stands when one of them names none."""
        followed = [self.follow(candidate, kind, seen, origin) for candidate in value.candidates]
        if not all(isinstance(item, Resource) for item in followed):
            return value
        if all(item is followed[0] for item in followed):
            return followed[0]
        return OneOf(value.reason, value.origin, candidates=tuple(followed))

    def _named(self, text: str, kind: str) -> bool:
        return any(self._by_identity.get((kind, identity)) for identity in _identity_candidates(text, kind))

    def _follow_ref(self, ref: Ref, kind: str, seen: frozenset[str], origin: Resource | None = None) -> Any:
        target = self._by_key.get(ref.target)
        if target is None:
            return Unknown(f"{_unscoped(ref.target)} is not in the analyzed files", ref.origin)
        if target.kind == kind:
            return target
        if ref.target in seen:  # a reference that leads back to itself names nothing
            return Unknown(f"{_unscoped(ref.target)}.{ref.attribute} is known only after apply", ref.origin)
        # An instance profile stands for its role where a role is wanted (the profile's own
        # identity only: a nested attribute such as vpc_config.0.cluster_security_group_id
        # names something else than the target's links).
        if target.kind == LOOKUP and target.get("looks_up") == kind and "." not in ref.attribute:
            by = target.get("name") if target.get("name") is not None else target.get("id")
            if by is None:  # found by filters or tags: which one is not known
                return Unknown(f"{target.address} finds its {kind} by filters, not by name or ID", ref.origin)
            return self.follow(by, kind, seen | {ref.target}, target)
        via = _REACH_THROUGH.get((target.kind, kind))
        if via is not None and "." not in ref.attribute:
            return self.follow(target.fields.get(via), kind, seen | {ref.target}, target)
        # an attribute of another kind of resource: its value exists only after apply
        return Unknown(f"{target.address}.{ref.attribute} is known only after apply", ref.origin)

    def _follow_identity(self, text: str, kind: str, original: Any, origin: Resource | None = None) -> Any:
        if not text.strip():  # an empty name (a parameter or variable set to "") names nothing
            return Unknown(f"the name of the {kind.rsplit('.', 1)[-1].replace('_', ' ')} is empty")
        for identity in _identity_candidates(text, kind):
            found = self._by_identity.get((kind, identity))
            if found:
                return _nearest(found, origin, text)
        if isinstance(original, Unknown):
            return original
        if isinstance(original, PartialStr):
            return Unknown(f"{original.text()} could not be resolved ({original.reason})")
        return Unknown(f"{text} is not defined in the analyzed files")


def _nearest(found: list[Resource], origin: Resource | None, text: str) -> Any:
    """The resource a literal names, seen from ``origin``: one in the same root wins; else
    the one whose root is nearest in the folder tree. Two copies of one stack each name
    their own resources; a tie between roots is ambiguous, hence unknown."""
    if len(found) == 1 or origin is None:
        return found[0]
    scores = [_shared_depth(candidate.root, origin.root) for candidate in found]
    best = max(scores)
    nearest = [candidate for candidate, score in zip(found, scores, strict=True) if score == best]
    roots = {candidate.root for candidate in nearest}
    if len(roots) > 1:
        names = ", ".join(sorted(_unscoped(c.key) + " in " + c.root for c in nearest)[:3])
        return Unknown(f"{text} names resources of several configurations ({names})")
    return nearest[0]


def _shared_depth(root: str, other: str) -> int:
    """How many leading path components two roots share (a root is as near as it gets)."""
    if root == other:
        return 1 << 16
    left, right = root.replace("\\", "/").split("/"), other.replace("\\", "/").split("/")
    depth = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        depth += 1
    return depth


_REACH_THROUGH = {("iam.instance_profile", "iam.role"): "role"}


def _unscoped(key: str) -> str:
    """A key as users write it: without the root-module or template scope."""
    return key.rsplit("#", 1)[-1]


def _identity_candidates(text: str, kind: str) -> list[str]:
    """A literal and the names it implies (an IAM ARN names a role by its last segment)."""
    candidates = [text]
    if text.startswith("arn:") and ":role/" in text and kind == "iam.role":
        candidates.append("role-name:" + text.rsplit("/", 1)[-1])
    if text.startswith("arn:") and ":instance-profile/" in text:
        candidates.append("profile-name:" + text.rsplit("/", 1)[-1])
    if text.startswith("arn:") and ":policy/" in text and kind == "iam.policy" and ":iam::aws:policy/" not in text:
        # a customer managed policy: IAM names are unique in an account, whatever the path
        candidates.append("policy-name:" + text.rsplit("/", 1)[-1])
    if text.startswith("arn:") and ":cluster/" in text and kind == "eks.cluster":
        candidates.append(text.rsplit("/", 1)[-1])
    return candidates
