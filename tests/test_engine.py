"""The rule engine: three-valued logic, outcomes, severities, anchors and messages."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from analyzer.engine import logic
from analyzer.engine.catalogue import Rule
from analyzer.engine.operators import OPERATORS
from analyzer.engine.runner import FAIL, PASS, SKIP, UNKNOWN, evaluate_rule, findings_of, run_rules
from analyzer.location import Location
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import OneOf, PartialStr, Ref, Unknown

HOLE = Unknown("var.x has no value")


def vpc(key="aws_vpc.a", **fields) -> Resource:
    resource = Resource("ec2.vpc", key, key, "terraform", "aws_vpc", Location("main.tf", 3))
    for name, value in fields.items():
        resource.set(name, value, Location("main.tf", 10))
    return resource


def rule(check: dict, severity: str = "error") -> Rule:
    spec = {
        "id": "EKS-DNS-001",
        "name": "t",
        "title": "t",
        "severity": severity,
        "category": "dns",
        "frameworks": ["terraform"],
        "summary": "s",
        "rationale": "r",
        "remediation": "fix it",
        "docs": "d",
        "symptom": {"kubelet": "no such host"},
        "check": {"for_each": "ec2.vpc", "message": "{subject.address} is wrong", **check},
    }
    return Rule("EKS-DNS-001", spec, Path("EKS-DNS-001.yaml"))


@pytest.mark.parametrize(
    "verdicts, expected", [([True, True], True), ([True, False], False), ([True, None], None), ([False, None], False)]
)
def test_conjunction_is_kleene(verdicts, expected):
    assert logic.conjunction([logic.Verdict(v) for v in verdicts]).value is expected


@pytest.mark.parametrize("verdicts, expected", [([False, False], False), ([True, None], True), ([False, None], None)])
def test_disjunction_is_kleene(verdicts, expected):
    assert logic.disjunction([logic.Verdict(v) for v in verdicts]).value is expected


@pytest.mark.parametrize(
    "op, value, arg, expected",
    [
        ("equals", 1, 1, True),
        ("equals", HOLE, 1, "unknown"),
        ("not_equals", False, False, False),
        ("in", "a", ["a", "b"], True),
        ("in", "c", ["a", HOLE], "unknown"),
        ("in", "a", ["a", HOLE], True),
        ("contains_all", ["a", "b"], ["a"], True),
        ("contains_any", ["x"], ["a", "b"], False),
        ("matches", "eks-node", "^eks-", True),
        ("cidr_within", "10.0.1.0/24", "10.0.0.0/16", True),
        ("cidr_within", "10.1.0.0/24", ["10.0.0.0/16"], False),
        ("port_range_covers", [0, 65535], 443, True),
        ("port_range_covers", 22, 443, False),
        ("present", HOLE, None, True),
        ("present", None, None, False),
        ("known", PartialStr(("a", HOLE)), None, False),
        ("is_true", HOLE, None, "unknown"),
        ("length_gte", [1, 2], 2, True),
        ("length_gte", [1, HOLE, 2], 2, True),
        ("length_gte", [1, HOLE], 2, "unknown"),
        ("length_gte", [1], 2, False),
        ("length_gte", HOLE, 2, "unknown"),
        ("exists", [], None, False),
    ],
)
def test_operators(op, value, arg, expected):
    result = OPERATORS[op](value, arg)
    if expected == "unknown":
        assert isinstance(result, Unknown)
    else:
        assert result is expected


def test_fail_pass_and_unknown_outcomes():
    check = {
        "assert": {"value": "$subject.enable_dns_support", "op": "not_equals", "arg": False},
        "anchor": "enable_dns_support",
    }
    model = Model(
        [vpc("a", enable_dns_support=False), vpc("b", enable_dns_support=True), vpc("c", enable_dns_support=HOLE)]
    )
    results = {r.subject.key: r for r in run_rules([rule(check)], model)}
    assert results["a"].outcome == FAIL and results["a"].finding.severity == "error"
    assert results["a"].finding.location == Location("main.tf", 10)
    assert results["b"].outcome == PASS and results["b"].finding is None
    unknown = results["c"]
    assert unknown.outcome == UNKNOWN and unknown.finding.severity == "warning"
    assert "var.x has no value" in unknown.finding.message


def test_unknown_can_be_silenced_per_rule():
    check = {"assert": {"value": "$subject.enable_dns_support", "op": "is_true"}, "on_unknown": "skip"}
    result = evaluate_rule(rule(check), vpc(enable_dns_support=HOLE), Model())
    assert result.outcome == UNKNOWN and result.finding is None


def test_when_false_skips_and_unknown_when_never_fails():
    check = {
        "when": {"value": "$subject.hosts_eks_flag", "op": "is_true"},
        "assert": {"value": "$subject.enable_dns_support", "op": "is_true"},
    }
    assert evaluate_rule(rule(check), vpc(hosts_eks_flag=False, enable_dns_support=False), Model()).outcome == SKIP
    result = evaluate_rule(rule(check), vpc(hosts_eks_flag=HOLE, enable_dns_support=False), Model())
    assert result.outcome == UNKNOWN
    assert evaluate_rule(rule(check), vpc(hosts_eks_flag=HOLE, enable_dns_support=True), Model()).outcome == PASS


def test_severity_by_picks_the_first_matching_case():
    check = {
        "assert": {"value": "$subject.enable_dns_hostnames", "op": "is_true"},
        "severity_by": [
            {
                "when": {"value": "$subject.private", "op": "is_true"},
                "severity": "error",
                "message": "private: {subject.address}",
            }
        ],
    }
    warning = evaluate_rule(rule(check, "warning"), vpc(enable_dns_hostnames=False, private=False), Model())
    error = evaluate_rule(rule(check, "warning"), vpc(enable_dns_hostnames=False, private=True), Model())
    assert warning.finding.severity == "warning"
    assert error.finding.severity == "error" and error.finding.message == "private: aws_vpc.a"


def test_every_binds_the_failing_item_for_message_and_anchor():
    subnet_ok = Resource(
        "ec2.subnet",
        "s1",
        "aws_subnet.ok",
        "terraform",
        "aws_subnet",
        Location("net.tf", 1),
        {"cidr_block": "10.0.1.0/24"},
    )
    subnet_bad = Resource(
        "ec2.subnet",
        "s2",
        "aws_subnet.bad",
        "terraform",
        "aws_subnet",
        Location("net.tf", 7),
        {"cidr_block": "172.16.0.0/24"},
    )
    check = {
        "assert": {
            "every": "$subject.subnet_list",
            "as": "subnet",
            "that": {"value": "$subnet.cidr_block", "op": "cidr_within", "arg": "10.0.0.0/16"},
        },
        "message": "{subnet.address} is outside",
        "anchor": "$subnet.cidr_block",
    }
    subject = vpc(subnet_list=[subnet_ok, subnet_bad])
    result = evaluate_rule(rule(check), subject, Model([subject, subnet_ok, subnet_bad]))
    assert result.outcome == FAIL
    assert result.finding.message == "aws_subnet.bad is outside"
    assert result.finding.location == Location("net.tf", 7)
    assert result.finding.resource == "aws_subnet.bad"


def test_may_exist_resources_never_produce_errors():
    check = {"assert": {"value": "$subject.enable_dns_support", "op": "is_true"}}
    subject = vpc(enable_dns_support=False)
    subject.may_exist = True
    result = evaluate_rule(rule(check), subject, Model([subject]))
    assert result.outcome == FAIL and result.finding.severity == "warning"


def _broken_rule() -> Rule:
    broken = copy.deepcopy(rule({"assert": {"value": "$subject.enable_dns_support", "op": "is_true"}}))
    broken.spec["check"]["assert"]["op"] = "no_such_operator"
    return broken


def test_a_check_that_raises_becomes_a_warning_not_a_crash(monkeypatch):
    monkeypatch.delenv("EKSJOIN_STRICT")
    results = run_rules([_broken_rule()], Model([vpc(enable_dns_support=True)]))
    assert results[0].outcome == UNKNOWN and "could not evaluate" in results[0].finding.message


def test_in_strict_mode_a_check_that_raises_fails_loudly():
    """The test suite runs strict: an internal error is a test failure, not an unknown outcome."""
    with pytest.raises(KeyError):
        run_rules([_broken_rule()], Model([vpc(enable_dns_support=True)]))


def test_identical_findings_from_two_subjects_merge():
    role = Resource("iam.role", "r", "aws_iam_role.nodes", "terraform", "aws_iam_role", Location("iam.tf", 4))
    check = {
        "let": {"role": {"find": "iam.role"}},
        "assert": {"value": False, "op": "is_true"},
        "message": "role {role} is shared",
        "anchor": "$role",
    }
    a, b = vpc("a"), vpc("b")
    merged = findings_of(run_rules([rule(check)], Model([a, b, role])))
    assert len(merged) == 1
    assert merged[0].location == Location("iam.tf", 4)
    assert [address for address, _ in merged[0].related] == ["a", "b"]


def test_one_unknown_blocking_several_rules_is_one_finding():
    first = rule({"assert": {"value": "$subject.x", "op": "is_true"}})
    second = copy.deepcopy(first)
    second.spec["id"] = "EKS-DNS-002"
    second = Rule("EKS-DNS-002", second.spec, Path("EKS-DNS-002.yaml"))
    merged = findings_of(run_rules([first, second], Model([vpc(x=HOLE)])))
    assert len(merged) == 1 and merged[0].also == ["EKS-DNS-002"]
    assert "also leaves EKS-DNS-002 unverified" in merged[0].message


def test_default_values_are_named_in_messages():
    subject = vpc()
    subject.default("enable_dns_hostnames", False)
    check = {
        "assert": {"value": "$subject.enable_dns_hostnames", "op": "is_true"},
        "message": "enable_dns_hostnames = {subject.enable_dns_hostnames|setting}",
    }
    result = evaluate_rule(rule(check), subject, Model([subject]))
    assert result.finding.message == "enable_dns_hostnames = false, not set: the Terraform default"


def test_one_of_candidates_satisfy_trust_when_all_agree():
    from analyzer.knowledge.policies import trust_allows

    document = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {
                    "Service": OneOf("partition unknown", candidates=("ec2.amazonaws.com", "ec2.amazonaws.com.cn"))
                },
            }
        ]
    }
    assert trust_allows(document, "ec2.amazonaws.com") is True
    mixed = copy.deepcopy(document)
    mixed["Statement"][0]["Principal"]["Service"] = OneOf("?", candidates=("ec2.amazonaws.com", "lambda.amazonaws.com"))
    assert isinstance(trust_allows(mixed, "ec2.amazonaws.com"), Unknown)


def test_refs_are_unknown_values():
    assert isinstance(Ref("id", target="aws_vpc.a", attribute="id"), Unknown)
    with pytest.raises(TypeError):
        bool(HOLE)


def test_assignment_speaks_the_users_format():
    subject = Resource("ec2.vpc", "t#Vpc", "Vpc", "cloudformation", "AWS::EC2::VPC", Location("t.yaml", 5))
    subject.set("enable_dns_support", False, Location("t.yaml", 9))
    subject.source_names["enable_dns_support"] = "EnableDnsSupport"
    subject.default("enable_dns_hostnames", False)
    check = {
        "assert": {"value": False, "op": "is_true"},
        "message": "{subject.enable_dns_support|assignment}; {subject.enable_dns_hostnames|assignment}",
    }
    result = evaluate_rule(rule(check), subject, Model([subject]))
    assert result.finding.message == (
        "EnableDnsSupport: false; enable_dns_hostnames: false, not set: the CloudFormation default"
    )


def test_paths_read_mappings_and_dataclass_attributes():
    from dataclasses import dataclass

    from analyzer.engine.expressions import Scope, resolve_path

    @dataclass
    class Call:
        cluster_name: str

    subject = vpc(calls=[Call("prod")], tags={"team": "a"})
    scope = Scope(Model([subject]), {"subject": subject})
    assert resolve_path("$subject.calls.cluster_name", scope) == ["prod"]
    assert resolve_path("$subject.tags.team", scope) == "a"


def test_instances_of_one_block_at_one_line_are_one_finding():
    check = {"assert": {"value": False, "op": "is_true"}, "message": "{subject.address} broken"}
    subjects = []
    for index in range(3):
        subject = vpc(f"aws_vpc.main[{index}]")
        subject.location = Location("main.tf", 3)
        subjects.append(subject)
    merged = findings_of(run_rules([rule(check)], Model(subjects)))
    assert len(merged) == 1
    assert [address for address, _ in merged[0].related] == ["aws_vpc.main[1]", "aws_vpc.main[2]"]


def test_filter_keeps_what_may_be_in_it_when_asked():
    from analyzer.engine.expressions import Scope, evaluate_value

    known, hidden, several = vpc("a", on=True), vpc("b", on=HOLE), vpc("c", on=True)
    several.stands_for_each = "count is var.n"
    subject = vpc("s", members=[known, hidden, vpc("d", on=False), several])
    scope = Scope(Model([subject]), {"subject": subject})
    spec = {"filter": "$subject.members", "as": "m", "where": {"value": "$m.on", "op": "is_true"}}
    assert evaluate_value(spec, scope) == [known, several]
    kept = evaluate_value({**spec, "unknown": "keep"}, scope)
    assert kept[0] is known and kept[2] is several
    assert [type(item) for item in kept] == [Resource, Unknown, Resource, Unknown]
    assert "var.x" in kept[1].reason and "count is var.n" in kept[3].reason
    assert OPERATORS["length_gte"](kept, 3).reason == kept[1].reason


def test_map_gives_a_value_per_item_and_keeps_what_is_not_known():
    from analyzer.engine.expressions import Scope, evaluate_value

    subject = vpc("s", members=[vpc("a", name="one"), HOLE, vpc("b", name="two")], nothing=HOLE)
    scope = Scope(Model([subject]), {"subject": subject})
    spec = {"map": "$subject.members", "as": "m", "to": {"text": "<{m.name}>"}}
    assert evaluate_value(spec, scope) == ["<one>", HOLE, "<two>"]
    assert evaluate_value({**spec, "map": "$subject.nothing"}, scope) is HOLE
    assert evaluate_value({**spec, "map": "$subject.missing"}, scope) == []
    per_item = {"map": "$subject.members", "as": "m", "let": {"loud": {"text": "{m.name}!"}}, "to": {"text": "{loud}"}}
    assert evaluate_value(per_item, scope) == ["one!", HOLE, "two!"]
    assert evaluate_value({"join": "$subject.members.name", "separator": "; "}, scope) == "one; two"
    assert evaluate_value({"join": "$subject.nothing", "separator": "; "}, scope) is HOLE


@pytest.mark.parametrize(
    ("what", "reason", "sentence"),
    [
        (
            "the Kubernetes version of ControlPlane",
            "the Kubernetes version of ControlPlane is not known (parameter V has no default)",
            "could not verify the Kubernetes version of ControlPlane: parameter V has no default",
        ),
        (
            "that node role NodeInstanceRole of NodeGroup is authorized in its cluster",
            "the name of NodeInstanceRole is not known",
            "could not verify that node role NodeInstanceRole of NodeGroup is authorized in its cluster: "
            "its name is not known",
        ),
        (
            "the security groups of module.a.aws_eks_node_group.x",
            "whether it applies is not known (the launch template of module.a.aws_eks_node_group.x is not known "
            "(module.a.module.label could not be loaded))",
            "could not verify the security groups of module.a.aws_eks_node_group.x: whether it applies is not known "
            "(its launch template is not known (module.a.module.label could not be loaded))",
        ),
        (
            "outbound TCP 443 from managedNodeGroups[ng]",
            "managedNodeGroups[ng] uses a launch template outside the analyzed files",
            "could not verify outbound TCP 443 from managedNodeGroups[ng]: it uses a launch template outside "
            "the analyzed files",
        ),
        (
            "the instance types of Workers",
            "an instance type of Workers is not known (parameter T has no default)",
            "could not verify the instance types of Workers: one of its instance types is not known "
            "(parameter T has no default)",
        ),
        (
            "the DHCP options of aws_vpc.main",
            "the DHCP options set associated with aws_vpc.main is not in the analyzed files",
            "could not verify the DHCP options of aws_vpc.main: its DHCP options set is not in the analyzed files",
        ),
        (  # another resource whose address starts with the name is not the name
            "the subnets of aws_eks_node_group.a",
            "the subnets of aws_eks_node_group.a_b are not known",
            "could not verify the subnets of aws_eks_node_group.a: the subnets of aws_eks_node_group.a_b are not known",
        ),
    ],
)
def test_an_unknown_message_names_each_resource_once(what, reason, sentence):
    from analyzer.engine.expressions import unknown_sentence

    names = {"ControlPlane", "NodeGroup", "NodeInstanceRole", "module.a.aws_eks_node_group.x", "Workers"}
    names |= {"managedNodeGroups[ng]", "aws_vpc.main", "aws_eks_node_group.a"}
    assert unknown_sentence(what, reason, names) == sentence


def test_an_unknown_without_unknown_message_says_what_could_not_be_verified():
    """The failure message would print the value that is not known; the title is said instead."""
    check = {
        "assert": {"value": "$subject.enable_dns_support", "op": "not_equals", "arg": False},
        "message": "DNS is off on {subject.address} ({subject.enable_dns_support|assignment})",
    }
    spec = rule(check).spec
    titled = Rule("EKS-DNS-001", {**spec, "title": "VPC DNS resolution is enabled"}, Path("EKS-DNS-001.yaml"))
    [result] = run_rules([titled], Model([vpc("aws_vpc.a", enable_dns_support=HOLE)]))
    assert result.finding.message == (
        "could not verify for aws_vpc.a that VPC DNS resolution is enabled: var.x has no value"
    )


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (True, "on"),
        (False, "off"),
        (HOLE, "var.x has no value"),  # the branches differ: the condition's doubt
    ],
)
def test_if_chooses_a_value_and_is_unknown_only_when_the_choice_matters(chosen, expected):
    from analyzer.engine.expressions import Scope, evaluate_value

    subject = vpc(flag=chosen, same="x")
    scope = Scope(Model([subject]), {"subject": subject})
    choice = {"if": {"value": "$subject.flag", "op": "is_true"}, "then": "on", "else": "off"}
    value = evaluate_value(choice, scope)
    assert (value.reason if isinstance(value, Unknown) else value) == expected
    agreeing = {"if": {"value": "$subject.flag", "op": "is_true"}, "then": "$subject.same", "else": "$subject.same"}
    assert evaluate_value(agreeing, scope) == "x"
    spelled = {**choice, "unknown": {"text": "{subject.address} maybe"}}
    assert evaluate_value(spelled, scope) == (expected if chosen is not HOLE else "aws_vpc.a maybe")


def test_an_unknown_branch_of_an_unknown_choice_is_its_doubt():
    from analyzer.engine.expressions import Scope, evaluate_value

    other = Unknown("var.y has no value")
    subject = vpc(flag=HOLE, then=True, other=other)
    scope = Scope(Model([subject]), {"subject": subject})
    choice = {"if": {"value": "$subject.flag", "op": "is_true"}, "then": "$subject.then", "else": "$subject.other"}
    assert evaluate_value(choice, scope) is other


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([], "aws_vpc.a has no members"),
        (["a", "b"], "aws_vpc.a has members (a, b)"),
        (HOLE, "aws_vpc.a has no members"),  # an unknown value is no value to tell
    ],
)
def test_optional_fragments_vanish_with_their_value(members, message):
    check = {
        "assert": {"value": False, "op": "is_true"},
        "message": "{subject.address} has{!subject.members: no} members{?subject.members: ({subject.members})}",
    }
    result = evaluate_rule(rule(check), vpc(members=members), Model([vpc()]))
    assert result.finding.message == message


def test_a_message_may_be_chosen_by_a_condition():
    check = {
        "assert": {"value": False, "op": "is_true"},
        "message": {
            "if": {"value": "$subject.on", "op": "is_true"},
            "then": "{subject.address} is on",
            "else": "{subject.address} is off",
            "unknown": "{subject.address} may be on",
        },
    }
    for on, message in ((True, "is on"), (False, "is off"), (HOLE, "may be on")):
        assert evaluate_rule(rule(check), vpc(on=on), Model([])).finding.message == f"aws_vpc.a {message}"


def test_an_unknown_may_point_elsewhere_than_a_failure():
    other = vpc("aws_vpc.other")
    check = {
        "let": {"other": {"const": None}},
        "assert": {"value": "$subject.on", "op": "is_true"},
        "message": "{subject.address} is off",
        "anchor": "on",
        "unknown_anchor": "",
    }
    subject = vpc(on=HOLE)
    result = evaluate_rule(rule(check), subject, Model([subject, other]))
    assert result.outcome == UNKNOWN
    assert result.finding.location == subject.location and result.finding.key == "on"
    subject = vpc(on=False)
    assert evaluate_rule(rule(check), subject, Model([subject])).finding.location == Location("main.tf", 10)


def test_in_order_asks_a_condition_only_once_those_before_it_hold():
    check = {
        "assert": {
            "in_order": [
                {"value": "$subject.kind_of", "op": "equals", "arg": "Interface"},
                {"value": "$subject.dns", "op": "is_true"},
            ]
        },
    }
    # an unknown first setting decides, though the second is known to be wrong
    result = evaluate_rule(rule(check), vpc(kind_of=HOLE, dns=False), Model([]))
    assert result.outcome == UNKNOWN and result.reason == HOLE.reason
    assert evaluate_rule(rule(check), vpc(kind_of="Interface", dns=False), Model([])).outcome == FAIL
    assert evaluate_rule(rule(check), vpc(kind_of="Gateway", dns=HOLE), Model([])).outcome == FAIL
    assert evaluate_rule(rule(check), vpc(kind_of="Interface", dns=True), Model([])).outcome == PASS


def test_a_value_that_is_not_known_may_be_told_in_the_rule_s_words():
    from analyzer.engine.expressions import Scope, evaluate_value

    spec = {"value": "$subject.dns", "unknown_reason": "whether {subject.address} has private DNS is not known"}
    for dns, expected in ((True, True), (HOLE, "whether aws_vpc.a has private DNS is not known")):
        subject = vpc(dns=dns)
        value = evaluate_value(spec, Scope(Model([subject]), {"subject": subject}))
        assert (value.reason if isinstance(value, Unknown) else value) == expected


def test_a_list_with_an_item_that_is_not_known_is_told_with_the_item_s_reason():
    from analyzer.engine.expressions import Scope, evaluate_value

    spec = {"value": "$subject.cidrs", "unknown_reason": "the CIDRs of {subject.address} are not known ({reason})"}
    for cidrs, expected in (
        (["10.0.0.0/8"], ["10.0.0.0/8"]),
        (["10.0.0.0/8", HOLE], f"the CIDRs of aws_vpc.a are not known ({HOLE.reason})"),
        (HOLE, f"the CIDRs of aws_vpc.a are not known ({HOLE.reason})"),
    ):
        subject = vpc(cidrs=cidrs)
        value = evaluate_value(spec, Scope(Model([subject]), {"subject": subject}))
        assert (value.reason if isinstance(value, Unknown) else value) == expected


def test_a_link_a_check_must_follow_is_unknown_unless_it_names_a_resource():
    from analyzer.engine.expressions import Scope, evaluate_value

    target = vpc()
    spec = {"resolved": "$subject.other", "unknown_reason": "the VPC of {subject.address} is not in the analyzed files"}
    for other in (None, "vpc-0123", HOLE):
        subject = vpc(other=other)
        value = evaluate_value(spec, Scope(Model([subject]), {"subject": subject}))
        assert isinstance(value, Unknown) and value.reason == "the VPC of aws_vpc.a is not in the analyzed files"
    subject = vpc(other=target)
    assert evaluate_value(spec, Scope(Model([subject]), {"subject": subject})) is target


def test_join_makes_one_phrase_of_a_list():
    from analyzer.engine.expressions import Scope, evaluate_value

    subject = vpc(tags=[{"key": "a", "where": "x"}, {"key": "b", "where": "y"}], none=[], hole=HOLE)
    scope = Scope(Model([subject]), {"subject": subject})
    phrases = {"map": "$subject.tags", "as": "tag", "to": {"text": "{tag.key} on {tag.where}"}}
    assert evaluate_value({"join": phrases, "separator": "; "}, scope) == "a on x; b on y"
    assert evaluate_value({"join": "$subject.none", "separator": "; "}, scope) == ""
    assert evaluate_value({"join": "$subject.hole", "separator": "; "}, scope) is HOLE
    assert evaluate_value({"join": [subject, "b"], "separator": " and "}, scope) == "aws_vpc.a and b"


def test_first_is_the_head_of_a_list():
    from analyzer.engine.expressions import Scope, evaluate_value

    subject = vpc(items=["a", "b"], none=[], hole=HOLE)
    scope = Scope(Model([subject]), {"subject": subject})
    assert evaluate_value({"first": "$subject.items"}, scope) == "a"
    assert evaluate_value({"first": "$subject.none"}, scope) is None
    assert evaluate_value({"first": "$subject.hole"}, scope) is HOLE


def test_a_pattern_over_a_string_with_holes_of_a_known_alphabet_decides_only_when_every_string_agrees():
    import string

    from analyzer.engine.patterns import search_every

    name = "^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$"
    alnum = frozenset(string.ascii_letters + string.digits)
    row = [frozenset(c) for c in "demo-"] + [alnum] * 8
    assert search_every(name, row) is True
    assert search_every("_", row) is False
    assert search_every(name, [frozenset("_")] + [alnum] * 3) is False
    assert search_every(name, [alnum] * 101) is False
    assert search_every("x", row) is None  # some suffixes hold an x, others do not
    assert search_every(name, [alnum, frozenset("a!")]) is None
    assert search_every("(a|b)", row) is None  # not a simple pattern: not known
