"""What a finding's message must never contain, checked on fixtures and on the corpus."""

from __future__ import annotations

import re

from analyzer.engine.expressions import message_texts

# a value printed where its reason belongs, a name that is empty, a resource named with its
# noun twice, an internal key, a doubled word
GARBLED = {
    "unresolved placeholder": re.compile(r"\(unresolved\)|<unknown"),
    "Python None": re.compile(r"\bNone\b"),
    "empty name": re.compile(r"(^|[:(] ?)\s*is (not|an)\b|\b(AMI|role|group|subnet|cluster|of) ,|\bof none\b"),
    "double space": re.compile(r"  "),
    "noun twice": re.compile(r"\b(node role|cluster role|VPC|subnets?) \S+ \1 \(created by"),
    "internal key": re.compile(r"#(module|data|aws_)"),
    "doubled word": re.compile(r"\b([A-Za-z]{2,}) \1\b"),
}

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _name(name: str) -> re.Pattern:
    """A resource address as a whole word, not part of a longer address."""
    return re.compile(rf"(?<![\w.\[\]\"'-]){re.escape(name)}(?![\w\[\"'-]|\.\w)")


def _templates(rule) -> str:
    """The literal words of a rule's messages (a resource may be called "EKS")."""
    check = rule.check if rule is not None else {}
    texts = message_texts(check.get("message")) + message_texts(check.get("unknown_message"))
    texts += [text for case in check.get("severity_by", ()) for text in message_texts(case.get("message"))]
    return " ".join(_PLACEHOLDER.sub(" ", text) for text in texts)


def fix_problems(fix: str) -> list[str]:
    """A fix is an instruction written as a sentence: a capital first, a full stop (or a
    closing bracket, quote or code span) last."""
    fix = (fix or "").strip()
    if not fix:
        return []
    found = []
    if fix[0].islower():
        found.append(f"fix starts in lower case: {fix}")
    if not fix.endswith((".", ")", "`", '"', "'")):
        found.append(f"fix does not end as a sentence: {fix}")
    return found


def problems(finding, rule=None) -> list[str]:
    """What is wrong with a finding's message and fix, as readable lines (empty when they read well)."""
    message = finding.message
    found = [f"{label}: {message}" for label, pattern in GARBLED.items() if pattern.search(message)]
    if not message.strip():
        found.append("empty message")
    found += fix_problems(getattr(finding, "fix", ""))
    if finding.resource:
        name = _name(finding.resource)
        allowed = 1 + len(name.findall(_templates(rule)))
        # a resource a tool creates for its owner is called after it ("demo private subnets
        # (created by eksctl)"): that is another resource's name
        own = re.sub(rf"{name.pattern} [\w -]+ \(created by \w+\)", "", message)
        if len(name.findall(own)) > allowed:
            found.append(f"names {finding.resource} twice: {message}")
    return found
