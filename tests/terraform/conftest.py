"""Shared helpers: evaluate one expression, write a small configuration, load it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from analyzer.terraform import TfBlock, TfConfiguration, load_terraform
from analyzer.terraform.expressions import IsolatedContext, Scope, evaluate
from analyzer.terraform.files import FileAccess
from analyzer.terraform.parsing import parse_expression


def evaluate_text(
    text: str, bindings: dict[str, Any] | None = None, base_dir: Path | None = None, reports: list | None = None
) -> Any:
    """Evaluate one HCL expression with local names bound; file functions read under ``base_dir``."""
    files = None
    if base_dir is not None:
        files = FileAccess(base_dir, base_dir, base_dir, (reports if reports is not None else []).append)
    context = IsolatedContext(files, (reports if reports is not None else []).append)
    return evaluate(parse_expression(text, "test.tf"), Scope(context, dict(bindings or {}), "test.tf"))


@pytest.fixture
def ev() -> Callable[..., Any]:
    return evaluate_text


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write ``{relative path: text}`` under tmp_path (text dedented) and return tmp_path."""

    def write(files: dict[str, str]) -> Path:
        for relative, text in files.items():
            target = tmp_path / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text))
        return tmp_path

    return write


def load_single(directory: Path, scan_root: Path | None = None, **options: Any) -> TfConfiguration:
    configurations = load_terraform([directory], scan_root=scan_root or directory, **options)
    assert len(configurations) == 1
    return configurations[0]


def block_at(configuration: TfConfiguration, address: str) -> TfBlock:
    matches = [b for b in configuration.blocks if b.address == address]
    assert matches, f"{address} not in {[b.address for b in configuration.blocks]}"
    return matches[0]


@pytest.fixture
def load() -> Callable[..., TfConfiguration]:
    """``load(directory, scan_root=None, **options)``: the one configuration rooted there."""
    return load_single


@pytest.fixture
def block() -> Callable[[TfConfiguration, str], TfBlock]:
    """``block(configuration, address)``: the block with that address (fails if absent)."""
    return block_at
