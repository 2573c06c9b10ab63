"""Terraform resource instances -> canonical resources, with the AWS provider's defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analyzer.discovery import display_path
from analyzer.kubernetes.aws_auth import FULL, PARTIAL, aws_auth_resource
from analyzer.model import kinds as k
from analyzer.model.resource import Resource
from analyzer.normalize import FieldMap, apply_mapping, constant, dig, first_of, issuer_cluster, single_list
from analyzer.terraform import reads
from analyzer.terraform.budgets import MAX_MODULE_DEPTH, MAX_MODULE_INSTANCES
from analyzer.terraform.module import is_local_source, load_module_definition
from analyzer.terraform.sources import read_modules_manifest
from analyzer.terraform.types import TfBlock, TfConfiguration
from analyzer.values import Ref, Unknown, identity_text, scope_refs


def _blocks(data: dict, name: str) -> list[dict]:
    value = data.get(name)
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _ami_filters(filter_name: str):
    """The values of ``filter { name = <filter_name> }`` blocks of a ``data "aws_ami"``."""

    def read(data: dict) -> list[Any] | None:
        return _filter_values(data, filter_name)

    return read


def _filter_values(data: dict, filter_name: str) -> list[Any] | None:
    found: list[Any] = []
    for block in _blocks(data, "filter"):
        if block.get("name") != filter_name:
            continue
        values = block.get("values")
        if isinstance(values, list):
            found.extend(values)
        elif values is not None:
            found.append(values)
    return found or None


def _inline_policies(data: dict) -> list[Any]:
    return [b.get("policy") for b in _blocks(data, "inline_policy") if b.get("policy") is not None]


def _launch_template_security_groups(data: dict) -> Any:
    groups = data.get("vpc_security_group_ids")
    if isinstance(groups, Unknown):
        return groups
    interfaces = data.get("network_interfaces")
    if isinstance(interfaces, Unknown):  # a dynamic block over an unknown collection
        return interfaces
    found = list(groups or [])
    for interface in _blocks(data, "network_interfaces"):
        extra = interface.get("security_groups")
        if isinstance(extra, Unknown):
            return extra
        found.extend(extra or [])
    return _distinct_groups(found) or None


def _distinct_groups(groups: list[Any]) -> list[Any]:
    """Each security group once: EFA launch templates give every network interface (one per
    network card) the same groups, which are still one group each on the node."""
    seen: set[str] = set()
    distinct = []
    for group in groups:
        identity = identity_text(group)
        if identity is not None and identity in seen:
            continue
        if identity is not None:
            seen.add(identity)
        distinct.append(group)
    return distinct


def _pod_identity_associations(data: dict) -> list[dict] | None:
    associations = [
        {"service_account": b.get("service_account"), "role": b.get("role_arn")}
        for b in _blocks(data, "pod_identity_association")
    ]
    return associations or None


def _remote_cidrs(kind: str):
    """All ``cidrs`` of ``remote_network_config { <kind> { cidrs = [...] } }`` (hybrid nodes)."""

    def read(data: dict) -> Any:
        found: list[Any] = []
        for config in _blocks(data, "remote_network_config"):
            for network in _blocks(config, kind):
                cidrs = network.get("cidrs")
                if cidrs is not None and not isinstance(cidrs, list):
                    return cidrs  # unresolved
                found.extend(cidrs or [])
        return found or None

    return read


def _asg_launch_template(data: dict) -> Any:
    return first_of(
        "launch_template.0.id",
        "launch_template.0.name",
        "mixed_instances_policy.0.launch_template.0.launch_template_specification.0.launch_template_id",
        "mixed_instances_policy.0.launch_template.0.launch_template_specification.0.launch_template_name",
        "launch_configuration",
    )(data)


def _asg_instance_types(data: dict) -> Any:
    """Instance types of a mixed instances policy, which override the launch template's."""
    policies = _blocks(data, "mixed_instances_policy")
    if not policies:
        return None
    overrides = [o for t in _blocks(policies[0], "launch_template") for o in _blocks(t, "override")]
    types = [o.get("instance_type") for o in overrides if o.get("instance_type") is not None]
    if types and len(types) == len(overrides):
        return types
    return Unknown("the Auto Scaling group picks instance types by instance requirements")


def _asg_tags(data: dict) -> dict[str, Any]:
    """ASG tags that reach instances (propagate_at_launch)."""
    tags: dict[str, Any] = {}
    for tag in _blocks(data, "tag"):
        if tag.get("propagate_at_launch") is not False:
            tags[str(tag.get("key"))] = tag.get("value")
    return tags


def _asg_tag_list(data: dict) -> Any:
    """Every ASG tag with its propagate_at_launch flag, from ``tag`` blocks and the older
    ``tags`` list argument; Unknown when a dynamic ``tag`` block cannot be expanded."""
    blocks, legacy = data.get("tag"), data.get("tags")
    for value in (blocks, legacy):
        if isinstance(value, Unknown):
            return value
    listed = [t for t in legacy if isinstance(t, dict)] if isinstance(legacy, list) else []
    return [
        {"key": tag.get("key"), "value": tag.get("value"), "propagate_at_launch": tag.get("propagate_at_launch")}
        for tag in _blocks(data, "tag") + listed
    ] or None


def _block_count(name: str):
    """How many ``name`` blocks are written (None when there are none)."""

    def read(data: dict) -> Any:
        value = data.get(name)
        if isinstance(value, Unknown):
            return value
        return len(_blocks(data, name)) or None

    return read


# Route targets: canonical field -> argument (the same in aws_route and inline route blocks).
_ROUTE_TARGETS = {
    "gateway": "gateway_id",
    "nat_gateway": "nat_gateway_id",
    "transit_gateway": "transit_gateway_id",
    "egress_only_gateway": "egress_only_gateway_id",
    "network_interface": "network_interface_id",
    "vpc_peering_connection": "vpc_peering_connection_id",
    "vpc_endpoint": "vpc_endpoint_id",
    "carrier_gateway": "carrier_gateway_id",
    "local_gateway": "local_gateway_id",
    "core_network": "core_network_arn",
}

_INLINE_ROUTE = FieldMap(
    k.ROUTE,
    {
        "destination": "cidr_block",
        "destination_ipv6": "ipv6_cidr_block",
        "destination_prefix_list": "destination_prefix_list_id",
        "instance": "instance_id",
        **_ROUTE_TARGETS,
    },
)


def _inline_acl_entry(egress: bool) -> FieldMap:
    return FieldMap(
        k.NETWORK_ACL_RULE,
        {
            "rule_number": "rule_no",
            "egress": constant(egress),
            "protocol": "protocol",
            "action": "action",
            "cidr_block": "cidr_block",
            "ipv6_cidr_block": "ipv6_cidr_block",
            "from_port": "from_port",
            "to_port": "to_port",
        },
    )


# Nested blocks that are resources of their own in the canonical model:
# resource type -> [(block name, mapping, canonical field naming the parent)]
INLINE_CHILDREN: dict[str, list[tuple[str, FieldMap, str]]] = {
    "aws_route_table": [("route", _INLINE_ROUTE, "route_table")],
    "aws_default_route_table": [("route", _INLINE_ROUTE, "route_table")],
    "aws_network_acl": [
        ("ingress", _inline_acl_entry(False), "network_acl"),
        ("egress", _inline_acl_entry(True), "network_acl"),
    ],
    "aws_default_network_acl": [
        ("ingress", _inline_acl_entry(False), "network_acl"),
        ("egress", _inline_acl_entry(True), "network_acl"),
    ],
}


MAPPINGS: dict[str, FieldMap] = {
    "aws_vpc": FieldMap(
        k.VPC,
        {
            "cidr_block": "cidr_block",
            "enable_dns_support": "enable_dns_support",
            "enable_dns_hostnames": "enable_dns_hostnames",
            "tags": "tags",
        },
        defaults={"enable_dns_support": True, "enable_dns_hostnames": False},
    ),
    "aws_subnet": FieldMap(
        k.SUBNET,
        {
            "vpc": "vpc_id",
            "cidr_block": "cidr_block",
            "availability_zone": "availability_zone",
            "map_public_ip_on_launch": "map_public_ip_on_launch",
            "tags": "tags",
            "ipv6_cidr_block": "ipv6_cidr_block",
            "assign_ipv6_address_on_creation": "assign_ipv6_address_on_creation",
            "availability_zone_id": "availability_zone_id",
        },
        defaults={"map_public_ip_on_launch": False},
    ),
    "aws_eks_cluster": FieldMap(
        k.CLUSTER,
        {
            "name": "name",
            "role": "role_arn",
            "version": "version",
            "subnets": "vpc_config.0.subnet_ids",
            "security_groups": "vpc_config.0.security_group_ids",
            "endpoint_private_access": "vpc_config.0.endpoint_private_access",
            "endpoint_public_access": "vpc_config.0.endpoint_public_access",
            "public_access_cidrs": "vpc_config.0.public_access_cidrs",
            "authentication_mode": "access_config.0.authentication_mode",
            "bootstrap_self_managed_addons": "bootstrap_self_managed_addons",
            "ip_family": "kubernetes_network_config.0.ip_family",
            "service_cidr": first_of(
                "kubernetes_network_config.0.service_ipv4_cidr", "kubernetes_network_config.0.service_ipv6_cidr"
            ),
            "auto_mode": "compute_config.0.enabled",
            "auto_mode_node_role": "compute_config.0.node_role_arn",
            "auto_mode_node_pools": "compute_config.0.node_pools",
            "auto_mode_load_balancing": "kubernetes_network_config.0.elastic_load_balancing.0.enabled",
            "auto_mode_block_storage": "storage_config.0.block_storage.0.enabled",
            "bootstrap_cluster_creator_admin_permissions": "access_config.0.bootstrap_cluster_creator_admin_permissions",
            "remote_node_cidrs": _remote_cidrs("remote_node_networks"),
            "remote_pod_cidrs": _remote_cidrs("remote_pod_networks"),
        },
        defaults={
            "endpoint_private_access": False,
            "endpoint_public_access": True,
            "public_access_cidrs": ["0.0.0.0/0"],
            "authentication_mode": "CONFIG_MAP",
            "bootstrap_self_managed_addons": True,
            "ip_family": "ipv4",
            "auto_mode": False,
            "bootstrap_cluster_creator_admin_permissions": True,
        },
        identities=("name",),
    ),
    "aws_eks_node_group": FieldMap(
        k.NODEGROUP,
        {
            "name": first_of("node_group_name", "node_group_name_prefix"),
            "cluster": "cluster_name",
            "role": "node_role_arn",
            "subnets": "subnet_ids",
            "launch_template": first_of("launch_template.0.id", "launch_template.0.name"),
            "launch_template_version": "launch_template.0.version",
            "ami_type": "ami_type",
            "release_version": "release_version",
            "version": "version",
            "disk_size": "disk_size",
            "remote_access": "remote_access",
            "instance_types": "instance_types",
            "capacity_type": "capacity_type",
            "labels": "labels",
            "name_prefix": "node_group_name_prefix",
        },
        identities=("name",),
    ),
    "aws_eks_fargate_profile": FieldMap(
        k.FARGATE,
        {
            "cluster": "cluster_name",
            "name": "fargate_profile_name",
            "role": "pod_execution_role_arn",
            "subnets": "subnet_ids",
        },
    ),
    "aws_eks_addon": FieldMap(
        k.ADDON,
        {
            "cluster": "cluster_name",
            "name": "addon_name",
            "service_account_role": "service_account_role_arn",
            "pod_identity_associations": _pod_identity_associations,
        },
    ),
    "aws_eks_pod_identity_association": FieldMap(
        k.POD_IDENTITY,
        {"cluster": "cluster_name", "namespace": "namespace", "service_account": "service_account", "role": "role_arn"},
    ),
    "aws_eks_access_entry": FieldMap(
        k.ACCESS_ENTRY,
        {
            "cluster": "cluster_name",
            "principal_arn": "principal_arn",
            "type": "type",
            "kubernetes_groups": "kubernetes_groups",
        },
        defaults={"type": "STANDARD"},
    ),
    "aws_iam_role": FieldMap(
        k.IAM_ROLE,
        {
            "name": "name",
            "path": "path",
            "assume_role_policy": "assume_role_policy",
            "managed_policy_arns": "managed_policy_arns",
            "inline_policies": _inline_policies,
        },
        defaults={"path": "/"},
        identities=("name",),
        identity_prefix="role-name:",
    ),
    "aws_iam_role_policy_attachment": FieldMap(k.ROLE_POLICY_ATTACHMENT, {"role": "role", "policy_arn": "policy_arn"}),
    "aws_iam_role_policy": FieldMap(k.ROLE_INLINE_POLICY, {"role": "role", "document": "policy"}),
    "aws_iam_policy": FieldMap(
        k.IAM_POLICY, {"name": "name", "document": "policy"}, identities=("name",), identity_prefix="policy-name:"
    ),
    "aws_iam_openid_connect_provider": FieldMap(
        k.OIDC_PROVIDER,
        {"url": "url", "client_ids": "client_id_list", "cluster": issuer_cluster("url", "identity.0.oidc.0.issuer")},
    ),
    "aws_iam_instance_profile": FieldMap(
        k.INSTANCE_PROFILE, {"name": "name", "role": "role"}, identities=("name",), identity_prefix="profile-name:"
    ),
    "aws_launch_template": FieldMap(
        k.LAUNCH_TEMPLATE,
        {
            "name": "name",
            "image_id": "image_id",
            "user_data": "user_data",
            "instance_profile": first_of("iam_instance_profile.0.name", "iam_instance_profile.0.arn"),
            "security_groups": _launch_template_security_groups,
            "network_interfaces": "network_interfaces",
            "instance_type": "instance_type",
            "metadata_http_endpoint": "metadata_options.0.http_endpoint",
            "tag_specifications": "tag_specifications",
            "shutdown_behavior": "instance_initiated_shutdown_behavior",
            "hibernation": "hibernation_options.0.configured",
            "network_interface_count": _block_count("network_interfaces"),
            "associate_public_ip_address": "network_interfaces.0.associate_public_ip_address",
        },
        defaults={"metadata_http_endpoint": "enabled"},
        identities=("name",),
    ),
    "aws_launch_configuration": FieldMap(
        k.LAUNCH_TEMPLATE,
        {
            "name": "name",
            "image_id": "image_id",
            "user_data": "user_data",
            "instance_profile": "iam_instance_profile",
            "security_groups": "security_groups",
            "instance_type": "instance_type",
            "associate_public_ip_address": "associate_public_ip_address",
        },
        identities=("name",),
    ),
    "aws_autoscaling_group": FieldMap(
        k.SELF_MANAGED,
        {
            "name": "name",
            "subnets": "vpc_zone_identifier",
            "launch_template": _asg_launch_template,
            "tags": _asg_tags,
            "asg_tags": _asg_tag_list,
            "instance_types": _asg_instance_types,
        },
    ),
    "aws_instance": FieldMap(
        k.SELF_MANAGED,
        {
            "subnets": first_of("subnet_id"),
            "image_id": "ami",
            "user_data": "user_data",
            "instance_profile": "iam_instance_profile",
            "launch_template": first_of("launch_template.0.id", "launch_template.0.name"),
            "security_groups": "vpc_security_group_ids",
            "tags": "tags",
            "instance_types": single_list("instance_type"),
            "metadata_http_endpoint": "metadata_options.0.http_endpoint",
            "associate_public_ip_address": "associate_public_ip_address",
        },
        defaults={"metadata_http_endpoint": "enabled"},
    ),
    "aws_security_group": FieldMap(
        k.SECURITY_GROUP, {"name": "name", "vpc": "vpc_id", "ingress": "ingress", "egress": "egress", "tags": "tags"}
    ),
    # Adopting the VPC's default SG removes all of its rules; only the declared ones remain.
    "aws_default_security_group": FieldMap(
        k.SECURITY_GROUP,
        {"vpc": "vpc_id", "ingress": "ingress", "egress": "egress", "tags": "tags", "vpc_default": constant(True)},
    ),
    "aws_security_group_rule": FieldMap(
        k.SECURITY_GROUP_RULE,
        {
            "security_group": "security_group_id",
            "direction": "type",
            "protocol": "protocol",
            "from_port": "from_port",
            "to_port": "to_port",
            "cidrs": "cidr_blocks",
            "ipv6_cidrs": "ipv6_cidr_blocks",
            "prefix_lists": "prefix_list_ids",
            "source_security_group": "source_security_group_id",
            "self": "self",
        },
    ),
    "aws_vpc_security_group_ingress_rule": FieldMap(
        k.SECURITY_GROUP_RULE,
        {
            "security_group": "security_group_id",
            "direction": constant("ingress"),
            "protocol": "ip_protocol",
            "from_port": "from_port",
            "to_port": "to_port",
            "cidrs": single_list("cidr_ipv4"),
            "ipv6_cidrs": single_list("cidr_ipv6"),
            "prefix_lists": single_list("prefix_list_id"),
            "source_security_group": "referenced_security_group_id",
        },
    ),
    "aws_vpc_security_group_egress_rule": FieldMap(
        k.SECURITY_GROUP_RULE,
        {
            "security_group": "security_group_id",
            "direction": constant("egress"),
            "protocol": "ip_protocol",
            "from_port": "from_port",
            "to_port": "to_port",
            "cidrs": single_list("cidr_ipv4"),
            "ipv6_cidrs": single_list("cidr_ipv6"),
            "prefix_lists": single_list("prefix_list_id"),
            "source_security_group": "referenced_security_group_id",
        },
    ),
    "aws_vpc_endpoint": FieldMap(
        k.VPC_ENDPOINT,
        {
            "vpc": "vpc_id",
            "service_name": "service_name",
            "endpoint_type": "vpc_endpoint_type",
            "private_dns_enabled": "private_dns_enabled",
            "subnets": "subnet_ids",
            "security_groups": "security_group_ids",
            "route_tables": "route_table_ids",
            "policy": "policy",
        },
        defaults={"endpoint_type": "Gateway", "private_dns_enabled": False},
    ),
    "aws_internet_gateway": FieldMap(k.INTERNET_GATEWAY, {"vpc": "vpc_id"}),
    "aws_nat_gateway": FieldMap(
        k.NAT_GATEWAY,
        {"subnet": "subnet_id", "allocation_id": "allocation_id", "connectivity_type": "connectivity_type"},
        defaults={"connectivity_type": "public"},
    ),
    "aws_route_table": FieldMap(
        k.ROUTE_TABLE, {"vpc": "vpc_id", "routes": "route", "propagating_vgws": "propagating_vgws"}
    ),
    # The VPC's default route table (its main table unless another is made main); the
    # provider replaces its routes with the declared ones.
    "aws_default_route_table": FieldMap(
        k.ROUTE_TABLE,
        {
            "vpc": "default_route_table_id",
            "routes": "route",
            "propagating_vgws": "propagating_vgws",
            "main": constant(True),
        },
    ),
    "aws_route": FieldMap(
        k.ROUTE,
        {
            "route_table": "route_table_id",
            "destination": "destination_cidr_block",
            "destination_ipv6": "destination_ipv6_cidr_block",
            "destination_prefix_list": "destination_prefix_list_id",
            "instance": "instance_id",
            **_ROUTE_TARGETS,
        },
    ),
    "aws_main_route_table_association": FieldMap(
        k.MAIN_ROUTE_TABLE_ASSOCIATION, {"vpc": "vpc_id", "route_table": "route_table_id"}
    ),
    "aws_vpn_gateway_route_propagation": FieldMap(
        k.ROUTE_PROPAGATION, {"route_tables": single_list("route_table_id"), "vpn_gateway": "vpn_gateway_id"}
    ),
    "aws_internet_gateway_attachment": FieldMap(
        k.GATEWAY_ATTACHMENT, {"vpc": "vpc_id", "internet_gateway": "internet_gateway_id"}
    ),
    "aws_vpn_gateway": FieldMap(k.VPN_GATEWAY, {"vpc": "vpc_id"}),
    "aws_vpn_gateway_attachment": FieldMap(k.GATEWAY_ATTACHMENT, {"vpc": "vpc_id", "vpn_gateway": "vpn_gateway_id"}),
    "aws_egress_only_internet_gateway": FieldMap(k.EGRESS_ONLY_INTERNET_GATEWAY, {"vpc": "vpc_id"}),
    "aws_vpc_endpoint_subnet_association": FieldMap(
        k.VPC_ENDPOINT_ASSOCIATION, {"endpoint": "vpc_endpoint_id", "subnet": "subnet_id"}
    ),
    "aws_vpc_endpoint_route_table_association": FieldMap(
        k.VPC_ENDPOINT_ASSOCIATION, {"endpoint": "vpc_endpoint_id", "route_table": "route_table_id"}
    ),
    "aws_vpc_endpoint_security_group_association": FieldMap(
        k.VPC_ENDPOINT_ASSOCIATION,
        {
            "endpoint": "vpc_endpoint_id",
            "security_group": "security_group_id",
            "replace_default_association": "replace_default_association",
        },
    ),
    "aws_vpc_endpoint_private_dns": FieldMap(
        k.VPC_ENDPOINT_ASSOCIATION, {"endpoint": "vpc_endpoint_id", "private_dns_enabled": "private_dns_enabled"}
    ),
    "aws_network_acl": FieldMap(k.NETWORK_ACL, {"vpc": "vpc_id", "subnets": "subnet_ids"}),
    # Adopting the VPC's default network ACL removes its rules; only the declared ones remain.
    "aws_default_network_acl": FieldMap(
        k.NETWORK_ACL, {"vpc": "default_network_acl_id", "subnets": "subnet_ids", "default": constant(True)}
    ),
    "aws_network_acl_rule": FieldMap(
        k.NETWORK_ACL_RULE,
        {
            "network_acl": "network_acl_id",
            "rule_number": "rule_number",
            "egress": "egress",
            "protocol": "protocol",
            "action": "rule_action",
            "cidr_block": "cidr_block",
            "ipv6_cidr_block": "ipv6_cidr_block",
            "from_port": "from_port",
            "to_port": "to_port",
        },
        defaults={"egress": False},
    ),
    "aws_network_acl_association": FieldMap(
        k.NETWORK_ACL_ASSOCIATION, {"network_acl": "network_acl_id", "subnet": "subnet_id"}
    ),
    "aws_vpc_dhcp_options_association": FieldMap(
        k.DHCP_OPTIONS_ASSOCIATION, {"vpc": "vpc_id", "dhcp_options": "dhcp_options_id"}
    ),
    "aws_route_table_association": FieldMap(
        k.ROUTE_TABLE_ASSOCIATION, {"subnet": "subnet_id", "route_table": "route_table_id"}
    ),
    "aws_vpc_dhcp_options": FieldMap(
        k.DHCP_OPTIONS, {"domain_name": "domain_name", "domain_name_servers": "domain_name_servers"}
    ),
}

# The provider treats an empty string as "not set" for these optional arguments
# (``image_id = ""`` launches with no AMI of the launch template's own).
EMPTY_MEANS_UNSET = {
    "aws_launch_template": ("image_id", "user_data"),
    "aws_launch_configuration": ("image_id", "user_data"),
}

# Arguments that stand in for a canonical field the configuration leaves out, e.g. the
# already-encoded form of user data.
ALTERNATIVE_SOURCES = {
    "aws_launch_configuration": {"user_data": "user_data_base64"},
    "aws_instance": {"user_data": "user_data_base64"},
}

# Data sources whose arguments tell what an AMI ID will be (the AMI family).
DATA_MAPPINGS: dict[str, FieldMap] = {
    "aws_ssm_parameter": FieldMap(k.SSM_PARAMETER, {"name": "name"}),
    "aws_ami": FieldMap(
        k.AMI_LOOKUP,
        {
            "name_filters": _ami_filters("name"),
            "image_id_filters": _ami_filters("image-id"),
            "name_regex": "name_regex",
            "owners": "owners",
            "most_recent": "most_recent",
        },
    ),
    # data sources that read one resource: data.aws_eks_cluster.x.id names aws_eks_cluster.y
    # when the run declares a cluster of that name (found in this root first)
    "aws_eks_cluster": FieldMap(k.LOOKUP, {"name": "name", "looks_up": constant(k.CLUSTER)}),
    "aws_iam_role": FieldMap(k.LOOKUP, {"name": "name", "looks_up": constant(k.IAM_ROLE)}),
    "aws_vpc": FieldMap(k.LOOKUP, {"id": "id", "looks_up": constant(k.VPC)}),
    "aws_subnet": FieldMap(k.LOOKUP, {"id": "id", "looks_up": constant(k.SUBNET)}),
    # what an endpoint's service_name = data.aws_vpc_endpoint_service.x.service_name names
    "aws_vpc_endpoint_service": FieldMap(
        k.VPC_ENDPOINT_SERVICE, {"service": "service", "service_name": "service_name"}
    ),
}

# The terraform-aws-modules EKS managed node group sub-module, recognised by the path its
# files have in every copy of the module (registry download or local checkout).
EKS_MODULE_MANAGED_NODE_GROUP = "terraform-aws-modules/eks-managed-node-group"
_EKS_MODULE_MANAGED_NODE_GROUP_DIR = "/modules/eks-managed-node-group/"
_EKS_MODULE_KARPENTER_DIR = "/modules/karpenter/"

# An ASG or instance is a node only if something ties it to EKS (node class SELF).
CANDIDATE_NODE_TYPES = {"aws_autoscaling_group", "aws_instance"}


AWS_AUTH_TYPES = {"kubernetes_config_map", "kubernetes_config_map_v1", "kubernetes_config_map_v1_data"}


def normalize(configuration: TfConfiguration) -> list[Resource]:
    """Canonical resources of one root module (or plan), keyed within that root: two roots
    in one scan may both declare ``aws_eks_cluster.main`` without one replacing the other."""
    scope = display_path(configuration.root)
    return [_scoped(resource, scope) for resource in _normalize(configuration)]


def _scoped(resource: Resource, scope: str) -> Resource:
    resource.key = f"{scope}#{resource.key}"
    resource.fields = {name: scope_refs(value, scope) for name, value in resource.fields.items()}
    if resource.creation is not None:
        resource.creation = resource.creation.scoped(scope)
    return resource


def _normalize(configuration: TfConfiguration) -> list[Resource]:
    resources = []
    for block in configuration.blocks:
        if block.mode == "data":
            if block.type in DATA_MAPPINGS:
                resources.append(to_resource(block, DATA_MAPPINGS[block.type]))
            continue
        if block.mode != "resource":
            continue
        if block.type in AWS_AUTH_TYPES:
            resources.extend(_aws_auth(block))
            continue
        if block.type in MANIFEST_TYPES:
            resources.extend(_node_classes(block))
            continue
        mapping = MAPPINGS.get(block.type)
        if mapping is not None:
            resources.append(to_resource(block, mapping))
            resources.extend(_inline_children(block, resources[-1]))
    return resources + _unresolved_modules(configuration)


def _unresolved_modules(configuration: TfConfiguration) -> list[Resource]:
    """Module calls whose code is not here (a registry module that is not downloaded): they
    may create routes, endpoints or attachments, so nothing may be concluded to be missing.

    The walk keeps to the evaluator's limits: no deeper than ``MAX_MODULE_DEPTH``, no more
    modules than ``MAX_MODULE_INSTANCES``, and not into a folder already being walked above
    (a module calling itself: four such calls were 4**16 walks, and the run never ended)."""
    root = configuration.root
    if not root.is_dir():  # plan JSON holds every resource of every module
        return []
    manifest = read_modules_manifest(root, root)
    found: list[Resource] = []
    walked = 0

    def visit(directory: Path, key_path: tuple[str, ...], depth: int, above: frozenset[Path]) -> None:
        nonlocal walked
        walked += 1
        if depth > MAX_MODULE_DEPTH or walked > MAX_MODULE_INSTANCES:  # the evaluator stopped there too
            return
        for name, call in load_module_definition(directory, Path.cwd()).module_calls.items():
            keys = key_path + (name,)
            local = reads.resolve(directory / call.source) if is_local_source(call.source) else None
            target = configuration.module_directories.get(".".join(keys)) or manifest.get(".".join(keys)) or local
            if target is not None and reads.is_dir(target):
                folder = reads.resolve(target)
                if folder not in above:  # a call closing a cycle: reported by the evaluator, not followed
                    visit(target, keys, depth + 1, above | {folder})
                continue
            address = "module." + ".module.".join(keys)
            module = Resource(
                kind=k.UNRESOLVED_MODULE,
                key=address,
                address=address,
                framework="terraform",
                source_type="module",
                location=call.block.location,
            )
            module.set("source", call.source, call.block.location)
            reach = configuration.unloaded_inputs.get(".".join(keys))
            if reach is not None and reach.anything is None:
                # Refs, so they are scoped to the root like every other reference
                module.set(
                    "reaches",
                    [
                        Ref(f"{t} is an input", target=t, attribute=attribute)
                        for t in sorted(reach.targets)
                        for attribute in sorted(reach.attributes.get(t) or {""})
                    ],
                )
            found.append(module)

    visit(root, (), 0, frozenset({reads.resolve(root)}))
    return found


def _inline_children(block: TfBlock, parent: Resource) -> list[Resource]:
    """Inline route / network ACL entry blocks as resources of their own, each at its line."""
    children = []
    for name, mapping, parent_field in INLINE_CHILDREN.get(block.type, ()):
        for index, data in enumerate(_blocks(block.attributes, name)):
            prefix = f"{name}.{index}"
            address = f"{block.address}.{name}[{index}]"
            child = Resource(
                kind=mapping.kind,
                key=address,
                address=address,
                framework="terraform",
                source_type=f"{block.type}.{name}",
                location=block.locations.get(prefix, block.location),
                module_call=block.module_call,
                module_call_address=block.module_call_address,
            )
            locations = {
                path[len(prefix) + 1 :]: where
                for path, where in block.locations.items()
                if path.startswith(prefix + ".")
            }
            apply_mapping(child, mapping, data, locations)
            child.set(parent_field, parent, child.location)
            child.set("inline", True)
            children.append(child)
    return children


def _aws_auth(block: TfBlock) -> list[Resource]:
    """kubernetes_config_map(_v1) replaces aws-auth whole; the _v1_data variant patches
    it, and owns it whole only with force = true."""
    metadata = dig(block.attributes, "metadata.0")
    if not isinstance(metadata, dict) or metadata.get("name") != "aws-auth":
        return []
    raw = block.attributes.get("data")
    data = raw if isinstance(raw, dict) else {"mapRoles": raw}
    partial = block.type == "kubernetes_config_map_v1_data" and block.attributes.get("force") is not True
    resource = aws_auth_resource(
        key=block.address,
        address=block.address,
        framework="terraform",
        source_type=block.type,
        location=block.location,
        map_roles=data.get("mapRoles"),
        map_users=data.get("mapUsers"),
        ownership=PARTIAL if partial else FULL,
        roles_location=block.locations.get("data.mapRoles", block.locations.get("data")),
    )
    resource.module_call, resource.module_call_address = block.module_call, block.module_call_address
    return [resource]


# Kubernetes manifests applied by Terraform: kubectl_manifest's yaml_body (YAML text, possibly
# several documents) and kubernetes_manifest's manifest (an object).
MANIFEST_TYPES = {"kubectl_manifest": "yaml_body", "kubernetes_manifest": "manifest"}


def _node_classes(block: TfBlock) -> list[Resource]:
    """The Karpenter EC2NodeClasses a manifest resource applies."""
    from analyzer.kubernetes.karpenter import is_ec2_node_class, node_class_resource, node_classes_in_text

    body = block.attributes.get(MANIFEST_TYPES[block.type])
    documents = [body] if is_ec2_node_class(body) else node_classes_in_text(body)
    found = []
    where = block.locations.get(MANIFEST_TYPES[block.type], block.location)
    for index, data in enumerate(documents):
        resource = node_class_resource(
            data,
            key=block.address if len(documents) == 1 else f"{block.address}#{index}",
            framework="terraform",
            source_type=block.type,
            location=block.location,
            field_locations={"spec.role": where, "spec.instanceProfile": where},
        )
        resource.address = f"{block.address} ({resource.address})"
        resource.module_call, resource.module_call_address = block.module_call, block.module_call_address
        found.append(resource)
    return found


def to_resource(block: TfBlock, mapping: FieldMap) -> Resource:
    resource = Resource(
        kind=mapping.kind,
        key=block.address,
        address=block.address,
        framework="terraform",
        source_type=block.type,
        location=block.location,
        module_call=block.module_call,
        module_call_address=block.module_call_address,
    )
    apply_mapping(resource, mapping, block.attributes, block.locations)
    resource.stands_for_each = block.note
    resource.creation = block.order
    for name, path in ALTERNATIVE_SOURCES.get(block.type, {}).items():
        value = block.attributes.get(path)
        if resource.fields.get(name) is None and value is not None:
            resource.set(name, value, block.locations.get(path, block.location))
    for name in EMPTY_MEANS_UNSET.get(block.type, ()):
        if resource.fields.get(name) == "":
            del resource.fields[name]
    if block.type in CANDIDATE_NODE_TYPES:
        resource.set("node_candidate", True)
    if (
        block.type == "aws_eks_node_group"
        and block.module_path
        and _EKS_MODULE_MANAGED_NODE_GROUP_DIR in "/" + block.location.path.replace("\\", "/")
    ):
        resource.set("created_by", EKS_MODULE_MANAGED_NODE_GROUP, block.location)
    if (
        block.type in ("aws_iam_role", "aws_eks_access_entry")
        and block.name == "node"
        and block.module_path
        and _EKS_MODULE_KARPENTER_DIR in "/" + block.location.path.replace("\\", "/")
    ):
        # the Karpenter sub-module's node IAM role and its access entry: a node role
        # although no node resource in the files runs it
        resource.set("created_by", k.KARPENTER_MODULE_NODE_ROLE, block.location)
    return resource
