"""Print the architecture counts: how much of the verdict logic still lives in Python.

    python scripts/architecture_counts.py

- rules whose verdict is one predicate asserted ``absent`` (per area), that is a rule whose
  ``assert`` is ``{value: $x, op: absent}`` where ``$x`` is bound to a single predicate call;
- rules whose message is written by Python (``{problem.text}`` or a bare predicate value);
- rule IDs named in Python under analyzer/ (``grep -c 'EKS-[A-Z]*-[0-9]'``);
- lines in analyzer/knowledge;
- predicates and how many rules use each; operators no rule uses.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _walk(value, found):
    if isinstance(value, dict):
        if "op" in value:
            found["ops"].add(value["op"])
        if "predicate" in value:
            found["predicates"].append(value["predicate"])
        for item in value.values():
            _walk(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found)


def _single_predicate_absent(check: dict) -> bool:
    assertion = check.get("assert")
    if not isinstance(assertion, dict) or assertion.get("op") != "absent":
        return False
    value = assertion.get("value")
    if not isinstance(value, str) or not value.startswith("$"):
        return False
    bound = (check.get("let") or {}).get(value[1:].split(".", 1)[0])
    return isinstance(bound, dict) and "predicate" in bound


def main() -> int:
    from analyzer.engine.operators import OPERATORS

    rules = sorted((ROOT / "rules").glob("*.yaml"))
    per_area: Counter = Counter()
    python_message: list[str] = []
    used_ops: set = set()
    predicate_uses: Counter = Counter()
    for path in rules:
        spec = yaml.safe_load(path.read_text())
        check = spec.get("check") or {}
        found = {"ops": set(), "predicates": []}
        _walk(check, found)
        used_ops |= found["ops"]
        predicate_uses.update(set(found["predicates"]))
        area = spec["id"].split("-")[1]
        if _single_predicate_absent(check):
            per_area[area] += 1
        text = yaml.safe_dump(check)
        if re.search(r"\{problem(\.text)?[}|]", text):
            python_message.append(spec["id"])
    print(f"rules: {len(rules)}")
    print(f"rules whose verdict is one predicate asserted absent: {sum(per_area.values())}")
    for area, count in sorted(per_area.items()):
        print(f"  {area}: {count}")
    print(f"rules whose message is a predicate's text ({{problem...}}): {len(python_message)}")
    grep = subprocess.run(
        ["grep", "-rc", "--include=*.py", r"EKS-[A-Z]*-[0-9]", str(ROOT / "analyzer")],
        capture_output=True,
        text=True,
    )
    ids = sum(int(line.rsplit(":", 1)[1]) for line in grep.stdout.splitlines())
    print(f"lines naming a rule ID in analyzer/*.py: {ids}")
    lines = sum(len(p.read_text().splitlines()) for p in (ROOT / "analyzer/knowledge").glob("*.py"))
    print(f"lines in analyzer/knowledge: {lines}")
    import analyzer.knowledge  # noqa: F401
    from analyzer.engine.predicates import PREDICATES

    single = sum(1 for name in PREDICATES if predicate_uses[name] == 1)
    unused_predicates = sorted(name for name in PREDICATES if predicate_uses[name] == 0)
    print(f"predicates: {len(PREDICATES)}, used by one rule: {single}, by none: {len(unused_predicates)}")
    unused = sorted(set(OPERATORS) - used_ops)
    print(f"operators: {len(OPERATORS)}, unused: {len(unused)} ({', '.join(unused)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
