"""The repository boundary: what a run may read."""

import os
from pathlib import Path

import pytest
from conftest import REPO

from analyzer import boundary
from analyzer.boundary import Boundary, NotARegularFile, OutsideBoundary, Refused, TooLarge
from analyzer.config import ConfigError, find_config, load_config


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


# --- globs: nothing outside the boundary is listed -----------------------------------------


def _repository_beside_outside(tmp_path: Path) -> tuple[Path, Path]:
    """``repo/`` (the boundary) with a folder of its own, and ``outside/`` next to it."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "templates").mkdir(parents=True)
    (repo / "templates" / "a.tpl").write_text("a")
    outside.mkdir()
    (outside / "secret.tpl").write_text("s")
    return repo.resolve(), outside.resolve()


@pytest.mark.parametrize("pattern", ["../outside/*", "../*/*", "../../**/*.tpl", "templates/../../outside/*"])
def test_a_glob_whose_literal_part_leaves_the_boundary_is_refused(tmp_path, pattern):
    repo, _ = _repository_beside_outside(tmp_path)
    with pytest.raises(OutsideBoundary):
        Boundary(repo).glob(repo, pattern, 100)


def test_a_glob_with_dotdot_after_a_wildcard_or_an_absolute_pattern_is_refused(tmp_path):
    repo, outside = _repository_beside_outside(tmp_path)
    with pytest.raises(Refused, match=r"'\.\.' after a wildcard"):
        Boundary(repo).glob(repo, "*/../../outside/*", 100)
    with pytest.raises(OutsideBoundary):
        Boundary(repo).glob(repo, f"{outside}/*", 100)


def test_a_glob_does_not_follow_a_link_out_of_the_boundary(tmp_path):
    repo, outside = _repository_beside_outside(tmp_path)
    (repo / "templates" / "linked").symlink_to(outside, target_is_directory=True)
    (repo / "templates" / "leak.tpl").symlink_to(outside / "secret.tpl")
    found = Boundary(repo).glob(repo, "**", 100)
    assert found == [repo / "templates" / "a.tpl"]


def test_a_glob_inside_the_boundary_lists_its_files(tmp_path):
    repo, _ = _repository_beside_outside(tmp_path)
    (repo / "modules").mkdir()
    assert Boundary(repo).glob(repo / "modules", "../templates/*.tpl", 100) == [repo / "modules/../templates/a.tpl"]


def test_fileset_out_of_the_repository_is_a_finding_naming_no_outside_file(tmp_path, catalogue):
    from analyzer.pipeline import analyze

    repo, _ = _repository_beside_outside(tmp_path)
    (repo / ".git").mkdir()
    (repo / "main.tf").write_text(
        'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n'
        '  tags = { F = jsonencode(fileset(path.module, "../outside/*")) }\n}\n'
    )
    analysis = analyze([repo], catalogue)
    refused = [d for d in analysis.findings if d.rule_id == "LOAD-003"]
    assert [f.message for f in refused] == [
        "fileset() pattern '../outside/*' leads outside the repository; nothing there was listed"
    ]
    assert "secret" not in "".join(f.message for f in analysis.findings)


# --- .eksjoin.yaml: found and read only inside the boundary --------------------------------


def test_config_above_the_repository_is_never_found(tmp_path):
    (tmp_path / ".eksjoin.yaml").write_text("ignore: [EKS-DNS-002]\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    assert find_config(repo / "infra", Boundary.for_paths([repo / "infra"], cwd=tmp_path)) is None


def test_config_at_the_repository_root_applies_to_a_subfolder(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra" / "nodes").mkdir(parents=True)
    (repo / ".eksjoin.yaml").write_text("ignore: [EKS-DNS-002]\n")
    repository = Boundary.for_paths([repo / "infra" / "nodes"], cwd=tmp_path)
    assert find_config(repo / "infra" / "nodes", repository) == repo.resolve() / ".eksjoin.yaml"


def test_outside_git_the_config_search_stops_at_the_working_directory(tmp_path):
    (tmp_path / ".eksjoin.yaml").write_text("ignore: [EKS-DNS-002]\n")
    project = tmp_path / "project"
    (project / "infra").mkdir(parents=True)
    within_project = Boundary.for_paths([project / "infra"], cwd=project)
    assert find_config(project / "infra", within_project) is None
    (project / ".eksjoin.yml").write_text("ignore: [EKS-DNS-002]\n")
    assert find_config(project / "infra", within_project) == project.resolve() / ".eksjoin.yml"


def test_config_linked_out_of_the_repository_is_refused_not_read(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (tmp_path / "elsewhere.yaml").write_text("ignore: [EKS-DNS-002]\n")
    (repo / ".eksjoin.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    repository = Boundary.for_paths([repo], cwd=tmp_path)
    found = find_config(repo, repository)
    with pytest.raises(ConfigError, match="outside the repository"):
        load_config(found, repository)


def test_a_fifo_named_like_the_config_is_an_error_without_blocking(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    os.mkfifo(repo / ".eksjoin.yaml")
    repository = Boundary.for_paths([repo], cwd=tmp_path)
    with pytest.raises(ConfigError, match="a FIFO, not a regular file"):
        load_config(find_config(repo, repository), repository)


def test_a_lint_takes_no_settings_from_above_the_repository(tmp_path, capsys, monkeypatch):
    from cli_inprocess import eksjoin

    (tmp_path / ".eksjoin.yaml").write_text("fail_on: never\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text((REPO / "examples" / "terraform" / "main.tf").read_text())
    monkeypatch.chdir(tmp_path)
    assert eksjoin(capsys, monkeypatch, "lint", str(repo), "--no-cache").code == 1  # not "never"


def test_config_var_files_and_baseline_outside_the_repository_are_refused(tmp_path, capsys, monkeypatch):
    from cli_inprocess import eksjoin

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text('variable "x" {}\n')
    (tmp_path / "outside.tfvars").write_text('x = "from outside"\n')
    (repo / ".eksjoin.yaml").write_text("var_files: [../outside.tfvars]\n")
    ran = eksjoin(capsys, monkeypatch, "lint", str(repo), "--no-cache", "--format", "json")
    assert "outside.tfvars, which is outside the repository" in ran.out
    assert "from outside" not in ran.out
    (repo / ".eksjoin.yaml").write_text("baseline: ../b.json\n")
    (tmp_path / "b.json").write_text('{"version": 2, "findings": []}')
    ran = eksjoin(capsys, monkeypatch, "lint", str(repo), "--no-cache")
    assert ran.code == 2 and "baseline" in ran.err and "outside the repository" in ran.err


# --- one file is read once, however it is named ------------------------------------------


def test_a_file_named_twice_or_through_two_paths_is_read_once(tmp_path, monkeypatch):
    from analyzer import boundary as boundary_module
    from analyzer.discovery import discover

    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "main.tf").write_text('resource "aws_vpc" "v" {}\n')
    (repo / "infra" / "cluster.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    (repo / "alias").symlink_to(repo / "infra", target_is_directory=True)
    reads: list[Path] = []
    real = Boundary.read_bytes
    monkeypatch.setattr(
        Boundary, "read_bytes", lambda self, path, *a, **k: reads.append(path) or real(self, path, *a, **k)
    )
    monkeypatch.chdir(repo)
    with boundary_module.enforced(Boundary(repo.resolve())):
        inventory = discover(
            [Path("infra"), Path("infra"), Path("infra/main.tf"), Path("./infra/../infra"), Path("alias")]
        )
    assert [f.display for f in inventory.yaml_files] == ["infra/cluster.yaml"]
    assert [[f.display for f in files] for files in inventory.terraform_dirs.values()] == [["infra/main.tf"]]
    assert sorted(p.name for p in reads) == ["cluster.yaml", "main.tf"]
    assert inventory.roots == [(repo / "infra").resolve()]


def test_a_file_linked_under_another_name_is_a_file_of_its_own(tmp_path):
    """A shared providers.tf linked into two root modules belongs to each of them."""
    from analyzer import boundary as boundary_module
    from analyzer.discovery import discover

    repo = tmp_path / "repo"
    for env in ("dev", "prod"):
        (repo / env).mkdir(parents=True)
    (repo / "shared.tf").write_text('provider "aws" {}\n')
    (repo / "dev" / "providers.tf").symlink_to(repo / "shared.tf")
    (repo / "prod" / "providers.tf").symlink_to(repo / "shared.tf")
    with boundary_module.enforced(Boundary(repo.resolve())):
        inventory = discover([repo / "dev", repo / "prod"])
    assert sum(len(files) for files in inventory.terraform_dirs.values()) == 2


def test_a_run_resolves_each_path_as_path_resolve_does(tmp_path):
    """Within a run a path is resolved through its folder's resolution when its name is no
    symlink; links to files and folders, dangling links, loops, ``..`` after a linked folder
    and missing files give what Path.resolve gives (a loop: the path itself, made absolute)."""
    tmp_path = tmp_path.resolve()
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "main.tf").write_text("")
    (real / "top.tf").write_text("")
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    (real / "sub" / "file-link.tf").symlink_to(real / "top.tf")
    (real / "dangling.tf").symlink_to(tmp_path / "nowhere.tf")
    (real / "loop-a").symlink_to(real / "loop-b")
    (real / "loop-b").symlink_to(real / "loop-a")
    asked = [
        tmp_path / "linked" / "sub" / "main.tf",
        tmp_path / "linked" / "sub" / "file-link.tf",
        tmp_path / "linked" / "sub" / ".." / "top.tf",
        tmp_path / "linked" / "dangling.tf",
        tmp_path / "linked" / "missing" / "x.tf",
        tmp_path / "linked" / "sub",
        real / "sub" / "main.tf",
    ]
    with boundary.enforced(Boundary(tmp_path)):
        for _ in range(2):  # answered, then answered again from the run's resolutions
            assert [boundary.resolved(p) for p in asked] == [p.resolve() for p in asked]
        looped = real / "loop-a" / "x.tf"
        assert boundary.resolved(looped) == looped
    (real / "sub" / "main.tf").unlink()
    (real / "sub" / "main.tf").symlink_to(real / "top.tf")
    with boundary.enforced(Boundary(tmp_path)):  # a new run sees the file is now a link
        assert boundary.resolved(asked[0]) == real / "top.tf"
