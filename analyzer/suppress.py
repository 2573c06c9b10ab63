"""Suppression: inline ignore comments, rule selection, and baselines.

Inline: a comment on the finding's line or the line above it,
    # eksjoin:ignore EKS-DNS-002 -- shared VPC, hostnames managed elsewhere
ignores the named rules (comma-separated) for that line. A baseline is a JSON file of
finding fingerprints that are known and accepted; only new findings are reported.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from analyzer.discovery import MAX_FILE_BYTES
from analyzer.findings import Finding

_INLINE = re.compile(r"eksjoin:ignore\s+(.*?)(?:\s--|$)")
_RULE_ID = re.compile(r"\b(?:EKS-[A-Z]+|LOAD)-\d{3}\b")


def matches_any(rule_id: str, patterns: Iterable[str]) -> bool:
    """Exact IDs or prefixes: ``EKS-IAM`` selects every IAM rule."""
    return any(rule_id == p or rule_id.startswith(p.rstrip("-") + "-") for p in patterns)


def select_rules(rule_ids: Iterable[str], select: list[str], ignore: list[str]) -> set[str]:
    chosen = {r for r in rule_ids if not select or matches_any(r, select)}
    return {r for r in chosen if not matches_any(r, ignore)}


@lru_cache(maxsize=512)
def _lines(path: str) -> tuple[str, ...]:
    try:
        info = os.stat(path)
        # Only a regular file of input size is read for inline comments: never a FIFO, a device or a huge file.
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return ()
        return tuple(Path(path).read_text(encoding="utf-8-sig").splitlines())
    except (OSError, UnicodeDecodeError, RuntimeError):
        return ()


def inline_ignored(finding: Finding) -> bool:
    lines = _lines(finding.location.path)
    line = finding.location.line
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            match = _INLINE.search(lines[number - 1])
            if match and finding.rule_id in _RULE_ID.findall(match.group(1)):
                return True
    return False


def load_baseline(path: Path) -> set[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {entry["fingerprint"] for entry in data.get("findings", [])}


def write_baseline(path: Path, findings: list[Finding]) -> None:
    entries = [
        {
            "fingerprint": f.fingerprint,
            "rule_id": f.rule_id,
            "file": f.location.path,
            "resource": f.resource,
            "message": f.message,
        }
        for f in findings
    ]
    path.write_text(json.dumps({"version": 1, "findings": entries}, indent=2) + "\n", encoding="utf-8")


def apply(findings: list[Finding], baseline: set[str] | None = None) -> list[Finding]:
    kept = [f for f in findings if not inline_ignored(f)]
    if baseline:
        kept = [f for f in kept if f.fingerprint not in baseline]
    return kept
