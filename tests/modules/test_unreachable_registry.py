"""A registry host that cannot be reached is asked once per run, not once per module."""

from __future__ import annotations

from analyzer.modules import http, registry
from analyzer.modules.cache import ModuleCache
from analyzer.modules.cliconfig import CliConfig
from analyzer.modules.fetch import ModuleFetcher, NotLoaded


def test_an_unreachable_registry_host_is_asked_once(tmp_path, monkeypatch):
    asked: list[str] = []

    def unreachable(url, **_options):
        asked.append(url)
        raise http.FetchError("cannot reach registry.terraform.io: [Errno -2] Name or service not known")

    monkeypatch.setattr(registry.http, "get", unreachable)
    fetcher = ModuleFetcher(cache=ModuleCache(tmp_path / "cache"), cli_config=CliConfig())
    outcomes = [fetcher.fetch(source, "~> 5.0") for source in ("terraform-aws-modules/vpc/aws", "org/eks/aws")]
    assert asked == ["https://registry.terraform.io/.well-known/terraform.json"]
    assert all(isinstance(o, NotLoaded) for o in outcomes)
    assert {o.why for o in outcomes} == {
        "cannot reach registry.terraform.io: [Errno -2] Name or service not known; no cached version matches"
    }
