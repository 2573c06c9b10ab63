"""Generated Terraform roots for the scaling benchmark, in two shapes.

``fanout``: one VPC and one cluster, and node groups that each bring a launch template, a
security group and a rule (4 resources per node group): the shape where facts about one
cluster are asked once per node group. ``copies``: independent copies of a small complete
cluster (VPC, subnets, routes, roles, attachments, cluster, node group: 16 resources per copy).
"""

from __future__ import annotations

from pathlib import Path

_ASSUME = """  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "{service}" }}, Action = "sts:AssumeRole" }}]
  }})
"""
_NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy")


def _network(s: str, octet: int) -> str:
    return f"""
resource "aws_vpc" "main{s}" {{
  cidr_block           = "10.{octet}.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
}}

resource "aws_internet_gateway" "main{s}" {{
  vpc_id = aws_vpc.main{s}.id
}}

resource "aws_route_table" "public{s}" {{
  vpc_id = aws_vpc.main{s}.id
  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main{s}.id
  }}
}}
""" + "".join(
        f"""
resource "aws_subnet" "public{s}_{zone}" {{
  vpc_id                  = aws_vpc.main{s}.id
  cidr_block              = "10.{octet}.{index}.0/24"
  availability_zone       = "eu-west-1{zone}"
  map_public_ip_on_launch = true
  tags = {{ "kubernetes.io/role/elb" = "1" }}
}}

resource "aws_route_table_association" "public{s}_{zone}" {{
  subnet_id      = aws_subnet.public{s}_{zone}.id
  route_table_id = aws_route_table.public{s}.id
}}
"""
        for index, zone in enumerate("ab")
    )


def _cluster(s: str) -> str:
    text = f"""
resource "aws_iam_role" "cluster{s}" {{
  name = "cluster{s}"
{_ASSUME.format(service="eks.amazonaws.com")}}}

resource "aws_iam_role_policy_attachment" "cluster{s}" {{
  role       = aws_iam_role.cluster{s}.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}}

resource "aws_eks_cluster" "main{s}" {{
  name     = "cluster{s}"
  role_arn = aws_iam_role.cluster{s}.arn
  vpc_config {{
    subnet_ids = [aws_subnet.public{s}_a.id, aws_subnet.public{s}_b.id]
  }}
}}

resource "aws_iam_role" "nodes{s}" {{
  name = "nodes{s}"
{_ASSUME.format(service="ec2.amazonaws.com")}}}
"""
    for policy in _NODE_POLICIES:
        text += f"""
resource "aws_iam_role_policy_attachment" "nodes{s}_{policy}" {{
  role       = aws_iam_role.nodes{s}.name
  policy_arn = "arn:aws:iam::aws:policy/{policy}"
}}
"""
    return text


def _node_group(s: str, name: str) -> str:
    return f"""
resource "aws_eks_node_group" "{name}" {{
  cluster_name    = aws_eks_cluster.main{s}.name
  node_group_name = "{name}"
  node_role_arn   = aws_iam_role.nodes{s}.arn
  subnet_ids      = [aws_subnet.public{s}_a.id, aws_subnet.public{s}_b.id]
  scaling_config {{
    desired_size = 1
    max_size     = 2
    min_size     = 1
  }}
}}
"""


def _fanout_node_group(index: int) -> str:
    name = f"ng{index}"
    return (
        _node_group("", name).replace(
            "  scaling_config {",
            f"  launch_template {{\n    id      = aws_launch_template.{name}.id\n"
            f"    version = aws_launch_template.{name}.latest_version\n  }}\n  scaling_config {{",
        )
        + f"""
resource "aws_security_group" "{name}" {{
  name   = "{name}"
  vpc_id = aws_vpc.main.id
}}

resource "aws_security_group_rule" "{name}_egress" {{
  type              = "egress"
  security_group_id = aws_security_group.{name}.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}}

resource "aws_launch_template" "{name}" {{
  name                   = "{name}"
  vpc_security_group_ids = [aws_security_group.{name}.id, aws_eks_cluster.main.vpc_config[0].cluster_security_group_id]
}}
"""
    )


FANOUT_BASE = 16 - 1  # network (8) + cluster (7) resources, without a node group
COPY_SIZE = 16


def fanout(resources: int) -> str:
    groups = max(1, (resources - FANOUT_BASE) // 4)
    return _network("", 0) + _cluster("") + "".join(_fanout_node_group(i) for i in range(groups))


def copies(resources: int) -> str:
    count = max(1, resources // COPY_SIZE)
    return "".join(
        _network(f"_{i}", i % 250) + _cluster(f"_{i}") + _node_group(f"_{i}", f"ng_{i}") for i in range(count)
    )


SHAPES = {"fanout": fanout, "copies": copies}


def write_root(directory: Path, shape: str, resources: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(SHAPES[shape](resources))
    return directory
