"""Modules: local sources, inputs and outputs, count/for_each on calls, nested addresses,
remote sources (Unknown unless ``terraform init`` left a local copy), root detection."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from analyzer.diagnostics import EVALUATION, OUTSIDE_ROOT
from analyzer.terraform import load_terraform
from analyzer.terraform.budgets import MAX_MODULE_DEPTH, MAX_MODULE_INSTANCES
from analyzer.terraform.loader import find_root_modules
from analyzer.values import Ref, Unknown, first_unknown

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"
MODULES = DATA / "modules"


@pytest.fixture(scope="module")
def shop():
    (configuration,) = load_terraform([MODULES / "root"], scan_root=MODULES)
    return configuration


def _block(configuration, address):
    return next(b for b in configuration.blocks if b.address == address)


def test_module_instances_have_terraform_addresses(shop):
    addresses = {b.address for b in shop.blocks}
    assert {
        "module.network.aws_vpc.this",
        "module.network.aws_subnet.private[0]",
        "module.network.aws_subnet.private[1]",
        'module.nodes["blue"].aws_eks_node_group.this',
        'module.nodes["green"].aws_eks_node_group.this',
        'module.nodes["blue"].module.label.terraform_data.label',
        "module.replica_labels[0].terraform_data.label",
        "module.replica_labels[1].terraform_data.label",
    } <= addresses


def test_inputs_flow_into_the_module_and_outputs_back(shop):
    group = _block(shop, 'module.nodes["green"].aws_eks_node_group.this')
    assert group.attributes["node_group_name"] == "shop-eks-green"  # via module.label output
    assert group.attributes["instance_types"] == ["m6i.large"]  # each.value of the call
    assert [(s.target, s.attribute) for s in group.attributes["subnet_ids"]] == [
        ("module.network.aws_subnet.private[0]", "id"),
        ("module.network.aws_subnet.private[1]", "id"),
    ]
    assert _block(shop, "module.replica_labels[1].terraform_data.label").attributes["input"] == "replica-1"


def test_output_of_a_module_instance_is_a_ref_to_the_inner_resource(shop):
    entry = _block(shop, 'aws_eks_access_entry.nodes["blue"]')
    principal = entry.attributes["principal_arn"]
    assert isinstance(principal, Ref)
    assert (principal.target, principal.attribute) == ('module.nodes["blue"].aws_iam_role.node', "arn")


def test_blocks_inside_modules_carry_their_own_location_and_the_call(shop):
    group = _block(shop, 'module.nodes["blue"].aws_eks_node_group.this')
    assert (group.location.path, group.location.line) == ("modules/nodes/main.tf", 19)
    assert group.module_path == 'module.nodes["blue"]'
    assert group.module_call_address == 'module.nodes["blue"]'
    assert (group.module_call.path, group.module_call.line) == ("root/main.tf", 12)
    label = _block(shop, 'module.nodes["blue"].module.label.terraform_data.label')
    assert label.module_call_address == 'module.nodes["blue"]'  # the call written in the root module
    assert [address for address, _ in label.module_call_chain] == [
        'module.nodes["blue"]',
        'module.nodes["blue"].module.label',
    ]
    assert label.module_call_chain[1][1].path == "modules/nodes/main.tf"


def test_templatefile_resolves_relative_to_the_module(shop):
    template = _block(shop, 'module.nodes["blue"].aws_launch_template.this')
    script = base64.b64decode(template.attributes["user_data"]).decode()
    assert script == (
        "#!/bin/bash\nset -o errexit\n/etc/eks/bootstrap.sh shop-eks \\\n"
        "  --kubelet-extra-args '--node-labels=group=blue,tier=workers,managed=terraform'\n"
    )


def test_remote_module_outputs_are_unknown_naming_the_source(shop):
    entry = _block(shop, 'aws_eks_access_entry.nodes["green"]')
    value = entry.attributes["cluster_name"]
    assert isinstance(value, Unknown)
    assert value.reason == (
        "module.eks_remote (terraform-aws-modules/eks/aws) is not downloaded; run terraform init or lint plan JSON"
    )
    assert not [b for b in shop.blocks if b.address.startswith("module.eks_remote.")]


def test_called_directories_are_not_roots():
    directories = [
        MODULES / "root",
        MODULES / "modules" / "network",
        MODULES / "modules" / "nodes",
        MODULES / "modules" / "label",
    ]
    assert find_root_modules(directories, MODULES) == [(MODULES / "root").resolve()]
    assert len(load_terraform(directories, scan_root=MODULES)) == 1


def _init_layout(tmp_path: Path, copies: dict[str, Path]) -> Path:
    """A root with what ``terraform init`` leaves: module copies and their modules.json."""
    root = tmp_path / "live"
    entries = [{"Key": "", "Source": "", "Dir": "."}]
    for key, source in copies.items():
        shutil.copytree(source, root / ".terraform" / "modules" / key)
        entries.append(
            {
                "Key": key,
                "Source": f"registry.terraform.io/example/{source.name}/aws",
                "Version": "1.0.0",
                "Dir": f".terraform/modules/{key}",
            }
        )
    (root / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": entries}))
    return root


@pytest.mark.parametrize(
    ("source", "version"), [("example/nodes/aws", "~> 2.0"), ("example/other/aws", "1.0.0")], ids=["version", "source"]
)
def test_a_copy_terraform_init_made_for_another_version_or_source_is_not_used(tmp_path, source, version):
    root = _init_layout(tmp_path, {"eks": MODULES / "modules" / "nodes", "eks.label": MODULES / "modules" / "label"})
    (root / "main.tf").write_text(f'module "eks" {{\n  source  = "{source}"\n  version = "{version}"\n}}\n')
    (configuration,) = load_terraform([root], scan_root=tmp_path)
    assert not [b for b in configuration.blocks if b.address.startswith("module.eks.")]


def test_downloaded_remote_module_listed_in_modules_json_is_evaluated(tmp_path):
    root = _init_layout(tmp_path, {"eks": MODULES / "modules" / "nodes", "eks.label": MODULES / "modules" / "label"})
    (root / "main.tf").write_text("""
module "eks" {
  source  = "example/nodes/aws"
  version = "1.0.0"

  cluster_name  = "remote"
  group         = "g1"
  instance_type = "t3.large"
  subnet_ids    = ["subnet-1"]
}
""")
    discovered = [root, root / ".terraform" / "modules" / "eks", root / ".terraform" / "modules" / "eks.label"]
    (configuration,) = load_terraform(discovered, scan_root=tmp_path)  # the copies are not roots
    group = _block(configuration, "module.eks.aws_eks_node_group.this")
    assert group.attributes["node_group_name"] == "remote-g1"
    assert group.location.path == "live/.terraform/modules/eks/main.tf"
    assert group.module_call.path == "live/main.tf"


def test_module_source_outside_the_repository_boundary_is_refused(write_config, load):
    base = write_config(
        {
            "outside/main.tf": 'output "secret" {\n  value = "never read"\n}\n',
            "scanned/root/main.tf": """
            module "escape" {
              source = "../../outside"
            }
            resource "terraform_data" "x" {
              input = module.escape.secret
            }
        """,
        }
    )
    configuration = load(base / "scanned" / "root", scan_root=base / "scanned")
    value = configuration.blocks[0].attributes["input"]
    assert isinstance(value, Unknown) and "outside the repository" in value.reason
    (diagnostic,) = [d for d in configuration.diagnostics if d.code == OUTSIDE_ROOT]
    assert (diagnostic.location.path, diagnostic.location.line) == ("root/main.tf", 2)


def test_unknown_for_each_on_a_module_gives_one_stand_in_instance(write_config, load):
    root = write_config(
        {
            "root/main.tf": """
            variable "groups" {}
            module "child" {
              source   = "../child"
              for_each = var.groups
              name     = each.key
            }
        """,
            "child/main.tf": """
            variable "name" {}
            resource "terraform_data" "x" {
              input = var.name
            }
        """,
        }
    )
    configuration = load(root / "root", scan_root=root)
    (stand_in,) = configuration.blocks
    assert stand_in.address == "module.child.terraform_data.x"
    assert isinstance(stand_in.attributes["input"], Unknown)


def test_a_module_calling_itself_is_a_cycle_reported_at_its_block(write_config, load):
    root = write_config(
        {
            "main.tf": """
        module "self" {
          source = "./"
        }
        resource "terraform_data" "x" {
          input = module.self.anything
        }
    """
        }
    )
    configuration = load(root)
    (diagnostic,) = [d for d in configuration.diagnostics if d.code == EVALUATION]
    assert "module.self calls itself" in diagnostic.message
    assert (diagnostic.location.path, diagnostic.location.line) == ("main.tf", 2)  # the module block
    # the root's own resource is there once; the call was not expanded into copies of it
    assert [b.address for b in configuration.blocks] == ["terraform_data.x"]
    assert "calls itself" in first_unknown(configuration.blocks[0].attributes["input"]).reason


def test_two_modules_calling_each_other_are_a_cycle_naming_both(write_config, load):
    root = write_config(
        {
            "main.tf": 'module "a" {\n  source = "./a"\n}\n',
            "a/main.tf": 'module "b" {\n  source = "../b"\n}\nresource "terraform_data" "in_a" {}\n',
            "b/main.tf": 'module "a" {\n  source = "../a"\n}\n',
        }
    )
    configuration = load(root)
    (diagnostic,) = [d for d in configuration.diagnostics if d.code == EVALUATION]
    assert "module cycle: module.a -> module.a.module.b -> module.a.module.b.module.a" in diagnostic.message
    assert diagnostic.location.path == "b/main.tf"
    assert [b.address for b in configuration.blocks] == ["module.a.terraform_data.in_a"]


def test_a_module_calling_itself_from_several_blocks_is_walked_once(write_config, load, monkeypatch):
    """Looking for module calls whose code is not here followed every call of a module that
    calls itself, up to 16 levels: four such calls were 4**16 walks, and the run never ended.
    The walk does not go into a folder it is already walking (the evaluator reports the cycle)."""
    from analyzer.terraform import normalize as terraform_normalize

    root = write_config(
        {
            "main.tf": 'module "a" {\n  source = "./m"\n}\n',
            "m/main.tf": "".join(f'module "{n}" {{\n  source = "./"\n}}\n' for n in "wxyz"),
        }
    )
    configuration = load(root)
    assert len([d for d in configuration.diagnostics if "calls itself" in d.message]) == 4
    real, walked = terraform_normalize.load_module_definition, []

    def counted(directory, display_root):
        walked.append(directory)
        assert len(walked) < 50, "the module tree is walked without end"
        return real(directory, display_root)

    monkeypatch.setattr(terraform_normalize, "load_module_definition", counted)
    unresolved = [r.address for r in terraform_normalize.normalize(configuration) if r.kind == "iac.unresolved_module"]
    assert unresolved == []  # every call's code is here
    assert len(walked) == 2  # the root and module.a


def test_module_instances_over_the_limit_stop_with_one_finding(write_config, load):
    """Two calls of the next module per module, 12 levels deep: 8,190 instances. The root
    module expands at most MAX_MODULE_INSTANCES of them; the first refused call is a finding
    that says the later ones were not expanded either."""
    files = {"main.tf": 'module "top" {\n  source = "./m0"\n}\n'}
    for level in range(12):
        calls = "".join(f'module "{n}" {{\n  source = "../m{level + 1}"\n}}\n' for n in "ab")
        files[f"m{level}/main.tf"] = calls + 'resource "terraform_data" "x" {}\n'
    files["m12/main.tf"] = 'resource "terraform_data" "x" {}\n'
    configuration = load(write_config(files))
    (diagnostic,) = [d for d in configuration.diagnostics if d.code == EVALUATION]
    assert f"over {MAX_MODULE_INSTANCES:,} module instances" in diagnostic.message
    assert "neither it nor any later module call was expanded" in diagnostic.message
    assert len(configuration.blocks) == MAX_MODULE_INSTANCES


def test_the_same_module_called_twice_side_by_side_is_not_a_cycle(write_config, load):
    root = write_config(
        {
            "main.tf": 'module "one" {\n  source = "./m"\n}\nmodule "two" {\n  source = "./m"\n}\n',
            "m/main.tf": 'resource "terraform_data" "x" {}\n',
        }
    )
    configuration = load(root)
    assert not [d for d in configuration.diagnostics if d.code == EVALUATION]
    assert {b.address for b in configuration.blocks} == {"module.one.terraform_data.x", "module.two.terraform_data.x"}


def test_module_calls_nested_over_the_depth_limit_stop_with_a_finding(write_config, load):
    depth = MAX_MODULE_DEPTH + 3
    files = {"main.tf": 'module "m" {\n  source = "./m0"\n}\n'}
    for level in range(depth):
        files[f"m{level}/main.tf"] = (
            f'module "m" {{\n  source = "../m{level + 1}"\n}}\nresource "terraform_data" "x" {{}}\n'
        )
    root = write_config(files)
    configuration = load(root)
    (diagnostic,) = [d for d in configuration.diagnostics if d.code == EVALUATION]
    assert f"over the limit of {MAX_MODULE_DEPTH}" in diagnostic.message
    assert len(configuration.blocks) == MAX_MODULE_DEPTH
