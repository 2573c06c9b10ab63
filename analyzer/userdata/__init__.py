"""User data and AMI-family analysis for EKS worker nodes.

``decode_user_data`` turns an evaluated user-data value into a ``UserData`` view: encodings and
MIME parts taken apart, ``/etc/eks/bootstrap.sh`` calls, the merged nodeadm ``NodeConfig``,
Bottlerocket TOML settings and Windows ``Start-EKSBootstrap.ps1`` calls. ``analyzer.userdata.ami``
tells AMI families, architectures and Kubernetes versions apart.
"""

from analyzer.userdata.bootstrap_sh import BootstrapCall
from analyzer.userdata.bottlerocket import BottlerocketSettings
from analyzer.userdata.decode import decode_user_data
from analyzer.userdata.model import UserData, UserDataPart
from analyzer.userdata.nodeconfig import ClusterDetails, MissingField, NodeConfig
from analyzer.userdata.powershell import WindowsBootstrapCall, WindowsUserData
from analyzer.userdata.shell import KubeletAction, NodeadmCall

__all__ = [
    "BootstrapCall",
    "BottlerocketSettings",
    "ClusterDetails",
    "KubeletAction",
    "MissingField",
    "NodeConfig",
    "NodeadmCall",
    "UserData",
    "UserDataPart",
    "WindowsBootstrapCall",
    "WindowsUserData",
    "decode_user_data",
]
