"""The repository boundary: what a run may read."""

import os
from pathlib import Path

import pytest

from analyzer.boundary import Boundary, NotARegularFile, OutsideBoundary, TooLarge


def test_git_work_tree_is_the_boundary(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    infra = tmp_path / "repo" / "infra" / "nodes"
    infra.mkdir(parents=True)
    boundary = Boundary.for_paths([infra], cwd=tmp_path)
    assert boundary.root == (tmp_path / "repo").resolve()
    assert boundary.contains(tmp_path / "repo" / "modules" / "x.tf")
    assert not boundary.contains(tmp_path / "elsewhere.tf")


def test_outside_git_the_working_directory_is_the_boundary(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert Boundary.for_paths([tmp_path / "a" / "b"], cwd=tmp_path).root == tmp_path.resolve()


def test_outside_git_and_cwd_the_scanned_path_is_the_boundary(tmp_path):
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    assert Boundary.for_paths([scanned], cwd=cwd).root == scanned.resolve()


def test_root_widens_the_boundary(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    boundary = Boundary.for_paths([tmp_path / "repo"], widen=tmp_path, cwd=tmp_path)
    assert boundary.root == tmp_path.resolve()


def test_symlink_leaving_the_boundary_is_refused(tmp_path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "secret.tfvars").write_text("x = 1")
    link = tmp_path / "repo" / "terraform.tfvars"
    link.symlink_to(tmp_path / "secret.tfvars")
    boundary = Boundary(tmp_path.joinpath("repo").resolve())
    with pytest.raises(OutsideBoundary):
        boundary.read_text(link, 1024)


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "main.tf"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile):
        Boundary(tmp_path.resolve()).read_bytes(fifo, 1024)


def test_size_is_checked_before_reading(tmp_path):
    big = tmp_path / "big.tf"
    with big.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024)
    with pytest.raises(TooLarge):
        Boundary(tmp_path.resolve()).read_bytes(big, 1024)


def test_extra_roots_are_readable(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "m.tf").write_text("")
    boundary = Boundary((tmp_path / "repo").resolve()).with_extra(cache)
    assert boundary.read_text(cache / "m.tf", 10) == ""
    assert boundary.contains(Path(cache / "m.tf"))
