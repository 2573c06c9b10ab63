"""Rule documentation (ruff-style: what it does, why it matters, how to fix) and
symptom search for `eksjoin explain`."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable

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
    """Rules whose documented symptoms share a run of words with the log line."""
    line = _words(log_line)
    scored = []
    for rule in rules:
        best = max(
            (_longest_common_run(f, line) for text in _symptoms(rule).values() for f in _fragments(text)), default=0
        )
        if best >= min(MIN_MATCHING_WORDS, len(line)):
            scored.append((best, rule.id, rule))
    return [rule for _, _, rule in sorted(scored, key=lambda s: (-s[0], s[1]))]
