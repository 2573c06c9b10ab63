"""Facts and predicates about IAM roles: attached policies, documents, trust."""

from __future__ import annotations

from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.index import attribute, referrers
from analyzer.knowledge.policies import (
    MANAGED_POLICY_ACTIONS,
    documents_allow,
    managed_policy_name,
    trust_allows,
)
from analyzer.knowledge.routing import scope_of
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import PartialStr, Ref, Unknown, describe, provably_distinct

MANAGED, EQUIVALENT, MISSING = "managed", "equivalent", "missing"


@fact(kinds.IAM_ROLE, "policy_arns")
def role_policy_arns(model: Model, role: Resource) -> list[Any]:
    """Managed policy ARNs (or Refs to customer policies) attached to the role, anywhere."""
    listed = role.get("managed_policy_arns")
    # an Unknown list stands for policies not known: one opaque policy, not none
    arns = [listed] if isinstance(listed, Unknown) else list(listed or [])
    for attachment in referrers(model, (kinds.ROLE_POLICY_ATTACHMENT,), role, attribute("role"), "attachment-role"):
        arns.append(attachment.get("policy_arn"))
    for policy in referrers(model, (kinds.IAM_POLICY,), role, _policy_roles, "policy-roles"):
        arns.append(Ref("customer policy", target=policy.key, attribute="Arn"))
    return arns


def _policy_roles(model: Model, policy: Resource) -> list[Any]:
    roles = model.attr(policy, "roles") or []
    return list(roles) if isinstance(roles, (list, tuple)) else []


@fact(kinds.IAM_ROLE, "policy_documents")
def role_policy_documents(model: Model, role: Resource) -> list[Any]:
    """Inline and customer-managed policy documents that apply to the role."""
    documents = list(role.get("inline_policies") or [])
    for inline in referrers(model, (kinds.ROLE_INLINE_POLICY,), role, attribute("role"), "inline-role"):
        documents.append(inline.get("document"))
    for arn in model.attr(role, "policy_arns"):
        policy = _customer_policy(model, arn, role)
        if isinstance(policy, Resource):
            documents.append(policy.get("document"))
    return documents


def _customer_policy(model: Model, arn: Any, role: Resource) -> Any:
    """The customer managed policy of the analyzed files an attached ARN names: a reference
    to it, or its ARN written out (``arn:${partition}:iam::${account}:policy/Name``) for a
    policy of that name (IAM names are unique in an account), looked up nearest the role."""
    if isinstance(arn, Ref):
        return model.follow(arn, kinds.IAM_POLICY)
    if managed_policy_name(arn) is not None or not isinstance(arn, (str, PartialStr)):
        return None
    return model.follow(arn, kinds.IAM_POLICY, origin=role)


def _documented_namesakes(model: Model, role: Resource, arns: list[Any]) -> set[str]:
    """Names of customer managed policies of the analyzed files attached to ``role`` that are
    named like a policy whose content eksjoin knows and grant all of it: AWS has users create
    AmazonEKS_CNI_IPv6_Policy themselves, under that name, with the documented statements."""
    found = set()
    for arn in arns:
        policy = _customer_policy(model, arn, role)
        name = policy.get("name") if isinstance(policy, Resource) else None
        if isinstance(name, str) and name in MANAGED_POLICY_ACTIONS:
            document = [policy.get("document")]
            if all(documents_allow(document, action) is True for action in MANAGED_POLICY_ACTIONS[name]):
                found.add(name)
    return found


def _never_named(written: Any, name: Any) -> bool:
    """Whether a role name with holes can never be ``name`` (IAM names ignore case)."""
    return provably_distinct(_folded(written), _folded(name))


def _folded(text: Any) -> Any:
    if isinstance(text, str):
        return text.casefold()
    if isinstance(text, PartialStr):
        return PartialStr(tuple(p.casefold() if isinstance(p, str) else p for p in text.parts))
    return text


def _unattributed_attachments(model: Model, role: Resource) -> Unknown | None:
    """An attachment of the role's configuration (root module, template, file) whose role
    cannot be resolved might be attaching to ``role``, unless the role name it gives can never
    be the role's (``${var.prefix}-karpenter-controller`` is not the role named ``nodes``):
    those fields take role names. Another configuration names a role of this one only by a
    name it writes, and such a name is resolved or not by the linker."""
    scope = scope_of(role)
    for kind in (kinds.ROLE_POLICY_ATTACHMENT, kinds.ROLE_INLINE_POLICY):
        for attachment in model.of_kind(kind):
            if scope_of(attachment) != scope:
                continue
            target = model.attr(attachment, "role")
            if isinstance(target, Unknown) and not _never_named(attachment.get("role"), role.get("name")):
                return Unknown(
                    f"{attachment.address} attaches a policy to a role that could not be resolved ({target.reason})",
                    attachment.location,
                )
    return None


def _opaque_policy(model: Model, arn: object, role: Resource) -> bool:
    """A policy whose statements eksjoin cannot see: unknown, external, or an AWS managed
    policy it has no content for. Such a policy might grant anything."""
    name = managed_policy_name(arn)
    if name is not None:
        return name not in MANAGED_POLICY_ACTIONS
    return not isinstance(_customer_policy(model, arn, role), Resource)


@predicate("iam.coverage")
def coverage(model: Model, role: Any, managed: list[str], actions: list[str]) -> Any:
    """How ``role`` grants ``actions``: "managed" (one of the named AWS policies, or a
    customer policy of that name with its documented statements), "equivalent" (other
    policies grant every action), "missing", or Unknown."""
    if not isinstance(role, Resource):
        return role if isinstance(role, Unknown) else Unknown("the role is not known")
    arns = model.attr(role, "policy_arns")
    names = {managed_policy_name(arn) for arn in arns} | _documented_namesakes(model, role, arns)
    if names & set(managed):
        return MANAGED
    if isinstance(actions, Unknown):  # which actions are needed is itself not known
        return actions
    documents = list(model.attr(role, "policy_documents"))
    granted = [MANAGED_POLICY_ACTIONS[n] for n in names if n in MANAGED_POLICY_ACTIONS]
    documents += [{"Statement": [{"Effect": "Allow", "Action": list(a)}]} for a in granted]
    verdicts = [documents_allow(documents, action) for action in actions]
    if all(v is True for v in verdicts):
        return EQUIVALENT
    unresolved = [a for a in arns if _opaque_policy(model, a, role)]
    if unresolved:
        policy = unresolved[0]
        if isinstance(policy, Unknown):
            return Unknown(f"{role.address} has an attached policy whose ARN is not known ({policy.reason})")
        return Unknown(
            f"{role.address} has attached policy {describe(policy)} whose content is not in the analyzed files"
        )
    if any(v is None for v in verdicts):
        return Unknown(f"a policy document of {role.address} could not be fully resolved")
    elsewhere = _unattributed_attachments(model, role)
    return MISSING if elsewhere is None else elsewhere


@predicate("iam.trusts")
def trusts(model: Model, role: Any, service: str, action: str = "sts:AssumeRole") -> Any:
    if not isinstance(role, Resource):
        return role if isinstance(role, Unknown) else Unknown("the role is not known")
    return trust_allows(role.get("assume_role_policy"), service, action)


@predicate("iam.missing_actions")
def missing_actions(model: Model, role: Any, actions: list[str]) -> Any:
    """The required actions no policy of the role grants (for messages)."""
    if not isinstance(role, Resource) or isinstance(actions, Unknown):
        return []
    arns = model.attr(role, "policy_arns")
    documents = list(model.attr(role, "policy_documents"))
    for name in {managed_policy_name(arn) for arn in arns} & set(MANAGED_POLICY_ACTIONS):
        documents.append({"Statement": [{"Effect": "Allow", "Action": list(MANAGED_POLICY_ACTIONS[name])}]})
    return [a for a in actions if documents_allow(documents, a) is False]


_DEFAULT_NODE_POLICIES = (
    ("AmazonEKSWorkerNodePolicy", ("AmazonEKSWorkerNodePolicy",), ("ec2:DescribeInstances", "eks:DescribeCluster")),
    (
        "AmazonEC2ContainerRegistryPullOnly",
        ("AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPullOnly"),
        ("ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
    ),
    (
        "AmazonEKS_CNI_Policy",
        ("AmazonEKS_CNI_Policy", "AmazonEKS_CNI_IPv6_Policy"),
        ("ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface"),
    ),
)


@predicate("iam.missing_policies")
def missing_policies(model: Model, role: Any, cluster: Any = None) -> list[str]:
    """Default node policies a role lacks (the CNI one only when aws-node has no identity)."""
    from analyzer.knowledge.nodes import cni_has_own_identity

    missing = []
    for name, managed, actions in _DEFAULT_NODE_POLICIES:
        if name == "AmazonEKS_CNI_Policy" and cni_has_own_identity(model, cluster) is True:
            continue
        if coverage(model, role, list(managed), list(actions)) == MISSING:
            missing.append(name)
    return missing
