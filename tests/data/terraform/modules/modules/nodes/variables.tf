variable "cluster_name" {
  type = string
}

variable "group" {
  type = string
}

variable "instance_type" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}
