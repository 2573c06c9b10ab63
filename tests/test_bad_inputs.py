"""Every reproducer in ../shared/bad-inputs is a regression test: run through the CLI in a subprocess.

Each folder is copied to a temporary directory (the shared copy is read-only and stores symlinks as
plain files naming their target), turned back into what it reproduces (symlinks, a FIFO, a sparse
file, an unreadable folder), made a git work tree of its own so that ``outside/`` is beyond the
repository boundary, and linted within 10 s of CPU time and a 500 MB address-space limit (the
child's own user and system time as the kernel counts it: on a machine shared with other work, wall
time is mostly waiting for a core; 60 s of wall clock is the guard against a hang, such as a read
of a FIFO that blocks without using any CPU). A case
whose tree has no sentinel of its own gets one (a VPC with DNS support off): its EKS-DNS-001
shows the rest of the tree was analysed. Only the cases that end by design before or after the
analysis (a bad baseline, a full disk: exit 2) or whose sentinel a baseline hides go without. An audit hook
in the child records every open, directory listing and process start: each must stay inside the
repository, Python's own files, the cache or a file named on the command line, and nothing may run.

A case that is not fixed yet is a strict xfail with its reason: once it passes, the suite fails until
the mark is removed.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BAD_INPUTS = Path(os.environ.get("EKSJOIN_SHARED", REPO / ".." / "shared")).resolve() / "bad-inputs"
TIMEOUT_S = 10  # CPU seconds of the child
HANG_GUARD = 6  # wall clock, in multiples of the CPU bound: a run that blocks is stopped there
ADDRESS_SPACE = 500 * 1024 * 1024
SENTINEL = r"EKS-DNS-001"  # sentinel.tf has DNS support off: it proves the rest of the tree was analysed
# A case whose tree has no sentinel of its own gets this one beside the bad input (at the top of
# the repository), so that every case shows the run went on past what it reproduces.
SENTINEL_TF = """resource "aws_vpc" "sentinel" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = false
  enable_dns_hostnames = true
}
resource "aws_subnet" "sentinel" {
  vpc_id     = aws_vpc.sentinel.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_eks_cluster" "sentinel" {
  name     = "sentinel"
  role_arn = "arn:aws:iam::123456789012:role/sentinel"
  vpc_config {
    subnet_ids = [aws_subnet.sentinel.id]
  }
}
"""
NEVER = [r"internal error", r"Traceback", r"could not evaluate"]

# The child: record what the run touches, then run the CLI.
CHILD = r"""
import json, os, sys
log = open(sys.argv[1], "w", buffering=1)
watched = {"open", "os.listdir", "os.scandir", "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn",
           "os.spawn", "os.fork", "os.startfile"}
def hook(event, args):
    if event not in watched:
        return
    first = args[0] if args else None
    if isinstance(first, int) or first is None:
        return  # an already-open descriptor, or the current directory of a listing
    if isinstance(first, bytes):
        first = os.fsdecode(first)
    log.write(json.dumps([event, os.path.abspath(str(first)) if event in ("open", "os.listdir", "os.scandir") else str(first)]) + "\n")
sys.addaudithook(hook)
sys.argv = ["eksjoin", *sys.argv[2:]]
from analyzer.cli import main
main()
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@dataclass
class Case:
    exit_code: int
    expect: list[str] = field(default_factory=list)  # regexes the output must contain: the clear finding
    forbid: list[str] = field(default_factory=list)  # regexes it must not contain
    sentinel: bool = True
    args: list[str] = field(default_factory=lambda: ["lint", "repo"])
    cwd: str = "."
    setup: Callable[[Path], None] | None = None
    git_root: str = "repo"  # the folder made a work tree: the repository boundary
    allowed: list[str] = field(default_factory=list)  # further paths the run may open (named by the user)
    xfail: str = ""
    unprivileged: bool = False  # run without root's permission override, so that mode 000 means unreadable
    timeout: float = TIMEOUT_S  # CPU seconds; a case about run time asserts a bound well below the backtracking cost
    every_file: bool = False  # each file of the folder must have a finding of its own (named in the output)


def _relink(*names: str) -> Callable[[Path], None]:
    """The shared copy stores each symlink as a file holding its target: make it a link again."""

    def setup(case: Path) -> None:
        for name in names:
            link = case / name
            target = link.read_text().strip()
            link.unlink()
            link.symlink_to(target)

    return setup


def _fifo(case: Path) -> None:
    os.mkfifo(case / "repo" / "pipe.tf")
    os.mkfifo(case / "repo" / "pipe.yaml")


def _sparse(case: Path) -> None:
    with open(case / "repo" / "huge.tf", "wb") as handle:
        handle.truncate(2 * 1024**3)
    (case / "repo" / "zero.tf").symlink_to("/dev/zero")


def _config_in_repo(case: Path) -> None:
    shutil.move(case / ".eksjoin.yaml", case / "repo" / ".eksjoin.yaml")


def _locked(case: Path) -> None:
    os.chmod(case / "repo" / "locked", 0)


OUTSIDE = [r"LOAD-003"]

CASES: dict[str, Case] = {
    "01_fifo_hang": Case(
        1,
        [r"pipe\.tf.*not a regular file", r"pipe\.yaml.*not a regular file"],
        setup=_fifo,
    ),
    "02_symlink_loop_exit3": Case(
        1,
        [r"a\.tf.*symlink loop", r"b\.tf.*symlink loop"],
        setup=_relink("repo/a.tf", "repo/b.tf"),
    ),
    "03_module_self_recursion": Case(1, [r"LOAD-005.*(cycle|calls itself)"]),
    "04_module_mutual_recursion": Case(1, [r"LOAD-005.*(cycle|calls itself)"]),
    "05_symlinked_tf_outside_root_is_read": Case(
        1,
        [r"passwd\.tf.*outside", r"x\.tf.*outside"],
        forbid=[r"LOAD-001", r"etc/passwd\n"],
        setup=_relink("repo/passwd.tf", "repo/x.tf"),
    ),
    "06_module_source_outside_root_listed_and_parsed": Case(
        0,
        [r"LOAD-003.*\.\./outside/mod"],
        sentinel=False,
    ),
    "07_fileset_lists_outside_root": Case(
        0,
        [r"LOAD-003.*fileset"],
        forbid=[r"secret-name"],
        sentinel=False,
    ),
    "08_config_var_files_outside_root": Case(
        1,
        [r"LOAD-003.*/etc/passwd"],
        forbid=[r"LOAD-001"],
        args=["lint", "."],
        cwd="repo",
        setup=_config_in_repo,
    ),
    "09_deep_json_exit3": Case(1, [r"deep\.json.*(nest|deep)"]),
    "10_eksctl_metadata_not_mapping_exit3": Case(1, [r"LOAD-004.*metadata"]),
    "11_eksctl_nodegroup_iam_string_exit3": Case(1, [r"LOAD-004.*iam"]),
    "12_eksctl_nodegroups_int_exit3": Case(1, [r"LOAD-004.*nodeGroups"]),
    "13_eksctl_subnets_float_exit3": Case(1, [r"LOAD-004.*subnets"]),
    "14_eksctl_vpc_subnets_private_int_exit3": Case(1, [r"LOAD-004.*private"]),
    "15_eksctl_addons_bool_exit3": Case(1, [r"LOAD-004.*addons"]),
    "16_awsauth_data_list_exit3": Case(1, [r"LOAD-00[14].*data"]),
    "17_awsauth_maproles_deep_exit3": Case(1, [r"LOAD-00[124].*(nest|deep)"]),
    "18_plan_wrong_types_exit3": Case(1, [r"LOAD-00[14].*configuration"]),
    "19_cfn_tag_key_not_string_exit3": Case(1, [r"LOAD-00[14].*Tags"]),
    "20_hcl_deep_blocks_exit3": Case(1, [r"deep\.tf.*(nest|deep)"]),
    "21_non_utf8_filename_json_sarif_exit3": Case(1, [r"EKS-DNS-001"], args=["lint", "repo", "--format", "json"]),
    "22_tf_string_doubling_memory": Case(1, [r"LOAD-005.*limit of 1,048,576 characters"]),
    "23_tf_list_doubling_time": Case(1, [r"LOAD-005.*limit of 100,000 values"]),
    # Backtracking would cost about 7 s, under the general 10 s timeout: the case asserts
    # the 2 s bound set for any single input (plus start-up), which a linear-time engine meets easily.
    # Nothing is wrong with the pattern once it is matched in linear time: the case asserts the
    # time and that the resource was analysed (1 + the sentinel's 3).
    "24_tf_redos_replace": Case(1, [r"4 resource\(s\)"], timeout=3.5),
    "25_tf_yamldecode_alias_bomb": Case(1, [r"LOAD-005.*YAML aliases expand.*limit of 100,000"]),
    "26_tf_format_indent_memory": Case(1, [r"LOAD-005.*format\(\).*limit of 1,048,576 characters"]),
    "27_silent_skip_malformed_json": Case(
        1,
        [
            r"LOAD-001.*cluster\.json looks like a CloudFormation template",
            r"LOAD-001.*plan\.json looks like a Terraform plan",
        ],
    ),
    "28_binary_file_said_skipped_but_analysed": Case(
        1,
        [
            r"bin\.tf\n.*LOAD-002  file is binary; the file was skipped",
            r"3 resource\(s\)",
        ],  # skipped means not analysed
        forbid=[r"(?s)LOAD-002  .*LOAD-002  "],  # one finding (the summary line counts them: "LOAD-002 1")
    ),
    "29_bad_baseline_exit3": Case(
        2,
        [r"baseline"],
        sentinel=False,
        args=["lint", "repo", "--baseline", "bl.json"],
    ),
    "30_eksctl_apiversion_list_silent": Case(1, [r"apiVersion"]),
    "31_count_too_large_silent": Case(1, [r"LOAD-005.*20,000.*10,000"]),
    # locked/ holds a sentinel that must not be reached; the one added beside it must be.
    "32_unreadable_dir_silent_skip": Case(
        1,
        [r"locked.*(cannot|not) (read|list)"],
        setup=_locked,
        unprivileged=True,
    ),
    "33_text_output_workflow_command": Case(
        1,
        [r"EKS-"],
        forbid=[r"(?m)^::", r"\x1b"],
        args=["lint", "repo", "--format", "text"],
    ),
    # bl.json is a version-1 baseline written from inside repo/: its paths are relative to that
    # directory. Linted from the folder above, both entries still match (2 suppressed, the sentinel
    # among them), and the run says the baseline is version 1.
    "34_fingerprint_depends_on_cwd": Case(
        0,
        [r"0 error", r"2 suppressed", r"baseline bl\.json is version 1"],
        sentinel=False,
        args=["lint", "repo", "--baseline", "bl.json"],
    ),
    "35_output_disk_full_exit3": Case(
        2,
        [r"/dev/full"],
        sentinel=False,
        args=["lint", "repo", "--output", "/dev/full"],
        allowed=["/dev/full"],
    ),
    "36_rule_catchall_withOIDC_string": Case(1, [r"LOAD-004.*withOIDC"]),
    "fileset_walk_fs": Case(0, [r"LOAD-003.*fileset"], sentinel=False),
    "leak_tfvars_symlink": Case(
        1,
        [r"terraform\.tfvars.*outside"],
        forbid=[r"TOPSECRET"],
        sentinel=False,
        setup=_relink("repo/terraform.tfvars"),
    ),
    "suppress_reads_skipped_file": Case(
        1,
        [r"huge\.tf.*limit", r"zero\.tf.*not a regular file"],
        setup=_sparse,
    ),
}

# The fuzz findings: each folder linted whole; every file must load and be reported on (its wrong
# types as LOAD-004 findings with the field's path, errors: exit 1), never an uncaught error or a
# check that could not be evaluated, and the sentinel beside them is still analysed.
for _folder in ("eksctl", "types_cfn", "types_eksctl"):
    CASES[f"fuzz/{_folder}"] = Case(
        1,
        [r"LOAD-004"],
        git_root=".",
        args=["lint", "."],
        cwd=".",
        every_file=True,
    )


def _known_failures() -> dict[str, str]:
    return {name: case.xfail for name, case in CASES.items() if case.xfail}


def _param(name: str) -> object:
    reason = CASES[name].xfail
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(name, marks=marks, id=name)


def _prepare(name: str, tmp_path: Path) -> Path:
    source = BAD_INPUTS / name
    if not source.is_dir():
        pytest.skip(f"bad inputs not available: {source}")
    case_dir = tmp_path / "case"
    shutil.copytree(source, case_dir, symlinks=True)
    for path in [case_dir, *case_dir.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o700)
    case = CASES[name]
    if case.setup:
        case.setup(case_dir)
    (case_dir / case.git_root / ".git").mkdir(exist_ok=True)
    if case.sentinel:
        _add_sentinel(case_dir / case.git_root)
    return case_dir


def _add_sentinel(root: Path) -> None:
    """A sentinel at the top of the repository unless one is there already (a case may name it
    otherwise, as 21 does with a file name that is not UTF-8)."""
    for path in root.iterdir():
        if path.is_file() and not path.is_symlink() and b'"aws_vpc" "sentinel"' in path.read_bytes()[:4096]:
            return
    (root / "sentinel.tf").write_text(SENTINEL_TF)


def _allowed_roots(case_dir: Path, case: Case, tmp_path: Path) -> list[str]:
    import analyzer

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(analyzer.__file__).resolve().parent)}
    roots |= {str(Path(p).resolve()) for p in sys.path if p and Path(p).is_dir() and p.startswith(sys.prefix)}
    roots.add(str(REPO / "rules"))  # the rule catalogue
    roots.add(str((case_dir / case.git_root).resolve()))
    roots.add(str(tmp_path / "cache"))
    roots |= {str(case_dir / a) for a in case.allowed} | set(case.allowed)
    roots |= {str(case_dir / a) for a in case.args if "/" not in a and a.endswith(".json")}  # a named baseline
    return sorted(roots)


def _within(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def run_case(name: str, tmp_path: Path) -> tuple[int, str, list[list[str]], float]:
    case = CASES[name]
    case_dir = _prepare(name, tmp_path)
    audit = tmp_path / "audit.log"
    env = {**os.environ, "EKSJOIN_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1", "PYTHONUTF8": "1"}
    env.pop("GITHUB_ACTIONS", None)
    command = [sys.executable, "-I", "-c", CHILD, str(audit), *case.args]
    if case.unprivileged and os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("setpriv is needed to drop root's read override")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "--", *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        completed = subprocess.run(
            command,
            cwd=case_dir / case.cwd,
            env=env,
            capture_output=True,
            timeout=case.timeout * HANG_GUARD,
            preexec_fn=_limit_memory,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: no result within {case.timeout * HANG_GUARD:g} s of wall clock (a hang)")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child was waited for: its CPU time is counted
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    output = completed.stdout.decode("utf-8", "replace") + completed.stderr.decode("utf-8", "replace")
    events = [json.loads(line) for line in audit.read_text().splitlines() if line.strip()] if audit.exists() else []
    roots = _allowed_roots(case_dir, case, tmp_path)
    imports = {str(REPO)}  # the import system lists the directories on sys.path
    touched = [
        e
        for e in events
        if e[0] in ("open", "os.listdir", "os.scandir")
        and not _within(e[1], roots)
        and not (e[0] == "os.listdir" and e[1] in imports)
    ]
    executed = [e for e in events if e[0] not in ("open", "os.listdir", "os.scandir")]
    return completed.returncode, output, touched + executed, cpu


@pytest.mark.parametrize("name", [_param(n) for n in CASES])
def test_bad_input(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    code, output, violations, cpu = run_case(name, tmp_path)
    assert cpu <= case.timeout, f"{name}: {cpu:.2f} s of CPU time, over {case.timeout:g} s"
    for pattern in NEVER:
        assert not re.search(pattern, output), f"{name}: {pattern!r} in output:\n{output}"
    assert code == case.exit_code, f"{name}: exit {code}, expected {case.exit_code}:\n{output}"
    for pattern in case.expect:
        assert re.search(pattern, output), f"{name}: no {pattern!r} in output:\n{output}"
    for pattern in case.forbid:
        assert not re.search(pattern, output), f"{name}: {pattern!r} in output:\n{output}"
    if case.sentinel:
        assert re.search(SENTINEL, output), f"{name}: the rest of the tree was not analysed:\n{output}"
    if case.every_file:
        for path in sorted((BAD_INPUTS / name).iterdir()):
            assert re.search(rf"(?m)^{re.escape(path.name)}$", output), f"{name}: no finding on {path.name}:\n{output}"
    if name.startswith("21_"):
        json.loads(output[: output.rindex("}") + 1])
    assert not violations, f"{name}: outside the boundary or executed: {violations[:10]}"


def test_every_reproducer_folder_is_a_case() -> None:
    if not BAD_INPUTS.is_dir():
        pytest.skip(f"bad inputs not available: {BAD_INPUTS}")
    folders = {p.name for p in BAD_INPUTS.iterdir() if p.is_dir() and p.name != "fuzz"}
    folders |= {f"fuzz/{p.name}" for p in (BAD_INPUTS / "fuzz").iterdir() if p.is_dir()}
    assert folders == set(CASES)
