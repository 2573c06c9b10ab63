"""eksctl ClusterConfig -> the resources eksctl would create, marked ``eksctl-default``.

eksctl writes much of what nodes need itself (VPC with DNS on, node roles with its
default policies, user data, aws-auth / access entries). Modelling those resources
lets the rules judge eksctl input like any other, and judge what the user overrides.
"""

from __future__ import annotations

import json
from typing import Any

from analyzer.diagnostics import Diagnostic
from analyzer.eksctl import defaults
from analyzer.kubernetes.aws_auth import PARTIAL, aws_auth_resource
from analyzer.location import Location
from analyzer.model import kinds as k
from analyzer.model.resource import DECLARED, EKSCTL_DEFAULT, Resource
from analyzer.values import Unknown

POLICY_ARN = "arn:aws:iam::aws:policy/"
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}],
}
EKS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["eks.amazonaws.com"]},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    ],
}

AMI_FAMILY_TYPES = {
    "AmazonLinux2": "AL2_x86_64",
    "AmazonLinux2023": "AL2023_x86_64_STANDARD",
    "Bottlerocket": "BOTTLEROCKET_x86_64",
}


class _Builder:
    """Builds the resources of one ClusterConfig document."""

    def __init__(self, document: Any, display: str):
        self.document = document
        self.data: dict = document.data
        self.locations: dict[str, Location] = document.locations
        self.display = display
        self.prefix = f"{display}#{document.index}"
        self.resources: list[Resource] = []
        self.subnets_by_name: dict[str, Any] = {}  # vpc.subnets names -> subnet
        self.subnets_by_access: dict[str, list[Any]] = {}  # "public"/"private" -> subnets
        self.name = str(defaults.section(self.data, "metadata").get("name", "cluster"))

    def where(self, path: str) -> Location:
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path.rpartition(".")[0]
        return self.locations.get("", Location(self.display))

    def add(self, kind: str, key: str, address: str, path: str, provenance: str, **fields: Any) -> Resource:
        resource = Resource(
            kind=kind,
            key=f"{self.prefix}/{key}",
            address=address,
            framework="eksctl",
            source_type=f"ClusterConfig.{path or 'metadata'}",
            location=self.where(path or "metadata"),
            provenance=provenance,
        )
        for name, value in fields.items():
            resource.set(name, value, None, provenance)
        self.resources.append(resource)
        return resource

    def get(self, path: str, default: Any = None) -> Any:
        current: Any = self.data
        for part in path.split("."):
            if not isinstance(current, dict) or part not in current:
                return default
            current = current[part]
        return current


def normalize_cluster_config(document: Any, display: str) -> tuple[list[Resource], list[Diagnostic]]:
    from analyzer.eksctl.validate import check_cluster_config

    document, diagnostics = check_cluster_config(document, display)
    builder = _Builder(document, display)
    cluster = _cluster(builder)
    _subnets(builder, cluster)
    for index, spec in enumerate(builder.get("managedNodeGroups") or []):
        if isinstance(spec, dict):
            _nodegroup(builder, cluster, spec, index, managed=True)
    for index, spec in enumerate(builder.get("nodeGroups") or []):
        if isinstance(spec, dict):
            _nodegroup(builder, cluster, spec, index, managed=False)
    _endpoints(builder, cluster)
    _addons(builder, cluster)
    _oidc_provider(builder, cluster)
    _access(builder, cluster)
    _remote_network(builder, cluster)
    return builder.resources, diagnostics


def _cluster(b: _Builder) -> Resource:
    vpc = _vpc(b)
    public, private = defaults.endpoint_access(b.data)
    version = defaults.kubernetes_version(b.data, getattr(b.document, "scalar_text", None))
    cluster = b.add(
        k.CLUSTER,
        "cluster",
        b.name,
        "metadata.name",
        DECLARED,
        name=b.name,
        created_by="eksctl",
    )
    cluster.location = b.where("metadata.name")
    written = b.get("metadata.version")
    if version:
        version_value: Any = f"{version[0]}.{version[1]}"
    elif written is not None:  # set, but not a version: a placeholder filled in later
        version_value = Unknown(f"metadata.version {written!r} is not a Kubernetes version")
    else:
        version_value = None
    cluster.set("version", version_value, b.where("metadata.version"))
    cluster.set("vpc", vpc, b.where("vpc"), EKSCTL_DEFAULT if defaults.creates_vpc(b.data) else DECLARED)
    cluster.set("endpoint_public_access", public, b.where("vpc.clusterEndpoints.publicAccess"))
    cluster.set("endpoint_private_access", private, b.where("vpc.clusterEndpoints.privateAccess"))
    cluster.set("public_access_cidrs", b.get("vpc.publicAccessCIDRs", ["0.0.0.0/0"]), b.where("vpc.publicAccessCIDRs"))
    cluster.set("authentication_mode", defaults.authentication_mode(b.data), b.where("accessConfig.authenticationMode"))
    cluster.set(
        "bootstrap_cluster_creator_admin_permissions",
        b.get("accessConfig.bootstrapClusterCreatorAdminPermissions", True),
        b.where("accessConfig.bootstrapClusterCreatorAdminPermissions"),
    )
    _auto_mode(b, cluster)
    cluster.set(
        "ip_family",
        str(b.get("kubernetesNetworkConfig.ipFamily", "IPv4")).lower(),
        b.where("kubernetesNetworkConfig.ipFamily"),
    )
    service_cidr = b.get("kubernetesNetworkConfig.serviceIPv4CIDR")
    if service_cidr:
        cluster.set("service_cidr", service_cidr, b.where("kubernetesNetworkConfig.serviceIPv4CIDR"))
    cluster.set(
        "cni_service_account_identity",
        defaults.with_oidc(b.data) is True or _cni_addon_identity(b),
        b.where("iam.withOIDC"),
    )
    cluster.set("private_cluster", defaults.is_private_cluster(b.data), b.where("privateCluster.enabled"))
    cluster.set(
        "skip_endpoint_creation",
        defaults.known_bool(b.get("privateCluster.skipEndpointCreation"), False, "privateCluster.skipEndpointCreation"),
        b.where("privateCluster.skipEndpointCreation"),
    )
    cluster.set("creates_vpc", defaults.creates_vpc(b.data), b.where("vpc"))
    role_arn = b.get("iam.serviceRoleARN")
    if role_arn:
        cluster.set("role", role_arn, b.where("iam.serviceRoleARN"))
    else:
        cluster.set(
            "role",
            _role(
                b,
                "cluster-role",
                f"{b.name} cluster role (created by eksctl)",
                "metadata",
                EKS_TRUST,
                [POLICY_ARN + "AmazonEKSClusterPolicy"],
            ),
        )
    cluster.aliases = (b.name,)
    return cluster


def _auto_mode(b: _Builder, cluster: Resource) -> None:
    """autoModeConfig: eksctl passes computeConfig, kubernetesNetworkConfig.elasticLoadBalancing
    and storageConfig.blockStorage all enabled (or all disabled) to CreateCluster; nodePools
    default to general-purpose and system, and without nodeRoleARN eksctl creates the node role
    (AmazonEKSWorkerNodeMinimalPolicy, AmazonEC2ContainerRegistryPullOnly) when there are pools."""
    where = b.where("autoModeConfig")
    enabled = defaults.known_bool(b.get("autoModeConfig.enabled"), False, "autoModeConfig.enabled")
    cluster.set("auto_mode", enabled, where)
    for name in ("auto_mode_load_balancing", "auto_mode_block_storage"):
        cluster.set(name, enabled, where, EKSCTL_DEFAULT)
    if enabled is False:
        return
    pools = b.get("autoModeConfig.nodePools")
    if pools is None:
        cluster.set("auto_mode_node_pools", list(defaults.AUTO_MODE_NODE_POOLS), where, EKSCTL_DEFAULT)
        pools = list(defaults.AUTO_MODE_NODE_POOLS)
    else:
        cluster.set("auto_mode_node_pools", pools, b.where("autoModeConfig.nodePools"))
    role_arn = b.get("autoModeConfig.nodeRoleARN")
    if role_arn:
        cluster.set("auto_mode_node_role", role_arn, b.where("autoModeConfig.nodeRoleARN"))
    elif pools:  # a placeholder (Unknown pools) or a non-empty list: eksctl creates the role
        role = _role(
            b,
            "auto-mode-node-role",
            f"{b.name} Auto Mode node role (created by eksctl)",
            "autoModeConfig",
            EC2_TRUST,
            [POLICY_ARN + name for name in defaults.AUTO_MODE_NODE_POLICIES],
        )
        cluster.set("auto_mode_node_role", role, where, EKSCTL_DEFAULT)


def _remote_network(b: _Builder, cluster: Resource) -> None:
    """remoteNetworkConfig (EKS Hybrid Nodes): the remote node and pod networks go to
    CreateCluster; without iam.roleARN eksctl creates the Hybrid Nodes role, trusting
    ssm.amazonaws.com (provider SSM, the default) or rolesanywhere.amazonaws.com (IRA); either
    way it creates a HYBRID_LINUX access entry for the role. With vpcGatewayID and a VPC it
    creates, eksctl also attaches the gateway and routes the remote node networks of the
    private subnets' route tables through it, and opens the cluster security group to them
    (nothing of this for an existing VPC)."""
    if b.get("remoteNetworkConfig") is None:
        return
    for field, key in (("remote_node_cidrs", "remoteNodeNetworks"), ("remote_pod_cidrs", "remotePodNetworks")):
        networks = b.get(f"remoteNetworkConfig.{key}")
        if networks is None:
            continue
        where = b.where(f"remoteNetworkConfig.{key}")
        if not isinstance(networks, list):
            cluster.set(field, Unknown(f"remoteNetworkConfig.{key} is {networks!r}"), where)
            continue
        cidrs: list[Any] = []
        for index, network in enumerate(networks):
            values = network.get("cidrs") if isinstance(network, dict) else None
            if isinstance(values, list):
                cidrs += [
                    Unknown(f"remoteNetworkConfig.{key}[{index}].cidrs holds the placeholder {value!r}")
                    if isinstance(value, str) and defaults.is_placeholder_text(value)
                    else value
                    for value in values
                ]
            elif values is not None:
                cidrs.append(Unknown(f"remoteNetworkConfig.{key}[{index}].cidrs is {values!r}"))
        cluster.set(field, cidrs, where)
    gateway = b.get("remoteNetworkConfig.vpcGatewayID")
    if isinstance(gateway, str) and defaults.is_placeholder_text(gateway):
        gateway = Unknown(f"remoteNetworkConfig.vpcGatewayID is the placeholder {gateway!r}")
    cluster.set("remote_network_gateway", gateway, b.where("remoteNetworkConfig.vpcGatewayID"))
    iam = defaults.section(b.data, "remoteNetworkConfig", "iam")
    role: Any = iam.get("roleARN")
    if not role:
        provider = defaults.remote_nodes_provider(b.data)
        if isinstance(provider, Unknown):
            role = provider
        else:
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": [defaults.REMOTE_NODES_TRUST[provider]]},
                        "Action": ["sts:AssumeRole", "sts:TagSession"]
                        + (["sts:SetSourceIdentity"] if provider == "IRA" else []),
                    }
                ],
            }
            role = _role(
                b,
                "hybrid-nodes-role",
                f"{b.name} Hybrid Nodes role (created by eksctl)",
                "remoteNetworkConfig",
                trust,
                [],
            )
    b.add(
        k.ACCESS_ENTRY,
        "access/hybrid-nodes",
        f"{b.name} hybrid nodes access entry (created by eksctl)",
        "remoteNetworkConfig.iam.roleARN" if iam.get("roleARN") else "remoteNetworkConfig",
        EKSCTL_DEFAULT,
        cluster=cluster,
        principal_arn=role,
        type="HYBRID_LINUX",
        kubernetes_groups=None,
    )


def _cni_addon_identity(b: _Builder) -> bool:
    """The vpc-cni add-on gets a Pod Identity role. Its IRSA settings (serviceAccountRoleARN,
    attachPolicyARNs, attachPolicy) count only with iam.withOIDC: without it eksctl creates
    the add-on with no role ("OIDC is disabled but policies are required/specified for this
    addon", pkg/actions/addon makeServiceAccountRole), and the node role must carry them."""
    for addon in b.get("addons") or []:
        if (
            isinstance(addon, dict)
            and addon.get("name") == "vpc-cni"
            and any(addon.get(key) for key in ("podIdentityAssociations", "useDefaultPodIdentityAssociations"))
        ):
            return True
    return bool(b.get("addonsConfig.autoApplyPodIdentityAssociations"))


def _oidc_provider(b: _Builder, cluster: Resource) -> None:
    """iam.withOIDC: eksctl creates the IAM OIDC provider for the cluster's issuer."""
    if defaults.with_oidc(b.data) is not True:
        return
    b.add(
        k.OIDC_PROVIDER,
        "oidc-provider",
        f"{b.name} OIDC provider (created by eksctl)",
        "iam.withOIDC",
        EKSCTL_DEFAULT,
        cluster=cluster,
        url=Unknown(f"the OIDC issuer of {b.name} is known only once eksctl has created the cluster"),
        client_ids=["sts.amazonaws.com"],
        created_by="eksctl",
    )


def _vpc(b: _Builder) -> Any:
    if not defaults.creates_vpc(b.data):
        return b.get("vpc.id")
    return b.add(
        k.VPC,
        "vpc",
        f"{b.name} VPC (created by eksctl)",
        "vpc" if b.get("vpc") else "metadata",
        EKSCTL_DEFAULT,
        cidr_block=defaults.vpc_cidr(b.data),
        enable_dns_support=defaults.CREATED_VPC_DNS_SUPPORT,
        enable_dns_hostnames=defaults.CREATED_VPC_DNS_HOSTNAMES,
    )


def _role(b: _Builder, key: str, address: str, path: str, trust: dict, policies: list[str]) -> Resource:
    return b.add(
        k.IAM_ROLE,
        key,
        address,
        path,
        EKSCTL_DEFAULT,
        name=None,
        assume_role_policy=json.dumps(trust),
        managed_policy_arns=policies,
    )


def _nodegroup(b: _Builder, cluster: Resource, spec: dict, index: int, managed: bool) -> None:
    section = "managedNodeGroups" if managed else "nodeGroups"
    name = str(spec.get("name", index))
    path = f"{section}.{index}"
    kind = k.NODEGROUP if managed else k.SELF_MANAGED
    node = b.add(
        kind,
        f"{section}/{name}",
        f"{section}[{name}]",
        f"{path}.name",
        DECLARED,
        name=name,
        cluster=cluster,
        created_by="eksctl",
    )
    iam = defaults.section(spec, "iam")  # a placeholder stands for a mapping not known
    if iam.get("instanceRoleARN"):
        node.set("role", iam["instanceRoleARN"], b.where(f"{path}.iam.instanceRoleARN"))
    else:
        role = _role(
            b,
            f"{section}/{name}/role",
            f"{section}[{name}] node role (created by eksctl)",
            f"{path}.name",
            EC2_TRUST,
            defaults.node_role_policies(b.data, spec, managed=managed),
        )
        node.set("role", role, b.where(f"{path}.iam"), EKSCTL_DEFAULT)
    if iam.get("attachPolicyARNs"):
        node.set("policy_override", True, b.where(f"{path}.iam.attachPolicyARNs"))
    family = defaults.ami_family(spec)
    # eksctl's spelling of the family; the canonical family is the ``ami_family`` fact
    node.set("eksctl_ami_family", family, b.where(f"{path}.amiFamily"))
    if managed and family in AMI_FAMILY_TYPES and not spec.get("ami"):
        node.set("ami_type", AMI_FAMILY_TYPES[family], b.where(f"{path}.amiFamily"))
    if spec.get("ami"):
        node.set("image_id", spec["ami"], b.where(f"{path}.ami"))
    types = list(spec.get("instanceTypes") or []) + ([spec["instanceType"]] if spec.get("instanceType") else [])
    if types:
        where = "instanceTypes" if spec.get("instanceTypes") else "instanceType"
        node.set("instance_types", types, b.where(f"{path}.{where}"))
    if spec.get("labels") is not None:
        node.set("labels", spec["labels"], b.where(f"{path}.labels"))
    if spec.get("subnets"):
        named = b.subnets_by_name
        node.set("subnets", [named.get(s, s) for s in spec["subnets"]], b.where(f"{path}.subnets"))
    else:
        access = "private" if spec.get("privateNetworking") is True else "public"
        node.set("subnets", list(b.subnets_by_access.get(access, [])), None, EKSCTL_DEFAULT)
    for field in (
        "overrideBootstrapCommand",
        "preBootstrapCommands",
        "containerRuntime",
        "privateNetworking",
        "instanceType",
        "instanceTypes",
        "securityGroups",
        "launchTemplate",
    ):
        if field in spec:
            node.set(field, spec[field], b.where(f"{path}.{field}"))
    if "overrideBootstrapCommand" in spec:  # the canonical name rules anchor at
        node.set("bootstrap_override", spec["overrideBootstrapCommand"], b.where(f"{path}.overrideBootstrapCommand"))


def _addons(b: _Builder, cluster: Resource) -> None:
    for index, addon in enumerate(b.get("addons") or []):
        if not isinstance(addon, dict):
            continue
        path = f"addons.{index}"
        associations = [
            {"service_account": a.get("serviceAccountName"), "role": a.get("roleARN")}
            for a in addon.get("podIdentityAssociations") or []
            if isinstance(a, dict)
        ]
        b.add(
            k.ADDON,
            f"addons/{addon.get('name')}",
            f"addons[{addon.get('name')}]",
            f"{path}.name",
            DECLARED,
            cluster=cluster,
            name=addon.get("name"),
            # eksctl passes the role only with iam.withOIDC (makeServiceAccountRole)
            service_account_role=addon.get("serviceAccountRoleARN") if defaults.with_oidc(b.data) is True else None,
            pod_identity_associations=associations or None,
        )


def _access(b: _Builder, cluster: Resource) -> None:
    """accessConfig.accessEntries and iamIdentityMappings (entries eksctl adds to aws-auth)."""
    for index, entry in enumerate(b.get("accessConfig.accessEntries") or []):
        if isinstance(entry, dict):
            path = f"accessConfig.accessEntries.{index}"
            b.add(
                k.ACCESS_ENTRY,
                f"access/{index}",
                f"accessConfig.accessEntries[{index}]",
                f"{path}.principalARN",
                DECLARED,
                cluster=cluster,
                principal_arn=entry.get("principalARN"),
                type=entry.get("type", "STANDARD"),
                kubernetes_groups=entry.get("kubernetesGroups"),
            )
    mappings = [m for m in b.get("iamIdentityMappings") or [] if isinstance(m, dict)]
    if mappings:
        roles = [
            {"rolearn": m.get("arn"), "username": m.get("username"), "groups": m.get("groups") or []}
            for m in mappings
            if ":role/" in str(m.get("arn"))
        ]
        users = [
            {"userarn": m.get("arn"), "username": m.get("username"), "groups": m.get("groups") or []}
            for m in mappings
            if ":user/" in str(m.get("arn"))
        ]
        b.resources.append(
            aws_auth_resource(
                key=f"{b.prefix}/aws-auth",
                address="iamIdentityMappings",
                framework="eksctl",
                source_type="ClusterConfig.iamIdentityMappings",
                location=b.where("iamIdentityMappings"),
                map_roles=roles,
                map_users=users,
                ownership=PARTIAL,
            )
        )


def _subnets(b: _Builder, cluster: Resource) -> None:
    """vpc.subnets of an existing VPC are external IDs; otherwise eksctl creates a public
    and a private subnet per AZ (one resource stands for each set)."""
    vpc = cluster.get("vpc")
    if not defaults.creates_vpc(b.data):
        for access in ("public", "private"):
            for name, spec in (b.get(f"vpc.subnets.{access}") or {}).items():
                subnet_id = spec.get("id") if isinstance(spec, dict) else None
                target = subnet_id or name
                b.subnets_by_name[str(name)] = target
                b.subnets_by_access.setdefault(access, []).append(target)
        cluster.set(
            "subnets", [s for group in b.subnets_by_access.values() for s in group] or None, b.where("vpc.subnets")
        )
        return
    nat = defaults.nat_gateway(b.data)
    for access in ("public", "private"):
        subnet = b.add(
            k.SUBNET,
            f"subnets/{access}",
            f"{b.name} {access} subnets (created by eksctl)",
            "vpc" if b.get("vpc") else "metadata",
            EKSCTL_DEFAULT,
            vpc=vpc,
            map_public_ip_on_launch=access == "public" and defaults.CREATED_PUBLIC_SUBNETS_MAP_PUBLIC_IP,
            eksctl_access=access,
            nat_gateway=nat if access == "private" else None,
            # one resource stands for the subnets of every zone: their size is known, not
            # their addresses (cidr_block stays unset so no rule mistakes one for all)
            cidr_prefix_length=defaults.created_subnet_prefix(b.data),
        )
        if access == "private":
            # a fully-private cluster's VPC has no NAT gateway and no internet gateway
            subnet.set("private_cluster", cluster.get("private_cluster"), None, EKSCTL_DEFAULT)
            if b.get("vpc.nat.gateway") is not None:
                subnet.field_locations["nat_gateway"] = b.where("vpc.nat.gateway")
        b.subnets_by_access[access] = [subnet]
    cluster.set("subnets", b.subnets_by_access["public"] + b.subnets_by_access["private"], None, EKSCTL_DEFAULT)


def _endpoints(b: _Builder, cluster: Resource) -> None:
    """Interface/gateway endpoints eksctl creates for a fully private cluster."""
    services = defaults.private_cluster_endpoints(b.data)
    if not isinstance(services, list):
        return
    for service in services:
        gateway = service in defaults.GATEWAY_ENDPOINTS
        b.add(
            k.VPC_ENDPOINT,
            f"endpoints/{service}",
            f"{service} endpoint (created by eksctl)",
            "privateCluster",
            EKSCTL_DEFAULT,
            vpc=cluster.get("vpc"),
            service_name=f"com.amazonaws.{b.get('metadata.region', '<region>')}.{service}",
            endpoint_type="Gateway" if gateway else "Interface",
            private_dns_enabled=not gateway,
            subnets=None if gateway else b.subnets_by_access.get("private"),
        )
