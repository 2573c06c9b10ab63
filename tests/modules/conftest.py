"""Fixtures of the tests that fetch real module releases from a registry on 127.0.0.1."""

from __future__ import annotations

import pytest
from conftest import REGISTRY

from .registry_server import RegistryServer


@pytest.fixture(scope="module")
def registry():
    """The releases in ../shared/registry, served as the Terraform registry serves them."""
    with RegistryServer(REGISTRY) as server:
        yield server


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory):
    """One module cache per test file: each release is fetched once, then read from disk."""
    return tmp_path_factory.mktemp("module-cache")
