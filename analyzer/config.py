"""`.eksjoin.yaml`: project settings, found upward from the linted path to the repository root.

exclude: ["examples/broken/**"]      # gitignore-style patterns
select: [EKS-IAM-002]                # only these rules (prefixes allowed: EKS-IAM)
ignore: [EKS-TAG-002]                # never these
fail_on: warning                     # error | warning | info | never
severity: {EKS-DNS-002: error}       # per-rule severity override
var_files: [prod.tfvars]
vars: {cluster_name: prod}
cfn_params: {ClusterName: prod}
baseline: .eksjoin-baseline.json
offline: true                        # never fetch remote modules (.terraform and the cache only)
cache: false                         # do not read or write the result cache (as --no-cache)
strict_suppressions: true            # expired and unused ignores are warnings
ignore_paths:                        # for files that cannot hold a comment (JSON)
  - {path: "plans/*.json", rules: [EKS-TAG], reason: "tags come from the pipeline", expires: 2027-01-31}
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analyzer import boundary
from analyzer.boundary import Boundary

CONFIG_NAMES = (".eksjoin.yaml", ".eksjoin.yml")
FAIL_ON = ("error", "warning", "info", "never")
MAX_CONFIG_BYTES = 1 << 20


class ConfigError(Exception):
    """A configuration file that cannot be used; the CLI exits 2 with this message."""


@dataclass
class Config:
    path: Path | None = None
    exclude: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    severity: dict[str, str] = field(default_factory=dict)
    var_files: list[Path] = field(default_factory=list)
    vars: dict[str, str] = field(default_factory=dict)
    cfn_params: dict[str, str] = field(default_factory=dict)
    baseline: Path | None = None
    offline: bool = False
    cache: bool = True
    strict_suppressions: bool = False
    ignore_paths: list[dict] = field(default_factory=list)


def find_config(start: Path, repository: Boundary) -> Path | None:
    """The nearest configuration from ``start`` up to the repository root, inclusive. A folder
    above the repository is not the repository's: a configuration there is never read (linting
    a checkout must not take its settings from whoever owns the folder it sits in). Any entry of
    the name counts, so one that cannot be read (a link leading outside, a FIFO) is an error,
    not passed over."""
    directory = Path(os.path.realpath(start))
    if not directory.is_dir():
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        if not repository.root_contains(candidate_dir):
            break
        for name in CONFIG_NAMES:
            candidate = candidate_dir / name
            if os.path.lexists(candidate):
                return candidate
    return None


def _string_list(data: dict, key: str, path: Path) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    return value


def _string_map(data: dict, key: str, path: Path) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: '{key}' must be a mapping")
    return {str(k): str(v) for k, v in value.items()}


def _yaml_problem(error: yaml.YAMLError) -> str:
    """What is wrong and where, in one line: PyYAML's own text spans lines and quotes the
    source as "<unicode string>"."""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem


def load_config(path: Path, repository: Boundary | None = None) -> Config:
    """The configuration at ``path``, read through ``repository`` (a configuration found in the
    repository must stay inside it; one named with --config may be anywhere, but is still only
    read when it is a regular file under the size limit)."""
    try:
        text = (repository or boundary.UNCONFINED).read_text(path, MAX_CONFIG_BYTES)
    except boundary.Refused as refused:
        raise ConfigError(f"{path}: cannot read the configuration: {refused.sentence}") from refused
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: it is not UTF-8 text") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror or exc}") from exc
    try:
        data: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {_yaml_problem(exc)}") from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: it is nested too deeply") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping")
    known = {
        "exclude",
        "select",
        "ignore",
        "fail_on",
        "severity",
        "var_files",
        "vars",
        "cfn_params",
        "baseline",
        "offline",
        "cache",
        "strict_suppressions",
        "ignore_paths",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    fail_on = data.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise ConfigError(f"{path}: fail_on must be one of {', '.join(FAIL_ON)}")
    severity = _string_map(data, "severity", path)
    bad = {k: v for k, v in severity.items() if v not in ("error", "warning", "info")}
    if bad:
        raise ConfigError(f"{path}: severity values must be error, warning or info: {bad}")
    offline = data.get("offline", False)
    if not isinstance(offline, bool):
        raise ConfigError(f"{path}: offline must be true or false")
    cache = data.get("cache", True)
    if not isinstance(cache, bool):
        raise ConfigError(f"{path}: cache must be true or false")
    strict = data.get("strict_suppressions", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"{path}: strict_suppressions must be true or false")
    base = path.parent
    return Config(
        offline=offline,
        cache=cache,
        strict_suppressions=strict,
        ignore_paths=_ignore_paths(data, path),
        path=path,
        exclude=_string_list(data, "exclude", path),
        select=_string_list(data, "select", path),
        ignore=_string_list(data, "ignore", path),
        fail_on=fail_on,
        severity=severity,
        var_files=[base / p for p in _string_list(data, "var_files", path)],
        vars=_string_map(data, "vars", path),
        cfn_params=_string_map(data, "cfn_params", path),
        baseline=base / data["baseline"] if data.get("baseline") else None,
    )


def _ignore_paths(data: dict, path: Path) -> list[dict]:
    entries = data.get("ignore_paths", [])
    shape = "entries {path: GLOB, rules: [IDS], reason: TEXT, expires: YYYY-MM-DD}"
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'ignore_paths' must be a list of {shape}")
    for entry in entries:
        rules = entry.get("rules") if isinstance(entry, dict) else None
        if isinstance(rules, str):
            entry["rules"] = rules = [rules]
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("path"), str)
            or not isinstance(rules, list)
            or not rules
            or not all(isinstance(r, str) for r in rules)
            or set(entry) - {"path", "rules", "reason", "expires"}
        ):
            raise ConfigError(f"{path}: 'ignore_paths' must be a list of {shape}; got {entry!r}")
        if entry.get("expires") is not None:
            entry["expires"] = str(entry["expires"])
    return entries
