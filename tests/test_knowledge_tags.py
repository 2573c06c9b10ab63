"""The cluster tag on self-managed instances: the tags that reach them (a fact) and
EKS-TAG-001's verdict and message over it (the rule file)."""

from __future__ import annotations

import pytest

from analyzer.engine.catalogue import load_catalogue
from analyzer.engine.runner import FAIL, PASS, UNKNOWN, evaluate_rule
from analyzer.knowledge.tags import instance_cluster_tags
from analyzer.location import Location
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import PartialStr, Unknown

HOLE = Unknown("var.cluster has no value")
RULE = next(rule for rule in load_catalogue() if rule.id == "EKS-TAG-001")


def _asg(tags):
    node = Resource(
        kinds.SELF_MANAGED,
        "aws_autoscaling_group.nodes",
        "aws_autoscaling_group.nodes",
        "terraform",
        "aws_autoscaling_group",
        Location("main.tf", 1),
    )
    node.fields.update(asg_tags=tags, cluster="demo")
    return node


def _tag(key, value="owned", propagate=True):
    return {"key": key, "value": value, "propagate_at_launch": propagate}


@pytest.mark.parametrize(
    "tags, outcome, words",
    [
        ([_tag("kubernetes.io/cluster/demo")], PASS, ""),
        ([_tag("kubernetes.io/cluster/demo", "shared", "true")], PASS, ""),
        # another cluster's name is a wrong cluster name, not a missing tag
        ([_tag("kubernetes.io/cluster/other")], PASS, ""),
        ([_tag(PartialStr(("kubernetes.io/cluster/", HOLE)))], PASS, ""),
        (
            [_tag("kubernetes.io/cluster/demo", propagate=False)],
            FAIL,
            "kubernetes.io/cluster/demo on the Auto Scaling group has propagate_at_launch = false, "
            "so its instances do not carry kubernetes.io/cluster/demo = owned",
        ),
        (
            [_tag("kubernetes.io/cluster/demo", propagate=False), _tag("kubernetes.io/cluster/demo", "yes")],
            FAIL,
            "propagate_at_launch = false; kubernetes.io/cluster/demo on the Auto Scaling group has value 'yes', "
            "not 'owned', so its instances",
        ),
        ([_tag("Name", "nodes")], FAIL, "no tag kubernetes.io/cluster/demo = owned reaches its instances"),
        (None, FAIL, "no tag kubernetes.io/cluster/demo = owned reaches its instances"),
        ([_tag("kubernetes.io/cluster/demo", HOLE)], UNKNOWN, "is not fully known"),
        (HOLE, UNKNOWN, HOLE.reason),
    ],
)
def test_the_rule_decides_over_the_tags_that_reach_the_instances(tags, outcome, words):
    node = _asg(tags)
    result = evaluate_rule(RULE, node, Model([node]))
    assert result.outcome == outcome
    if outcome == FAIL:
        assert words in result.finding.message
    elif outcome == UNKNOWN:
        assert words in result.reason


def test_the_fact_lists_cluster_tags_and_what_cannot_be_read():
    node = _asg([_tag("Name", "nodes"), _tag("kubernetes.io/cluster/demo", propagate="false"), _tag(HOLE)])
    found = instance_cluster_tags(Model([node]), node)
    assert found[0] == {
        "key": "kubernetes.io/cluster/demo",
        "value": "owned",
        "propagate": False,
        "where": "the Auto Scaling group",
    }
    assert isinstance(found[1], Unknown) and len(found) == 2
