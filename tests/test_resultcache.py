"""The persistent result cache: the same findings cold and warm, keyed by content (not size
or mtime), a corrupt entry ignored and rewritten, concurrent runs sharing it, --no-cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, corpus_path

from analyzer import loaders, resultcache
from analyzer.pipeline import Options, analyze

EKSCTL = REPO / "examples" / "eksctl" / "cluster.yaml"
CLOUDFORMATION = REPO / "examples" / "cloudformation" / "cluster.yaml"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(directory))
    return directory


def _findings(paths, catalogue, **options):
    analysis = analyze(paths, catalogue, Options(offline=True, **options))
    return [(f.rule_id, f.severity, str(f.location), f.resource, f.message) for f in analysis.findings]


def _entries(cache_dir):
    return sorted((cache_dir / "results").glob("*/*.pickle"))


def _count_loads(monkeypatch):
    loaded: list[str] = []
    real = loaders.load_yaml_source

    def counting(source, options):
        loaded.append(source.path.name)
        return real(source, options)

    monkeypatch.setattr(loaders, "load_yaml_source", counting)
    return loaded


def _inputs(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(EKSCTL, work / "eksctl.yaml")
    shutil.copy(CLOUDFORMATION, work / "stack.yaml")
    return work


def test_a_warm_run_does_not_list_the_cache_to_bound_it(tmp_path, cache_dir, catalogue, monkeypatch):
    """Bounding the cache stats every entry (5,700 of them took 0.36 s of each run); a run that
    wrote nothing cannot have grown it, so only a run that wrote an entry lists the cache."""
    from pathlib import Path

    work = _inputs(tmp_path)
    listed: list[str] = []
    real = Path.glob

    def glob(self, pattern):
        if self == cache_dir / "results":
            listed.append(pattern)
        return real(self, pattern)

    monkeypatch.setattr(Path, "glob", glob)
    _findings([work], catalogue)
    assert listed and _entries(cache_dir)  # the cold run wrote entries and bounded the cache
    del listed[:]
    _findings([work], catalogue)
    assert listed == []
    resultcache.ResultCache(cache_dir / "results").evict(limit=0)  # nothing written since: kept
    assert _entries(cache_dir)


def test_warm_run_gives_the_cold_findings_without_loading_again(tmp_path, cache_dir, catalogue, monkeypatch):
    work = _inputs(tmp_path)
    loaded = _count_loads(monkeypatch)
    cold = _findings([work], catalogue)
    assert sorted(loaded) == ["eksctl.yaml", "stack.yaml"]
    assert any(f[1] == "error" for f in cold)  # the examples carry intended defects
    assert len(_entries(cache_dir)) == 2
    loaded.clear()
    assert _findings([work], catalogue) == cold
    assert loaded == []


def test_corpus_subset_cold_and_warm_agree(cache_dir, catalogue):
    subset = [
        corpus_path("aws-cloudformation__aws-cloudformation-templates"),
        corpus_path("eksctl-io__eksctl", "examples"),
    ]
    cold = _findings(subset, catalogue)
    assert _entries(cache_dir)
    assert _findings(subset, catalogue) == cold
    assert _findings(subset, catalogue, cache=False) == cold


def test_an_edit_keeping_size_and_mtime_invalidates_exactly_its_entry(tmp_path, cache_dir, catalogue, monkeypatch):
    work = _inputs(tmp_path)
    before = _findings([work], catalogue)
    target = work / "eksctl.yaml"
    stat = target.stat()
    text = target.read_text()
    edited = text.replace("version:", "vursion:", 1)  # same length: eksctl no longer sees the version
    assert len(edited) == len(text) and edited != text
    target.write_text(edited)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert target.stat().st_size == stat.st_size and target.stat().st_mtime_ns == stat.st_mtime_ns
    loaded = _count_loads(monkeypatch)
    after = _findings([work], catalogue)
    assert loaded == ["eksctl.yaml"]  # the other file came from the cache
    assert after != before
    assert after == _findings([work], catalogue, cache=False)


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path, cache_dir, catalogue, monkeypatch):
    work = _inputs(tmp_path)
    cold = _findings([work], catalogue)
    entries = _entries(cache_dir)
    entries[0].write_bytes(entries[0].read_bytes()[:40])  # truncated
    entries[1].write_bytes(b"\x00garbage")
    loaded = _count_loads(monkeypatch)
    assert _findings([work], catalogue) == cold
    assert sorted(loaded) == ["eksctl.yaml", "stack.yaml"]
    loaded.clear()
    assert _findings([work], catalogue) == cold  # rewritten whole
    assert loaded == []


def test_no_cache_reads_and_writes_nothing(tmp_path, cache_dir, catalogue):
    work = _inputs(tmp_path)
    _findings([work], catalogue, cache=False)
    assert _entries(cache_dir) == []


def test_no_cache_flag_and_setting(tmp_path, cache_dir):
    work = _inputs(tmp_path)
    env = dict(os.environ, EKSJOIN_CACHE_DIR=str(cache_dir))
    command = [sys.executable, "-m", "analyzer", "lint", "--format", "json", "--offline", str(work)]
    subprocess.run([*command, "--no-cache"], env=env, capture_output=True, check=False, cwd=tmp_path)
    assert _entries(cache_dir) == []
    (work / ".eksjoin.yaml").write_text("cache: false\n")
    subprocess.run(command, env=env, capture_output=True, check=False, cwd=tmp_path)
    assert _entries(cache_dir) == []
    (work / ".eksjoin.yaml").write_text("cache: nope\n")
    refused = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=tmp_path)
    assert refused.returncode == 2 and "cache must be true or false" in refused.stderr


def test_two_concurrent_runs_sharing_the_cache(tmp_path, cache_dir):
    work = _inputs(tmp_path)
    env = dict(os.environ, EKSJOIN_CACHE_DIR=str(cache_dir))
    command = [sys.executable, "-m", "analyzer", "lint", "--format", "json", "--offline", str(work)]
    reference = subprocess.run([*command, "--no-cache"], env=env, capture_output=True, text=True, cwd=tmp_path)
    for _ in range(2):  # both empty, then both warm
        runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=tmp_path) for _ in range(2)]
        outputs = [run.communicate()[0] for run in runs]
        assert [run.returncode for run in runs] == [reference.returncode] * 2
        assert [json.loads(o)["findings"] for o in outputs] == [json.loads(reference.stdout)["findings"]] * 2
    assert len(_entries(cache_dir)) == 2


def test_a_template_with_a_float_written_as_text_is_reused(tmp_path, cache_dir, catalogue, monkeypatch):
    """``Version: 1.30`` is kept with its text (SourceFloat); the entry must load back."""
    work = tmp_path / "work"
    work.mkdir()
    text = CLOUDFORMATION.read_text()
    assert "      Name: !Ref ClusterName\n" in text
    (work / "stack.yaml").write_text(
        text.replace("      Name: !Ref ClusterName\n", "      Name: !Ref ClusterName\n      Version: 1.30\n")
    )
    cold = _findings([work], catalogue)
    loaded = _count_loads(monkeypatch)
    assert _findings([work], catalogue) == cold
    assert loaded == []


def test_a_float_written_as_text_pickles_with_its_text():
    import pickle

    from analyzer.cloudformation.types import SourceFloat

    number = pickle.loads(pickle.dumps(SourceFloat(1.3, "1.30")))
    assert (type(number), float(number), str(number)) == (SourceFloat, 1.3, "1.30")


def test_a_change_to_eksjoin_code_makes_every_entry_stale(tmp_path, cache_dir, catalogue, monkeypatch):
    """Another code digest (an edited rule file or module, without a version bump) misses;
    the same code hits again (a new process hits too: tests/test_startup.py)."""
    work = _inputs(tmp_path)
    cold = _findings([work], catalogue)
    loaded = _count_loads(monkeypatch)
    assert _findings([work], catalogue) == cold
    assert loaded == []
    monkeypatch.setattr(resultcache, "code_digest", lambda: "edited")
    assert _findings([work], catalogue) == cold
    assert sorted(loaded) == ["eksctl.yaml", "stack.yaml"]
    loaded.clear()
    assert _findings([work], catalogue) == cold
    assert loaded == []


def _copy_of_eksjoin(tmp_path):
    package = shutil.copytree(REPO / "analyzer", tmp_path / "analyzer", ignore=shutil.ignore_patterns("__pycache__"))
    rules = shutil.copytree(REPO / "rules", tmp_path / "rules")
    return [package, rules]


def _rewrite_keeping_size_and_mtime(path, old, new):
    stat = path.stat()
    text = path.read_text()
    assert len(old) == len(new) and old in text
    path.write_text(text.replace(old, new, 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize(
    ("edited", "old", "new"),
    [
        ("rules/EKS-SG-001.yaml", "severity: error", "severity: ERROR"),
        ("analyzer/terraform/loader.py", "def ", "def\t"),
    ],
)
def test_the_code_digest_follows_the_contents_of_a_checkout(tmp_path, edited, old, new):
    trees = _copy_of_eksjoin(tmp_path)
    before = resultcache.tree_digest(trees, by_content=True)
    assert resultcache.tree_digest(trees, by_content=True) == before  # nothing changed: the same key
    assert resultcache.tree_digest(_copy_of_eksjoin(tmp_path / "again"), by_content=True) == before
    _rewrite_keeping_size_and_mtime(tmp_path / edited, old, new)
    assert resultcache.tree_digest(trees, by_content=True) != before


def test_the_code_digest_of_an_installed_package_follows_sizes_and_times(tmp_path):
    trees = _copy_of_eksjoin(tmp_path)
    before = resultcache.tree_digest(trees, by_content=False)
    assert resultcache.tree_digest(trees, by_content=False) == before
    rule = tmp_path / "rules" / "EKS-SG-001.yaml"
    os.utime(rule, ns=(rule.stat().st_atime_ns, rule.stat().st_mtime_ns + 1))
    assert resultcache.tree_digest(trees, by_content=False) != before


def test_the_code_digest_counts_a_new_module(tmp_path):
    trees = _copy_of_eksjoin(tmp_path)
    before = resultcache.tree_digest(trees, by_content=True)
    (tmp_path / "analyzer" / "knowledge" / "extra.py").write_text("")
    assert resultcache.tree_digest(trees, by_content=True) != before
