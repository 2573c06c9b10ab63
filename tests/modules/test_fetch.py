"""Registry, git and archive modules fetched as ``terraform init`` would, against a registry
on 127.0.0.1 serving the real releases in ../shared/registry.

Nothing here reaches the internet: every host is either the loopback registry (pointed at by
a ``host "registry.terraform.io"`` block in a Terraform CLI configuration, as Terraform's own
tests do) or a closed loopback port.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest
from conftest import CORPUS, REGISTRY

from analyzer.engine.catalogue import load_catalogue
from analyzer.modules.cache import ModuleCache
from analyzer.modules.cliconfig import load_cli_config
from analyzer.modules.fetch import Fetched, ModuleFetcher, NotLoaded
from analyzer.pipeline import Options, analyze

from .registry_server import RegistryServer

TUTORIAL = CORPUS / "hashicorp__learn-terraform-provision-eks-cluster"

pytestmark = pytest.mark.skipif(not REGISTRY.is_dir(), reason="../shared/registry is not available")


@pytest.fixture(scope="module")
def registry():
    with RegistryServer(REGISTRY) as server:
        yield server


@pytest.fixture(scope="module")
def warm_cache(registry, tmp_path_factory):
    """A module cache filled once by linting the tutorial (eks, vpc, iam and the kms the eks module calls)."""
    root = tmp_path_factory.mktemp("warm-cache")
    config = registry.cli_config(root)
    with _environment(TF_CLI_CONFIG_FILE=str(config), EKSJOIN_CACHE_DIR=str(root / "cache")):
        _lint(_copy_tutorial(root / "tutorial"), offline=False)
    return root / "cache"


@pytest.fixture
def online(registry, tmp_path, monkeypatch):
    """Fetching through the loopback registry into this test's own, empty cache."""
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(registry.cli_config(tmp_path)))
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(tmp_path / "cache"))
    return registry


def _environment(**values):
    class _Env:
        def __enter__(self):
            self.saved = {k: os.environ.get(k) for k in values}
            os.environ.update(values)

        def __exit__(self, *exc):
            for key, value in self.saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    return _Env()


def _copy_tutorial(target: Path) -> Path:
    shutil.copytree(TUTORIAL, target)
    return target


def _lint(directory: Path, *, offline: bool):
    cwd = os.getcwd()
    os.chdir(directory)  # finding paths are relative to the working directory
    try:
        return analyze([Path(".")], load_catalogue(), Options(offline=offline))
    finally:
        os.chdir(cwd)


def _decided(analysis) -> int:
    return analysis.count("pass") + analysis.count("fail")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _fetcher(cache: Path, *, offline: bool = False) -> ModuleFetcher:
    return ModuleFetcher(offline=offline, cache=ModuleCache(cache), cli_config=load_cli_config())


# -- the tutorial, as a new user lints it --


def test_the_tutorial_is_checked_through_its_registry_modules(online, tmp_path):
    analysis = _lint(_copy_tutorial(tmp_path / "tutorial"), offline=False)
    assert _decided(analysis) >= 40
    assert not [f for f in analysis.findings if f.severity == "error"]
    assert analysis.inventory.modules_loaded == 4  # eks, vpc, iam and the kms module eks calls
    assert analysis.inventory.modules_not_loaded == 0
    assert all(not f.location.path.startswith(("/", "..")) for f in analysis.findings)


def test_a_nat_gateway_removed_from_the_tutorial_is_an_error_in_its_main_tf(warm_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(warm_cache))
    tutorial = _copy_tutorial(tmp_path / "tutorial")
    _edit(tutorial / "main.tf", "enable_nat_gateway   = true", "enable_nat_gateway   = false")
    analysis = _lint(tutorial, offline=True)
    errors = [f for f in analysis.findings if f.rule_id == "EKS-NET-002" and f.severity == "error"]
    assert errors and {f.location.path for f in errors} == {"main.tf"}
    assert all("module.vpc.aws_subnet.private" in f.message for f in errors)


def test_dns_support_turned_off_in_the_tutorial_is_an_error_in_its_main_tf(warm_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(warm_cache))
    tutorial = _copy_tutorial(tmp_path / "tutorial")
    _edit(
        tutorial / "main.tf", "enable_dns_hostnames = true", "enable_dns_hostnames = true\n  enable_dns_support = false"
    )
    analysis = _lint(tutorial, offline=True)
    (error,) = [f for f in analysis.findings if f.rule_id == "EKS-DNS-001"]
    # at the module argument the user wrote (the vpc module passes var.enable_dns_support on)
    line = tutorial.joinpath("main.tf").read_text().splitlines().index("  enable_dns_support = false") + 1
    assert (error.severity, error.location.path, error.location.line) == ("error", "main.tf", line)
    (inside,) = [loc for address, loc in error.related if address == "module.vpc.aws_vpc.this[0]"]
    assert inside.path.endswith("code/main.tf") and str(warm_cache.name) in inside.path  # the module's own line


def test_with_the_server_gone_the_cache_gives_the_same_findings(registry, warm_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(warm_cache))
    closed = _closed_port()
    config = tmp_path / "terraformrc"
    config.write_text(
        f'host "registry.terraform.io" {{\n  services = {{\n    "modules.v1" = "http://127.0.0.1:{closed}/v1/"\n  }}\n}}\n'
    )
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))
    tutorial = _copy_tutorial(tmp_path / "tutorial")
    unreachable = _lint(tutorial, offline=False)
    offline = _lint(tutorial, offline=True)
    assert _decided(unreachable) >= 40
    assert [f.message for f in unreachable.findings] == [f.message for f in offline.findings]


def test_an_empty_cache_and_no_registry_name_the_module_and_its_constraint(tmp_path, monkeypatch):
    monkeypatch.setenv("EKSJOIN_CACHE_DIR", str(tmp_path / "empty"))
    analysis = _lint(_copy_tutorial(tmp_path / "tutorial"), offline=True)
    not_loaded = [f for f in analysis.findings if f.rule_id == "LOAD-006"]
    eks = [f for f in not_loaded if "terraform-aws-modules/eks/aws" in f.message]
    assert len(eks) == 1 and "'20.8.5'" in eks[0].message and eks[0].location.path == "main.tf"
    assert "terraform init" in eks[0].fix and "--offline" in eks[0].fix
    assert analysis.inventory.modules_not_loaded == 3
    # module.eks takes the EBS CSI role from module.irsa-ebs-csi, which takes the OIDC provider
    # from module.eks: Terraform orders that by output, so it is no cycle.
    assert not [f for f in analysis.findings if f.rule_id == "LOAD-005"]
    [nothing_decided] = [f for f in analysis.findings if f.rule_id == "RUN-002"]
    assert "3 module(s) could not be loaded (LOAD-006)" in nothing_decided.message


@pytest.mark.parametrize(
    ("example", "widen"),
    [
        ("aws-samples__eks-workshop-v2/cluster/terraform", None),  # eks ~> 21, vpc ~> 6
        ("terraform-aws-modules__terraform-aws-eks/examples/eks-managed-node-group", None),
        ("terraform-aws-modules__terraform-aws-eks/examples/karpenter", "../.."),  # source = "../.."
    ],
)
def test_official_examples_decide_their_checks(online, example, widen):
    directory = CORPUS / example
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        root = (directory / widen).resolve() if widen else None
        analysis = analyze([Path(".")], load_catalogue(), Options(offline=False, root=root))
    finally:
        os.chdir(cwd)
    assert _decided(analysis) >= 20
    assert not [f for f in analysis.findings if f.severity == "error"]
    assert analysis.inventory.modules_not_loaded == 0


# -- version selection and nesting --


@pytest.mark.parametrize(
    ("constraint", "chosen"),
    [
        ("~> 20.0", "20.37.2"),
        ("~> 20.8.0", "20.8.5"),
        (">= 19.0, < 20.0", "19.21.0"),
        ("!= 21.19.0, > 21.0", "21.15.0"),
        ("18.31.2", "18.31.2"),
        (None, "21.19.0"),
    ],
)
def test_the_newest_version_the_constraint_allows_is_fetched(online, tmp_path, constraint, chosen):
    outcome = _fetcher(tmp_path / "cache").fetch("terraform-aws-modules/eks/aws", constraint)
    assert isinstance(outcome, Fetched) and outcome.version == chosen
    assert (outcome.directory / "main.tf").is_file()


def test_a_registry_subdirectory_is_the_module(online, tmp_path):
    outcome = _fetcher(tmp_path / "cache").fetch(
        "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc", "5.39.0"
    )
    assert isinstance(outcome, Fetched) and outcome.directory.name == "iam-assumable-role-with-oidc"


def test_no_matching_version_says_which_versions_exist(online, tmp_path):
    outcome = _fetcher(tmp_path / "cache").fetch("terraform-aws-modules/eks/aws", "~> 17.0")
    assert isinstance(outcome, NotLoaded)
    assert "no published version matches ~> 17.0" in outcome.why and "21.19.0" in outcome.why


def test_a_module_the_registry_does_not_know_is_a_404(online, tmp_path):
    outcome = _fetcher(tmp_path / "cache").fetch("example/missing/aws", "1.0.0")
    assert isinstance(outcome, NotLoaded) and "HTTP 404" in outcome.why


def test_an_unreachable_registry_with_nothing_cached_is_not_loaded(tmp_path, monkeypatch):
    config = tmp_path / "terraformrc"
    config.write_text(
        f'host "registry.terraform.io" {{\n  services = {{\n    "modules.v1" = "http://127.0.0.1:{_closed_port()}/v1/"\n  }}\n}}\n'
    )
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))
    outcome = _fetcher(tmp_path / "cache").fetch("terraform-aws-modules/vpc/aws", "5.8.1")
    assert isinstance(outcome, NotLoaded) and "cannot reach 127.0.0.1" in outcome.why
    assert "no cached version matches" in outcome.why


# -- the cache --


def test_a_corrupt_cache_entry_is_fetched_again(online, tmp_path):
    cache = tmp_path / "cache"
    first = _fetcher(cache).fetch("terraform-aws-modules/vpc/aws", "5.8.1")
    (first.directory / "main.tf").unlink()
    online.requests.clear()
    second = _fetcher(cache).fetch("terraform-aws-modules/vpc/aws", "5.8.1")
    assert isinstance(second, Fetched) and (second.directory / "main.tf").is_file()
    assert any(path.endswith(".tar.gz") for path in online.requests)


def test_a_cached_exact_version_needs_no_request(online, tmp_path):
    cache = tmp_path / "cache"
    _fetcher(cache).fetch("terraform-aws-modules/kms/aws", "2.1.0")
    online.requests.clear()
    assert isinstance(_fetcher(cache).fetch("terraform-aws-modules/kms/aws", "2.1.0"), Fetched)
    assert online.requests == []


def test_two_runs_filling_one_cache_at_once_both_get_a_whole_module(online, tmp_path):
    cache = tmp_path / "cache"
    outcomes: list = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            outcomes.append(_fetcher(cache).fetch("terraform-aws-modules/vpc/aws", "6.6.0"))
        except Exception as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and all(isinstance(o, Fetched) for o in outcomes), outcomes
    assert outcomes[0].directory == outcomes[1].directory and (outcomes[0].directory / "main.tf").is_file()
    assert not list(cache.rglob(".partial-*"))
    assert ModuleCache(cache).get("registry", ("registry.terraform.io", "terraform-aws-modules", "vpc", "aws"), "6.6.0")


def test_the_cache_evicts_the_least_recently_used_entries(online, tmp_path):
    cache = ModuleCache(tmp_path / "cache")
    fetcher = ModuleFetcher(cache=cache, cli_config=load_cli_config())
    old = fetcher.fetch("terraform-aws-modules/kms/aws", "1.0.2").directory
    os.utime(old.parent / "entry.json", (1, 1))
    new = fetcher.fetch("terraform-aws-modules/kms/aws", "1.1.0").directory
    cache.evict(limit=sum(p.stat().st_size for p in new.parent.rglob("*") if p.is_file()) + 1)
    assert not old.exists() and new.exists()


def test_eviction_skips_entries_being_built_and_directories_that_vanish_meanwhile(tmp_path, monkeypatch):
    # Another fetch of the same run renames its .partial- directory into place while eviction
    # walks the cache: the walk must neither enter it nor fail on a directory that is gone.
    cache = ModuleCache(tmp_path / "cache")
    building = cache.root / "registry" / "host" / "ns" / "name" / "aws" / ".partial-abc"
    (building / "code" / "deep").mkdir(parents=True)
    (building / "entry.json").write_text("{}")
    (building / "code" / "deep" / "big.tf").write_text("x" * 10_000)
    whole = cache.put("registry", ("host", "ns", "name", "aws"), "1.0.0", lambda d: (d / "main.tf").write_text("y"))
    vanishing = cache.root / "registry" / "gone"
    vanishing.mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if isinstance(path, str | os.PathLike) and Path(path) == vanishing:
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    cache.evict(limit=1)  # over the limit: the whole entry goes, the one being built stays
    assert not whole.exists() and (building / "code" / "deep" / "big.tf").is_file()


# -- hostile packages and sources --


def _tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, data in members:
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


@pytest.mark.parametrize(
    ("members", "why"),
    [
        ([(_member("../escape.tf"), b"x")], "outside the module"),
        ([(_member("/etc/cron.d/x"), b"x")], "outside the module"),
        ([(_member("link", tarfile.SYMTYPE, "../../.."), b"")], "links outside the module"),
        ([(_member("dev", tarfile.CHRTYPE), b"")], "device or FIFO"),
    ],
)
def test_an_archive_that_writes_outside_the_module_is_refused(online, tmp_path, members, why):
    online.extra["/hostile.tar.gz"] = _tar([(_member("main.tf"), b"# ok\n"), *members])
    outcome = _fetcher(tmp_path / "cache").fetch(f"{online.url}/hostile.tar.gz", None)
    assert isinstance(outcome, NotLoaded) and why in outcome.why
    assert not (tmp_path / "escape.tf").exists()
    assert not [p for p in (tmp_path / "cache").rglob("main.tf")]  # nothing half-unpacked is kept


def test_an_http_archive_source_with_a_subdirectory(online, tmp_path):
    online.extra["/pkg.tgz"] = _tar([(_member("modules/net/main.tf"), b'output "x" {\n  value = 1\n}\n')])
    outcome = _fetcher(tmp_path / "cache").fetch(f"{online.url}/pkg.tgz//modules/net", None)
    assert isinstance(outcome, Fetched) and (outcome.directory / "main.tf").is_file()


def test_a_download_over_the_size_limit_is_refused(online, tmp_path, monkeypatch):
    from analyzer.modules import fetch

    monkeypatch.setattr(fetch, "MAX_ARCHIVE_BYTES", 1000)
    online.extra["/big.tar.gz"] = os.urandom(5000)
    outcome = _fetcher(tmp_path / "cache").fetch(f"{online.url}/big.tar.gz", None)
    assert isinstance(outcome, NotLoaded) and "download limit" in outcome.why


@pytest.mark.parametrize(
    "source",
    [
        "git::ext::sh -c touch% /tmp/eksjoin-ext-ran",
        "git::ext::sh -c 'touch /tmp/eksjoin-ext-ran'",
        "hg::https://example.com/repo",
        "s3::https://s3.amazonaws.com/bucket/module.zip",
    ],
)
def test_a_command_running_or_unsupported_transport_is_never_run(tmp_path, source):
    outcome = _fetcher(tmp_path / "cache").fetch(source, None)
    assert isinstance(outcome, NotLoaded) and ("not allowed" in outcome.why or "not fetched" in outcome.why)
    assert not Path("/tmp/eksjoin-ext-ran").exists()


# -- git sources, from a bare repository built from a release archive --


@pytest.fixture(scope="module")
def bare_repository(tmp_path_factory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    work = tmp_path_factory.mktemp("git-work")
    with tarfile.open(REGISTRY / "terraform-aws-modules/kms/aws/2.1.0.tar.gz") as archive:
        archive.extractall(work, filter="data")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        [*identity, "commit", "-qm", "v2.1.0"],
        ["tag", "v2.1.0"],
    ):
        subprocess.run(["git", *command], cwd=work, env=env, check=True, capture_output=True)
    bare = tmp_path_factory.mktemp("git-bare") / "kms.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], env=env, check=True, capture_output=True)
    return bare


def test_a_git_source_at_a_tag_is_cloned_shallow(bare_repository, tmp_path):
    outcome = _fetcher(tmp_path / "cache").fetch(f"git::file://{bare_repository}?ref=v2.1.0", None)
    assert isinstance(outcome, Fetched) and (outcome.directory / "main.tf").is_file()
    assert not (outcome.directory / ".git").exists()


def test_a_git_source_at_a_ref_that_does_not_exist_is_not_loaded(bare_repository, tmp_path):
    outcome = _fetcher(tmp_path / "cache").fetch(f"git::file://{bare_repository}?ref=v9.9.9", None)
    assert isinstance(outcome, NotLoaded) and "git clone failed" in outcome.why


def test_a_version_argument_on_a_git_source_is_reported(bare_repository, tmp_path):
    outcome = _fetcher(tmp_path / "cache").fetch(f"git::file://{bare_repository}?ref=v2.1.0", "2.1.0")
    assert isinstance(outcome, NotLoaded) and "only valid for registry modules" in outcome.why


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_registry_download_that_points_at_git_is_cloned(online, bare_repository, tmp_path):
    # the public registry answers with git::https://github.com/...?ref=vX for most modules
    online.locations["terraform-aws-modules/kms/aws/2.1.0"] = f"git::file://{bare_repository}?ref=v2.1.0"
    outcome = _fetcher(tmp_path / "cache").fetch("terraform-aws-modules/kms/aws", "2.1.0")
    assert isinstance(outcome, Fetched) and (outcome.directory / "main.tf").is_file()


def test_a_token_for_the_registry_host_is_sent_to_it(online, tmp_path, monkeypatch):
    monkeypatch.setenv("TF_TOKEN_registry_terraform_io", "s3cret")
    online.calls.clear()
    _fetcher(tmp_path / "cache").fetch("terraform-aws-modules/kms/aws", "1.1.0")
    registry_calls = [auth for path, auth in online.calls if path.startswith("/v1/")]
    assert registry_calls and set(registry_calls) == {"Bearer s3cret"}


def test_downloads_are_announced_and_cache_hits_are_not(online, tmp_path):
    told: list[str] = []
    fetcher = ModuleFetcher(cache=ModuleCache(tmp_path / "cache"), cli_config=load_cli_config(), progress=told.append)
    outcomes = fetcher.prefetch(
        [("terraform-aws-modules/kms/aws", "2.1.0"), ("terraform-aws-modules/vpc/aws", "5.8.1")]
    )
    assert [o.version for o in outcomes] == ["2.1.0", "5.8.1"]
    again = ModuleFetcher(cache=ModuleCache(tmp_path / "cache"), cli_config=load_cli_config(), progress=told.append)
    again.fetch("terraform-aws-modules/kms/aws", "2.1.0")
    assert sorted(told) == [
        "downloading terraform-aws-modules/kms/aws 2.1.0",
        "downloading terraform-aws-modules/vpc/aws 5.8.1",
    ]


def test_a_credentials_block_of_the_cli_configuration_is_used_for_its_host(online, tmp_path, monkeypatch):
    config = online.cli_config(tmp_path)
    config.write_text(config.read_text() + 'credentials "registry.terraform.io" {\n  token = "from-file"\n}\n')
    online.calls.clear()
    _fetcher(tmp_path / "cache").fetch("terraform-aws-modules/kms/aws", "1.0.2")
    assert {auth for path, auth in online.calls if path.startswith("/v1/")} == {"Bearer from-file"}
