"""`eksjoin explain`: explicit symptom patterns per rule, ranked, each with why it matches and the fix."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from analyzer.cli import cli
from analyzer.ruledocs import explain


def _explain(line: str):
    result = CliRunner().invoke(cli, ["explain", line])
    ranked = re.findall(r"^\d+\. (EKS-[A-Z]+-\d+) ", result.output, re.M)
    return result, ranked


@pytest.mark.parametrize(
    "line, first, also",
    [
        (
            "E0101 x509: certificate signed by unknown authority",
            {"EKS-UDATA-001", "EKS-UDATA-002", "EKS-UDATA-009"},
            (),
        ),
        ("could not get token: AccessDenied: Access denied", {"EKS-IAM-001"}, ("EKS-EPT-010",)),
        (
            "operation error EKS: DescribeCluster, https response error StatusCode: 403, api error AccessDeniedException",
            {"EKS-IAM-002"},
            ("EKS-EPT-010",),
        ),
        (
            "NodeCreationFailure: Instances failed to join the kubernetes cluster",
            {"EKS-AUTH-007"},
            ("EKS-NET-002", "EKS-IAM-002"),
        ),
        (
            "Ec2SubnetInvalidConfiguration: subnet-1 does not assign public IP addresses",
            {"EKS-NET-001"},
            ("EKS-NET-003",),
        ),
        ("IamInstanceProfileNotFound", {"EKS-IAM-005"}, ("EKS-IAM-006",)),
        ("AccessDenied", {"EKS-AUTH-003"}, ("EKS-AUTH-007",)),
        ("E1124 err: failed to retrieve PrivateDnsName after 5 attempts", {"EKS-IAM-002"}, ()),
        (  # AL2 bootstrap.sh without --apiserver-endpoint and --b64-cluster-ca (the AWS CLI)
            "An error occurred (AccessDeniedException) when calling the DescribeCluster operation: User: "
            "arn:aws:sts::111122223333:assumed-role/demo-nodes/i-0abc is not authorized to perform: "
            "eks:DescribeCluster on resource: arn:aws:eks:us-east-1:111122223333:cluster/demo",
            {"EKS-IAM-002"},
            (),
        ),
        (  # Windows Start-EKSBootstrap.ps1 without -APIServerEndpoint and -Base64ClusterCA
            "Get-EKSCluster : User: arn:aws:sts::111122223333:assumed-role/demo-nodes/i-0abc is not "
            "authorized to perform: eks:DescribeCluster on resource: arn:aws:eks:us-east-1:111122223333:cluster/demo",
            {"EKS-IAM-002"},
            (),
        ),
        ("operation error EKS: DescribeCluster: dial tcp 10.0.0.1:443: i/o timeout", {"EKS-EPT-006"}, ()),
        (  # aws-node (ipamd) with an IRSA role whose trust does not admit it
            "WebIdentityErr: failed to retrieve credentials caused by: AccessDenied: Not authorized to perform "
            "sts:AssumeRoleWithWebIdentity",
            {"EKS-IAM-004"},
            (),
        ),
        (  # no IAM OIDC provider for the cluster's issuer
            "InvalidIdentityToken: No OpenIDConnect provider found in your account for "
            "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
            {"EKS-IAM-004"},
            (),
        ),
        ("InvalidIdentityToken: Incorrect token audience", {"EKS-IAM-004"}, ()),
        (  # a Pod Identity role that does not trust pods.eks.amazonaws.com with sts:TagSession
            "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/demo-nodes/i-0abc is not "
            "authorized to perform: sts:TagSession on resource: arn:aws:iam::111122223333:role/vpc-cni",
            {"EKS-IAM-004"},
            (),
        ),
        (  # the node role lacks eks-auth:AssumeRoleForPodIdentity for the Pod Identity agent
            "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/demo-nodes/i-0abc is not "
            "authorized to perform: eks-auth:AssumeRoleForPodIdentity on resource: "
            "arn:aws:eks:us-east-1:111122223333:cluster/demo",
            {"EKS-IAM-004"},
            (),
        ),
        (  # kubelet exits on a restricted label in --node-labels
            "failed to validate kubelet flags: unknown 'kubernetes.io' or 'k8s.io' labels specified with "
            "--node-labels: [node-role.kubernetes.io/worker]",
            {"EKS-UDATA-016"},
            (),
        ),
        (  # the node group issue code for a subnet without IPv6 auto-assign in an IPv6 cluster
            "Ec2SubnetMissingIpv6Assignment: One or more of the subnets for the node group does not "
            "automatically assign IPv6 addresses to instances launched into it",
            {"EKS-NET-008"},
            (),
        ),
        (
            "InvalidParameterException: bootstrapClusterCreatorAdminPermissions must be true if cluster "
            "authentication mode is set to CONFIG_MAP",
            {"EKS-CLUSTER-009"},
            (),
        ),
        ("InvalidParameterException: unsupported Kubernetes version 1.28", {"EKS-CLUSTER-008"}, ()),
        (
            "InvalidParameterException: Amazon EKS Auto Mode requires Access entries. Set authenticationMode "
            "to API or API_AND_CONFIG_MAP",
            {"EKS-CLUSTER-007"},
            (),
        ),
        (
            "InvalidRequestException: The cluster's authentication mode must be set to one of "
            "[API, API_AND_CONFIG_MAP] to perform this operation",
            {"EKS-AUTH-006"},
            (),
        ),
        ("InvalidParameterException: nodeRoleArn is required when nodePools are specified", {"EKS-AUTO-001"}, ()),
        (
            "InvalidParameterException: When Compute Config nodeRoleArn is not null or empty, nodePool value(s) "
            "must be provided",
            {"EKS-AUTO-001"},
            (),
        ),
        (
            "InvalidParameterException: compute, elastic load balancing and block storage capabilities must all "
            "be enabled or disabled",
            {"EKS-AUTO-001"},
            (),
        ),
        (
            "InvalidParameterException: remote node network CIDR 100.64.0.0/16 must be within an IPv4 RFC-1918 range",
            {"EKS-HYB-001"},
            (),
        ),
        (
            "Ec2InstanceTypeDoesNotExist: One or more of the supplied Amazon EC2 instance types do not exist",
            {"EKS-AMI-007"},
            (),
        ),
        (
            "InvalidParameterException: 1 validation error detected: Value 'workers-for-the-payments-platform-"
            "in-production-eu-west-1-spot-x' at 'nodegroupName' failed to satisfy constraint: Member must have "
            "length less than or equal to 63",
            {"EKS-AMI-007"},
            (),
        ),
        (
            "1 validation error detected: Value '[m5.large, m5.xlarge, ...]' at 'instanceTypes' failed to satisfy "
            "constraint: Member must have length less than or equal to 20",
            {"EKS-AMI-007"},
            (),
        ),
        (  # a Windows node authorized as EC2_LINUX lacks the eks:kube-proxy-windows group
            'User "system:node:ip-10-0-1-5.ec2.internal" cannot get resource "nodes": '
            "forbidden for group eks:kube-proxy-windows",
            {"EKS-AUTH-009"},
            (),
        ),
        (  # nodeadm on a hybrid node cannot assume the Hybrid Nodes role
            "nodeadm init: failed to assume role: AccessDenied: User: arn:aws:sts::111122223333:assumed-role/"
            "hybrid-nodes/mi-0abc is not authorized to perform: sts:AssumeRole",
            {"EKS-HYB-002"},
            (),
        ),
    ],
)
def test_explicit_patterns_rank_first_with_the_reason_and_the_fix(line, first, also):
    result, ranked = _explain(line)
    assert result.exit_code == 0, result.output
    assert ranked[0] in first, ranked
    assert set(also) <= set(ranked), ranked
    block = result.output.split("\n2. ")[0]
    assert "   why: matches " in block and "   fix: " in block


def test_pattern_matches_outrank_word_overlap(catalogue):
    matches = explain(catalogue, "NodeCreationFailure: Instances failed to join the kubernetes cluster")
    kinds = ["pattern" if m.reason.startswith("matches ") else "words" for m in matches]
    assert "words" in kinds and kinds == sorted(kinds, key=lambda k: k != "pattern")  # all patterns first
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)


def test_a_health_code_outside_the_files_is_said_so():
    result, ranked = _explain("InstanceLimitExceeded")
    assert result.exit_code == 1 and not ranked
    assert "quota" in result.output and "No rule explains that message" in result.output


def test_every_symptom_pattern_names_where_it_appears(catalogue):
    patterns = [(r.id, s) for r in catalogue for s in r.spec.get("symptoms") or ()]
    assert len(patterns) >= 40
    assert all(s.get("where") and s["note"] for _, s in patterns)


def test_describe_cluster_is_explained_by_the_bootstraps_that_call_it(catalogue):
    """nodeadm on AL2023 EC2 nodes never calls eks:DescribeCluster: the note names the callers."""
    (rule,) = [r for r in catalogue if r.id == "EKS-IAM-002"]
    (symptom,) = [s for s in rule.spec["symptoms"] if "DescribeCluster" in s["pattern"]]
    assert "bootstrap.sh" in symptom["note"] and "Start-EKSBootstrap.ps1" in symptom["note"]
    assert "hybrid nodes" in symptom["note"] and "never calls it" in symptom["note"]
