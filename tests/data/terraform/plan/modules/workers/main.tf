variable "cluster_name" {
  type = string
}

resource "aws_security_group" "nodes" {
  name = "${var.cluster_name}-nodes"

  dynamic "ingress" {
    for_each = [443, 10250]
    content {
      from_port = ingress.value
      to_port   = ingress.value
      protocol  = "tcp"
    }
  }
}
