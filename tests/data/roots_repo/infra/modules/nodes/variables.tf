variable "cluster_name" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "policy_arns" {
  type    = list(string)
  default = []
}
