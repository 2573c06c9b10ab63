"""Where a module call's code lives: a local directory, or a copy ``terraform init`` made.

Remote sources (registry, git, s3, ...) are followed only when the root module's
``.terraform/modules/modules.json`` lists them with a directory inside the scanned root;
otherwise the module stays Unknown and nothing inside it is guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from analyzer.diagnostics import EVALUATION, OUTSIDE_ROOT, Diagnostic
from analyzer.location import Location
from analyzer.terraform.files import is_inside
from analyzer.terraform.module import ModuleCall, is_local_source, terraform_files
from analyzer.terraform.parsing import MAX_FILE_BYTES


@dataclass
class ResolvedSource:
    directory: Path | None  # None: the module's outputs are Unknown for ``reason``
    reason: str = ""
    diagnostic: Diagnostic | None = None


def read_modules_manifest(root_dir: Path, scan_root: Path) -> dict[str, Path]:
    """``Key`` -> directory from ``<root>/.terraform/modules/modules.json`` (empty if absent)."""
    manifest = root_dir / ".terraform" / "modules" / "modules.json"
    if not manifest.is_file() or not is_inside(manifest, scan_root):
        return {}
    try:
        if manifest.stat().st_size > MAX_FILE_BYTES:
            return {}
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules") or []
    except (OSError, ValueError, AttributeError):
        return {}
    table: dict[str, Path] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str):
            table[entry["Key"]] = (root_dir / entry["Dir"]).resolve()
    return table


def resolve_source(
    call: ModuleCall,
    parent_dir: Path,
    key_path: tuple[str, ...],
    address: str,
    manifest: dict[str, Path],
    scan_root: Path,
) -> ResolvedSource:
    location = call.block.location
    if call.source is None:
        return ResolvedSource(None, f"{address}: the module source is not a literal string")
    key = ".".join(key_path)
    if key in manifest:
        return _checked(manifest[key], call, address, scan_root, location)
    if is_local_source(call.source):
        return _checked((parent_dir / call.source), call, address, scan_root, location)
    return ResolvedSource(None, f"{address} ({call.source}) is not downloaded; run terraform init or lint plan JSON")


def _checked(directory: Path, call: ModuleCall, address: str, scan_root: Path, location: Location) -> ResolvedSource:
    if not is_inside(directory, scan_root):
        reason = f"{address} ({call.source}) is outside the scanned root; it was not read"
        return ResolvedSource(
            None,
            reason,
            Diagnostic(
                OUTSIDE_ROOT,
                f"module source {call.source!r} resolves outside the scanned root; it was not read",
                location,
                "warning",
                "scan a directory that contains the module's code",
            ),
        )
    resolved = directory.resolve()
    if not resolved.is_dir() or not terraform_files(resolved):
        reason = f"{address} ({call.source}) has no Terraform files at {call.source}"
        return ResolvedSource(
            None,
            reason,
            Diagnostic(
                EVALUATION,
                f"module source {call.source!r} has no Terraform files",
                location,
                "warning",
                "fix the module source path",
            ),
        )
    return ResolvedSource(resolved)
