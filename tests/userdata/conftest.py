"""Fixtures for the user-data tests: hand-written data, the corpus, and IaC holes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.values import PartialStr, Unknown

DATA = Path(__file__).resolve().parents[1] / "data" / "userdata"
CORPUS = (Path(__file__).resolve().parents[2] / "../shared/corpus").resolve()


@pytest.fixture
def data_text() -> Callable[[str], str]:
    return lambda name: (DATA / name).read_text(encoding="utf-8")


@pytest.fixture
def data_bytes() -> Callable[[str], bytes]:
    return lambda name: (DATA / name).read_bytes()


@pytest.fixture
def with_holes() -> Callable[[str], str | PartialStr]:
    """Turn every ``${name}`` of a template into a hole, as IaC evaluation leaves unknowns."""

    def build(template: str) -> str | PartialStr:
        pieces: list[object] = []
        position = 0
        while (start := template.find("${", position)) >= 0:
            end = template.index("}", start)
            pieces += [template[position:start], Unknown(f"var.{template[start + 2 : end]}")]
            position = end + 1
        pieces.append(template[position:])
        return PartialStr.join(pieces)

    return build


@pytest.fixture
def corpus() -> Callable[[str], Path]:
    def locate(relative: str) -> Path:
        path = CORPUS / relative
        if not path.exists():
            pytest.skip(f"corpus not available: {relative}")
        return path

    return locate
