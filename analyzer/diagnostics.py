"""Problems met while loading input: they become findings, and the run goes on."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.location import Location

# Loader finding IDs live outside the EKS-* catalogue: they are about the input, not the cluster.
PARSE_ERROR = "LOAD-001"  # the file is not valid HCL / YAML / JSON
UNREADABLE = "LOAD-002"  # binary, too large, not UTF-8, unreadable, alias bomb
OUTSIDE_ROOT = "LOAD-003"  # a path (symlink, templatefile, file()) escapes the scanned root
INVALID_CONFIG = "LOAD-004"  # parses, but violates its schema (eksctl ClusterConfig, ...)
EVALUATION = "LOAD-005"  # evaluation problem: cycle, unsupported construct, bad module source
MODULE_NOT_LOADED = "LOAD-006"  # a registry, git or archive module whose code could not be fetched


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: Location
    severity: str = "warning"  # error | warning | info
    fix: str = ""
