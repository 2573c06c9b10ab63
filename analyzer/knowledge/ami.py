"""Facts about the AMI a node runs: family, Kubernetes version, architecture, and its source.

A managed node group without an AMI of its own runs the EKS AMI of its
``ami_type``, or EKS's default for its Kubernetes version (AL2023 from 1.30). An AMI of the
node's own (launch template ``image_id``, instance ``ami``) is told apart by where its ID
comes from: an SSM parameter path (CloudFormation SSM parameter types and dynamic references,
Terraform ``data "aws_ssm_parameter"``, ``resolve:ssm:`` image IDs), a ``data "aws_ami"``
name filter, or eksctl's ``amiFamily``. A literal AMI ID says nothing about its family:
that is Unknown, never a guess.

The ``ami_source`` fact is a mapping, so rules can read ``$subject.ami_source.family``:
``description`` (for messages), ``family``, ``eks_optimized``, ``k8s_version``,
``architecture``, ``accelerator``, ``custom`` (True when the node brings its own AMI).
"""

from __future__ import annotations

from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.eks_calendar import default_version_floor
from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.userdata import ami
from analyzer.values import OneOf, PartialStr, Ref, Unknown, describe, is_unknown

EKSCTL = "eksctl"
EKSCTL_AMI_RESOLVERS = ("auto", "auto-ssm", "static")  # eksctl picks an EKS-optimized AMI
SSM_IMAGE_PREFIX = "resolve:ssm:"  # EC2 launch templates resolve such an image ID themselves
SKEW_MINORS = 3  # Kubernetes >= 1.28: kubelet may be up to three minor versions older
DEFAULT_INSTANCE_TYPE = "t3.medium"  # EKS managed node groups without instance types


# -- sources ------------------------------------------------------------------------------------
def _source(
    description: str,
    family: Any,
    *,
    eks_optimized: Any,
    version: Any = None,
    architecture: Any = None,
    accelerator: str | None = None,
    custom: bool,
) -> dict[str, Any]:
    return {
        "description": description,
        "family": family,
        "eks_optimized": eks_optimized,
        "k8s_version": version,
        "architecture": architecture,
        "accelerator": accelerator,
        "custom": custom,
    }


def _unknown_source(reason: str, description: str | None = None) -> dict[str, Any]:
    hole = Unknown(reason)
    description = description or f"an AMI that is not known before deployment ({reason})"
    return _source(description, hole, eks_optimized=hole, version=hole, architecture=hole, custom=True)


def ssm_source(path: Any) -> dict[str, Any]:
    """An AMI ID read from the SSM parameter ``path`` (a str or a PartialStr)."""
    shown = path.text() if isinstance(path, PartialStr) else str(path)
    description = f"SSM parameter {shown}"
    family = ami.family_from_ssm_path(path)
    if family is None:
        hole = Unknown(f"{description} is not a public EKS-optimized AMI parameter eksjoin knows")
        return _source(description, hole, eks_optimized=hole, version=None, architecture=None, custom=True)
    variant = ami.variant_from_ssm_path(path)
    accelerator = "nvidia" if variant in ("nvidia", "gpu") else "neuron" if variant == "neuron" else None
    return _source(
        description,
        family,
        eks_optimized=True,
        version=ami.k8s_version_from_ssm_path(path),
        architecture=ami.architecture_from_ssm_path(path),
        accelerator=accelerator,
        custom=True,
    )


def ami_lookup_source(model: Model, lookup: Resource) -> dict[str, Any]:
    """An AMI found by a ``data "aws_ami"`` search: its name filters tell the family, or an
    ``image-id`` filter that names the AMI some other way (e.g. an SSM parameter)."""
    image_ids = lookup.get("image_id_filters") or []
    if isinstance(image_ids, list) and len(image_ids) == 1:
        return image_source(model, image_ids[0]) or _unknown_source(f"{lookup.address} finds no AMI")
    filters = list(lookup.get("name_filters") or [])
    description = f"{lookup.address} (name {', '.join(describe(f) for f in filters) or 'not filtered'})"
    for name_filter in filters:
        family = ami.family_from_ami_name(name_filter)
        if family is not None:
            version = ami.k8s_version_from_ami_name(name_filter)
            text = name_filter.text() if isinstance(name_filter, PartialStr) else str(name_filter)
            accelerator = "nvidia" if "nvidia" in text or "-gpu-" in text else None
            return _source(
                description,
                family,
                eks_optimized=True,
                version=version,
                architecture=ami.architecture_from_ami_name(name_filter),
                accelerator=accelerator,
                custom=True,
            )
    if not filters or any(_opens_with_hole(f) for f in filters):
        return _unknown_source(f"{description} does not say which AMI it finds", description)
    hole = Unknown(f"{description} is not an EKS-optimized AMI name eksjoin knows")
    return _source(description, hole, eks_optimized=False, version=None, architecture=None, custom=True)


def image_source(model: Model, image: Any) -> dict[str, Any] | None:
    """Where an AMI ID comes from; None when there is no AMI ID at all."""
    if image is None:
        return None
    path = getattr(image, "path", None)  # CloudFormation SSM parameter types
    if isinstance(path, str) and path:
        return ssm_source(path)
    if isinstance(image, Ref):
        return _referenced_source(model, image)
    if isinstance(image, OneOf) and image.candidates:
        return _one_of_sources([image_source(model, c) for c in image.candidates], image)
    if isinstance(image, str):
        if image.startswith(SSM_IMAGE_PREFIX):
            return ssm_source(image[len(SSM_IMAGE_PREFIX) :])
        if not image.strip():
            hole = Unknown("the AMI ID is an empty string")
            return _source("an empty AMI ID", hole, eks_optimized=hole, version=None, architecture=None, custom=True)
        hole = Unknown(f"{image} is an AMI ID: its family cannot be told before deployment")
        return _source(f"AMI {image}", hole, eks_optimized=hole, version=None, architecture=None, custom=True)
    if (
        isinstance(image, PartialStr)
        and isinstance(image.parts[0], str)
        and image.parts[0].startswith(SSM_IMAGE_PREFIX)
    ):
        return ssm_source(PartialStr.join([image.parts[0][len(SSM_IMAGE_PREFIX) :], *image.parts[1:]]))
    reason = image.reason if isinstance(image, (Unknown, PartialStr)) else f"image {image!r}"
    return _unknown_source(
        f"the AMI ID is not known ({reason})", f"an AMI that is not known before deployment ({reason})"
    )


def _referenced_source(model: Model, ref: Ref) -> dict[str, Any]:
    target = model.get(ref.target)
    if isinstance(target, Resource) and target.kind == kinds.SSM_PARAMETER:
        name = target.get("name")
        if isinstance(name, (str, PartialStr)):
            return ssm_source(name)
        return _unknown_source(f"the name of {target.address} is not known")
    if isinstance(target, Resource) and target.kind == kinds.AMI_LOOKUP:
        return ami_lookup_source(model, target)
    return _unknown_source(
        f"the AMI ID comes from {ref.target}.{ref.attribute}, which eksjoin cannot resolve ({ref.reason})"
    )


def _one_of_sources(sources: list[dict[str, Any] | None], image: OneOf) -> dict[str, Any]:
    """A value that is one of several AMIs: what all of them agree on is known."""
    known = [s for s in sources if s is not None]
    if len(known) != len(sources):
        return _unknown_source(f"the AMI ID may be unset ({image.reason})")
    merged = dict(known[0])
    merged["description"] = " or ".join(s["description"] for s in known)
    for key in ("family", "eks_optimized", "k8s_version", "architecture", "accelerator"):
        values = [s[key] for s in known]
        if any(is_unknown(v) for v in values) or any(v != values[0] for v in values):
            merged[key] = Unknown(f"{key.replace('_', ' ')} differs between the possible AMIs ({image.reason})")
    return merged


def _opens_with_hole(value: Any) -> bool:
    return (isinstance(value, PartialStr) and not isinstance(value.parts[0], str)) or isinstance(value, Unknown)


# -- facts ----------------------------------------------------------------------------------------
def k8s_version_text(value: Any) -> Any:
    """A Kubernetes version as text ("1.30"); numbers keep the text they were written with."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return getattr(value, "text", None) or str(value)
    return value


@fact(kinds.NODEGROUP, "k8s_version")
@fact(kinds.SELF_MANAGED, "k8s_version")
def node_k8s_version(model: Model, node: Resource) -> Any:
    """The node's Kubernetes version: its own ``version``, else its cluster's."""
    own = k8s_version_text(node.get("version"))
    if own is not None:
        return own
    cluster = model.attr(node, "cluster")
    if not isinstance(cluster, Resource):
        reason = cluster.reason if isinstance(cluster, Unknown) else "no cluster"
        return Unknown(f"the cluster of {node.address} is not known ({reason})")
    version = k8s_version_text(cluster.get("version"))
    if version is None:
        return Unknown(f"{cluster.address} sets no Kubernetes version (EKS then creates its current default)")
    return version


@fact(kinds.NODEGROUP, "k8s_version_floor")
@fact(kinds.SELF_MANAGED, "k8s_version_floor")
def node_k8s_version_floor(model: Model, node: Resource) -> Any:
    """(major, minor) the node's Kubernetes version is at least: the version itself when it is
    known, EKS's current default when neither the node nor its cluster sets one (EKS, and
    eksctl's DefaultVersion, then pick a version of at least that), else None."""
    version = model.attr(node, "k8s_version")
    if isinstance(version, str):
        return ami.parse_k8s_version(version)
    cluster = model.attr(node, "cluster")
    if node.get("version") is None and isinstance(cluster, Resource) and cluster.get("version") is None:
        return default_version_floor()
    return None


def _default_version_text() -> str:
    major, minor = default_version_floor()
    return f"EKS's default version ({major}.{minor} or later)"


@fact(kinds.NODEGROUP, "custom_image")
@fact(kinds.SELF_MANAGED, "custom_image")
def custom_image(model: Model, node: Resource) -> Any:
    """The AMI ID the node brings itself (instance ``ami``, launch template ``image_id``)."""
    if node.get("image_id") is not None:
        return node.get("image_id")
    template = model.attr(node, "launch_template")
    if isinstance(template, Resource):
        return template.get("image_id")
    return template  # None, or Unknown when the launch template is outside the analysis


@fact(kinds.NODEGROUP, "image_holder")
@fact(kinds.SELF_MANAGED, "image_holder")
def image_holder(model: Model, node: Resource) -> Resource:
    """The resource whose ``image_id`` the node launches (for findings about the AMI)."""
    if node.get("image_id") is None:
        template = model.attr(node, "launch_template")
        if isinstance(template, Resource) and template.get("image_id") is not None:
            return template
    return node


@fact(kinds.NODEGROUP, "ami_source")
@fact(kinds.SELF_MANAGED, "ami_source")
def node_ami_source(model: Model, node: Resource) -> dict[str, Any]:
    if node.get("created_by") == EKSCTL:
        return _eksctl_source(model, node)
    image = model.attr(node, "custom_image")
    if node.kind == kinds.NODEGROUP and (image is None or _ami_type_rules_out_image(node, image)):
        return _managed_source(model, node)
    return image_source(model, image) or _unknown_source(f"{node.address} has no AMI in the analyzed files")


def _ami_type_rules_out_image(node: Resource, image: Any) -> bool:
    """An unresolved launch template with an ``ami_type`` other than CUSTOM: EKS only accepts
    that combination when the template brings no AMI, so the AMI is the ami_type's."""
    ami_type = node.get("ami_type")
    return (
        isinstance(image, Unknown)
        and not isinstance(image, Ref)
        and isinstance(ami_type, str)
        and ami_type.upper() != ami.CUSTOM
        and getattr(image, "path", None) is None
    )


def _managed_source(model: Model, node: Resource) -> dict[str, Any]:
    ami_type = node.get("ami_type")
    if isinstance(ami_type, str):
        family = ami.family_from_ami_type(ami_type)
        if family in (None, ami.CUSTOM):
            hole = Unknown(f"ami_type {ami_type} does not name an EKS AMI family")
            return _source(f"ami_type {ami_type}", hole, eks_optimized=hole, custom=False)
        return _source(
            f"ami_type {ami_type}",
            family,
            eks_optimized=True,
            architecture=ami.architecture_from_ami_type(ami_type),
            accelerator=ami.accelerator_from_ami_type(ami_type),
            custom=False,
        )
    if ami_type is not None:
        return _unknown_source(
            f"the ami_type of {node.address} is not known ({getattr(ami_type, 'reason', ami_type)})",
            "an ami_type that is not known",
        )
    version = model.attr(node, "k8s_version")
    family = ami.default_family_for_version(version)
    shown = version if isinstance(version, str) else "an unknown version"
    floor = model.attr(node, "k8s_version_floor")
    if isinstance(family, Unknown) and floor is not None:  # no version set: EKS's current default
        family = ami.default_family_for_version(f"{floor[0]}.{floor[1]}")
        shown = _default_version_text()
    return _source(
        f"EKS's default AMI type for Kubernetes {shown} (ami_type not set)",
        family,
        eks_optimized=True,
        architecture=ami.X86_64,
        custom=False,
    )


def _eksctl_source(model: Model, node: Resource) -> dict[str, Any]:
    written = node.get("eksctl_ami_family")
    family = eksctl_family(written)
    image = node.get("image_id")
    custom = image is not None and image not in EKSCTL_AMI_RESOLVERS
    eks_optimized: Any = True
    if isinstance(image, str) and image.startswith("ami-"):
        eks_optimized = Unknown(f"{image} is an AMI ID: whether it is EKS-optimized cannot be told")
    elif custom:
        eks_optimized = Unknown(f"ami {describe(image)} is neither an AMI ID nor one of eksctl's resolvers")
    description = f"amiFamily {written}" + (f" with AMI {image}" if custom else "")
    return _source(
        description,
        family,
        eks_optimized=eks_optimized,
        version=model.attr(node, "k8s_version") if not custom else None,
        custom=custom,
    )


def eksctl_family(written: Any) -> Any:
    """The canonical family of an eksctl ``amiFamily`` (eksctl's newer families included)."""
    if isinstance(written, Unknown):
        return written
    family = ami.family_from_eksctl(written)
    if family is not None:
        return family
    text = written.casefold() if isinstance(written, str) else ""
    for prefix, found in (("bottlerocket", ami.BOTTLEROCKET), ("ubuntu", ami.UBUNTU), ("windowsserver", ami.WINDOWS)):
        if text.startswith(prefix):
            return found
    return Unknown(f"amiFamily {written!r} is not one eksjoin knows")


@fact(kinds.NODEGROUP, "ami_family")
@fact(kinds.SELF_MANAGED, "ami_family")
def node_ami_family(model: Model, node: Resource) -> Any:
    """AL2, AL2023, BOTTLEROCKET, WINDOWS or UBUNTU; Unknown (with the reason) otherwise."""
    return model.attr(node, "ami_source")["family"]


@fact(kinds.NODEGROUP, "architecture")
@fact(kinds.SELF_MANAGED, "architecture")
def node_architecture(model: Model, node: Resource) -> Any:
    return model.attr(node, "ami_source")["architecture"]


@fact(kinds.NODEGROUP, "ami_k8s_version")
@fact(kinds.SELF_MANAGED, "ami_k8s_version")
def node_ami_k8s_version(model: Model, node: Resource) -> Any:
    """The Kubernetes version of the node's AMI: from its SSM path or name for an AMI of its
    own, else the node group's release version, version, or its cluster's version."""
    source = model.attr(node, "ami_source")
    if source["custom"]:
        return source["k8s_version"]
    release = node.get("release_version")
    if isinstance(release, str) and ami.parse_k8s_version(release):
        major, minor = ami.parse_k8s_version(release)
        return f"{major}.{minor}"
    return model.attr(node, "k8s_version")


@fact(kinds.NODEGROUP, "instance_type_list")
@fact(kinds.SELF_MANAGED, "instance_type_list")
def node_instance_types(model: Model, node: Resource) -> Any:
    """Instance types the node launches with: the node group's, else the launch template's,
    else (managed node groups) EKS's default."""
    own = node.get("instance_types")
    if isinstance(own, Unknown):
        return own
    if own:
        return own if isinstance(own, list) else [own]
    template = model.attr(node, "launch_template")
    if isinstance(template, Resource) and template.get("instance_type") is not None:
        return [template.get("instance_type")]
    if isinstance(template, Unknown):
        return template
    if node.kind == kinds.NODEGROUP:
        return [DEFAULT_INSTANCE_TYPE]
    return Unknown(f"the instance types of {node.address} are not in the analyzed files")


# -- predicates -----------------------------------------------------------------------------------
def _version(value: Any) -> tuple[int, int] | None:
    return ami.parse_k8s_version(value) if isinstance(value, str) else None


@predicate("ami.amazon_linux_end_of_support")
def al2_after_end_of_support(model: Model, node: Any) -> Any:
    """{version, certain} when an AL2 AMI is used at Kubernetes >= 1.33, None otherwise."""
    if not isinstance(node, Resource):
        return None
    source = model.attr(node, "ami_source")
    if source["family"] != ami.AL2:
        return source["family"] if isinstance(source["family"], Unknown) else None
    if source["custom"]:
        version = source["k8s_version"]
        if _version(version) is not None:
            return {"version": version, "certain": True} if _version(version) > ami.AL2_LAST_SUPPORTED else None
        cluster_version = model.attr(node, "k8s_version")
        if _version(cluster_version) is not None and _version(cluster_version) > ami.AL2_LAST_SUPPORTED:
            return {"version": cluster_version, "certain": False}
        floor = model.attr(node, "k8s_version_floor")
        if floor is not None and floor > ami.AL2_LAST_SUPPORTED:
            return {"version": _default_version_text(), "certain": False}
        return cluster_version if isinstance(cluster_version, Unknown) else None
    version = model.attr(node, "k8s_version")
    if _version(version) is None:
        floor = model.attr(node, "k8s_version_floor")
        if floor is not None and floor > ami.AL2_LAST_SUPPORTED:  # EKS's default has no AL2 AMIs
            return {"version": _default_version_text(), "certain": True}
        return version if isinstance(version, Unknown) else None
    return {"version": version, "certain": True} if _version(version) > ami.AL2_LAST_SUPPORTED else None


@predicate("ami.version_skew")
def version_skew(model: Model, node: Any) -> Any:
    """How the node's kubelet version breaks the skew policy ("newer" / "older"), or None."""
    if not isinstance(node, Resource):
        return None
    if _follows_cluster_version(model, node):
        return None
    node_version = model.attr(node, "ami_k8s_version")
    cluster = model.attr(node, "cluster")
    cluster_version = k8s_version_text(cluster.get("version")) if isinstance(cluster, Resource) else None
    if _version(node_version) is None or _version(cluster_version) is None:
        return Unknown(f"the Kubernetes versions of {node.address} and its cluster are not both known")
    node_minor, cluster_minor = _version(node_version), _version(cluster_version)
    if node_minor[0] != cluster_minor[0]:
        return None
    if node_minor[1] > cluster_minor[1]:
        return {"node": node_version, "cluster": cluster_version, "problem": "newer than the control plane"}
    if cluster_minor[1] - node_minor[1] > SKEW_MINORS:
        return {
            "node": node_version,
            "cluster": cluster_version,
            "problem": f"more than {SKEW_MINORS} minor versions older than the control plane",
        }
    return None


def _follows_cluster_version(model: Model, node: Resource) -> bool:
    """A managed node group on an EKS AMI that sets neither ``version`` nor ``release_version``
    is created at its cluster's version, whatever that version is."""
    if node.kind != kinds.NODEGROUP or model.attr(node, "ami_source")["custom"] is not False:
        return False
    return node.get("version") is None and node.get("release_version") is None


@predicate("ami.prohibited_nodegroup_fields")
def prohibited_nodegroup_fields(model: Model, node: Any) -> Any:
    """Node group settings the EKS API refuses next to a launch template (or its AMI)."""
    if not isinstance(node, Resource) or node.get("launch_template") is None:
        return []
    found: list[str] = []
    holes: list[Unknown] = []
    image = model.attr(node, "custom_image")
    if image is not None and not (
        isinstance(image, Unknown) and not isinstance(image, Ref) and getattr(image, "path", None) is None
    ):
        ami_type = node.get("ami_type")
        _note(found, holes, "ami_type", ami_type, lambda v: not (isinstance(v, str) and v.upper() == ami.CUSTOM))
        _note(found, holes, "release_version", node.get("release_version"))
        _note(found, holes, "version", node.get("version"))
    _note(found, holes, "disk_size", node.get("disk_size"))
    _note(found, holes, "remote_access", node.get("remote_access"))
    template = model.attr(node, "launch_template")
    if isinstance(template, Resource) and template.get("instance_type") is not None:
        _note(found, holes, "instance_types", node.get("instance_types"))
    if found:
        return found
    return holes[0] if holes else []


def _note(found: list[str], holes: list[Unknown], name: str, value: Any, counts=lambda v: True) -> None:
    if value is None or value == [] or value == {}:
        return
    if is_unknown(value):
        holes.append(Unknown(f"{name} may be set ({getattr(value, 'reason', '')})"))
    elif counts(value):
        found.append(name)


@predicate("ami.architecture_mismatch")
def architecture_mismatch(model: Model, node: Any) -> Any:
    """Instance types that cannot run the node's AMI (CPU architecture or GPU), or None."""
    if not isinstance(node, Resource):
        return None
    source = model.attr(node, "ami_source")
    architecture = source["architecture"]
    types = model.attr(node, "instance_type_list")
    if isinstance(types, Unknown):
        return types
    if is_unknown(architecture) or architecture is None:
        return architecture if isinstance(architecture, Unknown) else None
    wrong, holes = [], []
    for instance_type in types:
        arm = ami.is_arm_instance_type(instance_type)
        if arm is None:
            if is_unknown(instance_type):
                holes.append(Unknown(f"instance type {describe(instance_type)} is not known"))
            continue
        if arm != (architecture == ami.ARM64):
            wrong.append(f"{instance_type} ({'arm64' if arm else 'x86_64'})")
        elif source["accelerator"] == "nvidia" and ami.is_gpu_instance_type(instance_type) is False:
            wrong.append(f"{instance_type} (no GPU)")
    if not wrong:
        return holes[0] if holes else None
    shown = f"{architecture}{' NVIDIA GPU' if source['accelerator'] == 'nvidia' else ''}"
    from_template = not node.get("instance_types") and isinstance(model.attr(node, "launch_template"), Resource)
    return {"types": ", ".join(wrong), "ami": f"{source['description']} ({shown})", "from_template": from_template}


__all__ = [
    "EKSCTL",
    "SSM_IMAGE_PREFIX",
    "ami_lookup_source",
    "eksctl_family",
    "image_source",
    "k8s_version_text",
    "ssm_source",
]
