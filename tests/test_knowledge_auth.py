"""Authorization and cluster knowledge: ARN matching, add-ons, versions and
launch-template settings."""

from __future__ import annotations

import pytest

from analyzer.knowledge.auth import IamArn, names_role, parse_iam_arn
from analyzer.knowledge.cluster import missing_addons, prohibited_template_settings, version_before
from analyzer.location import Location
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import PartialStr, Ref, Unknown

HOLE = Unknown("var.account has no value")


def make(kind, key, source_type=None, **fields):
    resource = Resource(kind, key, key, "terraform", source_type or kind, Location("main.tf", 1))
    resource.fields.update(fields)
    return resource


@pytest.mark.parametrize(
    "arn, expected",
    [
        ("arn:aws:iam::111122223333:role/nodes", IamArn("role", "111122223333", "/", "nodes")),
        ("arn:aws:iam::111122223333:role/team/eks/nodes", IamArn("role", "111122223333", "/team/eks/", "nodes")),
        (
            "arn:aws-cn:iam::111122223333:instance-profile/nodes",
            IamArn("instance-profile", "111122223333", "/", "nodes"),
        ),
        (PartialStr(("arn:aws:iam::", HOLE, ":role/nodes")), IamArn("role", None, "/", "nodes")),
        (PartialStr(("arn:aws:iam::1:role/", HOLE)), IamArn("role", "1", "/", None)),
        ("<your role arn here>", None),
        (HOLE, None),
    ],
)
def test_parse_iam_arn(arn, expected):
    assert parse_iam_arn(arn) == expected


def _role_model(path="/"):
    role = make(kinds.IAM_ROLE, "aws_iam_role.nodes", name="nodes", path=path)
    other = make(kinds.IAM_ROLE, "aws_iam_role.other", name="other", path="/")
    profile = make(
        kinds.INSTANCE_PROFILE,
        "aws_iam_instance_profile.nodes",
        name="nodes-profile",
        role=Ref("name", target="aws_iam_role.nodes", attribute="name"),
    )
    return Model([role, other, profile]), role


@pytest.mark.parametrize(
    "arn, path, expected",
    [
        (Ref("arn", target="aws_iam_role.nodes", attribute="arn"), "/", True),
        (Ref("arn", target="aws_iam_role.other", attribute="arn"), "/", False),
        (Ref("arn", target="aws_iam_instance_profile.nodes", attribute="arn"), "/", True),
        ("arn:aws:iam::111122223333:role/nodes", "/", True),
        ("arn:aws:iam::111122223333:role/other", "/", False),
        # aws-auth ARNs leave the path out; an access entry may include it
        ("arn:aws:iam::111122223333:role/nodes", "/eks/", True),
        ("arn:aws:iam::111122223333:role/eks/nodes", "/eks/", True),
        ("arn:aws:iam::111122223333:role/team/nodes", "/eks/", False),
        ("arn:aws:iam::111122223333:instance-profile/nodes-profile", "/", True),
        (PartialStr(("arn:aws:iam::", HOLE, ":role/nodes")), "/", True),
        ("not an arn", "/", False),
        (None, "/", False),
    ],
)
def test_names_role(arn, path, expected):
    model, role = _role_model(path)
    assert names_role(model, arn, role) is expected


@pytest.mark.parametrize(
    "arn",
    [
        HOLE,
        Ref("arn", target="module.iam.aws_iam_role.x", attribute="arn"),
        PartialStr(("arn:aws:iam::1:role/", HOLE)),
    ],
)
def test_names_role_is_unknown_when_the_arn_is(arn):
    model, role = _role_model()
    assert isinstance(names_role(model, arn, role), Unknown)


def test_names_role_needs_the_role_name_to_compare_a_literal():
    role = make(kinds.IAM_ROLE, "cfn:NodeRole", name=None, path="/")
    assert isinstance(names_role(Model([role]), "arn:aws:iam::1:role/x", role), Unknown)


@pytest.mark.parametrize("version, expected", [("1.25", True), ("1.26", False), ("1.30", False)])
def test_version_before(version, expected):
    assert version_before(Model(), version, "1.26") is expected


def test_version_before_unknown():
    assert isinstance(version_before(Model(), HOLE, "1.26"), Unknown)
    assert isinstance(version_before(Model(), "latest", "1.26"), Unknown)


def test_version_before_absent_is_the_current_default():
    assert version_before(Model(), None, "1.19") is False


def _cluster_with_addons(*names):
    cluster = make(kinds.CLUSTER, "aws_eks_cluster.demo", name="demo")
    addons = [
        make(
            kinds.ADDON,
            f"aws_eks_addon.a{i}",
            name=name,
            cluster=Ref("name", target="aws_eks_cluster.demo", attribute="name"),
        )
        for i, name in enumerate(names)
    ]
    return Model([cluster, *addons]), cluster


@pytest.mark.parametrize(
    "names, missing",
    [
        ((), ["vpc-cni", "kube-proxy"]),
        (("coredns", "kube-proxy"), ["vpc-cni"]),
        (("vpc-cni", "kube-proxy"), []),
    ],
)
def test_missing_addons(names, missing):
    model, cluster = _cluster_with_addons(*names)
    assert missing_addons(model, cluster) == missing


def test_missing_addons_unknown_name():
    model, cluster = _cluster_with_addons(HOLE, "kube-proxy")
    assert isinstance(missing_addons(model, cluster), Unknown)


@pytest.mark.parametrize(
    "fields, first",
    [
        ({"instance_profile": "nodes"}, "instance_profile"),
        ({"network_interfaces": [{"subnet_id": "subnet-1"}]}, "network_interfaces"),
        ({"shutdown_behavior": "terminate"}, "shutdown_behavior"),
        ({"hibernation": True}, "hibernation"),
        ({"instance_profile": Ref("arn", target="aws_iam_instance_profile.x", attribute="arn")}, "instance_profile"),
    ],
)
def test_prohibited_template_settings(fields, first):
    template = make(kinds.LAUNCH_TEMPLATE, "aws_launch_template.t", **fields)
    assert prohibited_template_settings(Model([template]), template)["first"] == first


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"hibernation": False},
        {"network_interfaces": [{"associate_public_ip_address": False}]},
    ],
)
def test_allowed_template_settings(fields):
    template = make(kinds.LAUNCH_TEMPLATE, "aws_launch_template.t", **fields)
    assert prohibited_template_settings(Model([template]), template) is None


def test_template_setting_from_variable_is_unknown():
    template = make(kinds.LAUNCH_TEMPLATE, "aws_launch_template.t", shutdown_behavior=HOLE)
    assert isinstance(prohibited_template_settings(Model([template]), template), Unknown)
