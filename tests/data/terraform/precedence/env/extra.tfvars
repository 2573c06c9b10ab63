from_var_file = "extra.tfvars"
from_cli      = "extra.tfvars"
