"""AMI families, architectures and Kubernetes versions, from the ways IaC names an EKS AMI.

Families: "AL2", "AL2023", "BOTTLEROCKET", "WINDOWS", "UBUNTU" (Canonical's EKS images, which ship
an AL2-style ``/etc/eks/bootstrap.sh``) and "CUSTOM" (``ami_type = CUSTOM``). None means the
source does not say. Inputs may be Unknown or hold holes (``PartialStr``): whatever the literal
text decides is still used, and a version that sits in a hole comes back as an Unknown.
"""

from __future__ import annotations

from typing import Any

from analyzer.values import PartialStr, Unknown

AL2, AL2023, BOTTLEROCKET, WINDOWS, UBUNTU, CUSTOM = "AL2", "AL2023", "BOTTLEROCKET", "WINDOWS", "UBUNTU", "CUSTOM"
X86_64, ARM64 = "x86_64", "arm64"

# the user-data format each family expects (format families of UserData.format_family())
USER_DATA_FORMAT = {AL2: AL2, UBUNTU: AL2, AL2023: AL2023, BOTTLEROCKET: BOTTLEROCKET, WINDOWS: WINDOWS}
AL2023_DEFAULT_FROM = (1, 30)  # EKS managed node groups default to AL2023 from Kubernetes 1.30
AL2_LAST_SUPPORTED = (1, 32)  # no EKS-optimized AL2 AMI for Kubernetes >= 1.33
EKSCTL_DEFAULT_AMI_FAMILY = "AmazonLinux2023"

EKSCTL_FAMILIES = {
    "AmazonLinux2": AL2,
    "AmazonLinux2023": AL2023,
    "Bottlerocket": BOTTLEROCKET,
    "Ubuntu1804": UBUNTU,
    "Ubuntu2004": UBUNTU,
    "Ubuntu2204": UBUNTU,
    "Ubuntu2404": UBUNTU,
    "UbuntuPro2004": UBUNTU,
    "UbuntuPro2204": UBUNTU,
    "UbuntuPro2404": UBUNTU,
    "WindowsServer2019CoreContainer": WINDOWS,
    "WindowsServer2019FullContainer": WINDOWS,
    "WindowsServer2022CoreContainer": WINDOWS,
    "WindowsServer2022FullContainer": WINDOWS,
    "WindowsServer2004CoreContainer": WINDOWS,
    "WindowsServer20H2CoreContainer": WINDOWS,
}
_AMI_TYPE_PREFIXES = (("AL2023_", AL2023), ("AL2_", AL2), ("BOTTLEROCKET_", BOTTLEROCKET), ("WINDOWS_", WINDOWS))
_ARCHITECTURE_WORDS = {"x86_64": X86_64, "amd64": X86_64, "arm64": ARM64, "aarch64": ARM64}
_HOLE_BASE = 0xE000  # hole n of a PartialStr reads as chr(_HOLE_BASE + n) while a path is split


# -- ami_type (EKS API enumeration) -------------------------------------------------------------
def family_from_ami_type(ami_type: Any) -> str | None:
    if not isinstance(ami_type, str):
        return None
    upper = ami_type.upper()
    if upper == CUSTOM:
        return CUSTOM
    for prefix, family in _AMI_TYPE_PREFIXES:
        if upper.startswith(prefix):
            return family
    return None


def architecture_from_ami_type(ami_type: Any) -> str | None:
    if not isinstance(ami_type, str):
        return None
    upper = ami_type.upper()
    if "ARM_64" in upper:
        return ARM64
    if "X86_64" in upper:
        return X86_64
    return None


def accelerator_from_ami_type(ami_type: Any) -> str | None:
    """ "nvidia" for GPU AMI types, "neuron" for Inferentia/Trainium, else None."""
    if not isinstance(ami_type, str):
        return None
    upper = ami_type.upper()
    if upper.endswith("_NVIDIA") or upper == "AL2_X86_64_GPU":
        return "nvidia"
    if upper.endswith("_NEURON"):
        return "neuron"
    return None


# -- SSM parameter paths ------------------------------------------------------------------------
def family_from_ssm_path(path: Any) -> str | None:
    segments = _segments(path)
    if segments[:4] == ["", "aws", "service", "eks"] and len(segments) > 6 and segments[4] == "optimized-ami":
        os_name = segments[6]
        if os_name == "amazon-linux-2023":
            return AL2023
        if os_name.startswith("amazon-linux-2"):
            return AL2
        return None
    if segments[:4] == ["", "aws", "service", "bottlerocket"]:
        return BOTTLEROCKET
    if segments[:4] == ["", "aws", "service", "ami-windows-latest"] and "EKS_Optimized" in _text(path):
        return WINDOWS
    if segments[:5] == ["", "aws", "service", "canonical", "ubuntu"] and segments[5].startswith("eks"):
        return UBUNTU
    return None


def architecture_from_ssm_path(path: Any) -> str | None:
    segments = _segments(path)
    family = family_from_ssm_path(path)
    if family == AL2:
        os_name = segments[6]
        return ARM64 if os_name.endswith("-arm64") else X86_64
    if family == WINDOWS:
        return X86_64
    for segment in segments:
        if segment in _ARCHITECTURE_WORDS:
            return _ARCHITECTURE_WORDS[segment]
    return None


def k8s_version_from_ssm_path(path: Any) -> str | Unknown | None:
    """The Kubernetes version in an EKS-optimized AMI parameter path (None: not such a path)."""
    segments = _segments(path)
    family = family_from_ssm_path(path)
    if family in (AL2, AL2023):
        candidate = segments[5]
    elif family == BOTTLEROCKET and len(segments) > 4:
        candidate = segments[4].removeprefix("aws-k8s-").split("-")[0]
    elif family == WINDOWS and len(segments) > 4:
        candidate = segments[4].rsplit("-", 1)[-1]
    elif family == UBUNTU:
        candidate = segments[7]
    else:
        return None
    return _version_or_unknown(candidate, path)


def variant_from_ssm_path(path: Any) -> str | None:
    """ "standard", "nvidia", "neuron", "gpu", "fips"... when the path names one."""
    segments = _segments(path)
    family = family_from_ssm_path(path)
    if family == AL2023 and len(segments) > 8:
        return segments[8] or None
    if family == AL2:
        return "gpu" if segments[6].endswith("-gpu") else "standard"
    if family == BOTTLEROCKET and len(segments) > 4:
        extra = segments[4].removeprefix("aws-k8s-").split("-")[1:]
        return "-".join(extra) if extra else "standard"
    return None


# -- AMI names (data "aws_ami" name filters) ----------------------------------------------------
def family_from_ami_name(name_filter: Any) -> str | None:
    text = _text(name_filter)
    if not text:
        return None
    if text.startswith("amazon-eks-node-al2023-"):
        return AL2023
    if text.startswith(("amazon-eks-node-", "amazon-eks-gpu-node-", "amazon-eks-arm64-node-")):
        return AL2
    if text.startswith("bottlerocket-aws-k8s-"):
        return BOTTLEROCKET
    if text.startswith("Windows_Server-") and "EKS_Optimized" in text:
        return WINDOWS
    if text.startswith(("ubuntu-eks/", "ubuntu-eks-pro/")):
        return UBUNTU
    return None


def architecture_from_ami_name(name_filter: Any) -> str | None:
    text = _text(name_filter)
    family = family_from_ami_name(name_filter)
    if family == AL2:
        return ARM64 if text.startswith("amazon-eks-arm64-node-") else X86_64
    if family == WINDOWS:
        return X86_64
    for word, architecture in _ARCHITECTURE_WORDS.items():
        if f"-{word}-" in text or f"/{word}/" in text or text.endswith(f"-{word}"):
            return architecture
    return None


def k8s_version_from_ami_name(name_filter: Any) -> str | Unknown | None:
    text = _text(name_filter).replace("*", "-").replace("/", "-").replace("_", "-")
    if not family_from_ami_name(name_filter):
        return None
    for piece in text.split("-"):
        if _is_version(piece) or _holes_in(piece):
            return _version_or_unknown(piece, name_filter)
    return None


# -- eksctl ---------------------------------------------------------------------------------------
def family_from_eksctl(ami_family: Any) -> str | None:
    """The family of an eksctl ``amiFamily`` value (None when absent or not recognised; eksctl's
    own default is ``EKSCTL_DEFAULT_AMI_FAMILY``)."""
    if not isinstance(ami_family, str):
        return None
    if ami_family in EKSCTL_FAMILIES:
        return EKSCTL_FAMILIES[ami_family]
    folded = {key.lower(): value for key, value in EKSCTL_FAMILIES.items()}
    return folded.get(ami_family.lower())


# -- Kubernetes versions --------------------------------------------------------------------------
def parse_k8s_version(version: Any) -> tuple[int, int] | None:
    """``"1.30"`` -> (1, 30); patch levels and a leading "v" are ignored."""
    if not isinstance(version, str):
        return None
    pieces = version.strip().removeprefix("v").split(".")
    if len(pieces) < 2 or not pieces[0].isdigit() or not pieces[1].isdigit():
        return None
    return int(pieces[0]), int(pieces[1])


def default_family_for_version(k8s_version: Any) -> str | Unknown:
    """AMI family of an EKS managed node group that sets no ``ami_type``."""
    parsed = parse_k8s_version(k8s_version)
    if parsed is None:
        reason = getattr(k8s_version, "reason", None) or f"Kubernetes version {k8s_version!r} is not known"
        return Unknown(f"the default AMI family depends on the Kubernetes version: {reason}")
    return AL2023 if parsed >= AL2023_DEFAULT_FROM else AL2


# -- instance types -------------------------------------------------------------------------------
def instance_family(instance_type: Any) -> tuple[str, str, str] | None:
    """ "m6gd.large" -> ("m", "6", "gd"): series letters, generation, attribute letters."""
    if not isinstance(instance_type, str) or not instance_type:
        return None
    family = instance_type.lower().split(".")[0]
    index = 0
    while index < len(family) and family[index].isalpha():
        index += 1
    series = family[:index]
    start = index
    while index < len(family) and family[index].isdigit():
        index += 1
    if not series or index == start:
        return None
    return series, family[start:index], family[index:]


def is_arm_instance_type(instance_type: Any) -> bool | None:
    """Graviton (arm64) instance types: a "g" among the attributes (m6g, c7gn, is4gen) or a1."""
    parts = instance_family(instance_type)
    if parts is None:
        return None
    series, generation, attributes = parts
    if series == "a" and generation == "1":
        return True
    return "g" in attributes.split("-")[0]


def is_gpu_instance_type(instance_type: Any) -> bool | None:
    """Instance types with GPUs: the p and g series (g5g included) and gr6."""
    parts = instance_family(instance_type)
    if parts is None:
        return None
    return parts[0] in ("p", "g", "gr")


def is_neuron_instance_type(instance_type: Any) -> bool | None:
    """AWS Inferentia and Trainium instance types (inf1, inf2, trn1, trn2...)."""
    parts = instance_family(instance_type)
    if parts is None:
        return None
    return parts[0] in ("inf", "trn")


# -- internals -------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, PartialStr):
        holes = iter(range(len(value.parts)))
        return "".join(p if isinstance(p, str) else chr(_HOLE_BASE + next(holes)) for p in value.parts)
    return ""


def _holes_in(text: str) -> list[int]:
    return [ord(ch) - _HOLE_BASE for ch in text if _HOLE_BASE <= ord(ch) < _HOLE_BASE + 0x1000]


def _segments(path: Any) -> list[str]:
    segments = _text(path).split("/")
    return segments + [""] * (10 - len(segments)) if len(segments) < 10 else segments


def _is_version(text: str) -> bool:
    return parse_k8s_version(text) is not None and text.count(".") == 1


def _version_or_unknown(candidate: str, source: Any) -> str | Unknown | None:
    holes = _holes_in(candidate)
    if holes and isinstance(source, PartialStr):
        return [p for p in source.parts if isinstance(p, Unknown)][holes[0]]
    return candidate if _is_version(candidate) else None
