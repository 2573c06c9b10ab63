"""Real configurations from the shared corpus: everything loads, and the official EKS module
examples evaluate to concrete clusters and node groups. Skipped when the corpus is absent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analyzer.diagnostics import PARSE_ERROR
from analyzer.terraform import load_terraform, parse_hcl_file
from analyzer.values import Encoded, PartialStr, Ref

CORPUS = (Path(__file__).resolve().parents[2] / "../shared/corpus").resolve()
EKS = CORPUS / "terraform-aws-modules__terraform-aws-eks"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not available")


def _block(configuration, address):
    matches = [b for b in configuration.blocks if b.address == address]
    assert matches, f"{address} missing"
    return matches[0]


def _ref(value):
    assert isinstance(value, Ref), value
    return value.target, value.attribute


def _corpus_folders() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.is_dir() and any(p.rglob("*.tf")))


def test_every_tf_file_of_the_corpus_parses():
    files = sorted(CORPUS.rglob("*.tf"))
    assert len(files) == 558
    failures = [
        (path, diagnostics) for path in files for _, diagnostics in [parse_hcl_file(path, path.name)] if diagnostics
    ]
    assert failures == []


@pytest.mark.parametrize("folder", _corpus_folders(), ids=lambda p: p.name)
def test_every_corpus_configuration_loads_without_internal_errors(folder):
    directories = sorted({path.parent for path in folder.rglob("*.tf")})
    configurations = load_terraform(directories, scan_root=folder)
    assert configurations
    messages = [d.message for c in configurations for d in c.diagnostics]
    assert not [m for m in messages if "internal error" in m]
    assert not [d for c in configurations for d in c.diagnostics if d.code == PARSE_ERROR]


# --- hashicorp/terraform-provider-aws examples/eks-getting-started ----------------------


def test_getting_started_example_evaluates():
    root = CORPUS / "hashicorp__terraform-provider-aws"
    (configuration,) = load_terraform([root / "examples" / "eks-getting-started"], scan_root=root)
    assert _block(configuration, "aws_subnet.demo[0]").attributes["cidr_block"] == "10.0.0.0/24"
    assert _block(configuration, "aws_subnet.demo[1]").attributes["cidr_block"] == "10.0.1.0/24"
    cluster = _block(configuration, "aws_eks_cluster.demo")
    assert cluster.attributes["name"] == "terraform-eks-demo"
    assert [_ref(s) for s in cluster.attributes["vpc_config"][0]["subnet_ids"]] == [
        ("aws_subnet.demo[0]", "id"),
        ("aws_subnet.demo[1]", "id"),
    ]
    node_group = _block(configuration, "aws_eks_node_group.demo")
    assert _ref(node_group.attributes["node_role_arn"]) == ("aws_iam_role.demo-node", "arn")
    assert node_group.attributes["cluster_name"] == "terraform-eks-demo"
    policy = json.loads(_block(configuration, "aws_iam_role.demo-node").attributes["assume_role_policy"])
    assert policy["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert cluster.location.path == "examples/eks-getting-started/eks-cluster.tf"
    assert cluster.locations["vpc_config.0.subnet_ids"].line == 73


# --- terraform-aws-modules/terraform-aws-eks: configurations calling the module root ------


@pytest.fixture(scope="module")
def managed():
    (configuration,) = load_terraform([EKS / "tests" / "eks-managed-node-group"], scan_root=EKS)
    return configuration


@pytest.fixture(scope="module")
def self_managed():
    (configuration,) = load_terraform([EKS / "tests" / "self-managed-node-group"], scan_root=EKS)
    return configuration


def test_managed_node_group_test_cluster(managed):
    cluster = _block(managed, "module.eks.aws_eks_cluster.this[0]")
    assert cluster.attributes["name"] == "ex-eks-managed-node-group"
    assert cluster.attributes["version"] == "1.33"
    assert cluster.attributes["kubernetes_network_config"][0]["ip_family"] == "ipv6"
    assert cluster.attributes["vpc_config"][0]["endpoint_public_access"] is True
    assert cluster.attributes["access_config"][0]["authentication_mode"] == "API_AND_CONFIG_MAP"
    assert _ref(cluster.attributes["role_arn"]) == ("module.eks.aws_iam_role.this[0]", "arn")
    assert [_ref(g) for g in cluster.attributes["vpc_config"][0]["security_group_ids"]] == [
        ("module.eks.aws_security_group.cluster[0]", "id")
    ]
    assert (cluster.location.path, cluster.location.line) == ("main.tf", 36)
    assert cluster.module_call_address == "module.eks"
    assert (cluster.module_call.path, cluster.module_call.line) == ("tests/eks-managed-node-group/main.tf", 34)
    assert not [b for b in managed.blocks if b.address.startswith("module.disabled_eks.")]


@pytest.mark.parametrize(
    "key, prefix, ami_type",
    [
        ("default_node_group", "default_node_group-", "AL2023_x86_64_STANDARD"),
        ("al2023_nodeadm", "al2023_nodeadm-", "AL2023_x86_64_STANDARD"),
        ("bottlerocket_default", "bottlerocket_default-", "BOTTLEROCKET_x86_64"),
        ("bottlerocket_add", "bottlerocket_add-", "BOTTLEROCKET_x86_64"),
        ("placement_group", "placement_group-", "AL2023_x86_64_STANDARD"),
        ("efa", "efa-", "AL2023_x86_64_NVIDIA"),
        ("complete", "complete-eks-mng-", None),  # a custom ami_id from data "aws_ami": ami_type unset
    ],
)
def test_managed_node_groups_inside_the_module(managed, key, prefix, ami_type):
    base = f'module.eks.module.eks_managed_node_group["{key}"]'
    group = _block(managed, f"{base}.aws_eks_node_group.this[0]")
    assert group.attributes["node_group_name_prefix"] == prefix
    assert group.attributes["ami_type"] == ami_type  # a search that reads gives a non-empty ami_id
    assert _ref(group.attributes["node_role_arn"]) == (f"{base}.aws_iam_role.this[0]", "arn")
    assert group.attributes["cluster_name"] == "ex-eks-managed-node-group"  # the cluster's id is its name
    assert group.module_path == base
    assert (group.location.path, group.location.line) == ("modules/eks-managed-node-group/main.tf", 449)


def test_managed_node_group_details(managed):
    complete = _block(managed, 'module.eks.module.eks_managed_node_group["complete"].aws_eks_node_group.this[0]')
    assert complete.attributes["capacity_type"] == "SPOT"
    assert complete.attributes["scaling_config"] == [{"min_size": 1, "max_size": 7, "desired_size": 1}]
    assert complete.attributes["instance_types"] == ["m6i.large", "m5.large", "m5n.large", "m5zn.large"]
    role = _block(managed, 'module.eks.module.eks_managed_node_group["complete"].aws_iam_role.this[0]')
    assert role.attributes["name"] == "eks-managed-node-group-complete-example"
    assert json.loads(role.attributes["assume_role_policy"])["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    default = _block(
        managed, 'module.eks.module.eks_managed_node_group["default_node_group"].aws_eks_node_group.this[0]'
    )
    assert default.attributes["launch_template"] == []  # use_custom_launch_template = false
    assert [_ref(g) for g in default.attributes["remote_access"][0]["source_security_group_ids"]] == [
        ("aws_security_group.remote_access", "id")
    ]
    separate = _block(managed, "module.eks_managed_node_group.aws_eks_node_group.this[0]")
    assert separate.attributes["node_group_name_prefix"] == "separate-eks-mng-"
    assert separate.attributes["ami_type"] == "BOTTLEROCKET_x86_64"


def test_managed_node_group_user_data_is_rendered_from_the_module_templates(managed):
    base = 'module.eks.module.eks_managed_node_group["custom_ami"]'
    template = _block(managed, f"{base}.aws_launch_template.this[0]")
    cloudinit = _block(managed, f"{base}.module.user_data.data.cloudinit_config.al2023_eks_managed_node_group[0]")
    rendered = cloudinit.attributes["rendered"]
    assert template.attributes["user_data"] == rendered  # the cloudinit_config data source is evaluated
    assert isinstance(rendered, Encoded) and rendered.encoding == "base64"
    text = rendered.inner.text("<?>")
    assert 'Content-Type: multipart/mixed; boundary="MIMEBOUNDARY"' in text
    expected = "kind: NodeConfig\nspec:\n  cluster:\n    name: ex-eks-managed-node-group\n    apiServerEndpoint: <?>"
    assert expected in text  # al2023 template
    assert [_ref(h) for h in rendered.inner.holes][:1] == [("module.eks.aws_eks_cluster.this[0]", "endpoint")]
    bottlerocket = _block(
        managed, 'module.eks.module.eks_managed_node_group["bottlerocket_custom"].aws_launch_template.this[0]'
    )
    user_data = bottlerocket.attributes["user_data"]
    assert isinstance(user_data, Encoded) and isinstance(user_data.inner, PartialStr)
    assert user_data.inner.text("<?>").startswith('[settings.kubernetes]\n"cluster-name" = "ex-eks-managed-node-group"')
    assert 'lockdown = "integrity"' in user_data.inner.text()


def test_self_managed_node_groups_inside_the_module(self_managed):
    cluster = _block(self_managed, "module.eks.aws_eks_cluster.this[0]")
    assert cluster.attributes["name"] == "ex-self-managed-node-group"
    base = 'module.eks.module.self_managed_node_group["complete"]'
    group = _block(self_managed, f"{base}.aws_autoscaling_group.this[0]")
    assert group.attributes["name"] == "complete-self-mng"  # use_name_prefix = false
    assert (group.attributes["min_size"], group.attributes["max_size"], group.attributes["desired_capacity"]) == (
        1,
        7,
        1,
    )
    assert _ref(group.attributes["launch_template"][0]["id"]) == (f"{base}.aws_launch_template.this[0]", "id")
    template = _block(self_managed, f"{base}.aws_launch_template.this[0]")
    assert template.attributes["instance_type"] == "m6i.large"
    assert _ref(template.attributes["iam_instance_profile"][0]["arn"]) == (
        f"{base}.aws_iam_instance_profile.this[0]",
        "arn",
    )
    user_data = template.attributes["user_data"]
    assert isinstance(user_data, Encoded)
    text = user_data.inner.text("<?>")
    assert (
        "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: ex-self-managed-node-group"
        in text
    )
    assert "--node-labels=node.kubernetes.io/lifecycle=spot" in text  # cloudinit_pre_nodeadm part
    entry = _block(self_managed, f"{base}.aws_eks_access_entry.this[0]")
    assert entry.attributes["type"] == "EC2_LINUX"
    assert _ref(entry.attributes["principal_arn"]) == (f"{base}.aws_iam_role.this[0]", "arn")
    bottlerocket = _block(
        self_managed, 'module.eks.module.self_managed_node_group["bottlerocket"].aws_launch_template.this[0]'
    )
    assert bottlerocket.attributes["instance_type"] == "m5.large"


@pytest.mark.parametrize(
    "example, cluster_name",
    [
        ("examples/karpenter", "ex-karpenter"),
        ("examples/eks-auto-mode", "ex-eks-auto-mode"),
    ],
)
def test_examples_calling_the_module_root(example, cluster_name):
    (configuration,) = load_terraform([EKS / example], scan_root=EKS)
    cluster = _block(configuration, "module.eks.aws_eks_cluster.this[0]")
    assert cluster.attributes["name"] == cluster_name
    assert cluster.attributes["version"] == "1.33"


def test_karpenter_example_node_group():
    (configuration,) = load_terraform([EKS / "examples" / "karpenter"], scan_root=EKS)
    group = _block(configuration, 'module.eks.module.eks_managed_node_group["karpenter"].aws_eks_node_group.this[0]')
    assert group.attributes["ami_type"] == "BOTTLEROCKET_x86_64"


def test_auto_mode_example_compute_config():
    (configuration,) = load_terraform([EKS / "examples" / "eks-auto-mode"], scan_root=EKS)
    cluster = _block(configuration, "module.eks.aws_eks_cluster.this[0]")
    compute = cluster.attributes["compute_config"][0]
    assert compute["enabled"] is True and compute["node_pools"] == ["general-purpose"]
    assert _ref(compute["node_role_arn"]) == ("module.eks.aws_iam_role.eks_auto[0]", "arn")


# --- rendered user data, checked against the module's own expected output ---------------


@pytest.fixture(scope="module")
def user_data_config():
    (configuration,) = load_terraform([EKS / "tests" / "user-data"], scan_root=EKS)
    return configuration


def _rendered_files():
    if not EKS.is_dir():
        return []
    return sorted(
        p.relative_to(EKS / "tests" / "user-data").as_posix()
        for p in (EKS / "tests" / "user-data" / "rendered").rglob("*")
        if p.is_file()
    )


@pytest.mark.parametrize("rendered", _rendered_files())
def test_user_data_renders_exactly_as_the_module_expects(user_data_config, rendered):
    (block,) = [
        b for b in user_data_config.blocks if b.type == "local_file" and b.attributes["filename"] == f"./{rendered}"
    ]
    assert block.attributes["content"] == (EKS / "tests" / "user-data" / rendered).read_text()


# --- registry sources ------------------------------------------------------------------


LEARN = CORPUS / "hashicorp__learn-terraform-provision-eks-cluster"


def test_registry_module_stays_unknown_inside():
    (configuration,) = load_terraform([LEARN], scan_root=LEARN)
    assert not [b for b in configuration.blocks if b.address.startswith("module.eks.")]
    assert {b.address for b in configuration.blocks} == {
        "random_string.suffix",
        "data.aws_availability_zones.available",
        "data.aws_iam_policy.ebs_csi_policy",
    }


def test_registry_module_with_a_downloaded_copy_is_evaluated(tmp_path):
    live = tmp_path / "live"
    shutil.copytree(LEARN, live, ignore=shutil.ignore_patterns("LICENSE"))
    main = live / "main.tf"  # ask for the version the copy is (a stale copy is not used)
    main.write_text(main.read_text().replace('version = "20.8.5"', 'version = "~> 21.0"'))
    copy = live / ".terraform" / "modules" / "eks"
    shutil.copytree(EKS, copy, ignore=shutil.ignore_patterns("tests", "examples", "LICENSE"))
    (live / ".terraform" / "modules" / "modules.json").write_text(
        json.dumps(
            {
                "Modules": [
                    {"Key": "", "Source": "", "Dir": "."},
                    {
                        "Key": "eks",
                        "Source": "registry.terraform.io/terraform-aws-modules/eks/aws",
                        "Version": "21.19.0",
                        "Dir": ".terraform/modules/eks",
                    },
                ]
            }
        )
    )
    (configuration,) = load_terraform([live], scan_root=tmp_path)
    group = _block(configuration, 'module.eks.module.eks_managed_node_group["one"].aws_eks_node_group.this[0]')
    assert group.attributes["node_group_name_prefix"] == "node-group-1-"
    assert group.attributes["instance_types"] == ["t3.small"]
    assert group.location.path == "live/.terraform/modules/eks/modules/eks-managed-node-group/main.tf"
    assert group.module_call.path == "live/main.tf"
