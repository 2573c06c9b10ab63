"""Loaders: typed inputs -> canonical resources, one normalizer per format.

Each format's loader parses with a real parser and reports problems as diagnostics;
nothing here knows about AWS: the normalizers do.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer import boundary, jsonsafe, progress
from analyzer.boundary import Boundary
from analyzer.diagnostics import PARSE_ERROR, UNREADABLE, Diagnostic
from analyzer.discovery import Inventory, SourceFile, looks_like_plan
from analyzer.location import Location
from analyzer.model.resource import Resource
from analyzer.strict import strict

if TYPE_CHECKING:
    from analyzer.pipeline import Options

Loaded = tuple[list[Resource], list[Diagnostic]]


def load_inventory(inventory: Inventory, options: Options) -> Loaded:
    resources: list[Resource] = []
    diagnostics: list[Diagnostic] = []
    # A plan holds the exact values: the HCL beside it only lends file and line numbers.
    _set_aside_planned_configurations(inventory)
    progress.current().working_on("finding Terraform root modules")
    fetcher, terraform_roots = _terraform_roots(inventory, options)
    progress.current().expect(len(terraform_roots) + len(inventory.yaml_files) + len(inventory.json_files))
    for found, problems in (
        _load_terraform(inventory, options, fetcher, terraform_roots),
        _load_yaml_files(inventory, options),
        _load_json_files(inventory, options),
    ):
        resources.extend(found)
        diagnostics.extend(problems)
    result_cache(options).evict()
    return resources, diagnostics


def result_cache(options: Options):
    from analyzer.resultcache import NoCache, ResultCache

    return ResultCache() if options.cache else NoCache()


def cached(source: SourceFile, options: Options, kind: str, load: Callable[[], Loaded]) -> Loaded:
    """``load()`` of one file, from the result cache while the file's bytes and the options
    that change its evaluation are the same (see analyzer.resultcache). A defect raised by
    ``load`` is never stored: ``contained`` reports it, and the next run tries again."""
    from analyzer import resultcache
    from analyzer.resultcache import file_digest, key_of

    content = file_digest(source.path)
    if content is None:
        resultcache.not_from_cache()
        return load()
    cache = result_cache(options)
    key = key_of(
        kind, str(boundary.resolved(source.path)), source.display, content, sorted(options.cfn_parameters.items())
    )
    hit = cache.get(key)
    if hit is not None:
        resultcache.used(key, cache.last_digest)
        return hit
    found, problems = load()
    resultcache.used(key, cache.put(key, (found, problems)))
    return found, problems


def _set_aside_planned_configurations(inventory: Inventory) -> None:
    planned: set[Path] = set()
    for source in inventory.json_files:
        try:
            data = jsonsafe.loads(source.read_text())
        except (ValueError, jsonsafe.TooDeep):  # reported when the file itself is loaded
            continue
        if looks_like_plan(data) and _plans_a_root_module(data):
            planned.update(d for d in inventory.terraform_dirs if d.is_relative_to(source.path.parent))
    inventory.planned_dirs = {d: inventory.terraform_dirs.pop(d) for d in planned}


def _plans_a_root_module(plan: dict) -> bool:
    """A plan without a planned root module describes no configuration: the HCL beside it
    is analysed on its own."""
    planned = plan.get("planned_values")
    return isinstance(planned, dict) and isinstance(planned.get("root_module"), dict)


def display_path(path: Path) -> str:
    """A folder as findings name it: relative to the working directory when inside it."""
    try:
        return str(boundary.resolved(Path(path).absolute()).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class TerraformRoot:
    directory: Path
    key: str  # its result cache entry
    evaluate: Callable[[], tuple[Loaded, bool]]


def _terraform_roots(inventory: Inventory, options: Options) -> tuple[Any, list[TerraformRoot]]:
    """The run's module fetcher and the root modules to evaluate, in order, each with its
    result cache key; finding them reads only module calls (from the cache when unchanged)."""
    if not inventory.terraform_dirs:
        return None, []
    from analyzer.resultcache import key_of
    from analyzer.terraform import reads
    from analyzer.terraform.rootdirs import find_root_modules

    by_root: dict[Path, list[Path]] = defaultdict(list)
    for directory, files in inventory.terraform_dirs.items():
        by_root[files[0].root].append(directory)
    fetcher = module_fetcher(options)
    cache = result_cache(options)
    cwd = Path.cwd()
    found_roots: list[TerraformRoot] = []
    for root, directories in by_root.items():
        readable = Boundary.for_paths([root], widen=options.root).roots
        searched = (root, *readable, fetcher.cache.root)
        settings = (str(root), str(cwd), [str(p) for p in searched], [str(p) for p in options.var_files])
        settings += (sorted(options.variables.items()), fetcher.offline)

        def calls(directory: Path, settings: tuple = settings) -> list[Path]:
            progress.current().working_on(f"finding Terraform root modules: {display_path(directory)}")
            key = key_of("terraform-calls", str(directory), settings)
            found = reads.reused_or_made(
                cache, key, fetcher, lambda: ([str(p) for p in _local_calls(directory, cwd)], True)
            )
            return [Path(p) for p in found]

        def evaluated(directory: Path, root: Path = root, searched: tuple = searched, readable=readable):
            # The parser and the evaluator are imported here, on a cache miss: a warm run needs neither.
            from analyzer.terraform.loader import load_root_in_worker
            from analyzer.terraform.normalize import normalize
            from analyzer.terraform.prefetch import prefetch_modules

            prefetch_modules([directory], fetcher, searched, cwd)
            configuration = load_root_in_worker(
                directory,
                scan_root=root,
                var_files=options.var_files,
                variables=options.variables,
                display_root=cwd,
                fetcher=fetcher,
                readable=readable,
            )
            found, problems = _contained(display_path(configuration.root), lambda: (normalize(configuration), []))
            return (found, configuration.diagnostics + problems), not problems

        for directory in find_root_modules(sorted(directories), cwd, calls):
            key = key_of("terraform-root", str(directory), settings)
            found_roots.append(TerraformRoot(directory, key, lambda d=directory, e=evaluated: e(d)))
    return fetcher, found_roots


def _load_terraform(inventory: Inventory, options: Options, fetcher: Any, found_roots: list[TerraformRoot]) -> Loaded:
    if fetcher is None:
        return [], []
    from analyzer.terraform import reads

    cache = result_cache(options)
    resources: list[Resource] = []
    diagnostics: list[Diagnostic] = []
    for terraform_root in found_roots:
        progress.current().working_on(display_path(terraform_root.directory))
        found, problems = reads.reused_or_made(cache, terraform_root.key, fetcher, terraform_root.evaluate)
        resources.extend(found)
        diagnostics.extend(problems)
        progress.current().finished_one()
    inventory.modules_loaded, inventory.modules_not_loaded = len(fetcher.loaded), len(fetcher.failed)
    return resources, diagnostics + _cli_config_diagnostics(fetcher)


def _cli_config_diagnostics(fetcher: Any) -> list[Diagnostic]:
    """A finding for each problem of the Terraform CLI configuration a module download used
    (one over 1 MiB, not HCL, unreadable): what it says was not applied, and nothing else says so."""
    config = fetcher.loaded_cli_config
    found = []
    for problem in config.problems if config is not None else ():
        message = f"The Terraform CLI configuration {problem.path} {problem.why}, so module downloads went without it"
        fix = "Make the file valid and under 1 MiB, or point TF_CLI_CONFIG_FILE at one that is."
        found.append(Diagnostic(UNREADABLE, message, Location(str(problem.path)), "warning", fix))
    return found


def _local_calls(directory: Path, cwd: Path) -> list[Path]:
    from analyzer.terraform.loader import local_calls_of

    return local_calls_of(directory, cwd)


def module_fetcher(options: Options):
    """One fetcher for the whole run: each remote module is fetched once for every root."""
    import os

    from analyzer.modules.fetch import ModuleFetcher

    offline = options.offline
    if offline is None:
        offline = os.environ.get("EKSJOIN_OFFLINE", "").lower() in ("1", "true", "yes")
    return ModuleFetcher(offline=offline, progress=_show_on_terminal if sys.stderr.isatty() else None)


def _show_on_terminal(what: str) -> None:
    with progress.current().paused():  # the message gets a line of its own, not the end of the progress line
        print(f"eksjoin: {what}", file=sys.stderr, flush=True)


def contained(source: SourceFile, load: Callable[[], Loaded]) -> Loaded:
    """What ``load`` makes of one file; a defect met while loading it costs that file only:
    it is a finding on the file and the other files are analysed. In strict mode (the test
    suite) the defect is raised, so that it fails a test instead."""
    return _contained(source.display, load)


def _contained(display: str, load: Callable[[], Loaded]) -> Loaded:
    try:
        return load()
    except Exception as exc:
        if strict():
            raise
        message = (
            f"{display} could not be analysed because of a defect in eksjoin "
            f"({type(exc).__name__}: {exc}); the other files were analysed. Please report it."
        )
        return [], [Diagnostic(UNREADABLE, message, Location(display), "warning")]


def _load_yaml_files(inventory: Inventory, options: Options) -> Loaded:
    resources: list[Resource] = []
    diagnostics: list[Diagnostic] = []
    for source in inventory.yaml_files:
        progress.current().working_on(source.display)
        found, problems = contained(
            source, lambda source=source: cached(source, options, "yaml", lambda: load_yaml_source(source, options))
        )
        resources.extend(found)
        diagnostics.extend(problems)
        progress.current().finished_one()
    return resources, diagnostics


def load_yaml_source(source: SourceFile, options: Options) -> Loaded:
    """A YAML file is CloudFormation, eksctl ClusterConfig, Kubernetes manifests, or none."""
    from analyzer.yamlsafe import load_yaml_documents

    text = source.read_text()
    documents, problems = load_yaml_documents(text, source.display)
    if problems and _has_cloudformation_tags(problems):
        # Short-form intrinsics (!Ref, !Sub) are not plain YAML: cfn-lint's decoder reads them.
        return _load_cloudformation(source, options)
    if problems:
        return [], [_quiet_unless_iac(p, text) for p in problems]
    from analyzer.cloudformation.sniff import sniff_template

    if any(sniff_template(d.data) for d in documents):
        return _load_cloudformation(source, options)
    return _load_yaml_documents(source, documents)


def _has_cloudformation_tags(problems: list[Diagnostic]) -> bool:
    return any(
        "could not determine a constructor for the tag '!" in p.message or "tag '!" in p.message for p in problems
    )


def _quiet_unless_iac(problem: Diagnostic, text: str) -> Diagnostic:
    """A YAML file that fails to parse and names no IaC format (say a Helm template) is info."""
    markers = ("AWSTemplateFormatVersion", "eksctl.io/", "AWS::", "aws-auth")
    if any(marker in text for marker in markers):
        return problem
    return Diagnostic(
        problem.code,
        problem.message + " (not recognised as CloudFormation, eksctl or an aws-auth manifest)",
        problem.location,
        "info",
        problem.fix,
    )


def _load_yaml_documents(source: SourceFile, documents: list[Any]) -> Loaded:
    from analyzer.eksctl.validate import is_cluster_config
    from analyzer.kubernetes import is_aws_auth, is_ec2_node_class, normalize_aws_auth, normalize_node_class

    resources: list[Resource] = []
    diagnostics: list[Diagnostic] = []
    for document in documents:
        if is_cluster_config(document.data):
            from analyzer.eksctl.normalize import normalize_cluster_config

            found, problems = normalize_cluster_config(document, source.display)
        elif is_aws_auth(document.data):
            found, problems = normalize_aws_auth(document, source.display)
        elif is_ec2_node_class(document.data):
            found, problems = normalize_node_class(document, source.display)
        else:
            continue
        resources.extend(found)
        diagnostics.extend(problems)
    return resources, diagnostics


def _load_cloudformation(source: SourceFile, options: Options) -> Loaded:
    from analyzer.cloudformation import load_template
    from analyzer.cloudformation.normalize import normalize

    template = load_template(source.path, display=source.display, key=source.display, parameters=options.cfn_parameters)
    return normalize(template), template.diagnostics


def _load_json_files(inventory: Inventory, options: Options) -> Loaded:
    resources: list[Resource] = []
    diagnostics: list[Diagnostic] = []
    for source in inventory.json_files:
        progress.current().working_on(source.display)
        found, problems = _load_json_file(source, inventory, options)
        resources.extend(found)
        diagnostics.extend(problems)
        progress.current().finished_one()
    return resources, diagnostics


def _load_json_file(source: SourceFile, inventory: Inventory, options: Options) -> Loaded:
    """A JSON file is a CloudFormation template, a Terraform plan, or none of eksjoin's."""
    from analyzer.cloudformation.sniff import sniff_template

    try:
        data = jsonsafe.loads(source.read_text())
    except jsonsafe.TooDeep:
        if source.path.name.endswith(".tfvars.json"):  # variables files: the Terraform loader says so
            return [], []
        message = (
            f"{source.display} is JSON nested more than {jsonsafe.MAX_DEPTH} levels deep, over the limit "
            "eksjoin reads; the file was not analysed"
        )
        return [], [Diagnostic(UNREADABLE, message, Location(source.display))]
    except ValueError as exc:
        looks_like = _what_broken_json_looks_like(source)
        if not looks_like:
            return [], []
        message = f"{source.path.name} looks like {looks_like} but is not valid JSON ({exc}); it was not analysed"
        return [], [Diagnostic(PARSE_ERROR, message, Location(source.display))]
    if sniff_template(data):
        return contained(
            source,
            lambda: cached(source, options, "cloudformation-json", lambda: _load_cloudformation(source, options)),
        )
    if looks_like_plan(data):
        return contained(source, lambda: _load_plan(source, inventory))
    return [], []


def _what_broken_json_looks_like(source: SourceFile) -> str:
    """What a file that is not valid JSON was meant to be, judged by the keys it spells: a
    CloudFormation template or a Terraform plan is reported; any other JSON file (editor
    settings with comments, say) is not eksjoin's to judge."""
    if source.path.name.endswith((".template.json", ".cfn.json")):
        return "a CloudFormation template"
    text = source.read_text()
    if '"AWSTemplateFormatVersion"' in text or ('"Resources"' in text and '"AWS::' in text):
        return "a CloudFormation template"
    if '"format_version"' in text and any(
        f'"{key}"' in text for key in ("planned_values", "resource_changes", "terraform_version")
    ):
        return "a Terraform plan (terraform show -json)"
    return ""


def _load_plan(source: SourceFile, inventory: Inventory) -> Loaded:
    from analyzer.resultcache import not_from_cache
    from analyzer.terraform import load_plan

    not_from_cache()
    from analyzer.terraform.normalize import normalize

    hcl_dirs = [d for d in inventory.planned_dirs if d.is_relative_to(source.path.parent)]
    configuration = load_plan(source.path, scan_root=source.root, hcl_dirs=hcl_dirs)
    return normalize(configuration), configuration.diagnostics
