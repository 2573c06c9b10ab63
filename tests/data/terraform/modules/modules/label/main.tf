variable "name" {
  type = string
}

locals {
  id = lower(replace(var.name, "_", "-"))
}

resource "terraform_data" "label" {
  input = local.id
}

output "id" {
  value = local.id
}
