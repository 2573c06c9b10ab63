resource "aws_eks_cluster" "this" {
  name     = "planned"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_private_access = true
  }
}

resource "aws_iam_role" "cluster" {
  name               = "planned-cluster"
  assume_role_policy = "{}"
}

module "workers" {
  source = "./modules/workers"
  count  = 1

  cluster_name = aws_eks_cluster.this.name
}
