"""Input variables: Terraform's precedence, --var parsing, type conversion, optional()."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.terraform import load_terraform
from analyzer.terraform.variables import parse_cli_value
from analyzer.values import Unknown

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"
PRECEDENCE = DATA / "precedence"


@pytest.fixture(scope="module")
def values():
    (configuration,) = load_terraform(
        [PRECEDENCE],
        scan_root=DATA,
        var_files=[PRECEDENCE / "env" / "extra.tfvars"],
        variables={"from_cli": "cli", "cli_list": '["a", "b"]', "cli_string": "[not a list]"},
    )
    return configuration.blocks[0].attributes["input"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("from_default", "default"),
        ("from_tfvars", "terraform.tfvars"),
        ("from_tfvars_json", "terraform.tfvars.json"),
        ("from_auto_a", "a.auto.tfvars"),
        ("from_auto_b", "b.auto.tfvars.json"),
        ("from_var_file", "extra.tfvars"),
        ("from_cli", "cli"),
    ],
)
def test_later_sources_win_in_terraform_order(values, name, expected):
    assert values[name] == expected


def test_cli_values_are_hcl_literals_unless_the_variable_is_a_string(values):
    assert values["cli_list"] == ["a", "b"]
    assert values["cli_string"] == "[not a list]"


def test_a_variable_without_value_says_how_to_give_one(values):
    value = values["no_value"]
    assert isinstance(value, Unknown)
    assert value.reason == "var.no_value has no value; pass --var no_value=... or --var-file"


def test_object_types_fill_optional_attributes_and_convert(values):
    assert values["settings"] == {"name": "from-auto", "size": 20, "enabled": True, "labels": {}}


@pytest.mark.parametrize(
    "raw, type_name, expected",
    [
        ("5", None, 5),
        ("true", None, True),
        ('{a = "x"}', None, {"a": "x"}),
        ("hello world", None, "hello world"),
        ("var.other", None, "var.other"),
        ("5", "string", "5"),
    ],
)
def test_parse_cli_value(raw, type_name, expected):
    from analyzer.terraform.parsing import parse_expression

    type_expr = parse_expression(type_name, "t.tf") if type_name else None
    assert parse_cli_value(raw, type_expr) == expected


def test_type_conversions_are_loose(write_config, load):
    root = write_config(
        {
            "main.tf": """
        variable "numbers" {
          type    = list(number)
          default = ["1", 2, "3.5"]
        }
        variable "labels" {
          type    = map(string)
          default = { a = 1, b = true }
        }
        variable "zones" {
          type    = set(string)
          default = ["b", "a", "b"]
        }
        variable "groups" {
          type = map(object({
            size  = optional(number, 3)
            disks = optional(list(object({ size = optional(number, 20), type = string })), [])
          }))
          default = {
            one = { disks = [{ type = "gp3" }] }
            two = { size = 5 }
          }
        }
        variable "wrong" {
          type    = number
          default = "not a number"
        }
        resource "terraform_data" "x" {
          input = [var.numbers, var.labels, var.zones, var.groups, var.wrong]
        }
    """
        }
    )
    numbers, labels, zones, groups, wrong = load(root).blocks[0].attributes["input"]
    assert numbers == [1, 2, 3.5]
    assert labels == {"a": "1", "b": "true"}
    assert zones == ["a", "b"]
    assert groups == {"one": {"size": 3, "disks": [{"size": 20, "type": "gp3"}]}, "two": {"size": 5, "disks": []}}
    assert wrong == "not a number"


def test_module_inputs_respect_nullable(write_config, load):
    root = write_config(
        {
            "root/main.tf": """
            module "child" {
              source    = "../child"
              nullable  = null
              plain     = null
            }
        """,
            "child/main.tf": """
            variable "nullable" {
              default  = "kept default"
              nullable = false
            }
            variable "plain" {
              default = "replaced by null"
            }
            variable "required" {}
            resource "terraform_data" "x" {
              input = [var.nullable, var.plain, var.required]
            }
        """,
        }
    )
    nullable, plain, required = load(root / "root", scan_root=root).blocks[0].attributes["input"]
    assert nullable == "kept default"
    assert plain is None
    assert isinstance(required, Unknown) and "module.child does not set it" in required.reason
