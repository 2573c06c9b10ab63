"""The limits table of docs/architecture.md is the code's: every limit constant in analyzer/
has its row there, with the value the code enforces."""

from __future__ import annotations

import ast
import importlib
import re

from conftest import REPO

DOC = REPO / "docs" / "architecture.md"
LIMIT_NAME = re.compile(r"^_?(?:[A-Z0-9]+_)*(?:MAX|LIMIT)(?:_[A-Z0-9]+)*$")

# Each limit constant: the start of its row's first cell, and how its value is written there
# ("bytes": 16 KiB, 1 MiB, 2 GiB; "count": 10,000).
LIMITS = {
    "analyzer.discovery.MAX_TERRAFORM_BYTES": ("One file", "bytes"),
    "analyzer.discovery.MAX_FILE_BYTES": ("One file", "bytes"),
    "analyzer.terraform.reads.MAX_FILE_BYTES": ("One file", "bytes"),
    "analyzer.terraform.parsing.MAX_FILE_BYTES": ("One file", "bytes"),
    "analyzer.terraform.plan.MAX_PLAN_BYTES": ("One file", "bytes"),
    "analyzer.cloudformation.decode.MAX_FILE_BYTES": ("CloudFormation template", "bytes"),
    "analyzer.cloudformation.decode.MAX_EXPANDED_NODES": ("CloudFormation template", "count"),
    "analyzer.cloudformation.decode.MAX_KEY_COMPARISONS": ("CloudFormation template", "count"),
    "analyzer.cloudformation.decode.MAX_PARSE_DIAGNOSTICS": ("CloudFormation template", "count"),
    "analyzer.cloudformation.decode.MAX_DEPTH": ("YAML nesting", "count"),
    "analyzer.cloudformation.evaluator.MAX_DEPTH": ("CloudFormation values", "count"),
    "analyzer.cloudformation.evaluator.MAX_CIDR_COUNT": ("CloudFormation values", "count"),
    "analyzer.cloudformation.parameters.MAX_PARAMETER_FILE_BYTES": ("eksjoin's own files", "bytes"),
    "analyzer.suppress.MAX_BASELINE_BYTES": ("eksjoin's own files", "bytes"),
    "analyzer.config.MAX_CONFIG_BYTES": ("eksjoin's own files", "bytes"),
    "analyzer.yamlsafe.MAX_DEPTH": ("YAML nesting", "count"),
    "analyzer.jsonsafe.MAX_DEPTH": ("JSON nesting", "count"),
    "analyzer.terraform.parsing.MAX_BLOCK_DEPTH": ("Nested Terraform blocks", "count"),
    "analyzer.terraform.instances.MAX_REFERENCE_DEPTH": ("Nested Terraform references", "count"),
    "analyzer.terraform.instances.MAX_INSTANCES": ("Instances of one `count`", "count"),
    "analyzer.terraform.budgets.MAX_MODULE_DEPTH": ("Nested Terraform module calls", "count"),
    "analyzer.terraform.budgets.MAX_MODULE_INSTANCES": ("Terraform module instances", "count"),
    "analyzer.terraform.budgets.MAX_STRING_CHARS": ("One Terraform string", "count"),
    "analyzer.terraform.budgets.MAX_COLLECTION_VALUES": ("One Terraform list", "count"),
    "analyzer.terraform.budgets.MAX_YAML_NODES": ("Terraform `yamldecode`", "count"),
    "analyzer.terraform.functions.filesystem.FILESET_MAX_MATCHES": ("Terraform `fileset`", "count"),
    "analyzer.boundary.GLOB_MAX_ENTRIES": ("Terraform `fileset`", "count"),
    "analyzer.userdata.safe_yaml.MAX_ALIASES": ("Cloud-init YAML", "count"),
    "analyzer.userdata.safe_yaml.MAX_EXPANDED_NODES": ("Cloud-init YAML", "count"),
    "analyzer.userdata.encoding.MAX_DECODED_BYTES": ("Decompressed user data", "bytes"),
    "analyzer.userdata.shell_lexer.MAX_LINE": ("One line of a user-data shell script", "bytes"),
    "analyzer.userdata.shell_lexer.MAX_EXPANSIONS": ("Shell expansions", "count"),
    "analyzer.userdata.shell.MAX_DEPTH": ("Scripts a user-data script runs", "count"),
    "analyzer.modules.fetch.MAX_ARCHIVE_BYTES": ("Module download", "bytes"),
    "analyzer.modules.archive.MAX_UNPACKED_BYTES": ("Module download", "bytes"),
    "analyzer.modules.archive.MAX_MEMBERS": ("Module download", "count"),
    "analyzer.modules.cache.MAX_CACHE_BYTES": ("Module download", "bytes"),
    "analyzer.modules.registry.MAX_JSON_BYTES": ("Registry answers", "bytes"),
    "analyzer.modules.http.MAX_REDIRECTS": ("Registry answers", "count"),
    "analyzer.modules.cliconfig.MAX_CONFIG_BYTES": ("Registry answers", "bytes"),
    "analyzer.terraform.prefetch.MAX_NESTING": ("Rounds of module downloads", "count"),
    "analyzer.resultcache.MAX_CACHE_BYTES": ("Result cache", "bytes"),
    "analyzer.checkcache.MAX_CACHE_BYTES": ("Cache of the checks", "bytes"),
}

# Constants named like limits that bound no input: facts about AWS, the size of a report, or
# room the interpreter is given.
NOT_INPUT_LIMITS = {
    "analyzer.knowledge.compute.MAX_NAME": "EKS's own limit, reported by a rule",
    "analyzer.reporters.markdown.DEFAULT_MAX_CHARS": "the default of --max-chars, a report's size",
    "analyzer.reporters.markdown.MAX_ROWS_PER_RULE": "rows of one rule in a markdown report",
    "analyzer.reporters.joinpath.MAX_EDGES": "edges of the join-path diagram",
    "analyzer.terraform.loader._RECURSION_LIMIT": "Python's recursion limit in the loader thread, not an input limit",
}


def _module_name(path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _limit_constants() -> set[str]:
    """Module-level names like MAX_DEPTH, FILESET_MAX_MATCHES, _RECURSION_LIMIT in analyzer/."""
    found: set[str] = set()
    for path in sorted((REPO / "analyzer").rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets:
                if isinstance(target, ast.Name) and LIMIT_NAME.match(target.id):
                    found.add(f"{_module_name(path)}.{target.id}")
    return found


def _rows() -> dict[str, str]:
    """The limits table: its first cell -> its value cell."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Limits") : text.index("\n## ", text.index("## Limits") + 1)]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("Limit", "---"):
            rows[cells[0]] = cells[1]
    return rows


def _written(value: int, unit: str) -> set[str]:
    if unit == "count":
        return {f"{value:,}"}
    written = {f"{value:,} bytes"}
    for size, name in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if value % size == 0:
            written.add(f"{value // size} {name}")
            break
    return written


def _value_of(constant: str) -> int:
    module, _, name = constant.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_limit_constant_is_in_the_table() -> None:
    missing = _limit_constants() - set(LIMITS) - set(NOT_INPUT_LIMITS)
    assert not missing, f"limits not in docs/architecture.md's table (add a row and an entry in LIMITS): {missing}"
    gone = (set(LIMITS) | set(NOT_INPUT_LIMITS)) - _limit_constants()
    assert not gone, f"listed here but no longer in the code: {gone}"


def test_each_limit_has_the_codes_value_in_its_row() -> None:
    rows = _rows()
    wrong = []
    for constant, (label, unit) in sorted(LIMITS.items()):
        row = next((value for name, value in rows.items() if name.startswith(label)), None)
        assert row is not None, f"no row starting {label!r} in the limits table"
        value = _value_of(constant)
        if not any(re.search(rf"(?<![\d,.]){re.escape(text)}(?![\d,])", row) for text in _written(value, unit)):
            wrong.append(f"{constant} = {value:,}: the row {label!r} says {row!r}")
    assert not wrong, "\n".join(wrong)
