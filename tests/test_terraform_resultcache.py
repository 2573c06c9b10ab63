"""The result cache for Terraform root modules: the same findings cold and warm, an edit
that keeps size and modification time invalidates exactly the root that reads the file, a
file read through a module or templatefile() counts, and a corrupt entry is ignored."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import REPO

from analyzer import resultcache
from analyzer.pipeline import Options, analyze
from analyzer.terraform import loader

EXAMPLE = REPO / "examples" / "terraform"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def evaluated(monkeypatch):
    roots: list[str] = []
    real = loader.load_root_module

    def counting(root_dir, **options):
        roots.append(root_dir.name)
        return real(root_dir, **options)

    monkeypatch.setattr(loader, "load_root_module", counting)
    return roots


def _findings(paths, catalogue, **options):
    analysis = analyze(paths, catalogue, Options(offline=True, **options))
    return [(f.rule_id, f.severity, str(f.location), f.resource, f.message) for f in analysis.findings]


def _two_roots(tmp_path):
    work = tmp_path / "work"
    for name in ("one", "two"):
        shutil.copytree(EXAMPLE, work / name)
    return work


def _edit_keeping_size_and_mtime(path, old, new):
    assert len(old) == len(new)
    stat = path.stat()
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size


def test_warm_run_gives_the_cold_findings_without_evaluating(tmp_path, cache_dir, catalogue, evaluated):
    work = _two_roots(tmp_path)
    cold = _findings([work], catalogue)
    assert sorted(evaluated) == ["one", "two"]
    evaluated.clear()
    assert _findings([work], catalogue) == cold
    assert evaluated == []
    assert _findings([work], catalogue, cache=False) == cold
    assert sorted(evaluated) == ["one", "two"]


def test_an_edit_keeping_size_and_mtime_invalidates_exactly_its_root(tmp_path, cache_dir, catalogue, evaluated):
    work = _two_roots(tmp_path)
    _findings([work], catalogue)
    evaluated.clear()
    target = work / "one" / "main.tf"
    text = target.read_text()
    _edit_keeping_size_and_mtime(target, text[-1:], "\n" if text[-1:] != "\n" else " ")
    warm = _findings([work], catalogue)
    assert evaluated == ["one"]
    evaluated.clear()
    assert _findings([work], catalogue, cache=False) == warm


def test_a_file_read_by_templatefile_invalidates_its_root(tmp_path, cache_dir, catalogue, evaluated):
    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text(
        'resource "aws_launch_template" "nodes" {\n'
        '  name      = "nodes"\n'
        '  user_data = base64encode(templatefile("${path.module}/data.sh", {}))\n'
        "}\n"
    )
    (work / "data.sh").write_text("#!/bin/bash\necho aaaa\n")
    _findings([work], catalogue)
    evaluated.clear()
    _findings([work], catalogue)
    assert evaluated == []
    _edit_keeping_size_and_mtime(work / "data.sh", "aaaa", "bbbb")
    _findings([work], catalogue)
    assert evaluated == ["work"]


def test_a_change_to_eksjoin_code_makes_every_root_stale(tmp_path, cache_dir, catalogue, evaluated, monkeypatch):
    """Another code digest (an edited rule file or module, without a version bump) evaluates
    every root again, the module-callers index included; the same code hits."""
    work = _root_calling_a_module(tmp_path)
    cold = _findings([work], catalogue)
    evaluated.clear()
    assert _findings([work], catalogue) == cold
    assert evaluated == []
    monkeypatch.setattr(resultcache, "code_digest", lambda: "edited")
    calls: list[str] = []
    real_calls = loader.local_calls_of
    monkeypatch.setattr(
        loader, "local_calls_of", lambda directory, cwd: calls.append(directory) or real_calls(directory, cwd)
    )
    assert _findings([work], catalogue) == cold
    assert sorted(evaluated) == ["one", "two"]
    assert calls
    evaluated.clear()
    calls.clear()
    assert _findings([work], catalogue) == cold
    assert evaluated == [] and calls == []


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path, cache_dir, catalogue, evaluated):
    work = _two_roots(tmp_path)
    cold = _findings([work], catalogue)
    for entry in (cache_dir / "results").glob("*/*.pickle"):
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    evaluated.clear()
    assert _findings([work], catalogue) == cold
    assert sorted(evaluated) == ["one", "two"]
    evaluated.clear()
    assert _findings([work], catalogue) == cold
    assert evaluated == []


def _root_calling_a_module(tmp_path):
    """Two roots, one of which calls a local module folder (so the callers index is cached too)."""
    work = _two_roots(tmp_path)
    (work / "modules" / "tags").mkdir(parents=True)
    (work / "modules" / "tags" / "main.tf").write_text('variable "name" {}\noutput "tags" { value = var.name }\n')
    with (work / "one" / "main.tf").open("a") as handle:
        handle.write('\nmodule "tags" {\n  source = "../modules/tags"\n  name   = "one"\n}\n')
    return work


def test_a_warm_run_in_a_new_process_parses_no_terraform(tmp_path, cache_dir, catalogue, monkeypatch):
    from analyzer import roots
    from analyzer.terraform import module, parsing

    work = _root_calling_a_module(tmp_path)
    cold = _findings([work], catalogue)
    parsed: list[str] = []
    real = parsing.hcl2.parses_to_tree
    monkeypatch.setattr(parsing.hcl2, "parses_to_tree", lambda text: parsed.append(text) or real(text))
    for in_process in (roots._INDEXES, module._DEFINITIONS, parsing._PARSE_CACHE):
        in_process.clear()  # as in a new process: only the persistent cache remains
    assert _findings([work], catalogue) == cold
    assert parsed == []


def test_two_concurrent_runs_sharing_the_cache(tmp_path, cache_dir):
    import json
    import subprocess
    import sys

    work = _root_calling_a_module(tmp_path)
    env = dict(os.environ, EKSJOIN_CACHE_DIR=str(cache_dir))
    command = [sys.executable, "-m", "analyzer", "lint", "--format", "json", "--offline", str(work)]
    reference = subprocess.run([*command, "--no-cache"], env=env, capture_output=True, text=True, cwd=tmp_path)
    expected = json.loads(reference.stdout)["findings"]
    assert expected
    for _ in range(2):  # both find the cache empty, then both find it filled
        runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=tmp_path) for _ in range(2)]
        outputs = [run.communicate()[0] for run in runs]
        assert [run.returncode for run in runs] == [reference.returncode] * 2
        assert [json.loads(o)["findings"] for o in outputs] == [expected] * 2
    assert not list((cache_dir / "results").glob("*/.partial-*"))


def test_a_file_the_boundary_refused_is_cached_as_refused_not_as_read(tmp_path, cache_dir, catalogue, evaluated):
    """A symlinked terraform.tfvars leading out of the repository is LOAD-003 cold and warm, and
    never read; pointed back inside, the entry is stale and the file is read; pointed out again
    at a file with the same bytes, the entry made while it was read is not reused."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text('variable "name" {}\nresource "terraform_data" "x" {\n  input = var.name\n}\n')
    outside = tmp_path / "outside.tfvars"
    outside.write_text('name = "outside"\n')
    inside = repo / "values" / "inside.tfvars"
    inside.parent.mkdir()
    inside.write_text('name = "outside"\n')  # the same bytes: only the boundary tells them apart
    link = repo / "terraform.tfvars"
    link.symlink_to(outside)

    def refused(findings):
        return [f for f in findings if f[0] == "LOAD-003" and "terraform.tfvars" in f[2]]

    cold = _findings([repo], catalogue)
    assert evaluated == ["repo"] and len(refused(cold)) == 1
    evaluated.clear()
    assert _findings([repo], catalogue) == cold
    assert evaluated == []

    link.unlink()
    link.symlink_to(inside)
    read = _findings([repo], catalogue)
    assert evaluated == ["repo"] and refused(read) == []
    evaluated.clear()

    link.unlink()
    link.symlink_to(outside)
    assert _findings([repo], catalogue) == cold
    assert evaluated == ["repo"]


def test_roots_sharing_a_module_ask_about_its_files_once_per_run(
    tmp_path, cache_dir, catalogue, evaluated, monkeypatch
):
    """Checking the entries of roots that call one module reads the module's file once in a
    run; an edit to it (size and time kept) is seen by the next run, for both roots."""
    from analyzer.terraform import reads

    work = _two_roots(tmp_path)
    (work / "modules" / "tags").mkdir(parents=True)
    (work / "modules" / "tags" / "main.tf").write_text('variable "name" {}\noutput "tags" { value = var.name }\n')
    for name in ("one", "two"):
        with (work / name / "main.tf").open("a") as handle:
            handle.write(f'\nmodule "tags" {{\n  source = "../modules/tags"\n  name   = "{name}"\n}}\n')
    cold = _findings([work], catalogue)
    evaluated.clear()
    asked: list[str] = []
    real = reads._file_answer
    monkeypatch.setattr(reads, "_file_answer", lambda path, limit: asked.append(path) or real(path, limit))
    assert _findings([work], catalogue) == cold
    assert evaluated == []
    module_file = str((work / "modules" / "tags" / "main.tf").resolve())
    assert asked.count(module_file) == 1
    assert len(asked) == len(set(asked))
    _edit_keeping_size_and_mtime(work / "modules" / "tags" / "main.tf", "var.name", "var.nam ")
    _findings([work], catalogue)
    assert sorted(evaluated) == ["one", "two"]
