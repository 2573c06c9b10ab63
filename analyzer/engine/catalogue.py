"""The rule catalogue: YAML files validated against the rule schema when loaded.

An invalid rule is a hard error naming the file and the path inside it, never a
warning: a rule that silently does not run is worse than no rule.

The shipped catalogue is schema-validated by the test suite (tests/test_catalogue.py), so
a run loads it with libyaml and skips the schema (0.4 s of every start-up otherwise); its
operator, predicate, ID and pattern checks, which are cheap, still run. Any other rule
directory is validated in full when loaded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from analyzer.engine.operators import OPERATORS
from analyzer.engine.predicates import PREDICATES
from analyzer.model.graph import BUILTIN_FIELDS, fact_names
from analyzer.model.kinds import FIELDS, LINKS


class RuleError(Exception):
    """A rule file that does not satisfy the rule schema."""


@dataclass(frozen=True)
class Rule:
    id: str
    spec: dict[str, Any]
    path: Path

    @property
    def severity(self) -> str:
        return self.spec["severity"]

    @property
    def title(self) -> str:
        return self.spec["title"]

    @property
    def check(self) -> dict[str, Any]:
        return self.spec["check"]

    @property
    def kinds(self) -> list[str]:
        kinds = self.check["for_each"]
        return [kinds] if isinstance(kinds, str) else list(kinds)

    @property
    def superseded_by(self) -> tuple[str, ...]:
        return tuple(self.spec.get("superseded_by", ()))

    @property
    def symptom(self) -> str:
        symptom = self.spec.get("symptom") or {}
        return next(iter(symptom.values()), "")

    @property
    def remediation(self) -> str:
        return self.spec["remediation"].strip()

    def remediation_for(self, framework: str) -> str:
        """The fix in the syntax of the finding's own format (Terraform, CloudFormation,
        eksctl, a Kubernetes manifest), or the shared text when the rule has none for it."""
        by_format = self.spec.get("remediation_by_format") or {}
        return " ".join((by_format.get(framework) or self.spec["remediation"]).split())


def rules_dir() -> Path:
    """Rules ship inside the wheel as analyzer/_rules; a source checkout has rules/."""
    packaged = resources.files("analyzer") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rules"


# libyaml's loader when PyYAML was built with it (about 20x faster); the same data either way.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator  # imported only when a schema check runs

    schema = json.loads((Path(__file__).with_name("rule.schema.json")).read_text())
    return Draft202012Validator(schema)


def load_rule(path: Path, *, validate: bool = True) -> Rule:
    """The rule in ``path``; ``validate=False`` skips the schema (for the tested, shipped catalogue)."""
    try:
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot read rule: {exc}") from exc
    if validate:
        _validate_schema(spec, path)
    elif not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
        raise RuleError(f"{path}: invalid rule at (top level): not a mapping with an id")
    if path.stem != spec["id"]:
        raise RuleError(f"{path}: file name must be the rule ID {spec['id']}")
    _check_references(spec, path)
    _check_field_paths(spec, path)
    _check_symptom_patterns(spec, path)
    return Rule(spec["id"], spec, path)


def _validate_schema(spec: Any, path: Path) -> None:
    errors = sorted(_validator().iter_errors(spec), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise RuleError(f"{path}: invalid rule at {where}: {error.message}")


def _check_symptom_patterns(spec: dict[str, Any], path: Path) -> None:
    """A symptom pattern that does not compile would never match: refuse it at load time."""
    for index, symptom in enumerate(spec.get("symptoms", ())):
        try:
            re.compile(symptom["pattern"], re.IGNORECASE)
        except re.error as exc:
            raise RuleError(f"{path}: invalid rule at symptoms/{index}/pattern: {exc}") from exc


def _check_references(spec: Any, path: Path) -> None:
    """Operators and predicates must exist: a typo is an error at load time, not a silent pass."""
    if isinstance(spec, dict):
        if "op" in spec and spec["op"] not in OPERATORS:
            raise RuleError(f"{path}: unknown operator {spec['op']!r}")
        if "predicate" in spec and spec["predicate"] not in PREDICATES:
            raise RuleError(f"{path}: unknown predicate {spec['predicate']!r}")
        for value in spec.values():
            _check_references(value, path)
    elif isinstance(spec, list):
        for value in spec:
            _check_references(value, path)


_SUBJECT_FIELD = re.compile(r"(?:\$|\{)subject\.([A-Za-z_][A-Za-z0-9_]*)")


def readable_names(kind: str) -> set[str]:
    """What a rule may read on a resource of ``kind``: its canonical fields, links, facts."""
    import analyzer.knowledge  # noqa: F401  (registers the facts)

    described = re.sub(r"\([^)]*\)", "", FIELDS.get(kind, ""))
    names = set(re.findall(r"[a-z_][a-z0-9_]*", described)) - {"and", "one", "of"}
    names |= set(LINKS.get(kind, {}))
    return names | fact_names(kind) | BUILTIN_FIELDS


def _check_field_paths(spec: dict[str, Any], path: Path) -> None:
    """Every ``$subject.<field>`` (and ``{subject.<field>}`` in messages) names something the
    subject's kinds have: a typo would otherwise read None and turn a failure into a pass."""
    kinds = spec["check"]["for_each"]
    kinds = [kinds] if isinstance(kinds, str) else kinds
    known = set().union(*(readable_names(kind) for kind in kinds))

    def visit(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                visit(item, f"{where}/{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, f"{where}/{index}")
        elif isinstance(value, str):
            for name in _SUBJECT_FIELD.findall(value):
                if name not in known:
                    raise RuleError(
                        f"{path}: invalid rule at {where.lstrip('/')}: {', '.join(kinds)} has no field, "
                        f"link or fact {name!r}"
                    )

    visit(spec["check"], "check")


def load_catalogue(directory: Path | None = None, *, validate: bool | None = None) -> list[Rule]:
    """Every rule of ``directory`` (default: the shipped catalogue).

    ``validate`` defaults to a full schema check for any directory but the shipped one,
    which the test suite validates (``validate=True``).
    """
    directory = directory or rules_dir()
    if validate is None:
        validate = directory.resolve() != rules_dir().resolve()
    return list(_load_catalogue(directory, validate))


@lru_cache(maxsize=8)
def _load_catalogue(directory: Path, validate: bool) -> tuple[Rule, ...]:
    import analyzer.knowledge  # noqa: F401  (registers predicates and facts)

    rules = [load_rule(path, validate=validate) for path in sorted(directory.glob("*.yaml"))]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(f"{rule.path}: duplicate rule ID {rule.id}")
        seen.add(rule.id)
    _check_precedence(rules)
    return tuple(rules)


def _check_precedence(rules: list[Rule]) -> None:
    """``superseded_by`` names rules of the catalogue, and no rule gives way to itself
    (directly or through others), or both findings of one defect would vanish."""
    by_id = {rule.id: rule for rule in rules}
    for rule in rules:
        for other in rule.superseded_by:
            if other not in by_id:
                raise RuleError(f"{rule.path}: invalid rule at superseded_by: no rule {other} in the catalogue")
        seen, pending = set(), list(rule.superseded_by)
        while pending:
            current = pending.pop()
            if current == rule.id:
                raise RuleError(f"{rule.path}: invalid rule at superseded_by: {rule.id} supersedes itself")
            if current not in seen:
                seen.add(current)
                pending.extend(by_id[current].superseded_by)
