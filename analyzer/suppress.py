"""Suppression: rule selection, inline ignores, CloudFormation Metadata, path-scoped ignores
and baselines.

Inline, in a comment on the finding's line, the line above it, or the opening line of the
block the finding is in (or the line above that):
    # eksjoin:ignore EKS-DNS-002 exp:2026-06-30 -- shared VPC, hostnames managed elsewhere
names rules by ID or prefix (comma-separated: ``EKS-TAG`` is every tag rule), an optional
expiry date after which the ignore stops working (and is reported), and the reason after
``--``. A CloudFormation resource may carry ``Metadata: {eksjoin: {ignore: [...]}}`` and the
configuration file ``ignore_paths`` entries; both make the same ignore record.

A baseline is a JSON file of finding fingerprints that are known and accepted; only new
findings are reported. Fingerprints are built from the rule, the path relative to the
repository root, the resource address and the defect key, so neither the working directory,
a line move nor a reworded message changes them.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from analyzer import boundary, jsonsafe
from analyzer.findings import Finding
from analyzer.location import Location

_INLINE = re.compile(r"eksjoin:ignore\b(?P<body>.*?)(?:\s--\s*(?P<reason>.*?))?\s*(?:-->|\*/)?\s*$")
_ID_OR_PREFIX = re.compile(r"^(?:EKS|LOAD)(?:-[A-Z]+)?(?:-\d{3})?$")
_EXPIRY = re.compile(r"^exp(?:ires)?:(.+)$")
BASELINE_VERSION = 2

# What eksjoin says about suppressions themselves.
EXPIRED = "SUP-001"
UNUSED = "SUP-002"
MALFORMED = "SUP-003"


class UserError(ValueError):
    """A mistake in what the user asked for (options, configuration, baseline): exit 2."""


class SelectionError(UserError):
    """A rule ID or prefix that names no rule."""


class BaselineError(UserError):
    """A baseline file that is missing or not an eksjoin baseline."""


def matches_any(rule_id: str, patterns: Iterable[str]) -> bool:
    """Exact IDs or prefixes: ``EKS-IAM`` and ``EKS-IAM-`` both match ``EKS-IAM-002``."""
    return any(rule_id == p or rule_id.startswith(p.rstrip("-") + "-") for p in patterns)


def check_patterns(known: Iterable[str], patterns: Iterable[str], where: str) -> None:
    known = list(known)
    for pattern in patterns:
        if not any(matches_any(rule_id, [pattern]) for rule_id in known):
            raise SelectionError(f"No rule matches {pattern!r} (in {where}); `eksjoin rules` lists every rule ID.")


def select_rules(rule_ids: Iterable[str], select: Iterable[str], ignore: Iterable[str]) -> set[str]:
    select, ignore = list(select), list(ignore)
    chosen = {r for r in rule_ids if not select or matches_any(r, select)}
    return {r for r in chosen if not matches_any(r, ignore)}


@dataclass
class Ignore:
    """One ignore written by the user, wherever it was written."""

    patterns: tuple[str, ...]
    path: str  # the file it is written in, as displayed
    line: int
    reason: str = ""
    expires: dt.date | None = None
    source: str = "inline"  # inline | metadata | config
    problems: list[str] = field(default_factory=list)  # malformed parts, reported
    used: int = 0
    glob: str = ""  # config ignores: the repository-relative paths they cover
    resource: str = ""  # metadata ignores: the resource they are written on

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def covers(self, rule_id: str) -> bool:
        return matches_any(rule_id, self.patterns)

    @property
    def location(self) -> Location:
        return Location(self.path, max(self.line, 1))

    @property
    def written(self) -> str:
        return ", ".join(self.patterns) or "(no rule)"


def _expiry(text: str, problems: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"the expiry {text!r} is not a date written YYYY-MM-DD")
        return None


def parse_inline(text: str, path: str, line: int) -> Ignore | None:
    match = _INLINE.search(text)
    if not match:
        return None
    patterns: list[str] = []
    problems: list[str] = []
    expires = None
    for token in re.split(r"[\s,]+", match.group("body").strip()):
        if not token:
            continue
        expiry = _EXPIRY.match(token)
        if expiry:
            expires = _expiry(expiry.group(1), problems)
        elif _ID_OR_PREFIX.match(token.upper()):
            patterns.append(token.upper())
        else:
            problems.append(f"{token!r} is not a rule ID, a rule prefix or exp:YYYY-MM-DD")
    if not patterns and not problems:
        problems.append("it names no rule (write the rule IDs or prefixes after eksjoin:ignore)")
    return Ignore(tuple(patterns), path, line, (match.group("reason") or "").strip(), expires, "inline", problems)


@lru_cache(maxsize=1024)
def _file_ignores(path: str, text: str) -> tuple[Ignore, ...]:
    found = (
        parse_inline(line, path, number) for number, line in enumerate(text.splitlines(), 1) if "eksjoin:ignore" in line
    )
    return tuple(i for i in found if i is not None)


def inline_ignores(files: Iterable[tuple[str, str]]) -> list[Ignore]:
    """Fresh records (``used`` counts are per run) for every inline ignore in (path, text) pairs."""
    return [
        replace(cached, problems=list(cached.problems), used=0)
        for path, text in files
        if "eksjoin:ignore" in text
        for cached in _file_ignores(path, text)
    ]


def metadata_ignore(value: object, path: str, line: int, resource: str) -> Ignore:
    """``Metadata: {eksjoin: {ignore: [ID, ...] | [{id, reason, expires}], reason, expires}}``."""
    problems: list[str] = []
    patterns: list[str] = []
    reason, expires = "", None
    if isinstance(value, dict):
        reason = str(value.get("reason") or "")
        if value.get("expires"):
            expires = _expiry(str(value["expires"]), problems)
        value = value.get("ignore")
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            reason = reason or str(item.get("reason") or "")
            if item.get("expires"):
                expires = _expiry(str(item["expires"]), problems)
            item = item.get("id") or item.get("rule")
        if isinstance(item, str) and _ID_OR_PREFIX.match(item.strip().upper()):
            patterns.append(item.strip().upper())
        else:
            problems.append(f"{item!r} is not a rule ID or a rule prefix")
    return Ignore(tuple(patterns), path, line, reason, expires, "metadata", problems, resource=resource)


def path_ignores(entries: Iterable[dict], config_path: str) -> list[Ignore]:
    """``ignore_paths: [{path: GLOB, rules: [IDS], reason: TEXT, expires: DATE}]`` (validated by config)."""
    records = []
    for entry in entries:
        problems: list[str] = []
        expires = _expiry(str(entry["expires"]), problems) if entry.get("expires") else None
        patterns = tuple(str(r).upper() for r in entry.get("rules", ()))
        reason = str(entry.get("reason", ""))
        records.append(Ignore(patterns, config_path, 0, reason, expires, "config", problems, glob=entry["path"]))
    return records


def path_matches(glob: str, repo_path: str) -> bool:
    glob = glob.lstrip("./") if glob.startswith("./") else glob
    return fnmatch.fnmatchcase(repo_path, glob) or fnmatch.fnmatchcase(repo_path, glob.rstrip("/") + "/*")


def _inline_lines(finding: Finding) -> set[int]:
    lines = {finding.location.line, finding.location.line - 1}
    if finding.block_line:
        lines |= {finding.block_line, finding.block_line - 1}
    return lines


def _applies(ignore: Ignore, finding: Finding) -> bool:
    if not ignore.covers(finding.rule_id):
        return False
    if ignore.source == "config":
        return path_matches(ignore.glob, finding.repo_path or finding.location.path)
    if ignore.path != finding.location.path:
        return False
    if ignore.source == "metadata":
        return finding.resource == ignore.resource or finding.resource.split("[", 1)[0] == ignore.resource
    return ignore.line in _inline_lines(finding)


@dataclass
class Suppressed:
    kept: list[Finding]
    suppressed: list[Finding]
    notices: list[Finding]  # expired, unused and malformed ignores


def apply(
    findings: list[Finding],
    ignores: list[Ignore],
    baseline: Baseline | None,
    selected: set[str],
    known: set[str],
    today: dt.date,
    strict: bool = False,
) -> Suppressed:
    """Each finding is hidden by the first live ignore that covers it, else by the baseline."""
    live = [i for i in ignores if not i.expired(today)]
    kept, hidden = [], []
    for finding in findings:
        ignore = next((i for i in live if _applies(i, finding)), None)
        if ignore is not None:
            ignore.used += 1
            finding.suppressed_by = f"{ignore.source} ignore at {ignore.location}" + (
                f": {ignore.reason}" if ignore.reason else ""
            )
            hidden.append(finding)
        elif baseline and baseline.covers(finding):
            finding.suppressed_by = "baseline"
            hidden.append(finding)
        else:
            kept.append(finding)
    return Suppressed(kept, hidden, _notices(ignores, selected, known, today, strict))


def _notices(ignores: list[Ignore], selected: set[str], known: set[str], today: dt.date, strict: bool) -> list[Finding]:
    """Expired and unused ignores are info (warning when strict); malformed ones are warnings.
    An ignore is unused only when it names a rule that ran: ``--select`` does not make it stale."""
    severity = "warning" if strict else "info"
    notices = []
    for ignore in ignores:
        unknown = [p for p in ignore.patterns if not any(matches_any(r, [p]) for r in known)]
        problems = ignore.problems + [f"{p!r} names no rule" for p in unknown]
        if problems:
            notices.append(_notice(MALFORMED, "warning", ignore, f"This ignore is malformed: {'; '.join(problems)}."))
        elif ignore.expired(today):
            notices.append(
                _notice(
                    EXPIRED,
                    severity,
                    ignore,
                    f"The ignore of {ignore.written} expired on {ignore.expires}, so what it hid is reported again.",
                )
            )
        elif not ignore.used and any(matches_any(r, ignore.patterns) for r in selected):
            notices.append(
                _notice(UNUSED, severity, ignore, f"The ignore of {ignore.written} hides no finding; remove it.")
            )
    return notices


_NOTICE_FIX = {
    EXPIRED: "Fix what the ignore hid, or renew the ignore with a later exp:YYYY-MM-DD and a reason.",
    UNUSED: "Delete the ignore comment or entry; the rule no longer reports anything there.",
    MALFORMED: "Write it as `eksjoin:ignore EKS-XXX-NNN[,EKS-YYY] [exp:YYYY-MM-DD] -- reason`.",
}


def _notice(code: str, severity: str, ignore: Ignore, message: str) -> Finding:
    from analyzer.diagnostics import TITLES

    return Finding(
        rule_id=code,
        severity=severity,
        title=TITLES[code],
        message=message,
        location=ignore.location,
        resource=ignore.resource,
        fix=_NOTICE_FIX[code],
        outcome="notice",
        key=f"{ignore.source}:{ignore.line}:{ignore.written}",
    )


MAX_BASELINE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class LegacyEntry:
    """A version-1 baseline entry (eksjoin 0.1.0): its fingerprint hashed a path relative to the
    working directory of the run that wrote it, so it is matched by what it names instead."""

    rule_id: str
    file: str
    resource: str
    message: str

    def covers(self, finding: Finding) -> bool:
        if (finding.rule_id, finding.resource, finding.message) != (self.rule_id, self.resource, self.message):
            return False
        if not self.file:
            return not (finding.repo_path or finding.location.path)
        if Path(self.file).is_absolute():
            return bool(finding.location.path) and os.path.realpath(finding.location.path) == os.path.realpath(
                self.file
            )
        written = [p for p in Path(self.file).parts if p not in (".", "..")]
        found = Path(finding.repo_path or finding.location.path).parts
        return bool(written) and list(found[len(found) - len(written) :]) == written


@dataclass
class Baseline:
    """Accepted findings: version-2 fingerprints, and version-1 entries matched by rule, resource,
    message and a file path that ends the finding's repository-relative path."""

    fingerprints: set[str] = field(default_factory=set)
    legacy: list[LegacyEntry] = field(default_factory=list)
    version: int = BASELINE_VERSION

    def covers(self, finding: Finding) -> bool:
        return finding.fingerprint in self.fingerprints or any(e.covers(finding) for e in self.legacy)

    def __bool__(self) -> bool:
        return bool(self.fingerprints or self.legacy)


_V1_FIELDS = ("rule_id", "file", "resource", "message")


def load_baseline(path: Path) -> Baseline:
    try:
        data = jsonsafe.loads(boundary.read_text(path, MAX_BASELINE_BYTES))
    except FileNotFoundError as exc:
        raise BaselineError(f"The baseline {path} does not exist; create it with --create-baseline.") from exc
    except (OSError, UnicodeDecodeError, ValueError, jsonsafe.TooDeep) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise BaselineError(f"The baseline {path} is not readable JSON ({reason}).") from exc
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(
            f"The baseline {path} is not an eksjoin baseline: expected an object whose 'findings' list "
            "holds entries with a 'fingerprint'."
        )
    version = data.get("version")
    if version == BASELINE_VERSION:
        return Baseline({entry["fingerprint"] for entry in entries})
    if version == 1:
        for number, entry in enumerate(entries):
            wrong = [name for name in _V1_FIELDS if not isinstance(entry.get(name), str)]
            if wrong:
                raise BaselineError(
                    f"The baseline {path} is a version-1 baseline whose findings[{number}] has no string "
                    f"{', '.join(repr(w) for w in wrong)}; recreate it with --create-baseline."
                )
        return Baseline(legacy=[LegacyEntry(*(e[name] for name in _V1_FIELDS)) for e in entries], version=1)
    raise BaselineError(
        f"The baseline {path} has version {version!r}, not {BASELINE_VERSION} (or 1, which is still read); "
        "recreate it with --create-baseline."
    )


def baseline_text(findings: list[Finding]) -> str:
    entries = [
        {
            "fingerprint": f.fingerprint,
            "rule_id": f.rule_id,
            "file": f.repo_path or f.location.path,
            "resource": f.resource,
            "message": f.message,
        }
        for f in findings
    ]
    return json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n"
