module "label" {
  source = "../label"

  name = "${var.cluster_name}-${var.group}"
}

resource "aws_iam_role" "node" {
  name = module.label.id
}

resource "aws_launch_template" "this" {
  name_prefix = "${module.label.id}-"
  user_data = base64encode(templatefile("${path.module}/templates/userdata.sh.tpl", {
    cluster_name = var.cluster_name
    labels       = { group = var.group, tier = "workers" }
  }))
}

resource "aws_eks_node_group" "this" {
  cluster_name    = var.cluster_name
  node_group_name = module.label.id
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  instance_types  = [var.instance_type]

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }
}

output "role_arn" {
  value = aws_iam_role.node.arn
}
