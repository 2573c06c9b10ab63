"""nodeadm ``NodeConfig`` documents (AL2023 user data): found, merged and checked like nodeadm.

nodeadm reads every ``application/node.eks.aws`` MIME part (or the whole user data when it is
not multipart), decodes each into a NodeConfig and merges them in order, later values winning
and maps merged deeply (``internal/api/merge.go``; kubelet flags are appended). It then rejects a
config that lacks the cluster coordinates (``internal/api/validation.go``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from analyzer.userdata.safe_yaml import load_documents
from analyzer.values import Unknown, restore_markers

GROUP = "node.eks.aws"
KIND = "NodeConfig"
KNOWN_VERSIONS = ("v1alpha1", "v1beta1")
CLUSTER_FIELDS = ("name", "apiServerEndpoint", "certificateAuthority", "cidr", "enableOutpost", "id")

# (field under spec.cluster, nodeadm's message) in the order nodeadm checks them
REQUIRED_CLUSTER_FIELDS = (
    ("name", "Name is missing in cluster configuration"),
    ("apiServerEndpoint", "Apiserver endpoint is missing in cluster configuration"),
    ("certificateAuthority", "Certificate authority is missing in cluster configuration"),
    ("cidr", "CIDR is missing in cluster configuration"),
)
# nodeadm reports a missing outpost cluster id with the CIDR message (sic)
OUTPOST_ID_MESSAGE = "CIDR is missing in cluster configuration"


@dataclass(frozen=True)
class MissingField:
    field: str  # "spec.cluster.name"
    message: str  # what nodeadm prints


@dataclass(frozen=True)
class ClusterDetails:
    """``spec.cluster``; None when absent, an Unknown/PartialStr when it is a hole."""

    name: Any = None
    api_server_endpoint: Any = None
    certificate_authority: Any = None
    cidr: Any = None
    enable_outpost: Any = None
    id: Any = None


@dataclass
class NodeConfig:
    """The NodeConfig nodeadm would use after merging every document it found."""

    document: dict[str, Any]
    sources: int  # how many NodeConfig documents were merged
    problems: list[str] = field(default_factory=list)
    unknown_fields: list[str] = field(default_factory=list)  # e.g. "spec.cluster.name-not-real"

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.document.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def cluster(self) -> ClusterDetails:
        raw = self.spec.get("cluster")
        raw = raw if isinstance(raw, dict) else {}
        return ClusterDetails(
            name=raw.get("name"),
            api_server_endpoint=raw.get("apiServerEndpoint"),
            certificate_authority=raw.get("certificateAuthority"),
            cidr=raw.get("cidr"),
            enable_outpost=raw.get("enableOutpost"),
            id=raw.get("id"),
        )

    @property
    def feature_gates(self) -> dict[str, Any]:
        gates = self.spec.get("featureGates")
        return gates if isinstance(gates, dict) else {}

    @property
    def kubelet_flags(self) -> list[Any]:
        kubelet = self.spec.get("kubelet")
        flags = kubelet.get("flags") if isinstance(kubelet, dict) else None
        return flags if isinstance(flags, list) else []

    @property
    def kubelet_config(self) -> dict[str, Any]:
        kubelet = self.spec.get("kubelet")
        config = kubelet.get("config") if isinstance(kubelet, dict) else None
        return config if isinstance(config, dict) else {}

    def missing_required(self) -> list[MissingField]:
        """Fields nodeadm's validation would report missing (it stops at the first one)."""
        raw = self.spec.get("cluster")
        raw = raw if isinstance(raw, dict) else {}
        missing = [
            MissingField(f"spec.cluster.{name}", message)
            for name, message in REQUIRED_CLUSTER_FIELDS
            if _absent(raw.get(name))
        ]
        if raw.get("enableOutpost") is True and _absent(raw.get("id")):
            missing.append(MissingField("spec.cluster.id", OUTPOST_ID_MESSAGE))
        return missing


def read_node_configs(text: str, problems: list[str]) -> list[dict[str, Any]]:
    """NodeConfig documents of one YAML text (hole markers still in place)."""
    loaded = load_documents(text)
    problems.extend(f"NodeConfig: {problem}" for problem in loaded.problems)
    configs = []
    for document in loaded.documents:
        data = document.data
        if data is None:
            continue
        if not is_node_config(data):
            problems.append(f"NodeConfig: a document of kind {_kind_of(data)!r} is not a NodeConfig")
            continue
        version = str(data.get("apiVersion", "")).partition("/")[2]
        if version not in KNOWN_VERSIONS:
            problems.append(f'NodeConfig: no kind "NodeConfig" is registered for version "{data.get("apiVersion")}"')
        configs.append(data)
    return configs


def is_node_config(data: Any) -> bool:
    if not isinstance(data, dict) or data.get("kind") != KIND:
        return False
    api_version = data.get("apiVersion")
    return isinstance(api_version, str) and api_version.partition("/")[0] == GROUP


def merge_node_configs(
    configs: list[dict[str, Any]], holes: dict[str, Unknown], problems: list[str] | None = None
) -> NodeConfig:
    merged: dict[str, Any] = {}
    for config in configs:
        merged = _merge(merged, config, ())
    document = restore_markers(merged, holes)
    result = NodeConfig(document, len(configs), list(problems or []))
    result.unknown_fields = _unknown_cluster_fields(document)
    result.problems.extend(_certificate_problems(result.cluster.certificate_authority))
    return result


def _merge(dst: dict[str, Any], src: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    out = dict(dst)
    for key, value in src.items():
        current = out.get(key)
        if path == ("spec", "kubelet") and key == "flags" and isinstance(value, list):
            out[key] = list(current or []) + value  # nodeadm appends kubelet flags
        elif isinstance(value, dict) and isinstance(current, dict):
            out[key] = _merge(current, value, path + (key,))
        elif value is None or value == "" or value == [] or value == {}:
            out.setdefault(key, value)  # an empty value never overrides
        else:
            out[key] = value
    return out


def _absent(value: Any) -> bool:
    return value is None or value == ""


def _unknown_cluster_fields(document: dict[str, Any]) -> list[str]:
    spec = document.get("spec")
    cluster = spec.get("cluster") if isinstance(spec, dict) else None
    if not isinstance(cluster, dict):
        return []
    return [f"spec.cluster.{key}" for key in cluster if key not in CLUSTER_FIELDS]


def _certificate_problems(value: Any) -> list[str]:
    if not isinstance(value, str) or not value:
        return []
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return ["NodeConfig: spec.cluster.certificateAuthority is not valid base64"]
    return []


def _kind_of(data: Any) -> str:
    if isinstance(data, dict):
        kind = data.get("kind")
        return str(kind) if kind is not None else "(none)"
    return type(data).__name__


__all__ = [
    "ClusterDetails",
    "MissingField",
    "NodeConfig",
    "is_node_config",
    "merge_node_configs",
    "read_node_configs",
]
