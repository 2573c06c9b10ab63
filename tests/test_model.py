"""The linker: references, literal names and ARNs become edges; the rest is Unknown."""

from __future__ import annotations

from analyzer.location import Location
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import OneOf, PartialStr, Ref, Unknown


def make(kind, key, **fields):
    resource = Resource(kind, key, key, "terraform", kind, Location("main.tf", 1))
    resource.fields.update(fields)
    return resource


def test_ref_links_to_target():
    vpc = make(kinds.VPC, "aws_vpc.main")
    subnet = make(kinds.SUBNET, "aws_subnet.a", vpc=Ref("id", target="aws_vpc.main", attribute="id"))
    model = Model([vpc, subnet])
    assert model.attr(subnet, "vpc") is vpc


def test_ref_to_resource_outside_the_analysis_is_unknown():
    subnet = make(kinds.SUBNET, "aws_subnet.a", vpc=Ref("id", target="module.vpc.x", attribute="id"))
    linked = Model([subnet]).attr(subnet, "vpc")
    assert isinstance(linked, Unknown) and "not in the analyzed files" in linked.reason


def test_literal_name_links_by_identity():
    cluster = make(kinds.CLUSTER, "aws_eks_cluster.c", name="demo")
    cluster.aliases = ("demo",)
    group = make(kinds.NODEGROUP, "aws_eks_node_group.g", cluster="demo")
    assert Model([cluster, group]).attr(group, "cluster") is cluster


def test_role_arn_links_by_role_name_and_external_arn_is_unknown():
    role = make(kinds.IAM_ROLE, "aws_iam_role.nodes", name="nodes")
    role.aliases = ("nodes", "role-name:nodes")
    ours = make(kinds.NODEGROUP, "g1", role="arn:aws:iam::111122223333:role/nodes")
    theirs = make(kinds.NODEGROUP, "g2", role="arn:aws:iam::111122223333:role/other")
    model = Model([role, ours, theirs])
    assert model.attr(ours, "role") is role
    assert isinstance(model.attr(theirs, "role"), Unknown)


def test_partial_arn_links_when_the_name_is_known():
    role = make(kinds.IAM_ROLE, "aws_iam_role.nodes", name="nodes")
    role.aliases = ("nodes", "role-name:nodes")
    group = make(kinds.NODEGROUP, "g", role=PartialStr(("arn:aws:iam::", Unknown("account"), ":role/nodes")))
    assert Model([role, group]).attr(group, "role") is role


def test_customer_policy_arn_links_by_policy_name_but_an_aws_managed_arn_does_not():
    policy = make(kinds.IAM_POLICY, "aws_iam_policy.cni", name="AmazonEKS_CNI_IPv6_Policy")
    policy.aliases = ("AmazonEKS_CNI_IPv6_Policy", "policy-name:AmazonEKS_CNI_IPv6_Policy")
    partition = Ref("partition", target="data.aws_partition.current", attribute="partition")
    account = Ref("account", target="data.aws_caller_identity.current", attribute="account_id")
    written = PartialStr(("arn:", partition, ":iam::", account, ":policy/AmazonEKS_CNI_IPv6_Policy"))
    model = Model([policy])
    assert model.follow(written, kinds.IAM_POLICY) is policy
    assert model.follow("arn:aws:iam::111122223333:policy/AmazonEKS_CNI_IPv6_Policy", kinds.IAM_POLICY) is policy
    aws_managed = model.follow("arn:aws:iam::aws:policy/AmazonEKS_CNI_IPv6_Policy", kinds.IAM_POLICY)
    other = model.follow(PartialStr(("arn:", partition, ":iam::", account, ":policy/Other")), kinds.IAM_POLICY)
    assert isinstance(aws_managed, Unknown) and isinstance(other, Unknown)


def test_one_of_several_values_follows_to_the_resources_they_name():
    a, b = make(kinds.SUBNET, "aws_subnet.a"), make(kinds.SUBNET, "aws_subnet.b")
    model = Model([a, b])
    ref_a = Ref("id", target="aws_subnet.a", attribute="id")
    ref_b = Ref("id", target="aws_subnet.b", attribute="id")
    assert model.follow(OneOf("either", candidates=(ref_a, ref_a)), kinds.SUBNET) is a
    both = model.follow(OneOf("either", candidates=(ref_a, ref_b)), kinds.SUBNET)
    assert isinstance(both, OneOf) and both.candidates == (a, b)
    outside = OneOf("either", candidates=(ref_a, Ref("id", target="aws_subnet.gone", attribute="id")))
    assert model.follow(outside, kinds.SUBNET) is outside


def test_instance_profile_reference_reaches_its_role():
    role = make(kinds.IAM_ROLE, "aws_iam_role.r")
    profile = make(
        kinds.INSTANCE_PROFILE,
        "aws_iam_instance_profile.p",
        role=Ref("name", target="aws_iam_role.r", attribute="name"),
    )
    group = make(kinds.NODEGROUP, "g", role=Ref("arn", target="aws_iam_instance_profile.p", attribute="arn"))
    assert Model([role, profile, group]).attr(group, "role") is role


def test_lists_link_element_wise_and_builtins_are_readable():
    vpc = make(kinds.VPC, "aws_vpc.main")
    a = make(kinds.SUBNET, "a", vpc=Ref("id", target="aws_vpc.main", attribute="id"))
    cluster = make(kinds.CLUSTER, "c", subnets=[Ref("id", target="a", attribute="id"), "subnet-123"])
    model = Model([vpc, a, cluster])
    linked = model.attr(cluster, "subnets")
    assert linked[0] is a and isinstance(linked[1], Unknown)
    assert model.attr(cluster, "vpc") is vpc  # fact: the VPC of the first resolvable subnet
    assert model.attr(cluster, "address") == "c"


def test_node_class_from_launch_template():
    template = make(kinds.LAUNCH_TEMPLATE, "lt", image_id="ami-123")
    plain = make(kinds.LAUNCH_TEMPLATE, "lt2")
    custom = make(kinds.NODEGROUP, "g1", launch_template=Ref("id", target="lt", attribute="id"))
    merged = make(kinds.NODEGROUP, "g2", launch_template=Ref("id", target="lt2", attribute="id"))
    default = make(kinds.NODEGROUP, "g3")
    model = Model([template, plain, custom, merged, default])
    assert model.attr(custom, "node_class") == "MNG-CUSTOM-AMI"
    assert model.attr(merged, "node_class") == "MNG-LT"
    assert model.attr(default, "node_class") == "MNG-default"


def test_self_reference_is_unknown_not_a_loop():
    # a plan's after-apply value can be a reference to the resource's own attribute
    cluster = make(
        kinds.CLUSTER,
        "aws_eks_cluster.c",
        role=Ref("known after apply", target="aws_eks_cluster.c", attribute="role_arn"),
    )
    linked = Model([cluster]).attr(cluster, "role")
    assert isinstance(linked, Unknown) and "after apply" in linked.reason


def test_reference_cycle_between_resources_terminates():
    a = make(kinds.INSTANCE_PROFILE, "p.a", role=Ref("x", target="p.b", attribute="arn"))
    b = make(kinds.INSTANCE_PROFILE, "p.b", role=Ref("x", target="p.a", attribute="arn"))
    group = make(kinds.NODEGROUP, "g", role=Ref("x", target="p.a", attribute="arn"))
    assert isinstance(Model([a, b, group]).attr(group, "role"), Unknown)


def test_nested_attribute_of_another_kind_is_not_its_links():
    # the EKS-created cluster security group is not one of the cluster's additional groups
    extra = make(kinds.SECURITY_GROUP, "aws_security_group.extra")
    cluster = make(
        kinds.CLUSTER,
        "aws_eks_cluster.c",
        security_groups=[Ref("id", target="aws_security_group.extra", attribute="id")],
    )
    template = make(
        kinds.LAUNCH_TEMPLATE,
        "lt",
        security_groups=[Ref("id", target="aws_eks_cluster.c", attribute="vpc_config.0.cluster_security_group_id")],
    )
    linked = Model([extra, cluster, template]).attr(template, "security_groups")
    assert isinstance(linked[0], Unknown)


def test_cluster_vpc_with_several_unresolved_subnets_is_unknown():
    subnets = [make(kinds.SUBNET, f"s{i}", vpc="vpc-external") for i in range(3)]
    cluster = make(kinds.CLUSTER, "c", subnets=[Ref("id", target=f"s{i}", attribute="id") for i in range(3)])
    vpc = Model([*subnets, cluster]).attr(cluster, "vpc")
    assert isinstance(vpc, Unknown) and "vpc-external" in vpc.reason


def test_scoping_a_reference_keeps_what_is_known_of_its_arn():
    from analyzer.terraform.lazy import make_ref
    from analyzer.values import TypedArn, scope_refs

    issuer = make_ref("module.eks.data.aws_iam_session_context.current[0]", "issuer_arn", data_source=True)
    scoped = scope_refs({"principal_arn": issuer}, "stack")["principal_arn"]
    assert isinstance(scoped, TypedArn) and scoped.target == "stack#module.eks.data.aws_iam_session_context.current[0]"
    assert "instance-profile" not in scoped.resource_types and "role" in scoped.resource_types
    assert type(make_ref("data.aws_iam_session_context.current", "arn", data_source=True)) is not TypedArn
