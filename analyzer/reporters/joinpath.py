"""A Mermaid diagram per cluster of the path its nodes take to join: node group -> subnets ->
route table -> NAT / internet gateway (and the VPC endpoints), node group -> node role ->
its AWS managed policies -> aws-auth or access entry -> cluster.

Only what the model knows is drawn: a subnet, route table, gateway or role that is not in the
files is left out, never guessed. An edge into a resource with a failing finding is drawn red
and labelled with the rule IDs (an authorization finding marks the role's edge to the cluster)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from analyzer.findings import Finding
from analyzer.knowledge.policies import managed_policy_name
from analyzer.knowledge.routing import TARGET_NAMES, RouteTable
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource

_INSTANCE = re.compile(r"\[[^\[\]]*\]$")
MAX_EDGES = 40  # a diagram is an overview; the findings list every detail
_AUTH_NAMES = {
    "CONFIG_MAP": "aws-auth ConfigMap",
    "API": "access entry",
    "API_AND_CONFIG_MAP": "access entry or aws-auth",
}


@dataclass
class _Diagram:
    failing: dict[str, list[str]]  # resource address -> failing rule IDs
    nodes: dict[str, str] = field(default_factory=dict)  # key -> mermaid node id
    lines: list[str] = field(default_factory=list)
    edges: int = 0
    red: list[int] = field(default_factory=list)
    dropped: int = 0
    drawn: set[tuple[str, str]] = field(default_factory=set)

    def node(self, key: str, label: str, shape: str = "box") -> str:
        if key not in self.nodes:
            node_id = f"n{len(self.nodes)}"
            self.nodes[key] = node_id
            text = label.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            self.lines.append(f'  {node_id}("{text}")' if shape == "round" else f'  {node_id}["{text}"]')
        return self.nodes[key]

    def edge(self, source: str, target: str, rules: list[str] = (), dashed: bool = False) -> None:
        if (source, target) in self.drawn:  # shared subnets, tables and roles are drawn once
            return
        self.drawn.add((source, target))
        if self.edges >= MAX_EDGES:
            self.dropped += 1
            return
        arrow = "-.->" if dashed else "-->"
        label = f'|"✗ {", ".join(rules)}"|' if rules else ""
        self.lines.append(f"  {source} {arrow}{label} {target}")
        if rules:
            self.red.append(self.edges)
        self.edges += 1

    def render(self, title: str) -> str:
        body = ["flowchart LR", *self.lines]
        if self.red:
            body.append(f"  linkStyle {','.join(map(str, self.red))} stroke:#d1242f,stroke-width:3px")
        more = f" ({self.dropped} more edges left out)" if self.dropped else ""
        return "\n".join(
            [
                f"<details><summary>Join path of {title}{more}</summary>",
                "",
                "```mermaid",
                *body,
                "```",
                "",
                "</details>",
            ]
        )


def _failing(findings: list[Finding]) -> dict[str, list[str]]:
    """Failing rule IDs by resource address: the finding's resource, and the other instances of
    its block that the finding stands for (one defect of aws_subnet.private[0] and [1])."""
    failing: dict[str, list[str]] = {}
    for finding in findings:
        if finding.outcome != "fail" or finding.severity not in ("error", "warning") or not finding.resource:
            continue
        block = _INSTANCE.sub("", finding.resource)
        same_block = [a for a, _ in finding.related if _INSTANCE.sub("", a) == block and a != block]
        for address in [finding.resource, *same_block]:
            rules = failing.setdefault(address, [])
            if finding.rule_id not in rules:
                rules.append(finding.rule_id)
    return failing


def _label(noun: str, resource: Resource) -> str:
    """``subnet aws_subnet.private[0]``; a resource a tool creates already says what it is."""
    return (
        resource.address
        if resource.address.endswith(")") and "(created by" in resource.address
        else (f"{noun} {resource.address}")
    )


def _nodes_of(model: Model, cluster: Resource) -> list[Resource]:
    return [n for n in model.of_kind(kinds.NODEGROUP, kinds.SELF_MANAGED) if model.attr(n, "cluster") is cluster]


def diagrams(model: Model | None, findings: list[Finding]) -> list[str]:
    """One diagram per cluster with node groups in the files; clusters with failing edges first."""
    if model is None:
        return []
    failing = _failing(findings)
    drawn = []
    for cluster in model.of_kind(kinds.CLUSTER):
        nodes = _nodes_of(model, cluster)
        if nodes:
            diagram = _cluster_diagram(model, cluster, nodes, failing)
            title = f"cluster {cluster.address} ({cluster.location.path}:{cluster.location.line})"
            title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            drawn.append((not diagram.red, cluster.location.path, cluster.address, diagram.render(title)))
    return [item[-1] for item in sorted(drawn, key=lambda item: item[:3])]


def _cluster_diagram(model: Model, cluster: Resource, nodes: list[Resource], failing: dict[str, list[str]]) -> _Diagram:
    diagram = _Diagram(failing)
    cluster_id = diagram.node(cluster.key, f"cluster {cluster.address}", "round")
    for node in nodes:
        node_id = diagram.node(node.key, f"{_node_noun(node)} {node.address}")
        _network(model, diagram, node, node_id)
        _identity(model, diagram, cluster, node, node_id, cluster_id)
    return diagram


def _node_noun(node: Resource) -> str:
    return "managed node group" if node.kind == kinds.NODEGROUP else "self-managed nodes"


def _rules(diagram: _Diagram, resource: Any, prefix: str = "", exclude: str = "") -> list[str]:
    if not isinstance(resource, Resource):
        return []
    rules = diagram.failing.get(resource.address, [])
    return [r for r in rules if r.startswith(prefix) and not (exclude and r.startswith(exclude))]


def _network(model: Model, diagram: _Diagram, node: Resource, node_id: str) -> None:
    for subnet in model.attr(node, "resolved_subnets"):
        subnet_id = diagram.node(subnet.key, _label("subnet", subnet))
        diagram.edge(node_id, subnet_id, _rules(diagram, subnet))
        table = model.attr(subnet, "route_table")
        if isinstance(table, RouteTable):
            owner = table.vpc.key if isinstance(table.vpc, Resource) else subnet.key
            table_key = table.table.key if table.table is not None else f"{owner}#main-table"
            table_id = diagram.node(table_key, table.address if table.table is None else f"route table {table.address}")
            diagram.edge(subnet_id, table_id, _rules(diagram, table.table))
            _gateway(model, diagram, subnet, table_id)
        vpc = model.attr(subnet, "vpc")
        if isinstance(vpc, Resource):
            _endpoints(model, diagram, vpc, subnet_id)


def _gateway(model: Model, diagram: _Diagram, subnet: Resource, table_id: str) -> None:
    route = model.attr(subnet, "default_route")
    if route is None:
        no_route = diagram.node(f"{table_id}#no-default-route", "no 0.0.0.0/0 route", "round")
        diagram.edge(table_id, no_route, _rules(diagram, subnet, "EKS-NET"))
        return
    if not isinstance(route, Resource):
        return  # not known: not drawn
    target = model.attr(route, "target")
    if target is None or not isinstance(target.value, (Resource, str)):
        return
    name = TARGET_NAMES.get(target.kind, target.kind)
    address = target.value.address if isinstance(target.value, Resource) else target.value
    key = target.value.key if isinstance(target.value, Resource) else f"{name}#{address}"
    gateway_id = diagram.node(key, f"{name} {address}")
    diagram.edge(table_id, gateway_id, _rules(diagram, target.value))


def _endpoints(model: Model, diagram: _Diagram, vpc: Resource, subnet_id: str) -> None:
    endpoints = [e for e in model.attr(vpc, "endpoints") or [] if isinstance(e, Resource)]
    services = sorted({str(model.attr(e, "service")).rsplit(".", 1)[-1] for e in endpoints if model.attr(e, "service")})
    if services:
        endpoint_id = diagram.node(f"{vpc.key}#endpoints", "VPC endpoints: " + ", ".join(services))
        diagram.edge(subnet_id, endpoint_id, dashed=True)


def _identity(
    model: Model, diagram: _Diagram, cluster: Resource, node: Resource, node_id: str, cluster_id: str
) -> None:
    role = model.attr(node, "role")
    auth_rules = _rules(diagram, node, "EKS-AUTH") + _rules(diagram, role, "EKS-AUTH")
    if not isinstance(role, Resource):
        return
    role_id = diagram.node(role.key, _label("node role", role))
    diagram.edge(node_id, role_id, _rules(diagram, role, exclude="EKS-AUTH"))
    names = [managed_policy_name(arn) for arn in model.attr(role, "policy_arns") or []]
    names = sorted({n for n in names if n})
    if names:
        policies_id = diagram.node(f"{role.key}#policies", "policies: " + ", ".join(names))
        diagram.edge(role_id, policies_id)
    mode = model.attr(cluster, "auth_mode")
    auth = _AUTH_NAMES.get(mode) if isinstance(mode, str) else None
    if auth is None:
        return
    auth_id = diagram.node(f"{cluster.key}#auth", auth, "round")
    diagram.edge(role_id, auth_id, list(dict.fromkeys(auth_rules)))
    diagram.edge(auth_id, cluster_id)
