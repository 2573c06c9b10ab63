"""Reverse-link indexes answer exactly what a scan of the whole kind answers."""

from __future__ import annotations

import shutil
import sys

from conftest import REPO

from analyzer.model import kinds
from analyzer.model.resource import Resource
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


def test_indexed_network_facts_match_a_full_scan(tmp_path):
    """Endpoints of a VPC, routes of a table, rules of an ACL, the subnets a NAT gateway serves
    and the subnets taking a route: from indexes, as a scan of the whole kind finds them."""
    from analyzer.knowledge.routing import route_target

    write_root(tmp_path / "fanout", "fanout", 20)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    shutil.copytree(REPO / "fixtures" / "EKS-NET-005", tmp_path / "net005")
    shutil.copytree(REPO / "fixtures" / "EKS-NACL-001", tmp_path / "nacl001")
    shutil.copytree(REPO / "fixtures" / "EKS-EPT-004", tmp_path / "ept004")
    model, _ = build_model([tmp_path], Options())
    assert model.of_kind(kinds.VPC_ENDPOINT) and model.of_kind(kinds.NETWORK_ACL_RULE)
    for vpc in model.of_kind(kinds.VPC):
        assert model.attr(vpc, "endpoints") == _scan(model, (kinds.VPC_ENDPOINT,), vpc, "vpc")
    for table in model.of_kind(kinds.ROUTE_TABLE):
        own = _scan(model, (kinds.ROUTE,), table, "route_table")
        assert model.attr(table, "table_routes")[: len(own)] == own
    for acl in model.of_kind(kinds.NETWORK_ACL):
        if acl.get("default") is not True:
            assert model.attr(acl, "acl_rules") == _scan(model, (kinds.NETWORK_ACL_RULE,), acl, "network_acl")
    for nat in model.of_kind(kinds.NAT_GATEWAY):
        served = []
        for subnet in model.of_kind(kinds.SUBNET):
            route = model.attr(subnet, "default_route")
            target = route_target(model, route) if isinstance(route, Resource) else None
            if model.attr(subnet, "nodes") and target is not None and target.value is nat:
                served.append(subnet)
        assert model.attr(nat, "served_subnets") == served
    for route in model.of_kind(kinds.ROUTE):
        taking = _scan(model, (kinds.SUBNET,), route, "default_route")
        assert set(map(id, model.attr(route, "egress_subnets"))) <= set(map(id, taking))
