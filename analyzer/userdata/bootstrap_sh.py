"""The command line of the AL2 ``/etc/eks/bootstrap.sh`` and how the script reads it.

Mirrors the argument loop of amazon-eks-ami ``templates/al2/runtime/bootstrap.sh``: every
option listed there takes the next word as its value (``shift 2``); anything else, including a
``--flag=value`` word, is kept as a positional argument, and the first positional argument is
the cluster name. The script also reads a few settings from exported environment variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analyzer.values import PartialStr, Unknown

BOOTSTRAP_PATH = "/etc/eks/bootstrap.sh"

VALUE_OPTIONS = frozenset(
    {
        "--apiserver-endpoint",
        "--aws-api-retry-attempts",
        "--b64-cluster-ca",
        "--cluster-id",
        "--container-runtime",
        "--containerd-config-file",
        "--dns-cluster-ip",
        "--docker-config-json",
        "--enable-docker-bridge",
        "--enable-local-outpost",
        "--ip-family",
        "--kubelet-extra-args",
        "--local-disks",
        "--mount-bpf-fs",
        "--pause-container-account",
        "--pause-container-version",
        "--service-ipv4-cidr",
        "--service-ipv6-cidr",
        "--use-max-pods",
    }
)
HELP_OPTIONS = frozenset({"-h", "--help"})

# bootstrap.sh falls back to these variables when the option is not given ("${VAR:-default}")
ENVIRONMENT_FOR_OPTION = {
    "--apiserver-endpoint": "APISERVER_ENDPOINT",
    "--aws-api-retry-attempts": "API_RETRY_ATTEMPTS",
    "--b64-cluster-ca": "B64_CLUSTER_CA",
    "--cluster-id": "CLUSTER_ID",
    "--container-runtime": "CONTAINER_RUNTIME",
    "--containerd-config-file": "CONTAINERD_CONFIG_FILE",
    "--dns-cluster-ip": "DNS_CLUSTER_IP",
    "--docker-config-json": "DOCKER_CONFIG_JSON",
    "--enable-docker-bridge": "ENABLE_DOCKER_BRIDGE",
    "--enable-local-outpost": "ENABLE_LOCAL_OUTPOST",
    "--ip-family": "IP_FAMILY",
    "--kubelet-extra-args": "KUBELET_EXTRA_ARGS",
    "--local-disks": "LOCAL_DISKS",
    "--mount-bpf-fs": "MOUNT_BPF_FS",
    "--pause-container-version": "PAUSE_CONTAINER_VERSION",
    "--service-ipv4-cidr": "SERVICE_IPV4_CIDR",
    "--service-ipv6-cidr": "SERVICE_IPV6_CIDR",
    "--use-max-pods": "USE_MAX_PODS",
}
ENVIRONMENT_READ = frozenset(ENVIRONMENT_FOR_OPTION.values()) | {"PAUSE_CONTAINER_ACCOUNT", "PAUSE_CONTAINER_IMAGE"}

ShellValue = str | PartialStr | Unknown
OptionValue = str | PartialStr | Unknown | bool  # True: the option is given without a value


@dataclass
class BootstrapCall:
    """One invocation of ``/etc/eks/bootstrap.sh``."""

    cluster_name: ShellValue | None  # None: no positional argument (the script exits 1)
    flags: dict[str, OptionValue]
    line: int  # 1-based line in the decoded part
    via: str  # "direct", "exec", "bash", "sh", "sudo", "source", "bash -c", "sudo bash"...
    positional: list[ShellValue] = field(default_factory=list)
    unrecognized: list[str] = field(default_factory=list)  # words bootstrap.sh takes as positional
    equals_form: list[str] = field(default_factory=list)  # options written --flag=value (ignored by the script)
    opaque_args: list[ShellValue] = field(default_factory=list)  # unknown words that may hold more arguments
    environment: dict[str, ShellValue] = field(default_factory=dict)  # exported variables the script reads
    part_index: int = 0

    @property
    def may_hide_arguments(self) -> bool:
        """Unknown words could expand to options this reading cannot see."""
        return bool(self.opaque_args)

    def has_flag(self, name: str) -> bool:
        return name in self.flags

    def flag(self, name: str) -> OptionValue | None:
        return self.flags.get(name)

    def effective(self, name: str) -> Any:
        """What the script uses for option ``name``: the option, else its environment variable."""
        if name in self.flags and name not in self.equals_form:
            return self.flags[name]
        variable = ENVIRONMENT_FOR_OPTION.get(name)
        if variable and variable in self.environment:
            return self.environment[variable]
        return None


def read_bootstrap_arguments(words: list[Any], line: int, via: str) -> BootstrapCall:
    """Interpret the words after the script path (``Word`` objects from the shell reader)."""
    call = BootstrapCall(cluster_name=None, flags={}, line=line, via=via)
    index = 0
    while index < len(words):
        word = words[index]
        literal = word.value if isinstance(word.value, str) else None
        index += 1
        if word.opaque and call.positional:
            call.opaque_args.append(word.value)
        elif word.opaque:
            # an unknown word in the cluster-name slot is taken as the name (IaC templates put
            # ${cluster_name} there); it could still expand to more words
            call.positional.append(word.value)
            call.opaque_args.append(word.value)
        elif literal in HELP_OPTIONS:
            call.flags[literal] = True
        elif literal in VALUE_OPTIONS:
            if index < len(words):
                call.flags[literal] = words[index].value
                index += 1
            else:
                call.flags[literal] = True
        else:
            _positional(call, word.value, literal)
    if call.positional:
        call.cluster_name = call.positional[0]
    elif call.opaque_args:
        call.cluster_name = Unknown("the cluster name may be inside arguments that are unknown")
    return call


def _positional(call: BootstrapCall, value: ShellValue, literal: str | None) -> None:
    call.positional.append(value)
    head = _leading_text(value)
    if not head.startswith("-"):
        return
    call.unrecognized.append(literal if literal is not None else str(value))
    name, equals, rest = head.partition("=")
    if equals and name in VALUE_OPTIONS:
        tail = value.parts[1:] if isinstance(value, PartialStr) else ()
        call.flags.setdefault(name, PartialStr.join([rest, *tail]))
        call.equals_form.append(name)


def _leading_text(value: ShellValue) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, PartialStr) and isinstance(value.parts[0], str):
        return value.parts[0]
    return ""
