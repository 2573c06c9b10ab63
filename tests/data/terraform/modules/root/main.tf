locals {
  name = "shop"
}

module "network" {
  source = "../modules/network"

  name = local.name
  cidr = "10.20.0.0/16"
}

module "nodes" {
  source   = "../modules/nodes"
  for_each = { blue = "m5.large", green = "m6i.large" }

  cluster_name  = "${local.name}-eks"
  group         = each.key
  instance_type = each.value
  subnet_ids    = module.network.private_subnet_ids
}

module "replica_labels" {
  source = "../modules/label"
  count  = 2

  name = "replica-${count.index}"
}

module "eks_remote" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name = local.name
}

resource "aws_eks_access_entry" "nodes" {
  for_each = module.nodes

  cluster_name  = module.eks_remote.cluster_name
  principal_arn = each.value.role_arn
  type          = "EC2_LINUX"
}
