"""Entry points: find the root modules among the directories discovery found, evaluate each."""

from __future__ import annotations

import contextvars
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from analyzer.diagnostics import EVALUATION, Diagnostic
from analyzer.location import Location
from analyzer.strict import strict
from analyzer.terraform import reads
from analyzer.terraform.collect import collect_blocks
from analyzer.terraform.files import display_path
from analyzer.terraform.instances import ModuleInstance, RootContext
from analyzer.terraform.module import load_module_definition, local_module_dirs
from analyzer.terraform.ordering import order_blocks
from analyzer.terraform.parsing import parse_hcl_file
from analyzer.terraform.rootdirs import find_root_modules
from analyzer.terraform.types import TfConfiguration
from analyzer.terraform.variables import root_input_values

# Evaluation recurses through expressions and lazy references; a worker thread with a large
# stack keeps deep (but finite) configurations from hitting the interpreter's limits.
_STACK_BYTES = 256 * 1024 * 1024
_RECURSION_LIMIT = 20000

__all__ = ["find_root_modules", "load_terraform", "parse_hcl_file"]


def load_terraform(
    module_dirs: list[Path],
    *,
    scan_root: Path,
    var_files: Sequence[Path] = (),
    variables: Mapping[str, str] = {},
    display_root: Path | None = None,
    fetcher=None,
    readable: tuple[Path, ...] = (),
) -> list[TfConfiguration]:
    """One evaluated configuration per root module among ``module_dirs``.

    A directory that another directory of the list calls as a local module
    (``source = "../x"``) is not a root; every other directory is. ``var_files`` and
    ``variables`` (``--var-file``/``--var``) apply to every root.
    """
    display_root = display_root or scan_root
    roots = find_root_modules(module_dirs, display_root)
    return [
        _run_with_deep_stack(
            lambda d=directory: load_root_module(
                d,
                scan_root=scan_root,
                var_files=var_files,
                variables=variables,
                display_root=display_root,
                fetcher=fetcher,
                readable=readable,
            )
        )
        for directory in roots
    ]


def local_calls_of(directory: Path, display_root: Path) -> list[Path]:
    return local_module_dirs(load_module_definition(directory, display_root))


def load_root_in_worker(root_dir: Path, **options: Any) -> TfConfiguration:
    """``load_root_module`` on a thread with a deep stack."""
    return _run_with_deep_stack(lambda: load_root_module(root_dir, **options))


def load_root_module(
    root_dir: Path,
    *,
    scan_root: Path,
    var_files: Sequence[Path] = (),
    variables: Mapping[str, str] = {},
    display_root: Path | None = None,
    fetcher=None,
    readable: tuple[Path, ...] = (),
) -> TfConfiguration:
    """Evaluate the configuration whose root module is ``root_dir``.

    ``fetcher`` (a ModuleFetcher) brings registry, git and archive modules; without it they
    stay Unknown. ``readable``: further directories local module sources may point into.
    """
    display_root = display_root or scan_root
    root_dir = Path(root_dir).resolve()
    definition = load_module_definition(root_dir, display_root)
    configuration = TfConfiguration(root=root_dir)
    if fetcher is not None:
        readable = (*readable, fetcher.cache.root)
    context = RootContext(root_dir, Path(scan_root), display_root, fetcher, tuple(readable))
    values, problems = root_input_values(root_dir, definition, var_files, variables, display_root)
    root = ModuleInstance(context, definition, "", (), lambda name: (name in values, values.get(name)))
    try:
        for block in collect_blocks(root):
            configuration.blocks.append(block)
        order_blocks(root, configuration.blocks)
        configuration.unloaded_inputs = context.settle_reach()
    except Exception as exc:  # a defect must cost this configuration's remaining blocks, not the run
        if strict():
            raise
        reads.not_cacheable()
        context.report(
            Diagnostic(
                EVALUATION,
                f"internal error while evaluating {display_path(root_dir, display_root)} "
                f"({type(exc).__name__}: {exc}); some blocks are missing",
                Location(display_path(root_dir, display_root)),
                "warning",
            )
        )
    configuration.module_directories = dict(context.module_directories)
    configuration.diagnostics = _unique([*definition.diagnostics, *problems, *context.diagnostics])
    return configuration


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))


def _run_with_deep_stack(work: Callable[[], Any]) -> Any:
    outcome: dict[str, Any] = {}
    context = contextvars.copy_context()  # the run's repository boundary holds in the thread too

    def target() -> None:
        try:
            outcome["value"] = context.run(work)
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    previous_limit = sys.getrecursionlimit()
    previous_size = threading.stack_size()
    try:
        threading.stack_size(_STACK_BYTES)
        sys.setrecursionlimit(max(previous_limit, _RECURSION_LIMIT))
        worker = threading.Thread(target=target, name="terraform-evaluation")
        worker.start()
        worker.join()
    except (RuntimeError, ValueError):  # platform refuses the stack size: evaluate here
        return work()
    finally:
        threading.stack_size(previous_size)
        sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
