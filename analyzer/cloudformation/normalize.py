"""CloudFormation resources -> canonical resources, with CloudFormation's defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import cache
from typing import Any

from analyzer import shapes
from analyzer.cloudformation.types import CfnResource, CfnTemplate
from analyzer.kubernetes.aws_auth import aws_auth_resource
from analyzer.location import Location
from analyzer.model import kinds as k
from analyzer.model.resource import Resource
from analyzer.normalize import MISSING, FieldMap, apply_mapping, constant, dig, first_of, issuer_cluster, single_list
from analyzer.values import Unknown


def _tags(data: dict) -> Any:
    """CloudFormation's [{Key, Value}] list as a mapping."""
    tags = data.get("Tags")
    if isinstance(tags, Unknown):
        return tags
    if not isinstance(tags, list):
        return None
    return {t.get("Key"): t.get("Value") for t in tags if isinstance(t, dict)}


def _asg_tags(data: dict) -> Any:
    tags = data.get("Tags")
    if not isinstance(tags, list):
        return None
    return {
        t.get("Key"): t.get("Value")
        for t in tags
        if isinstance(t, dict) and t.get("PropagateAtLaunch") not in (False, "false")
    }


def _asg_tag_list(data: dict) -> Any:
    """Every ASG tag with its PropagateAtLaunch flag (canonical key/value/propagate_at_launch)."""
    tags = data.get("Tags")
    if isinstance(tags, Unknown):
        return tags
    if not isinstance(tags, list):
        return None
    return [
        {"key": t.get("Key"), "value": t.get("Value"), "propagate_at_launch": t.get("PropagateAtLaunch")}
        for t in tags
        if isinstance(t, dict)
    ] or None


def _list_length(path: str):
    """How many items the list at ``path`` has (None when absent or empty)."""

    def read(data: dict) -> Any:
        value = dig(data, path)
        if isinstance(value, Unknown):
            return value
        return len(value) or None if isinstance(value, list) else None

    return read


def _asg_instance_types(data: dict) -> Any:
    """Instance types of a mixed instances policy, which override the launch template's."""
    policy = data.get("MixedInstancesPolicy")
    if policy is None:
        return None
    overrides = dig(policy, "LaunchTemplate.Overrides")
    if (
        isinstance(overrides, list)
        and overrides
        and all(isinstance(o, dict) and o.get("InstanceType") is not None for o in overrides)
    ):
        return [o["InstanceType"] for o in overrides]
    return Unknown("the Auto Scaling group's mixed instances policy decides the instance types")


def _inline_policies(data: dict) -> Any:
    policies = data.get("Policies")
    if isinstance(policies, Unknown):
        return [policies]
    if not isinstance(policies, list):
        return None
    return [p.get("PolicyDocument") for p in policies if isinstance(p, dict)]


def _lt_security_groups(data: dict) -> Any:
    groups = dig(data, "LaunchTemplateData.SecurityGroupIds")
    if groups is MISSING:
        groups = dig(data, "LaunchTemplateData.SecurityGroups")
    found = [] if groups is MISSING or groups is None else groups
    if isinstance(found, Unknown):
        return found
    interfaces = dig(data, "LaunchTemplateData.NetworkInterfaces")
    for interface in interfaces if isinstance(interfaces, list) else []:
        extra = interface.get("Groups") if isinstance(interface, dict) else None
        if isinstance(extra, Unknown):
            return extra
        found = list(found) + list(extra or [])
    return found or None


def _remote_cidrs(kind: str):
    """All ``Cidrs`` of ``RemoteNetworkConfig.<kind>[]`` (hybrid nodes)."""

    def read(data: dict) -> Any:
        config = data.get("RemoteNetworkConfig")
        networks = config.get(kind) if isinstance(config, dict) else None
        if networks is None:
            return None
        if not isinstance(networks, list):
            return networks
        found: list[Any] = []
        for network in networks:
            cidrs = network.get("Cidrs") if isinstance(network, dict) else network
            if cidrs is not None and not isinstance(cidrs, list):
                return cidrs
            found.extend(cidrs or [])
        return found or None

    return read


def _pod_identity_associations(data: dict) -> Any:
    associations = data.get("PodIdentityAssociations")
    if not isinstance(associations, list):
        return None
    return [
        {"service_account": a.get("ServiceAccount"), "role": a.get("RoleArn")}
        for a in associations
        if isinstance(a, dict)
    ]


def _asg_launch_template(data: dict) -> Any:
    return first_of(
        "LaunchTemplate.LaunchTemplateId",
        "LaunchTemplate.LaunchTemplateName",
        "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateId",
        "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName",
        "LaunchConfigurationName",
    )(data)


MAPPINGS: dict[str, FieldMap] = {
    "AWS::EC2::VPC": FieldMap(
        k.VPC,
        {
            "cidr_block": "CidrBlock",
            "enable_dns_support": "EnableDnsSupport",
            "enable_dns_hostnames": "EnableDnsHostnames",
            "tags": _tags,
        },
        defaults={"enable_dns_support": True, "enable_dns_hostnames": False},
    ),
    "AWS::EC2::Subnet": FieldMap(
        k.SUBNET,
        {
            "vpc": "VpcId",
            "cidr_block": "CidrBlock",
            "availability_zone": "AvailabilityZone",
            "map_public_ip_on_launch": "MapPublicIpOnLaunch",
            "tags": _tags,
            "ipv6_cidr_block": "Ipv6CidrBlock",
            "assign_ipv6_address_on_creation": "AssignIpv6AddressOnCreation",
            "availability_zone_id": "AvailabilityZoneId",
        },
        defaults={"map_public_ip_on_launch": False},
    ),
    "AWS::EKS::Cluster": FieldMap(
        k.CLUSTER,
        {
            "name": "Name",
            "role": "RoleArn",
            "version": "Version",
            "subnets": "ResourcesVpcConfig.SubnetIds",
            "security_groups": "ResourcesVpcConfig.SecurityGroupIds",
            "endpoint_private_access": "ResourcesVpcConfig.EndpointPrivateAccess",
            "endpoint_public_access": "ResourcesVpcConfig.EndpointPublicAccess",
            "public_access_cidrs": "ResourcesVpcConfig.PublicAccessCidrs",
            "authentication_mode": "AccessConfig.AuthenticationMode",
            "bootstrap_self_managed_addons": "BootstrapSelfManagedAddons",
            "ip_family": "KubernetesNetworkConfig.IpFamily",
            "service_cidr": first_of(
                "KubernetesNetworkConfig.ServiceIpv4Cidr", "KubernetesNetworkConfig.ServiceIpv6Cidr"
            ),
            "auto_mode": "ComputeConfig.Enabled",
            "auto_mode_node_role": "ComputeConfig.NodeRoleArn",
            "auto_mode_node_pools": "ComputeConfig.NodePools",
            "auto_mode_load_balancing": "KubernetesNetworkConfig.ElasticLoadBalancing.Enabled",
            "auto_mode_block_storage": "StorageConfig.BlockStorage.Enabled",
            "bootstrap_cluster_creator_admin_permissions": "AccessConfig.BootstrapClusterCreatorAdminPermissions",
            "remote_node_cidrs": _remote_cidrs("RemoteNodeNetworks"),
            "remote_pod_cidrs": _remote_cidrs("RemotePodNetworks"),
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
    "AWS::EKS::Nodegroup": FieldMap(
        k.NODEGROUP,
        {
            "name": "NodegroupName",
            "cluster": "ClusterName",
            "role": "NodeRole",
            "subnets": "Subnets",
            "launch_template": first_of("LaunchTemplate.Id", "LaunchTemplate.Name"),
            "launch_template_version": "LaunchTemplate.Version",
            "ami_type": "AmiType",
            "release_version": "ReleaseVersion",
            "version": "Version",
            "disk_size": "DiskSize",
            "remote_access": "RemoteAccess",
            "instance_types": "InstanceTypes",
            "capacity_type": "CapacityType",
            "labels": "Labels",
        },
    ),
    "AWS::EKS::FargateProfile": FieldMap(
        k.FARGATE,
        {
            "cluster": "ClusterName",
            "name": "FargateProfileName",
            "role": "PodExecutionRoleArn",
            "subnets": "Subnets",
        },
    ),
    "AWS::EKS::Addon": FieldMap(
        k.ADDON,
        {
            "cluster": "ClusterName",
            "name": "AddonName",
            "service_account_role": "ServiceAccountRoleArn",
            "pod_identity_associations": _pod_identity_associations,
        },
    ),
    "AWS::EKS::PodIdentityAssociation": FieldMap(
        k.POD_IDENTITY,
        {
            "cluster": "ClusterName",
            "namespace": "Namespace",
            "service_account": "ServiceAccount",
            "role": "RoleArn",
        },
    ),
    "AWS::EKS::AccessEntry": FieldMap(
        k.ACCESS_ENTRY,
        {
            "cluster": "ClusterName",
            "principal_arn": "PrincipalArn",
            "type": "Type",
            "kubernetes_groups": "KubernetesGroups",
        },
        defaults={"type": "STANDARD"},
    ),
    "AWS::IAM::Role": FieldMap(
        k.IAM_ROLE,
        {
            "name": "RoleName",
            "path": "Path",
            "assume_role_policy": "AssumeRolePolicyDocument",
            "managed_policy_arns": "ManagedPolicyArns",
            "inline_policies": _inline_policies,
        },
        defaults={"path": "/"},
        identities=("name",),
        identity_prefix="role-name:",
    ),
    "AWS::IAM::Policy": FieldMap(k.ROLE_INLINE_POLICY, {"role": "Roles.0", "document": "PolicyDocument"}),
    "AWS::IAM::RolePolicy": FieldMap(k.ROLE_INLINE_POLICY, {"role": "RoleName", "document": "PolicyDocument"}),
    "AWS::IAM::ManagedPolicy": FieldMap(
        k.IAM_POLICY,
        {"name": "ManagedPolicyName", "document": "PolicyDocument", "roles": "Roles"},
        identities=("name",),
        identity_prefix="policy-name:",
    ),
    "AWS::IAM::OIDCProvider": FieldMap(
        k.OIDC_PROVIDER,
        {"url": "Url", "client_ids": "ClientIdList", "cluster": issuer_cluster("Url", "OpenIdConnectIssuerUrl")},
    ),
    "AWS::IAM::InstanceProfile": FieldMap(
        k.INSTANCE_PROFILE,
        {"name": "InstanceProfileName", "role": "Roles.0"},
        identities=("name",),
        identity_prefix="profile-name:",
    ),
    "AWS::EC2::LaunchTemplate": FieldMap(
        k.LAUNCH_TEMPLATE,
        {
            "name": "LaunchTemplateName",
            "image_id": "LaunchTemplateData.ImageId",
            "user_data": "LaunchTemplateData.UserData",
            "instance_profile": first_of(
                "LaunchTemplateData.IamInstanceProfile.Arn",
                "LaunchTemplateData.IamInstanceProfile.Name",
            ),
            "security_groups": _lt_security_groups,
            "network_interfaces": "LaunchTemplateData.NetworkInterfaces",
            "instance_type": "LaunchTemplateData.InstanceType",
            "metadata_http_endpoint": "LaunchTemplateData.MetadataOptions.HttpEndpoint",
            "tag_specifications": "LaunchTemplateData.TagSpecifications",
            "shutdown_behavior": "LaunchTemplateData.InstanceInitiatedShutdownBehavior",
            "hibernation": "LaunchTemplateData.HibernationOptions.Configured",
            "network_interface_count": _list_length("LaunchTemplateData.NetworkInterfaces"),
            "associate_public_ip_address": "LaunchTemplateData.NetworkInterfaces.0.AssociatePublicIpAddress",
        },
        defaults={"metadata_http_endpoint": "enabled"},
        identities=("name",),
    ),
    "AWS::AutoScaling::LaunchConfiguration": FieldMap(
        k.LAUNCH_TEMPLATE,
        {
            "name": "LaunchConfigurationName",
            "image_id": "ImageId",
            "user_data": "UserData",
            "instance_profile": "IamInstanceProfile",
            "security_groups": "SecurityGroups",
            "instance_type": "InstanceType",
            "associate_public_ip_address": "AssociatePublicIpAddress",
        },
    ),
    "AWS::AutoScaling::AutoScalingGroup": FieldMap(
        k.SELF_MANAGED,
        {
            "name": "AutoScalingGroupName",
            "subnets": "VPCZoneIdentifier",
            "launch_template": _asg_launch_template,
            "tags": _asg_tags,
            "asg_tags": _asg_tag_list,
            "instance_types": _asg_instance_types,
        },
    ),
    "AWS::EC2::Instance": FieldMap(
        k.SELF_MANAGED,
        {
            "subnets": first_of("SubnetId"),
            "image_id": "ImageId",
            "user_data": "UserData",
            "instance_profile": "IamInstanceProfile",
            "launch_template": first_of("LaunchTemplate.LaunchTemplateId", "LaunchTemplate.LaunchTemplateName"),
            "security_groups": "SecurityGroupIds",
            "tags": _tags,
            "instance_types": single_list("InstanceType"),
            "associate_public_ip_address": "NetworkInterfaces.0.AssociatePublicIpAddress",
        },
    ),
    "AWS::EC2::SecurityGroup": FieldMap(
        k.SECURITY_GROUP,
        {
            "name": "GroupName",
            "vpc": "VpcId",
            "ingress": "SecurityGroupIngress",
            "egress": "SecurityGroupEgress",
            "tags": _tags,
        },
    ),
    "AWS::EC2::SecurityGroupIngress": FieldMap(
        k.SECURITY_GROUP_RULE,
        {
            "security_group": "GroupId",
            "direction": constant("ingress"),
            "protocol": "IpProtocol",
            "from_port": "FromPort",
            "to_port": "ToPort",
            "cidrs": single_list("CidrIp"),
            "ipv6_cidrs": single_list("CidrIpv6"),
            "prefix_lists": single_list("SourcePrefixListId"),
            "source_security_group": first_of("SourceSecurityGroupId", "SourceSecurityGroupName"),
        },
    ),
    "AWS::EC2::SecurityGroupEgress": FieldMap(
        k.SECURITY_GROUP_RULE,
        {
            "security_group": "GroupId",
            "direction": constant("egress"),
            "protocol": "IpProtocol",
            "from_port": "FromPort",
            "to_port": "ToPort",
            "cidrs": single_list("CidrIp"),
            "ipv6_cidrs": single_list("CidrIpv6"),
            "prefix_lists": single_list("DestinationPrefixListId"),
            "source_security_group": "DestinationSecurityGroupId",
        },
    ),
    "AWS::EC2::VPCEndpoint": FieldMap(
        k.VPC_ENDPOINT,
        {
            "vpc": "VpcId",
            "service_name": "ServiceName",
            "endpoint_type": "VpcEndpointType",
            "private_dns_enabled": "PrivateDnsEnabled",
            "subnets": "SubnetIds",
            "security_groups": "SecurityGroupIds",
            "route_tables": "RouteTableIds",
            "policy": "PolicyDocument",
        },
        defaults={"endpoint_type": "Gateway", "private_dns_enabled": False},
    ),
    "AWS::EC2::InternetGateway": FieldMap(k.INTERNET_GATEWAY, {}),
    "AWS::EC2::NatGateway": FieldMap(
        k.NAT_GATEWAY,
        {
            "subnet": "SubnetId",
            "allocation_id": "AllocationId",
            "connectivity_type": "ConnectivityType",
        },
        defaults={"connectivity_type": "public"},
    ),
    "AWS::EC2::RouteTable": FieldMap(k.ROUTE_TABLE, {"vpc": "VpcId"}),
    "AWS::EC2::SubnetRouteTableAssociation": FieldMap(
        k.ROUTE_TABLE_ASSOCIATION, {"subnet": "SubnetId", "route_table": "RouteTableId"}
    ),
    "AWS::EC2::DHCPOptions": FieldMap(
        k.DHCP_OPTIONS, {"domain_name": "DomainName", "domain_name_servers": "DomainNameServers"}
    ),
    "AWS::EC2::VPCDHCPOptionsAssociation": FieldMap(
        k.DHCP_OPTIONS_ASSOCIATION, {"vpc": "VpcId", "dhcp_options": "DhcpOptionsId"}
    ),
    "AWS::EC2::Route": FieldMap(
        k.ROUTE,
        {
            "route_table": "RouteTableId",
            "destination": "DestinationCidrBlock",
            "destination_ipv6": "DestinationIpv6CidrBlock",
            "destination_prefix_list": "DestinationPrefixListId",
            "gateway": "GatewayId",
            "nat_gateway": "NatGatewayId",
            "transit_gateway": "TransitGatewayId",
            "egress_only_gateway": "EgressOnlyInternetGatewayId",
            "network_interface": "NetworkInterfaceId",
            "instance": "InstanceId",
            "vpc_peering_connection": "VpcPeeringConnectionId",
            "vpc_endpoint": "VpcEndpointId",
            "carrier_gateway": "CarrierGatewayId",
            "local_gateway": "LocalGatewayId",
            "core_network": "CoreNetworkArn",
        },
    ),
    "AWS::EC2::VPNGatewayRoutePropagation": FieldMap(
        k.ROUTE_PROPAGATION, {"route_tables": "RouteTableIds", "vpn_gateway": "VpnGatewayId"}
    ),
    "AWS::EC2::VPCGatewayAttachment": FieldMap(
        k.GATEWAY_ATTACHMENT,
        {"vpc": "VpcId", "internet_gateway": "InternetGatewayId", "vpn_gateway": "VpnGatewayId"},
    ),
    "AWS::EC2::VPNGateway": FieldMap(k.VPN_GATEWAY, {}),
    "AWS::EC2::EgressOnlyInternetGateway": FieldMap(k.EGRESS_ONLY_INTERNET_GATEWAY, {"vpc": "VpcId"}),
    "AWS::EC2::NetworkAcl": FieldMap(k.NETWORK_ACL, {"vpc": "VpcId"}),
    "AWS::EC2::NetworkAclEntry": FieldMap(
        k.NETWORK_ACL_RULE,
        {
            "network_acl": "NetworkAclId",
            "rule_number": "RuleNumber",
            "egress": "Egress",
            "protocol": "Protocol",
            "action": "RuleAction",
            "cidr_block": "CidrBlock",
            "ipv6_cidr_block": "Ipv6CidrBlock",
            "from_port": "PortRange.From",
            "to_port": "PortRange.To",
        },
        defaults={"egress": False},
    ),
    "AWS::EC2::SubnetCidrBlock": FieldMap(
        k.SUBNET_CIDR_BLOCK, {"subnet": "SubnetId", "ipv6_cidr_block": "Ipv6CidrBlock"}
    ),
    "AWS::EC2::SubnetNetworkAclAssociation": FieldMap(
        k.NETWORK_ACL_ASSOCIATION, {"network_acl": "NetworkAclId", "subnet": "SubnetId"}
    ),
}

# The AWS Quick Start's registry type AWSQS::EKS::Cluster takes the properties of
# AWS::EKS::Cluster it predates access entries with (so its clusters are CONFIG_MAP), and
# writes aws-auth itself from KubernetesApiAccess.
_AWSQS_CLUSTER_FIELDS = (
    "name",
    "role",
    "version",
    "subnets",
    "security_groups",
    "endpoint_private_access",
    "endpoint_public_access",
    "public_access_cidrs",
    "ip_family",
    "service_cidr",
)
MAPPINGS["AWSQS::EKS::Cluster"] = FieldMap(
    k.CLUSTER,
    {name: MAPPINGS["AWS::EKS::Cluster"].fields[name] for name in _AWSQS_CLUSTER_FIELDS},
    defaults=MAPPINGS["AWS::EKS::Cluster"].defaults,
    identities=("name",),
)

CANDIDATE_NODE_TYPES = {"AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance"}


def normalize(template: CfnTemplate) -> list[Resource]:
    resources = []
    for cfn in template.resources:
        mapping = MAPPINGS.get(cfn.type)
        if mapping is not None:
            cfn = _checked(cfn, template)
            resources.append(to_resource(cfn, mapping))
        if cfn.type == "AWSQS::EKS::Cluster":
            resources.extend(_kubernetes_api_access(cfn))
    return resources


def _kubernetes_api_access(cfn: CfnResource) -> list[Resource]:
    """KubernetesApiAccess of an AWSQS::EKS::Cluster: the aws-auth ConfigMap that the
    resource type writes whole, in aws-auth's own keys."""
    access = cfn.properties.get("KubernetesApiAccess")
    if not isinstance(access, dict):
        return []

    def entries(kind: str, arn_key: str) -> Any:
        listed = access.get(kind)
        if listed is None:
            return []
        if not isinstance(listed, list):
            return listed if isinstance(listed, Unknown) else Unknown(f"KubernetesApiAccess.{kind} is not a list")
        return [
            {arn_key: e.get("Arn"), "username": e.get("Username"), "groups": _listed(e.get("Groups"))}
            if isinstance(e, dict)
            else e
            for e in listed
        ]

    location = cfn.locations.get("KubernetesApiAccess", cfn.location)
    resource = aws_auth_resource(
        key=f"{cfn.key}/aws-auth",
        address=f"{cfn.logical_id}.KubernetesApiAccess",
        framework="cloudformation",
        source_type="AWSQS::EKS::Cluster.KubernetesApiAccess",
        location=location,
        map_roles=entries("Roles", "rolearn"),
        map_users=entries("Users", "userarn"),
        roles_location=cfn.locations.get("KubernetesApiAccess.Roles", location),
    )
    resource.set("declared_by", cfn.key)
    return [resource]


def _checked(cfn: CfnResource, template: CfnTemplate) -> CfnResource:
    """``cfn`` without the property values of a shape its type does not allow; each is a
    LOAD-004 finding with its path (values only known at deploy time are not judged)."""
    validator = _properties_validator(cfn.type)
    if validator is None:
        return cfn
    prefix = ("Resources", cfn.logical_id, "Properties")

    def locate(path: Sequence[Any]) -> Location:
        return cfn.location_for(".".join(str(p) for p in path[len(prefix) :]))

    properties, problems = shapes.check_types(cfn.properties, validator, locate, prefix=prefix)
    if not problems:
        return cfn
    template.diagnostics.extend(problems)
    return dataclasses.replace(cfn, properties=properties if isinstance(properties, dict) else {})


@cache
def _properties_validator(resource_type: str) -> Any:
    schema = shapes.cloudformation_shape(resource_type)
    return shapes.validator_for(schema) if schema else None


def to_resource(cfn: CfnResource, mapping: FieldMap) -> Resource:
    resource = Resource(
        kind=mapping.kind,
        key=cfn.key,
        address=cfn.logical_id,
        framework="cloudformation",
        source_type=cfn.type,
        location=cfn.location,
        may_exist=cfn.may_exist,
        creation=cfn.order,
    )
    apply_mapping(resource, mapping, cfn.properties, cfn.locations)
    if cfn.type in CANDIDATE_NODE_TYPES:
        resource.set("node_candidate", True)
    return resource


def _listed(value: Any) -> Any:
    """A list as written, [] when not set; an Unknown stays (the groups are not known)."""
    return [] if value is None else value
