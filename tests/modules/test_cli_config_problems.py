"""A Terraform CLI configuration a module download needed but could not use is a finding: one
over 1 MiB was skipped silently before (its host blocks and credentials did not apply, and
nothing said so). Nothing here reaches the network: the registry client's HTTP is replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.engine.catalogue import load_catalogue
from analyzer.modules import http, registry
from analyzer.modules.cliconfig import MAX_CONFIG_BYTES
from analyzer.pipeline import Options, analyze


def _over_the_limit(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.truncate(MAX_CONFIG_BYTES + 1)


def _folder(path: Path) -> None:
    path.mkdir()


CASES = {
    "too_large": (_over_the_limit, "is 1,048,577 bytes, over the limit of 1,048,576 bytes eksjoin reads"),
    "not_hcl": (lambda path: path.write_text('host "x" {\n'), "is not valid HCL ("),
    "host_not_a_block": (lambda path: path.write_text('host = "x"\n'), 'has a "host" setting that is not a block'),
    "a_folder": (_folder, "is not a regular file"),
}


@pytest.fixture
def repository(tmp_path, monkeypatch):
    def unreachable(url, **_options):
        raise http.FetchError("cannot reach the registry (the test replaced HTTP)")

    monkeypatch.setattr(registry.http, "get", unreachable)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "home").mkdir()
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text(
        'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.0.0"\n}\n'
    )
    return repo


def _load_findings(repo: Path, offline: bool = False):
    analysis = analyze([repo], load_catalogue(), Options(offline=offline, cache=False))
    return [f for f in analysis.findings if f.rule_id == "LOAD-002"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_problem_of_the_cli_configuration_is_a_finding(repository, tmp_path, monkeypatch, case):
    make, why = CASES[case]
    config = tmp_path / "terraformrc"
    make(config)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))
    (finding,) = _load_findings(repository)
    assert finding.message.startswith(f"The Terraform CLI configuration {config} {why}")
    assert finding.message.endswith("so module downloads went without it")
    assert finding.location.path == str(config)
    assert "TF_CLI_CONFIG_FILE" in finding.fix


@pytest.mark.parametrize(
    ("text", "why"),
    [("[]", 'holds no "credentials" object')],
)
def test_a_credentials_file_terraform_login_wrote_that_cannot_be_used_is_a_finding(
    repository, tmp_path, monkeypatch, text, why
):
    credentials = tmp_path / "home" / ".terraform.d" / "credentials.tfrc.json"
    credentials.parent.mkdir()
    credentials.write_text(text)  # a list here raised AttributeError before
    monkeypatch.delenv("TF_CLI_CONFIG_FILE", raising=False)
    (finding,) = _load_findings(repository)
    assert f"{credentials} {why}" in finding.message


def test_an_offline_run_reads_no_cli_configuration_and_says_nothing_of_it(repository, tmp_path, monkeypatch):
    _over_the_limit(tmp_path / "terraformrc")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tmp_path / "terraformrc"))
    assert _load_findings(repository, offline=True) == []
