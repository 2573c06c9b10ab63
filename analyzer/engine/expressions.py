"""Evaluation of a rule's values and conditions against the model."""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

from analyzer.engine import logic
from analyzer.engine.logic import Verdict
from analyzer.engine.operators import OPERATORS
from analyzer.engine.predicates import PREDICATES
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import OneOf, PartialStr, Unknown, describe, first_unknown, is_unknown

_SEGMENT = re.compile(r"\.([a-z_][a-z0-9_]*)|\[\*\]")


class Scope:
    """Bindings visible to a rule: $subject, let-values, quantifier variables."""

    def __init__(self, model: Model, bindings: dict[str, Any], lets: dict[str, Any] | None = None):
        self.model = model
        self.bindings = bindings
        self._lets = lets or {}

    def child(self, **bindings: Any) -> Scope:
        scope = Scope(self.model, {**self.bindings, **bindings}, self._lets)
        return scope

    def lookup(self, name: str) -> Any:
        if name in self.bindings:
            return self.bindings[name]
        if name in self._lets:  # let-values are computed on first use
            value = evaluate_value(self._lets[name], self)
            self.bindings[name] = value
            return value
        raise KeyError(f"${name} is not bound")


def evaluate_value(spec: Any, scope: Scope) -> Any:
    if isinstance(spec, str) and spec.startswith("$"):
        return resolve_path(spec, scope)
    if isinstance(spec, dict):
        if "const" in spec:
            return spec["const"]
        if "union" in spec:
            return _union([evaluate_value(item, scope) for item in spec["union"]])
        if "find" in spec:
            return _find(spec, scope)
        if "filter" in spec:
            return _filter(spec, scope)
        if "map" in spec:
            return _map(spec, scope)
        if "join" in spec:
            return _join(spec, scope)
        if "if" in spec:
            return _choose(spec, scope)
        if "text" in spec:
            return render(spec["text"], scope)
        if "resolved" in spec:
            return _resolved(spec, scope)
        if "unknown_reason" in spec:
            return _explained(spec, scope)
        if "first" in spec:
            return _first(evaluate_value(spec["first"], scope))
        if "predicate" in spec:
            args = {k: evaluate_value(v, scope) for k, v in spec.get("args", {}).items()}
            return PREDICATES[spec["predicate"]](scope.model, **args)
    if isinstance(spec, list):
        return [evaluate_value(item, scope) for item in spec]
    return spec


def resolve_path(ref: str, scope: Scope) -> Any:
    head, _, _rest = ref[1:].partition(".")
    head = head.split("[", 1)[0]
    value = scope.lookup(head)
    tail = ref[1 + len(head) :]
    for match in _SEGMENT.finditer(tail):
        if match.group(1):
            value = step(scope.model, value, match.group(1))
    return value


def step(model: Model, value: Any, name: str) -> Any:
    """``value.name`` where value is a resource, a mapping, or a list of them."""
    if isinstance(value, Resource):
        return model.attr(value, name)
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, list):
        return _flatten([step(model, item, name) for item in value])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return getattr(value, name, None)  # e.g. a decoded user-data view
    if isinstance(value, Unknown):
        return value
    return None


def _flatten(values: list) -> list:
    out: list = []
    for item in values:
        if isinstance(item, list):
            out.extend(item)
        elif item is not None:
            out.append(item)
    return out


def _union(values: list) -> list:
    out: list = []
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if item is not None and not any(item is seen for seen in out):
                out.append(item)
    return out


def _find(spec: dict, scope: Scope) -> list:
    found = []
    for resource in scope.model.of_kind(spec["find"]):
        inner = scope.child(it=resource)
        if "where" in spec and not evaluate_condition(spec["where"], inner).is_true:
            continue
        found.append(resolve_path(spec["select"], inner) if "select" in spec else resource)
    return found


def _filter(spec: dict, scope: Scope) -> list | Unknown:
    """The items for which ``where`` holds (each bound as ``as``). When none is known to hold
    and some item, or its condition, is unknown, the result is that Unknown: it may be empty.

    With ``unknown: keep`` the result is every item that may be in it: an item whose condition
    is unknown stays as that Unknown, and a kept resource that stands for each of an unknown
    number of instances is followed by an Unknown (it may be several), so a count over the
    result (``length_gte``) is true, false or unknown."""
    items = _items(spec, "filter", scope)
    if isinstance(items, Unknown):
        return items
    keep = spec.get("unknown") == "keep"
    kept: list = []
    hole: Unknown | None = None
    for item in items:
        if isinstance(item, Unknown):
            hole = item if hole is None else hole
            if keep:
                kept.append(item)
            continue
        verdict = evaluate_condition(spec["where"], scope.child(**{spec["as"]: item}))
        if verdict.is_true:
            kept.append(item)
            if keep and isinstance(item, Resource) and item.stands_for_each:
                kept.append(Unknown(f"{item.address} may be several: {item.stands_for_each}"))
        elif verdict.is_unknown:
            hole = Unknown(verdict.reason) if hole is None else hole
            if keep:
                kept.append(Unknown(verdict.reason))
    if kept or hole is None:
        return kept
    return hole


def _map(spec: dict, scope: Scope) -> list | Unknown:
    """``{map: <list>, as: item, let: {...}, to: <value>}``: the value for each item (each
    bound as ``as``, with ``let`` values of its own), in order. An Unknown list stays that
    Unknown; an Unknown item stays itself."""
    items = _items(spec, "map", scope)
    if isinstance(items, Unknown):
        return items
    name, lets = spec["as"], spec.get("let") or {}
    return [
        item if isinstance(item, Unknown) else evaluate_value(spec["to"], _item_scope(scope, name, item, lets))
        for item in items
    ]


def _join(spec: dict, scope: Scope) -> str | Unknown:
    """``{join: <list>, separator: <text>}``: the items as text (resources by address),
    joined by the separator: a list of phrases (``map`` to ``text``) as one part of a sentence."""
    items = _items(spec, "join", scope)
    if isinstance(items, Unknown):
        return items
    return spec["separator"].join(display(item) for item in items)


def _item_scope(scope: Scope, name: str, item: Any, lets: dict[str, Any]) -> Scope:
    """The scope of one item: the item bound as ``name``, and ``lets`` computed for it."""
    if not lets:
        return scope.child(**{name: item})
    bindings = {key: value for key, value in scope.bindings.items() if key not in lets}
    return Scope(scope.model, {**bindings, name: item}, {**scope._lets, **lets})


def _choose(spec: dict, scope: Scope) -> Any:
    """``{if: <condition>, then: <value>, else: <value>, unknown: <value>}``.

    Only the branch the condition chooses is evaluated. When the condition is unknown, the
    ``unknown`` value is taken if given; otherwise both branches are evaluated: if they are
    known and the same, the choice does not matter and that is the value; else the value is
    the first branch's Unknown, or, when both are known but differ, the condition's."""
    verdict = evaluate_condition(spec["if"], scope)
    if verdict.is_true:
        return evaluate_value(spec["then"], scope)
    if verdict.is_false:
        return evaluate_value(spec.get("else"), scope)
    if "unknown" in spec:
        return evaluate_value(spec["unknown"], scope)
    chosen, other = evaluate_value(spec["then"], scope), evaluate_value(spec.get("else"), scope)
    hole = next((v for v in (chosen, other) if isinstance(v, Unknown)), None)
    if hole is not None:
        return hole
    if chosen is other or (not isinstance(chosen, Resource) and chosen == other):
        return chosen
    return Unknown(verdict.reason)


def _first(items: Any) -> Any:
    """``{first: <list>}``: its first item, None for an empty list; an Unknown stays itself."""
    if isinstance(items, list):
        return items[0] if items else None
    return items


def _explained(spec: dict, scope: Scope) -> Any:
    """``{value: <value>, unknown_reason: <template>}``: the value, or when it or an item of it
    is not known, an Unknown whose reason is the template (a setting that is not known, told as
    such); the template may name ``{reason}``, why the value (or that item) is not known."""
    value = evaluate_value(spec["value"], scope)
    hole = first_unknown(value) if isinstance(value, list) else None
    if is_unknown(value) or hole is not None:
        cause = hole if hole is not None else value
        reason = getattr(cause, "reason", None) or describe(cause)
        return Unknown(render(spec["unknown_reason"], scope.child(reason=reason)))
    return value


def _resolved(spec: dict, scope: Scope) -> Any:
    """``{resolved: <value>, unknown_reason: <template>}``: the resource the value names, or
    when it names none of the analyzed files (not set, an external ID, not known) an Unknown
    whose reason is the template: a link a check must follow to decide."""
    value = evaluate_value(spec["resolved"], scope)
    if isinstance(value, Resource):
        return value
    return Unknown(render(spec["unknown_reason"], scope))


# -- conditions -------------------------------------------------------------


def evaluate_condition(spec: dict, scope: Scope) -> Verdict:
    if "all" in spec:
        return _lazy_all(spec["all"], scope)
    if "any" in spec:
        return _lazy_any(spec["any"], scope)
    if "in_order" in spec:
        return _in_order(spec["in_order"], scope)
    if "not" in spec:
        return logic.negation(evaluate_condition(spec["not"], scope))
    if "every" in spec:
        return _every(spec, scope)
    if "some" in spec:
        return _some(spec, scope)
    return _compare(spec, scope)


def _lazy_all(specs: list, scope: Scope) -> Verdict:
    verdicts = []
    for spec in specs:
        verdict = evaluate_condition(spec, scope)
        if verdict.is_false:
            return verdict
        verdicts.append(verdict)
    return logic.conjunction(verdicts)


def _in_order(specs: list, scope: Scope) -> Verdict:
    """Each condition is asked only when those before it hold: the first that does not hold,
    false or unknown, decides (a check that only means something once another one passed)."""
    verdicts = []
    for spec in specs:
        verdict = evaluate_condition(spec, scope)
        if not verdict.is_true:
            return verdict
        verdicts.append(verdict)
    return logic.conjunction(verdicts)


def _lazy_any(specs: list, scope: Scope) -> Verdict:
    verdicts = []
    for spec in specs:
        verdict = evaluate_condition(spec, scope)
        if verdict.is_true:
            return verdict
        verdicts.append(verdict)
    return logic.disjunction(verdicts)


def _items(spec: dict, key: str, scope: Scope) -> list | Unknown:
    items = evaluate_value(spec[key], scope)
    if isinstance(items, Unknown):
        return items
    if items is None:
        return []
    return items if isinstance(items, list) else [items]


def _every(spec: dict, scope: Scope) -> Verdict:
    return _quantify(spec, "every", scope, logic.conjunction)


def _some(spec: dict, scope: Scope) -> Verdict:
    return _quantify(spec, "some", scope, logic.disjunction)


def _quantify(spec: dict, key: str, scope: Scope, combine) -> Verdict:
    """``every``/``some``: the condition per item, each verdict carrying its item as witness."""
    items = _items(spec, key, scope)
    if isinstance(items, Unknown):
        return logic.unknown(items.reason)
    name = spec["as"]
    verdicts = []
    for item in items:
        if _one_of_resources(item):
            verdicts.append(_shared_verdict(spec["that"], scope, name, item))
            continue
        if isinstance(item, Unknown):
            verdicts.append(logic.unknown(item.reason, **{name: item}))
            continue
        verdict = evaluate_condition(spec["that"], scope.child(**{name: item}))
        verdict.bindings.setdefault(name, item)
        verdicts.append(verdict)
    return combine(verdicts)


def _one_of_resources(item: Any) -> bool:
    return isinstance(item, OneOf) and bool(item.candidates) and all(isinstance(c, Resource) for c in item.candidates)


def _shared_verdict(condition: Any, scope: Scope, name: str, item: OneOf) -> Verdict:
    """An item that is one of several resources: the verdict all of them share, else unknown."""
    each = []
    for candidate in item.candidates:
        verdict = evaluate_condition(condition, scope.child(**{name: candidate}))
        verdict.bindings.setdefault(name, candidate)
        each.append(verdict)
    if all(v.is_true for v in each) or all(v.is_false for v in each):
        return each[0]
    unknown = next((v for v in each if v.is_unknown), None)
    return unknown if unknown is not None else logic.unknown(item.reason, **{name: item})


def _compare(spec: dict, scope: Scope) -> Verdict:
    value = evaluate_value(spec["value"], scope)
    arg = evaluate_value(spec.get("arg"), scope)
    result = OPERATORS[spec["op"]](value, arg)
    if isinstance(result, Unknown):
        return logic.unknown(result.reason)
    return Verdict(bool(result))


# -- messages ---------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)(\|setting|\|assignment)?\}")
_TOOL_NAMES = {"terraform": "Terraform", "cloudformation": "CloudFormation", "eksctl": "eksctl"}


# The nouns a template may put before a placeholder ("node role {role}"): a value that is not
# known reads "the node role", and a resource eksctl creates is not named twice.
_NOUNS = ("node role", "cluster role", "launch template", "security group", "subnets", "subnet", "VPC", "role")
_NOUN_PLACEHOLDER = re.compile(
    r"(?P<the>\bthe )?\b(?P<noun>" + "|".join(_NOUNS) + r") (?P<placeholder>" + _PLACEHOLDER.pattern + r")"
    r"(?P<of> of \{subject\.address\})?"
)
_CREATED = re.compile(r"^(?P<owner>.+?) (?P<noun>[^()]+) \(created by (?P<tool>\w+)\)$")


def render(template: str, scope: Scope) -> str:
    """Fill ``{binding.field}`` placeholders; resources render as their address.

    ``{x.field|setting}`` also says when the value is the tool's default, because users
    rarely know that an attribute they never wrote has a value that breaks nodes.
    A message reads as a sentence: a value that is not known after a noun is "the <noun>"
    (the reason is told apart), and a resource created by a tool for its owner is not named
    with the noun twice.
    """
    template = _fragments(template, scope)
    template = _NOUN_PLACEHOLDER.sub(lambda match: _noun_phrase(match, scope), template)

    def substitute(match: re.Match) -> str:
        try:
            value = resolve_path("$" + match.group(1), scope)
        except KeyError:
            return match.group(0)
        text = display(value)
        if match.group(2) == "|assignment":
            return _assignment(match.group(1), text, scope)
        if match.group(2):
            text += _default_note(match.group(1), scope)
        return text

    return _PLACEHOLDER.sub(substitute, template)


_FRAGMENT = re.compile(r"\{([?!])([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*):")


def _fragments(template: str, scope: Scope) -> str:
    """``{?name:text}`` is ``text`` when ``name`` has a value and nothing otherwise;
    ``{!name:text}`` the reverse. "Has a value" means set, not empty, not false and known, so
    an optional part of a sentence vanishes with the value it is about. The text runs to the
    matching brace and may hold placeholders and fragments of its own."""
    out, position = [], 0
    for match in _FRAGMENT.finditer(template):
        if match.start() < position:
            continue  # inside a fragment already taken
        end = _closing_brace(template, match.end())
        if end < 0:
            break
        out.append(template[position : match.start()])
        try:
            shown = _has_value(resolve_path("$" + match.group(2), scope))
        except KeyError:
            shown = False
        if shown == (match.group(1) == "?"):
            out.append(_fragments(template[match.end() : end], scope))
        position = end + 1
    out.append(template[position:])
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            if depth == 0:
                return index
            depth -= 1
    return -1


def _has_value(value: Any) -> bool:
    if value is None or value is False or isinstance(value, Unknown):
        return False
    return not (isinstance(value, (list, dict, str)) and not value)


def message_template(spec: Any, scope: Scope) -> str:
    """A rule's message: a template, or ``{if: <condition>, then: <message>, else: <message>,
    unknown: <message>}`` choosing one (an unknown condition takes ``unknown``, else ``else``)."""
    while isinstance(spec, dict):
        verdict = evaluate_condition(spec["if"], scope)
        if verdict.is_true:
            spec = spec["then"]
        elif verdict.is_unknown and "unknown" in spec:
            spec = spec["unknown"]
        else:
            spec = spec.get("else", "")
    return spec


def message_texts(spec: Any) -> list[str]:
    """Every template a message may choose (for checks over a rule's wording)."""
    if isinstance(spec, dict):
        return [text for key in ("then", "else", "unknown") if key in spec for text in message_texts(spec[key])]
    return [spec] if isinstance(spec, str) else []


def _noun_phrase(match: re.Match, scope: Scope) -> str:
    """``node role {role} of {subject.address}`` when ``role`` is unknown, or is the role
    eksctl creates for the subject; anything else is left for the placeholder pass."""
    noun, of = match.group("noun"), match.group("of") or ""
    placeholder = _PLACEHOLDER.fullmatch(match.group("placeholder"))
    try:
        value = resolve_path("$" + placeholder.group(1), scope)
    except KeyError:
        return match.group(0)
    if isinstance(value, Unknown) and placeholder.group(2) is None:
        return f"the {noun}{of}"
    created = _CREATED.match(value.address) if isinstance(value, Resource) else None
    if created is None or created.group("noun") != noun:
        return match.group(0)
    owner, tool = created.group("owner"), created.group("tool")
    subject = scope.bindings.get("subject")
    if of and isinstance(subject, Resource) and subject.address == owner:
        of = ""  # "the node role eksctl creates for X", not "... for X of X"
    return f"the {noun} {tool} creates for {owner}{of}"


def _assignment(path: str, text: str, scope: Scope) -> str:
    """``EnableDnsSupport: false`` / ``enable_dns_support = false``: the setting as the user
    wrote it (or would write it), in their format's syntax, with a note if it is a default."""
    owner_path, _, field = path.rpartition(".")
    try:
        owner = resolve_path("$" + owner_path, scope) if owner_path else None
    except KeyError:
        owner = None
    if not isinstance(owner, Resource):
        return f"{field} = {text}"
    name = owner.source_names.get(field, field)
    separator = " = " if owner.framework == "terraform" else ": "
    return f"{name}{separator}{text}{_default_note(path, scope)}"


def _default_note(path: str, scope: Scope) -> str:
    owner_path, _, field = path.rpartition(".")
    try:
        owner = resolve_path("$" + owner_path, scope) if owner_path else None
    except KeyError:
        return ""
    if isinstance(owner, Resource) and owner.is_default(field):
        tool = _TOOL_NAMES.get(owner.framework, owner.framework)
        return f", not set: the {tool} default"
    return ""


def display(value: Any) -> str:
    """Resources by address, unresolved values as such (their reason is told separately)."""
    if isinstance(value, Resource):
        return value.address
    if isinstance(value, list):
        return ", ".join(display(v) for v in value) or "none"
    if isinstance(value, Unknown):
        return "(unresolved)"
    if isinstance(value, PartialStr):
        return repr(value.text("…"))
    return value if isinstance(value, str) else describe(value)


def unknown_sentence(what: str, reason: str, names: Any) -> str:
    """``could not verify <what>: <reason>``, naming each resource once.

    Facts give reasons that stand on their own ("the Kubernetes version of ControlPlane is not
    known (parameter ...)"); after a ``what`` that already names the resource they would say
    it twice. A reason that only restates ``what`` as not known gives way to its cause, and
    "the <thing> of <name>" for a name ``what`` already holds becomes "its <thing>" ("a <thing>
    of <name>": "one of its <things>"), and the
    name as the subject of a clause ("<name> uses ...") becomes "it".
    """
    cause = _restated_cause(what, reason)
    if cause is not None and _balanced(cause):
        reason = cause
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        if name not in what or name not in reason:  # nothing to rewrite: spare compiling its patterns
            continue
        token, rewrites = _name_rewrites(name)
        if not token.search(what):
            continue
        for pattern, replacement in rewrites:
            reason = pattern.sub(replacement, reason)
    return f"could not verify {what}: {reason}"


_WORD = r"(?!(?:of|the|an?|in|on|for)\b)[\w-]+"


def _restated_cause(what: str, reason: str) -> str | None:
    """The cause in "<what> is (are) not known (<cause>)", or None."""
    if not reason.endswith(")"):
        return None
    for verb in ("is", "are"):
        opening = f"{what} {verb} not known ("
        if reason.startswith(opening) and len(reason) > len(opening):
            return reason[len(opening) : -1]
    return None


@functools.lru_cache(maxsize=4096)
def _name_rewrites(name: str) -> tuple[re.Pattern, tuple[tuple[re.Pattern, Any], ...]]:
    """The patterns ``unknown_sentence`` applies for one name, compiled once per name (there
    are hundreds of names a run, beyond what the re module's own cache keeps)."""
    token = _name_token(name)
    thing = rf"((?:{_WORD} ){{0,3}}{_WORD})"
    rewrites = (
        (re.compile(rf"\bthe {thing} (?:of|associated with) {token.pattern}"), r"its \1"),
        (re.compile(rf"\b[Aa]n? {thing} of {token.pattern}"), lambda m: f"one of its {_plural(m.group(1))}"),
        (re.compile(rf"\bwhether {token.pattern}"), "whether it"),
        (re.compile(rf"(^|\(|; ){token.pattern}(?= [\w -]+ \(created by \w+\))"), r"\1its"),
        (re.compile(rf"(^|\(|; ){token.pattern}(?= [a-z]+s\b)"), r"\1it"),
    )
    return token, rewrites


def _plural(noun: str) -> str:
    return noun + ("es" if noun.endswith(("s", "x", "sh", "ch")) else "s")


def _name_token(name: str) -> re.Pattern:
    """A resource address as a whole word: not part of a longer address."""
    return re.compile(rf"(?<![\w.\[\]\"'-]){re.escape(name)}(?![\w\[\"'-]|\.\w)")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def resource_names(scope: Scope) -> list[str]:
    """The addresses of the resources bound in a scope (the ones a message may name)."""
    names = []
    for value in scope.bindings.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Resource):
                names.append(item.address)
    return names
