"""discovery -> loaders -> model (normalize -> link -> facts) -> engine -> suppress."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer import gcpause, roots
from analyzer.boundary import Boundary
from analyzer.causes import unknown_causes
from analyzer.diagnostics import Diagnostic
from analyzer.discovery import Inventory, discover
from analyzer.engine.catalogue import Rule
from analyzer.engine.precedence import apply_precedence
from analyzer.engine.runner import Result, findings_of, run_rules
from analyzer.findings import Finding
from analyzer.knowledge.selfmanaged import classify_node_candidates
from analyzer.loaders import load_inventory
from analyzer.model.graph import Model


@dataclass
class Options:
    var_files: tuple[Path, ...] = ()
    variables: Mapping[str, str] = field(default_factory=dict)
    cfn_parameters: Mapping[str, str] = field(default_factory=dict)
    excludes: tuple[str, ...] = ()
    offline: bool | None = None  # None: EKSJOIN_OFFLINE decides (unset: fetch remote modules)
    root: Path | None = None  # --root: widens the repository boundary local module sources may use


@dataclass
class Analysis:
    model: Model
    results: list[Result]
    findings: list[Finding]
    inventory: Inventory
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)


def build_model(paths: Iterable[Path], options: Options) -> tuple[Model, Inventory]:
    paths = list(paths)
    inventory = discover(roots.scan_targets(paths), options.excludes)
    roots.through_callers(inventory, Boundary.for_paths(paths, widen=options.root))
    resources, diagnostics = load_inventory(inventory, options)
    model = Model(resources, inventory.diagnostics + diagnostics)
    return classify_node_candidates(model), inventory


def analyze(paths: Iterable[Path], rules: list[Rule], options: Options | None = None) -> Analysis:
    options = options or Options()
    paths = list(paths)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with gcpause.trees_frozen():
        model, inventory = build_model(paths, options)
        timings["load"] = time.perf_counter() - started
        started = time.perf_counter()
        scope = roots.Scope.of(paths)
        results = [r for r in apply_precedence(run_rules(rules, model)) if scope.covers_result(r)]
    findings = findings_of(results) + [diagnostic_finding(d) for d in model.diagnostics]
    findings = [f for f in findings if scope.covers(f)]
    timings["rules"] = time.perf_counter() - started
    findings.sort(key=Finding.sort_key)
    return Analysis(model, results, findings, inventory, timings)


def diagnostic_finding(diagnostic: Diagnostic) -> Finding:
    titles = {
        "LOAD-001": "File could not be parsed",
        "LOAD-002": "File was not analyzed",
        "LOAD-003": "Path outside the scanned root was not read",
        "LOAD-004": "Configuration does not match its schema",
        "LOAD-005": "Configuration could not be fully evaluated",
        "LOAD-006": "Module could not be loaded",
    }
    return Finding(
        rule_id=diagnostic.code,
        severity=diagnostic.severity,
        title=titles.get(diagnostic.code, "Input problem"),
        message=diagnostic.message,
        location=diagnostic.location,
        resource="",
        fix=diagnostic.fix,
        outcome="load",
    )


def summarize(analysis: Analysis) -> dict[str, Any]:
    return {
        "files": analysis.inventory.file_count,
        "resources": len(analysis.model.resources),
        "checks": len(analysis.results),
        "passed": analysis.count("pass"),
        "failed": analysis.count("fail"),
        "unknown": analysis.count("unknown"),
        "skipped": analysis.count("skip"),
        "modules_loaded": analysis.inventory.modules_loaded,
        "modules_not_loaded": analysis.inventory.modules_not_loaded,
        "unknown_causes": unknown_causes(r.reason for r in analysis.results if r.outcome == "unknown"),
    }
