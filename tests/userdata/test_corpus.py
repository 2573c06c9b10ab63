"""Real user data from the corpus: upstream renderings and nodeadm's own test cases."""

from __future__ import annotations

import pytest

from analyzer.userdata import decode_user_data

RENDERED = "terraform-aws-modules__terraform-aws-eks/tests/user-data/rendered"
NODEADM_CASES = "awslabs__amazon-eks-ami/nodeadm/test/e2e/cases"
ENDPOINT = "https://012345678903AB2BAE5D1E0BFE0E2B50.gr7.us-east-1.eks.amazonaws.com"
CA_PREFIX = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM1ekNDQWMrZ0F3SUJBZ0lCQURBTkJna3Foa2lH"


def decode(corpus, relative):
    return decode_user_data(corpus(f"{RENDERED}/{relative}").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "ip_family", "cidr_flag", "cidr"),
    [
        ("eks-mng-custom-ami.sh", "ipv4", "--service-ipv4-cidr", "172.16.0.0/16"),
        ("eks-mng-custom-ami-ipv6.sh", "ipv6", "--service-ipv6-cidr", "fdd3:7636:68bc::/108"),
        ("eks-mng-custom-template.sh", "ipv4", "--service-ipv4-cidr", "172.16.0.0/16"),
        ("self-mng-bootstrap.sh", "ipv4", "--service-ipv4-cidr", "172.16.0.0/16"),
        ("self-mng-bootstrap-ipv6.sh", "ipv6", "--service-ipv6-cidr", "fdd3:7636:68bc::/108"),
        ("self-mng-custom-template.sh", "ipv4", "--service-ipv4-cidr", "172.16.0.0/16"),
    ],
)
def test_al2_bootstrap_scripts(corpus, name, ip_family, cidr_flag, cidr):
    user_data = decode(corpus, f"al2/{name}")
    assert user_data.format_family() == "AL2" and not user_data.problems and not user_data.opaque
    (call,) = user_data.bootstrap_calls
    assert call.cluster_name == "ex-user-data" and call.via == "direct"
    assert call.flags["--apiserver-endpoint"] == ENDPOINT  # through $API_SERVER_URL
    assert call.flags["--b64-cluster-ca"].startswith(CA_PREFIX)  # through $B64_CLUSTER_CA
    assert call.flags["--ip-family"] == ip_family and call.flags[cidr_flag] == cidr
    assert "--kubelet-extra-args" in call.flags and not call.may_hide_arguments


def test_al2_mng_additional_is_mime_without_bootstrap(corpus):
    user_data = decode(corpus, "al2/eks-mng-additional.txt")
    assert user_data.is_mime and user_data.mime_boundary_ok and user_data.mime_version == "1.0"
    assert [p.kind for p in user_data.parts] == ["shell"] and user_data.bootstrap_calls == []


@pytest.mark.parametrize("folder", ["al2", "al2023", "bottlerocket", "windows"])
def test_no_op_renderings_are_empty(corpus, folder):
    suffix = {"al2": "sh", "al2023": "txt", "bottlerocket": "toml", "windows": "ps1"}[folder]
    for name in ("eks-mng-no-op", "self-mng-no-op"):
        user_data = decode(corpus, f"{folder}/{name}.{suffix}")
        assert user_data.known and user_data.is_empty and user_data.format_family() is None


@pytest.mark.parametrize(
    "name",
    ["eks-mng-custom-ami.txt", "eks-mng-custom-template.txt", "self-mng-bootstrap.txt", "self-mng-custom-template.txt"],
)
def test_al2023_nodeadm_mime(corpus, name):
    user_data = decode(corpus, f"al2023/{name}")
    assert user_data.is_mime and user_data.mime_boundary_ok
    assert [p.kind for p in user_data.parts] == ["nodeconfig", "nodeconfig", "shell"]
    config = user_data.node_config
    assert config.sources == 2 and config.missing_required() == []
    assert config.cluster.name == "ex-user-data" and config.cluster.api_server_endpoint == ENDPOINT
    assert config.cluster.certificate_authority.startswith(CA_PREFIX)
    assert config.cluster.cidr == "192.168.0.0/16"
    assert config.kubelet_config["featureGates"] == {"DisableKubeletCloudCredentialProviders": True}
    assert user_data.format_family() == "AL2023" and not user_data.calls_bootstrap_sh


def test_al2023_mng_additional_lacks_cluster_details(corpus):
    config = decode(corpus, "al2023/eks-mng-additional.txt").node_config
    assert [m.field for m in config.missing_required()] == [
        "spec.cluster.name",
        "spec.cluster.apiServerEndpoint",
        "spec.cluster.certificateAuthority",
        "spec.cluster.cidr",
    ]


@pytest.mark.parametrize(
    ("name", "dns"),
    [
        ("eks-mng-custom-ami.toml", ["192.168.0.10", "169.254.20.10"]),
        ("self-mng-bootstrap.toml", ["192.168.0.10"]),
        ("eks-mng-custom-template.toml", None),
        ("self-mng-custom-template.toml", None),
    ],
)
def test_bottlerocket_settings(corpus, name, dns):
    settings = decode(corpus, f"bottlerocket/{name}").bottlerocket
    assert settings.cluster_name == "ex-user-data" and settings.api_server == ENDPOINT
    assert settings.cluster_certificate.startswith(CA_PREFIX)
    assert settings.cluster_dns_ip == dns
    assert settings.setting("kernel.lockdown") == "integrity"
    assert settings.unsupported == [] and settings.problems == []


def test_bottlerocket_additional_settings_only(corpus):
    settings = decode(corpus, "bottlerocket/eks-mng-additional.toml").bottlerocket
    assert settings.cluster_name is None and settings.setting("kernel.lockdown") == "integrity"


@pytest.mark.parametrize(
    "name",
    ["eks-mng-custom-ami.ps1", "eks-mng-custom-template.ps1", "self-mng-bootstrap.ps1", "self-mng-custom-template.ps1"],
)
def test_windows_bootstrap(corpus, name):
    user_data = decode(corpus, f"windows/{name}")
    assert user_data.windows.tagged and user_data.format_family() == "WINDOWS"
    (call,) = user_data.windows.bootstrap_calls
    assert call.cluster_name == "ex-user-data"
    assert call.params["APIServerEndpoint"] == ENDPOINT
    assert call.params["Base64ClusterCA"].startswith(CA_PREFIX)
    assert call.params["KubeletExtraArgs"] == "--node-labels=node.kubernetes.io/lifecycle=spot"


def test_windows_additional_is_untagged(corpus):
    windows = decode(corpus, "windows/eks-mng-additional.ps1").windows
    assert windows.tagged is False and windows.bootstrap_calls == []


def test_nodeadm_config_check_cases(corpus):
    bad = decode_user_data(corpus(f"{NODEADM_CASES}/config-check/config-bad.yaml").read_text()).node_config
    good = decode_user_data(corpus(f"{NODEADM_CASES}/config-check/config-good.yaml").read_text()).node_config
    assert [m.message for m in bad.missing_required()] == ["Name is missing in cluster configuration"]
    assert bad.unknown_fields == ["spec.cluster.name-not-real"]
    assert good.missing_required() == [] and good.unknown_fields == [] and good.problems == []


def test_every_nodeadm_case_decodes(corpus):
    cases = sorted(corpus(NODEADM_CASES).rglob("*.yaml"))
    assert len(cases) >= 30
    for path in cases:
        user_data = decode_user_data(path.read_text())
        config = user_data.node_config
        assert config is not None and not user_data.problems, path
        if path.name == "config-bad.yaml":
            continue
        assert config.cluster.name == "my-cluster", path
        assert config.cluster.certificate_authority == "Y2VydGlmaWNhdGVBdXRob3JpdHk=", path
        assert config.cluster.cidr == "10.100.0.0/16", path
        assert config.cluster.api_server_endpoint in ("https://example.com", "http://localhost"), path
        assert config.missing_required() == [], path


def test_nodeadm_special_cases(corpus):
    def config(relative):
        return decode_user_data(corpus(f"{NODEADM_CASES}/{relative}").read_text()).node_config

    outpost = config("kubeconfig-outpost/config.yaml")
    assert outpost.cluster.enable_outpost is True and outpost.cluster.id == "my-cluster-id"
    assert config("kubelet-flags/config.yaml").feature_gates == {"InstanceIdNodeName": True}
    merged = config("mime-userdata-merge/config.yaml")
    assert merged.sources == 2
    assert merged.kubelet_config == {"maxPods": 58, "clusterDNS": ["1.1.1.1"], "systemReserved": {"cpu": "150m"}}
