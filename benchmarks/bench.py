"""One command for the performance figures: wall, CPU and peak memory of whole eksjoin runs.

    python benchmarks/bench.py [--repeat N] [--quick] [--corpus PATH]

Each case runs ``eksjoin lint --format json`` in a fresh process under ``nice`` (the
machine is shared), ``--repeat`` times, and prints the medians of wall time, CPU time
(user + system, from the child's rusage) and peak RSS; a run exiting 2 or more (a usage
mistake, an internal error, a signal) stops the benchmark. Cases: the corpus cold (empty cache
directory) and warm (the same cache directory again), the getting-started example, one
eksctl file, generated roots of both shapes (benchmarks/generate.py) at 250 / 1,000 /
4,000 resources, and the corpus at 1x, 2x and 4x (copies side by side). When ``checkov``
is on PATH it runs on the corpus in the same invocation and the ratio is printed. The load
average is printed with each line: compare figures taken under similar load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import SHAPES, write_root  # noqa: E402

DEFAULT_CORPUS = (
    Path("/work/shared/corpus") if Path("/work/shared/corpus").is_dir() else REPO.parent / "shared" / "corpus"
)
GETTING_STARTED = "hashicorp__terraform-provider-aws/examples/eks-getting-started"
EKSCTL_FILE = "eksctl-io__eksctl/examples/01-simple-cluster.yaml"


class RunFailed(RuntimeError):
    """An eksjoin run that did not finish its analysis: its figures would measure a failure."""


def measure(
    command: list[str], env: dict[str, str], repeat: int, ok: int = 1, fresh: Path | None = None
) -> tuple[float, float, float]:
    """Medians of (wall s, CPU s, peak RSS MB) of ``command`` run ``repeat`` times.

    eksjoin exits 0 or 1 when it analysed (1: findings at or above --fail-on); 2 and above
    is a user mistake, an internal error or a signal, so the figures are refused (``ok`` is
    the highest exit code accepted; a peer like checkov passes its own). ``fresh``: a cache
    directory emptied before each run (cold runs)."""
    walls, cpus, peaks = [], [], []
    for _ in range(repeat):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # child: quiet, niced, then the command
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.nice(10)
            os.execvpe(command[0], command, env)
        _, status, usage = os.wait4(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code < 0 or code > ok:
            raise RunFailed(f"{' '.join(command)} exited {code}: not measured")
        walls.append(time.perf_counter() - started)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), statistics.median(cpus), statistics.median(peaks)


def report(name: str, figures: tuple[float, float, float], extra: str = "") -> tuple[float, float, float]:
    wall, cpu, peak = figures
    load = os.getloadavg()[0]
    print(f"{name:<34} wall {wall:7.2f} s  cpu {cpu:7.2f} s  rss {peak:6.0f} MB  load {load:4.1f}  {extra}", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--quick", action="store_true", help="skip 4,000 resources and the 2x/4x corpus")
    args = parser.parse_args()
    eksjoin = [sys.executable, "-m", "analyzer", "lint", "--format", "json"]
    work = Path(tempfile.mkdtemp(prefix="eksjoin-bench-"))
    env = dict(os.environ, EKSJOIN_CACHE_DIR=str(work / "cache"))
    try:
        corpus = args.corpus.resolve()
        if corpus.is_dir():
            cold = report("corpus cold", measure([*eksjoin, str(corpus)], env, args.repeat, fresh=work / "cache"))
            report("corpus warm", measure([*eksjoin, str(corpus)], env, args.repeat))
            report("getting-started example", measure([*eksjoin, str(corpus / GETTING_STARTED)], env, args.repeat))
            report("one eksctl file", measure([*eksjoin, str(corpus / EKSCTL_FILE)], env, args.repeat))
            checkov = shutil.which("checkov")
            if checkov:
                peer = report("checkov corpus", measure([checkov, "-d", str(corpus), "--quiet"], env, 1, ok=1))
                print(f"{'':<34} eksjoin/checkov CPU ratio 1:{peer[1] / cold[1]:.1f}")
        else:
            print(f"corpus not found at {corpus}: corpus cases skipped")
        sizes = (250, 1000) if args.quick else (250, 1000, 4000)
        for shape in SHAPES:
            cpus = {}
            for size in sizes:
                root = write_root(work / f"{shape}-{size}", shape, size)
                no_cache = dict(env, EKSJOIN_CACHE_DIR=str(work / f"cache-{shape}-{size}"))
                cpus[size] = report(f"{shape} {size} resources", measure([*eksjoin, str(root)], no_cache, 1))[1]
            if 4000 in cpus:
                print(f"{'':<34} {shape}: 4,000 / 1,000 CPU = {cpus[4000] / cpus[1000]:.1f} (linear: 4.0, goal <= 6.0)")
        if corpus.is_dir() and not args.quick:
            for copies in (1, 2, 4):
                scaled = work / f"corpus-x{copies}"
                for index in range(copies):
                    shutil.copytree(corpus, scaled / f"copy{index}", symlinks=True)
                scaled_env = dict(env, EKSJOIN_CACHE_DIR=str(work / f"cache-x{copies}"))
                report(f"corpus x{copies} cold", measure([*eksjoin, str(scaled)], scaled_env, 1))
                shutil.rmtree(scaled)
    except RunFailed as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
