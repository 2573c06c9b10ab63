"""Rule documentation (ruff-style: what it does, why it matters, how to fix) and
symptom search for `eksjoin explain`."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from analyzer.engine.catalogue import Rule

_PLACEHOLDER = re.compile(r"<[^>]*>")


def _prose(text: str) -> str:
    return " ".join(text.split())


def _symptoms(rule: Rule) -> dict[str, str]:
    return dict(rule.spec.get("symptom") or {})


_FORMAT_NAMES = {
    "terraform": "Terraform",
    "cloudformation": "CloudFormation",
    "eksctl": "eksctl",
    "kubernetes": "Kubernetes",
}


def _by_format(rule: Rule) -> list[tuple[str, str]]:
    by_format = rule.spec.get("remediation_by_format") or {}
    return [(name, by_format[name]) for name in _FORMAT_NAMES if name in by_format]


def render(rules: Iterable[Rule], output_format: str, full: bool) -> str:
    rules = list(rules)
    if output_format == "json":
        return json.dumps([r.spec for r in rules], indent=2) + "\n"
    if output_format == "markdown":
        return "\n".join(_markdown(r) for r in rules)
    if not full:
        width = max((len(r.id) for r in rules), default=0)
        return "".join(f"{r.id:<{width}}  {r.severity:<7}  {r.title}\n" for r in rules)
    return "\n".join(_text(r) for r in rules)


def _text(rule: Rule) -> str:
    spec = rule.spec
    lines = [
        f"{rule.id} — {spec['title']}",
        f"severity: {spec['severity']}   category: {spec['category']}   formats: {', '.join(spec['frameworks'])}",
        "",
        "What it checks:",
        f"  {_prose(spec['summary'])}",
        "",
        "Why nodes fail:",
        f"  {_prose(spec['rationale'])}",
        "",
    ]
    symptoms = _symptoms(rule)
    if symptoms:
        lines.append("What you will see:")
        lines += [f"  {where}: {text}" for where, text in symptoms.items()]
        lines.append("")
    lines += ["How to fix:", f"  {_prose(spec['remediation'])}"]
    lines += [f"  {_FORMAT_NAMES[name]}: {_prose(text)}" for name, text in _by_format(rule)]
    if spec.get("superseded_by"):
        lines += ["", f"Gives way to {', '.join(spec['superseded_by'])} when that rule reports the same resource."]
    if spec.get("sources"):
        lines += ["", "Sources:"] + [f"  {s}" for s in spec["sources"]]
    return "\n".join(lines) + "\n"


def _markdown(rule: Rule) -> str:
    spec = rule.spec
    lines = [
        f"## {rule.id}",
        "",
        f"**{spec['title']}** — severity `{spec['severity']}`, "
        f"category `{spec['category']}`, formats: {', '.join(spec['frameworks'])}",
        "",
        "### What it does",
        "",
        _prose(spec["summary"]),
        "",
        "### Why is this bad?",
        "",
        _prose(spec["rationale"]),
        "",
    ]
    symptoms = _symptoms(rule)
    if symptoms:
        lines += ["### Symptoms", ""] + [f"- {where}: `{text}`" for where, text in symptoms.items()]
        lines.append("")
    lines += ["### How to fix", "", _prose(spec["remediation"]), ""]
    if _by_format(rule):
        lines += [f"- {_FORMAT_NAMES[name]}: {_prose(text)}" for name, text in _by_format(rule)] + [""]
    if spec.get("superseded_by"):
        owners = " or ".join(f"[{i}](#{i.lower()})" for i in spec["superseded_by"])
        lines += [f"When {owners} reports the same resource, this rule gives way to it (one defect, one finding).", ""]
    if spec.get("sources"):
        lines += ["### Sources", ""] + [f"- <{s}>" for s in spec["sources"]] + [""]
    return "\n".join(lines)


_WORD = re.compile(r"[a-z0-9_*.:/-]+")
MIN_MATCHING_WORDS = 3


def _words(text: str) -> list[str]:
    return [w.strip(".:") for w in _WORD.findall(text.lower()) if w.strip(".:")]


def _fragments(symptom: str) -> list[list[str]]:
    """Word runs of a documented symptom, split at placeholders and alternatives."""
    pieces = []
    for alternative in re.split(r"\s/\s|;", symptom):
        pieces += [_words(p) for p in _PLACEHOLDER.split(alternative)]
    return [p for p in pieces if p]


def _longest_common_run(fragment: list[str], line: list[str]) -> int:
    matcher = difflib.SequenceMatcher(None, fragment, line, autojunk=False)
    return matcher.find_longest_match(0, len(fragment), 0, len(line)).size


def rules_for_symptom(rules: Iterable[Rule], log_line: str) -> list[Rule]:
    """Rules that explain the log line, most likely first."""
    return [match.rule for match in explain(rules, log_line)]


@dataclass
class Match:
    rule: Rule
    score: int
    reason: str  # why this rule explains the line


# Managed node group health codes that no configuration check can explain: what they mean instead
OUTSIDE_THE_FILES = {
    "InstanceLimitExceeded": "the AWS account reached its EC2 instance quota; request a quota increase",
    "InsufficientInstanceCapacity": "EC2 has no capacity for the instance type in that Availability Zone right now",
    "Ec2SecurityGroupNotFound": "a security group the node group was created with was deleted outside the configuration",
    "Ec2LaunchTemplateNotFound": "the node group's launch template was deleted outside the configuration",
}


def outside_the_files(log_line: str) -> list[tuple[str, str]]:
    return [(code, meaning) for code, meaning in OUTSIDE_THE_FILES.items() if code.lower() in log_line.lower()]


# an explicit pattern outranks any word overlap with a documented symptom
_PATTERN_SCORE = 1000


def explain(rules: Iterable[Rule], log_line: str) -> list[Match]:
    """Rank rules for a log line or error message: the rules' explicit ``symptoms`` patterns
    first (by the length of the text they match), then rules whose documented symptom shares
    a run of words with the line; each match says why."""
    line = _words(log_line)
    matches = []
    for rule in rules:
        match = _pattern_match(rule, log_line) or _word_match(rule, line)
        if match is not None:
            matches.append(match)
    severity = {"error": 0, "warning": 1, "info": 2}
    return sorted(matches, key=lambda m: (-m.score, severity[m.rule.severity], m.rule.id))


def _pattern_match(rule: Rule, log_line: str) -> Match | None:
    best = None
    for symptom in rule.spec.get("symptoms") or ():
        found = re.search(symptom["pattern"], log_line, re.IGNORECASE)
        if found is None:
            continue
        where = f" ({symptom['where']})" if symptom.get("where") else ""
        reason = f'matches "{found.group(0)}"{where}: {_prose(symptom["note"])}'
        candidate = Match(rule, _PATTERN_SCORE + len(found.group(0)), reason)
        if best is None or candidate.score > best.score:
            best = candidate
    return best


def _word_match(rule: Rule, line: list[str]) -> Match | None:
    best, best_where, best_text = 0, "", ""
    for where, text in _symptoms(rule).items():
        for fragment in _fragments(text):
            run = _longest_common_run(fragment, line)
            if run > best:
                best, best_where, best_text = run, where, text
    if not line or best < min(MIN_MATCHING_WORDS, len(line)):
        return None
    words = "word" if best == 1 else "words"
    reason = f"shares {best} {words} with its documented {best_where} symptom: {_prose(best_text)}"
    return Match(rule, best, reason)
