"""Encodings, MIME envelopes, unknown inputs and hostile input."""

from __future__ import annotations

import base64
import gzip
import random

import pytest

from analyzer.userdata import decode_user_data
from analyzer.values import Encoded, PartialStr, Ref, Unknown

SCRIPT_CLUSTER = "prod-cluster"


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("bootstrap_variables.sh", "plain"),
        ("bootstrap_variables.sh.b64", "base64"),
        ("bootstrap_variables.sh.gz", "gzip"),
        ("bootstrap_variables.sh.gz.b64", "base64+gzip"),
    ],
)
def test_every_encoding_yields_the_same_bootstrap_call(name, encoding, data_bytes):
    raw = data_bytes(name)
    value = raw if name.endswith(".gz") else raw.decode()
    user_data = decode_user_data(value)
    assert user_data.known and not user_data.problems
    assert user_data.raw_encoding == encoding
    assert [call.cluster_name for call in user_data.bootstrap_calls] == [SCRIPT_CLUSTER]
    assert user_data.decoded_size == len(data_bytes("bootstrap_variables.sh"))


@pytest.mark.parametrize(
    ("value", "encoding"),
    [
        (Encoded("base64", PartialStr(("#!/bin/bash\n/etc/eks/bootstrap.sh ", Unknown("var.name")))), "base64"),
        (
            Encoded("base64gzip", PartialStr(("#!/bin/bash\n/etc/eks/bootstrap.sh ", Unknown("var.name")))),
            "base64+gzip",
        ),
        (Encoded("base64", "#!/bin/bash\n/etc/eks/bootstrap.sh known\n"), "base64"),
    ],
)
def test_encoded_values_are_decoded_from_their_inner_text(value, encoding):
    user_data = decode_user_data(value)
    assert user_data.known and user_data.raw_encoding == encoding
    assert len(user_data.bootstrap_calls) == 1


@pytest.mark.parametrize(
    "value",
    [
        Unknown("var.user_data"),
        Ref("data.cloudinit_config.x.rendered", None, "data.cloudinit_config.x", "rendered"),
        Encoded("base64", Unknown("templatefile with unknown path")),
    ],
)
def test_unknown_values_are_not_known(value):
    user_data = decode_user_data(value)
    assert user_data.known is False
    assert user_data.reason
    assert user_data.may_hide_commands
    assert user_data.format_family() is None


def test_absent_user_data_is_known_and_empty():
    user_data = decode_user_data(None)
    assert user_data.known and not user_data.present and user_data.is_empty and user_data.parts == []


def test_non_text_value_is_reported():
    user_data = decode_user_data({"not": "text"})
    assert user_data.known is False and user_data.problems


@pytest.mark.parametrize("text", ["true", "abcd", "echo hi", "bXljbHVzdGVy bXljbHVzdGVy"])
def test_shell_words_are_not_mistaken_for_base64(text):
    assert decode_user_data(text).raw_encoding == "plain"


def test_mime_with_shell_and_nested_base64_nodeconfig_parts(data_text):
    user_data = decode_user_data(data_text("mime_shell_nodeconfig.txt"))
    assert user_data.is_mime and user_data.mime_boundary_ok and user_data.mime_version == "1.0"
    assert [(p.kind, p.content_type) for p in user_data.parts] == [
        ("shell", "text/x-shellscript"),
        ("nodeconfig", "application/node.eks.aws"),
        ("nodeconfig", "application/node.eks.aws"),
    ]
    assert user_data.parts[0].has_shebang and user_data.parts[0].first_line == 7
    config = user_data.node_config
    assert config.sources == 2 and config.cluster.name == "analytics"
    assert config.kubelet_flags == ["--node-labels=tier=batch", "--register-with-taints=batch=true:NoSchedule"]
    assert config.feature_gates == {"InstanceIdNodeName": True}
    assert user_data.format_family() == "AL2023"


def test_mime_whose_boundary_never_appears_is_flagged(data_text):
    user_data = decode_user_data(data_text("broken_mime.txt"))
    assert user_data.is_mime and user_data.mime_boundary_ok is False
    assert any("never starts a part" in p for p in user_data.problems)
    assert [p.kind for p in user_data.parts] == ["unknown"]


def test_mime_without_closing_boundary_is_flagged():
    text = 'Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n--B\nContent-Type: text/x-shellscript\n\necho hi\n'
    user_data = decode_user_data(text)
    assert user_data.mime_boundary_ok is False
    assert any("not closed" in p for p in user_data.problems)


def test_single_part_mime_message_is_not_multipart():
    text = "Content-Type: text/x-shellscript\nMIME-Version: 1.0\n\n#!/bin/bash\n/etc/eks/bootstrap.sh single\n"
    user_data = decode_user_data(text)
    assert not user_data.is_mime and user_data.mime_boundary_ok is None
    assert [p.content_type for p in user_data.parts] == ["text/x-shellscript"]
    assert user_data.bootstrap_calls[0].cluster_name == "single"


def test_mixed_formats_are_reported_as_mixed(data_text):
    user_data = decode_user_data(data_text("al2023_with_bootstrap_sh.txt"))
    assert user_data.calls_bootstrap_sh and user_data.calls_nodeadm_init
    text = data_text("mime_shell_nodeconfig.txt").replace('echo "preparing disks"', "/etc/eks/bootstrap.sh analytics")
    mixed = decode_user_data(text)
    assert mixed.format_families() == ["AL2", "AL2023"] and mixed.format_family() == "MIXED"


def test_alias_bomb_is_refused_with_a_problem(data_text):
    user_data = decode_user_data(data_text("alias_bomb.yaml"))
    assert user_data.known
    assert any("aliases expand" in p for p in user_data.problems)


def test_gzip_bomb_is_refused_with_a_problem(data_bytes):
    bomb = data_bytes("gzip_bomb.gz")
    for value in (bomb, base64.b64encode(bomb).decode()):
        user_data = decode_user_data(value)
        assert any("refused to decompress" in p for p in user_data.problems)
        assert user_data.parts == []


def test_corrupt_gzip_is_a_problem():
    broken = base64.b64encode(gzip.compress(b"#!/bin/bash\necho hi\n")[:-6]).decode()
    user_data = decode_user_data(broken)
    assert user_data.raw_encoding == "base64+gzip" and user_data.problems


def test_whole_value_hole_is_opaque():
    user_data = decode_user_data(PartialStr((Unknown("var.user_data"),)))
    assert user_data.known and [p.kind for p in user_data.parts] == ["unknown"]
    assert user_data.may_hide_commands and user_data.parts[0].text == "${?}"


def test_part_text_shows_holes_as_placeholders(with_holes):
    user_data = decode_user_data(with_holes("#!/bin/bash\n/etc/eks/bootstrap.sh ${cluster_name}\n"))
    part = user_data.parts[0]
    assert part.text == "#!/bin/bash\n/etc/eks/bootstrap.sh ${?}\n"
    assert isinstance(part.content, PartialStr) and part.content.holes[0].reason == "var.cluster_name"
    assert user_data.holes[0].reason == "var.cluster_name"


def test_random_input_never_raises():
    alphabet = "ab$ {}()[]<>|&;'\"`\\\n\t#=-_:,.*@!~%\x00é" + "\u2028"
    generator = random.Random(20240601)
    for _ in range(400):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 80)))
        for prefix in (
            "",
            "#!/bin/bash\n",
            "#cloud-config\n",
            "<powershell>\n",
            "[settings.kubernetes]\n",
            "Content-Type: multipart/mixed; boundary=x\n\n--x\n\n",
        ):
            user_data = decode_user_data(prefix + text)
            assert not any("could not be analysed" in p for p in user_data.problems), prefix + text


@pytest.mark.parametrize(
    "text",
    [
        "#!/bin/bash\n" + "$(" * 20_000,
        "#!/bin/bash\n" + '"$a' * 80_000,
        "#!/bin/bash\n" + "`" * 80_000,
        "#!/bin/bash\n" + "cat <<A <<B\n" * 10_000,
        "<powershell>\n" + '$a = "$(" & $x -P `\n' * 10_000,
        "[settings.kubernetes]\n" + 'a = "\\"x\\"" \n' * 10_000,
        'Content-Type: multipart/mixed; boundary="b"\n\n' + "--b\nContent-Type: text/x-shellscript\n\necho x\n" * 3_000,
    ],
    ids=["open-substitutions", "many-expansions", "backquotes", "heredocs", "powershell", "toml", "mime-parts"],
)
def test_pathological_input_is_bounded(text):
    import gc
    import time

    # CPU time of this call alone (about 0.2 s): wall-clock time on a loaded machine, or a
    # collection of garbage earlier tests left, would make a linear parse look slow
    gc.collect()
    started = time.process_time()
    user_data = decode_user_data(text)
    assert time.process_time() - started < 5
    assert not any("could not be analysed" in p for p in user_data.problems)


def test_base64_of_a_script_with_escape_codes_is_still_decoded():
    script = '#!/bin/bash\necho -e "\x1b[32mjoining\x1b[0m"\n/etc/eks/bootstrap.sh colour-cluster\n'
    user_data = decode_user_data(base64.b64encode(script.encode()).decode())
    assert user_data.raw_encoding == "base64"
    assert [c.cluster_name for c in user_data.bootstrap_calls] == ["colour-cluster"]


def test_literal_cluster_name_from_any_bootstrap_format():
    from analyzer.userdata import decode_user_data

    assert decode_user_data("#!/bin/bash\n/etc/eks/bootstrap.sh shop\n").literal_cluster_name() == "shop"
    toml = '[settings.kubernetes]\ncluster-name = "rocket"\n'
    assert decode_user_data(toml).literal_cluster_name() == "rocket"
    assert decode_user_data("#!/bin/bash\necho hi\n").literal_cluster_name() is None
