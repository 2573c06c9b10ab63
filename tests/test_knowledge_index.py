"""Reverse-link indexes answer exactly what a scan of the whole kind answers."""

from __future__ import annotations

import shutil
import sys

from conftest import REPO

from analyzer.model import kinds
from analyzer.pipeline import Options, build_model

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import write_root


def _scan(model, kind_list, target, name):
    found = []
    for resource in model.of_kind(*kind_list):
        value = model.attr(resource, name)
        values = value if isinstance(value, list) else [value]
        if any(v is target for v in values):
            found.append(resource)
    return found


def test_indexed_facts_match_a_full_scan(tmp_path):
    write_root(tmp_path / "fanout", "fanout", 120)
    write_root(tmp_path / "copies", "copies", 64)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    model, _ = build_model([tmp_path], Options())
    clusters = model.of_kind(kinds.CLUSTER)
    assert len(clusters) >= 5
    for cluster in clusters:
        assert model.attr(cluster, "node_groups") == _scan(model, kinds.NODE_KINDS, cluster, "cluster")
    fanout = max(clusters, key=lambda c: len(model.attr(c, "node_groups")))
    assert len(model.attr(fanout, "node_groups")) == 26
    for role in model.of_kind(kinds.IAM_ROLE):
        attached = _scan(model, (kinds.ROLE_POLICY_ATTACHMENT,), role, "role")
        arns = model.attr(role, "policy_arns")
        assert arns[len(arns) - len(attached) :] == [a.get("policy_arn") for a in attached] or not attached
    for subnet in model.of_kind(kinds.SUBNET):
        assert model.attr(subnet, "nodes") == _scan(model, kinds.NODE_KINDS, subnet, "resolved_subnets")
