"""VPC endpoints: which services a VPC has endpoints for, and whether nodes without internet
access can use them.

An endpoint's service is read from its service name (``com.amazonaws.<region>.<service>``,
``cn.com.amazonaws.<region>.<service>``); the region may be unknown, the service may not.
Subnets, route tables, security groups and private DNS may also come from separate
association resources (``aws_vpc_endpoint_subnet_association`` and friends).

A VPC is *set up for endpoints* when it has an interface endpoint for a service nodes call
(ec2, ecr.api, ecr.dkr, sts, eks, eks-auth), or eksctl builds it for a fully-private cluster.
Only then do its node subnets without internet egress rely on endpoints; otherwise their nodes
have no way to reach AWS at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge import routing
from analyzer.knowledge.addressing import zone_key, zone_text, zones_comparable
from analyzer.knowledge.egress import SubnetEgress
from analyzer.knowledge.index import attribute, referrers
from analyzer.knowledge.routing import EGRESS, either, in_scope, scope_of, unambiguous, unresolved_modules
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import EKSCTL_DEFAULT, Resource
from analyzer.values import PartialStr, Ref, Unknown, is_unknown

INTERFACE, GATEWAY = "Interface", "Gateway"
EC2, ECR_API, ECR_DKR, S3, STS, EKS, EKS_AUTH = ("ec2", "ecr.api", "ecr.dkr", "s3", "sts", "eks", "eks-auth")
# Interface endpoints nodes call while joining
NODE_INTERFACE_SERVICES = (EC2, ECR_API, ECR_DKR, STS, EKS, EKS_AUTH)
OPTIONAL_SERVICES = ("elasticloadbalancing", "logs", "autoscaling", "xray", "ssm", "ssmmessages", "ec2messages")
_HOLE = "\x00"


# -- service names ---------------------------------------------------------------------------------
def service_of(name: Any) -> Any:
    """The service an endpoint service name names ("ecr.api"), None for other names (custom
    PrivateLink services), Unknown when the service part is not known."""
    if name is None:
        return None
    if isinstance(name, PartialStr):
        text = name.text(_HOLE)
    elif isinstance(name, str):
        text = name
    else:
        return Unknown(f"the service name is not known ({getattr(name, 'reason', name)})")
    parts = text.split(".")
    if "amazonaws" not in parts:
        return Unknown(f"the service name {text.replace(_HOLE, '…')!r} is not known") if _HOLE in text else None
    index = parts.index("amazonaws")
    if parts[index + 1 : index + 2] == ["vpce"]:  # a PrivateLink endpoint service of an account
        return None
    service = ".".join(parts[index + 2 :])
    if _HOLE in service or not service:
        return Unknown(f"the service of {text.replace(_HOLE, '…')!r} is not known")
    return service


def endpoint_service(model: Model, endpoint: Resource) -> Any:
    """The endpoint's service, also when its name comes from a ``data
    "aws_vpc_endpoint_service"`` lookup (as in the terraform-aws-modules vpc-endpoints module)."""
    name = endpoint.get("service_name")
    if isinstance(name, Ref):
        lookup = model.get(name.target)
        if lookup is not None and lookup.kind == kinds.VPC_ENDPOINT_SERVICE:
            service = lookup.get("service")
            if isinstance(service, str):
                return service
            name = lookup.get("service_name", name)
    return service_of(name)


def _associations(model: Model, endpoint: Resource, field: str) -> list[Any]:
    found = referrers(
        model, (kinds.VPC_ENDPOINT_ASSOCIATION,), endpoint, attribute("endpoint"), "endpoint-association-endpoint"
    )
    return [a.get(field) for a in found if a.get(field) is not None]


@fact(kinds.VPC_ENDPOINT, "service")
def endpoint_service_fact(model: Model, endpoint: Resource) -> Any:
    return endpoint_service(model, endpoint)


@fact(kinds.VPC_ENDPOINT, "all_subnets")
def endpoint_subnets(model: Model, endpoint: Resource) -> Any:
    """Subnets of the endpoint, its own list and subnet associations (resolved or Unknown)."""
    own = model.attr(endpoint, "subnets")
    if isinstance(own, Unknown):
        return own
    extra = [model.follow(s, kinds.SUBNET) for s in _associations(model, endpoint, "subnet")]
    return list(own or []) + extra


@fact(kinds.VPC_ENDPOINT, "all_route_tables")
def endpoint_route_tables(model: Model, endpoint: Resource) -> Any:
    """Route tables of a gateway endpoint: resources, VPCs (their default table), Unknowns."""
    own = endpoint.get("route_tables")
    if isinstance(own, Unknown):
        return own
    values = list(own or []) + _associations(model, endpoint, "route_table")
    return [routing._resolve_table(model, value) for value in values]


@fact(kinds.VPC_ENDPOINT, "all_security_groups")
def endpoint_security_groups(model: Model, endpoint: Resource) -> Any:
    """The endpoint's security groups; None when it uses the VPC's default group."""
    own = model.attr(endpoint, "security_groups")
    if isinstance(own, Unknown):
        return own
    extra = [model.follow(g, kinds.SECURITY_GROUP) for g in _associations(model, endpoint, "security_group")]
    groups = list(own or []) + extra
    return groups or None


@fact(kinds.VPC_ENDPOINT, "private_dns")
def endpoint_private_dns(model: Model, endpoint: Resource) -> Any:
    """Private DNS in effect: the endpoint's setting, or ``aws_vpc_endpoint_private_dns``."""
    for value in _associations(model, endpoint, "private_dns_enabled"):
        return value
    return endpoint.get("private_dns_enabled")


# -- endpoints of a VPC ----------------------------------------------------------------------------
@fact(kinds.VPC, "endpoints")
def vpc_endpoints(model: Model, vpc: Resource) -> list[Resource]:
    return referrers(model, (kinds.VPC_ENDPOINT,), vpc, attribute("vpc"), "endpoint-vpc")


def _unplaced_endpoints(model: Model, scope: str) -> list[Resource]:
    """Endpoints whose VPC is not resolved: they may belong to any VPC of their
    configuration."""
    return [
        e for e in in_scope(model.of_kind(kinds.VPC_ENDPOINT), scope) if not isinstance(model.attr(e, "vpc"), Resource)
    ]


def find_endpoints(model: Model, vpc: Resource, services: Iterable[str]) -> tuple[list[Resource], Unknown | None]:
    """(endpoints of ``vpc`` for one of ``services``, why more may exist)."""
    wanted = set(services)
    found, unsure = [], None
    for endpoint in model.attr(vpc, "endpoints"):
        service = endpoint_service(model, endpoint)
        if service in wanted:
            found.append(endpoint)
        elif isinstance(service, Unknown):
            unsure = either(unsure, Unknown(f"{endpoint.address}: {service.reason}"))
    for endpoint in _unplaced_endpoints(model, scope_of(vpc)):
        service = endpoint_service(model, endpoint)
        if service in wanted or isinstance(service, Unknown):
            where = model.attr(endpoint, "vpc")
            unsure = either(
                unsure, Unknown(f"the VPC of {endpoint.address} is not resolved ({getattr(where, 'reason', where)})")
            )
    unsure = either(unsure, unresolved_modules(model, scope_of(vpc), "VPC endpoints", vpc))
    return found, unsure


@fact(kinds.VPC, "endpoint_intent")
def vpc_endpoint_intent(model: Model, vpc: Resource) -> Any:
    """True when the VPC has interface endpoints for services nodes call (it is meant to run
    nodes without internet access); Unknown when endpoints may exist that are not placed."""
    found, unsure = find_endpoints(model, vpc, NODE_INTERFACE_SERVICES)
    if found:
        return True
    return unsure if unsure is not None else False


@fact(kinds.SUBNET, "endpoint_intent")
def subnet_endpoint_intent(model: Model, subnet: Resource) -> Any:
    if subnet.get("private_cluster") is True:  # eksctl builds a fully-private VPC
        return True
    vpc = unambiguous(model, model.attr(subnet, "vpc"))
    if not isinstance(vpc, Resource):
        return Unknown(f"the VPC of {subnet.address} is not in the analyzed files, so its VPC endpoints are not known")
    return model.attr(vpc, "endpoint_intent")


@fact(kinds.VPC, "endpoint_node_subnets")
def vpc_endpoint_node_subnets(model: Model, vpc: Resource) -> list[SubnetEgress]:
    """(node, subnet) pairs in this VPC that reach AWS only through VPC endpoints."""
    return _node_subnets(model, vpc, routing.ENDPOINTS)


def _node_subnets(model: Model, vpc: Resource, reach: str) -> list[SubnetEgress]:
    """The (node, subnet) pairs of the VPC whose nodes reach AWS as ``reach`` says, in node order."""
    nodes = referrers(model, tuple(kinds.NODE_KINDS), vpc, _subnet_vpcs(reach), f"node-{reach}-subnet-vpc")
    return [
        egress
        for node in nodes
        for egress in model.attr(node, "subnet_egress")
        if egress.reach == reach and model.attr(egress.subnet, "vpc") is vpc
    ]


def _subnet_vpcs(reach: str):
    def key(model: Model, node: Resource) -> list[Any]:
        return [model.attr(e.subnet, "vpc") for e in model.attr(node, "subnet_egress") if e.reach == reach]

    return key


@fact(kinds.VPC, "endpoint_nodes")
def vpc_endpoint_nodes(model: Model, vpc: Resource) -> list[Resource]:
    nodes: list[Resource] = []
    for egress in model.attr(vpc, "endpoint_node_subnets"):
        if egress.node not in nodes:
            nodes.append(egress.node)
    return nodes


@fact(kinds.VPC, "user_managed_endpoints")
def vpc_user_managed_endpoints(model: Model, vpc: Resource) -> bool:
    """Whether the endpoints are the user's to declare (eksctl creates its own, unless told not to)."""
    return vpc.framework != "eksctl"


@fact(kinds.NODEGROUP, "endpoint_subnets")
@fact(kinds.SELF_MANAGED, "endpoint_subnets")
def node_endpoint_subnets(model: Model, node: Resource) -> list[Resource]:
    """The node's subnets without internet egress that rely on VPC endpoints."""
    return [e.subnet for e in model.attr(node, "subnet_egress") if e.reach == routing.ENDPOINTS]


@fact(kinds.NODEGROUP, "endpoint_vpc")
@fact(kinds.SELF_MANAGED, "endpoint_vpc")
def node_endpoint_vpc(model: Model, node: Resource) -> Any:
    for subnet in model.attr(node, "endpoint_subnets"):
        vpc = model.attr(subnet, "vpc")
        if isinstance(vpc, Resource):
            return vpc
    return None


@fact(kinds.CLUSTER, "endpoint_nodes")
def cluster_endpoint_nodes(model: Model, cluster: Resource) -> list[Resource]:
    """Node groups of the cluster that reach AWS only through VPC endpoints."""
    return [n for n in model.attr(cluster, "node_groups") if model.attr(n, "endpoint_subnets")]


@fact(kinds.CLUSTER, "endpoint_vpcs")
def cluster_endpoint_vpcs(model: Model, cluster: Resource) -> list[Resource]:
    vpcs: list[Resource] = []
    for node in model.attr(cluster, "endpoint_nodes"):
        vpc = model.attr(node, "endpoint_vpc")
        if isinstance(vpc, Resource) and vpc not in vpcs:
            vpcs.append(vpc)
    return vpcs


@fact(kinds.VPC, "endpoint_clusters")
def vpc_endpoint_clusters(model: Model, vpc: Resource) -> list[Resource]:
    clusters: list[Resource] = []
    for node in model.attr(vpc, "endpoint_nodes"):
        cluster = model.attr(node, "cluster")
        if isinstance(cluster, Resource) and cluster not in clusters:
            clusters.append(cluster)
    return clusters


@fact(kinds.VPC_ENDPOINT, "serves_endpoint_nodes")
def endpoint_serves_nodes(model: Model, endpoint: Resource) -> bool:
    """A node-service endpoint the user declared in a VPC whose nodes rely on endpoints."""
    vpc = model.attr(endpoint, "vpc")
    return (
        isinstance(vpc, Resource)
        and endpoint.provenance != EKSCTL_DEFAULT
        and bool(model.attr(vpc, "endpoint_node_subnets"))
    )


# -- predicates ------------------------------------------------------------------------------------
@predicate("endpoints.has_endpoint")
def has_endpoint(model: Model, vpc: Any, service: str) -> Any:
    """Whether the VPC has an endpoint for ``service``: True, False, or an Unknown naming why
    one may exist that is not seen (an endpoint whose service or VPC is not known, a module
    that is not loaded)."""
    if not isinstance(vpc, Resource):
        return vpc if isinstance(vpc, Unknown) else Unknown("the VPC is not known")
    found, unsure = find_endpoints(model, vpc, [service])
    if found:
        return True
    return unsure if unsure is not None else False


@predicate("endpoints.for_service")
def endpoints_for_service(model: Model, vpc: Any, service: str) -> Any:
    """``{found, unsure}``: the endpoints of the VPC for ``service``, and why more may exist
    (an endpoint whose service or VPC is not known, a module not fetched) or None."""
    if not isinstance(vpc, Resource):
        return vpc if isinstance(vpc, Unknown) else Unknown("the VPC is not known")
    found, unsure = find_endpoints(model, vpc, [service])
    return {"found": found, "unsure": unsure}


@predicate("endpoints.unrouted_node_subnet")
def unrouted_node_subnet(model: Model, vpc: Any, gateways: list | Unknown, unsure: Any = None) -> Any:
    """The first node subnet of the VPC (relying on endpoints) whose route table none of the
    gateway endpoints is on, as ``{subnet, route_table}``; None when every one is covered; an
    Unknown when a route table, or whether more endpoints exist (``unsure``), is not known."""
    if not isinstance(vpc, Resource):
        return vpc if isinstance(vpc, Unknown) else Unknown("the VPC is not known")
    if isinstance(gateways, Unknown):  # an endpoint whose type is not known may be one
        return gateways
    covered: list[Any] = []
    for gateway in gateways:
        tables = model.attr(gateway, "all_route_tables")
        if isinstance(tables, Unknown):
            return tables
        covered.extend(tables)
    for egress in model.attr(vpc, "endpoint_node_subnets"):
        table = model.attr(egress.subnet, "route_table")
        if isinstance(table, Unknown):
            return table
        target = table.table if table.table is not None else table.vpc
        if any(item is target for item in covered):
            continue
        if table.table is not None and table.table.get("main") is True and any(item is table.vpc for item in covered):
            continue
        hole = next((item for item in covered if isinstance(item, Unknown)), None)
        hole = hole if hole is not None else unsure
        if hole is not None:
            return hole
        return {"subnet": egress.subnet, "route_table": table.address}
    return None


@predicate("endpoints.zone_without_interface")
def zone_without_interface(model: Model, endpoint: Any) -> Any:
    """The first node subnet in an availability zone where the endpoint has no subnet, as
    ``{subnet, zone}``; None when every node zone has one; an Unknown when the zones or the
    endpoint's subnets are not known."""
    if not isinstance(endpoint, Resource):
        return Unknown("the endpoint is not known")
    subnets = model.attr(endpoint, "all_subnets")
    if isinstance(subnets, Unknown):
        return subnets
    zones, unsure = [], None
    for subnet in subnets or []:
        if not isinstance(subnet, Resource):
            unsure = either(unsure, subnet)
            continue
        zones.append(zone_key(subnet))
    vpc = model.attr(endpoint, "vpc")
    for egress in model.attr(vpc, "endpoint_node_subnets") if isinstance(vpc, Resource) else []:
        if egress.subnet in subnets:
            continue
        zone = zone_key(egress.subnet)
        if zone is not None and zone in zones:
            continue
        if unsure is not None or not zones_comparable(zone, zones):
            return either(
                unsure,
                Unknown(
                    f"the availability zones of {egress.subnet.address} "
                    f"and the subnets of {endpoint.address} are not known"
                ),
            )
        return {"subnet": egress.subnet, "zone": zone_text(egress.subnet)}
    return None


@predicate("endpoints.cni_uses_irsa")
def cni_uses_irsa(model: Model, clusters: Any) -> Any:
    """Whether the VPC CNI (aws-node) of one of ``clusters`` gets its permissions through IRSA,
    which calls STS from the node."""
    for cluster in clusters if isinstance(clusters, list) else [clusters]:
        if not isinstance(cluster, Resource):
            continue
        if cluster.framework == "eksctl" and cluster.get("cni_service_account_identity") is True:
            return True
        for addon in _addons(model, cluster):
            if addon.get("name") == "vpc-cni" and addon.get("service_account_role") is not None:
                return True
    return False


def _addons(model: Model, cluster: Resource) -> list[Resource]:
    return referrers(model, (kinds.ADDON,), cluster, attribute("cluster"), "addon-cluster")


@predicate("endpoints.pod_identity_use")
def pod_identity_use(model: Model, cluster: Any) -> Any:
    """ "vpc-cni" when aws-node gets its permissions through EKS Pod Identity, "workloads" when
    other service accounts do, None when the cluster does not use Pod Identity."""
    if not isinstance(cluster, Resource):
        return None
    users = []
    for addon in _addons(model, cluster):
        associations = addon.get("pod_identity_associations")
        for association in associations if isinstance(associations, list) else []:
            if isinstance(association, dict):
                users.append(("kube-system", association.get("service_account")))
    for association in referrers(
        model, (kinds.POD_IDENTITY,), cluster, attribute("cluster"), "pod-identity-association-cluster"
    ):
        users.append((association.get("namespace"), association.get("service_account")))
    if not users:
        return None
    if any(namespace in ("kube-system", None) and account == "aws-node" for namespace, account in users):
        return "vpc-cni"
    return "workloads"


# -- does the bootstrap call eks:DescribeCluster? --------------------------------------------------
@predicate("endpoints.describe_cluster_call")
def describe_cluster_call(model: Model, node: Any) -> Any:
    """Where the node's bootstrap will call eks:DescribeCluster, as ``{bootstrap, line}``
    (``bootstrap.sh``, ``Start-EKSBootstrap.ps1`` with its user data line, or ``bottlerocket``
    without one); None when it never does, Unknown when the user data cannot tell. Managed node groups without a custom
    AMI and AL2023 (nodeadm) never call it; AL2 bootstrap.sh and Windows Start-EKSBootstrap.ps1
    call it unless given both the endpoint and the CA; Bottlerocket asks EKS for the cluster
    DNS IP unless ``settings.kubernetes.cluster-dns-ip`` is set."""
    if not isinstance(node, Resource) or node.framework == "eksctl":
        return None
    if model.attr(node, "node_class") not in ("SELF", "MNG-CUSTOM-AMI"):
        return None
    user_data = model.attr(node, "decoded_user_data")
    if user_data is None:
        return None
    if not user_data.known:
        return Unknown(f"the user data of {node.address} is not known ({user_data.reason})")
    for call in user_data.bootstrap_calls:
        found = _bootstrap_sh_calls(call)
        if found is not None:
            return found
    if user_data.windows is not None:
        for call in user_data.windows.bootstrap_calls:
            found = _windows_calls(call)
            if found is not None:
                return found
    if user_data.bottlerocket is not None:
        dns_ip = user_data.bottlerocket.cluster_dns_ip
        if isinstance(dns_ip, Unknown):
            return dns_ip
        if dns_ip is None:  # settings.kubernetes.cluster-dns-ip not set
            return {"bootstrap": "bottlerocket", "line": None}
    return None


def _bootstrap_sh_calls(call: Any) -> Any:
    endpoint, ca = call.effective("--apiserver-endpoint"), call.effective("--b64-cluster-ca")
    if endpoint is not None and ca is not None:
        return None
    if call.may_hide_arguments:
        return Unknown(f"the arguments of /etc/eks/bootstrap.sh (user data line {call.line}) are not all known")
    return {"bootstrap": "bootstrap.sh", "line": call.line}  # without both --apiserver-endpoint and --b64-cluster-ca


def _windows_calls(call: Any) -> Any:
    if call.params.get("APIServerEndpoint") is not None and call.params.get("Base64ClusterCA") is not None:
        return None
    if call.may_hide_arguments:
        return Unknown(f"the arguments of Start-EKSBootstrap.ps1 (line {call.line}) are not all known")
    return {"bootstrap": "Start-EKSBootstrap.ps1", "line": call.line}  # without -APIServerEndpoint and -Base64ClusterCA


# -- who calls an interface endpoint, and through which groups -------------------------------------
@dataclasses.dataclass(frozen=True)
class Client:
    """A node group calling an endpoint from one of its subnets: ``peer`` is its side of the flow."""

    node: Resource
    subnet: Resource
    peer: Any


def _clients(model: Model, egresses: Iterable[SubnetEgress]) -> list[Client]:
    from analyzer.knowledge import security_groups as sg

    return [Client(e.node, e.subnet, _in_subnet(sg.node_endpoint(model, e.node), e.subnet)) for e in egresses]


@predicate("endpoints.clients")
def endpoint_clients(model: Model, endpoint: Any, internet: bool = False) -> list[Client]:
    """The node subnets that call the endpoint: those that rely on endpoints (no internet
    egress), or with ``internet`` those that have NAT or a public IP, for whom private DNS
    makes the service's name resolve to the endpoint too."""
    if not isinstance(endpoint, Resource):
        return []
    vpc = model.attr(endpoint, "vpc")
    if not isinstance(vpc, Resource):
        return []
    if not internet:
        return _clients(model, model.attr(vpc, "endpoint_node_subnets"))
    return _clients(model, _node_subnets(model, vpc, EGRESS))


@predicate("endpoints.security_groups")
def endpoint_groups(model: Model, endpoint: Any) -> Any:
    """The groups on the endpoint's interfaces: those it sets or is associated with, else the
    VPC's default group when the configuration adopts it; None when it gets the VPC's default
    group as AWS creates it; an Unknown when the groups it sets are not known."""
    from analyzer.knowledge import security_groups as sg

    if not isinstance(endpoint, Resource):
        return None
    declared = endpoint.get("security_groups")
    if is_unknown(declared):
        return Unknown(f"the security groups of {endpoint.address} are not known")
    values = list(declared or []) + _associations(model, endpoint, "security_group")
    if values:
        return [sg.resolve_group(model, value) for value in values]
    vpc = model.attr(endpoint, "vpc")
    if isinstance(vpc, Resource):
        adopted = next(
            iter(referrers(model, (kinds.SECURITY_GROUP,), vpc, _default_group_vpc, "default-group-vpc")), None
        )
    else:
        adopted = next((g for g in model.of_kind(kinds.SECURITY_GROUP) if _default_group_vpc(model, g) is vpc), None)
    return [adopted] if adopted is not None else None


def _default_group_vpc(model: Model, group: Resource) -> Any:
    """The VPC whose default security group ``group`` adopts, else None."""
    return model.attr(group, "vpc") if group.get("vpc_default") is True else None


def _in_subnet(node: Any, subnet: Resource) -> Any:
    """The node's side of a flow from one of its subnets: addresses of that subnet only."""
    cidr = subnet.get("cidr_block")
    if not isinstance(cidr, str):
        return node
    return dataclasses.replace(node, subnet_cidrs=[cidr], subnets_complete=True)


@predicate("endpoints.outside_default_group")
def outside_default_group(model: Model, endpoint: Any, clients: list) -> Any:
    """For an endpoint on the VPC's default group as AWS creates it (which admits only its own
    members): the first calling node group, with its groups, that certainly does not carry it;
    None when no node calls; an Unknown when that cannot be told."""
    from analyzer.knowledge import security_groups as sg

    vpc = model.attr(endpoint, "vpc")
    if not isinstance(vpc, Resource):
        return Unknown(
            f"{endpoint.address} uses the default security group of a VPC whose rules are not in the analyzed files"
        )
    if sg.floating_rules(model, sg.INGRESS):
        return Unknown(
            "security group rules whose group is not known may be attached to the "
            f"default security group of {vpc.address}"
        )
    for node in dict.fromkeys(client.node for client in clients):
        groups = model.attr(node, "node_security_groups")
        if isinstance(groups, Unknown) or any(not isinstance(g, Resource) for g in groups):
            return Unknown(
                f"the security groups of {node.address} are not known; it may carry "
                f"the default security group of {vpc.address}"
            )
        return {"node": node, "groups": groups}
    return None


# -- endpoint policies -----------------------------------------------------------------------------
EKS_ADDON_REGISTRY_ACCOUNT = "602401143452"  # amazon-k8s-cni, kube-proxy, ... in most Regions
ECR_PULL = ("ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
POLICY_NEEDS: dict[str, tuple[tuple[str, str | None], ...]] = {
    ECR_API: tuple((a, f"arn:aws:ecr:*:{EKS_ADDON_REGISTRY_ACCOUNT}:repository/amazon-k8s-cni") for a in ECR_PULL),
    ECR_DKR: tuple((a, f"arn:aws:ecr:*:{EKS_ADDON_REGISTRY_ACCOUNT}:repository/amazon-k8s-cni") for a in ECR_PULL),
    S3: (("s3:GetObject", "arn:aws:s3:::prod-{region}-starport-layer-bucket/layer"),),
    EC2: (("ec2:DescribeInstances", "*"),),
    STS: (("sts:AssumeRoleWithWebIdentity", None),),
}


@predicate("endpoints.policy_refuses")
def policy_refuses(model: Model, endpoint: Any) -> Any:
    """The actions nodes need through the endpoint that its policy does not allow: a list
    ([] when it allows them all, or nodes need nothing policies decide), or the Unknown of the
    first that cannot be told."""
    from analyzer.knowledge.policies import statements

    if not isinstance(endpoint, Resource) or endpoint.get("policy") is None:
        return []
    service = endpoint_service(model, endpoint)
    needs = POLICY_NEEDS.get(service) if isinstance(service, str) else None
    if needs is None:
        return []
    found = statements(endpoint.get("policy"))
    if any(isinstance(s, Unknown) for s in found):
        return next(s for s in found if isinstance(s, Unknown))
    region = _region(endpoint.get("service_name"))
    missing, unsure = [], None
    for action, resource in needs:
        verdict = _policy_allows(found, action, resource, region)
        if verdict is None:
            unsure = either(unsure, Unknown(f"whether the policy of {endpoint.address} allows {action} is not known"))
        elif not verdict:
            missing.append(action)
    return unsure if unsure is not None and not missing else missing


def _region(service_name: Any) -> str:
    parts = service_name.split(".") if isinstance(service_name, str) else []
    return parts[parts.index("amazonaws") + 1] if "amazonaws" in parts[:-1] else "*"


def _policy_allows(found: list, action: str, resource: str | None, region: str) -> Any:
    from analyzer.knowledge.policies import statement_allows

    arn = resource.replace("{region}", region) if resource else None
    allowed: Any = False
    for statement in found:
        if not isinstance(statement, dict):
            return None
        covers = statement_allows(dict(statement, Effect="Allow"), action)
        if covers is None:
            return None
        if not covers:
            continue
        where = _resource_matches(statement.get("Resource"), arn) if arn else True
        if statement.get("Effect") == "Deny" and where is True:
            return False
        if statement.get("Effect") == "Allow" and allowed is not True:
            allowed = where if where is not False else allowed
    return allowed


def _resource_matches(patterns: Any, arn: str) -> Any:
    import fnmatch

    for pattern in patterns if isinstance(patterns, list) else [patterns]:
        if is_unknown(pattern):
            return None
        if not isinstance(pattern, str):
            continue
        if pattern == "*" or ("starport-layer-bucket" in pattern and "starport" in arn):
            return True
        wanted, given = arn.split(":", 5), pattern.split(":", 5)
        if len(wanted) == len(given) and all(
            index == 3 or fnmatch.fnmatchcase(w, g) for index, (w, g) in enumerate(zip(wanted, given))
        ):
            return True
    return False
