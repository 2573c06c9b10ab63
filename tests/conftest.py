"""Shared test helpers: paths, the rule catalogue, and running the analyzer."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# The suite never reaches the internet: remote modules come only from a registry a test
# starts on 127.0.0.1 (tests/modules), and every run writes to a throw-away module cache.
os.environ["EKSJOIN_OFFLINE"] = "1"
os.environ["EKSJOIN_CACHE_DIR"] = tempfile.mkdtemp(prefix="eksjoin-test-cache-")
os.environ["TF_CLI_CONFIG_FILE"] = os.devnull
os.environ["EKSJOIN_FETCH_TIMEOUT"] = "5"
# Strict mode for the whole suite: an internal error inside a fact, a predicate or an evaluator
# raises (and fails the test) instead of becoming an unknown value or a "could not evaluate" finding.
os.environ["EKSJOIN_STRICT"] = "1"

# Every in-process lint of the suite runs under the audit hook of tests/boundary_audit.py, and a
# test whose lint read outside its boundary fails (issue 14's acceptance: the audit-hook test over
# the whole suite). EKSJOIN_AUDIT_LINTS=0 turns it off (it costs about an eighth more CPU time);
# tests/test_boundary_audit.py always runs.
AUDIT_LINTS = os.environ.get("EKSJOIN_AUDIT_LINTS", "1") == "1"

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
REGISTRY = (REPO / ".." / "shared" / "registry").resolve()


@pytest.fixture(scope="session")
def catalogue():
    from analyzer.engine.catalogue import load_catalogue

    return load_catalogue()


def corpus_path(*parts: str) -> Path:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus not available: {path}")
    return path


@pytest.fixture(scope="session")
def corpus_analysis():
    """The whole corpus analyzed once per test process (it takes several seconds)."""
    if not CORPUS.is_dir():
        pytest.skip("corpus not available")
    from analyzer.engine.catalogue import load_catalogue
    from analyzer.pipeline import analyze

    return analyze([CORPUS], load_catalogue())


def pytest_configure(config):
    config.addinivalue_line("markers", "reads_outside: the test makes a lint read outside its boundary on purpose")
    if AUDIT_LINTS:
        import boundary_audit

        boundary_audit.watch_every_lint()


@pytest.fixture(autouse=True)
def _lints_read_only_inside_their_boundary(request):
    if not AUDIT_LINTS:
        yield
        return
    import boundary_audit

    boundary_audit.take_outside()
    yield
    found = boundary_audit.take_outside()
    if found and not request.node.get_closest_marker("reads_outside"):
        pytest.fail("a lint read outside its boundary:\n" + "\n".join(map(str, found[:20])))
