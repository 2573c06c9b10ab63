"""IAM policy documents: parsing, and whether they allow a set of actions or a trust.

AWS managed policies are known by name (their content is public and stable enough for
the actions nodes need). Customer and inline policies are read statement by statement.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import Any

from analyzer import jsonsafe
from analyzer.values import Encoded, OneOf, PartialStr, Unknown, is_unknown, restore_markers

# The actions each AWS managed policy grants that matter for node join (not the full policy).
WORKER_NODE_ACTIONS = (
    "ec2:DescribeInstances",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVolumes",
    "ec2:DescribeVolumesModifications",
    "ec2:DescribeVpcs",
    "eks:DescribeCluster",
)
ECR_PULL_ACTIONS = ("ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
CNI_ACTIONS = (
    "ec2:AssignPrivateIpAddresses",
    "ec2:AttachNetworkInterface",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeInstances",
    "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeSubnets",
    "ec2:DetachNetworkInterface",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:CreateTags",
)
CNI_IPV6_ACTIONS = (
    "ec2:AssignIpv6Addresses",
    "ec2:DescribeInstances",
    "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstanceTypes",
    "ec2:CreateTags",
)

MANAGED_POLICY_ACTIONS: dict[str, tuple[str, ...]] = {
    "AmazonEKSWorkerNodePolicy": WORKER_NODE_ACTIONS + ("eks-auth:AssumeRoleForPodIdentity",),
    "AmazonEKSWorkerNodeMinimalPolicy": ("eks-auth:AssumeRoleForPodIdentity",),
    "AmazonEC2ContainerRegistryReadOnly": ECR_PULL_ACTIONS
    + (
        "ecr:GetRepositoryPolicy",
        "ecr:DescribeRepositories",
        "ecr:ListImages",
        "ecr:DescribeImages",
        "ecr:GetLifecyclePolicy",
        "ecr:ListTagsForResource",
    ),
    "AmazonEC2ContainerRegistryPullOnly": ECR_PULL_ACTIONS + ("ecr:BatchImportUpstreamImage",),
    "AmazonEC2ContainerRegistryPowerUser": ("ecr:*",),
    "AmazonEC2ContainerRegistryFullAccess": ("ecr:*",),
    "AmazonEKS_CNI_Policy": CNI_ACTIONS,
    "AmazonEKS_CNI_IPv6_Policy": CNI_IPV6_ACTIONS,
    "AmazonEC2FullAccess": ("ec2:*",),
    "AdministratorAccess": ("*",),
    "AmazonSSMManagedInstanceCore": ("ssm:UpdateInstanceInformation", "ssmmessages:*", "ec2messages:*"),
    # Common node add-ons: known not to grant the join permissions above.
    "AmazonS3ReadOnlyAccess": ("s3:Get*", "s3:List*", "s3:Describe*"),
    "CloudWatchAgentServerPolicy": (
        "cloudwatch:PutMetricData",
        "logs:PutLogEvents",
        "logs:CreateLogStream",
        "logs:CreateLogGroup",
    ),
    "AmazonEBSCSIDriverPolicy": (
        "ec2:CreateVolume",
        "ec2:AttachVolume",
        "ec2:DetachVolume",
        "ec2:DeleteVolume",
        "ec2:CreateSnapshot",
    ),
    "AmazonEKSVPCResourceController": ("ec2:CreateNetworkInterfacePermission",),
    "AmazonEKSClusterPolicy": (
        "autoscaling:DescribeAutoScalingGroups",
        "ec2:CreateTags",
        "ec2:DescribeInstances",
        "ec2:DescribeVpcs",
        "kms:DescribeKey",
    ),
    "AmazonEC2ContainerServiceforEC2Role": ECR_PULL_ACTIONS + ("ecs:*",),
}

AWS_MANAGED_PREFIX = ":iam::aws:policy/"


def managed_policy_name(arn: Any) -> str | None:
    """``arn:<partition>:iam::aws:policy/[path/]Name`` -> Name; partition may be unknown."""
    text = arn.text("*") if isinstance(arn, PartialStr) else arn
    if not isinstance(text, str) or AWS_MANAGED_PREFIX not in text:
        return None
    name = text.rsplit("/", 1)[-1]
    return name if name and "*" not in name and "${?}" not in name else None


def parse_document(document: Any) -> Any:
    """A policy document as a dict; JSON text is parsed; unknown parts stay Unknown."""
    if isinstance(document, dict):
        return document
    if isinstance(document, str):
        try:
            parsed = jsonsafe.loads(document)
        except ValueError:
            return Unknown("policy document is not valid JSON")
        except jsonsafe.TooDeep as too_deep:
            return Unknown(f"policy document is {too_deep}")
        return parsed if isinstance(parsed, dict) else Unknown("policy document is not an object")
    if isinstance(document, PartialStr):
        text, table = document.with_markers()
        try:
            parsed = jsonsafe.loads(text)
        except (ValueError, jsonsafe.TooDeep):
            return Unknown(f"policy document has unresolved parts ({document.reason})")
        restored = restore_markers(parsed, table)
        return restored if isinstance(restored, (dict, Unknown)) else Unknown("policy document is not an object")
    if isinstance(document, Encoded):  # IAM reads JSON text: base64 or gzip of it is no policy
        return Unknown(f"policy document is {document.reason}, not JSON text")
    if is_unknown(document):
        return document
    return Unknown("policy document is missing")


def statements(document: Any) -> list[Any]:
    parsed = parse_document(document)
    if isinstance(parsed, Unknown):
        return [parsed]
    found = parsed.get("Statement", [])
    if isinstance(found, dict):
        return [found]
    if not isinstance(found, list):
        return [found if isinstance(found, Unknown) else Unknown("policy Statement is not a list")]
    # IAM refuses a statement that is not a mapping: what the policy would grant is not known
    return [s if isinstance(s, (dict, Unknown)) else Unknown("a policy statement is not a mapping") for s in found]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches(pattern: Any, action: str) -> bool | None:
    if is_unknown(pattern):
        return None
    if not isinstance(pattern, str):
        return False
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def statement_allows(statement: Any, action: str) -> bool | None:
    """Allow statement covering ``action`` (None = cannot tell)."""
    if not isinstance(statement, dict):
        return None
    effect = statement.get("Effect")
    if is_unknown(effect):
        return None
    if effect != "Allow":
        return False
    if "NotAction" in statement:
        excluded = [_matches(p, action) for p in _as_list(statement["NotAction"])]
        if any(m is None for m in excluded):
            return None
        return not any(excluded)
    matched = [_matches(p, action) for p in _as_list(statement.get("Action"))]
    if any(matched):
        return True
    return None if any(m is None for m in matched) else False


def documents_allow(documents: Iterable[Any], action: str) -> bool | None:
    """Whether any statement in ``documents`` allows ``action``; None when unsure."""
    unsure = False
    for document in documents:
        for statement in statements(document):
            allowed = statement_allows(statement, action)
            if allowed:
                return True
            unsure = unsure or allowed is None
    return None if unsure else False


def trust_allows(document: Any, service: str, action: str = "sts:AssumeRole") -> bool | Unknown:
    """A trust policy lets ``service`` perform ``action`` on the role."""
    unknown: Unknown | None = None
    for statement in statements(document):
        if isinstance(statement, Unknown):
            unknown = statement
            continue
        allows = statement_allows(statement, action)
        principal = _service_principals(statement.get("Principal"))
        if allows is True and (principal == "*" or (isinstance(principal, list) and service in principal)):
            return True
        if allows is None or isinstance(principal, Unknown):
            unknown = unknown if unknown is not None else Unknown("the trust policy has unresolved parts")
    return unknown if unknown is not None else False


def _service_principals(principal: Any) -> Any:
    if principal == "*":
        return "*"
    if is_unknown(principal):
        return Unknown("trust policy principal is not resolved")
    if not isinstance(principal, dict):
        return []
    services = principal.get("Service")
    if is_unknown(services) and not isinstance(services, (OneOf, PartialStr)):
        return Unknown("trust policy service principal is not resolved")
    resolved = [_service_name(item) for item in _as_list(services)]
    if any(item is None for item in resolved):
        return Unknown("trust policy service principal is not resolved")
    return resolved


# The DNS suffix of service principals per partition (aws-cn, aws-iso, aws-iso-b, aws-iso-e,
# aws-iso-f, aws-eusc): ec2.c2s.ic.gov is EC2 in aws-iso as ec2.amazonaws.com is in aws.
PARTITION_DNS_SUFFIXES = (
    "amazonaws.com.cn",
    "c2s.ic.gov",
    "sc2s.sgov.gov",
    "cloud.adc-e.uk",
    "csp.hci.ic.gov",
    "amazonaws.eu",
)


def _service_name(principal: Any) -> str | None:
    """``ec2.amazonaws.com``; ``ec2.${dns_suffix}`` names EC2 in whatever partition deploys."""
    if isinstance(principal, OneOf):
        names = {_service_name(c) for c in principal.candidates}
        return names.pop() if len(names) == 1 else None
    if isinstance(principal, str):
        for suffix in PARTITION_DNS_SUFFIXES:
            if principal.endswith("." + suffix):
                return principal[: -len(suffix)] + "amazonaws.com"
        return principal
    if (
        isinstance(principal, PartialStr)
        and len(principal.parts) == 2
        and isinstance(principal.parts[0], str)
        and principal.parts[0].endswith(".")
    ):
        return principal.parts[0] + "amazonaws.com"
    return None
