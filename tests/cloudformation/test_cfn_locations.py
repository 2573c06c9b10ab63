"""Every evaluated property path maps to where it is written (1-based line and column)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.cloudformation import CfnResource, load_template


def resources(path: Path) -> dict[str, CfnResource]:
    template = load_template(path, display=path.name, key="loc")
    return {r.logical_id: r for r in template.resources}


@pytest.mark.parametrize(
    "logical_id, path, line, column",
    [
        ("Vpc", "Type", 7, 5),
        ("Vpc", "CidrBlock", 9, 7),
        ("Vpc", "EnableDnsSupport", 10, 7),
        ("Cluster", "Condition", 13, 5),
        ("Cluster", "ResourcesVpcConfig", 15, 7),
        ("Cluster", "ResourcesVpcConfig.SubnetIds", 16, 9),
        # the first item was removed by AWS::NoValue: indexes follow the evaluated list
        ("Cluster", "ResourcesVpcConfig.SubnetIds.0", 18, 13),
        ("Cluster", "ResourcesVpcConfig.SubnetIds.1", 19, 13),
        ("NodeSecurityGroup", "SecurityGroupIngress", 24, 7),
        ("NodeSecurityGroup", "SecurityGroupIngress.0", 25, 11),
        ("NodeSecurityGroup", "SecurityGroupIngress.0.FromPort", 26, 11),
        ("NodeLaunchTemplate", "LaunchTemplateData.UserData", 32, 9),
    ],
)
def test_yaml_locations(data_dir: Path, logical_id: str, path: str, line: int, column: int) -> None:
    location = resources(data_dir / "locations.yaml")[logical_id].locations[path]
    assert (location.path, location.line, location.column) == ("locations.yaml", line, column)


def test_yaml_resource_location_is_the_logical_id(data_dir: Path) -> None:
    found = resources(data_dir / "locations.yaml")
    assert (found["Vpc"].location.line, found["Vpc"].location.column) == (6, 3)
    assert found["Cluster"].properties["ResourcesVpcConfig"]["SubnetIds"] == [
        "subnet-a",
        "subnet-b",
    ]
    assert "ResourcesVpcConfig.SubnetIds.2" not in found["Cluster"].locations


@pytest.mark.parametrize(
    "logical_id, path, line",
    [
        ("Vpc", "Type", 5),
        ("Vpc", "CidrBlock", 7),
        ("Vpc", "EnableDnsSupport", 8),
        ("NodeSecurityGroup", "SecurityGroupIngress", 15),
        ("NodeSecurityGroup", "SecurityGroupIngress.0", 16),
        ("NodeSecurityGroup", "SecurityGroupIngress.0.FromPort", 18),
    ],
)
def test_json_locations(data_dir: Path, logical_id: str, path: str, line: int) -> None:
    location = resources(data_dir / "locations.json")[logical_id].locations[path]
    assert (location.path, location.line) == ("locations.json", line)


def test_location_for_falls_back_to_the_nearest_written_ancestor(data_dir: Path) -> None:
    launch_template = resources(data_dir / "locations.yaml")["NodeLaunchTemplate"]
    assert launch_template.location_for("LaunchTemplateData.UserData.Nested.0").line == 32
    assert launch_template.location_for("Missing") == launch_template.location
    assert launch_template.location_for("") == launch_template.location


def test_property_named_type_takes_the_entry(load_text) -> None:
    template = load_text(
        "Resources:\n  Entry:\n    Type: AWS::EKS::AccessEntry\n    Properties:\n      Type: EC2_LINUX\n"
    )
    assert template.resources[0].locations["Type"].line == 5
