"""A finding: what is wrong, where, what the user will see, and what to change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from analyzer.location import Location

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}


@dataclass
class Finding:
    rule_id: str
    severity: str
    title: str
    message: str
    location: Location
    resource: str  # the resource the finding is anchored on
    symptom: str = ""
    fix: str = ""
    outcome: str = "fail"  # fail | unknown | load
    related: list[tuple[str, Location]] = field(default_factory=list)  # (address, location)
    docs: str = ""
    reason: str = ""  # for unknown outcomes: what could not be resolved
    also: list[str] = field(default_factory=list)  # other rules the same unknown blocked
    key: str = ""  # what the defect is about inside the resource (the anchored field path)
    repo_path: str = ""  # location.path relative to the repository root, set by the pipeline
    suppressed_by: str = ""  # for suppressed findings: which ignore or baseline hid it
    block_line: int = 0  # the opening line of the resource block, where an inline ignore may sit
    framework: str = ""  # terraform | cloudformation | eksctl | kubernetes: the syntax its fix is in

    @property
    def fingerprint(self) -> str:
        """Stable across line moves, working directories and rewording: rule, repository-relative
        file, resource and defect key. The message is not part of it."""
        text = "\x1f".join((self.rule_id, self.repo_path or self.location.path, self.resource, self.key))
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]  # a file name need not be UTF-8

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.rule_id, self.message)
