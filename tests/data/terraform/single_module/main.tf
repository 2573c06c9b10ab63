# A single module exercising the evaluation features the loader tests rely on.

locals {
  # declared before the locals it uses: order must not matter
  cluster_name = "${local.prefix}-cluster"
  prefix       = var.environment
  azs          = ["eu-west-1a", "eu-west-1b"]
  node_groups = {
    general = { instance_type = "m5.large", min = 1 }
    gpu     = { instance_type = "g5.xlarge", min = 0 }
  }
  ingress_ports = [443, 10250]
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "node_count" {
  type    = number
  default = "2"
}

resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true

  tags = {
    Name = local.cluster_name
  }
}

resource "aws_subnet" "private" {
  count = length(local.azs)

  vpc_id            = aws_vpc.main.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
}

resource "aws_security_group" "nodes" {
  name   = "${local.cluster_name}-nodes"
  vpc_id = aws_vpc.main.id

  dynamic "ingress" {
    for_each = local.ingress_ports
    content {
      from_port = ingress.value
      to_port   = ingress.value
      protocol  = "tcp"
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_eks_cluster" "this" {
  name     = local.cluster_name
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    endpoint_private_access = true
  }
}

resource "aws_eks_node_group" "workers" {
  for_each = local.node_groups

  cluster_name    = aws_eks_cluster.this.name
  node_group_name = each.key
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = [for s in aws_subnet.private : s.id]
  instance_types  = [each.value.instance_type]

  scaling_config {
    min_size     = each.value.min
    max_size     = var.node_count
    desired_size = each.value.min
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${local.cluster_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role" "node" {
  name               = "${local.cluster_name}-node"
  assume_role_policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
  POLICY
}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "EKSAssume"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_caller_identity" "current" {}

resource "aws_instance" "disabled" {
  count = var.environment == "prod" ? 1 : 0
  ami   = "ami-123"
}

resource "aws_instance" "unknown_count" {
  count = var.unset_count
  ami   = "ami-456"
  tags  = { Index = count.index }
}

variable "unset_count" {
  type = number
}
