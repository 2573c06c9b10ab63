"""The share of decided checks on a corpus of repositories, one lint per top-level folder.

decided = passed + failed; the share is decided / (decided + unknown), summed over folders.
Each folder is linted on its own (``eksjoin lint --format json FOLDER``), as its owner would.

    python scripts/corpus_decided.py                      # ../shared/corpus, offline
    python scripts/corpus_decided.py --registry ../shared/registry   # with registry modules
    python scripts/corpus_decided.py --json out.json      # per folder counts and unknown causes
    python scripts/corpus_decided.py --compare before.json

``--registry DIR`` serves DIR (``<namespace>/<name>/<provider>/<version>.tar.gz`` and
``index.tsv``) over the module registry protocol on 127.0.0.1, points a Terraform CLI
configuration's ``host "registry.terraform.io"`` block at it and lints with an empty module
cache, so nothing leaves the machine. Without it the lint is ``--offline``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def lint(folder: Path, env: dict[str, str], offline: bool) -> dict:
    command = [sys.executable, "-m", "analyzer", "lint", "--format", "json", "--fail-on", "never"]
    if offline:
        command.append("--offline")
    done = subprocess.run([*command, "."], cwd=folder, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{folder.name}: eksjoin exited {done.returncode}\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    summary = report["summary"]
    errors = [f"{f['rule_id']} {f['file']}:{f['line']}" for f in report["findings"] if f["severity"] == "error"]
    return {
        "passed": summary["passed"],
        "failed": summary["failed"],
        "unknown": summary["unknown"],
        "errors": len(errors),
        "error_findings": errors,
        "modules_loaded": summary.get("modules_loaded", 0),
        "modules_not_loaded": summary.get("modules_not_loaded", 0),
        "unknown_causes": summary.get("unknown_causes", []),
    }


def measure(corpus: Path, registry: Path | None, jobs: int) -> dict[str, dict]:
    env = dict(os.environ)
    env.pop("EKSJOIN_STRICT", None)
    folders = sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    with tempfile.TemporaryDirectory(prefix="eksjoin-corpus-") as scratch:
        env["EKSJOIN_CACHE_DIR"] = str(Path(scratch) / "cache")
        server = None
        if registry is not None:
            from tests.modules.registry_server import RegistryServer

            server = RegistryServer(registry).__enter__()
            env["TF_CLI_CONFIG_FILE"] = str(server.cli_config(Path(scratch)))
        else:
            env["TF_CLI_CONFIG_FILE"] = str(Path(scratch) / "no-terraformrc")
        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                results = list(pool.map(lambda f: lint(f, env, registry is None), folders))
        finally:
            if server is not None:
                server.stop()
    return {f.name: r for f, r in zip(folders, results, strict=True)}


def totals(table: dict[str, dict]) -> tuple[int, int, int]:
    decided = sum(r["passed"] + r["failed"] for r in table.values())
    unknown = sum(r["unknown"] for r in table.values())
    errors = sum(r["errors"] for r in table.values())
    return decided, unknown, errors


def share(decided: int, unknown: int) -> float:
    return 100.0 * decided / (decided + unknown) if decided + unknown else 100.0


def render(table: dict[str, dict], before: dict[str, dict] | None, top: int) -> str:
    lines = []
    width = max(len(name) for name in table)
    if before is None:
        lines.append(f"{'folder':<{width}}  decided  unknown  errors")
        for name, r in table.items():
            lines.append(f"{name:<{width}}  {r['passed'] + r['failed']:>7}  {r['unknown']:>7}  {r['errors']:>6}")
    else:
        lines.append(f"{'folder':<{width}}  decided before→after  unknown before→after  errors")
        for name, r in table.items():
            b = before.get(name, {"passed": 0, "failed": 0, "unknown": 0})
            lines.append(
                f"{name:<{width}}  {b['passed'] + b['failed']:>7} → {r['passed'] + r['failed']:<7}"
                f"     {b['unknown']:>7} → {r['unknown']:<7}  {r['errors']:>6}"
            )
    decided, unknown, errors = totals(table)
    if before is not None:
        bd, bu, _ = totals(before)
        lines.append(f"before: {share(bd, bu):.2f} % ({bd} decided / {bu} unknown)")
    lines.append(
        f"decided share: {share(decided, unknown):.2f} % ({decided} decided / {unknown} unknown), {errors} error(s)"
    )
    causes: Counter[str] = Counter()
    for r in table.values():
        for cause in r["unknown_causes"]:
            causes[cause["cause"]] += cause["checks"]
    if top:
        lines.append(f"top unknown causes ({len(causes)} distinct):")
        for cause, checks in causes.most_common(top):
            lines.append(f"  {checks:>4}  {cause}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--registry", type=Path, help="serve this registry directory on 127.0.0.1 and fetch from it")
    parser.add_argument("--json", type=Path, help="write per-folder counts and unknown causes here")
    parser.add_argument("--compare", type=Path, help="a --json file of an earlier run, shown as before")
    parser.add_argument("--top", type=int, default=25, help="how many unknown causes to list")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    table = measure(args.corpus.resolve(), args.registry.resolve() if args.registry else None, args.jobs)
    before = json.loads(args.compare.read_text()) if args.compare else None
    print(render(table, before, args.top))
    if args.json:
        args.json.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
