"""Which route table a subnet uses, where its default route leads, and what nodes get from it.

Subnet classes and node egress (the network rules):

* A subnet uses the route table it is explicitly associated with, else its VPC's **main**
  route table: the table of an ``aws_main_route_table_association``, else the VPC's default
  table (adopted with ``aws_default_route_table``, or left alone with only the ``local``
  route plus any route added to ``aws_vpc.*.default_route_table_id``).
* Subnet class: *public* (default route to an internet gateway), *NAT-egress* (default route
  to a NAT gateway, transit gateway, instance/ENI, peering, VPN gateway, firewall/GWLB
  endpoint, ...), *isolated* (no default route).
* A node in a public subnet reaches the internet only with a public IPv4 address.
* A node subnet without internet egress relies on VPC endpoints when its VPC is set
  up for that (it has interface endpoints for the services nodes call); otherwise its nodes
  have no way out at all.

Nothing here guesses: a table, route or target that is not in the analyzed files, or a route
that could belong to a table but names it through an unresolved value, makes the answer
Unknown.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.index import attribute, referrers
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import Ref, Unknown, is_unknown

DEFAULT_IPV4 = "0.0.0.0/0"
DEFAULT_IPV6 = "::/0"

# Subnet classes
PUBLIC, NAT, ISOLATED = "public", "NAT-egress", "isolated"

# How nodes of a group reach AWS from one of their subnets
EGRESS = "egress"  # through the internet (NAT, or a public address behind an internet gateway)
NO_ROUTE = "no_route"  # no internet egress, and the VPC is not set up for endpoints
NO_PUBLIC_IP = "no_public_ip"  # a public subnet, but the node gets no public address
ENDPOINTS = "endpoints"  # no internet egress: through the VPC's endpoints only

# Route target fields in the order a route names them, and what each kind of hop gives.
TARGET_FIELDS = (
    "gateway",
    "nat_gateway",
    "transit_gateway",
    "egress_only_gateway",
    "network_interface",
    "instance",
    "vpc_peering_connection",
    "vpc_endpoint",
    "carrier_gateway",
    "local_gateway",
    "core_network",
)
INTERNET_GATEWAY, VPN_GATEWAY, LOCAL = "internet_gateway", "vpn_gateway", "local"
TARGET_NAMES = {
    INTERNET_GATEWAY: "internet gateway",
    VPN_GATEWAY: "virtual private gateway",
    "nat_gateway": "NAT gateway",
    "transit_gateway": "transit gateway",
    "egress_only_gateway": "egress-only internet gateway",
    "network_interface": "network interface",
    "instance": "instance",
    "vpc_peering_connection": "VPC peering connection",
    "vpc_endpoint": "VPC endpoint (firewall / load balancer)",
    "carrier_gateway": "carrier gateway",
    "local_gateway": "local gateway",
    "core_network": "Cloud WAN core network",
    "gateway": "gateway",
    LOCAL: "local",
}
# Default-route targets assumed to forward node traffic to the internet
NAT_LIKE = frozenset(
    {
        "nat_gateway",
        "transit_gateway",
        "network_interface",
        "instance",
        "vpc_peering_connection",
        VPN_GATEWAY,
        "vpc_endpoint",
        "carrier_gateway",
        "local_gateway",
        "core_network",
    }
)
# VPC attributes that name its default route table (Terraform aws_vpc)
DEFAULT_TABLE_ATTRIBUTES = ("default_route_table_id", "main_route_table_id")


def either(*values: Any) -> Any:
    """The first value that is not None (an Unknown counts as a value)."""
    return next((value for value in values if value is not None), None)


def scope_of(resource: Resource) -> str:
    """The configuration a resource belongs to: a Terraform root module, a CloudFormation
    template, an eksctl file. A reference that cannot be resolved (a route to a table from a
    variable) may name anything of its own configuration, nothing of another one."""
    if "#" in resource.key:  # keys are "<root module, template or file>#<address>"
        return f"{resource.framework}:{resource.key.split('#', 1)[0]}"
    if resource.framework == "terraform":
        where = resource.module_call or resource.location
        return "terraform:" + posixpath.dirname(where.path.replace("\\", "/"))
    return f"{resource.framework}:{resource.location.path}"


def unresolved_modules(model: Model, scope: str, what: str, vpc: Any = None) -> Unknown | None:
    """A module of the configuration whose code is not available may create ``what`` (in
    ``vpc``, when given: only if the identity of the VPC or of something in it reaches it)."""
    for module in in_scope(model.of_kind(kinds.UNRESOLVED_MODULE), scope):
        if isinstance(vpc, Resource) and not _may_reach(model, module, vpc):
            continue
        return Unknown(
            f"{module.address} ({module.get('source')}) is not downloaded and may "
            f"create {what}; run terraform init or lint plan JSON"
        )
    return None


def _may_reach(model: Model, module: Resource, vpc: Resource) -> bool:
    """Whether the inputs of a module that is not loaded carry the VPC or something of it
    (a subnet, route table, gateway, security group): a module given only a cluster name
    cannot add routes to a VPC it is never told about. No record of its inputs: it may."""
    reaches = module.get("reaches")
    if not isinstance(reaches, list):
        return True
    for ref in reaches:
        target = model.get(ref.target) if isinstance(ref, Ref) else None
        if target is None:  # a resource the model does not hold: unsure, unless of a type
            if _without_network(ref.target):  # that names nothing of a network (IAM, KMS ...)
                continue
            return True
        if target.kind == kinds.CLUSTER and not _carries_network(ref.attribute):
            continue  # its name, endpoint, CA or OIDC issuer: nothing of its VPC
        if target is vpc or model.attr(target, "vpc") is vpc:
            return True
        if target.kind == kinds.CLUSTER and not isinstance(model.attr(target, "vpc"), Resource):
            return True  # a cluster whose VPC is not known: a module may find and change it
    return False


# Attributes of an EKS cluster that name nothing of its network (Terraform aws_eks_cluster)
_CLUSTER_ATTRIBUTES_WITHOUT_NETWORK = (
    "name",
    "id",
    "arn",
    "endpoint",
    "certificate_authority",
    "identity",
    "version",
    "platform_version",
    "status",
    "created_at",
    "access_config",
    "tags",
    "tags_all",
)


# Resource types (managed or data) whose identities name nothing of a VPC: a module given
# an IAM role, a key or a bucket cannot find a VPC's subnets, route tables or ACLs from it
_TYPES_WITHOUT_NETWORK = (
    "aws_iam_",
    "aws_kms_",
    "aws_s3_",
    "aws_cloudwatch_",
    "aws_sqs_",
    "aws_sns_",
    "aws_ecr_",
    "aws_secretsmanager_",
    "aws_ssm_parameter",
    "aws_acm_",
    "aws_acmpca_",
    "aws_route53_zone",
    "aws_eks_addon",
    "aws_eks_access_",
    "aws_eks_pod_identity_",
    "aws_eks_identity_provider_config",
    "aws_caller_identity",
    "aws_partition",
    "aws_region",
    "aws_availability_zones",
    "aws_ecrpublic_",
    "kubernetes_",
    "helm_",
    "kubectl_",
    "random_",
    "tls_",
    "time_",
    "null_",
    "terraform_data",
    "local_",
)


def _resource_type(address: str) -> str:
    """The resource type of a Terraform address (``scope#module.a["k"].data.aws_x.y[0]``)."""
    address = re.sub(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]', "", address.split("#", 1)[-1])
    names = address.split(".")
    while len(names) > 2 and names[0] == "module":
        names = names[2:]
    if names and names[0] == "data":
        names = names[1:]
    return names[0] if len(names) >= 2 else ""


def _without_network(address: str) -> bool:
    kind = _resource_type(address)
    return bool(kind) and kind.startswith(_TYPES_WITHOUT_NETWORK)


def _carries_network(attribute: str) -> bool:
    """Whether an attribute of a cluster may carry the identity of its VPC, subnets or security
    groups (``vpc_config``, or the whole resource when the attribute is not recorded)."""
    head = attribute.split(".", 1)[0].split("[", 1)[0]
    return head not in _CLUSTER_ATTRIBUTES_WITHOUT_NETWORK


def in_scope(resources: list[Resource], scope: str) -> list[Resource]:
    return [r for r in resources if scope_of(r) == scope]


_DUPLICATE_KEYS: weakref.WeakKeyDictionary[Model, set[str]] = weakref.WeakKeyDictionary()


def ambiguous(model: Model, value: Any) -> bool:
    """True for a resource whose address several analyzed configurations define (root modules
    side by side): a reference to it may mean any of them, so nothing is concluded from it."""
    if not isinstance(value, Resource):
        return False
    if model not in _DUPLICATE_KEYS:
        seen: set[str] = set()
        _DUPLICATE_KEYS[model] = {r.key for r in model.resources if r.key in seen or seen.add(r.key)}
    return value.key in _DUPLICATE_KEYS[model]


def unambiguous(model: Model, value: Any) -> Any:
    """``value``, or an Unknown when it is a resource several configurations define."""
    if ambiguous(model, value):
        return Unknown(f"several analyzed configurations define {value.address}; analyze each configuration on its own")
    return value


@dataclass
class RouteTarget:
    kind: str  # a TARGET_NAMES key; "gateway" when it may be an internet or a VPN gateway
    value: Any  # the resource, a literal ID, or an Unknown

    @property
    def name(self) -> str:
        return TARGET_NAMES.get(self.kind, self.kind)

    @property
    def resource(self) -> Resource | None:
        return self.value if isinstance(self.value, Resource) else None


@dataclass
class RouteTable:
    """The route table in effect for a subnet."""

    vpc: Any  # Resource or Unknown
    table: Resource | None  # None: the VPC's default table, not declared in the files
    how: str  # "associated", "main", "default"
    routes: list[Resource] = field(default_factory=list)
    unsure: Unknown | None = None  # routes may exist that could not be placed

    @property
    def address(self) -> str:
        if self.table is not None:
            return self.table.address
        vpc = self.vpc.address if isinstance(self.vpc, Resource) else "the VPC"
        return f"the main route table of {vpc} (only the local route)"

    @property
    def anchor(self) -> Resource | None:
        return self.table

    def __str__(self) -> str:
        return self.address


def cluster_vpc(model: Model, cluster: Resource) -> Any:
    """The VPC of the cluster's subnets that are in the analyzed files: a VPC, None when no
    subnet is, Unknown when they name several VPCs or one that is not resolved."""
    subnets = model.attr(cluster, "subnets")
    if not isinstance(subnets, list):
        return subnets if isinstance(subnets, Unknown) else None
    found: list[Any] = []
    for subnet in subnets:
        if isinstance(subnet, Resource) and not ambiguous(model, subnet):
            vpc = unambiguous(model, model.attr(subnet, "vpc"))
            if not any(vpc is seen for seen in found):
                found.append(vpc)
    if len(found) > 1 or (found and not isinstance(found[0], Resource)):
        return Unknown(f"the VPC of the subnets of {cluster.address} is not known")
    return found[0] if found else None


@fact(kinds.CLUSTER, "home_vpc")
def cluster_home_vpc(model: Model, cluster: Resource) -> Any:
    """The one VPC of the cluster's subnets in the analyzed files (see ``cluster_vpc``)."""
    return cluster_vpc(model, cluster)


@fact(kinds.SUBNET, "home_vpc")
def subnet_home_vpc(model: Model, subnet: Resource) -> Any:
    """The subnet's VPC, or an Unknown when several analyzed configurations define it."""
    return unambiguous(model, model.attr(subnet, "vpc"))


# -- route tables ----------------------------------------------------------------------------------
def _vpc_default_table_ref(value: Any) -> Ref | None:
    """``aws_vpc.x.default_route_table_id`` / ``main_route_table_id``: the VPC's default table."""
    if isinstance(value, Ref) and value.attribute in DEFAULT_TABLE_ATTRIBUTES:
        return value
    return None


def _resolve_table(model: Model, value: Any) -> Any:
    """A route table reference as a RouteTable-to-be: a declared table resource, a VPC (its
    default table), or an Unknown."""
    ref = _vpc_default_table_ref(value)
    if ref is not None:
        vpc = model.follow(ref, kinds.VPC)
        if isinstance(vpc, Resource):
            return unambiguous(model, vpc)
    return unambiguous(model, model.follow(value, kinds.ROUTE_TABLE))


def _table_vpc(model: Model, table: Resource) -> Any:
    return model.attr(table, "vpc")


@fact(kinds.ROUTE_TABLE, "table_routes")
def table_routes(model: Model, table: Resource) -> list[Resource]:
    """The routes declared in or for this table (inline blocks and standalone routes)."""
    routes = referrers(model, (kinds.ROUTE,), table, attribute("route_table"), "route-table")
    if table.get("main") is True:  # adopted default table: routes added through the VPC too
        vpc = _table_vpc(model, table)
        if isinstance(vpc, Resource):
            routes += [r for r in _routes_to_vpc_default(model, vpc) if r not in routes]
    return routes


def _routes_to_vpc_default(model: Model, vpc: Resource) -> list[Resource]:
    return referrers(model, (kinds.ROUTE,), vpc, _route_default_table_vpc, "route-default-table-vpc")


def _route_default_table_vpc(model: Model, route: Resource) -> Any:
    """The VPC whose default route table the route names through the VPC, else None."""
    if _vpc_default_table_ref(route.get("route_table")) is None:
        return None
    return _resolve_table(model, route.get("route_table"))


def _unplaced_routes(model: Model, scope: str) -> Unknown | None:
    """A route (possibly a default route) whose table is not resolvable may belong to any
    table of its configuration."""
    for route in in_scope(model.of_kind(kinds.ROUTE), scope):
        table = _resolve_table(model, route.get("route_table"))
        if isinstance(table, Resource):
            continue
        destination = route.get("destination")
        if destination == DEFAULT_IPV4 or is_unknown(destination):
            return Unknown(
                f"{route.address} adds a route to a table that is not resolved ({getattr(table, 'reason', table)})"
            )
    return None


def _propagation(model: Model, table: Resource | None, vpc: Any, scope: str) -> Unknown | None:
    """Routes a virtual private gateway propagates are only known at run time."""
    if table is not None:
        vgws = table.get("propagating_vgws")
        if is_unknown(vgws) or (isinstance(vgws, list) and vgws):
            return Unknown(f"{table.address} receives routes propagated from a virtual private gateway")
    for propagation in in_scope(model.of_kind(kinds.ROUTE_PROPAGATION), scope):
        tables = propagation.get("route_tables")
        for value in tables if isinstance(tables, list) else [tables]:
            target = _resolve_table(model, value)
            reaches_default = target is vpc and (table is None or table.get("main") is True)
            if target is table or reaches_default or not isinstance(target, Resource):
                return Unknown(f"{propagation.address} propagates routes from a virtual private gateway")
    return None


def _view(model: Model, table: Resource | None, vpc: Any, how: str) -> RouteTable:
    scope = scope_of(table if table is not None else vpc)
    if table is None:
        routes = _routes_to_vpc_default(model, vpc) if isinstance(vpc, Resource) else []
    else:
        routes = model.attr(table, "table_routes")
    unsure = either(
        _unplaced_routes(model, scope),
        _propagation(model, table, vpc, scope),
        unresolved_modules(model, scope, "routes", vpc),
    )
    if table is not None and is_unknown(table.get("routes")):
        unsure = either(unsure, Unknown(f"the routes of {table.address} are not known"))
    return RouteTable(vpc=vpc, table=table, how=how, routes=routes, unsure=unsure)


@fact(kinds.VPC, "default_route_table")
def vpc_default_route_table(model: Model, vpc: Resource) -> Resource | None:
    """The adopted default table (``aws_default_route_table``), None when left alone."""
    adopted = referrers(model, (kinds.ROUTE_TABLE,), vpc, _adopted_default_table_vpc, "default-route-table-vpc")
    return adopted[0] if adopted else None


def _adopted_default_table_vpc(model: Model, table: Resource) -> Any:
    return _table_vpc(model, table) if table.get("main") is True else None


@fact(kinds.VPC, "main_route_table")
def vpc_main_route_table(model: Model, vpc: Resource) -> Any:
    """The main route table in effect: RouteTable, or Unknown."""
    if vpc.framework == "eksctl":
        return Unknown("eksctl builds the route tables of the VPC it creates")
    for association in model.of_kind(kinds.MAIN_ROUTE_TABLE_ASSOCIATION):
        if model.attr(association, "vpc") is not vpc:
            continue
        table = _resolve_table(model, association.get("route_table"))
        if isinstance(table, Unknown):
            return Unknown(f"the main route table of {vpc.address} is not resolved ({table.reason})")
        if table is vpc:
            break  # the default table made main again
        return _view(model, table, vpc, "main")
    default = model.attr(vpc, "default_route_table")
    return _view(model, default, vpc, "main")


def _explicit_association(model: Model, subnet: Resource) -> tuple[Any, Unknown | None]:
    """(the associated table reference, an association that might be this subnet's)."""
    explicit = referrers(model, (kinds.ROUTE_TABLE_ASSOCIATION,), subnet, attribute("subnet"), "association-subnet")
    if explicit:
        return explicit[0].get("route_table"), None
    maybe: Unknown | None = None
    for association in model.of_kind(kinds.ROUTE_TABLE_ASSOCIATION):
        target = model.attr(association, "subnet")
        if scope_of(association) != scope_of(subnet):
            continue
        if target is None:
            continue  # a gateway (edge) association
        if not isinstance(target, Resource):
            maybe = either(
                maybe,
                Unknown(
                    f"{association.address} associates a subnet that is "
                    f"not resolved ({getattr(target, 'reason', target)})"
                ),
            )
    return None, maybe


@fact(kinds.SUBNET, "route_table")
def subnet_route_table(model: Model, subnet: Resource) -> Any:
    """The route table in effect for this subnet (RouteTable), or Unknown."""
    if subnet.framework == "eksctl":
        return Unknown("eksctl builds the route tables of the subnets it creates")
    reference, maybe = _explicit_association(model, subnet)
    vpc = unambiguous(model, model.attr(subnet, "vpc"))
    if reference is not None:
        table = _resolve_table(model, reference)
        if isinstance(table, Unknown):
            return Unknown(
                f"the route table associated with {subnet.address} is not in the analyzed files ({table.reason})"
            )
        if table.kind == kinds.VPC:
            default = model.attr(table, "default_route_table")
            return _view(model, default, table, "associated")
        return _view(model, table, _table_vpc(model, table), "associated")
    if maybe is not None:
        return maybe
    if not isinstance(vpc, Resource):
        return Unknown(
            f"{subnet.address} has no explicit route table association and its VPC is "
            f"not in the analyzed files, so its main route table is not known"
        )
    return model.attr(vpc, "main_route_table")


# -- default routes and subnet classes -------------------------------------------------------------
def route_target(model: Model, route: Resource) -> RouteTarget | None:
    """What the route forwards to; None when it names no target."""
    for name in TARGET_FIELDS:
        value = route.get(name)
        if value is None:
            continue
        if name == "gateway":
            return _gateway_target(model, value)
        if name == "nat_gateway":
            return RouteTarget(name, unambiguous(model, model.follow(value, kinds.NAT_GATEWAY)))
        if name == "egress_only_gateway":
            return RouteTarget(name, model.follow(value, kinds.EGRESS_ONLY_INTERNET_GATEWAY))
        return RouteTarget(name, value)
    return None


def _gateway_target(model: Model, value: Any) -> RouteTarget:
    """``gateway_id`` / ``GatewayId`` names an internet gateway, a VPN gateway or ``local``."""
    if value == LOCAL:
        return RouteTarget(LOCAL, value)
    for kind, target_kind in ((INTERNET_GATEWAY, kinds.INTERNET_GATEWAY), (VPN_GATEWAY, kinds.VPN_GATEWAY)):
        found = model.follow(value, target_kind)
        if isinstance(found, Resource):
            return RouteTarget(kind, unambiguous(model, found))
    if isinstance(value, str) and value.startswith("igw-"):
        return RouteTarget(INTERNET_GATEWAY, value)
    if isinstance(value, str) and value.startswith("vgw-"):
        return RouteTarget(VPN_GATEWAY, value)
    reason = value.reason if isinstance(value, Unknown) else f"{value!r} is not in the analyzed files"
    return RouteTarget("gateway", Unknown(reason))


def _default_route(model: Model, subnet: Resource, destination_field: str, default: str) -> Any:
    table = model.attr(subnet, "route_table")
    if isinstance(table, Unknown):
        return table
    unknown_destination = None
    for route in table.routes:
        destination = route.get(destination_field)
        if destination == default:
            return route
        if is_unknown(destination):
            unknown_destination = route
    if unknown_destination is not None:
        return Unknown(f"the destination of {unknown_destination.address} is not known")
    if table.unsure is not None:
        return table.unsure
    return None


@fact(kinds.SUBNET, "default_route")
def subnet_default_route(model: Model, subnet: Resource) -> Any:
    """The route for 0.0.0.0/0 in the subnet's route table: a route, None, or Unknown."""
    return _default_route(model, subnet, "destination", DEFAULT_IPV4)


@fact(kinds.SUBNET, "default_route_ipv6")
def subnet_default_route_ipv6(model: Model, subnet: Resource) -> Any:
    return _default_route(model, subnet, "destination_ipv6", DEFAULT_IPV6)


@fact(kinds.SUBNET, "egress_class")
def subnet_egress_class(model: Model, subnet: Resource) -> Any:
    """public / NAT-egress / isolated, or Unknown."""
    if subnet.framework == "eksctl":
        return _eksctl_subnet_class(subnet)
    route = model.attr(subnet, "default_route")
    if route is None:
        return ISOLATED
    if isinstance(route, Unknown):
        return route
    target = route_target(model, route)
    if target is None:
        return Unknown(f"{route.address} names no target")
    if target.kind == INTERNET_GATEWAY:
        return PUBLIC
    if target.kind in NAT_LIKE:
        return NAT
    if target.kind == LOCAL:
        return ISOLATED
    return Unknown(f"the target of {route.address} is not known ({_reason(target.value)})")


def _eksctl_subnet_class(subnet: Resource) -> Any:
    """eksctl's own subnets: public ones route to its internet gateway; private ones to its
    NAT gateway, unless vpc.nat.gateway is Disable or the cluster is fully private."""
    if subnet.get("eksctl_access") == "public":
        return PUBLIC
    private_cluster = subnet.get("private_cluster")
    if private_cluster is True:
        return ISOLATED
    if is_unknown(private_cluster):
        return private_cluster
    nat = subnet.get("nat_gateway")
    if is_unknown(nat):
        return nat
    return ISOLATED if nat == "Disable" else NAT


def _reason(value: Any) -> str:
    return value.reason if isinstance(value, Unknown) else str(value)


@fact(kinds.ROUTE, "vpc")
def route_vpc(model: Model, route: Resource) -> Any:
    table = _resolve_table(model, route.get("route_table"))
    if isinstance(table, Resource) and table.kind == kinds.VPC:
        return table
    return model.attr(table, "vpc") if isinstance(table, Resource) else table


@fact(kinds.ROUTE, "target")
def route_target_fact(model: Model, route: Resource) -> RouteTarget | None:
    return route_target(model, route)


# Route targets that carry traffic to another VPC
PRIVATE_PATH_TARGETS = ("vpc_peering_connection", "transit_gateway", "core_network")


@predicate("routing.routes_privately")
def routes_privately(model: Model, subnet: Any, cidr: Any) -> Any:
    """Whether the subnet's route table sends all of ``cidr`` over a VPC peering connection,
    a transit gateway or a Cloud WAN core network: True, False (no route does), or Unknown
    (a route table, a destination or ``cidr`` that is not known)."""
    if not isinstance(subnet, Resource):
        return subnet if isinstance(subnet, Unknown) else Unknown("the subnet is not known")
    table = model.attr(subnet, "route_table")
    if isinstance(table, Unknown):
        return table
    if isinstance(cidr, Unknown):
        return cidr
    if not isinstance(cidr, str):
        return Unknown("the destination CIDR block is not known")
    wanted = ipaddress.ip_network(cidr, strict=False)
    for route in table.routes:
        destination = route.get("destination")
        if is_unknown(destination):
            return Unknown(f"the destination of {route.address} is not known")
        try:
            covers = destination is not None and wanted.subnet_of(ipaddress.ip_network(str(destination), strict=False))
        except (ValueError, TypeError):
            covers = False
        target = route_target(model, route)
        if covers and target is not None and target.kind in PRIVATE_PATH_TARGETS:
            return True
    return table.unsure if table.unsure is not None else False
