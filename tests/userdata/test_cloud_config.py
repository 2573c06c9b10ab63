"""#cloud-config user data: runcmd, bootcmd and write_files."""

from __future__ import annotations

import base64
import gzip

from analyzer.userdata import decode_user_data


def test_runcmd_string_list_and_executed_write_files(data_text):
    user_data = decode_user_data(data_text("cloud_config_runcmd.yaml"))
    assert [p.kind for p in user_data.parts] == ["cloud-config"]
    calls = [(c.cluster_name, c.line, c.via) for c in user_data.bootstrap_calls]
    assert calls == [
        ("runcmd-cluster", 17, "direct"),  # variable assigned by an earlier runcmd item
        ("list-cluster", 18, "direct"),
        ("written-cluster", 8, "bash /opt/eks/join.sh"),  # a write_files script run from runcmd
    ]
    list_form = user_data.bootstrap_calls[1]
    assert list_form.flags["--kubelet-extra-args"] == "--node-labels=a=b $NOT_EXPANDED"  # argv: no expansion
    assert user_data.starts_kubelet  # write_files into kubelet.service.d
    assert user_data.format_family() == "AL2"
    assert not user_data.problems


def test_cloud_config_in_a_mime_part_with_encoded_write_files():
    script = b"#!/bin/bash\n/etc/eks/bootstrap.sh from-gzip\n"
    payload = base64.b64encode(gzip.compress(script)).decode()
    cloud_config = (
        "#cloud-config\nwrite_files:\n  - path: /root/join.sh\n    encoding: gz+b64\n"
        f"    content: {payload}\nruncmd:\n  - [ bash, /root/join.sh ]\n"
    )
    text = (
        'Content-Type: multipart/mixed; boundary="b"\nMIME-Version: 1.0\n\n'
        f"--b\nContent-Type: text/cloud-config\n\n{cloud_config}\n--b--\n"
    )
    user_data = decode_user_data(text)
    assert [c.cluster_name for c in user_data.bootstrap_calls] == ["from-gzip"]
    assert user_data.bootstrap_calls[0].via == "bash /root/join.sh"


def test_bootcmd_is_read_too():
    user_data = decode_user_data("#cloud-config\nbootcmd:\n  - /etc/eks/bootstrap.sh early\n")
    assert user_data.bootstrap_calls[0].cluster_name == "early"


def test_invalid_cloud_config_is_a_problem():
    user_data = decode_user_data("#cloud-config\nruncmd: [unclosed\n")
    assert any(p.startswith("cloud-config: invalid YAML") for p in user_data.problems)
    assert decode_user_data("#cloud-config\nruncmd: echo\n").problems == ["cloud-config: runcmd is not a list"]


def test_hole_in_runcmd_is_a_value(with_holes):
    user_data = decode_user_data(with_holes("#cloud-config\nruncmd:\n  - /etc/eks/bootstrap.sh ${cluster}\n"))
    assert user_data.bootstrap_calls[0].cluster_name.reason == "var.cluster"
