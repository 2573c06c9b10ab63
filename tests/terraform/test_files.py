"""File functions: paths relative to the root module, confined to the scanned root."""

from __future__ import annotations

import base64
import os

import pytest

from analyzer.diagnostics import OUTSIDE_ROOT, UNREADABLE
from analyzer.values import PartialStr, Unknown


def _config(write_config, body: str, extra: dict[str, str] | None = None):
    return write_config(
        {"scanned/root/main.tf": f'resource "terraform_data" "x" {{\n  input = {body}\n}}\n', **(extra or {})}
    )


def test_file_functions_read_relative_to_the_root_module(write_config, load):
    base = _config(
        write_config,
        '[file("files/a.txt"), fileexists("files/a.txt"), fileexists("files/none"), '
        'filebase64("${path.module}/files/a.txt")]',
        {"scanned/root/files/a.txt": "hello\n"},
    )
    content, exists, missing, encoded = (
        load(base / "scanned" / "root", scan_root=base / "scanned").blocks[0].attributes["input"]
    )
    assert (content, exists, missing) == ("hello\n", True, False)
    assert base64.b64decode(encoded) == b"hello\n"


def test_templatefile_renders_directives_and_unknown_variables(write_config, load):
    base = _config(
        write_config,
        'templatefile("t.tpl", { name = "n1", taints = ["a", "b"], arn = var.arn })',
        {
            "scanned/root/t.tpl": "name=${name}\n%{ for t in taints ~}\n--taint=${t}\n%{ endfor ~}\nrole=${arn}\n",
            "scanned/root/vars.tf": 'variable "arn" {}\n',
        },
    )
    value = load(base / "scanned" / "root", scan_root=base / "scanned").blocks[0].attributes["input"]
    assert isinstance(value, PartialStr)
    assert value.text("?") == "name=n1\n--taint=a\n--taint=b\nrole=?\n"


@pytest.mark.parametrize(
    "call",
    [
        'file("../../outside.txt")',
        'templatefile("${path.root}/../../outside.txt", {})',
        'fileexists("/etc/passwd")',
        'filebase64("../../outside.txt")',
    ],
)
def test_paths_escaping_the_scanned_root_are_refused_and_never_read(write_config, load, call):
    base = _config(write_config, call, {"outside.txt": "secret"})
    configuration = load(base / "scanned" / "root", scan_root=base / "scanned")
    value = configuration.blocks[0].attributes["input"]
    assert isinstance(value, Unknown) and "refused" in value.reason
    (diagnostic,) = [d for d in configuration.diagnostics if d.code == OUTSIDE_ROOT]
    assert (diagnostic.location.path, diagnostic.location.line) == ("root/main.tf", 2)
    assert "never read" not in diagnostic.message and "not read" in diagnostic.message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_symlink_escaping_the_scanned_root_is_refused(write_config, load):
    base = _config(write_config, 'file("link.txt")', {"outside.txt": "secret"})
    (base / "scanned" / "root" / "link.txt").symlink_to(base / "outside.txt")
    configuration = load(base / "scanned" / "root", scan_root=base / "scanned")
    assert isinstance(configuration.blocks[0].attributes["input"], Unknown)
    assert [d.code for d in configuration.diagnostics] == [OUTSIDE_ROOT]


def test_large_and_binary_files_are_not_read(write_config, load):
    base = _config(write_config, '[file("big.txt"), file("binary.bin")]')
    root = base / "scanned" / "root"
    (root / "big.txt").write_text("x" * (1024 * 1024 + 1))
    (root / "binary.bin").write_bytes(b"\xff\xfe\x00binary")
    configuration = load(root, scan_root=base / "scanned")
    big, binary = configuration.blocks[0].attributes["input"]
    assert isinstance(big, Unknown) and "1 MiB" in big.reason
    assert isinstance(binary, Unknown) and "UTF-8" in binary.reason
    assert [d.code for d in configuration.diagnostics] == [UNREADABLE, UNREADABLE]


def test_missing_file_is_an_error_that_try_can_catch(write_config, load):
    base = _config(
        write_config,
        'try(file("missing.txt"), "fallback")',
        {"scanned/root/other.tf": 'resource "terraform_data" "y" {\n  input = file("missing.txt")\n}\n'},
    )
    configuration = load(base / "scanned" / "root", scan_root=base / "scanned")
    fallback, missing = (b.attributes["input"] for b in configuration.blocks)
    assert fallback == "fallback"
    assert isinstance(missing, Unknown) and "no file exists" in missing.reason
