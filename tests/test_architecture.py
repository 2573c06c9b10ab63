"""The shape of the code: no import cycles, a model that needs no rule or knowledge module to
import, and the pipeline's stages in their order."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import REPO

from analyzer import pipeline
from analyzer.engine.catalogue import load_catalogue

PACKAGE = REPO / "analyzer"


def _module_name(path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _owner(name: str) -> str | None:
    """The analyzer module an imported name lives in (``a.b.c`` may be a name in ``a.b``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: str, node: ast.stmt) -> set[str]:
    """Modules imported by one top-level statement (imports inside functions run later and
    are not edges of the import-time graph; ``if TYPE_CHECKING:`` blocks never run)."""
    if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
        return set()
    found: set[str] = set()
    for item in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
        if isinstance(item, ast.Import):
            found |= {_owner(alias.name) for alias in item.names if alias.name.startswith("analyzer")}
        elif isinstance(item, ast.ImportFrom):
            target = item.module or ""
            if item.level:
                base = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
                for _ in range(item.level - 1):
                    base = base.rpartition(".")[0]
                target = f"{base}.{target}" if target else base
            if target.startswith("analyzer"):
                found |= {_owner(f"{target}.{alias.name}") for alias in item.names}
    return found - {None, module}


def _import_graph() -> dict[str, set[str]]:
    return {
        module: set().union(*(_imported(module, node) for node in ast.parse(path.read_text()).body))
        for module, path in MODULES.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, or None (depth-first search with colours)."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles_in_the_analyzer():
    graph = _import_graph()
    assert "analyzer.model.graph" in graph and graph["analyzer.pipeline"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_model_imports_no_rule_or_knowledge_module():
    code = (
        "import sys, analyzer.model\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith(('analyzer.knowledge', 'analyzer.engine'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert loaded.stdout.split() == []


def test_the_pipeline_runs_its_stages_in_order(monkeypatch):
    calls: list[str] = []

    def spy(owner, name: str) -> None:
        real = getattr(owner, name)

        def recorded(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, recorded)

    for name in (
        "discover",
        "load_inventory",
        "Model",
        "classify_node_candidates",
        "run_rules",
        "apply_precedence",
        "findings_of",
    ):
        spy(pipeline, name)
    spy(pipeline.roots, "through_callers")
    # evaluated, not taken from the cache of the checks (tests/test_checkcache.py)
    analysis = pipeline.analyze([REPO / "examples"], load_catalogue(), pipeline.Options(cache=False))
    assert analysis.results
    assert calls == [
        "discover",  # files and their formats
        "through_callers",  # a called module folder is linted through its callers
        "load_inventory",  # parse, evaluate and normalize each format to canonical resources
        "Model",  # index resources; links and facts are answered from here
        "classify_node_candidates",  # which Auto Scaling groups and instances are EKS nodes
        "run_rules",  # every selected rule on every subject of its kinds
        "apply_precedence",  # superseded_by, among the rules that ran
        "findings_of",  # one defect, one finding
    ]
