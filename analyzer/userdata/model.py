"""The decoded view of a user-data value that rules read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analyzer.userdata.bootstrap_sh import BootstrapCall
from analyzer.userdata.bottlerocket import BottlerocketSettings
from analyzer.userdata.nodeconfig import NodeConfig
from analyzer.userdata.powershell import WindowsUserData
from analyzer.userdata.shell import KubeletAction, NodeadmCall
from analyzer.values import PartialStr, Unknown

PART_KINDS = ("shell", "cloud-config", "nodeconfig", "toml", "powershell", "unknown")
ENCODINGS = ("plain", "base64", "gzip", "base64+gzip")


@dataclass
class UserDataPart:
    kind: str  # one of PART_KINDS
    text: str  # decoded text; a hole reads "${?}"
    content: str | PartialStr  # decoded text with its holes as Unknowns
    content_type: str | None = None  # the MIME Content-Type, None outside MIME
    index: int = 0
    first_line: int = 1  # where the part's text starts in the decoded document
    has_shebang: bool = False  # cloud-init only runs shell text that starts with "#!"
    filename: str | None = None


@dataclass
class UserData:
    """Everything that could be read out of one user-data value."""

    known: bool  # False when nothing could be decoded (the value is Unknown)
    reason: str = ""  # why it is not known
    present: bool = True  # False for an absent value (None)
    raw_encoding: str = "plain"  # one of ENCODINGS
    decoded_size: int = 0  # bytes after decoding (EC2 caps raw user data at 16 KiB)
    is_mime: bool = False  # a MIME multipart document
    mime_boundary_ok: bool | None = None  # None when not MIME
    mime_version: str | None = None  # the MIME-Version header
    parts: list[UserDataPart] = field(default_factory=list)
    bootstrap_calls: list[BootstrapCall] = field(default_factory=list)
    nodeadm_calls: list[NodeadmCall] = field(default_factory=list)
    kubelet_actions: list[KubeletAction] = field(default_factory=list)
    node_config: NodeConfig | None = None
    bottlerocket: BottlerocketSettings | None = None
    windows: WindowsUserData | None = None
    holes: list[Unknown] = field(default_factory=list)  # unknown pieces of the value
    opaque: list[str] = field(default_factory=list)  # why some of the content cannot be seen
    problems: list[str] = field(default_factory=list)  # malformed input

    @property
    def is_empty(self) -> bool:
        return self.known and not any(part.text.strip() for part in self.parts)

    @property
    def calls_bootstrap_sh(self) -> bool:
        return bool(self.bootstrap_calls)

    @property
    def calls_nodeadm_init(self) -> bool:
        return bool(self.nodeadm_calls)

    @property
    def calls_windows_bootstrap(self) -> bool:
        return bool(self.windows and self.windows.bootstrap_calls)

    @property
    def starts_kubelet(self) -> bool:
        """Starts, restarts or reconfigures kubelet itself (stopping it does not count)."""
        return any(action.kind in ("start", "configure") for action in self.kubelet_actions)

    @property
    def may_hide_commands(self) -> bool:
        """Some content is not known, so a command that is not seen may still be there."""
        return not self.known or bool(self.opaque)

    def format_families(self) -> list[str]:
        """Every AMI family the user-data formats imply, in a stable order."""
        families = []
        if self.bootstrap_calls:
            families.append("AL2")
        if self.node_config is not None:
            families.append("AL2023")
        if self.bottlerocket is not None:
            families.append("BOTTLEROCKET")
        if self.windows is not None:
            families.append("WINDOWS")
        return families

    def literal_cluster_name(self) -> str | None:
        """The first cluster name written literally in any bootstrap configuration."""
        names: list[Any] = [call.cluster_name for call in self.bootstrap_calls]
        if self.node_config is not None:
            names.append(self.node_config.cluster.name)
        if self.bottlerocket is not None:
            names.append(self.bottlerocket.cluster_name)
        if self.windows is not None:
            names += [call.cluster_name for call in self.windows.bootstrap_calls]
        return next((n for n in names if isinstance(n, str) and n), None)

    def format_family(self) -> str | None:
        """The AMI family the user data is written for: "AL2" (bootstrap.sh), "AL2023"
        (NodeConfig), "BOTTLEROCKET" (TOML), "WINDOWS" (PowerShell), "MIXED" when it holds
        formats of several families, None when no format says anything."""
        families = self.format_families()
        if not families:
            return None
        return families[0] if len(families) == 1 else "MIXED"
