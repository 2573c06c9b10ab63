"""Node AMI and user-data facts: where the AMI comes from, and what the user data runs."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from analyzer.cloudformation.types import SsmParameter
from analyzer.engine.catalogue import load_catalogue
from analyzer.engine.predicates import PREDICATES
from analyzer.engine.runner import evaluate_rule
from analyzer.location import Location
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.pipeline import Options, build_model
from analyzer.values import Encoded, OneOf, PartialStr, Ref, Unknown

CATALOGUE = {rule.id: rule for rule in load_catalogue()}
AL2023_PATH = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/arm64/standard/recommended/image_id"
AL2_PATH = "/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id"


def make(kind: str, key: str, framework: str = "terraform", **fields) -> Resource:
    resource = Resource(kind, key, key, framework, kind, Location("main.tf", 1))
    resource.fields.update(fields)
    return resource


def cluster(**fields) -> Resource:
    found = make(kinds.CLUSTER, "aws_eks_cluster.main", **{"name": "prod", "version": "1.31", **fields})
    found.aliases = (found.fields["name"],) if isinstance(found.fields["name"], str) else ()
    return found


def node_with_template(
    template_fields: dict, node_kind: str = kinds.SELF_MANAGED, *extra: Resource, **node_fields
) -> tuple[Model, Resource]:
    template = make(kinds.LAUNCH_TEMPLATE, "aws_launch_template.nodes", **template_fields)
    node = make(node_kind, "node", launch_template=Ref("id", target=template.key, attribute="id"), **node_fields)
    return Model([template, node, *extra]), node


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# -- AMI sources ------------------------------------------------------------------------------------
def test_ssm_data_source_gives_family_version_and_architecture():
    parameter = make(kinds.SSM_PARAMETER, "data.aws_ssm_parameter.ami", name=AL2023_PATH)
    model, node = node_with_template(
        {"image_id": Ref("value", target=parameter.key, attribute="value")}, kinds.SELF_MANAGED, parameter
    )
    source = model.attr(node, "ami_source")
    assert (source["family"], source["k8s_version"], source["architecture"], source["eks_optimized"]) == (
        "AL2023",
        "1.31",
        "arm64",
        True,
    )
    assert model.attr(node, "ami_family") == "AL2023" and model.attr(node, "architecture") == "arm64"


@pytest.mark.parametrize(
    ("image", "family"),
    [
        (SsmParameter("ssm", path=AL2_PATH), "AL2"),  # CloudFormation SSM parameter types
        ("resolve:ssm:" + AL2_PATH, "AL2"),  # EC2 resolves such image IDs in launch templates
        (OneOf("condition", candidates=(SsmParameter("a", path=AL2_PATH), "resolve:ssm:" + AL2_PATH)), "AL2"),
    ],
)
def test_image_ids_that_name_an_ssm_parameter(image, family):
    model, node = node_with_template({"image_id": image})
    assert model.attr(node, "ami_family") == family


@pytest.mark.parametrize(
    ("filters", "family", "eks_optimized"),
    [
        (["amazon-eks-node-al2023-x86_64-standard-1.31-v*"], "AL2023", True),
        (["bottlerocket-aws-k8s-1.30-aarch64-*"], "BOTTLEROCKET", True),
        (["golden-worker-*"], None, False),  # a custom image: not EKS-optimized, family unknown
    ],
)
def test_ami_lookup_name_filters(filters, family, eks_optimized):
    lookup = make(kinds.AMI_LOOKUP, "data.aws_ami.eks", name_filters=filters)
    model, node = node_with_template(
        {"image_id": Ref("id", target=lookup.key, attribute="id")}, kinds.SELF_MANAGED, lookup
    )
    source = model.attr(node, "ami_source")
    assert source["eks_optimized"] is eks_optimized
    assert source["family"] == family if family else isinstance(source["family"], Unknown)


def test_ami_lookup_by_image_id_follows_the_ssm_parameter():
    parameter = make(
        kinds.SSM_PARAMETER,
        "data.aws_ssm_parameter.br",
        name="/aws/service/bottlerocket/aws-k8s-1.27/x86_64/latest/image_id",
    )
    lookup = make(
        kinds.AMI_LOOKUP, "data.aws_ami.br", image_id_filters=[Ref("value", target=parameter.key, attribute="value")]
    )
    model, node = node_with_template(
        {"image_id": Ref("id", target=lookup.key, attribute="id")}, kinds.SELF_MANAGED, lookup, parameter
    )
    assert model.attr(node, "ami_family") == "BOTTLEROCKET" and model.attr(node, "ami_k8s_version") == "1.27"


@pytest.mark.parametrize("image", ["ami-0123456789abcdef0", Unknown("var.ami_id has no value")])
def test_literal_or_unknown_ami_has_unknown_family(image):
    model, node = node_with_template({"image_id": image})
    source = model.attr(node, "ami_source")
    assert isinstance(source["family"], Unknown) and isinstance(source["eks_optimized"], Unknown)


@pytest.mark.parametrize(
    ("version", "ami_type", "family"),
    [
        ("1.29", None, "AL2"),
        ("1.30", None, "AL2023"),
        ("1.29", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET"),
        (Unknown("var.version"), "AL2_x86_64", "AL2"),
    ],
)
def test_managed_node_group_family_from_ami_type_or_default(version, ami_type, family):
    eks = cluster(version=version)
    group = make(kinds.NODEGROUP, "group", cluster="prod", ami_type=ami_type)
    model = Model([eks, group])
    assert model.attr(group, "ami_family") == family
    assert model.attr(group, "ami_source")["custom"] is False


def test_managed_default_family_without_any_version_is_that_of_eks_default_version():
    # no version anywhere: EKS creates its current default (1.33 or later), whose default AMI is AL2023
    group = make(kinds.NODEGROUP, "group", cluster="prod")
    assert Model([cluster(version=None), group]).attr(group, "ami_family") == "AL2023"


def test_managed_default_family_needs_a_resolvable_version():
    group = make(kinds.NODEGROUP, "group", cluster="prod")
    family = Model([cluster(version=Unknown("var.version has no value")), group]).attr(group, "ami_family")
    assert isinstance(family, Unknown)


def test_node_version_wins_over_cluster_version():
    group = make(kinds.NODEGROUP, "group", cluster="prod", version="1.30")
    model = Model([cluster(version="1.31"), group])
    assert model.attr(group, "k8s_version") == "1.30"


@pytest.mark.parametrize(
    ("written", "family"),
    [
        ("AmazonLinux2", "AL2"),
        ("amazonlinux2023", "AL2023"),
        ("BottlerocketFips", "BOTTLEROCKET"),
        ("Ubuntu2604", "UBUNTU"),
        ("WindowsServer2025CoreContainer", "WINDOWS"),
    ],
)
def test_eksctl_ami_families(written, family):
    group = make(kinds.SELF_MANAGED, "ng", framework="eksctl", created_by="eksctl", eksctl_ami_family=written)
    assert Model([group]).attr(group, "ami_family") == family


# -- user data --------------------------------------------------------------------------------------
def test_user_data_comes_from_the_launch_template_unless_the_node_has_its_own():
    model, node = node_with_template({"user_data": b64("#!/bin/bash\n/etc/eks/bootstrap.sh prod\n")})
    assert model.attr(node, "user_data_source").kind == kinds.LAUNCH_TEMPLATE
    assert model.attr(node, "decoded_user_data").bootstrap_calls[0].cluster_name == "prod"
    instance = make(kinds.SELF_MANAGED, "aws_instance.node", user_data="#!/bin/bash\n/etc/eks/bootstrap.sh dev\n")
    assert Model([instance]).attr(instance, "decoded_user_data").bootstrap_calls[0].cluster_name == "dev"


def test_unresolved_launch_template_gives_unknown_user_data():
    node = make(kinds.SELF_MANAGED, "node", launch_template=Ref("id", target="module.x.lt", attribute="id"))
    user_data = Model([node]).attr(node, "decoded_user_data")
    assert not user_data.known and "not in the analyzed files" in user_data.reason


def test_eksctl_override_is_the_user_data_and_windows_gets_eksctls_preamble():
    linux = make(
        kinds.SELF_MANAGED,
        "ng",
        framework="eksctl",
        created_by="eksctl",
        eksctl_ami_family="AmazonLinux2",
        bootstrap_override="/etc/eks/bootstrap.sh prod\n",
    )
    windows = make(
        kinds.SELF_MANAGED,
        "win",
        framework="eksctl",
        created_by="eksctl",
        eksctl_ami_family="WindowsServer2022FullContainer",
        bootstrap_override='& $EKSBootstrapScriptFile -EKSClusterName "$EKSClusterName"',
    )
    plain = make(
        kinds.SELF_MANAGED, "plain", framework="eksctl", created_by="eksctl", eksctl_ami_family="AmazonLinux2023"
    )
    model = Model([linux, windows, plain])
    assert model.attr(linux, "decoded_user_data").bootstrap_calls[0].cluster_name == "prod"
    assert model.attr(windows, "decoded_user_data").windows.bootstrap_calls
    assert model.attr(plain, "decoded_user_data") is None


# -- predicates -------------------------------------------------------------------------------------
def ask(name: str, model: Model, node: Resource):
    return PREDICATES[name](model, node=node)


@pytest.mark.parametrize(
    ("script", "found", "names_cluster"),
    [
        ("#!/bin/bash\n/etc/eks/bootstrap.sh prod\n", True, True),
        ("#!/bin/bash\n/etc/eks/bootstrap.sh --use-max-pods false\n", True, False),
        ("#!/bin/bash\necho hello\n", False, False),
        ("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n", False, False),
    ],
)
def test_bootstrap_sh_calls(script, found, names_cluster):
    model, node = node_with_template({"user_data": b64(script)})
    bootstrap = ask("userdata.bootstrap_sh", model, node)
    assert (bootstrap["found"], bootstrap["names_cluster"], bootstrap["empty"]) == (found, names_cluster, False)
    assert [call.line for call in bootstrap["calls"]] == ([2] if found else [])


def test_bootstrap_sh_call_hidden_by_an_unknown_command_is_not_known():
    script = PartialStr.join(["#!/bin/bash\n", Unknown("var.commands"), "\n"])
    model, node = node_with_template({"user_data": Encoded("base64", script)})
    bootstrap = ask("userdata.bootstrap_sh", model, node)
    assert isinstance(bootstrap["found"], Unknown) and bootstrap["calls"] == []


def test_nodeconfig_missing_fields_in_nodeadms_order_with_its_message():
    config = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: prod\n"
    model, node = node_with_template({"user_data": b64(config)})
    found = ask("userdata.nodeconfig", model, node)
    assert found["found"] is True
    assert found["missing_fields"] == [
        "spec.cluster.apiServerEndpoint",
        "spec.cluster.certificateAuthority",
        "spec.cluster.cidr",
    ]
    assert "Apiserver endpoint is missing" in found["stops_with"]


@pytest.mark.parametrize(("given", "named"), [("prod", ["prod"]), ("Prod", ["Prod"]), (Unknown("var"), [])])
def test_named_clusters_are_the_literal_names_only(given, named):
    script = PartialStr.join(["#!/bin/bash\n/etc/eks/bootstrap.sh ", given, "\n"])
    model, node = node_with_template(
        {"user_data": Encoded("base64", script) if isinstance(script, PartialStr) else b64(script)},
        kinds.SELF_MANAGED,
        cluster(),
        cluster="prod",
    )
    found = ask("userdata.named_clusters", model, node)
    assert [entry["name"] for entry in found] == named
    assert all(entry["where"] == "/etc/eks/bootstrap.sh (script line 2)" for entry in found)
    assert ask("userdata.cluster_name", model, node) == "prod"


def test_a_placeholder_cluster_name_is_not_known():
    eks = cluster(name="<generated>")
    model, node = node_with_template(
        {"user_data": b64("/etc/eks/bootstrap.sh prod\n")}, kinds.SELF_MANAGED, eks, cluster="<generated>"
    )
    name = ask("userdata.cluster_name", model, node)
    assert isinstance(name, Unknown) and "'<generated>' is a placeholder" in name.reason


@pytest.mark.parametrize(
    ("script", "found", "tagged", "names_cluster"),
    [
        (
            '<powershell>\n& "$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1" -EKSClusterName prod\n</powershell>\n',
            True,
            True,
            True,
        ),
        (
            '<powershell>\n& "$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1"\n</powershell>\n',
            True,
            True,
            False,
        ),
        ("<powershell>\nWrite-Host hello\n</powershell>\n", False, True, False),
    ],
)
def test_windows_bootstrap_calls(script, found, tagged, names_cluster):
    model, node = node_with_template({"user_data": b64(script)})
    windows = ask("userdata.windows_bootstrap", model, node)
    assert (windows["found"], windows["tagged"], windows["names_cluster"]) == (found, tagged, names_cluster)
    assert windows["other_format"] is False


@pytest.mark.parametrize(
    ("script", "mime", "toml"),
    [
        ("#!/bin/bash\necho hi\n", False, False),
        (
            'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\nContent-Type: text/x-shellscript\n\n#!/bin/bash\necho hi\n--//--\n',
            True,
            False,
        ),
        ('[settings.kubernetes]\ncluster-name = "prod"\n', False, True),
    ],
)
def test_user_data_format(script, mime, toml):
    model, node = node_with_template({"user_data": b64(script)}, kinds.NODEGROUP)
    found = ask("userdata.format", model, node)
    assert (found["empty"], found["mime"], found["toml"]) == (False, mime, toml)
    assert found["mime_boundary_problem"] is None


def test_the_facts_of_user_data_that_is_not_known_name_it():
    model, node = node_with_template({"user_data": Unknown("var.user_data")})
    for name in ("userdata.bootstrap_sh", "userdata.nodeconfig", "userdata.windows_bootstrap", "userdata.format"):
        fact = ask(name, model, node)
        assert fact and all(isinstance(v, Unknown) and "var.user_data" in v.reason for v in fact.values()), name


BYPASS = "/etc/eks/bootstrap.sh prod --apiserver-endpoint https://x --b64-cluster-ca Q0E="


@pytest.mark.parametrize(
    ("service_cidr", "vpc_cidr", "args", "outcome"),
    [
        (None, "10.0.0.0/16", "", None),  # EKS's default service CIDR: the fallback is right
        ("172.16.0.0/16", "10.0.0.0/16", "", "so the node uses"),
        ("172.16.0.0/16", "10.0.0.0/16", " --dns-cluster-ip 172.16.0.10", None),
        ("172.20.0.0/16", "10.0.0.0/16", "", None),  # 10/8 VPC: bootstrap.sh falls back to 172.20.0.10
        ("10.100.0.0/16", "10.0.0.0/16", "", "uses 172.20.0.10"),
        ("10.100.0.0/16", Unknown("var.cidr"), "", Unknown),
    ],
)
def test_dns_fallback_when_describe_cluster_is_skipped(service_cidr, vpc_cidr, args, outcome):
    vpc = make(kinds.VPC, "aws_vpc.main", cidr_block=vpc_cidr)
    subnet = make(kinds.SUBNET, "aws_subnet.a", vpc=Ref("id", target=vpc.key, attribute="id"))
    eks = cluster(service_cidr=service_cidr, subnets=[Ref("id", target=subnet.key, attribute="id")])
    model, node = node_with_template(
        {"user_data": b64(BYPASS + args + "\n")}, kinds.SELF_MANAGED, eks, vpc, subnet, cluster="prod"
    )
    result = evaluate_rule(CATALOGUE["EKS-UDATA-007"], node, model)
    if outcome is Unknown:
        assert result.outcome == "unknown" and "the VPC CIDR of aws_eks_cluster.main is not known" in result.reason
    elif outcome is None:
        assert result.outcome == "pass"
    else:
        assert result.outcome == "fail" and outcome in result.finding.message


@pytest.mark.parametrize(
    ("args", "ipv6_cluster", "ip_family", "ipv6_cidr"),
    [
        (" --ip-family ipv6", False, "ipv6", False),
        (" --ip-family IPv4 --service-ipv6-cidr fd00::/108", False, "ipv4", True),
        ("", True, None, False),
    ],
)
def test_ip_family_arguments(args, ipv6_cluster, ip_family, ipv6_cidr):
    eks = cluster(ip_family="ipv6" if ipv6_cluster else "ipv4")
    model, node = node_with_template({"user_data": b64(BYPASS + args + "\n")}, kinds.SELF_MANAGED, eks, cluster="prod")
    found = ask("userdata.ip_family_arguments", model, node)
    assert (found["ip_family"], found["service_ipv6_cidr"], found["cluster_ipv6"]) == (
        ip_family,
        ipv6_cidr,
        ipv6_cluster,
    )
    assert found["skips_describe_cluster"] is True and found["ip_family_hidden"] is False


@pytest.mark.parametrize(
    ("source_type", "value", "required", "form"),
    [
        ("aws_launch_template", "#!/bin/bash\necho hi\n", True, "plain"),
        ("aws_launch_template", b64("#!/bin/bash\necho hi\n"), True, "base64"),
        ("aws_launch_template", Encoded("base64", PartialStr(("#!/bin/bash\n", Unknown("x")))), True, "base64"),
        ("aws_launch_template", PartialStr(("#!/bin/bash\n", Unknown("x"))), True, "plain_filled_in"),
        ("aws_launch_template", Unknown("var.user_data"), True, Unknown),
        ("aws_launch_template", None, True, "none"),
        ("aws_launch_configuration", "#!/bin/bash\necho hi\n", False, "plain"),  # the provider encodes it
    ],
)
def test_user_data_encoding(source_type, value, required, form):
    template = make(kinds.LAUNCH_TEMPLATE, "lt", user_data=value)
    template.source_type = source_type
    node = make(kinds.SELF_MANAGED, "node", launch_template=Ref("id", target="lt", attribute="id"))
    found = ask("userdata.encoding", Model([template, node]), node)
    assert found["base64_required"] is required
    if form is Unknown:
        assert isinstance(found["form"], Unknown) and "var.user_data" in found["form"].reason
    else:
        assert found["form"] == form


# -- normalizers ------------------------------------------------------------------------------------
MODULE_TF = """
variable "ami_id" {
  default = ""
}

resource "aws_launch_template" "this" {
  image_id  = var.ami_id
  user_data = ""
}

resource "aws_eks_node_group" "this" {
  cluster_name  = "prod"
  node_role_arn = "arn:aws:iam::111122223333:role/nodes"
  subnet_ids    = ["subnet-1"]
  launch_template {
    id      = aws_launch_template.this.id
    version = "1"
  }
}
"""

ROOT_TF = f"""
data "aws_ssm_parameter" "ami" {{
  name = "{AL2_PATH}"
}}

module "nodes" {{
  source = "./modules/eks-managed-node-group"
}}

resource "aws_launch_configuration" "self" {{
  image_id         = data.aws_ssm_parameter.ami.value
  user_data_base64 = base64encode("#!/bin/bash\\n/etc/eks/bootstrap.sh prod\\n")
}}

resource "aws_autoscaling_group" "self" {{
  launch_configuration = aws_launch_configuration.self.id
  max_size             = 1
  min_size             = 1
}}
"""


def test_terraform_normalizer_feeds_the_ami_and_user_data_facts(tmp_path: Path):
    module_dir = tmp_path / "modules" / "eks-managed-node-group"
    module_dir.mkdir(parents=True)
    (module_dir / "main.tf").write_text(MODULE_TF)
    (tmp_path / "main.tf").write_text(ROOT_TF)
    model, _ = build_model([tmp_path], Options())
    group = model.of_kind(kinds.NODEGROUP)[0]
    assert group.get("created_by") == "terraform-aws-modules/eks-managed-node-group"
    assert model.attr(group, "node_class") == "MNG-LT"  # image_id = "" is no AMI of its own
    [asg] = model.of_kind(kinds.SELF_MANAGED)  # kept as a node: its user data runs bootstrap.sh
    assert model.attr(asg, "ami_family") == "AL2"
    assert model.attr(asg, "decoded_user_data").bootstrap_calls[0].cluster_name == "prod"
    [parameter] = model.of_kind(kinds.SSM_PARAMETER)
    assert parameter.get("name") == AL2_PATH
