"""Facts and predicates about node user data: what bootstraps the node, and how.

``decoded_user_data`` is the node's user data (its own, or its launch
template's) taken apart by ``analyzer.userdata``; for eksctl node groups it is the
``overrideBootstrapCommand`` the user wrote, since eksctl writes everything else itself.

Each predicate answers one rule's question with a value, never a verdict: None when there is
nothing to report, a description of the defect otherwise, and an Unknown (with the reason)
when content that is not known could change the answer. Which rule reports a defect that
several rules see is declared in the rule files (``superseded_by``), not decided here.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge import cidrs
from analyzer.knowledge.ami import EKSCTL
from analyzer.knowledge.nodes import MNG_CUSTOM_AMI, SELF
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.userdata import UserData, decode_user_data
from analyzer.userdata.ami import AL2, AL2023, BOTTLEROCKET, USER_DATA_FORMAT, WINDOWS, parse_k8s_version
from analyzer.values import Encoded, PartialStr, Unknown

BOOTSTRAP_SH = "/etc/eks/bootstrap.sh"
CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/"
# Where EC2 itself (not the Terraform provider) receives the user data: it must be base64.
BASE64_REQUIRED = frozenset(
    {"aws_launch_template", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration", "AWS::EC2::Instance"}
)
# eksctl puts this before a Windows overrideBootstrapCommand (nodebootstrap/windows.go)
EKSCTL_WINDOWS_PREAMBLE = '[string]$EKSBootstrapScriptFile = "$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1"'
# bootstrap.sh without --dns-cluster-ip and without DescribeCluster: 10.100.0.10, or
# 172.20.0.10 when the VPC has a 10.0.0.0/8 CIDR (EKS picks the service CIDR the same way)
FALLBACK_DNS_IP, FALLBACK_DNS_IP_IN_10_VPC = "10.100.0.10", "172.20.0.10"
DOCKERSHIM_REMOVED_IN = (1, 24)
BOTTLEROCKET_REQUIRED = ("cluster-name", "api-server", "cluster-certificate")
HOLE = "${?}"  # how a hole reads in decoded part text


# -- facts ----------------------------------------------------------------------------------------
@fact(kinds.NODEGROUP, "user_data_source")
@fact(kinds.SELF_MANAGED, "user_data_source")
def user_data_source(model: Model, node: Resource) -> Any:
    """The resource whose ``user_data`` the node boots with: the node itself (an instance with
    user data, or no launch template), else its launch template; Unknown when that template
    is not in the analyzed files. eksctl node groups hold their override on the node."""
    if node.framework == EKSCTL or node.get("user_data") is not None:
        return node
    template = model.attr(node, "launch_template")
    return node if template is None else template


@fact(kinds.NODEGROUP, "decoded_user_data")
@fact(kinds.SELF_MANAGED, "decoded_user_data")
def decoded_user_data(model: Model, node: Resource) -> UserData | None:
    """The decoded user data; None for eksctl node groups without overrideBootstrapCommand."""
    if node.framework == EKSCTL:
        return _eksctl_override(model, node)
    source = model.attr(node, "user_data_source")
    if isinstance(source, Unknown):
        return UserData(known=False, reason=f"the launch template is not known ({source.reason})")
    return decode_user_data(source.get("user_data"))


def _eksctl_override(model: Model, node: Resource) -> UserData | None:
    override = node.get("bootstrap_override")
    if override is None:
        return None
    if model.attr(node, "ami_family") == WINDOWS and isinstance(override, str):
        override = f"<powershell>\n{EKSCTL_WINDOWS_PREAMBLE}\n{override}\n</powershell>\n"
    return decode_user_data(override)


def _view(model: Model, node: Any) -> UserData | None:
    return model.attr(node, "decoded_user_data") if isinstance(node, Resource) else None


def _not_known(user_data: UserData) -> Unknown:
    return Unknown(f"the user data is not known ({user_data.reason})")


def _hidden(user_data: UserData) -> Unknown:
    """Parts of the user data are not known: what was not seen may be there."""
    holes = [hole.reason for hole in user_data.holes]
    why = (user_data.opaque or holes or [user_data.reason or "parts are not known"])[0]
    return Unknown(f"the user data is not fully known ({why})")


def _absent(user_data: UserData) -> bool:
    return not user_data.present or user_data.is_empty


def _in_other_format(user_data: UserData, family: str) -> bool:
    """The user data is written for another AMI family."""
    formats = user_data.format_families()
    return bool(formats) and USER_DATA_FORMAT.get(family, family) not in formats


def _node_class(model: Model, node: Resource) -> Any:
    return model.attr(node, "node_class")


# -- what the user data bootstraps with ----------------------------------------------------------
# Each of these returns the facts the rules decide on: None when the node has no user data of
# its own to read (an eksctl node group without overrideBootstrapCommand), and otherwise a
# mapping whose Unknown values name what was not seen (every field, when the user data itself
# is not known).
@predicate("userdata.bootstrap_sh")
def bootstrap_sh(model: Model, node: Any) -> Any:
    """The /etc/eks/bootstrap.sh calls in the user data.

    ``empty``: there is no user data, or only blank text; ``calls``: the calls read, in order
    (each with its ``line`` and ``cluster_name``); ``found``: whether the script runs
    bootstrap.sh (an Unknown when commands may be hidden); ``names_cluster``: whether a call
    passes a cluster name (an Unknown when the first call's arguments may be hidden);
    ``with_node_config``: the user data also holds a NodeConfig."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    if not user_data.known:
        return _unread(user_data, "empty", "calls", "found", "names_cluster", "with_node_config")
    calls = user_data.bootstrap_calls
    return {
        "empty": _absent(user_data),
        "calls": calls,
        "found": _found(bool(calls), user_data),
        "names_cluster": _names_cluster(calls, user_data),
        "with_node_config": user_data.node_config is not None,
    }


def _unread(user_data: UserData, *fields: str) -> dict[str, Unknown]:
    """The fields of a fact about user data that is not known: each is that Unknown."""
    hole = _not_known(user_data)
    return dict.fromkeys(fields, hole)


def _found(seen: bool, user_data: UserData) -> Any:
    """True when seen; else False, or the Unknown of what is not seen."""
    if seen:
        return True
    return _hidden(user_data) if user_data.may_hide_commands else False


def _names_cluster(calls: list, user_data: UserData) -> Any:
    if any(call.cluster_name is not None for call in calls):
        return True
    if calls and calls[0].may_hide_arguments:
        return _hidden(user_data)
    return False


@predicate("userdata.nodeconfig")
def nodeconfig(model: Model, node: Any) -> Any:
    """The NodeConfig nodeadm reads from the user data (its documents merged).

    ``found``: there is one (an Unknown when a NodeConfig part could not be read or commands
    may be hidden); ``missing_fields``: the required fields it lacks, in nodeadm's order (an
    Unknown when content that is not known may set them); ``stops_with``: what nodeadm prints
    for the first of them."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    if not user_data.known:
        return _unread(user_data, "found", "missing_fields", "stops_with")
    config = user_data.node_config
    if config is None:
        unread = any(part.kind == "nodeconfig" for part in user_data.parts) or user_data.may_hide_commands
        return {"found": _hidden(user_data) if unread else False, "missing_fields": [], "stops_with": None}
    missing = config.missing_required()
    fields: Any = [m.field for m in missing]
    if missing and user_data.opaque:
        fields = _hidden(user_data)
    return {"found": True, "missing_fields": fields, "stops_with": missing[0].message if missing else None}


@predicate("userdata.bottlerocket")
def bottlerocket(model: Model, node: Any) -> Any:
    """The Bottlerocket settings in the user data.

    ``found``: the user data is TOML settings (an Unknown when content is hidden);
    ``toml_error``: why the TOML does not parse, or None; ``missing_fields``: the settings a
    node needs to join that it does not set (an Unknown when lines that are not known may set
    them)."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    if not user_data.known:
        return _unread(user_data, "found", "toml_error", "missing_fields")
    settings = user_data.bottlerocket
    if settings is None:
        hidden = not _absent(user_data) and user_data.may_hide_commands
        return {"found": _hidden(user_data) if hidden else False, "toml_error": None, "missing_fields": []}
    kubernetes = (settings.document.get("settings") or {}).get("kubernetes")
    kubernetes = kubernetes if isinstance(kubernetes, dict) else {}
    missing: Any = [
        f"settings.kubernetes.{key}"
        for key in BOTTLEROCKET_REQUIRED
        if kubernetes.get(key) is None or kubernetes.get(key) == ""
    ]
    if missing and settings.opaque:
        missing = Unknown(f"{missing[0]} may be set by {settings.opaque[0]}")
    return {
        "found": True,
        "toml_error": settings.problems[0] if settings.problems else None,
        "missing_fields": missing,
    }


@predicate("userdata.windows_bootstrap")
def windows_bootstrap(model: Model, node: Any) -> Any:
    """The Start-EKSBootstrap.ps1 calls in the user data.

    ``calls``: the calls read, in order (each with its ``line``); ``found``: whether the user
    data runs the script (an Unknown when commands may be hidden); ``other_format``: the user
    data is written for another AMI family; ``tagged``: the PowerShell is inside
    ``<powershell></powershell>``; ``names_cluster``: the first call passes -EKSClusterName
    (an Unknown when its arguments may be hidden)."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    if not user_data.known:
        return _unread(user_data, "calls", "found", "other_format", "tagged", "names_cluster")
    windows = user_data.windows
    calls = windows.bootstrap_calls if windows is not None else []
    names_cluster: Any = False
    if calls and calls[0].cluster_name is not None:
        names_cluster = True
    elif calls and calls[0].may_hide_arguments:
        names_cluster = _hidden(user_data)
    return {
        "calls": calls,
        "found": _found(bool(calls), user_data),
        "other_format": _in_other_format(user_data, WINDOWS),
        "tagged": windows is not None and windows.tagged,
        "names_cluster": names_cluster,
    }


@predicate("userdata.bootstrap")
def bootstrap(model: Model, node: Any) -> Any:
    """Whether the user data joins the node at all: ``empty`` (no user data, or blank);
    ``seen``: it runs bootstrap.sh or nodeadm, or holds a NodeConfig, Bottlerocket settings or
    a Start-EKSBootstrap.ps1 call; ``may_hide_commands``: content that is not known may hold
    commands that are not seen."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    if not user_data.known:
        return _unread(user_data, "empty", "seen", "may_hide_commands")
    return {
        "empty": _absent(user_data),
        "seen": bootstrap_mechanism(user_data),
        "may_hide_commands": user_data.may_hide_commands,
    }


@predicate("userdata.commands")
def commands(model: Model, node: Any) -> Any:
    """What the user data runs besides bootstrap.sh: ``nodeadm_init`` (the ``nodeadm init``
    calls, each with its ``line``) and ``kubelet`` (what it does to kubelet: each with its
    ``kind``, start, configure or stop, a ``detail`` and its ``line``)."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    if not user_data.known:
        return _unread(user_data, "nodeadm_init", "kubelet")
    return {"nodeadm_init": user_data.nodeadm_calls, "kubelet": user_data.kubelet_actions}


@predicate("userdata.cluster_name")
def cluster_name(model: Model, node: Any) -> Any:
    """The name of the node's cluster, which its bootstrap configuration has to name: a name,
    or an Unknown when the cluster or its name is not known, or the name is a placeholder (a
    template's ``<generated>`` or ``${CLUSTER}``) rather than a name EKS accepts."""
    if not isinstance(node, Resource):
        return None
    cluster = model.attr(node, "cluster")
    if not isinstance(cluster, Resource):
        reason = cluster.reason if isinstance(cluster, Unknown) else "no cluster in the analyzed files"
        return Unknown(f"the cluster of {node.address} is not known ({reason})")
    name = cluster.get("name")
    if not isinstance(name, str):
        return Unknown(f"the name of {cluster.address} is not known")
    if not _valid_cluster_name(name):
        return Unknown(f"the cluster name {name!r} is a placeholder, not a name EKS accepts")
    return name


# -- the format of the user data -------------------------------------------------------------------
@predicate("userdata.format")
def user_data_format(model: Model, node: Any) -> Any:
    """The format the user data is written in.

    ``empty``: no user data, or blank; ``mime``: a MIME multi-part document (an Unknown when
    it starts with a value that is not known); ``mime_boundary_problem``: what is wrong with
    its boundaries, or None; ``toml``: Bottlerocket TOML settings (an Unknown as for ``mime``);
    ``toml_error``: why the TOML does not parse; ``toml_unsupported``: TOML constructs EKS
    cannot merge; ``powershell_tagged``: PowerShell inside ``<powershell></powershell>``."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    fields = ("empty", "mime", "mime_boundary_problem", "toml", "toml_error", "toml_unsupported")
    if not user_data.known:
        return _unread(user_data, *fields, "powershell_tagged")
    hole = _hidden(user_data) if _starts_with_hole(user_data) else False
    boundary = None
    if user_data.is_mime and user_data.mime_boundary_ok is False:
        boundary = "; ".join(p for p in user_data.problems if "boundary" in p) or "a broken boundary"
    settings = user_data.bottlerocket
    return {
        "empty": _absent(user_data),
        "mime": True if user_data.is_mime else hole,
        "mime_boundary_problem": boundary,
        "toml": True if settings is not None else hole,
        "toml_error": settings.problems[0] if settings is not None and settings.problems else None,
        "toml_unsupported": list(settings.unsupported) if settings is not None else [],
        "powershell_tagged": user_data.windows is not None and user_data.windows.tagged,
    }


def _starts_with_hole(user_data: UserData) -> bool:
    first = next((part.text for part in user_data.parts if part.text.strip()), "")
    return first.lstrip().startswith(HOLE)


# -- the cluster the node names --------------------------------------------------------------
@predicate("userdata.named_clusters")
def named_clusters(model: Model, node: Any) -> Any:
    """Every cluster name the node's bootstrap configuration and cluster tags write out
    literally, in order: {name, where (the place, e.g. "NodeConfig spec.cluster.name"),
    field (the node's field that holds it: user_data, bootstrap_override or tags)}."""
    if not isinstance(node, Resource):
        return None
    return [
        {"name": value, "where": where, "field": field}
        for value, where, field in _named_clusters(model, node)
        if isinstance(value, str)
    ]


def _named_clusters(model: Model, node: Resource) -> list[tuple[Any, str, str]]:
    """(cluster name, where it is written, field) for every place that names the cluster."""
    names: list[tuple[Any, str, str]] = []
    field = "bootstrap_override" if node.framework == EKSCTL else "user_data"
    user_data = _view(model, node)
    own_bootstrap = node.framework == EKSCTL or _node_class(model, node) in (SELF, MNG_CUSTOM_AMI)
    if user_data is not None and user_data.known:
        if own_bootstrap:
            names += [
                (c.cluster_name, f"/etc/eks/bootstrap.sh (script line {c.line})", field)
                for c in user_data.bootstrap_calls
            ]
            if user_data.windows is not None:
                names += [
                    (c.cluster_name, f"Start-EKSBootstrap.ps1 -EKSClusterName (script line {c.line})", field)
                    for c in user_data.windows.bootstrap_calls
                ]
        if user_data.node_config is not None:
            names.append((user_data.node_config.cluster.name, "NodeConfig spec.cluster.name", field))
        if user_data.bottlerocket is not None:
            names.append((user_data.bottlerocket.cluster_name, "settings.kubernetes.cluster-name", field))
    tags = node.get("tags")
    if node.framework != EKSCTL and isinstance(tags, dict):
        names += [
            (key[len(CLUSTER_TAG_PREFIX) :], f"tag {key}", "tags")
            for key in tags
            if isinstance(key, str) and key.startswith(CLUSTER_TAG_PREFIX)
        ]
    return names


# -- the cluster DNS IP a bootstrap that skips DescribeCluster configures --------------------------
@predicate("userdata.cluster_dns")
def cluster_dns(model: Model, node: Any) -> Any:
    """The cluster DNS IP the node's bootstrap configures, beside its cluster's.

    ``ip_family`` of the cluster (lower case; an Unknown when it is not known);
    ``service_cidr``: the cluster's service CIDR (None when EKS picks it, an Unknown when it is
    not known) and ``cluster_dns_ip``, the tenth address in it; ``settings``: what the
    bootstrap is told, in order (the first bootstrap.sh and Start-EKSBootstrap.ps1 calls,
    Bottlerocket's cluster-dns-ip, the NodeConfig's cidr), each {what, kind: dns (with
    ``dns_ips``), cidr (with ``cidr``) or fallback (with ``uses``, the address the script
    falls back to)}, or an Unknown for arguments that may be hidden; an Unknown when the user
    data is not known."""
    if not isinstance(node, Resource):
        return None
    cluster = model.attr(node, "cluster")
    if not isinstance(cluster, Resource):
        return None
    family = cluster.get("ip_family")
    if isinstance(family, Unknown):
        family = Unknown(f"the IP family of {cluster.address} is not known ({family.reason})", family.origin)
    else:
        family = str(family or "ipv4").lower()
    found: dict[str, Any] = {"ip_family": family, "service_cidr": None, "cluster_dns_ip": None, "settings": []}
    service_cidr = cluster.get("service_cidr")
    network = _network(service_cidr)
    if network is None:  # None: EKS's default, which the bootstrap scripts fall back to
        found["service_cidr"] = service_cidr if isinstance(service_cidr, Unknown) else None
        return found
    expected = str(network[10])
    found.update(service_cidr=str(network), cluster_dns_ip=expected)
    user_data = _view(model, node)
    if user_data is None:
        return found
    if not user_data.known:
        found["settings"] = _not_known(user_data)
        return found
    settings: list[Any] = [_al2_dns(model, cluster, call, expected) for call in user_data.bootstrap_calls[:1]]
    if user_data.windows is not None:
        settings += [_windows_dns(model, cluster, call, expected) for call in user_data.windows.bootstrap_calls[:1]]
    if user_data.bottlerocket is not None:
        settings.append(_dns(user_data.bottlerocket.cluster_dns_ip, "settings.kubernetes.cluster-dns-ip"))
    if user_data.node_config is not None:
        settings.append(_cidr(user_data.node_config.cluster.cidr, "NodeConfig spec.cluster.cidr"))
    found["settings"] = [setting for setting in settings if setting is not None]
    return found


def _al2_dns(model: Model, cluster: Resource, call: Any, expected: str) -> Any:
    if call.effective("--apiserver-endpoint") is None or call.effective("--b64-cluster-ca") is None:
        return _hidden_args(call) if call.may_hide_arguments else None  # DescribeCluster tells it
    dns = call.effective("--dns-cluster-ip")
    if dns is not None:
        return _dns(dns, "bootstrap.sh --dns-cluster-ip")
    cidr = call.effective("--service-ipv4-cidr")
    if cidr is not None:
        return _cidr(cidr, "bootstrap.sh --service-ipv4-cidr")
    if call.may_hide_arguments:
        return _hidden_args(call)
    return _fallback(
        model, cluster, expected, "bootstrap.sh gets --apiserver-endpoint and --b64-cluster-ca but no --dns-cluster-ip"
    )


def _windows_dns(model: Model, cluster: Resource, call: Any, expected: str) -> Any:
    dns = call.params.get("DNSClusterIP")
    if dns is not None:
        return _dns(dns, "Start-EKSBootstrap.ps1 -DNSClusterIP")
    cidr = call.params.get("ServiceCIDR")
    if cidr is not None:
        return _cidr(cidr, "Start-EKSBootstrap.ps1 -ServiceCIDR")
    if call.may_hide_arguments:
        return _hidden_args(call)
    return _fallback(model, cluster, expected, "Start-EKSBootstrap.ps1 gets no -ServiceCIDR")


def _fallback(model: Model, cluster: Resource, expected: str, what: str) -> dict[str, Any]:
    """The address the script falls back to: 172.20.0.10 in a VPC with a 10.0.0.0/8 CIDR,
    else 10.100.0.10 (one of the two, when the cluster's DNS IP is neither)."""
    uses: Any = f"{FALLBACK_DNS_IP} or {FALLBACK_DNS_IP_IN_10_VPC}"
    if expected in (FALLBACK_DNS_IP, FALLBACK_DNS_IP_IN_10_VPC):
        vpc = model.attr(cluster, "vpc")
        vpc_cidr = _network(vpc.get("cidr_block")) if isinstance(vpc, Resource) else None
        if vpc_cidr is None:
            uses = Unknown(
                f"the VPC CIDR of {cluster.address} is not known, and bootstrap falls back to "
                f"{FALLBACK_DNS_IP} or {FALLBACK_DNS_IP_IN_10_VPC} depending on it"
            )
        else:
            in_ten = vpc_cidr.version == 4 and vpc_cidr.subnet_of(ipaddress.ip_network("10.0.0.0/8"))
            uses = FALLBACK_DNS_IP_IN_10_VPC if in_ten else FALLBACK_DNS_IP
    return {"what": what, "kind": "fallback", "uses": uses}


def _dns(value: Any, what: str) -> dict[str, Any]:
    values = value if isinstance(value, list) else [value]
    known = all(isinstance(v, str) for v in values)
    return {"what": what, "kind": "dns", "dns_ips": values if known else Unknown(f"{what} is not known")}


def _cidr(value: Any, what: str) -> dict[str, Any] | None:
    given = _network(value)
    if given is None:  # text that is no CIDR is not compared
        return (
            {"what": what, "kind": "cidr", "cidr": Unknown(f"{what} is not known")}
            if not isinstance(value, str)
            else None
        )
    return {"what": what, "kind": "cidr", "cidr": str(given)}


def _network(value: Any) -> Any:
    return cidrs.network(value.strip()) if isinstance(value, str) else None


def _hidden_args(call: Any) -> Unknown:
    return Unknown(f"arguments of the bootstrap call on line {call.line} are not known")


# -- the IP-family arguments of the bootstrap ----------------------------------------------------
@predicate("userdata.ip_family_arguments")
def ip_family_arguments(model: Model, node: Any) -> Any:
    """The IP-family arguments of the first bootstrap.sh call, and the NodeConfig's CIDR.

    ``ip_family``: --ip-family, lower case (None when not given; an Unknown when it is not
    known text); ``ip_family_hidden``: --ip-family is not given but the call's arguments may
    hide it (an Unknown), else False; ``service_ipv6_cidr`` / ``dns_cluster_ip``: those
    options are given; ``skips_describe_cluster``: the call gets the endpoint and the CA;
    ``hides_arguments``: the call's arguments may hide options; ``nodeconfig_cidr`` and
    ``nodeconfig_cidr_version``: the NodeConfig's spec.cluster.cidr (None when there is none
    or it is no CIDR); ``cluster_ipv6``: the node's cluster is an IPv6 cluster."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    fields = ("ip_family", "ip_family_hidden", "service_ipv6_cidr", "dns_cluster_ip", "skips_describe_cluster")
    if not user_data.known:
        return _unread(
            user_data, *fields, "hides_arguments", "nodeconfig_cidr", "nodeconfig_cidr_version", "cluster_ipv6"
        )
    cluster = model.attr(node, "cluster")
    family = cluster.get("ip_family") if isinstance(cluster, Resource) else None
    found: dict[str, Any] = dict.fromkeys(fields)
    found.update(hides_arguments=False, cluster_ipv6=isinstance(family, str) and family.lower() == "ipv6")
    if user_data.bootstrap_calls:
        call = user_data.bootstrap_calls[0]
        ip_family = call.effective("--ip-family")
        if ip_family is not None and not isinstance(ip_family, str):
            ip_family = _hidden_args(call)
        found.update(
            ip_family=ip_family.lower() if isinstance(ip_family, str) else ip_family,
            ip_family_hidden=_hidden_args(call) if ip_family is None and call.may_hide_arguments else False,
            service_ipv6_cidr=call.effective("--service-ipv6-cidr") is not None,
            dns_cluster_ip=call.effective("--dns-cluster-ip") is not None,
            skips_describe_cluster=call.effective("--apiserver-endpoint") is not None
            and call.effective("--b64-cluster-ca") is not None,
            hides_arguments=call.may_hide_arguments,
        )
    config = user_data.node_config
    cidr = _network(config.cluster.cidr) if config is not None else None
    found.update(
        nodeconfig_cidr=str(cidr) if cidr is not None else None,
        nodeconfig_cidr_version=cidr.version if cidr is not None else None,
    )
    return found


# -- container runtime ---------------------------------------------------------------------------
@predicate("userdata.container_runtimes")
def container_runtimes(model: Model, node: Any) -> Any:
    """The container runtimes the bootstrap.sh calls ask for: ``calls``, each call that sets
    --container-runtime (or its environment variable) other than containerd, with its
    ``line`` and ``runtime`` (an Unknown when the value is not known);
    ``kubernetes_version``: the node's Kubernetes version; ``dockershim_removed``: whether
    that version no longer has dockershim (1.24 and later), an Unknown when it is not known."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    if not user_data.known:
        return _unread(user_data, "calls", "kubernetes_version", "dockershim_removed")
    calls = []
    for call in user_data.bootstrap_calls:
        runtime = call.effective("--container-runtime")
        if runtime is None or runtime == "containerd":
            continue
        if not isinstance(runtime, str):
            runtime = Unknown(f"--container-runtime on line {call.line} is not known")
        calls.append({"line": call.line, "runtime": runtime})
    version = _running_version(model, node)
    parsed = parse_k8s_version(version) if isinstance(version, str) else None
    if parsed is None:
        removed: Any = version if isinstance(version, Unknown) else Unknown("the Kubernetes version is not known")
    else:
        removed = parsed >= DOCKERSHIM_REMOVED_IN
    return {"calls": calls, "kubernetes_version": version, "dockershim_removed": removed}


def _running_version(model: Model, node: Resource) -> Any:
    version = model.attr(node, "ami_k8s_version")
    return version if isinstance(version, str) else model.attr(node, "k8s_version")


# -- encoding ------------------------------------------------------------------------------------
@predicate("userdata.encoding")
def encoding(model: Model, node: Any) -> Any:
    """How the user data the node boots with is written: ``base64_required`` (EC2 itself, not
    the Terraform provider, receives it as written) and ``form``: "none" (no user data),
    "base64" (or encoded by the template), "plain", or "plain_filled_in" (plain text with
    values filled in at deployment); each an Unknown when it is not known."""
    if not isinstance(node, Resource):
        return None
    source = model.attr(node, "user_data_source")
    if isinstance(source, Unknown):
        return {"base64_required": source, "form": source}
    if not isinstance(source, Resource):  # nothing EC2 receives
        return {"base64_required": False, "form": "none"}
    return {"base64_required": source.source_type in BASE64_REQUIRED, "form": _form(source)}


def _form(source: Resource) -> Any:
    value = source.get("user_data")
    if value is None or value == "":
        return "none"
    if isinstance(value, Encoded):
        return "base64"
    if isinstance(value, str):
        return "base64" if _is_base64(value) else "plain"
    if isinstance(value, PartialStr):
        literal = "".join(part for part in value.parts if isinstance(part, str))
        if any(not ((ch.isalnum() and ch.isascii()) or ch in "+/=\r\n") for ch in literal):
            return "plain_filled_in"
    reason = getattr(value, "reason", "not known")
    return Unknown(f"the user data of {source.address} is not known ({reason})")


def _is_base64(text: str) -> bool:
    compact = "".join(text.split())
    if len(compact) % 4:
        return False
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _valid_cluster_name(name: str) -> bool:
    """EKS: 1-100 characters, alphanumerics, hyphens and underscores, starting alphanumeric."""
    return (
        0 < len(name) <= 100
        and name[0].isascii()
        and name[0].isalnum()
        and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in name)
    )


def bootstrap_mechanism(user_data: UserData) -> bool:
    """Something in the user data joins the node (bootstrap.sh, nodeadm, Bottlerocket, Windows)."""
    windows_calls = user_data.windows.bootstrap_calls if user_data.windows else []
    return bool(
        user_data.bootstrap_calls
        or user_data.nodeadm_calls
        or user_data.node_config is not None
        or user_data.bottlerocket is not None
        or windows_calls
    )


# -- custom AMIs, and user data written for another AMI family ------------------------------------
@predicate("ami.custom_ami_status")
def custom_ami_status(model: Model, node: Any) -> Any:
    """{image, bootstrap} for an AMI that is not known to be EKS-optimized, or None."""
    if not isinstance(node, Resource):
        return None
    source = model.attr(node, "ami_source")
    if not source["custom"] or source["eks_optimized"] is True:
        return None
    user_data = _view(model, node)
    if node.framework == EKSCTL:
        # eksctl writes the bootstrap, or runs the override (whose own bootstrap is checked apart)
        if user_data is not None and not bootstrap_mechanism(user_data) and user_data.may_hide_commands:
            return _hidden(user_data)
        return {"image": source["description"], "bootstrap": True}
    if user_data is None or not user_data.known:
        return _not_known(user_data) if user_data is not None else None
    present = bootstrap_mechanism(user_data)
    if not present and user_data.may_hide_commands:
        return _hidden(user_data)
    return {"image": source["description"], "bootstrap": present}


@predicate("ami.user_data_format_mismatch")
def user_data_format_mismatch(model: Model, node: Any) -> Any:
    """{user_data, ami} when the user data is written for another AMI family, or None."""
    user_data = _view(model, node)
    if user_data is None:
        return None
    if not user_data.known:
        return _not_known(user_data)
    family = model.attr(node, "ami_family")
    if isinstance(family, Unknown):
        return family if user_data.format_families() else None
    expected = USER_DATA_FORMAT.get(family)
    formats = user_data.format_families()
    if expected is None or not formats or expected in formats:
        return None
    source = model.attr(node, "ami_source")["description"]
    return {"user_data": _FORMAT_NAMES[formats[0]], "ami": f"{family} ({source})", "expected": _FORMAT_NAMES[expected]}


_FORMAT_NAMES = {
    AL2: "a bootstrap.sh script",
    AL2023: "a nodeadm NodeConfig",
    BOTTLEROCKET: "Bottlerocket TOML settings",
    WINDOWS: "a Start-EKSBootstrap.ps1 PowerShell script",
}

__all__ = ["bootstrap_mechanism", "decoded_user_data", "user_data_source"]
