"""The Terraform CLI configuration, read as Terraform reads it, for hosts and credentials.

Sources, in Terraform's order: ``TF_TOKEN_<host>`` environment variables (dots written as
``_``, hyphens as ``__``); the file named by ``TF_CLI_CONFIG_FILE``, else ``~/.terraformrc``
(``%APPDATA%/terraform.rc`` on Windows); and ``~/.terraform.d/credentials.tfrc.json``
written by ``terraform login``. A ``host "name" { services = {...} }`` block replaces
service discovery for that host — that is how a private or test registry is pointed at.
Nothing is read until a remote module needs it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

MAX_CONFIG_BYTES = 1 << 20


@dataclass
class CliConfig:
    hosts: dict[str, dict[str, str]] = field(default_factory=dict)  # host -> services
    tokens: dict[str, str] = field(default_factory=dict)  # host -> token from files
    problems: list[str] = field(default_factory=list)

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
    credentials = Path.home() / ".terraform.d" / "credentials.tfrc.json"
    if credentials.is_file():
        _read_credentials_json(credentials, config)
    return config


def _read_hcl(path: Path, config: CliConfig) -> None:
    import hcl2

    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ValueError("too large")
        data = hcl2.loads(path.read_text(encoding="utf-8"))
    except Exception as exc:  # any parse failure: Terraform would stop; we say so and go on without it
        config.problems.append(f"the Terraform CLI configuration {path} could not be read ({type(exc).__name__})")
        return
    for block in data.get("credentials", []):
        for host, body in block.items():
            token = _unquote(body.get("token")) if isinstance(body, dict) else None
            if token:
                config.tokens[_unquote(host).lower()] = token
    for block in data.get("host", []):
        for host, body in block.items():
            services = body.get("services") if isinstance(body, dict) else None
            if isinstance(services, dict):
                config.hosts[_unquote(host).lower()] = {_unquote(k): _unquote(v) for k, v in services.items()}


def _read_credentials_json(path: Path, config: CliConfig) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config.problems.append(f"{path} could not be read")
        return
    for host, body in (data.get("credentials") or {}).items():
        if isinstance(body, dict) and isinstance(body.get("token"), str):
            config.tokens.setdefault(host.lower(), body["token"])


def _unquote(value) -> str:
    text = str(value) if value is not None else ""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text
