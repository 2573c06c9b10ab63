"""Where a module call's code lives, resolved in ``terraform init``'s order.

1. ``.terraform/modules/modules.json`` when it lists the call (what ``terraform init`` made);
2. a local path (``./x``, ``../..``) anywhere inside the repository boundary (the git work
   tree, else the current directory, widened by ``--root``) or, for a call made by fetched
   module code, inside that code;
3. a registry, git or HTTP archive source, through the run's ModuleFetcher and its cache.

A module that cannot be loaded is one LOAD-006 finding at its ``module`` block that names
the source, the constraint, why, what stays unchecked and how to fix it; its outputs are
Unknown and nothing inside it is guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer import boundary, jsonsafe
from analyzer.diagnostics import EVALUATION, MODULE_NOT_LOADED, OUTSIDE_ROOT, Diagnostic
from analyzer.location import Location
from analyzer.modules.addresses import parse_source
from analyzer.modules.versions import Constraint, Version, VersionError
from analyzer.terraform import reads
from analyzer.terraform.files import is_inside
from analyzer.terraform.module import ModuleCall, is_local_source, listing_error, terraform_files
from analyzer.terraform.parsing import MAX_FILE_BYTES


@dataclass
class ResolvedSource:
    directory: Path | None  # None: the module's outputs are Unknown for ``reason``
    reason: str = ""
    diagnostic: Diagnostic | None = None


class ModulesManifest(dict):
    """``Key`` -> directory, plus the source and version ``terraform init`` installed for it."""

    def __init__(self, problem: str = "") -> None:
        super().__init__()
        self.installed: dict[str, tuple[str, str]] = {}
        self.problem = problem  # why a modules.json that is there was not used ("" when it was)

    def matches(self, key: str, call: ModuleCall) -> bool:
        """Whether the copy under ``key`` is what ``call`` asks for now (Terraform refuses a
        stale one: "Module source has changed"; eksjoin then resolves the call afresh)."""
        if key not in self.installed or call.source is None:
            return True
        source, version = self.installed[key]
        if not is_local_source(call.source) and parse_source(source) != parse_source(call.source):
            return False
        if not call.version or not version:
            return True
        try:
            return Constraint.parse(call.version).allows(Version.parse(version))
        except VersionError:
            return True


def read_modules_manifest(root_dir: Path, scan_root: Path) -> ModulesManifest:
    """``Key`` -> directory from ``<root>/.terraform/modules/modules.json`` (empty if absent;
    empty with its ``problem`` when it is there but cannot be used)."""
    manifest = root_dir / ".terraform" / "modules" / "modules.json"
    if not reads.is_file(manifest) or not is_inside(manifest, scan_root):
        return ModulesManifest()
    try:
        data = reads.read_limited(manifest, MAX_FILE_BYTES)
        if isinstance(data, int):
            return ModulesManifest(f"is {data:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes eksjoin reads")
        document = jsonsafe.loads(data)
    except boundary.Refused as refused:
        return ModulesManifest(refused.reason)
    except OSError as exc:
        return ModulesManifest(f"cannot be read ({exc.strerror or exc})")
    except UnicodeDecodeError:
        return ModulesManifest("is not UTF-8 text")
    except ValueError as exc:
        return ModulesManifest(f"is not valid JSON ({getattr(exc, 'msg', exc)})")
    except jsonsafe.TooDeep as exc:
        return ModulesManifest(f"is {exc}")
    entries = document.get("Modules") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return ModulesManifest('holds no list of modules (expected an object with a "Modules" list)')
    table = ModulesManifest()
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str):
            table[entry["Key"]] = reads.resolve(root_dir / entry["Dir"])
            source, version = entry.get("Source"), entry.get("Version")
            if isinstance(source, str) and source:
                table.installed[entry["Key"]] = (source, version if isinstance(version, str) else "")
    return table


def resolve_source(
    call: ModuleCall,
    parent_dir: Path,
    key_path: tuple[str, ...],
    address: str,
    manifest: dict[str, Path],
    scan_root: Path,
    readable: Sequence[Path] = (),
    fetcher=None,
) -> ResolvedSource:
    """``readable``: further roots local sources may use (the repository, fetched code)."""
    location = call.block.location
    if call.source is None:
        return ResolvedSource(None, f"{address}: the module source is not a literal string")
    roots = (scan_root, *readable)
    key = ".".join(key_path)
    if key in manifest and (not isinstance(manifest, ModulesManifest) or manifest.matches(key, call)):
        return _checked(manifest[key], call, address, roots, location)
    if is_local_source(call.source):
        return _checked((parent_dir / call.source), call, address, roots, location)
    if fetcher is None:
        return ResolvedSource(
            None, f"{address} ({call.source}) is not downloaded; run terraform init or lint plan JSON"
        )
    from analyzer.modules.fetch import Fetched

    outcome = reads.fetched(call.source, call.version, fetcher.fetch(call.source, call.version))
    if isinstance(outcome, Fetched):
        return _checked(outcome.directory, call, address, (*roots, outcome.directory), location)
    return _not_loaded(call, address, location, outcome.why, outcome.fix)


_GENERIC_FIX = (
    "Run `terraform init` in this directory (eksjoin reads .terraform/modules), or lint with network access "
    "(a registry host can be pointed elsewhere with a host block in the Terraform CLI configuration)."
)


def _not_loaded(call: ModuleCall, address: str, location: Location, why: str, fix: str) -> ResolvedSource:
    wanted = f" version {call.version!r}" if call.version else ""
    message = (
        f"{address} (source {call.source!r}{wanted}) could not be loaded: {why}. "
        "Nothing inside it is checked: the resources it creates (cluster, node groups, IAM roles, "
        "security groups, network) are unknown to every rule."
    )
    fix = f"{fix[0].upper()}{fix[1:]}." if fix else _GENERIC_FIX
    return ResolvedSource(
        None,
        f"{address} ({call.source}) could not be loaded: {why}",
        Diagnostic(MODULE_NOT_LOADED, message, location, "warning", fix),
    )


def _checked(
    directory: Path, call: ModuleCall, address: str, roots: Sequence[Path], location: Location
) -> ResolvedSource:
    if not any(is_inside(directory, root) for root in roots):
        reason = f"{address} ({call.source}) is outside the repository; it was not read"
        return ResolvedSource(
            None,
            reason,
            Diagnostic(
                OUTSIDE_ROOT,
                f"module source {call.source!r} resolves outside the repository boundary; it was not read",
                location,
                "warning",
                "Lint from the repository that contains the module's code, or widen the boundary with --root DIR.",
            ),
        )
    resolved = reads.resolve(directory)
    unlisted = listing_error(resolved) if reads.is_dir(resolved) else None
    if unlisted:
        return ResolvedSource(
            None,
            f"{address} ({call.source}) is in a folder eksjoin cannot list ({unlisted})",
            Diagnostic(
                EVALUATION,
                f"module source {call.source!r} is a folder eksjoin cannot list ({unlisted}); the module was not read",
                location,
                "warning",
                "Give eksjoin permission to list the module's folder (read and execute).",
            ),
        )
    if not reads.is_dir(resolved) or not terraform_files(resolved):
        reason = f"{address} ({call.source}) has no Terraform files at {call.source}"
        return ResolvedSource(
            None,
            reason,
            Diagnostic(
                EVALUATION,
                f"module source {call.source!r} has no Terraform files",
                location,
                "warning",
                "Point the module source at a folder that holds the module's .tf files.",
            ),
        )
    return ResolvedSource(resolved)
