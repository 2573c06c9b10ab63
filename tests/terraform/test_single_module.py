"""One module: locals, count/for_each addresses, dynamic blocks, references, locations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.diagnostics import EVALUATION, PARSE_ERROR
from analyzer.terraform import load_terraform, parse_hcl_file
from analyzer.values import PartialStr, Ref, Unknown, first_unknown, is_unknown

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"


@pytest.fixture(scope="module")
def single():
    configurations = load_terraform([DATA / "single_module"], scan_root=DATA)
    assert len(configurations) == 1
    return configurations[0]


def _block(configuration, address):
    return next(b for b in configuration.blocks if b.address == address)


def test_locals_resolve_in_any_order(single):
    assert _block(single, "aws_vpc.main").attributes["tags"] == {"Name": "dev-cluster"}
    assert _block(single, "aws_eks_cluster.this").attributes["name"] == "dev-cluster"


@pytest.mark.parametrize(
    "address, index, cidr, zone",
    [
        ("aws_subnet.private[0]", 0, "10.0.0.0/24", "eu-west-1a"),
        ("aws_subnet.private[1]", 1, "10.0.1.0/24", "eu-west-1b"),
    ],
)
def test_count_instances_have_terraform_addresses(single, address, index, cidr, zone):
    subnet = _block(single, address)
    assert subnet.index == index
    assert subnet.attributes["cidr_block"] == cidr
    assert subnet.attributes["availability_zone"] == zone
    vpc_id = subnet.attributes["vpc_id"]
    assert isinstance(vpc_id, Ref) and (vpc_id.target, vpc_id.attribute) == ("aws_vpc.main", "id")


def test_for_each_instances_have_terraform_addresses(single):
    general = _block(single, 'aws_eks_node_group.workers["general"]')
    gpu = _block(single, 'aws_eks_node_group.workers["gpu"]')
    assert (general.index, gpu.index) == ("general", "gpu")
    assert general.attributes["instance_types"] == ["m5.large"]
    assert gpu.attributes["scaling_config"] == [{"min_size": 0, "max_size": 2, "desired_size": 0}]


def test_count_zero_produces_no_instance(single):
    assert not [b for b in single.blocks if b.address.startswith("aws_instance.disabled")]


def test_unknown_count_gives_one_unindexed_stand_in(single):
    stand_in = _block(single, "aws_instance.unknown_count")
    assert stand_in.index is None
    assert "count of aws_instance.unknown_count is unknown" in stand_in.note
    assert "var.unset_count has no value" in stand_in.note
    assert isinstance(stand_in.attributes["tags"]["Index"], Unknown)


def test_references_to_computed_attributes_are_refs_to_the_instance(single):
    node_group = _block(single, 'aws_eks_node_group.workers["general"]')
    role = node_group.attributes["node_role_arn"]
    assert isinstance(role, Ref) and (role.target, role.attribute) == ("aws_iam_role.node", "arn")
    assert node_group.attributes["cluster_name"] == "dev-cluster"  # configured, so known
    subnets = node_group.attributes["subnet_ids"]
    assert [(s.target, s.attribute) for s in subnets] == [
        ("aws_subnet.private[0]", "id"),
        ("aws_subnet.private[1]", "id"),
    ]
    cluster = _block(single, "aws_eks_cluster.this")
    assert [s.target for s in cluster.attributes["vpc_config"][0]["subnet_ids"]] == [
        "aws_subnet.private[0]",
        "aws_subnet.private[1]",
    ]


def test_dynamic_blocks_expand_to_nested_block_lists(single):
    group = _block(single, "aws_security_group.nodes")
    assert group.attributes["ingress"] == [
        {"from_port": 443, "to_port": 443, "protocol": "tcp"},
        {"from_port": 10250, "to_port": 10250, "protocol": "tcp"},
    ]
    assert group.attributes["egress"][0]["cidr_blocks"] == ["0.0.0.0/0"]


def test_heredoc_policy_is_a_string(single):
    policy = _block(single, "aws_iam_role.node").attributes["assume_role_policy"]
    assert json.loads(policy)["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_policy_document_data_source_is_evaluated(single):
    document = _block(single, "data.aws_iam_policy_document.assume")
    policy = _block(single, "aws_iam_role.cluster").attributes["assume_role_policy"]
    assert document.attributes["json"] == policy
    assert isinstance(policy, PartialStr)  # the account id condition is unknown
    text, holes = policy.with_markers()
    statement = json.loads(text)["Statement"][0]
    assert statement["Principal"] == {"Service": "eks.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Sid"] == "EKSAssume"
    (marker,) = holes
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": marker}}
    assert holes[marker].target == "data.aws_caller_identity.current"


def test_other_data_sources_are_unknown_refs(single):
    identity = _block(single, "data.aws_caller_identity.current")
    assert identity.mode == "data" and identity.attributes == {}


def test_variable_type_conversion_applies(single):
    # node_count is declared number with the default "2"
    assert _block(single, 'aws_eks_node_group.workers["gpu"]').attributes["scaling_config"][0]["max_size"] == 2


def test_locations_of_blocks_attributes_and_nested_attributes(single):
    cluster = _block(single, "aws_eks_cluster.this")
    assert (cluster.location.path, cluster.location.line, cluster.location.column) == ("single_module/main.tf", 63, 1)
    assert cluster.locations["name"].line == 64
    assert cluster.locations["vpc_config.0"].line == 67
    assert cluster.locations["vpc_config.0.endpoint_private_access"].line == 69
    assert cluster.locations["vpc_config.0.endpoint_private_access"].column == 5
    group = _block(single, "aws_security_group.nodes")
    assert group.locations["ingress.1"].line == 46  # the dynamic block
    assert group.locations["ingress.1.from_port"].line == 49  # inside its content
    assert group.locations["egress.0.cidr_blocks"].line == 59
    assert _block(single, "aws_vpc.main").locations["tags.Name"].line == 30


def test_syntax_error_is_a_located_diagnostic(tmp_path):
    (tmp_path / "broken.tf").write_text('resource "a" "b" {\n  x = [1, 2\n}\n')
    tree, diagnostics = parse_hcl_file(tmp_path / "broken.tf", "broken.tf")
    assert tree is None
    (diagnostic,) = diagnostics
    assert diagnostic.code == PARSE_ERROR
    assert (diagnostic.location.path, diagnostic.location.line) == ("broken.tf", 3)
    assert diagnostic.message.startswith("HCL syntax error: unexpected '}'")
    (configuration,) = load_terraform([tmp_path], scan_root=tmp_path)
    assert [d.code for d in configuration.diagnostics] == [PARSE_ERROR]


def test_parse_tree_carries_line_and_column(tmp_path):
    (tmp_path / "ok.tf").write_text("\n\nlocals {\n  a = 1\n}\n")
    tree, diagnostics = parse_hcl_file(tmp_path / "ok.tf", "ok.tf")
    assert diagnostics == []
    block = tree.children[0].children[-1] if False else next(tree.find_data("block"))
    assert (block.meta.line, block.meta.column) == (3, 1)


def test_reference_cycle_among_locals_is_reported_not_recursed(write_config, load):
    root = write_config(
        {
            "main.tf": """
        locals {
          a = local.b
          b = "${local.c}-x"
          c = local.a
        }
        resource "terraform_data" "x" {
          input = local.a
        }
    """
        }
    )
    configuration = load(root)
    (diagnostic,) = [d for d in configuration.diagnostics if d.code == EVALUATION]
    assert "reference cycle" in diagnostic.message
    for name in ("local.a", "local.b", "local.c"):
        assert name in diagnostic.message
    value = configuration.blocks[0].attributes["input"]
    assert is_unknown(value) and "reference cycle" in first_unknown(value).reason


def test_resource_cycle_through_attributes_is_reported(write_config, load):
    root = write_config(
        {
            "main.tf": """
        resource "aws_iam_role" "a" {
          name = aws_iam_role.b.name
        }
        resource "aws_iam_role" "b" {
          name = aws_iam_role.a.name
        }
    """
        }
    )
    configuration = load(root)
    assert any(
        "reference cycle: aws_iam_role.a.name -> aws_iam_role.b.name -> aws_iam_role.a.name" in d.message
        for d in configuration.diagnostics
    )


def test_self_referencing_local_does_not_recurse(write_config, load):
    root = write_config(
        {
            "main.tf": """
        locals {
          grow = concat(local.grow, [1])
        }
        output "x" {
          value = local.grow
        }
        resource "terraform_data" "x" {
          input = length(local.grow)
        }
    """
        }
    )
    configuration = load(root)
    assert isinstance(configuration.blocks[0].attributes["input"], Unknown)


def test_special_references(write_config, load):
    root = write_config(
        {
            "env/main.tf": """
        resource "terraform_data" "x" {
          input = [path.module, path.root, basename(path.cwd), terraform.workspace]
        }
    """
        }
    )
    configuration = load(root / "env", scan_root=root)
    assert configuration.blocks[0].attributes["input"] == [".", ".", "env", "default"]


def test_an_error_inside_one_attribute_does_not_stop_the_others(write_config, load):
    root = write_config(
        {
            "main.tf": """
        resource "terraform_data" "x" {
          bad   = {}.missing
          good  = "fine"
          typed = 1 + "two"
        }
    """
        }
    )
    attributes = load(root).blocks[0].attributes
    assert attributes["good"] == "fine"
    assert isinstance(attributes["bad"], Unknown) and isinstance(attributes["typed"], Unknown)
    assert attributes["bad"].origin.line == 3


def test_whole_resource_references_give_lists_of_refs(write_config, load):
    root = write_config(
        {
            "main.tf": """
        resource "aws_subnet" "private" {
          count      = 2
          cidr_block = "10.0.${count.index}.0/24"
        }
        data "aws_partition" "current" {}
        resource "terraform_data" "forms" {
          input = {
            full_splat = aws_subnet.private[*].id
            attr_splat = aws_subnet.private.*.id
            for_expr   = [for s in aws_subnet.private : s.id]
            explicit   = resource.aws_subnet.private[1].cidr_block
            partition  = data.aws_partition.current.partition
          }
        }
    """
        }
    )
    forms = next(b for b in load(root).blocks if b.address == "terraform_data.forms").attributes["input"]
    expected = [("aws_subnet.private[0]", "id"), ("aws_subnet.private[1]", "id")]
    for form in ("full_splat", "attr_splat", "for_expr"):
        assert [(r.target, r.attribute) for r in forms[form]] == expected
    assert forms["explicit"] == "10.0.1.0/24"
    partition = forms["partition"]
    assert isinstance(partition, Ref) and (partition.target, partition.attribute) == (
        "data.aws_partition.current",
        "partition",
    )
    assert partition.origin.line == 6


def test_an_internal_failure_degrades_to_unknown_with_a_diagnostic(write_config, load, monkeypatch):
    from analyzer.terraform.functions import REGISTRY

    def broken(*args):
        raise ZeroDivisionError("defect")

    monkeypatch.setattr(REGISTRY["upper"], "impl", broken)
    monkeypatch.delenv("EKSJOIN_STRICT")  # what users get; strict mode would raise here
    root = write_config(
        {
            "main.tf": """
        resource "terraform_data" "x" {
          input = upper("a")
          other = "kept"
        }
    """
        }
    )
    configuration = load(root)
    attributes = configuration.blocks[0].attributes
    assert isinstance(attributes["input"], Unknown) and attributes["other"] == "kept"
    (diagnostic,) = configuration.diagnostics
    assert diagnostic.code == EVALUATION and diagnostic.severity == "info"
    assert diagnostic.location.line == 3


def test_cloudinit_config_is_rendered(write_config, load):
    root = write_config(
        {
            "main.tf": """
        data "cloudinit_config" "nodes" {
          gzip          = false
          base64_encode = false
          boundary      = "B"
          part {
            content_type = "text/x-shellscript"
            content      = "echo hi"
          }
        }
    """
        }
    )
    rendered = load(root).blocks[0].attributes["rendered"]
    assert rendered == (
        'Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n--B\n'
        "Content-Transfer-Encoding: 7bit\nContent-Type: text/x-shellscript\nMime-Version: 1.0\n\n"
        "echo hi\n--B--\n"
    )


def test_for_each_keys_built_from_the_partition_in_a_for_expression(write_config, load):
    """terraform-aws-modules/eks v19: the attachments are keyed by policy ARNs that a for
    expression builds from data.aws_partition; each is its own instance, each.key the ARN."""
    root = write_config(
        {
            "main.tf": """
        data "aws_partition" "current" {}
        locals {
          prefix = "arn:${data.aws_partition.current.partition}:iam::aws:policy"
        }
        resource "aws_iam_role_policy_attachment" "this" {
          for_each = { for k, v in toset(compact([
            "${local.prefix}/AmazonEKSWorkerNodePolicy",
            "${local.prefix}/AmazonEC2ContainerRegistryReadOnly",
            "",
          ])) : k => v if true }
          role       = "nodes"
          policy_arn = each.key
        }
    """
        }
    )
    blocks = [b for b in load(root).blocks if b.address.startswith("aws_iam_role_policy_attachment.this")]
    assert [b.address for b in blocks] == [
        'aws_iam_role_policy_attachment.this["arn:${data.aws_partition.current.partition}:iam::aws:policy/'
        'AmazonEC2ContainerRegistryReadOnly"]',
        'aws_iam_role_policy_attachment.this["arn:${data.aws_partition.current.partition}:iam::aws:policy/'
        'AmazonEKSWorkerNodePolicy"]',
    ]
    arn = blocks[1].attributes["policy_arn"]
    assert isinstance(arn, PartialStr) and arn.text() == "arn:${?}:iam::aws:policy/AmazonEKSWorkerNodePolicy"


def test_the_network_cards_of_a_listed_instance_type_are_known(write_config, load):
    """terraform-aws-modules/eks EFA support: one network interface per network card of the
    instance type, read from data.aws_ec2_instance_type; the bundled table knows the cards of
    p5.48xlarge; a type it does not list, or an unknown type, stays unknown."""
    root = write_config(
        {
            "main.tf": """
        variable "other_type" {
          type = string
        }
        data "aws_ec2_instance_type" "p5" {
          instance_type = "p5.48xlarge"
        }
        data "aws_ec2_instance_type" "unlisted" {
          instance_type = "zz9.large"
        }
        data "aws_ec2_instance_type" "unset" {
          instance_type = var.other_type
        }
        resource "terraform_data" "cards" {
          input = {
            p5     = data.aws_ec2_instance_type.p5.maximum_network_cards
            listed = length([for i in range(data.aws_ec2_instance_type.p5.maximum_network_cards) : i])
            unlisted = data.aws_ec2_instance_type.unlisted.maximum_network_cards
            unset  = data.aws_ec2_instance_type.unset.maximum_network_cards
            vcpus  = data.aws_ec2_instance_type.p5.default_vcpus
          }
        }
    """
        }
    )
    cards = next(b for b in load(root).blocks if b.address == "terraform_data.cards").attributes["input"]
    assert (cards["p5"], cards["listed"]) == (32, 32)
    for unknown in ("unlisted", "unset", "vcpus"):  # what the table does not say is read from EC2
        assert isinstance(cards[unknown], Ref) and cards[unknown].target.startswith("data.aws_ec2_instance_type.")


def test_the_network_card_table_lists_existing_instance_types_only():
    from analyzer.knowledge.compute import known_instance_types
    from analyzer.terraform.known_attributes import network_cards

    table = network_cards()
    assert table["p4d.24xlarge"] == 4 and table["trn1.32xlarge"] == 8 and table["g6e.8xlarge"] == 1
    assert set(table) <= known_instance_types()
    assert all(isinstance(count, int) and count >= 1 for count in table.values())


def test_an_ami_search_gives_a_non_empty_id_and_a_cluster_id_is_its_name(write_config, load):
    """terraform-aws-modules/eks: ``var.ami_id != ""`` picks a data "aws_ami" ID (a search that
    reads finds an AMI), and ``kubernetes.io/cluster/${aws_eks_cluster.this.id}`` names the
    cluster (its id is its name); a name without a value keeps the id unknown, saying why."""
    root = write_config(
        {
            "main.tf": """
        variable "other_name" {
          type = string
        }
        data "aws_ami" "eks" {
          owners = ["amazon"]
          filter {
            name   = "name"
            values = ["amazon-eks-node-al2023-x86_64-standard-1.31-v*"]
          }
        }
        resource "aws_eks_cluster" "this" {
          name     = "demo"
          role_arn = "arn:aws:iam::111122223333:role/demo-cluster"
          vpc_config {
            subnet_ids = ["subnet-0a1b2c3d"]
          }
        }
        resource "aws_eks_cluster" "other" {
          name     = var.other_name
          role_arn = "arn:aws:iam::111122223333:role/demo-cluster"
          vpc_config {
            subnet_ids = ["subnet-0a1b2c3d"]
          }
        }
        resource "terraform_data" "x" {
          input = {
            given      = data.aws_ami.eks.image_id != ""
            not_null   = data.aws_ami.eks.id == null
            chosen     = data.aws_ami.eks.id == "" ? "ssm" : data.aws_ami.eks.id
            other_attr = data.aws_ami.eks.description == ""
            tag        = "kubernetes.io/cluster/${aws_eks_cluster.this.id}"
            other      = aws_eks_cluster.other.id
          }
        }
    """
        }
    )
    values = next(b for b in load(root).blocks if b.address == "terraform_data.x").attributes["input"]
    assert (values["given"], values["not_null"], values["tag"]) == (True, False, "kubernetes.io/cluster/demo")
    assert isinstance(values["chosen"], Ref) and values["chosen"].attribute == "id"
    assert isinstance(values["other_attr"], Unknown)  # any other attribute may be empty
    other = values["other"]
    assert isinstance(other, Ref) and other.target == "aws_eks_cluster.other"
    assert "is its name: var.other_name has no value" in other.reason
