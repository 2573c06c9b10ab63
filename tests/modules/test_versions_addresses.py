"""Version constraints with go-version semantics, source classification, the cache dir."""

from pathlib import Path

import pytest

from analyzer.cachedir import CACHE_DIR_ENV, cache_root, cache_subdir
from analyzer.modules.addresses import (
    ArchiveSource,
    GitSource,
    LocalSource,
    RegistrySource,
    UnsupportedSource,
    parse_source,
)
from analyzer.modules.versions import Constraint, Version, VersionError

RELEASES = ["18.31.2", "19.15.4", "19.21.0", "20.8.5", "20.37.2", "21.0.9", "21.15.0", "21.19.0", "22.0.0-beta1"]


@pytest.mark.parametrize(
    ("constraint", "chosen"),
    [
        ("20.8.5", "20.8.5"),
        ("= 20.8.5", "20.8.5"),
        ("~> 20.0", "20.37.2"),
        ("~> 20.8.0", "20.8.5"),
        ("~> 21.0", "21.19.0"),
        ("~> 21", "21.19.0"),  # go-version: "~> 21" keeps no segment fixed: >= 21
        (">= 19, < 20", "19.21.0"),
        ("!= 21.19.0, ~> 21.0", "21.15.0"),
        ("> 21.15.0", "21.19.0"),
        ("<= 19.15.4", "19.15.4"),
        ("< 18.31.2", None),
        ("", "21.19.0"),  # no constraint: the newest release, never a pre-release
        (">= 22.0.0-beta1", None),  # a pre-release only when named exactly
        ("22.0.0-beta1", "22.0.0-beta1"),
        ("21.15", "21.15.0"),  # 21.15 means 21.15.0 exactly
        ("21.16", None),
        ("21.15.0", "21.15.0"),
    ],
)
def test_constraint_selects_like_terraform(constraint, chosen):
    newest = Constraint.parse(constraint).newest(RELEASES)
    assert (str(newest) if newest else None) == chosen


def test_versions_order_with_prereleases_and_numbers():
    assert Version.parse("1.0.0-beta.2") < Version.parse("1.0.0-beta.10") < Version.parse("1.0.0")
    assert Version.parse("v1.2") == Version.parse("1.2.0")


@pytest.mark.parametrize("bad", ["~>", "1.x", ">= one", "1.0 || 2.0"])
def test_invalid_constraints_are_refused(bad):
    with pytest.raises(VersionError):
        Constraint.parse(bad)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("./modules/x", LocalSource("./modules/x")),
        (
            "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc",
            RegistrySource(
                "registry.terraform.io", "terraform-aws-modules", "iam", "aws", "modules/iam-assumable-role-with-oidc"
            ),
        ),
        ("app.terraform.io/acme/eks/aws", RegistrySource("app.terraform.io", "acme", "eks", "aws")),
        ("github.com/acme/mods//eks?ref=v1.2.0", GitSource("https://github.com/acme/mods", "v1.2.0", 0, "eks")),
        ("git@github.com:acme/mods.git?ref=v1", GitSource("ssh://git@github.com/acme/mods.git", "v1")),
        (
            "git::https://example.com/m.git//a/b?ref=main&depth=1",
            GitSource("https://example.com/m.git", "main", 1, "a/b"),
        ),
        ("https://example.com/m.zip//sub", ArchiveSource("https://example.com/m.zip", "zip", "sub")),
        ("https://example.com/get?archive=tar.gz", ArchiveSource("https://example.com/get", "tar.gz")),
    ],
)
def test_sources_are_classified_like_terraform(source, expected):
    assert parse_source(source) == expected


@pytest.mark.parametrize(
    "source",
    ["git::ext::sh -c touch${IFS}/tmp/x", "git::http://example.com/x.git", "s3::https://b/x.zip", "hg::https://x"],
)
def test_command_running_or_foreign_transports_are_refused(source):
    assert isinstance(parse_source(source), UnsupportedSource)


def test_cache_dir_honours_the_override(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "c"))
    assert cache_root() == tmp_path / "c"
    assert not (tmp_path / "c").exists()
    modules = cache_subdir("modules")
    assert modules == tmp_path / "c" / "modules" and modules.is_dir()


def test_cache_dir_defaults_to_the_platform_location(monkeypatch, tmp_path):
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == Path(tmp_path) / "eksjoin"
