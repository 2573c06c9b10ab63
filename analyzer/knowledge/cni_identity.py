"""The role behind the VPC CNI's own identity (IRSA or Pod Identity for kube-system/aws-node).

An IRSA or Pod Identity binding for kube-system/aws-node only helps when the role behind it
works: Pod Identity needs a trust for ``pods.eks.amazonaws.com`` with ``sts:AssumeRole`` and
``sts:TagSession``, the eks-pod-identity-agent add-on (Auto Mode runs the agent itself) and
``eks-auth:AssumeRoleForPodIdentity`` on the node role; IRSA needs a web-identity trust whose
``sub`` admits ``system:serviceaccount:kube-system:aws-node``, for a Federated principal that is
the IAM OIDC provider of the cluster's issuer, accepting the audience ``sts.amazonaws.com``.
Either role must grant the CNI actions.

The fact is what keeps a binding from working, as ``{problem, mechanism, role, ...}``; the rule
file words each problem.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.iam import EQUIVALENT, MANAGED, coverage
from analyzer.knowledge.policies import CNI_ACTIONS, statement_allows, statements, trust_allows
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown

POD_IDENTITY, IRSA = "Pod Identity", "IRSA"
AWS_NODE_SUBJECT = "system:serviceaccount:kube-system:aws-node"
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
AGENT_ADDON = "eks-pod-identity-agent"
# the audience the EKS pod identity webhook puts in a projected service account token
IRSA_AUDIENCE = "sts.amazonaws.com"
_CNI_POLICIES = ["AmazonEKS_CNI_Policy", "AmazonEKS_CNI_IPv6_Policy"]
_NODE_POD_IDENTITY_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKSWorkerNodeMinimalPolicy"]


def cni_bindings(model: Model, cluster: Resource) -> list[tuple[str, Any]]:
    """(mechanism, role value) for each IRSA / Pod Identity binding of kube-system/aws-node."""
    found: list[tuple[str, Any]] = []
    for addon in model.of_kind(kinds.ADDON):
        if model.attr(addon, "cluster") is not cluster or addon.get("name") != "vpc-cni":
            continue
        if addon.get("service_account_role") is not None:
            found.append((IRSA, addon.get("service_account_role")))
        for association in addon.get("pod_identity_associations") or []:
            if isinstance(association, dict) and association.get("service_account") == "aws-node":
                found.append((POD_IDENTITY, association.get("role")))
    for association in model.of_kind(kinds.POD_IDENTITY):
        if model.attr(association, "cluster") is not cluster:
            continue
        if association.get("namespace") in ("kube-system", None) and association.get("service_account") == "aws-node":
            found.append((POD_IDENTITY, association.get("role")))
    return found


@predicate("eks.cni_identity_problem")
def cni_identity_problem(model: Model, node: Any) -> Any:
    """None when a binding of aws-node works (or there is none: the node role then answers),
    ``{problem, mechanism, role, ...}`` for what keeps the first binding from working, Unknown
    when it cannot be told."""
    if not isinstance(node, Resource):
        return None
    cluster = model.attr(node, "cluster")
    if not isinstance(cluster, Resource) or cluster.get("cni_service_account_identity") is True:
        return None  # eksctl iam.withOIDC creates the aws-node role itself
    first_problem, unknown = None, None
    for mechanism, role_value in cni_bindings(model, cluster):
        role = model.follow(role_value, kinds.IAM_ROLE)
        if isinstance(role, list):
            role = role[0] if len(role) == 1 else Unknown("the role of the aws-node binding is ambiguous")
        if not isinstance(role, Resource):
            reason = role.reason if isinstance(role, Unknown) else "it is not resolved"
            unknown = _first(
                unknown, Unknown(f"the {mechanism} role of kube-system/aws-node cannot be checked: {reason}")
            )
            continue
        check = _pod_identity_problem if mechanism == POD_IDENTITY else _irsa_problem
        problem = check(model, node, cluster, role)
        if problem is None:
            return None
        if isinstance(problem, Unknown):
            unknown = _first(unknown, problem)
        elif first_problem is None:
            first_problem = {"mechanism": mechanism, "role": role.address, "cluster": cluster.address, **problem}
    return first_problem or unknown


def _first(current: Unknown | None, candidate: Unknown) -> Unknown:
    return current if current is not None else candidate


# --- Pod Identity -------------------------------------------------------------------


def _pod_identity_problem(model: Model, node: Resource, cluster: Resource, role: Resource) -> Any:
    document = role.get("assume_role_policy")
    for action in ("sts:AssumeRole", "sts:TagSession"):
        trusted = trust_allows(document, POD_IDENTITY_SERVICE, action)
        if isinstance(trusted, Unknown):
            return trusted
        if trusted is False:
            return {"problem": "pod_identity_trust", "action": action}
    missing_agent = _agent_problem(model, cluster)
    if missing_agent is not None:
        return missing_agent
    node_role = model.attr(node, "role")
    if isinstance(node_role, Resource):
        grants = coverage(model, node_role, _NODE_POD_IDENTITY_POLICIES, ["eks-auth:AssumeRoleForPodIdentity"])
        if isinstance(grants, Unknown):
            return grants
        if grants not in (MANAGED, EQUIVALENT):
            return {"problem": "pod_identity_node_role", "node_role": node_role.address}
    return _cni_actions_problem(model, role)


def _agent_problem(model: Model, cluster: Resource) -> Any:
    auto_mode = cluster.get("auto_mode")
    if auto_mode is True or cluster.framework == "eksctl":  # Auto Mode runs the agent; eksctl adds it
        return None
    if is_unknown(auto_mode):
        return Unknown(f"whether {cluster.address} uses Auto Mode is not known")
    for addon in model.of_kind(kinds.ADDON):
        if model.attr(addon, "cluster") is cluster and addon.get("name") == AGENT_ADDON:
            return None
    return {"problem": "pod_identity_agent"}


# --- IRSA ---------------------------------------------------------------------------


def _irsa_problem(model: Model, node: Resource, cluster: Resource, role: Resource) -> Any:
    principals = _web_identity_principals(role.get("assume_role_policy"))
    if isinstance(principals, Unknown):
        return principals
    if not principals:
        return {"problem": "irsa_trust"}
    provider_problem = _provider_problem(model, cluster, principals)
    if provider_problem is not None:
        return provider_problem
    return _cni_actions_problem(model, role)


def _web_identity_principals(document: Any) -> Any:
    """The Federated principals of the trust statements that let kube-system/aws-node assume
    the role with sts:AssumeRoleWithWebIdentity ([] for none), Unknown when it cannot be told."""
    found: list[Any] = []
    unknown = None
    for statement in statements(document):
        if not isinstance(statement, dict):
            hole = statement if isinstance(statement, Unknown) else Unknown("a trust statement is not resolved")
            unknown = _first(unknown, hole)
            continue
        allows = statement_allows(statement, "sts:AssumeRoleWithWebIdentity")
        principal = statement.get("Principal")
        if allows is False or (isinstance(principal, dict) and "Federated" not in principal):
            continue
        if allows is None or not isinstance(principal, dict):
            unknown = _first(unknown, Unknown("the role's trust policy has unresolved parts"))
            continue
        subject = _subject_condition(statement.get("Condition"))
        if subject is True:
            federated = principal["Federated"]
            found += federated if isinstance(federated, list) else [federated]
        elif isinstance(subject, Unknown):
            unknown = _first(unknown, subject)
    if found:
        return found
    return unknown if unknown is not None else []


def _subject_condition(condition: Any) -> Any:
    """True when the statement's ``...:sub`` conditions (if any) admit aws-node."""
    if condition is None:
        return True
    if not isinstance(condition, dict):
        return Unknown("the trust policy condition is not resolved")
    for operator, clauses in condition.items():
        if not isinstance(clauses, dict):
            return Unknown("the trust policy condition is not resolved")
        for key, values in clauses.items():
            if not isinstance(key, str) or not key.endswith(":sub"):
                continue
            values = values if isinstance(values, list) else [values]
            if any(is_unknown(v) for v in values):
                return Unknown("the trust policy's sub condition is not resolved")
            like = "Like" in str(operator)
            if not any(_subject_matches(str(v), like) for v in values):
                return False
    return True


def _subject_matches(value: str, like: bool) -> bool:
    return fnmatch.fnmatchcase(AWS_NODE_SUBJECT, value) if like else value == AWS_NODE_SUBJECT


def _provider_problem(model: Model, cluster: Resource, principals: list[Any]) -> Any:
    """None when one trusted principal is the OIDC provider of the cluster's issuer and
    accepts aws-node's token audience; the first problem when none is; Unknown otherwise."""
    first_problem, unknown = None, None
    for principal in principals:
        problem = _one_provider_problem(model, cluster, principal)
        if problem is None:
            return None
        if isinstance(problem, Unknown):
            unknown = _first(unknown, problem)
        elif first_problem is None:
            first_problem = problem
    return first_problem or unknown


def _one_provider_problem(model: Model, cluster: Resource, principal: Any) -> Any:
    provider = model.follow(principal, kinds.OIDC_PROVIDER)
    if isinstance(provider, list):
        provider = provider[0] if len(provider) == 1 else Unknown("the trusted OIDC provider is ambiguous")
    if not isinstance(provider, Resource):
        reason = provider.reason if isinstance(provider, Unknown) else "it is not resolved"
        return Unknown(f"the OIDC provider the IRSA role of kube-system/aws-node trusts cannot be checked: {reason}")
    issuer_of = model.attr(provider, "cluster")
    if isinstance(issuer_of, list):
        issuer_of = issuer_of[0] if len(issuer_of) == 1 else Unknown("the cluster of the OIDC provider is ambiguous")
    if isinstance(issuer_of, Resource) and issuer_of is not cluster:
        return {"problem": "irsa_provider_cluster", "provider": provider.address, "issuer_of": issuer_of.address}
    if not isinstance(issuer_of, Resource):
        reason = issuer_of.reason if isinstance(issuer_of, Unknown) else "its url is not set"
        return Unknown(
            f"whether OIDC provider {provider.address} is for the issuer of {cluster.address} is not known: {reason}"
        )
    audiences = provider.get("client_ids")
    if audiences is None or (isinstance(audiences, list) and IRSA_AUDIENCE in audiences):
        return None
    if not isinstance(audiences, list) or any(is_unknown(a) for a in audiences):
        return Unknown(f"the client IDs of OIDC provider {provider.address} are not known")
    return {"problem": "irsa_provider_audience", "provider": provider.address}


# --- both ---------------------------------------------------------------------------


def _cni_actions_problem(model: Model, role: Resource) -> Any:
    grants = coverage(model, role, _CNI_POLICIES, list(CNI_ACTIONS))
    if isinstance(grants, Unknown):
        return grants
    if grants in (MANAGED, EQUIVALENT):
        return None
    return {"problem": "cni_actions"}
