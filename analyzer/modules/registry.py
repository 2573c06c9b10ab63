"""The Terraform module registry protocol: service discovery, versions list, download.

https://developer.hashicorp.com/terraform/internals/module-registry-protocol —
``https://<host>/.well-known/terraform.json`` names the ``modules.v1`` base URL (a ``host``
block of the CLI configuration replaces discovery), ``<base><ns>/<name>/<provider>/versions``
lists versions, and ``<base><ns>/<name>/<provider>/<version>/download`` answers 204 with an
``X-Terraform-Get`` header (or 200 with a JSON ``location``) naming where the code is: an
archive URL or a git address, relative to the download URL when not absolute.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin

from analyzer.modules import http
from analyzer.modules.addresses import RegistrySource
from analyzer.modules.cliconfig import CliConfig

MAX_JSON_BYTES = 4 << 20


class RegistryClient:
    def __init__(self, cli_config: CliConfig, timeout: float = http.DEFAULT_TIMEOUT) -> None:
        self.cli_config = cli_config
        self.timeout = timeout
        self._bases: dict[str, str | http.FetchError] = {}
        self._versions: dict[RegistrySource, list[str]] = {}

    def modules_base(self, host: str) -> str:
        """The host's modules API. A host that could not be reached is not asked again in this
        run: each module of an unreachable registry fails at once with the same sentence,
        instead of costing a connection attempt (and its TLS set-up) per module."""
        if host not in self._bases:
            try:
                self._bases[host] = self._discover(host)
            except http.FetchError as exc:
                self._bases[host] = exc
        base = self._bases[host]
        if isinstance(base, http.FetchError):
            raise http.FetchError(str(base), status=base.status, needs_auth=base.needs_auth)
        return base

    def _discover(self, host: str) -> str:
        services = self.cli_config.services(host)
        if services is None:
            url = f"https://{host}/.well-known/terraform.json"
            services = self._json(url, host)
            if not isinstance(services, dict):
                raise http.FetchError(f"{url} is not a service discovery document")
            base_url = url
        else:
            base_url = f"https://{host}/"
        base = services.get("modules.v1")
        if not isinstance(base, str) or not base:
            raise http.FetchError(f"{host} is not a module registry (no modules.v1 service)")
        base = urljoin(base_url, base)
        return base if base.endswith("/") else base + "/"

    def versions(self, module: RegistrySource) -> list[str]:
        package = RegistrySource(module.host, module.namespace, module.name, module.provider)
        if package not in self._versions:
            self._versions[package] = self._fetch_versions(package)
        return self._versions[package]

    def _fetch_versions(self, module: RegistrySource) -> list[str]:
        url = f"{self.modules_base(module.host)}{module.path}/versions"
        data = self._json(url, module.host)
        try:
            return [str(v["version"]) for v in data["modules"][0]["versions"]]
        except (KeyError, IndexError, TypeError):
            raise http.FetchError(f"{url} is not a module versions list") from None

    def download_location(self, module: RegistrySource, version: str) -> str:
        url = f"{self.modules_base(module.host)}{module.path}/{version}/download"
        response = http.get(
            url, token=self.cli_config.token(module.host), max_bytes=MAX_JSON_BYTES, timeout=self.timeout
        )
        location = response.headers.get("x-terraform-get")
        if not location and response.status == 200 and response.body:
            try:
                location = json.loads(response.body).get("location")
            except (ValueError, AttributeError):
                location = None
        if not location:
            raise http.FetchError(f"{url} did not say where the module code is (no X-Terraform-Get)")
        return _absolute(location, url)

    def _json(self, url: str, host: str):
        response = http.get(url, token=self.cli_config.token(host), max_bytes=MAX_JSON_BYTES, timeout=self.timeout)
        try:
            return json.loads(response.body)
        except ValueError:
            raise http.FetchError(f"{url} did not answer JSON") from None


def _absolute(location: str, download_url: str) -> str:
    """A relative location (``./x.tar.gz``, ``/archives/x.zip``) is relative to the download URL."""
    if "::" in location.split("/", 1)[0] or "://" in location or location.startswith("git@"):
        return location
    return urljoin(download_url, location)
