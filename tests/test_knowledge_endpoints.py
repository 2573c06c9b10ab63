"""Endpoint facts the EKS-EPT rules read: what a policy refuses, where an endpoint has no
interface."""

from __future__ import annotations

import analyzer.knowledge  # noqa: F401  (registers the predicates)
from analyzer.engine.predicates import PREDICATES
from analyzer.location import Location
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Unknown

ECR_API = "com.amazonaws.us-east-1.ecr.api"


def endpoint(**fields) -> Resource:
    resource = Resource(
        kinds.VPC_ENDPOINT, "aws_vpc_endpoint.e", "aws_vpc_endpoint.e", "terraform", "t", Location("m.tf", 1)
    )
    resource.fields.update({"endpoint_type": "Interface", **fields})
    return resource


def allow(action: str, resource: str = "*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def refused(**fields):
    subject = endpoint(**fields)
    return PREDICATES["endpoints.policy_refuses"](Model([subject]), subject)


def test_a_policy_for_other_repositories_refuses_the_ecr_pulls():
    own = allow("ecr:*", "arn:aws:ecr:us-east-1:111111111111:repository/app")
    assert refused(service_name=ECR_API, policy=own) == [
        "ecr:GetAuthorizationToken",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]
    assert refused(service_name=ECR_API, policy=allow("*")) == []


def test_a_policy_that_is_not_known_is_its_unknown():
    assert isinstance(refused(service_name=ECR_API, policy=Unknown("var.policy has no value")), Unknown)


def test_services_nodes_need_nothing_of_are_never_refused():
    assert refused(service_name="com.amazonaws.us-east-1.logs", policy=allow("logs:*")) == []
    assert refused(service_name=ECR_API) == []  # no policy: the full-access default
