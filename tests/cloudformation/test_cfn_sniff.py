"""Which decoded documents are CloudFormation templates."""

from __future__ import annotations

from typing import Any

import pytest

from analyzer.cloudformation import sniff_template


@pytest.mark.parametrize(
    "document, expected",
    [
        ({"AWSTemplateFormatVersion": "2010-09-09"}, True),
        ({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}}}, True),
        ({"Resources": {"Hook": {"Type": "Custom::KubeManifest"}}}, True),
        ({"Resources": {"Chart": {"Type": "AWSQS::Kubernetes::Helm"}}}, True),
        ({"Resources": {"Bad": "x", "Vpc": {"Type": "AWS::EC2::VPC"}}}, True),
        (
            {
                "Transform": "AWS::Serverless-2016-10-31",
                "Resources": {"F": {"Type": "AWS::Serverless::Function"}},
            },
            True,
        ),
        ({"Resources": {"Thing": {"Type": "Other::Thing"}}}, False),
        ({"Resources": ["AWS::EC2::VPC"]}, False),
        ({"Resources": {}}, False),
        ({"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig"}, False),
        ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth"}}, False),
        ({"resource": {"aws_vpc": {"main": {}}}}, False),
        ([{"Resources": {}}], False),
        ("AWSTemplateFormatVersion", False),
        (None, False),
    ],
)
def test_sniff_template(document: Any, expected: bool) -> None:
    assert sniff_template(document) is expected
