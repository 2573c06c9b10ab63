"""Fixture cases: fixtures/<RULE-ID>/<framework>/<outcome>_<case>/.

A case is a directory (joins span files). Expectations:
* the case prefix — fail_, pass_, unknown_, skip_ — is the rule's outcome for the case;
* `# expect: RULE-ID [severity]` on the line before a line where that rule must report;
* `# ok: RULE-ID` on the line before a line where it must not;
* `expected.yaml` for files without comments (JSON):
      findings: [{file: template.json, line: 12, severity: error}]
* `reason: TEXT` in `expected.yaml` for unknown_ cases (required): the unresolved value the
  case is about; some unknown outcome of the rule must name it in its reason;
* `options.yaml` for analyzer options: {vars: {..}, var_files: [..], cfn_params: {..},
  cfn_params_file: params.json}, and `load_findings: [LOAD-006]` for the load findings the
  case must produce (a case without it must load cleanly); an entry may be a mapping
  `{id: LOAD-004, severity: error, line: 7}` for a finding that must be there as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

OUTCOMES = ("fail", "pass", "unknown", "skip")
FRAMEWORKS = ("terraform", "cloudformation", "eksctl", "kubernetes")
_ANNOTATION = re.compile(r"(?:#|//)\s*(expect|ok):\s*([A-Z0-9\-]+)(?:\s+(error|warning|info))?")


@dataclass
class Expectation:
    file: str  # relative to the case directory
    line: int
    severity: str | None = None


@dataclass
class Case:
    rule_id: str
    framework: str
    outcome: str
    path: Path
    expect: list[Expectation] = field(default_factory=list)
    ok: list[Expectation] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    reason: str | None = None

    @property
    def id(self) -> str:
        return f"{self.rule_id}/{self.framework}/{self.path.name}"


def discover_cases(root: Path) -> list[Case]:
    cases = []
    for case_dir in sorted(root.glob("*/*/*")):
        if not case_dir.is_dir():
            continue
        rule_id, framework = case_dir.parent.parent.name, case_dir.parent.name
        outcome = case_dir.name.split("_", 1)[0]
        cases.append(_read_case(Case(rule_id, framework, outcome, case_dir)))
    return cases


def _read_case(case: Case) -> Case:
    for file in sorted(case.path.rglob("*")):
        if not file.is_file() or file.name in ("expected.yaml", "options.yaml"):
            continue
        relative = file.relative_to(case.path).as_posix()
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        for number, text in enumerate(lines, start=1):
            match = _ANNOTATION.search(text)
            if match and match.group(2) == case.rule_id:
                target = case.expect if match.group(1) == "expect" else case.ok
                target.append(Expectation(relative, number + 1, match.group(3)))
    expected = case.path / "expected.yaml"
    if expected.exists():
        data = yaml.safe_load(expected.read_text()) or {}
        for item in data.get("findings", []):
            case.expect.append(Expectation(item["file"], item["line"], item.get("severity")))
        case.reason = data.get("reason")
    options = case.path / "options.yaml"
    if options.exists():
        case.options = yaml.safe_load(options.read_text()) or {}
    return case
