"""Route tables, subnet classes, VPC endpoints and network ACLs, as the NET, EPT and NACL
rules see them."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES

from analyzer.engine.catalogue import load_catalogue
from analyzer.knowledge import endpoints, nacl, routing
from analyzer.location import Location
from analyzer.model import kinds
from analyzer.model.resource import Resource
from analyzer.pipeline import Options, analyze, build_model
from analyzer.values import Unknown

VPC = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_eip" "nat" {}

resource "aws_nat_gateway" "nat" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.a.id
}
"""

NAT_TABLE = """
resource "aws_route_table" "nat" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
}
"""


def _model(tmp_path: Path, text: str):
    (tmp_path / "main.tf").write_text(textwrap.dedent(text))
    model, _ = build_model([tmp_path], Options())
    return model


def _subnet(model, address: str = "aws_subnet.a") -> Resource:
    return next(s for s in model.of_kind(kinds.SUBNET) if s.address == address)


# -- route table resolution (EKS-NET-006) ----------------------------------------------------------
ROUTE_TABLE_CASES = {
    "no association: the implicit main table (local route only)": ("", None, routing.ISOLATED),
    "explicit association": (
        NAT_TABLE
        + """
        resource "aws_route_table_association" "a" {
          subnet_id      = aws_subnet.a.id
          route_table_id = aws_route_table.nat.id
        }""",
        "aws_route_table.nat",
        routing.NAT,
    ),
    "main route table association": (
        NAT_TABLE
        + """
        resource "aws_main_route_table_association" "main" {
          vpc_id         = aws_vpc.main.id
          route_table_id = aws_route_table.nat.id
        }""",
        "aws_route_table.nat",
        routing.NAT,
    ),
    "adopted default route table": (
        """
        resource "aws_default_route_table" "main" {
          default_route_table_id = aws_vpc.main.default_route_table_id
          route {
            cidr_block = "0.0.0.0/0"
            gateway_id = aws_internet_gateway.igw.id
          }
        }""",
        "aws_default_route_table.main",
        routing.PUBLIC,
    ),
    "route added to the VPC's main table by attribute": (
        """
        resource "aws_route" "out" {
          route_table_id         = aws_vpc.main.main_route_table_id
          destination_cidr_block = "0.0.0.0/0"
          transit_gateway_id     = "tgw-0123456789abcdef0"
        }""",
        None,
        routing.NAT,
    ),
    "association to the VPC's default table by attribute": (
        """
        resource "aws_route_table_association" "a" {
          subnet_id      = aws_subnet.a.id
          route_table_id = aws_vpc.main.default_route_table_id
        }""",
        None,
        routing.ISOLATED,
    ),
}


@pytest.mark.parametrize("extra, table, subnet_class", ROUTE_TABLE_CASES.values(), ids=list(ROUTE_TABLE_CASES))
def test_effective_route_table_and_subnet_class(tmp_path, extra, table, subnet_class):
    model = _model(tmp_path, VPC + extra)
    subnet = _subnet(model)
    effective = model.attr(subnet, "route_table")
    assert isinstance(effective, routing.RouteTable)
    assert (effective.table.address if effective.table else None) == table
    assert model.attr(subnet, "egress_class") == subnet_class


UNKNOWN_CASES = {
    "association to a table from a variable": """
        variable "table" {
          type = string
        }
        resource "aws_route_table_association" "a" {
          subnet_id      = aws_subnet.a.id
          route_table_id = var.table
        }""",
    "a default route to a table that is not resolved may be the main table's": """
        variable "table" {
          type = string
        }
        resource "aws_route" "out" {
          route_table_id         = var.table
          destination_cidr_block = "0.0.0.0/0"
          nat_gateway_id         = aws_nat_gateway.nat.id
        }""",
    "routes propagated from a VPN gateway": """
        resource "aws_vpn_gateway" "vgw" {
          vpc_id = aws_vpc.main.id
        }
        resource "aws_default_route_table" "main" {
          default_route_table_id = aws_vpc.main.default_route_table_id
          propagating_vgws       = [aws_vpn_gateway.vgw.id]
        }""",
    "gateway that is neither declared nor a literal ID": """
        variable "gateway" {
          type = string
        }
        resource "aws_route" "out" {
          route_table_id         = aws_vpc.main.default_route_table_id
          destination_cidr_block = "0.0.0.0/0"
          gateway_id             = var.gateway
        }""",
}


@pytest.mark.parametrize("extra", UNKNOWN_CASES.values(), ids=list(UNKNOWN_CASES))
def test_unresolved_routing_is_unknown_never_isolated(tmp_path, extra):
    model = _model(tmp_path, VPC + extra)
    assert isinstance(model.attr(_subnet(model), "egress_class"), Unknown)


def test_unresolved_route_in_another_configuration_does_not_matter(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "one" / "main.tf").write_text(VPC)
    (tmp_path / "other" / "main.tf").write_text(
        textwrap.dedent(
            UNKNOWN_CASES["a default route to a table that is not resolved may be the main table's"]
        ).replace("aws_nat_gateway.nat.id", '"nat-0123456789abcdef0"')
    )
    model, _ = build_model([tmp_path], Options())
    assert model.attr(_subnet(model), "egress_class") == routing.ISOLATED


def test_inline_routes_are_resources_at_their_own_line(tmp_path):
    model = _model(tmp_path, VPC + NAT_TABLE)
    route = next(r for r in model.of_kind(kinds.ROUTE))
    assert route.address == "aws_route_table.nat.route[0]"
    assert route.get("destination") == "0.0.0.0/0" and route.get("inline") is True
    assert route.location.line == VPC.count("\n") + NAT_TABLE.splitlines().index("  route {") + 1


# -- VPC endpoint service names --------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, service",
    [
        ("com.amazonaws.us-east-1.ecr.dkr", "ecr.dkr"),
        ("cn.com.amazonaws.cn-north-1.ec2", "ec2"),
        ("com.amazonaws.eu-west-1.eks-auth", "eks-auth"),
        ("com.amazonaws.vpce.us-east-1.vpce-svc-0123", None),
        ("my-private-service", None),
    ],
)
def test_service_of_endpoint_names(name, service):
    assert endpoints.service_of(name) == service


def test_service_with_unknown_region_is_known_and_unknown_service_is_not():
    from analyzer.values import PartialStr

    region = Unknown("var.region")
    assert endpoints.service_of(PartialStr(("com.amazonaws.", region, ".sts"))) == "sts"
    assert isinstance(endpoints.service_of(PartialStr(("com.amazonaws.us-east-1.", region))), Unknown)


# -- network ACL evaluation ------------------------------------------------------------------------
def _rule(number, egress, action, cidr="0.0.0.0/0", ports=(443, 443), protocol="tcp"):
    rule = Resource(
        kinds.NETWORK_ACL_RULE,
        f"r{number}{egress}",
        f"rule {number}",
        "terraform",
        "aws_network_acl_rule",
        Location("main.tf", 1),
    )
    rule.fields.update(
        rule_number=number,
        egress=egress,
        action=action,
        cidr_block=cidr,
        from_port=ports[0],
        to_port=ports[1],
        protocol=protocol,
    )
    return rule


ACL_CASES = {
    "no rules: implicit deny": ([], False, nacl.DENIED),
    "allow 443 anywhere": ([_rule(100, True, "allow")], False, nacl.ALLOWED),
    "lower-numbered deny wins": ([_rule(100, True, "allow"), _rule(50, True, "deny")], False, nacl.DENIED),
    "allow to part of the internet only": ([_rule(100, True, "allow", "52.0.0.0/8")], False, nacl.PARTIAL),
    "all-protocol allow ignores ports": ([_rule(100, True, "allow", ports=(0, 0), protocol="-1")], False, nacl.ALLOWED),
    "AWS default ACL: rule 100 allows all before a later deny": ([_rule(200, True, "deny")], True, nacl.ALLOWED),
    "AWS default ACL: an earlier deny still applies": ([_rule(90, True, "deny")], True, nacl.DENIED),
}


@pytest.mark.parametrize("rules, aws_allow_all, verdict", ACL_CASES.values(), ids=list(ACL_CASES))
def test_acl_judges_first_matching_rule(rules, aws_allow_all, verdict):
    view = nacl.AclView(None, None, rules, aws_allow_all=aws_allow_all)
    assert nacl.judge(view, True, (443, 443), "0.0.0.0/0") == verdict


def test_acl_rule_with_unknown_cidr_makes_the_flow_unknown():
    view = nacl.AclView(None, None, [_rule(100, True, "allow", cidr=Unknown("var.cidr"))])
    assert isinstance(nacl.judge(view, True, (443, 443), "0.0.0.0/0"), Unknown)


# -- terraform-aws-modules/vpc//modules/vpc-endpoints defaults -------------------------------------
def test_vpc_endpoints_module_leaves_private_dns_off(tmp_path):
    module = CORPUS / "terraform-aws-modules__terraform-aws-vpc" / "modules" / "vpc-endpoints"
    if not module.is_dir():
        pytest.skip("corpus not available")
    shutil.copytree(module, tmp_path / "vpc-endpoints")
    (tmp_path / "main.tf").write_text(
        textwrap.dedent("""
        resource "aws_vpc" "main" {
          cidr_block           = "10.0.0.0/16"
          enable_dns_hostnames = true
        }
        resource "aws_subnet" "a" {
          vpc_id     = aws_vpc.main.id
          cidr_block = "10.0.1.0/24"
        }
        resource "aws_security_group" "endpoints" {
          vpc_id = aws_vpc.main.id
        }
        module "endpoints" {
          source             = "./vpc-endpoints"
          vpc_id             = aws_vpc.main.id
          security_group_ids = [aws_security_group.endpoints.id]
          endpoints = {
            ec2 = { service = "ec2", subnet_ids = [aws_subnet.a.id] }
            sts = { service = "sts", subnet_ids = [aws_subnet.a.id], private_dns_enabled = true }
            s3  = { service = "s3", service_type = "Gateway" }
          }
        }
        """)
    )
    model, _ = build_model([tmp_path], Options())
    found = {endpoints.endpoint_service(model, e): e for e in model.of_kind(kinds.VPC_ENDPOINT)}
    if not found:
        pytest.skip("the module copy does not evaluate here")
    assert found["ec2"].get("endpoint_type") == "Interface"
    assert found["ec2"].get("private_dns_enabled") is False  # null -> the provider default
    assert found["sts"].get("private_dns_enabled") is True
    assert found["s3"].get("endpoint_type") == "Gateway"


# -- every fixture of this family evaluates without an internal error ------------------------------
FAMILY = ("EKS-NET-00", "EKS-EPT-", "EKS-DNS-003", "EKS-DNS-004", "EKS-NACL-", "EKS-CLUSTER-005")


def test_family_fixtures_evaluate_without_internal_errors():
    rules = [r for r in load_catalogue() if r.id.startswith(FAMILY) and r.id != "EKS-NET-001"]
    internal = []
    for directory in (d for rule in rules for d in sorted((FIXTURES / rule.id).glob("*/*"))):
        analysis = analyze([directory], rules)
        internal += [f for f in analysis.findings if "could not evaluate" in f.message]
    assert not internal, internal[:3]


# -- availability zones of endpoint and node subnets -----------------------------------------------
@pytest.mark.parametrize(
    "zone, others, comparable",
    [
        (("name", "us-east-1a"), [("name", "us-east-1b")], True),
        (
            ("ref", "data.aws_availability_zones.azs", "names.0"),
            [("ref", "data.aws_availability_zones.azs", "names.1")],
            True,
        ),
        (("ref", "data.aws_availability_zones.azs", "names.0"), [("name", "us-east-1b")], False),
        (
            ("ref", "data.aws_subnet.x", "availability_zone"),
            [("ref", "data.aws_availability_zones.azs", "names.1")],
            False,
        ),
        (None, [("name", "us-east-1b")], False),
    ],
)
def test_only_names_or_elements_of_one_list_tell_zones_apart(zone, others, comparable):
    from analyzer.knowledge.addressing import zones_comparable

    assert zones_comparable(zone, others) is comparable


def test_module_that_is_not_downloaded_makes_missing_routes_unknown(tmp_path):
    model = _model(
        tmp_path,
        VPC
        + """
        module "nat" {
          source                  = "int128/nat-instance/aws"
          private_route_table_ids = [aws_vpc.main.default_route_table_id]
        }
        """,
    )
    [module] = model.of_kind(kinds.UNRESOLVED_MODULE)
    assert module.address == "module.nat" and module.get("source") == "int128/nat-instance/aws"
    assert isinstance(model.attr(_subnet(model), "egress_class"), Unknown)
