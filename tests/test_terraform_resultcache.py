"""The result cache for Terraform root modules: the same findings cold and warm, an edit
that keeps size and modification time invalidates exactly the root that reads the file, a
file read through a module or templatefile() counts, and a corrupt entry is ignored."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import REPO

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
