"""``/etc/eks/bootstrap.sh`` calls read out of shell user data."""

from __future__ import annotations

import pytest

from analyzer.userdata import decode_user_data
from analyzer.values import PartialStr, Unknown


def only_call(text):
    calls = decode_user_data(text).bootstrap_calls
    assert len(calls) == 1, calls
    return calls[0]


def test_variables_continuations_chains_and_exec(data_text):
    call = only_call(data_text("bootstrap_variables.sh"))
    assert call.cluster_name == "prod-cluster"
    assert call.via == "exec" and call.line == 14
    assert call.flags == {
        "--apiserver-endpoint": "https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com",
        "--b64-cluster-ca": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",
        "--dns-cluster-ip": "172.20.0.10",  # from an unquoted $EXTRA, split into words
        "--use-max-pods": "false",
        "--kubelet-extra-args": "--node-labels=node.kubernetes.io/role=worker,team=payments --max-pods=58",
        "--container-runtime": "containerd",
    }
    assert not call.may_hide_arguments and not call.unrecognized


@pytest.mark.parametrize(
    ("script", "cluster", "via"),
    [
        ("/etc/eks/bootstrap.sh c1", "c1", "direct"),
        ("set -o xtrace; /etc/eks/bootstrap.sh c1 && echo ok", "c1", "direct"),
        ("false || exec /etc/eks/bootstrap.sh c1", "c1", "exec"),
        ("bash /etc/eks/bootstrap.sh c1", "c1", "bash"),
        ("/bin/sh -x /etc/eks/bootstrap.sh c1", "c1", "sh"),
        ("sudo -u root bash -o errexit /etc/eks/bootstrap.sh c1", "c1", "sudo bash"),
        ("env AWS_RETRY_MODE=standard nohup /etc/eks/bootstrap.sh c1 &", "c1", "direct"),
        ("source /etc/eks/bootstrap.sh c1", "c1", "source"),
        ('bash -c "/etc/eks/bootstrap.sh c1"', "c1", "bash -c"),
        ("export NAME=c1\nbash -ec '/etc/eks/bootstrap.sh '\"$NAME\"", "c1", "bash -c"),
        ('NAME="c 1"\n/etc/eks/bootstrap.sh "$NAME"', "c 1", "direct"),
        ("NAME=c1\n/etc/eks/bootstrap.sh ${NAME}", "c1", "direct"),
        ("/etc/eks/bootstrap.sh ${NAME:-default-cluster}", "default-cluster", "direct"),
        ("NAME=set\n/etc/eks/bootstrap.sh ${NAME:-default-cluster}", "set", "direct"),
        ("/etc/eks/bootstrap.sh 'literal-$NAME'", "literal-$NAME", "direct"),
        ("NAME=pre\nNAME+=-post\n/etc/eks/bootstrap.sh $NAME", "pre-post", "direct"),
        ("/etc/eks/bootstrap.sh \\\n  c1 \\\n  --use-max-pods false", "c1", "direct"),
        ("if true; then\n  /etc/eks/bootstrap.sh c1\nfi", "c1", "direct"),
        ("/etc/eks/bootstrap.sh c1 2>&1 | tee /var/log/bootstrap.log", "c1", "direct"),
        ("/etc/eks/bootstrap.sh c1 # /etc/eks/bootstrap.sh other", "c1", "direct"),
    ],
)
def test_invocation_forms(script, cluster, via):
    call = only_call("#!/bin/bash\n" + script + "\n")
    assert (call.cluster_name, call.via) == (cluster, via)


@pytest.mark.parametrize(
    "script",
    [
        "# /etc/eks/bootstrap.sh c1",
        "echo '/etc/eks/bootstrap.sh c1'",
        "cat /etc/eks/bootstrap.sh",
        "test -f /etc/eks/bootstrap.sh",
        "cat <<EOF > /tmp/never-run.sh\n/etc/eks/bootstrap.sh c1\nEOF",
    ],
)
def test_mentions_that_do_not_run_bootstrap(script):
    assert decode_user_data("#!/bin/bash\n" + script + "\n").bootstrap_calls == []


def test_flag_forms_and_missing_cluster_name():
    call = only_call("#!/bin/bash\n/etc/eks/bootstrap.sh --apiserver-endpoint https://x --kubelet-extra-args\n")
    assert call.cluster_name is None  # bootstrap.sh: "ERROR: cluster name is not defined!"
    assert call.flags == {"--apiserver-endpoint": "https://x", "--kubelet-extra-args": True}


def test_equals_form_is_recorded_but_taken_as_positional_by_bootstrap_sh():
    call = only_call("/etc/eks/bootstrap.sh --b64-cluster-ca=Y2E= prod\n")
    assert call.flags["--b64-cluster-ca"] == "Y2E="
    assert call.equals_form == ["--b64-cluster-ca"]
    assert call.cluster_name == "--b64-cluster-ca=Y2E="  # what the script really does
    assert call.effective("--b64-cluster-ca") is None


def test_exported_environment_reaches_bootstrap_sh():
    call = only_call(
        'export KUBELET_EXTRA_ARGS="--max-pods=20"\nAPISERVER_ENDPOINT=https://e /etc/eks/bootstrap.sh c\n'
    )
    assert call.environment == {"KUBELET_EXTRA_ARGS": "--max-pods=20", "APISERVER_ENDPOINT": "https://e"}
    assert call.effective("--kubelet-extra-args") == "--max-pods=20"
    assert call.effective("--apiserver-endpoint") == "https://e"


def test_unexported_variable_is_not_seen_by_bootstrap_sh():
    call = only_call("KUBELET_EXTRA_ARGS=--max-pods=20\n/etc/eks/bootstrap.sh c\n")
    assert call.environment == {}


def test_unresolvable_values_are_unknown_with_a_reason(data_text):
    calls = decode_user_data(data_text("bootstrap_wrappers.sh")).bootstrap_calls
    by_name = {c.cluster_name if isinstance(c.cluster_name, str) else "?": c for c in calls}
    assert set(by_name) == {"fallback-cluster", "inline-cluster", "from-heredoc", "?"}
    assert by_name["inline-cluster"].via == "sudo sh -c"
    assert by_name["from-heredoc"].via == "/usr/local/bin/join.sh" and by_name["from-heredoc"].line == 7
    dns = by_name["from-heredoc"].flags["--dns-cluster-ip"]
    assert isinstance(dns, Unknown) and "$DNS" in dns.reason
    unknown = by_name["?"]
    assert isinstance(unknown.cluster_name, Unknown) and "$UNSET_VARIABLE" in unknown.cluster_name.reason
    assert "cat /etc/cluster-id" in unknown.flags["--cluster-id"].reason


def test_iac_holes_keep_flags_present_with_unknown_values(data_text, with_holes):
    user_data = decode_user_data(with_holes(data_text("bootstrap_holes.sh.tpl")))
    call = user_data.bootstrap_calls[0]
    assert isinstance(call.cluster_name, Unknown) and call.cluster_name.reason == "var.cluster_name"
    assert call.has_flag("--apiserver-endpoint") and call.has_flag("--b64-cluster-ca")
    assert call.flags["--apiserver-endpoint"].reason == "var.cluster_endpoint"
    labels = call.flags["--kubelet-extra-args"]
    assert isinstance(labels, PartialStr) and labels.text() == "--node-labels=${?}"
    assert call.may_hide_arguments  # ${bootstrap_extra_args} could hold more options
    assert [a.reason for a in call.opaque_args] == ["var.cluster_name", "var.bootstrap_extra_args"]
    assert any(note.startswith("line 3:") for note in user_data.opaque)  # ${pre_bootstrap_user_data}


def test_quoted_hole_inside_single_quotes_is_a_value(with_holes):
    call = only_call(with_holes("/etc/eks/bootstrap.sh --apiserver-endpoint '${endpoint}' '${name}'\n"))
    assert call.flags["--apiserver-endpoint"].reason == "var.endpoint"
    assert call.cluster_name.reason == "var.name" and not call.may_hide_arguments


def test_kubelet_and_nodeadm_actions(data_text):
    user_data = decode_user_data(data_text("bootstrap_wrappers.sh"))
    assert user_data.starts_kubelet
    assert [(a.kind, a.line) for a in user_data.kubelet_actions] == [("configure", 12), ("start", 13)]
    assert not user_data.calls_nodeadm_init
    stop_only = decode_user_data("#!/bin/bash\nsystemctl stop kubelet\n")
    assert stop_only.kubelet_actions[0].kind == "stop" and not stop_only.starts_kubelet
    nodeadm = decode_user_data("#!/bin/bash\n/usr/bin/nodeadm init --config-source file:///etc/n.yaml\n")
    assert nodeadm.calls_nodeadm_init and nodeadm.nodeadm_calls[0].line == 2


@pytest.mark.parametrize(
    "script",
    [
        "sed -i 's/a/b/' /etc/kubernetes/kubelet/kubelet-config.json",
        "cp /tmp/conf /etc/systemd/system/kubelet.service.d/10-x.conf",
        "echo x >> /etc/kubernetes/kubelet/kubelet-config.json",
        "service kubelet restart",
        "systemctl enable --now kubelet.service",
    ],
)
def test_kubelet_changes_are_detected(script):
    assert decode_user_data("#!/bin/bash\n" + script + "\n").starts_kubelet


def test_unknown_command_is_opaque():
    user_data = decode_user_data('#!/bin/bash\n$SETUP_COMMAND --flag\neval "$X"\n')
    assert user_data.may_hide_commands and len(user_data.opaque) == 2
