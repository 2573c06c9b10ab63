"""How nodes are authorized in their cluster and the IAM identity they launch with.

A node role is authorized by an aws-auth ``mapRoles`` entry (modes CONFIG_MAP and
API_AND_CONFIG_MAP) or by an access entry (modes API and API_AND_CONFIG_MAP). EKS writes
the entries of managed node group, Fargate and Auto Mode roles itself, whatever the mode.
aws-auth entries name roles by ARN; §0.5: an ARN names a role when the role name (and
path) match and the account is equal or unknown on either side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.policies import managed_policy_name, trust_allows
from analyzer.kubernetes.aws_auth import FULL
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import OneOf, PartialStr, Ref, TypedArn, Unknown, describe

CONFIG_MAP, API, API_AND_CONFIG_MAP = "CONFIG_MAP", "API", "API_AND_CONFIG_MAP"
ACCESS_ENTRY_MODES = (API, API_AND_CONFIG_MAP)
AWS_AUTH_MODES = (CONFIG_MAP, API_AND_CONFIG_MAP)
SESSION_USERNAME = "system:node:{{SessionName}}"  # Fargate and hybrid nodes
NODE_GROUPS = ("system:bootstrappers", "system:nodes")
EKSCTL = "eksctl"
_HOLE = "\x00"


# -- IAM ARNs ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class IamArn:
    """The parts of an IAM role or instance-profile ARN; None where a part is not known."""

    resource_type: str  # "role" | "instance-profile"
    account: str | None
    path: str | None  # "/" when the ARN has no path
    name: str | None


def parse_iam_arn(value: Any) -> IamArn | None:
    """``arn:<partition>:iam::<account>:role/<path>/<name>``, holes allowed; None otherwise."""
    if isinstance(value, PartialStr):
        text = value.text(_HOLE)
    elif isinstance(value, str):
        text = value
    else:
        return None
    for resource_type in ("role", "instance-profile"):
        marker = f":{resource_type}/"
        if marker not in text:
            continue
        head, _, resource = text.partition(marker)
        account = head.rsplit(":", 1)[-1] if ":" in head else _HOLE
        segments = resource.split("/")
        name = segments[-1]
        path = "/" + "".join(s + "/" for s in segments[:-1])
        return IamArn(resource_type, _known(account), _known(path), _known(name))
    return None


def _known(part: str) -> str | None:
    return None if _HOLE in part or part == "" else part


def arn_text(value: Any, model: Model | None = None) -> str:
    """An ARN as the user would recognise it in a message."""
    if isinstance(value, Resource):
        return value.address
    if isinstance(value, Ref):
        target = model.get(value.target) if model is not None else None
        return f"{target.address if target else value.target.rsplit('#', 1)[-1]}.{value.attribute}"
    if isinstance(value, PartialStr):
        return value.text("${…}")
    return describe(value) if not isinstance(value, str) else value


def names_role(model: Model, arn: Any, role: Any) -> Any:
    """True when ``arn`` (an aws-auth rolearn, an access-entry principal, a role link) names
    ``role``; an instance-profile ARN names the role the profile wraps (a wrong but present
    mapping, which the instance-profile check reports). False, True, or an Unknown saying why."""
    if not isinstance(role, Resource):
        return role if isinstance(role, Unknown) else Unknown("the node role is not known")
    if arn is None:
        return False
    if isinstance(arn, Resource):
        return _names_resource(model, arn, role)
    if isinstance(arn, OneOf):
        return _any_of([names_role(model, candidate, role) for candidate in arn.candidates], arn.reason, every=True)
    if isinstance(arn, Ref):
        target = model.get(arn.target)
        if target is None:
            return Unknown(f"{arn.target.rsplit('#', 1)[-1]} is not in the analyzed files", arn.origin)
        if target.kind in (kinds.IAM_ROLE, kinds.INSTANCE_PROFILE):
            return _names_resource(model, target, role)
        followed = model.follow(arn, kinds.IAM_ROLE)
        return (
            same_resource(followed, role)
            if isinstance(followed, Resource)
            else Unknown(f"{arn_text(arn)} could not be resolved to a role")
        )
    if isinstance(arn, Unknown):
        return arn
    parsed = parse_iam_arn(arn)
    if parsed is None:
        return Unknown(f"{arn_text(arn)} could not be read as an ARN") if isinstance(arn, PartialStr) else False
    if parsed.resource_type == "instance-profile":
        return _names_profile_of(model, parsed, role)
    return _arn_names_role(parsed, role)


def _names_resource(model: Model, target: Resource, role: Resource) -> Any:
    if target.kind == kinds.INSTANCE_PROFILE:
        wrapped = model.attr(target, "role")
        if isinstance(wrapped, Resource):
            return same_resource(wrapped, role)
        return wrapped if isinstance(wrapped, Unknown) else False
    return same_resource(target, role)


def _arn_names_role(arn: IamArn, role: Resource) -> Any:
    name, path = role.get("name"), role.get("path", "/")
    if arn.name is None:
        return Unknown("the role name in the ARN is not known")
    if not isinstance(name, str):
        return Unknown(f"the name of {role.address} is not known")
    if arn.name != name:
        return False
    if arn.path in (None, "/"):  # aws-auth ARNs leave the path out; EKS matches by name
        return True
    if not isinstance(path, str):
        return Unknown(f"the path of {role.address} is not known")
    return arn.path == path


def _names_profile_of(model: Model, arn: IamArn, role: Resource) -> Any:
    holes: list[Unknown] = []
    for profile in model.of_kind(kinds.INSTANCE_PROFILE):
        if not same_resource(model.attr(profile, "role"), role):
            continue
        name = profile.get("name")
        if arn.name is None or not isinstance(name, str):
            holes.append(Unknown(f"the name of instance profile {profile.address} is not known"))
        elif arn.name == name:
            return True
    return holes[0] if holes else False


def _any_of(verdicts: list[Any], reason: str, every: bool = False) -> Any:
    """Combine matches: any True wins (all True when ``every``), then any Unknown."""
    if every:
        if verdicts and all(v is True for v in verdicts):
            return True
        if all(v is False for v in verdicts):
            return False
        return Unknown(reason)
    if any(v is True for v in verdicts):
        return True
    return next((v for v in verdicts if isinstance(v, Unknown)), False)


# -- clusters, aws-auth and access entries ----------------------------------------------------
def cluster_of(model: Model, resource: Resource) -> Any:
    """The resource's cluster; for a self-managed node without a cluster tag, the cluster its
    bootstrap names (bootstrap.sh, NodeConfig, Bottlerocket settings, Start-EKSBootstrap)."""
    cluster = model.attr(resource, "cluster")
    if cluster is None and resource.kind == kinds.SELF_MANAGED:
        name = bootstrap_cluster_name(model, resource)
        if isinstance(name, str):
            cluster = model.follow(name, kinds.CLUSTER)
    if cluster is None:
        return Unknown(f"{resource.address} names no cluster")
    return cluster


def bootstrap_cluster_name(model: Model, node: Resource) -> str | None:
    """The literal cluster name the node's user data bootstraps into, if it names one."""
    user_data = model.attr(node, "decoded_user_data")
    if user_data is None or not getattr(user_data, "known", False):
        return None
    return user_data.literal_cluster_name()


@fact(kinds.CLUSTER, "auth_mode")
def auth_mode(model: Model, cluster: Resource) -> Any:
    """The effective authentication mode (normalizers fill each tool's default)."""
    mode = cluster.get("authentication_mode")
    return mode.upper() if isinstance(mode, str) else mode


@fact(kinds.AWS_AUTH, "cluster")
def aws_auth_cluster(model: Model, aws_auth: Resource) -> Any:
    """The cluster an aws-auth ConfigMap configures. The Kubernetes provider or kubeconfig
    decides that, so it is inferred: the cluster resource that writes it (AWSQS::EKS::Cluster),
    eksctl's own document, else the only cluster declared
    beside it (same module, same directory), else the only cluster of the analysis."""
    clusters = model.of_kind(kinds.CLUSTER)
    declared_by = aws_auth.get("declared_by")
    if isinstance(declared_by, str):
        found = [c for c in clusters if c.key == declared_by]
    elif aws_auth.framework == EKSCTL:
        prefix = aws_auth.key.rsplit("/", 1)[0]
        found = [c for c in clusters if c.key == f"{prefix}/cluster"]
    else:
        found = [c for c in clusters if _declared_beside(c, aws_auth)]
    if len(found) != 1 and len(clusters) == 1:
        found = clusters
    if len(found) == 1:
        return found[0]
    return Unknown(
        f"which cluster {aws_auth.address} configures is not known ({len(found) or 'no'} candidate clusters)"
    )


def _declared_beside(cluster: Resource, aws_auth: Resource) -> bool:
    here = os.path.dirname(aws_auth.location.path)
    there = os.path.dirname(cluster.location.path)
    if aws_auth.framework == "terraform":
        return (
            cluster.framework == "terraform"
            and here == there
            and cluster.module_call_address == aws_auth.module_call_address
        )
    return here == there or there.startswith(here + os.sep) or here.startswith(there + os.sep)


def same_resource(a: Any, b: Any) -> bool:
    """The same resource, or resources one reference cannot tell apart (the same key, as
    when two Terraform root modules declare the same address)."""
    return isinstance(a, Resource) and isinstance(b, Resource) and (a is b or a.key == b.key)


def _for_cluster(model: Model, resource: Resource, cluster: Any) -> bool:
    """Might ``resource`` (aws-auth, access entry, node group) belong to ``cluster``?"""
    own = model.attr(resource, "cluster")  # for an aws-auth, the aws_auth_cluster fact, computed once
    if isinstance(own, Resource) and isinstance(cluster, Resource):
        return same_resource(own, cluster)
    return True  # either side unresolved: it may


def _mapped_roles(aws_auth: Resource) -> Any:
    roles = aws_auth.get("map_roles")
    if isinstance(roles, Unknown):
        return roles
    return [entry for entry in roles or [] if isinstance(entry, dict)]


def _aws_auth_match(model: Model, role: Resource, cluster: Any) -> tuple[Any, list[Resource]]:
    """Whether some aws-auth of the cluster maps ``role``, and the fully owned ones that do not."""
    verdicts: list[Any] = []
    owned_without: list[Resource] = []
    for aws_auth in model.of_kind(kinds.AWS_AUTH):
        if not _for_cluster(model, aws_auth, cluster):
            continue
        entries = _mapped_roles(aws_auth)
        if isinstance(entries, Unknown):
            verdicts.append(entries)
            continue
        found = _any_of([names_role(model, e.get("rolearn"), role) for e in entries], "")
        verdicts.append(found)
        if (
            found is False
            and aws_auth.get("ownership") == FULL
            and same_resource(model.attr(aws_auth, "cluster"), cluster)
        ):
            owned_without.append(aws_auth)
    return _any_of(verdicts, ""), owned_without


def _access_entries(model: Model, cluster: Any) -> list[Resource]:
    return [e for e in model.of_kind(kinds.ACCESS_ENTRY) if _for_cluster(model, e, cluster)]


def _access_entry_match(model: Model, role: Resource, cluster: Any) -> Any:
    return _any_of([names_role(model, e.get("principal_arn"), role) for e in _access_entries(model, cluster)], "")


def eks_managed_principals(model: Model, cluster: Any) -> list[tuple[Resource, Any]]:
    """(owner, role link) of every role EKS authorizes itself in ``cluster``: managed node
    groups, Fargate profiles, the Auto Mode node role."""
    found: list[tuple[Resource, Any]] = []
    for owner in model.of_kind(kinds.NODEGROUP, kinds.FARGATE):
        if same_resource(model.attr(owner, "cluster"), cluster):
            found.append((owner, owner.get("role")))
    if isinstance(cluster, Resource) and cluster.get("auto_mode_node_role") is not None:
        found.append((cluster, cluster.get("auto_mode_node_role")))
    return found


@predicate("auth.node_authorization")
def node_authorization(model: Model, node: Any) -> dict[str, Any]:
    """For a self-managed node: ``authorized`` (True / False / Unknown), ``owned`` (the
    analyzed files hold the mechanism that would authorize it, so a gap is certain),
    ``role``, ``cluster``, ``mode`` and ``detail`` for the message."""
    role = model.attr(node, "role")
    cluster = cluster_of(model, node)
    mode = (
        auth_mode(model, cluster)
        if isinstance(cluster, Resource)
        else Unknown(f"the cluster of {node.address} is not known")
    )
    result: dict[str, Any] = {"role": role, "cluster": cluster, "mode": mode, "owned": False, "detail": ""}
    if not isinstance(role, Resource):
        result["authorized"] = (
            role if isinstance(role, Unknown) else Unknown(f"the node role of {node.address} is not known")
        )
        return result
    shared = _any_of([names_role(model, link, role) for _, link in eks_managed_principals(model, cluster)], "")
    if shared is True:
        result["authorized"] = True  # EKS's own entry for the managed node group covers it
        return result
    in_aws_auth, owned_without = _aws_auth_match(model, role, cluster)
    in_entries = _access_entry_match(model, role, cluster)
    result["authorized"] = _authorized(mode, in_aws_auth, in_entries, shared)
    if result["authorized"] is False:
        result["owned"], result["detail"] = _gap(model, cluster, mode, in_aws_auth, owned_without)
    return result


def _authorized(mode: Any, in_aws_auth: Any, in_entries: Any, shared: Any) -> Any:
    if in_entries is True:  # in CONFIG_MAP mode the entry fails to apply, a defect of the entry itself
        return True
    if in_aws_auth is True:
        if mode == API:
            return False
        if mode in AWS_AUTH_MODES:
            return True
        return mode if isinstance(mode, Unknown) else Unknown(f"authentication mode {mode!r}")
    for verdict in (shared, in_aws_auth, in_entries):
        if isinstance(verdict, Unknown):
            return verdict
    return False


def _gap(model: Model, cluster: Any, mode: Any, in_aws_auth: Any, owned_without: list[Resource]) -> tuple[bool, str]:
    """Whether the missing authorization is certain, and what the message says about it."""
    declared_entries = [e for e in _access_entries(model, cluster) if same_resource(model.attr(e, "cluster"), cluster)]
    if in_aws_auth is True and mode == API:
        return True, "its aws-auth mapping is ignored because the cluster's authentication mode is API"
    if mode == CONFIG_MAP and owned_without:
        return True, f"{owned_without[0].address} replaces aws-auth and has no mapRoles entry for it"
    if mode == API_AND_CONFIG_MAP and owned_without and declared_entries:
        return True, (f"neither {owned_without[0].address} nor the cluster's access entries authorize it")
    if mode == API and declared_entries:
        return True, "the cluster's access entries have none for it"
    where = {CONFIG_MAP: "aws-auth mapRoles entry", API: "access entry"}.get(
        mode if isinstance(mode, str) else "", "aws-auth mapRoles entry or access entry"
    )
    return False, (
        f"the analyzed files hold no {where} for it; unless one is created outside "
        "them (kubectl, eksctl, the console), the nodes stay Unauthorized"
    )


# -- aws-auth entries ---------------------------------------------------------------------------
def _node_roles(model: Model) -> list[tuple[Resource, Resource]]:
    """(node, role) for every node with a resolved role."""
    found = []
    for node in model.of_kind(*kinds.NODE_KINDS):
        role = model.attr(node, "role")
        if isinstance(role, Resource):
            found.append((node, role))
    return found


def _fargate_roles(model: Model) -> list[Resource]:
    return [r for r in (model.attr(p, "role") for p in model.of_kind(kinds.FARGATE)) if isinstance(r, Resource)]


def _is_node_mapping(model: Model, entry: dict) -> bool:
    username, groups = entry.get("username"), entry.get("groups")
    arn = entry.get("rolearn")
    if username == SESSION_USERNAME:  # Fargate and hybrid nodes, unless EC2 nodes use the role
        return ec2_node_role_reason(model, arn) is not None
    if any(names_role(model, arn, role) is True for role in _fargate_roles(model)):
        return False
    if isinstance(username, str) and username.startswith("system:node:"):
        return True
    if isinstance(groups, list) and any(g in NODE_GROUPS for g in groups):
        return True
    if any(names_role(model, arn, role) is True for _, role in _node_roles(model)):
        return True
    return ec2_node_role_reason(model, arn) is not None


@fact(kinds.AWS_AUTH, "role_mappings")
@fact(kinds.ACCESS_ENTRY, "role_mappings")
def role_mappings(model: Model, resource: Resource) -> Any:
    """The role ARNs an aws-auth ConfigMap (its ``mapRoles`` entries) or an access entry (its
    principal) names, each read once: ``arn`` as written, ``text`` as the user wrote it,
    ``role`` (the role of the analyzed files a reference names, else None), the ARN's parts
    (``type`` role / instance-profile, ``account``, ``path``, ``name``: None where not known,
    ``literal`` when they were read from the ARN's text), ``instance_profile`` (whether it
    names an instance profile: true, false or unknown) and, for aws-auth, ``username``,
    ``groups`` (an Unknown when one of them is not known), ``node_mapping`` (whether the entry
    maps nodes: their usernames or groups, or a role that EC2 nodes use), ``ec2_node_role``
    (why EC2 nodes use its role, or None) and ``windows_nodes`` (whether Windows nodes of the
    files use its role). Unknown when the entries are not known."""
    if resource.kind == kinds.ACCESS_ENTRY:
        return [_role_mapping(model, {"rolearn": resource.get("principal_arn")}, aws_auth=False)]
    entries = _mapped_roles(resource)
    if isinstance(entries, Unknown):
        return entries
    return [_role_mapping(model, entry, aws_auth=True) for entry in entries]


def _role_mapping(model: Model, entry: dict, aws_auth: bool) -> dict[str, Any]:
    arn = entry.get("rolearn")
    mapping: dict[str, Any] = {
        "arn": arn,
        "text": arn_text(arn, model),
        "role": None,
        "type": None,
        "account": None,
        "path": None,
        "name": None,
        "literal": False,
        "instance_profile": _is_profile_arn(model, arn),
    }
    target = model.get(arn.target) if isinstance(arn, Ref) else None
    role = model.follow(arn, kinds.IAM_ROLE) if target is not None and target.kind == kinds.IAM_ROLE else None
    if isinstance(role, Resource):
        name = role.get("name")
        path = role.get("path", "/")
        mapping.update(
            role=role,
            type="role",
            name=name if isinstance(name, str) else None,
            path=path if isinstance(path, str) else Unknown(f"the path of {role.address} is not known"),
        )
    else:
        parsed = parse_iam_arn(arn)
        if parsed is not None:
            mapping.update(
                type=parsed.resource_type,
                account=parsed.account,
                path=parsed.path,
                name=parsed.name,
                literal=True,
            )
    if aws_auth:
        groups = entry.get("groups")
        hole = next((g for g in groups if isinstance(g, Unknown)), None) if isinstance(groups, list) else None
        mapping.update(
            username=entry.get("username"),
            groups=hole if hole is not None else groups,
            node_mapping=_is_node_mapping(model, entry),
            ec2_node_role=ec2_node_role_reason(model, arn),
            windows_nodes=_maps_windows_nodes(model, entry),
        )
    return mapping


def _is_profile_arn(model: Model, arn: Any) -> Any:
    if isinstance(arn, TypedArn) and model.get(arn.target) is None:
        return "instance-profile" in arn.resource_types
    if isinstance(arn, Ref):
        target = model.get(arn.target)
        if target is None:
            return Unknown(f"{arn_text(arn)} is not in the analyzed files", arn.origin)
        return target.kind == kinds.INSTANCE_PROFILE
    if arn is None or isinstance(arn, Resource):
        return False
    parsed = parse_iam_arn(arn)
    if parsed is not None:
        return parsed.resource_type == "instance-profile"
    if isinstance(arn, Unknown):
        return arn  # its reason says how to make it known
    if isinstance(arn, PartialStr):
        return Unknown(f"{arn_text(arn)} could not be read as a role ARN")
    return False


def _maps_windows_nodes(model: Model, entry: dict) -> bool:
    return any(
        names_role(model, entry.get("rolearn"), role) is True and runs_windows(model, node) is True
        for node, role in _node_roles(model)
    )


def runs_windows(model: Model, node: Resource) -> Any:
    """Whether the node runs Windows: its AMI family, else its PowerShell bootstrap."""
    from analyzer.userdata.ami import WINDOWS

    family = model.attr(node, "ami_family")
    if isinstance(family, str):
        return family == WINDOWS
    user_data = model.attr(node, "decoded_user_data")
    if user_data is not None and getattr(user_data, "windows", None) is not None:
        return True
    return family if isinstance(family, Unknown) else Unknown("the node's OS is not known")


# -- access entries -----------------------------------------------------------------------------
def _entry_nodes(model: Model, entry: Resource) -> list[Resource]:
    """Self-managed nodes (outside eksctl, which writes its own entries) whose role the
    access entry's principal names."""
    cluster = model.attr(entry, "cluster")
    return [
        node
        for node, role in _node_roles(model)
        if node.kind == kinds.SELF_MANAGED
        and node.get("created_by") != EKSCTL
        and _for_cluster(model, node, cluster)
        and names_role(model, entry.get("principal_arn"), role) is True
    ]


WORKER_NODE_POLICIES = {"AmazonEKSWorkerNodePolicy", "AmazonEKSWorkerNodeMinimalPolicy"}


def is_worker_role(model: Model, role: Resource) -> bool:
    """A role that trusts ec2.amazonaws.com and carries the worker node policy (or its
    Minimal form): a node role, whether or not the files launch its instances. An instance
    profile alone does not make a node role: a bastion's role has one, and a STANDARD entry
    is right for it."""
    if trust_allows(role.get("assume_role_policy"), "ec2.amazonaws.com") is not True:
        return False
    policies = {managed_policy_name(arn) for arn in model.attr(role, "policy_arns")}
    return bool(policies & WORKER_NODE_POLICIES)


def node_role_reason(model: Model, role: Resource) -> str | None:
    """Why ``role`` is a node role although no node resource in the files runs it: a Karpenter
    EC2NodeClass names it (``spec.role``, or ``spec.instanceProfile`` wrapping it), the
    terraform-aws-eks karpenter sub-module creates it as its node IAM role, or it trusts
    ec2.amazonaws.com and carries the worker node policy. None when nothing says so."""
    if role.get("created_by") == kinds.KARPENTER_MODULE_NODE_ROLE:
        return "the Karpenter module's node IAM role"
    for node_class in model.of_kind(kinds.KARPENTER_NODE_CLASS):
        if _node_class_runs(model, node_class, role):
            return f"the role of {node_class.address}"
    if is_worker_role(model, role):
        return "it trusts ec2.amazonaws.com and carries the worker node policy: Karpenter, or nodes launched elsewhere"
    return None


def _node_class_runs(model: Model, node_class: Resource, role: Resource) -> bool:
    """True only when the EC2NodeClass certainly names ``role``, by its name or through the
    instance profile it names."""
    named = node_class.get("role")
    if isinstance(named, Ref):
        return same_resource(model.follow(named, kinds.IAM_ROLE), role)
    if isinstance(named, str) and named == role.get("name"):
        return True
    profile_name = node_class.get("instance_profile")
    if not isinstance(profile_name, (str, Ref)):
        return False
    for profile in model.of_kind(kinds.INSTANCE_PROFILE):
        if isinstance(profile_name, Ref):
            if not same_resource(model.follow(profile_name, kinds.INSTANCE_PROFILE), profile):
                continue
        elif profile.get("name") != profile_name:
            continue
        wrapped = model.follow(profile.get("role"), kinds.IAM_ROLE)
        if same_resource(wrapped, role) or names_role(model, profile.get("role"), role) is True:
            return True
    return False


def _node_class_naming(model: Model, arn: Any) -> Resource | None:
    """The EC2NodeClass whose ``spec.role`` is the role name in ``arn`` (for a role outside
    the analyzed files: the ARN's name is all there is to compare)."""
    parsed = parse_iam_arn(arn)
    if parsed is None or parsed.resource_type != "role" or not parsed.name:
        return None
    for node_class in model.of_kind(kinds.KARPENTER_NODE_CLASS):
        if node_class.get("role") == parsed.name:
            return node_class
    return None


def ec2_node_role_reason(model: Model, arn: Any) -> str | None:
    """Why the role ``arn`` names is used by EC2 nodes (a node in the files runs it, or it is
    a node role no node in the files runs), unless it is also a Fargate or hybrid-node role
    (trusting SSM or IAM Roles Anywhere): those authenticate as system:node:{{SessionName}}."""
    for role in model.of_kind(kinds.IAM_ROLE):
        if names_role(model, arn, role) is not True:
            continue
        if any(same_resource(role, r) for r in _fargate_roles(model)) or _trusts_hybrid(role):
            return None
        nodes = [node.address for node, run in _node_roles(model) if same_resource(run, role)]
        if nodes:
            return "the role of " + ", ".join(nodes)
        return node_role_reason(model, role)
    node_class = _node_class_naming(model, arn)
    return f"the role of {node_class.address}" if node_class is not None else None


HYBRID_PRINCIPALS = ("ssm.amazonaws.com", "rolesanywhere.amazonaws.com")


def _trusts_hybrid(role: Resource) -> bool:
    """May the role be a hybrid node role (trusts SSM or IAM Roles Anywhere, or its trust is not known)?"""
    return any(trust_allows(role.get("assume_role_policy"), p) is not False for p in HYBRID_PRINCIPALS)


@fact(kinds.ACCESS_ENTRY, "nodes")
def access_entry_nodes(model: Model, entry: Resource) -> list[Resource]:
    """The self-managed nodes (outside eksctl, which writes its own entries) of the entry's
    cluster whose role the entry's principal names."""
    return _entry_nodes(model, entry)


@fact(kinds.ACCESS_ENTRY, "unlaunched_node_role")
def unlaunched_node_role(model: Model, entry: Resource) -> dict[str, Any] | None:
    """The node role the entry's principal names although no node in the files runs it
    (Karpenter's node role, nodes launched by another stack): ``role`` as the user wrote it,
    ``why`` it is a node role, ``karpenter`` when the Karpenter module created the entry for
    its node role. None when it names no such role; roles EKS authorizes itself (managed node
    groups, Auto Mode) are not such roles."""
    cluster = model.attr(entry, "cluster")
    managed = [link for _, link in eks_managed_principals(model, cluster)]
    principal = entry.get("principal_arn")
    for role in model.of_kind(kinds.IAM_ROLE):
        if names_role(model, principal, role) is not True:
            continue
        if any(names_role(model, link, role) is True for link in managed):
            return None
        reason = node_role_reason(model, role)
        return {"role": role.address, "why": reason, "karpenter": False} if reason else None
    if entry.get("created_by") == kinds.KARPENTER_MODULE_NODE_ROLE:
        why = "the Karpenter module's node access entry"
        return {"role": arn_text(principal, model), "why": why, "karpenter": True}
    node_class = _node_class_naming(model, principal)
    if node_class is not None:
        return {"role": arn_text(principal, model), "why": f"the role of {node_class.address}", "karpenter": False}
    return None


@fact(kinds.ACCESS_ENTRY, "entry_type")
def access_entry_type(model: Model, entry: Resource) -> Any:
    """The entry's type in upper case (EC2_LINUX, STANDARD, ...), or the Unknown it is."""
    kind = entry.get("type")
    if isinstance(kind, (Unknown, PartialStr)):
        return kind
    return str(kind).upper()


@fact(kinds.ACCESS_ENTRY, "cluster_auto_mode")
def access_entry_cluster_auto_mode(model: Model, entry: Resource) -> Any:
    """Whether the entry's cluster uses EKS Auto Mode, or an Unknown saying why not known."""
    cluster = model.attr(entry, "cluster")
    if not isinstance(cluster, Resource):
        return Unknown("the cluster is not known")
    auto = cluster.get("auto_mode")
    if isinstance(auto, PartialStr):
        return Unknown(auto.text("…"))
    return auto


@fact(kinds.NODEGROUP, "runs_windows")
@fact(kinds.SELF_MANAGED, "runs_windows")
def node_runs_windows(model: Model, node: Resource) -> Any:
    """Whether the node runs Windows (its AMI family, else its PowerShell bootstrap)."""
    return runs_windows(model, node)


@fact(kinds.AWS_AUTH, "managed_node_roles")
def managed_node_roles(model: Model, aws_auth: Resource) -> Any:
    """The roles EKS maps in aws-auth itself for the managed node groups and Fargate profiles
    of the ConfigMap's cluster: each ``role`` (as the user wrote it), its ``owner`` and
    whether an entry of this ConfigMap ``mapped`` it (true, false or unknown). Unknown when
    the entries are not known."""
    cluster = model.attr(aws_auth, "cluster")
    entries = _mapped_roles(aws_auth)
    if isinstance(entries, Unknown):
        return entries
    found: list[dict[str, Any]] = []
    for owner, link in eks_managed_principals(model, cluster):
        if owner.kind == kinds.CLUSTER:
            continue  # Auto Mode needs access entries; it never used aws-auth
        role = model.follow(link, kinds.IAM_ROLE)
        target: Any = role if isinstance(role, Resource) else link
        mapped = _any_of([_entry_names(model, e.get("rolearn"), target) for e in entries], "")
        shown = role.address if isinstance(role, Resource) else arn_text(link)
        found.append({"role": shown, "owner": owner, "mapped": mapped})
    return found


def _entry_names(model: Model, arn: Any, target: Any) -> Any:
    """``names_role`` for a role that may be only an ARN (a role outside the analyzed files)."""
    if isinstance(target, Resource):
        return names_role(model, arn, target)
    if isinstance(target, Unknown):
        return target
    if isinstance(target, str) and isinstance(arn, str):
        wanted, given = parse_iam_arn(target), parse_iam_arn(arn)
        if wanted and given and wanted.name and given.name:
            return wanted.name == given.name
    return Unknown(f"whether {arn_text(arn)} is {arn_text(target)} is not known")


# -- the node's instance identity ---------------------------------------------------------------
@fact(kinds.INSTANCE_PROFILE, "wraps_role")
def wraps_role(model: Model, profile: Resource) -> Any:
    """Whether the instance profile names a role (a reference or a name, in the analyzed
    files or not): True, False when it names none, or the Unknown its role setting is."""
    role = profile.get("role")
    if role is None:
        return False
    if isinstance(role, Unknown) and not isinstance(role, Ref):
        return role  # e.g. a parameter without a value
    return True


@predicate("auth.shared_cluster_role")
def shared_cluster_role(model: Model, node: Any) -> Any:
    """The role when the node role is also the cluster role; None when they differ."""
    if not isinstance(node, Resource):
        return None
    cluster = model.attr(node, "cluster")
    if not isinstance(cluster, Resource):
        return cluster if isinstance(cluster, Unknown) else None
    node_link = node.get("role") if node.get("role") is not None else model.attr(node, "role")
    cluster_link = cluster.get("role")
    node_role = model.follow(node_link, kinds.IAM_ROLE)
    cluster_role = model.follow(cluster_link, kinds.IAM_ROLE)
    if isinstance(node_role, Resource) and isinstance(cluster_role, Resource):
        return node_role if same_resource(node_role, cluster_role) else None
    for role, link in ((node_role, cluster_link), (cluster_role, node_link)):
        if isinstance(role, Resource) and isinstance(link, (str, PartialStr)):
            same = names_role(model, link, role)
            return role if same is True else (same if isinstance(same, Unknown) else None)
    if isinstance(node_link, str) and isinstance(cluster_link, str):
        wanted, given = parse_iam_arn(node_link), parse_iam_arn(cluster_link)
        if wanted and given and wanted.name and given.name:
            same_account = None in (wanted.account, given.account) or wanted.account == given.account
            return node_link if wanted.name == given.name and same_account else None
    return Unknown("the node role or the cluster role is outside the analyzed files")


# -- a node's authorization facts ----------------------------------------------------------------
@predicate("auth.names_role")
def names_role_predicate(model: Model, arn: Any, role: Any) -> Any:
    """Whether ``arn`` (an aws-auth rolearn, an access-entry principal) names ``role``: true,
    false or unknown (``names_role``)."""
    return names_role(model, arn, role)


@fact(kinds.NODEGROUP, "cluster_auth_mode")
@fact(kinds.SELF_MANAGED, "cluster_auth_mode")
def node_cluster_auth_mode(model: Model, node: Resource) -> Any:
    """The authentication mode of the node's cluster, or an Unknown when the cluster is not known."""
    cluster = cluster_of(model, node)
    return auth_mode(model, cluster) if isinstance(cluster, Resource) else Unknown("the cluster is not known")


@fact(kinds.NODEGROUP, "cluster_access_entries")
@fact(kinds.SELF_MANAGED, "cluster_access_entries")
def node_cluster_access_entries(model: Model, node: Resource) -> list[Resource]:
    """The access entries that may be of the node's cluster (those whose cluster, or the
    node's, is not resolved included)."""
    return _access_entries(model, cluster_of(model, node))


@fact(kinds.NODEGROUP, "aws_auth_maps_role")
@fact(kinds.SELF_MANAGED, "aws_auth_maps_role")
def node_aws_auth_maps_role(model: Model, node: Resource) -> Any:
    """Whether an aws-auth ConfigMap of the node's cluster maps the node's role: true, false
    or unknown."""
    role = model.attr(node, "role")
    if not isinstance(role, Resource):
        return role if isinstance(role, Unknown) else Unknown(f"the node role of {node.address} is not known")
    return _aws_auth_match(model, role, cluster_of(model, node))[0]


# -- the KubernetesApiAccess of an AWSQS::EKS::Cluster ----------------------------------------
@fact(kinds.AWS_AUTH, "unlaunched_node_roles")
def unlaunched_node_roles(model: Model, aws_auth: Resource) -> Any:
    """Roles declared beside the ConfigMap that are node roles although no node or Fargate
    profile in the files runs them (``node_role_reason``), other than the cluster's Auto Mode
    node role: each ``role``, ``why`` it is a node role, and whether an entry of this
    ConfigMap ``mapped`` it (true, false or unknown). Unknown when the entries are not known."""
    entries = _mapped_roles(aws_auth)
    if isinstance(entries, Unknown):
        return entries
    cluster = model.attr(aws_auth, "cluster")
    launched_roles = [role for _, role in _node_roles(model)] + _fargate_roles(model)
    found: list[dict[str, Any]] = []
    for role in model.of_kind(kinds.IAM_ROLE):
        if not _declared_beside(role, aws_auth) or any(same_resource(role, r) for r in launched_roles):
            continue
        if isinstance(cluster, Resource) and names_role(model, cluster.get("auto_mode_node_role"), role) is True:
            continue
        reason = node_role_reason(model, role)
        if reason is None:
            continue
        mapped = _any_of([names_role(model, e.get("rolearn"), role) for e in entries], "")
        found.append({"role": role, "why": reason, "mapped": mapped})
    return found
