"""Windows PowerShell user data."""

from __future__ import annotations

from analyzer.userdata import decode_user_data
from analyzer.values import Unknown


def test_bootstrap_parameters_and_variables(data_text):
    user_data = decode_user_data(data_text("windows_bootstrap.ps1"))
    windows = user_data.windows
    assert windows.tagged and windows.blocks == 1 and user_data.format_family() == "WINDOWS"
    first, second = windows.bootstrap_calls
    assert first.line == 8 and first.cluster_name == "win-prod"
    assert first.params == {
        "EKSClusterName": "win-prod",
        "APIServerEndpoint": "https://ABC.gr7.us-west-2.eks.amazonaws.com",
        "Base64ClusterCA": "Y2E=",
        "DNSClusterIP": "172.20.0.10",
        "ServiceCIDR": "172.20.0.0/16",
        "KubeletExtraArgs": "--node-labels=os=windows --register-with-taints=os=windows:NoSchedule",
        "ExcludedSnatCIDRs": "10.0.0.0/8",
    }
    assert second.cluster_name == "second-call" and second.line == 13  # parameter names are case-insensitive
    assert user_data.calls_windows_bootstrap


def test_holes_in_parameters(with_holes):
    template = (
        '<powershell>\n[string]$EKSBootstrapScriptFile = "$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1"\n'
        '& $EKSBootstrapScriptFile -EKSClusterName ${cluster_name} -APIServerEndpoint "${endpoint}" ${extra_args}\n'
        "</powershell>\n"
    )
    call = decode_user_data(with_holes(template)).windows.bootstrap_calls[0]
    assert call.cluster_name.reason == "var.cluster_name"
    assert call.params["APIServerEndpoint"].reason == "var.endpoint"
    assert call.may_hide_arguments and call.opaque_args[0].reason == "var.extra_args"


def test_unset_variable_is_unknown():
    user_data = decode_user_data("<powershell>\n& $Script -EKSClusterName x\n</powershell>")
    assert user_data.windows.bootstrap_calls == []  # the script path is not known: no call is claimed
    assert user_data.may_hide_commands and "line 2" in user_data.opaque[0]
    text = "<powershell>\n& 'C:\\EKS\\Start-EKSBootstrap.ps1' -EKSClusterName $Name\n</powershell>"
    name = decode_user_data(text).windows.bootstrap_calls[0].cluster_name
    assert isinstance(name, Unknown) and "$Name" in name.reason


def test_untagged_powershell_is_windows_but_not_tagged():
    user_data = decode_user_data("[string]$Something = 'value'\n")
    assert [p.kind for p in user_data.parts] == ["powershell"]
    assert user_data.windows.tagged is False


def test_powershell_host_with_file():
    text = '<powershell>\npowershell.exe -File "C:\\Program Files\\Amazon\\EKS\\Start-EKSBootstrap.ps1" -EKSClusterName hosted\n</powershell>'
    assert decode_user_data(text).windows.bootstrap_calls[0].cluster_name == "hosted"
