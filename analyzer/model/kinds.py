"""Canonical resource kinds, their fields, and which fields link to other resources.

Normalizers fill these fields from every format; rules read only these names.
A link field holds a reference (``Ref``, a literal name/ID/ARN, or a list of them);
``Model.follow`` turns it into the resources it names.
"""

from __future__ import annotations

CLUSTER = "eks.cluster"
NODEGROUP = "eks.nodegroup"  # managed node group
SELF_MANAGED = "eks.selfmanaged"  # ASG, instance or eksctl nodeGroup
FARGATE = "eks.fargate_profile"
ADDON = "eks.addon"
ACCESS_ENTRY = "eks.access_entry"
POD_IDENTITY = "eks.pod_identity_association"
AWS_AUTH = "k8s.aws_auth"
VPC = "ec2.vpc"
SUBNET = "ec2.subnet"
ROUTE_TABLE = "ec2.route_table"
ROUTE = "ec2.route"
ROUTE_TABLE_ASSOCIATION = "ec2.route_table_association"
NAT_GATEWAY = "ec2.nat_gateway"
INTERNET_GATEWAY = "ec2.internet_gateway"
VPC_ENDPOINT = "ec2.vpc_endpoint"
SECURITY_GROUP = "ec2.security_group"
SECURITY_GROUP_RULE = "ec2.security_group_rule"
NETWORK_ACL = "ec2.network_acl"
DHCP_OPTIONS = "ec2.dhcp_options"
LAUNCH_TEMPLATE = "ec2.launch_template"
IAM_ROLE = "iam.role"
INSTANCE_PROFILE = "iam.instance_profile"
IAM_POLICY = "iam.policy"  # a customer managed policy
ROLE_POLICY_ATTACHMENT = "iam.role_policy_attachment"  # managed policy ARN -> role
ROLE_INLINE_POLICY = "iam.role_inline_policy"  # inline policy document -> role
OIDC_PROVIDER = "iam.oidc_provider"
SSM_PARAMETER = "ssm.parameter"  # an SSM parameter read at deploy time (Terraform data source)
AMI_LOOKUP = "ec2.ami_lookup"  # an AMI search by name/owner (Terraform data "aws_ami")
# VPC routing, gateways, endpoint attachments, network ACLs and DHCP (subnet classes and node egress)
MAIN_ROUTE_TABLE_ASSOCIATION = "ec2.main_route_table_association"
ROUTE_PROPAGATION = "ec2.route_propagation"  # routes a virtual private gateway propagates
GATEWAY_ATTACHMENT = "ec2.gateway_attachment"  # internet or VPN gateway -> VPC
EGRESS_ONLY_INTERNET_GATEWAY = "ec2.egress_only_internet_gateway"
VPN_GATEWAY = "ec2.vpn_gateway"
VPC_ENDPOINT_ASSOCIATION = "ec2.vpc_endpoint_association"  # subnet/route table/SG/private DNS
NETWORK_ACL_RULE = "ec2.network_acl_rule"
NETWORK_ACL_ASSOCIATION = "ec2.network_acl_association"
DHCP_OPTIONS_ASSOCIATION = "ec2.dhcp_options_association"
SUBNET_CIDR_BLOCK = "ec2.subnet_cidr_block"  # an extra (IPv6) CIDR block of a subnet
VPC_ENDPOINT_SERVICE = "ec2.vpc_endpoint_service"  # a service lookup (Terraform data source)
# A Terraform module call whose code is not available: what it creates is not in the model.
UNRESOLVED_MODULE = "iac.unresolved_module"
# A data source that reads one resource by name or ID (data.aws_eks_cluster, aws_iam_role,
# aws_vpc, aws_subnet): a reference to it names that resource when the run declares it.
LOOKUP = "iac.lookup"
# Karpenter's EC2NodeClass (a manifest, or Terraform's kubectl_manifest / kubernetes_manifest):
# it names the IAM role of nodes no node resource in the files launches.
KARPENTER_NODE_CLASS = "karpenter.ec2_node_class"
# ``created_by`` of the terraform-aws-eks karpenter sub-module's node IAM role and its access entry
KARPENTER_MODULE_NODE_ROLE = "terraform-aws-modules/karpenter (node IAM role)"

NODE_KINDS = (NODEGROUP, SELF_MANAGED)

# kind -> {link field: kind it points at}
LINKS: dict[str, dict[str, str]] = {
    CLUSTER: {
        "role": IAM_ROLE,
        "subnets": SUBNET,
        "security_groups": SECURITY_GROUP,
        "vpc": VPC,
        "auto_mode_node_role": IAM_ROLE,
    },
    NODEGROUP: {"cluster": CLUSTER, "role": IAM_ROLE, "subnets": SUBNET, "launch_template": LAUNCH_TEMPLATE},
    SELF_MANAGED: {
        "cluster": CLUSTER,
        "instance_profile": INSTANCE_PROFILE,
        "subnets": SUBNET,
        "launch_template": LAUNCH_TEMPLATE,
        "security_groups": SECURITY_GROUP,
    },
    FARGATE: {"cluster": CLUSTER, "role": IAM_ROLE, "subnets": SUBNET},
    ADDON: {"cluster": CLUSTER, "service_account_role": IAM_ROLE},
    ACCESS_ENTRY: {"cluster": CLUSTER},
    POD_IDENTITY: {"cluster": CLUSTER, "role": IAM_ROLE},
    AWS_AUTH: {},
    VPC: {},
    SUBNET: {"vpc": VPC},
    ROUTE_TABLE: {"vpc": VPC},
    ROUTE: {
        "route_table": ROUTE_TABLE,
        "nat_gateway": NAT_GATEWAY,
        "egress_only_gateway": EGRESS_ONLY_INTERNET_GATEWAY,
    },
    ROUTE_TABLE_ASSOCIATION: {"route_table": ROUTE_TABLE, "subnet": SUBNET},
    NAT_GATEWAY: {"subnet": SUBNET},
    INTERNET_GATEWAY: {"vpc": VPC},
    VPC_ENDPOINT: {"vpc": VPC, "subnets": SUBNET, "security_groups": SECURITY_GROUP, "route_tables": ROUTE_TABLE},
    SECURITY_GROUP: {"vpc": VPC},
    SECURITY_GROUP_RULE: {"security_group": SECURITY_GROUP},
    NETWORK_ACL: {"vpc": VPC, "subnets": SUBNET},
    DHCP_OPTIONS: {"vpcs": VPC},
    LAUNCH_TEMPLATE: {"instance_profile": INSTANCE_PROFILE, "security_groups": SECURITY_GROUP},
    IAM_ROLE: {},
    INSTANCE_PROFILE: {"role": IAM_ROLE},
    IAM_POLICY: {"roles": IAM_ROLE},
    ROLE_POLICY_ATTACHMENT: {"role": IAM_ROLE},
    ROLE_INLINE_POLICY: {"role": IAM_ROLE},
    OIDC_PROVIDER: {"cluster": CLUSTER},
    SSM_PARAMETER: {},
    AMI_LOOKUP: {},
    MAIN_ROUTE_TABLE_ASSOCIATION: {"vpc": VPC, "route_table": ROUTE_TABLE},
    ROUTE_PROPAGATION: {"route_tables": ROUTE_TABLE, "vpn_gateway": VPN_GATEWAY},
    GATEWAY_ATTACHMENT: {"vpc": VPC, "internet_gateway": INTERNET_GATEWAY, "vpn_gateway": VPN_GATEWAY},
    EGRESS_ONLY_INTERNET_GATEWAY: {"vpc": VPC},
    VPN_GATEWAY: {"vpc": VPC},
    VPC_ENDPOINT_ASSOCIATION: {
        "endpoint": VPC_ENDPOINT,
        "subnet": SUBNET,
        "route_table": ROUTE_TABLE,
        "security_group": SECURITY_GROUP,
    },
    NETWORK_ACL_RULE: {"network_acl": NETWORK_ACL},
    NETWORK_ACL_ASSOCIATION: {"network_acl": NETWORK_ACL, "subnet": SUBNET},
    DHCP_OPTIONS_ASSOCIATION: {"vpc": VPC, "dhcp_options": DHCP_OPTIONS},
    SUBNET_CIDR_BLOCK: {"subnet": SUBNET},
    VPC_ENDPOINT_SERVICE: {},
    UNRESOLVED_MODULE: {},
    LOOKUP: {},
    KARPENTER_NODE_CLASS: {},
}

ALL_KINDS = tuple(LINKS)

# Canonical fields by kind. Rules may read only these, the kind's links and its registered facts:
# every `$subject.<field>` and `{subject.<field>}` of a rule is checked against them when the
# catalogue loads (analyzer/engine/catalogue.py), so a typo is a load error, not a silent pass.
FIELDS: dict[str, str] = {
    CLUSTER: "name, role, version, subnets, security_groups, endpoint_public_access, "
    "endpoint_private_access, public_access_cidrs, authentication_mode, "
    "bootstrap_self_managed_addons, ip_family, service_cidr, auto_mode, created_by, "
    "auto_mode_node_role, auto_mode_node_pools, auto_mode_load_balancing, auto_mode_block_storage, "
    "bootstrap_cluster_creator_admin_permissions, remote_node_cidrs, remote_pod_cidrs, "
    "private_cluster, skip_endpoint_creation (eksctl privateCluster), "
    "creates_vpc (eksctl builds the cluster's VPC), "
    "remote_network_gateway (the transit or virtual private gateway a tool routes the remote "
    "node networks through)",
    NODEGROUP: "name, cluster, role, subnets, launch_template, launch_template_version, ami_type, "
    "release_version, version, disk_size, remote_access, instance_types, capacity_type, labels, "
    "created_by, policy_override (eksctl attachPolicyARNs replaces the default policies), "
    "eksctl_ami_family, bootstrap_override (eksctl overrideBootstrapCommand)",
    SELF_MANAGED: "name, cluster, instance_profile, role, subnets, launch_template, user_data, "
    "image_id, instance_types, security_groups, tags, created_by, "
    "asg_tags (every ASG tag: key, value, propagate_at_launch), metadata_http_endpoint, "
    "policy_override, eksctl_ami_family, bootstrap_override (as for managed node groups)",
    VPC: "cidr_block, enable_dns_support, enable_dns_hostnames",
    SUBNET: "vpc, cidr_block, availability_zone, map_public_ip_on_launch, tags, "
    "ipv6_cidr_block, assign_ipv6_address_on_creation, "
    "cidr_prefix_length (the size of subnets whose addresses a tool picks), private_cluster",
    AWS_AUTH: "map_roles, map_users, ownership, "
    "declared_by (the key of the cluster resource that writes it, as AWSQS::EKS::Cluster does)",
    IAM_ROLE: "name, path, assume_role_policy, managed_policy_arns, inline_policies",
    ROLE_POLICY_ATTACHMENT: "role, policy_arn",
    ROLE_INLINE_POLICY: "role, document",
    INSTANCE_PROFILE: "name, role",
    IAM_POLICY: "name, document, roles",
    OIDC_PROVIDER: "url (the issuer it trusts), client_ids (the audiences it accepts), created_by, "
    "cluster (the cluster whose OIDC issuer the url is, when the url names that cluster's issuer)",
    ADDON: "cluster, name, service_account_role, pod_identity_associations",
    POD_IDENTITY: "cluster, namespace, service_account, role",
    ACCESS_ENTRY: "cluster, principal_arn, type, kubernetes_groups",
    LAUNCH_TEMPLATE: "name, image_id, user_data, instance_profile, security_groups, "
    "network_interfaces, metadata_http_endpoint, tag_specifications, "
    "shutdown_behavior, hibernation",
    SECURITY_GROUP: "name, vpc, ingress, egress (inline rules as written), tags, vpc_default",
    SECURITY_GROUP_RULE: "security_group, direction (ingress|egress), protocol, from_port, "
    "to_port, cidrs, ipv6_cidrs, prefix_lists, source_security_group (the "
    "peer group: source of ingress, destination of egress), self",
    SSM_PARAMETER: "name (the parameter path)",
    AMI_LOOKUP: "name_filters, image_id_filters, name_regex, owners, most_recent",
    ROUTE_TABLE: "vpc, routes (inline route blocks as written; each is also an ec2.route), "
    "main (the VPC's default table, adopted), propagating_vgws",
    ROUTE: "route_table, destination, destination_ipv6, destination_prefix_list, and one "
    "target: gateway (internet or VPN gateway, or 'local'), nat_gateway, "
    "transit_gateway, egress_only_gateway, network_interface, instance, "
    "vpc_peering_connection, vpc_endpoint, carrier_gateway, local_gateway, "
    "core_network; inline (declared inside its route table)",
    NAT_GATEWAY: "subnet, allocation_id, connectivity_type",
    INTERNET_GATEWAY: "vpc",
    GATEWAY_ATTACHMENT: "vpc, internet_gateway, vpn_gateway",
    MAIN_ROUTE_TABLE_ASSOCIATION: "vpc, route_table",
    ROUTE_PROPAGATION: "route_tables, vpn_gateway",
    VPC_ENDPOINT: "vpc, service_name, endpoint_type, private_dns_enabled, subnets, "
    "security_groups, route_tables, policy",
    VPC_ENDPOINT_ASSOCIATION: "endpoint, and one of subnet, route_table, security_group, private_dns_enabled",
    NETWORK_ACL: "vpc, subnets, default (the VPC's default ACL, adopted: its rules replaced)",
    NETWORK_ACL_RULE: "network_acl, rule_number, egress, protocol, action, cidr_block, "
    "ipv6_cidr_block, from_port, to_port; inline (declared inside its ACL)",
    NETWORK_ACL_ASSOCIATION: "network_acl, subnet",
    DHCP_OPTIONS: "domain_name, domain_name_servers",
    DHCP_OPTIONS_ASSOCIATION: "vpc, dhcp_options ('default' for the AWS default set)",
    SUBNET_CIDR_BLOCK: "subnet, ipv6_cidr_block",
    VPC_ENDPOINT_SERVICE: "service ('ecr.api'), service_name",
    UNRESOLVED_MODULE: "source",
    LOOKUP: "looks_up (the kind it reads), name or id (what it reads it by)",
    KARPENTER_NODE_CLASS: "name, role (spec.role: a role name), instance_profile (spec.instanceProfile: a profile name)",
}
