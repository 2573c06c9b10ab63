"""Every file an in-process lint opens, and every folder it lists or globs, from any thread, is
inside its boundary (the repository, --root, the cache directory, files named on the command
line), the user's Terraform CLI configuration, Python's own files or eksjoin's code and rules;
an audit hook (``sys.addaudithook``) sees each of them (tests/boundary_audit.py).
The same check applies to every in-process lint of the suite (tests/conftest.py;
``EKSJOIN_AUDIT_LINTS=0`` turns it off)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import boundary_audit
import pytest
from conftest import CORPUS, REGISTRY, REPO

from analyzer.pipeline import Options, analyze

SENTINEL_TF = (REPO / "examples" / "terraform" / "main.tf").read_text()
# Corpus folders whose Terraform calls registry modules ../shared/registry serves.
REGISTRY_CALLERS = ("hashicorp__learn-terraform-provision-eks-cluster",)


def _repository(tmp_path: Path) -> tuple[Path, Path]:
    """``repo/`` (a git work tree holding a cluster) and ``outside/secret.txt`` beside it."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text(SENTINEL_TF)
    outside.mkdir()
    (outside / "secret.txt").write_text('leak = "LEAKED-VALUE"\n')
    return repo, outside


def _lint_watched(paths: list[Path], catalogue, options: Options | None = None):
    options = options or Options(offline=True)
    with boundary_audit.watching(boundary_audit.lint_allowed(paths, options)) as watch:
        analysis = analyze(paths, catalogue, options)
    return analysis, watch


def test_a_clean_lint_reads_only_inside_its_boundary(tmp_path, catalogue):
    repo, _ = _repository(tmp_path)
    analysis, watch = _lint_watched([repo], catalogue)
    assert analysis.results
    assert any(read.path == str((repo / "main.tf").resolve()) for read in watch.reads)  # the hook sees reads
    assert not watch.outside, "\n".join(map(str, watch.outside))


@pytest.mark.reads_outside
def test_an_injected_read_outside_the_boundary_is_caught(tmp_path, catalogue, monkeypatch):
    from analyzer import discovery

    repo, outside = _repository(tmp_path)
    real = discovery.content_problem

    def leaking(data: bytes):
        (outside / "secret.txt").read_text()
        sorted((outside).iterdir())
        return real(data)

    monkeypatch.setattr(discovery, "content_problem", leaking)
    _, watch = _lint_watched([repo], catalogue)
    caught = {(read.event, read.path) for read in watch.outside}
    assert ("open", str((outside / "secret.txt").resolve())) in caught
    assert ("os.listdir", str(outside.resolve())) in caught


@pytest.mark.reads_outside
def test_an_outside_read_from_a_worker_thread_is_caught(tmp_path, catalogue, monkeypatch):
    """The Terraform loader runs on a thread of its own; a read there is seen too."""
    from analyzer.terraform import loader

    repo, outside = _repository(tmp_path)
    real = loader.load_root_module
    threads: list[str] = []

    def leaking(*args, **kwargs):
        threads.append(threading.current_thread().name)
        (outside / "secret.txt").read_bytes()
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "load_root_module", leaking)
    _, watch = _lint_watched([repo], catalogue, Options(offline=True, cache=False))
    assert threads and threading.main_thread().name not in threads
    outside_reads = [read for read in watch.outside if read.path == str((outside / "secret.txt").resolve())]
    assert [read.thread for read in outside_reads] == threads


def test_a_glob_outside_the_boundary_is_caught(tmp_path):
    _, outside = _repository(tmp_path)
    with boundary_audit.watching([tmp_path / "repo"]) as watch:
        list(outside.glob("*"))
    assert {read.path for read in watch.outside} == {str(outside.resolve())}


def test_writes_and_new_files_are_not_reads(tmp_path):
    import tempfile

    with boundary_audit.watching([]) as watch:
        (tmp_path / "written.txt").write_text("x")
        descriptor, name = tempfile.mkstemp(dir=tmp_path)
        os.close(descriptor)
        Path(name).unlink()
    assert not watch.outside, watch.outside


def test_hostile_links_and_patterns_read_nothing_outside(tmp_path, catalogue):
    """The repository links a .tf, a tfvars file and a module folder outside, and lists the
    folder above with fileset(): each is a finding, and none of it is opened or listed."""
    repo, outside = _repository(tmp_path)
    (outside / "x.tf").write_text('variable "leak" { default = "LEAKED-VALUE" }\n')
    (outside / "mod").mkdir()
    (outside / "mod" / "main.tf").write_text('output "o" { value = "LEAKED-VALUE" }\n')
    (repo / "x.tf").symlink_to(outside / "x.tf")
    (repo / "terraform.tfvars").symlink_to(outside / "secret.txt")
    (repo / "linked").symlink_to(outside / "mod", target_is_directory=True)
    (repo / "calls.tf").write_text(
        'module "m" {\n  source = "../outside/mod"\n}\n'
        'resource "aws_vpc" "f" {\n  cidr_block = "10.1.0.0/16"\n'
        '  tags = { F = jsonencode(fileset(path.module, "../outside/*")), G = jsonencode(fileset("/", "*")) }\n}\n'
    )
    analysis, watch = _lint_watched([repo], catalogue)
    assert {f.rule_id for f in analysis.findings} >= {"LOAD-003"}
    assert "LEAKED-VALUE" not in " ".join(f.message for f in analysis.findings)
    assert not watch.outside, "\n".join(map(str, watch.outside))


def test_removing_a_folder_is_checked_by_the_folder_removed(tmp_path, monkeypatch):
    """shutil.rmtree opens each folder below the one it removes by a name relative to its
    parent's descriptor: seen as a bare name ("code"), it was taken for a path in the current
    directory (a module cache entry removed during a lint looked like a read outside)."""
    inside, outside = tmp_path / "inside", tmp_path / "outside"
    for top in (inside, outside):
        (top / "entry" / "code" / "deeper").mkdir(parents=True)
        (top / "entry" / "code" / "deeper" / "f").write_text("x")
    monkeypatch.chdir(tmp_path / "outside")  # a bare "code" would resolve outside
    with boundary_audit.watching([inside]) as watch:
        shutil.rmtree(inside / "entry")
    assert not watch.outside, watch.outside
    with boundary_audit.watching([inside]) as watch:
        shutil.rmtree(outside / "entry")
    assert {read.path for read in watch.outside} == {str(outside / "entry")}  # its own event and open
    assert "shutil.rmtree" in {read.event for read in watch.outside}


def test_the_whole_corpus_is_linted_within_its_boundary(catalogue, tmp_path, monkeypatch):
    """Cold (no result cache, an empty cache directory): every file is read and evaluated
    again, whatever earlier runs left in the user's caches."""
    if not CORPUS.is_dir():
        pytest.skip("corpus not available")
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(tmp_path / "cache"))
    analysis, watch = _lint_watched([CORPUS], catalogue, Options(offline=True, cache=False))
    assert len(analysis.results) > 1000
    assert len(watch.reads) > 5000
    assert not watch.outside, "\n".join(map(str, watch.outside[:20]))


def test_registry_modules_are_fetched_unpacked_and_read_within_the_boundary(catalogue, tmp_path, monkeypatch):
    """The corpus folders that call registry modules, linted online against the loopback
    registry (../shared/registry) into an empty cache, then again from that cache: downloads,
    unpacking, the module cache and the CLI configuration stay inside what a lint may read."""
    if not CORPUS.is_dir() or not REGISTRY.is_dir():
        pytest.skip("corpus or registry not available")
    from tests.modules.registry_server import RegistryServer

    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(tmp_path / "cache"))
    folders = [CORPUS / name for name in REGISTRY_CALLERS if (CORPUS / name).is_dir()]
    with RegistryServer(REGISTRY) as server:
        monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(server.cli_config(tmp_path)))
        for offline in (False, True):
            analysis, watch = _lint_watched(folders, catalogue, Options(offline=offline, cache=False))
            assert analysis.inventory.modules_loaded >= 4
            assert not watch.outside, "\n".join(map(str, watch.outside[:20]))


def test_a_lint_of_a_copied_corpus_folder_with_a_cache_stays_inside(tmp_path, catalogue):
    """A second run reuses the result cache: its reads (the cache directory) are inside too."""
    if not CORPUS.is_dir():
        pytest.skip("corpus not available")
    folder = next(p for p in sorted(CORPUS.iterdir()) if p.is_dir())
    copy = tmp_path / "repo"
    shutil.copytree(folder, copy, symlinks=True)
    (copy / ".git").mkdir(exist_ok=True)
    for _ in range(2):
        _, watch = _lint_watched([copy], catalogue, Options(offline=True, cache=True))
        assert not watch.outside, "\n".join(map(str, watch.outside[:20]))
