"""The Terraform CLI configuration, read as Terraform reads it, for hosts and credentials.

Sources, in Terraform's order: ``TF_TOKEN_<host>`` environment variables (dots written as
``_``, hyphens as ``__``); the file named by ``TF_CLI_CONFIG_FILE``, else ``~/.terraformrc``
(``%APPDATA%/terraform.rc`` on Windows); and ``~/.terraform.d/credentials.tfrc.json``
written by ``terraform login``. A ``host "name" { services = {...} }`` block replaces
service discovery for that host — that is how a private or test registry is pointed at.
Nothing is read until a remote module needs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from analyzer import jsonsafe

MAX_CONFIG_BYTES = 1 << 20


@dataclass(frozen=True)
class ConfigProblem:
    path: Path  # the file, as the environment or the home folder names it
    why: str  # what is wrong with it: "is 2,000,000 bytes, over the limit of ..."


@dataclass
class CliConfig:
    hosts: dict[str, dict[str, str]] = field(default_factory=dict)  # host -> services
    tokens: dict[str, str] = field(default_factory=dict)  # host -> token from files
    problems: list[ConfigProblem] = field(default_factory=list)  # files, or parts of them, not used

    def services(self, host: str) -> dict[str, str] | None:
        return self.hosts.get(host.lower())

    def token(self, host: str) -> str | None:
        """``TF_TOKEN_<host>`` wins over the configuration files, as in Terraform."""
        host = host.lower()
        for name, value in os.environ.items():
            if name.startswith("TF_TOKEN_") and _env_host(name[len("TF_TOKEN_") :]) == host and value:
                return value
        return self.tokens.get(host)


def _env_host(encoded: str) -> str:
    return encoded.replace("__", "\0").replace("_", ".").replace("\0", "-").lower()


def config_file() -> Path | None:
    named = os.environ.get("TF_CLI_CONFIG_FILE")
    if named:
        return Path(named).expanduser()
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "terraform.rc"
    return Path.home() / ".terraformrc"


def load_cli_config() -> CliConfig:
    config = CliConfig()
    path = config_file()
    if path is not None and path.is_file():
        _read_hcl(path, config)
    elif path is not None and path.exists():  # a folder, a FIFO or a device is never opened
        config.problems.append(ConfigProblem(path, "is not a regular file"))
    credentials = Path.home() / ".terraform.d" / "credentials.tfrc.json"
    if credentials.is_file():
        _read_credentials_json(credentials, config)
    return config


def _read_text(path: Path, config: CliConfig) -> str | None:
    """The file's text, or None with the problem noted: over the size limit (checked before
    reading), unreadable or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            config.problems.append(
                ConfigProblem(path, f"is {size:,} bytes, over the limit of {MAX_CONFIG_BYTES:,} bytes eksjoin reads")
            )
            return None
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        config.problems.append(ConfigProblem(path, "is not UTF-8 text"))
    except OSError as exc:
        config.problems.append(ConfigProblem(path, f"cannot be read ({exc.strerror or exc})"))
    return None


def _read_hcl(path: Path, config: CliConfig) -> None:
    import hcl2

    text = _read_text(path, config)
    if text is None:
        return
    try:
        data = hcl2.loads(text)
    except Exception as exc:  # any parse failure: Terraform would stop; we say so and go on without it
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        config.problems.append(ConfigProblem(path, f"is not valid HCL ({first})"))
        return
    for name in ("credentials", "host"):
        blocks = data.get(name, []) if isinstance(data, dict) else []
        if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
            config.problems.append(ConfigProblem(path, f'has a "{name}" setting that is not a block'))
            continue
        for block in blocks:
            for host, body in block.items():
                _read_block(name, _unquote(host).lower(), body, config)


def _read_block(name: str, host: str, body, config: CliConfig) -> None:
    if name == "credentials":
        token = _unquote(body.get("token")) if isinstance(body, dict) else None
        if token:
            config.tokens[host] = token
        return
    services = body.get("services") if isinstance(body, dict) else None
    if isinstance(services, dict):
        config.hosts[host] = {_unquote(k): _unquote(v) for k, v in services.items()}


def _read_credentials_json(path: Path, config: CliConfig) -> None:
    text = _read_text(path, config)
    if text is None:
        return
    try:
        data = jsonsafe.loads(text)
    except ValueError as exc:
        config.problems.append(ConfigProblem(path, f"is not valid JSON ({getattr(exc, 'msg', exc)})"))
        return
    except jsonsafe.TooDeep as exc:
        config.problems.append(ConfigProblem(path, f"is {exc}"))
        return
    credentials = data.get("credentials") if isinstance(data, dict) else None
    if not isinstance(credentials, dict):
        config.problems.append(ConfigProblem(path, 'holds no "credentials" object'))
        return
    for host, body in credentials.items():
        if isinstance(body, dict) and isinstance(body.get("token"), str):
            config.tokens.setdefault(host.lower(), body["token"])


def _unquote(value) -> str:
    text = str(value) if value is not None else ""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text
