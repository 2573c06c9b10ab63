"""discovery -> loaders -> model (normalize -> link -> facts) -> engine -> selection,
severity overrides and suppression -> what the run says about itself.

``analyze()`` returns exactly the findings the command line prints."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer import boundary, checkcache, gcpause, progress, resultcache, roots, suppress
from analyzer.boundary import Boundary, git_work_tree
from analyzer.cachedir import cache_root
from analyzer.causes import unknown_causes
from analyzer.diagnostics import (
    HELP,
    MODULE_NOT_LOADED,
    NO_INPUT,
    NOTHING_DECIDED,
    OUTSIDE_ROOT,
    TITLES,
    UNREADABLE,
    Diagnostic,
)
from analyzer.discovery import Inventory, discover, display_path
from analyzer.engine.catalogue import Rule
from analyzer.engine.precedence import apply_precedence
from analyzer.engine.runner import Result, findings_of, run_rules
from analyzer.findings import Finding
from analyzer.knowledge.selfmanaged import classify_node_candidates
from analyzer.loaders import load_inventory, result_cache
from analyzer.location import Location
from analyzer.model.graph import Model


@dataclass
class Options:
    var_files: tuple[Path, ...] = ()  # named on the command line: readable wherever they are
    config_var_files: tuple[Path, ...] = ()  # from .eksjoin.yaml: read only inside the repository boundary
    variables: Mapping[str, str] = field(default_factory=dict)
    cfn_parameters: Mapping[str, str] = field(default_factory=dict)
    excludes: tuple[str, ...] = ()
    offline: bool | None = None  # None: EKSJOIN_OFFLINE decides (unset: fetch remote modules)
    cache: bool = True  # --no-cache / cache: false: the persistent result cache is neither read nor written
    root: Path | None = None  # --root: widens the repository boundary local module sources may use
    select: tuple[str, ...] = ()  # rule IDs or prefixes; empty: every rule
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)  # per-rule severity override
    baseline: Path | None = None
    baseline_to_create: Path | None = None  # outside git, fingerprints are relative to its folder
    ignore_paths: tuple[dict, ...] = ()  # the configuration's path-scoped ignores
    config_path: str = ""  # where ignore_paths are written, for their notices
    strict_suppressions: bool = False
    today: dt.date | None = None  # when ignores expire; default: today


@dataclass
class Analysis:
    model: Model
    results: list[Result]
    findings: list[Finding]  # what is reported, in order
    inventory: Inventory
    timings: dict[str, float] = field(default_factory=dict)
    suppressed: list[Finding] = field(default_factory=list)  # hidden by an ignore or the baseline
    rules: list[Rule] = field(default_factory=list)  # the rules that ran
    notes: list[str] = field(default_factory=list)  # for the user, beside the report (stderr)

    @property
    def baselinable(self) -> list[Finding]:
        """What --create-baseline accepts: every reported or baselined defect, not the notices."""
        hidden = [f for f in self.suppressed if f.suppressed_by == "baseline"]
        return sorted((f for f in self.findings + hidden if f.outcome != "notice"), key=Finding.sort_key)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)


def run_boundary(paths: Iterable[Path], options: Options) -> Boundary:
    """What the run may read: the repository of the scanned paths (widened by ``--root``), the
    cache directory (fetched module code), and the files named on the command line."""
    named = [*options.var_files, *([options.baseline] if options.baseline else [])]
    return Boundary.for_paths(list(paths), widen=options.root).with_extra(cache_root(), *named)


def build_model(paths: Iterable[Path], options: Options) -> tuple[Model, Inventory]:
    paths = list(paths)
    confined = boundary.active() or run_boundary(paths, options)
    with boundary.enforced(confined):
        inventory = discover(roots.scan_targets(paths), options.excludes)
        config_var_files, refused = _config_var_files(options, confined)
        inventory.diagnostics.extend(refused)
        roots.through_callers(inventory, Boundary.for_paths(paths, widen=options.root), result_cache(options))
        loading = dataclasses.replace(options, var_files=(*config_var_files, *options.var_files))
        with resultcache.ledger() as ledger:
            resources, diagnostics = load_inventory(inventory, loading)
        inventory.loaded_from = ledger.digest()
    model = Model(resources, _once(inventory.diagnostics + diagnostics))
    return classify_node_candidates(model), inventory


def _config_var_files(options: Options, confined: Boundary) -> tuple[list[Path], list[Diagnostic]]:
    """The configuration's ``var_files`` inside the boundary; one outside it is a finding, never read."""
    allowed: list[Path] = []
    refused: list[Diagnostic] = []
    for path in options.config_var_files:
        if confined.root_contains(path):
            allowed.append(path)
            continue
        where = display_path(Path(options.config_path)) if options.config_path else ".eksjoin.yaml"
        message = (
            f"var_files in {where} names {path}, which is outside the repository {confined.root}; "
            "the configuration may only name files inside it, so it was not read"
        )
        fix = "Move the variables file into the repository, or pass it on the command line with --var-file."
        refused.append(Diagnostic(OUTSIDE_ROOT, message, Location(where), "warning", fix))
    return allowed, refused


def _once(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A file met twice (discovery, then a module's file list) is one finding: the first
    word on a file not read (LOAD-002, LOAD-003) stands, as discovery gave it."""
    kept: dict[object, Diagnostic] = {}
    for diagnostic in diagnostics:
        whole_file = diagnostic.code in (UNREADABLE, OUTSIDE_ROOT) and diagnostic.location.line <= 1
        key = (diagnostic.code, diagnostic.location) if whole_file else diagnostic
        kept.setdefault(key, diagnostic)
    return list(kept.values())


def selected_rules(rules: list[Rule], options: Options) -> list[Rule]:
    """The rules ``--select``/``--ignore`` and the configuration leave; a name that matches no
    rule is a user mistake (SelectionError), wherever it is written."""
    known = [r.id for r in rules] + list(TITLES)
    suppress.check_patterns(known, options.select, "--select or the configuration's select")
    suppress.check_patterns(known, options.ignore, "--ignore or the configuration's ignore")
    suppress.check_patterns(known, options.severity, "the configuration's severity")
    for entry in options.ignore_paths:
        suppress.check_patterns(known, entry.get("rules", ()), "the configuration's ignore_paths")
    chosen = suppress.select_rules([r.id for r in rules], options.select, options.ignore)
    return [r for r in rules if r.id in chosen]


def analyze(paths: Iterable[Path], rules: list[Rule], options: Options | None = None) -> Analysis:
    """Every file the run reads, lists or globs goes through the run's boundary."""
    options = options or Options()
    paths = list(paths)
    with boundary.enforced(run_boundary(paths, options)):
        return _analyze(paths, rules, options)


def _analyze(paths: list[Path], rules: list[Rule], options: Options) -> Analysis:
    catalogue_ids = {r.id for r in rules} | set(TITLES)
    rules = selected_rules(rules, options)
    baseline = suppress.load_baseline(options.baseline) if options.baseline else None
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with gcpause.trees_frozen():
        model, inventory = build_model(paths, options)
        timings["load"] = time.perf_counter() - started
        started = time.perf_counter()
        progress.current().working_on(f"running the checks on {len(model.resources)} resources")
        scope = roots.Scope.of(paths)
        every_result = checkcache.results_of(
            rules,
            model,
            inventory.loaded_from,
            checkcache.checks_cache(options.cache),
            lambda: apply_precedence(run_rules(rules, model)),
        )
        results = [r for r in every_result if scope.covers_result(r)]
    findings = findings_of(results) + [diagnostic_finding(d) for d in model.diagnostics]
    findings = [f for f in findings if scope.covers(f) and not suppress.matches_any(f.rule_id, options.ignore)]
    _override_severity(findings, options.severity)
    _set_repository_paths(findings, paths, options)
    ignores = _ignores(inventory, scope, options)
    outcome = suppress.apply(
        findings,
        ignores,
        baseline,
        {r.id for r in rules},
        catalogue_ids,
        options.today or dt.date.today(),
        options.strict_suppressions,
    )
    reported = outcome.kept + outcome.notices + _run_notices(inventory, every_result, paths, model.diagnostics)
    reported.sort(key=Finding.sort_key)
    timings["rules"] = time.perf_counter() - started
    notes = []
    if baseline is not None and baseline.version == 1:
        notes.append(
            f"the baseline {options.baseline} is version 1: its entries are matched by rule, file, resource "
            "and message, so a reworded message reports the finding again; recreate it with --create-baseline "
            "(version 2 fingerprints survive rewording)"
        )
    return Analysis(model, results, reported, inventory, timings, outcome.suppressed, rules, notes)


def _override_severity(findings: list[Finding], overrides: Mapping[str, str]) -> None:
    for finding in findings:
        if finding.outcome == "fail":
            finding.severity = next(
                (
                    severity
                    for pattern, severity in overrides.items()
                    if suppress.matches_any(finding.rule_id, [pattern])
                ),
                finding.severity,
            )


def repository_root(paths: list[Path], options: Options) -> Path:
    """What baseline fingerprints are relative to: the git work tree; outside git, the folder
    of the baseline (which stays put when the working directory changes); else the scanned root."""
    first = Path(paths[0]) if paths else Path(".")
    baseline = options.baseline or options.baseline_to_create
    if git_work_tree(first) is not None:
        return git_work_tree(first)
    return baseline.resolve().parent if baseline else Boundary.for_paths(paths).root


def _set_repository_paths(findings: list[Finding], paths: list[Path], options: Options) -> None:
    root = repository_root(paths, options)
    known: dict[str, str] = {}  # many findings name the same few files
    for finding in findings:
        path = finding.location.path
        if path and path not in known:
            resolved = os.path.realpath(path)  # never raises on a symlink loop
            inside = boundary.is_within(Path(resolved), root)
            known[path] = Path(os.path.relpath(resolved, root)).as_posix() if inside else path
        if path:
            finding.repo_path = known[path]


def _source_files(inventory: Inventory) -> list:
    terraform = [f for files in (*inventory.terraform_dirs.values(), *inventory.planned_dirs.values()) for f in files]
    return terraform + inventory.yaml_files + inventory.json_files


def _ignores(inventory: Inventory, scope: roots.Scope, options: Options) -> list[suppress.Ignore]:
    texts = []
    for source in _source_files(inventory):
        if not scope.contains(source.display):
            continue
        try:
            texts.append((source.display, source.read_text()))
        except (OSError, UnicodeDecodeError, ValueError, RuntimeError):
            continue  # already reported as LOAD-002 by the loader
    records = suppress.inline_ignores(texts)
    records += [r for display, text in texts for r in _metadata_ignores(display, text)]
    return records + suppress.path_ignores(options.ignore_paths, options.config_path)


def _metadata_ignores(display: str, text: str) -> list[suppress.Ignore]:
    """``Metadata: {eksjoin: {ignore: [...]}}`` on CloudFormation resources."""
    if "eksjoin" not in text or "Metadata" not in text or display.endswith(".tf"):
        return []
    from analyzer.cloudformation.decode import decode_template_text

    document = decode_template_text(text, display).document
    resources = document.get("Resources") if isinstance(document, dict) else None
    if not isinstance(resources, dict):
        return []
    lines = text.splitlines()
    records = []
    for logical_id, body in resources.items():
        metadata = body.get("Metadata") if isinstance(body, dict) else None
        if isinstance(metadata, dict) and "eksjoin" in metadata:
            line = next((n for n, t in enumerate(lines, 1) if t.strip().strip('"').startswith(str(logical_id))), 1)
            records.append(suppress.metadata_ignore(metadata["eksjoin"], display, line, str(logical_id)))
    return records


def _run_notices(
    inventory: Inventory, results: list[Result], paths: list[Path], diagnostics: list[Diagnostic]
) -> list[Finding]:
    """Never green by accident: a run that read nothing, or decided nothing, says so. The
    checks counted are those of every root evaluated, also outside the asked-for files: a
    changed variables file whose module was checked through its callers was checked."""
    where = ", ".join(str(p) for p in paths) or "."
    if inventory.file_count == 0:
        message = (
            f"No Terraform, CloudFormation, eksctl, plan JSON or aws-auth file was found under {where}, "
            "so nothing was checked."
        )
        return [_run_notice(NO_INPUT, message)]
    if not any(r.outcome in ("pass", "fail") for r in results):
        unknown = sum(1 for r in results if r.outcome == "unknown")
        unloaded = sum(1 for d in diagnostics if d.code == MODULE_NOT_LOADED)
        message = f"{inventory.file_count} file(s) under {where} were read, but no check passed or failed: " + (
            f"{unloaded} module(s) could not be loaded (LOAD-006), so nothing they create was checked."
            if unloaded
            else f"{unknown} check(s) could not be decided."
            if unknown
            else "they declare no EKS cluster, node group, node role or network that a rule applies to."
        )
        return [_run_notice(NOTHING_DECIDED, message)]
    return []


def _run_notice(code: str, message: str) -> Finding:
    return Finding(
        rule_id=code,
        severity="warning",
        title=TITLES[code],
        message=message,
        location=Location("", 0, 0),
        resource="",
        fix=HELP[code],
        outcome="notice",
    )


def diagnostic_finding(diagnostic: Diagnostic) -> Finding:
    return Finding(
        rule_id=diagnostic.code,
        severity=diagnostic.severity,
        title=TITLES.get(diagnostic.code, "Input problem"),
        message=diagnostic.message,
        location=diagnostic.location,
        resource="",
        fix=diagnostic.fix,
        outcome="load",
    )


def summarize(analysis: Analysis) -> dict[str, Any]:
    counts = {s: sum(1 for f in analysis.findings if f.severity == s) for s in ("error", "warning", "info")}
    hidden = {(f.rule_id, f.location) for f in analysis.suppressed}
    return {
        **counts,
        "suppressed": len(analysis.suppressed),
        "files": analysis.inventory.file_count,
        "resources": len(analysis.model.resources),
        "checks": len(analysis.results),
        "passed": analysis.count("pass"),
        "failed": sum(
            1 for r in analysis.results if r.outcome == "fail" and (r.rule.id, r.finding.location) not in hidden
        ),
        "unknown": analysis.count("unknown"),
        "skipped": analysis.count("skip"),
        "modules_loaded": analysis.inventory.modules_loaded,
        "modules_not_loaded": analysis.inventory.modules_not_loaded,
        "unknown_causes": unknown_causes(r.reason for r in analysis.results if r.outcome == "unknown"),
    }
