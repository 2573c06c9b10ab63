"""Bottlerocket TOML settings."""

from __future__ import annotations

from analyzer.userdata import decode_user_data
from analyzer.values import Unknown


def test_settings_accessors(data_text):
    user_data = decode_user_data(data_text("bottlerocket_settings.toml"))
    settings = user_data.bottlerocket
    assert [p.kind for p in user_data.parts] == ["toml"] and user_data.format_family() == "BOTTLEROCKET"
    assert settings.cluster_name == "rocket"
    assert settings.api_server == "https://ROCKET.gr7.ap-south-1.eks.amazonaws.com"
    assert settings.cluster_certificate == "Y2VydGlmaWNhdGU="
    assert settings.cluster_dns_ip == "10.100.0.10"
    assert settings.setting("kubernetes.node-labels") == {"team": "platform"}
    assert settings.setting("kubernetes.missing") is None
    assert settings.unsupported == [] and settings.problems == []


def test_constructs_eks_cannot_merge(data_text):
    unsupported = decode_user_data(data_text("bottlerocket_unsupported.toml")).bottlerocket.unsupported
    assert [u.split(" on line")[0].split(" at ")[0] for u in unsupported] == [
        "quotes within a quoted key",
        "escaped quotes in a value",
        "a table header with quoted keys",
        "an array mixing integers and floats",
        "an array mixing types",
    ]


def test_holes_for_values_and_for_whole_lines(with_holes):
    template = (
        '[settings.kubernetes]\n"cluster-name" = "${cluster_name}"\n"api-server" = "${endpoint}"\n'
        '"cluster-dns-ip" = ${dns_ips}\n${bootstrap_extra_args}\n'
    )
    user_data = decode_user_data(with_holes(template))
    settings = user_data.bottlerocket
    assert settings.problems == []
    assert settings.cluster_name.reason == "var.cluster_name"
    assert settings.cluster_dns_ip.reason == "var.dns_ips"
    missing = settings.cluster_certificate  # not written, but the extra-args hole may hold it
    assert isinstance(missing, Unknown) and "var.bootstrap_extra_args" in missing.reason
    assert user_data.may_hide_commands


def test_invalid_toml_is_a_problem():
    user_data = decode_user_data('[settings.kubernetes]\ncluster-name = "unterminated\n')
    assert user_data.bottlerocket.problems and any(
        p.startswith("Bottlerocket: invalid TOML") for p in user_data.problems
    )
