variable "from_default" {
  default = "default"
}

variable "from_tfvars" {
  default = "default"
}

variable "from_tfvars_json" {
  default = "default"
}

variable "from_auto_a" {
  default = "default"
}

variable "from_auto_b" {
  default = "default"
}

variable "from_var_file" {
  default = "default"
}

variable "from_cli" {
  default = "default"
}

variable "cli_list" {
  type    = list(string)
  default = []
}

variable "cli_string" {
  type    = string
  default = ""
}

variable "no_value" {}

variable "settings" {
  type = object({
    name    = string
    size    = optional(number, 20)
    enabled = optional(bool)
    labels  = optional(map(string), {})
  })
  default = {
    name = "fallback"
  }
}

resource "terraform_data" "values" {
  input = {
    from_default     = var.from_default
    from_tfvars      = var.from_tfvars
    from_tfvars_json = var.from_tfvars_json
    from_auto_a      = var.from_auto_a
    from_auto_b      = var.from_auto_b
    from_var_file    = var.from_var_file
    from_cli         = var.from_cli
    cli_list         = var.cli_list
    cli_string       = var.cli_string
    no_value         = var.no_value
    settings         = var.settings
  }
}
