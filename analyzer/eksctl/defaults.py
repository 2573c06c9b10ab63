"""What eksctl does when a ClusterConfig leaves a setting out, and what it refuses.

Data and small pure functions over the plain ClusterConfig mapping (as loaded by
``analyzer.yamlsafe``). A setting that is present but not a literal of the expected
type (``${PUBLIC}``, a template hole) is ``Unknown``, never guessed.

Sources, eksctl-io/eksctl at HEAD 99984adb:
* ``pkg/apis/eksctl.io/v1alpha5/defaults.go``: ``ClusterEndpointAccessDefaults`` (public on,
  private off), ``SetClusterConfigDefaults`` (authentication mode API_AND_CONFIG_MAP,
  CONFIG_MAP on Outposts; manageSharedNodeSecurityGroupRules on), ``SetNodeGroupDefaults``
  / ``SetManagedNodeGroupDefaults`` (amiFamily AmazonLinux2023, AL2 refused from 1.33,
  withShared/withLocal security groups on, containerd).
* ``vpc.go``: ``ClusterNATDefault = Single``, ``DefaultCIDR = 192.168.0.0/16``;
  ``pkg/cfn/builder/vpc_ipv4.go``: the VPC it creates has DNS support and DNS hostnames on,
  its public subnets map public IPs on launch.
* ``pkg/vpc/vpc.go`` ``SetSubnets`` / ``getSubnetNetworkSize``: the created VPC is split into
  8 subnets of prefix+3 for up to 4 zones (2 per zone), 16 of prefix+4 for 5 to 8 zones.
* ``endpoint_service.go``: fully-private clusters get ec2, ecr.api, ecr.dkr, s3 (gateway)
  and sts endpoints; logs when CloudWatch logging is on; optional cloudformation,
  autoscaling, logs; never eks.
* ``pkg/cfn/builder/iam_helper.go`` ``makeManagedPolicies``: node role policies.
* ``validation.go``, ``access_entry.go``: what ``eksctl_rejects`` lists.
* userdocs ``eks-private-cluster.md``: "a fully-private cluster can have private access only".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from analyzer.values import Unknown

# --- cluster ----------------------------------------------------------------------

ENDPOINT_PUBLIC_ACCESS = True
ENDPOINT_PRIVATE_ACCESS = False
AUTHENTICATION_MODE = "API_AND_CONFIG_MAP"
AUTHENTICATION_MODE_ON_OUTPOSTS = "CONFIG_MAP"
NAT_GATEWAY = "Single"
NAT_GATEWAY_MODES = ("Single", "HighlyAvailable", "Disable")
VPC_CIDR = "192.168.0.0/16"
DEFAULT_ZONE_COUNT = 3  # SetAvailabilityZones picks 3 zones (2 where a region has only 2)
WITH_OIDC = False
MANAGE_SHARED_NODE_SECURITY_GROUP_RULES = True

# The VPC eksctl creates (only when vpc.id and vpc.subnets are not given).
CREATED_VPC_DNS_SUPPORT = True
CREATED_VPC_DNS_HOSTNAMES = True
CREATED_PUBLIC_SUBNETS_MAP_PUBLIC_IP = True

# --- node groups ------------------------------------------------------------------

AMI_FAMILY = "AmazonLinux2023"
AMAZON_LINUX_2 = "AmazonLinux2"
AL2_UNSUPPORTED_FROM = (1, 33)  # AmazonLinux2EOLVersion
CONTAINER_RUNTIME = "containerd"
DOCKERSHIM_REMOVED_IN = (1, 24)  # DockershimDeprecationVersion
PRIVATE_NETWORKING = False
SECURITY_GROUPS_WITH_SHARED = True  # unmanaged node groups only
SECURITY_GROUPS_WITH_LOCAL = True  # unmanaged node groups only

WORKER_NODE_POLICY = "AmazonEKSWorkerNodePolicy"
CNI_POLICY = "AmazonEKS_CNI_Policy"
ECR_PULL_POLICY = "AmazonEC2ContainerRegistryPullOnly"
ECR_POWER_USER_POLICY = "AmazonEC2ContainerRegistryPowerUser"
SSM_POLICY = "AmazonSSMManagedInstanceCore"
CLOUDWATCH_AGENT_POLICY = "CloudWatchAgentServerPolicy"

# --- fully-private clusters -------------------------------------------------------

PRIVATE_CLUSTER_ENDPOINTS = ("ec2", "ecr.api", "ecr.dkr", "s3", "sts")
GATEWAY_ENDPOINTS = ("s3",)
ADDITIONAL_ENDPOINT_SERVICES = ("cloudformation", "autoscaling", "logs")
CLOUDWATCH_LOGS_ENDPOINT = "logs"

# autoModeConfig (pkg/apis/eksctl.io/v1alpha5/auto_mode.go; eksctl's "EKS Auto Mode" page)
AUTO_MODE_NODE_POOLS = ("general-purpose", "system")
AUTO_MODE_NODE_POLICIES = ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly")
# remoteNetworkConfig.iam.provider: SSM (the default) or IRA (eksctl's "EKS Hybrid Nodes" page)
REMOTE_NODES_PROVIDER = "SSM"
REMOTE_NODES_TRUST = {"SSM": "ssm.amazonaws.com", "IRA": "rolesanywhere.amazonaws.com"}
NODE_GROUP_KINDS = (("nodeGroups", False), ("managedNodeGroups", True))


# --- reading settings ---------------------------------------------------------------


def section(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """A nested mapping, or {} when any level is absent or not a mapping."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def known_bool(value: Any, default: bool, what: str) -> bool | Unknown:
    """A literal boolean, the default when unset, Unknown for anything else."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return Unknown(f"{what} is {value!r}, not true or false")


def iter_node_groups(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(dotted path, node group mapping, managed) for every node group of both kinds."""
    for key, managed in NODE_GROUP_KINDS:
        groups = data.get(key)
        if not isinstance(groups, list):
            continue
        for index, group in enumerate(groups):
            if isinstance(group, dict):
                yield f"{key}.{index}", group, managed


def kubernetes_version(data: Mapping[str, Any], scalar_text: Mapping[str, str] | None = None) -> tuple[int, int] | None:
    """metadata.version as (major, minor); None when unset or unreadable.

    eksctl reads an unquoted ``1.30`` as the text "1.30"; YAML loads it as the float
    1.3, so the source text is preferred, and a float's one-digit minor is read as
    tens (EKS versions have two-digit minors since 1.10).
    """
    value = section(data, "metadata").get("version")
    text = (scalar_text or {}).get("metadata.version")
    if text is None and isinstance(value, float):
        major, _, minor = repr(value).partition(".")
        text = f"{major}.{minor}0" if len(minor) == 1 else f"{major}.{minor}"
    if text is None and isinstance(value, str):
        text = value
    return _parse_version(text)


def _parse_version(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    major, _, rest = text.strip().lstrip("v").partition(".")
    minor = rest.partition(".")[0]
    if major.isdigit() and minor.isdigit():
        return int(major), int(minor)
    return None


def partition_for_region(region: Any) -> str:
    """The AWS partition of a region (eksctl partitions.go); "aws" when not known."""
    if not isinstance(region, str):
        return "aws"
    for prefix, partition in (
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-iso-", "aws-iso"),
    ):
        if region.startswith(prefix):
            return partition
    return "aws"


def managed_policy_arn(name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"


# --- cluster facts ----------------------------------------------------------------


def is_private_cluster(data: Mapping[str, Any]) -> bool | Unknown:
    enabled = section(data, "privateCluster").get("enabled")
    return known_bool(enabled, False, "privateCluster.enabled")


def is_on_outposts(data: Mapping[str, Any]) -> bool:
    return bool(section(data, "outpost").get("controlPlaneOutpostARN"))


def endpoint_access(data: Mapping[str, Any]) -> tuple[bool | Unknown, bool | Unknown]:
    """(public, private) API server endpoint access once eksctl has created the cluster.

    A fully-private cluster ends with private access only, whatever clusterEndpoints says.
    """
    private_cluster = is_private_cluster(data)
    if private_cluster is True:
        return False, True
    endpoints = section(data, "vpc", "clusterEndpoints")
    what = "vpc.clusterEndpoints."
    public = known_bool(endpoints.get("publicAccess"), ENDPOINT_PUBLIC_ACCESS, what + "publicAccess")
    private = known_bool(endpoints.get("privateAccess"), ENDPOINT_PRIVATE_ACCESS, what + "privateAccess")
    return public, private


def authentication_mode(data: Mapping[str, Any]) -> str | Unknown:
    mode = section(data, "accessConfig").get("authenticationMode")
    if mode in (None, ""):
        return AUTHENTICATION_MODE_ON_OUTPOSTS if is_on_outposts(data) else AUTHENTICATION_MODE
    if isinstance(mode, str) and mode in ("CONFIG_MAP", "API", "API_AND_CONFIG_MAP"):
        return mode
    return Unknown(f"accessConfig.authenticationMode is {mode!r}")


def remote_nodes_provider(data: Mapping[str, Any]) -> str | Unknown:
    """The credentials provider of hybrid nodes: SSM or IRA (eksctl compares case-insensitively)."""
    provider = section(data, "remoteNetworkConfig", "iam").get("provider")
    if provider in (None, ""):
        return REMOTE_NODES_PROVIDER
    if isinstance(provider, str) and provider.upper() in REMOTE_NODES_TRUST:
        return provider.upper()
    return Unknown(f"remoteNetworkConfig.iam.provider is {provider!r}")


def nat_gateway(data: Mapping[str, Any]) -> str | Unknown:
    gateway = section(data, "vpc", "nat").get("gateway")
    if gateway is None:
        return NAT_GATEWAY
    if gateway in NAT_GATEWAY_MODES:
        return str(gateway)
    return Unknown(f"vpc.nat.gateway is {gateway!r}")


def vpc_cidr(data: Mapping[str, Any]) -> str | Unknown:
    cidr = section(data, "vpc").get("cidr")
    if cidr is None:
        return VPC_CIDR
    return cidr if isinstance(cidr, str) else Unknown(f"vpc.cidr is {cidr!r}")


def created_subnet_prefix(data: Mapping[str, Any]) -> int | Unknown:
    """The prefix length of every subnet eksctl carves out of the VPC it creates."""
    cidr = vpc_cidr(data)
    if isinstance(cidr, Unknown):
        return cidr
    try:
        prefix = ipaddress.ip_network(cidr, strict=False).prefixlen
    except ValueError:
        return Unknown(f"vpc.cidr {cidr!r} is not a CIDR block")
    zones = data.get("availabilityZones")
    if zones is None:
        zone_count = DEFAULT_ZONE_COUNT
    elif isinstance(zones, list):
        zone_count = len(zones)
    else:
        return Unknown(f"availabilityZones is {zones!r}")
    if zone_count > 8:
        return Unknown(f"eksctl refuses {zone_count} availability zones (at most 8)")
    return prefix + (3 if zone_count <= 4 else 4)


def creates_vpc(data: Mapping[str, Any]) -> bool:
    """eksctl builds its own VPC unless an existing VPC or existing subnets are given."""
    vpc = section(data, "vpc")
    subnets = section(data, "vpc", "subnets")
    return not vpc.get("id") and not any(section(subnets, kind) for kind in ("public", "private"))


def with_oidc(data: Mapping[str, Any]) -> bool | Unknown:
    return known_bool(section(data, "iam").get("withOIDC"), WITH_OIDC, "iam.withOIDC")


def cloudwatch_logging_enabled(data: Mapping[str, Any]) -> bool:
    types = section(data, "cloudWatch", "clusterLogging").get("enableTypes")
    return isinstance(types, list) and len(types) > 0


def private_cluster_endpoints(data: Mapping[str, Any]) -> list[str] | Unknown:
    """VPC endpoint services eksctl creates for a fully-private cluster ([] otherwise)."""
    private_cluster = is_private_cluster(data)
    if isinstance(private_cluster, Unknown):
        return private_cluster
    settings = section(data, "privateCluster")
    if not private_cluster or settings.get("skipEndpointCreation") is True:
        return []
    services = list(PRIVATE_CLUSTER_ENDPOINTS)
    additional = settings.get("additionalEndpointServices")
    for service in additional if isinstance(additional, list) else []:
        if service in ADDITIONAL_ENDPOINT_SERVICES and service not in services:
            services.append(service)
    if cloudwatch_logging_enabled(data) and CLOUDWATCH_LOGS_ENDPOINT not in services:
        services.append(CLOUDWATCH_LOGS_ENDPOINT)
    return services


# --- node group facts -------------------------------------------------------------


def ami_family(node_group: Mapping[str, Any]) -> str | Unknown:
    """The node group's AMI family, spelled as eksctl spells it (it ignores case)."""
    family = node_group.get("amiFamily")
    if family in (None, ""):
        return AMI_FAMILY
    if not isinstance(family, str):
        return Unknown(f"amiFamily is {family!r}")
    for known in _AMI_FAMILIES:
        if known.casefold() == family.casefold():
            return known
    return Unknown(f"amiFamily {family!r} is not one eksjoin knows")


_AMI_FAMILIES = (
    "AmazonLinux2023", "AmazonLinux2",
    "UbuntuPro2604", "Ubuntu2604", "UbuntuPro2404", "Ubuntu2404",
    "UbuntuPro2204", "Ubuntu2204", "UbuntuPro2004", "Ubuntu2004",
    "Bottlerocket", "BottlerocketFips",
    "WindowsServer2019CoreContainer", "WindowsServer2019FullContainer",
    "WindowsServer2022CoreContainer", "WindowsServer2022FullContainer",
    "WindowsServer2025CoreContainer", "WindowsServer2025FullContainer",
)  # fmt: skip


def is_custom_ami(node_group: Mapping[str, Any]) -> bool:
    """An explicit AMI ID, as opposed to eksctl's resolvers (auto, auto-ssm, static)."""
    ami = node_group.get("ami")
    return isinstance(ami, str) and ami.startswith("ami-")


def node_role_policies(data: Mapping[str, Any], node_group: Mapping[str, Any], *, managed: bool) -> list[str] | Unknown:
    """ARNs of the managed policies on the node role eksctl creates (makeManagedPolicies).

    Without ``iam.attachPolicyARNs``: AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy
    (unless iam.withOIDC, which moves it to IRSA for aws-node), AmazonSSMManagedInstanceCore,
    and AmazonEC2ContainerRegistryPullOnly for managed groups. With it: exactly those ARNs.
    Unmanaged groups get PullOnly in both cases, or PowerUser with imageBuilder (which
    managed groups get on top); cloudWatch adds CloudWatchAgentServerPolicy.
    An ``iam.instanceRoleARN`` is a role eksctl does not create: Unknown.
    """
    iam = section(node_group, "iam")
    if iam.get("instanceRoleARN") or iam.get("instanceProfileARN"):
        return Unknown("the node role is an existing role (iam.instanceRoleARN) outside this file")
    partition = partition_for_region(section(data, "metadata").get("region"))
    listed = iam.get("attachPolicyARNs")
    attached = [arn for arn in listed if isinstance(arn, str)] if isinstance(listed, list) else []
    addons = section(node_group, "iam", "withAddonPolicies")
    names: list[str] = []
    if not attached:
        names.append(WORKER_NODE_POLICY)
        oidc = with_oidc(data)
        if isinstance(oidc, Unknown):
            return oidc
        if not oidc:
            names.append(CNI_POLICY)
        if managed:  # the managed node group API insists on an ECR policy of its own
            names.append(ECR_PULL_POLICY)
        names.append(SSM_POLICY)
    if addons.get("imageBuilder") is True:
        names.append(ECR_POWER_USER_POLICY)
    elif not managed:
        names.append(ECR_PULL_POLICY)
    if addons.get("cloudWatch") is True:
        names.append(CLOUDWATCH_AGENT_POLICY)
    attached_names = {arn.rsplit("/", 1)[-1] for arn in attached}
    added = [managed_policy_arn(name, partition) for name in names if name not in attached_names]
    return attached + added


# --- what eksctl refuses ----------------------------------------------------------


# metadata.version values eksctl replaces with a version of its own release: unset or
# "auto" mean DefaultVersion, "latest" LatestVersion (cmdutils, ClusterConfig defaults).
_RELEASE_CHOSEN_VERSIONS = ("", "auto", "latest")


def _version_chosen_by_eksctl(data: Mapping[str, Any], scalar_text: Mapping[str, str] | None) -> bool:
    value = section(data, "metadata").get("version")
    if value is None:
        return True
    text = (scalar_text or {}).get("metadata.version", value)
    return isinstance(text, str) and text.strip().lower() in _RELEASE_CHOSEN_VERSIONS


def eksctl_may_reject(data: Mapping[str, Any], scalar_text: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(dotted path, why) for settings eksctl refuses with the version it picks itself.

    An AmazonLinux2 node group without ``metadata.version`` gets eksctl's DefaultVersion,
    which is 1.33 or later in every release since AL2 was refused there (AL2 AMIs reached
    end of support on 2025-11-26); an older eksctl binary still accepts it, so this is a
    doubt, not a rejection."""
    if not _version_chosen_by_eksctl(data, scalar_text):
        return []
    major, minor = AL2_UNSUPPORTED_FROM
    found: list[tuple[str, str]] = []
    for path, group, _ in iter_node_groups(data):
        if _family(group) == AMAZON_LINUX_2.casefold():
            found.append(
                (
                    f"{path}.amiFamily",
                    f"{_field(path)} runs AmazonLinux2 and metadata.version is not set: eksctl then creates "
                    f"its default Kubernetes version ({major}.{minor} or later in current releases), for which it "
                    f"refuses AmazonLinux2 (AL2 AMIs reached end of support on 2025-11-26)",
                )
            )
    return found


def eksctl_rejects(data: Mapping[str, Any], scalar_text: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(dotted path, eksctl's complaint) for each setting eksctl refuses before creating
    anything. Only literal values count: a placeholder never produces a rejection."""
    version = kubernetes_version(data, scalar_text)
    found: list[tuple[str, str]] = []
    found += _endpoint_rejections(data)
    found += _access_rejections(data)
    found += _private_cluster_rejections(data)
    found += _shared_security_group_rejections(data)
    found += _auto_mode_rejections(data)
    for path, group, managed in iter_node_groups(data):
        found += _node_group_rejections(path, group, managed, version, data)
    return found


def _auto_mode_rejections(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """ValidateAutoModeConfig (pkg/apis/eksctl.io/v1alpha5/auto_mode.go)."""
    auto = section(data, "autoModeConfig")
    if not auto:
        return []
    enabled, pools = auto.get("enabled"), auto.get("nodePools")
    role, boundary = auto.get("nodeRoleARN"), auto.get("permissionsBoundaryARN")
    if enabled is True:
        if is_on_outposts(data):
            return [("autoModeConfig.enabled", "Auto Mode is not supported on Outposts")]
        if not isinstance(pools, list):
            return []
        if not pools and role:
            return [
                (
                    "autoModeConfig.nodeRoleARN",
                    "cannot specify autoModeConfig.nodeRoleARN when autoModeConfig.nodePools is empty",
                )
            ]
        if not pools and boundary:
            return [
                (
                    "autoModeConfig.permissionsBoundaryARN",
                    "cannot specify autoModeConfig.permissionBoundaryARN when autoModeConfig.nodePools is empty",
                )
            ]
        if role and boundary:
            return [
                (
                    "autoModeConfig.permissionsBoundaryARN",
                    "cannot specify autoModeConfig.permissionBoundaryARN when nodeRoleARN is set",
                )
            ]
        seen: set[str] = set()
        for index, pool in enumerate(pools):
            if not isinstance(pool, str) or is_placeholder_text(pool):
                continue
            if pool in seen:
                return [(f"autoModeConfig.nodePools.{index}", f"found duplicate node pool: {pool!r}")]
            if pool not in AUTO_MODE_NODE_POOLS:
                return [(f"autoModeConfig.nodePools.{index}", f"invalid NodePool {pool!r}")]
            seen.add(pool)
        return []
    if enabled in (False, None) and (role or boundary or (isinstance(pools, list) and pools)):
        return [
            (
                "autoModeConfig",
                "cannot set autoModeConfig.nodeRoleARN, autoModeConfig.permissionBoundaryARN, or "
                "autoModeConfig.nodePools when Auto Mode is disabled",
            )
        ]
    return []


def is_placeholder_text(value: str) -> bool:
    """Text that stands for a value filled in later by a template or a script (``${NODES}``)."""
    text = value.strip()
    return "${" in text or "{{" in text or text.startswith("$") or (text.startswith("<") and text.endswith(">"))


def _endpoint_rejections(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    endpoints = section(data, "vpc", "clusterEndpoints")
    if not endpoints or is_private_cluster(data) is True:
        return []  # a fully-private cluster gets both endpoints on during creation
    public, private = endpoints.get("publicAccess"), endpoints.get("privateAccess")
    if public is False and (private is False or private is None):
        return [
            (
                "vpc.clusterEndpoints",
                "Kubernetes API access must have one of public or private clusterEndpoints enabled",
            )
        ]
    return []


def _access_rejections(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    access = section(data, "accessConfig")
    entries = access.get("accessEntries")
    if access.get("authenticationMode") == "CONFIG_MAP" and isinstance(entries, list) and entries:
        return [
            (
                "accessConfig.accessEntries",
                "accessConfig.authenticationMode must be set to either API_AND_CONFIG_MAP or API to use access entries",
            )
        ]
    return []


def _private_cluster_rejections(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    if is_private_cluster(data) is not True:
        return []
    found: list[tuple[str, str]] = []
    settings = section(data, "privateCluster")
    additional = settings.get("additionalEndpointServices")
    if settings.get("skipEndpointCreation") is True and isinstance(additional, list) and additional:
        found.append(
            (
                "privateCluster.additionalEndpointServices",
                "privateCluster.additionalEndpointServices cannot be set when "
                "privateCluster.skipEndpointCreation is true",
            )
        )
    if section(data, "vpc").get("id") and not section(data, "vpc", "subnets", "private"):
        found.append(
            (
                "vpc.id",
                "vpc.subnets.private must be specified in a fully-private cluster when a pre-existing VPC is supplied",
            )
        )
    local_zones = data.get("localZones")
    if isinstance(local_zones, list) and local_zones:
        found.append(("localZones", "localZones cannot be used in a fully-private cluster"))
    for path, group, _ in iter_node_groups(data):
        if group.get("privateNetworking") in (None, False):
            where = f"{path}.privateNetworking" if "privateNetworking" in group else path
            message = "privateNetworking must be enabled for a fully-private cluster"
            found.append((where, f"{_field(path)}.{message}"))
    return found


def _shared_security_group_rejections(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    vpc = section(data, "vpc")
    disabled = vpc.get("manageSharedNodeSecurityGroupRules") is False
    if disabled and not vpc.get("sharedNodeSecurityGroup"):
        return [
            (
                "vpc.manageSharedNodeSecurityGroupRules",
                "vpc.manageSharedNodeSecurityGroupRules must be enabled when using eksctl-managed security groups",
            )
        ]
    return []


def _node_group_rejections(
    path: str,
    group: Mapping[str, Any],
    managed: bool,
    version: tuple[int, int] | None,
    data: Mapping[str, Any],
) -> list[tuple[str, str]]:
    found = _ami_rejections(path, group, version)
    found += _bootstrap_rejections(path, group, managed, version)
    found += _iam_rejections(path, group, managed)
    if managed:
        found += _managed_only_rejections(path, group)
    return found


def _ami_rejections(path: str, group: Mapping[str, Any], version: tuple[int, int] | None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    family = _family(group)
    if family == AMAZON_LINUX_2.casefold() and version and version >= AL2_UNSUPPORTED_FROM:
        major, minor = version
        found.append(
            (
                f"{path}.amiFamily",
                f"AmazonLinux2 is not supported for Kubernetes version {major}.{minor} (use AmazonLinux2023)",
            )
        )
    if is_custom_ami(group) and family == "":
        found.append(
            (
                f"{path}.ami",
                "when using a custom AMI, amiFamily needs to be explicitly set",
            )
        )
    needs_override = family == AMAZON_LINUX_2.casefold() or family.startswith("ubuntu")
    if is_custom_ami(group) and needs_override and group.get("overrideBootstrapCommand") is None:
        found.append(
            (
                f"{path}.ami",
                f"{_field(path)}.overrideBootstrapCommand is required when using a custom AMI ({_field(path)}.ami)",
            )
        )
    return found


def _bootstrap_rejections(
    path: str, group: Mapping[str, Any], managed: bool, version: tuple[int, int] | None
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    family = _family(group)
    override = group.get("overrideBootstrapCommand")
    bottlerocket = family == "bottlerocket"
    # Windows managed node groups always run the AMI's own bootstrap script; unmanaged
    # Windows groups may override it (examples/32-windows-nodes-with-containerd.yaml).
    managed_windows = managed and family.startswith("windowsserver")
    if override is not None and (bottlerocket or managed_windows):
        found.append(
            (
                f"{path}.overrideBootstrapCommand",
                f"overrideBootstrapCommand is not supported for {group.get('amiFamily')} nodegroups",
            )
        )
    if bottlerocket and group.get("preBootstrapCommands") is not None:
        found.append(
            (
                f"{path}.preBootstrapCommands",
                f"preBootstrapCommands is not supported for {group.get('amiFamily')} nodegroups",
            )
        )
    runtime = group.get("containerRuntime")
    if not managed and runtime is not None:
        if override is not None:
            found.append(
                (
                    f"{path}.overrideBootstrapCommand",
                    "overrideBootstrapCommand overwrites container runtime setting; please use "
                    "--container-runtime in the bootstrap script instead",
                )
            )
        if runtime != CONTAINER_RUNTIME and version and version >= DOCKERSHIM_REMOVED_IN:
            found.append(
                (
                    f"{path}.containerRuntime",
                    "only containerd is supported for container runtime, starting with EKS version 1.24",
                )
            )
    return found


# Node role settings eksctl refuses next to an existing role (validateNodeGroupIAM).
_EXISTING_ROLE_CONFLICTS = (
    "instanceRoleName", "attachPolicy", "attachPolicyARNs", "instanceRolePermissionsBoundary",
)  # fmt: skip


def _iam_rejections(path: str, group: Mapping[str, Any], managed: bool) -> list[tuple[str, str]]:
    iam = section(group, "iam")
    existing = ["instanceRoleARN"] if managed else ["instanceProfileARN", "instanceRoleARN"]
    found: list[tuple[str, str]] = []
    for field in existing:
        if not iam.get(field):
            continue
        conflicts = [name for name in _EXISTING_ROLE_CONFLICTS if iam.get(name)]
        conflicts += [
            f"withAddonPolicies.{name}" for name, value in section(iam, "withAddonPolicies").items() if value is True
        ]
        if conflicts:
            found.append(
                (
                    f"{path}.iam.{field}",
                    f"{_field(path)}.iam.{field} and {_field(path)}.iam.{conflicts[0]} cannot be set at the same time",
                )
            )
    if managed and iam.get("instanceProfileARN"):
        found.append(
            (
                f"{path}.iam.instanceProfileARN",
                f"instanceProfileARN is not supported for Managed Nodes ({_field(path)}.iam.instanceProfileARN)",
            )
        )
    return found


# Managed node group fields eksctl refuses next to a launch template (ValidateManagedNodeGroup).
_LAUNCH_TEMPLATE_CONFLICTS = (
    "instanceType", "ami", "volumeSize", "preBootstrapCommands", "overrideBootstrapCommand",
    "instanceName", "instancePrefix", "maxPodsPerNode", "placement",
)  # fmt: skip


def _managed_only_rejections(path: str, group: Mapping[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    groups = section(group, "securityGroups")
    if groups.get("withLocal") is True or groups.get("withShared") is True:
        found.append(
            (
                f"{path}.securityGroups",
                "securityGroups.withLocal and securityGroups.withShared are not supported for "
                f"managed nodegroups ({_field(path)}.securityGroups)",
            )
        )
    if isinstance(group.get("launchTemplate"), dict):
        conflicts = [name for name in _LAUNCH_TEMPLATE_CONFLICTS if group.get(name)]
        if groups.get("attachIDs"):
            conflicts.append("securityGroups.attachIDs")
        ssh = section(group, "ssh")
        if ssh.get("allow") is True or ssh.get("sourceSecurityGroupIds"):
            conflicts.append("ssh")
        if conflicts:
            found.append(
                (
                    f"{path}.launchTemplate",
                    f"cannot set {', '.join(conflicts)} in managedNodeGroup when a launch template is supplied",
                )
            )
    return found


def _family(group: Mapping[str, Any]) -> str:
    """The written amiFamily, case-folded; "" when unset or not text."""
    family = group.get("amiFamily")
    return family.casefold() if isinstance(family, str) else ""


def _field(dotted: str) -> str:
    """ "managedNodeGroups.0" -> "managedNodeGroups[0]", the way eksctl names fields."""
    text = ""
    for part in dotted.split("."):
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text
