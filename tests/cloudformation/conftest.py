"""Shared fixtures for the CloudFormation tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from analyzer.cloudformation import CfnTemplate, load_template_text
from analyzer.cloudformation.equality import NO_VALUE

DATA = Path(__file__).resolve().parents[1] / "data" / "cloudformation"
CORPUS = (Path(__file__).resolve().parents[2] / "../shared/corpus").resolve()


def subject_template(expression: str) -> str:
    """The base template with one more resource whose property ``Value`` is ``expression``."""
    base = (DATA / "intrinsics-base.yaml").read_text()
    return base + f"  Subject:\n    Type: Custom::Subject\n    Properties:\n      Value: {expression}\n"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not available")
    return CORPUS


@pytest.fixture
def evaluate() -> Callable[..., tuple[Any, CfnTemplate]]:
    """Evaluate one expression (YAML text) in the base template: (value, template).

    The value is NO_VALUE when the expression removed the property (AWS::NoValue).
    """

    def run(expression: str, parameters: Mapping[str, str] = {}) -> tuple[Any, CfnTemplate]:
        template = load_template_text(
            subject_template(expression), display="subject.yaml", key="t", parameters=parameters
        )
        subject = next(r for r in template.resources if r.logical_id == "Subject")
        return subject.properties.get("Value", NO_VALUE), template

    return run


@pytest.fixture
def load_text() -> Callable[..., CfnTemplate]:
    def run(text: str, parameters: Mapping[str, str] = {}) -> CfnTemplate:
        return load_template_text(text, display="inline.yaml", key="t", parameters=parameters)

    return run
