"""AMI families, architectures and versions."""

from __future__ import annotations

import pytest

from analyzer.userdata import ami
from analyzer.values import PartialStr, Unknown


@pytest.mark.parametrize(
    ("ami_type", "family", "architecture", "accelerator"),
    [
        ("AL2_x86_64", "AL2", "x86_64", None),
        ("AL2_x86_64_GPU", "AL2", "x86_64", "nvidia"),
        ("AL2_ARM_64", "AL2", "arm64", None),
        ("AL2023_x86_64_STANDARD", "AL2023", "x86_64", None),
        ("AL2023_ARM_64_STANDARD", "AL2023", "arm64", None),
        ("AL2023_x86_64_NEURON", "AL2023", "x86_64", "neuron"),
        ("AL2023_x86_64_NVIDIA", "AL2023", "x86_64", "nvidia"),
        ("AL2023_ARM_64_NVIDIA", "AL2023", "arm64", "nvidia"),
        ("BOTTLEROCKET_ARM_64", "BOTTLEROCKET", "arm64", None),
        ("BOTTLEROCKET_x86_64", "BOTTLEROCKET", "x86_64", None),
        ("BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET", "x86_64", "nvidia"),
        ("BOTTLEROCKET_ARM_64_FIPS", "BOTTLEROCKET", "arm64", None),
        ("WINDOWS_CORE_2019_x86_64", "WINDOWS", "x86_64", None),
        ("WINDOWS_FULL_2022_x86_64", "WINDOWS", "x86_64", None),
        ("CUSTOM", "CUSTOM", None, None),
        ("SOMETHING_NEW", None, None, None),
        (Unknown("var.ami_type"), None, None, None),
    ],
)
def test_ami_types(ami_type, family, architecture, accelerator):
    assert ami.family_from_ami_type(ami_type) == family
    assert ami.architecture_from_ami_type(ami_type) == architecture
    assert ami.accelerator_from_ami_type(ami_type) == accelerator


@pytest.mark.parametrize(
    ("path", "family", "architecture", "version", "variant"),
    [
        (
            "/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/recommended/image_id",
            "AL2023",
            "x86_64",
            "1.30",
            "standard",
        ),
        (
            "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/arm64/nvidia/recommended/image_id",
            "AL2023",
            "arm64",
            "1.31",
            "nvidia",
        ),
        (
            "/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id",
            "AL2",
            "x86_64",
            "1.29",
            "standard",
        ),
        (
            "/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id",
            "AL2",
            "arm64",
            "1.29",
            "standard",
        ),
        ("/aws/service/eks/optimized-ami/1.28/amazon-linux-2-gpu/recommended/image_id", "AL2", "x86_64", "1.28", "gpu"),
        ("/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_id", "BOTTLEROCKET", "x86_64", "1.30", "standard"),
        (
            "/aws/service/bottlerocket/aws-k8s-1.30-nvidia/arm64/latest/image_id",
            "BOTTLEROCKET",
            "arm64",
            "1.30",
            "nvidia",
        ),
        (
            "/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.30/image_id",
            "WINDOWS",
            "x86_64",
            "1.30",
            None,
        ),
        (
            "/aws/service/canonical/ubuntu/eks/22.04/1.29/stable/current/amd64/hvm/ebs-gp2/ami-id",
            "UBUNTU",
            "x86_64",
            "1.29",
            None,
        ),
        ("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", None, None, None, None),
    ],
)
def test_ssm_paths(path, family, architecture, version, variant):
    assert ami.family_from_ssm_path(path) == family
    assert ami.architecture_from_ssm_path(path) == architecture
    assert ami.k8s_version_from_ssm_path(path) == version
    assert ami.variant_from_ssm_path(path) == variant


def test_ssm_path_with_a_version_hole():
    hole = Unknown("var.cluster_version")
    path = PartialStr(
        ("/aws/service/eks/optimized-ami/", hole, "/amazon-linux-2023/arm64/standard/recommended/image_id")
    )
    assert ami.family_from_ssm_path(path) == "AL2023"
    assert ami.architecture_from_ssm_path(path) == "arm64"
    assert ami.k8s_version_from_ssm_path(path) is hole


@pytest.mark.parametrize(
    ("name", "family", "architecture", "version"),
    [
        ("amazon-eks-node-1.29-v*", "AL2", "x86_64", "1.29"),
        ("amazon-eks-arm64-node-1.28-v*", "AL2", "arm64", "1.28"),
        ("amazon-eks-gpu-node-1.28-*", "AL2", "x86_64", "1.28"),
        ("amazon-eks-node-al2023-arm64-standard-1.30-*", "AL2023", "arm64", "1.30"),
        ("bottlerocket-aws-k8s-1.30-x86_64-*", "BOTTLEROCKET", "x86_64", "1.30"),
        ("Windows_Server-2019-English-Core-EKS_Optimized-1.29-*", "WINDOWS", "x86_64", "1.29"),
        ("ubuntu-eks/k8s_1.29/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*", "UBUNTU", "x86_64", "1.29"),
        ("my-golden-image-*", None, None, None),
    ],
)
def test_ami_names(name, family, architecture, version):
    assert ami.family_from_ami_name(name) == family
    assert ami.architecture_from_ami_name(name) == architecture
    assert ami.k8s_version_from_ami_name(name) == version


@pytest.mark.parametrize(
    ("value", "family"),
    [
        ("AmazonLinux2", "AL2"),
        ("AmazonLinux2023", "AL2023"),
        ("Bottlerocket", "BOTTLEROCKET"),
        ("Ubuntu2204", "UBUNTU"),
        ("UbuntuPro2404", "UBUNTU"),
        ("WindowsServer2019CoreContainer", "WINDOWS"),
        ("WindowsServer2022FullContainer", "WINDOWS"),
        ("amazonlinux2023", "AL2023"),
        ("Fedora", None),
        (None, None),
    ],
)
def test_eksctl_families(value, family):
    assert ami.family_from_eksctl(value) == family


@pytest.mark.parametrize(
    ("version", "family"), [("1.29", "AL2"), ("1.30", "AL2023"), ("1.33", "AL2023"), ("v1.27.3", "AL2")]
)
def test_default_family_for_version(version, family):
    assert ami.default_family_for_version(version) == family


def test_default_family_for_unknown_version_is_unknown():
    result = ami.default_family_for_version(Unknown("var.cluster_version"))
    assert isinstance(result, Unknown) and "var.cluster_version" in result.reason


@pytest.mark.parametrize(
    ("instance_type", "arm", "gpu", "neuron"),
    [
        ("m5.large", False, False, False),
        ("m6g.large", True, False, False),
        ("c7gn.xlarge", True, False, False),
        ("r6gd.2xlarge", True, False, False),
        ("t4g.micro", True, False, False),
        ("a1.medium", True, False, False),
        ("is4gen.xlarge", True, False, False),
        ("x2gd.large", True, False, False),
        ("i4i.large", False, False, False),
        ("g4dn.xlarge", False, True, False),
        ("g5g.xlarge", True, True, False),
        ("p5.48xlarge", False, True, False),
        ("p6-b200.48xlarge", False, True, False),
        ("gr6.4xlarge", False, True, False),
        ("inf2.xlarge", False, False, True),
        ("trn1.32xlarge", False, False, True),
        (Unknown("var.instance_type"), None, None, None),
    ],
)
def test_instance_types(instance_type, arm, gpu, neuron):
    assert ami.is_arm_instance_type(instance_type) == arm
    assert ami.is_gpu_instance_type(instance_type) == gpu
    assert ami.is_neuron_instance_type(instance_type) == neuron


def test_user_data_format_per_family():
    assert ami.USER_DATA_FORMAT["UBUNTU"] == "AL2" and ami.USER_DATA_FORMAT["AL2023"] == "AL2023"
