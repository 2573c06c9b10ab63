"""A Terraform module registry on 127.0.0.1 serving ../shared/registry, for tests.

Implements the module registry protocol as the public registry does: service discovery,
the versions list and a download endpoint answering 204 with ``X-Terraform-Get`` naming an
archive URL (relative, as the protocol allows). ``extra`` serves more files by URL path
(hostile archives, git-less tarballs) and ``requests`` records every path asked for.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class RegistryServer:
    def __init__(self, registry_dir: Path) -> None:
        self.registry_dir = registry_dir
        self.versions: dict[str, list[str]] = defaultdict(list)
        for line in (registry_dir / "index.tsv").read_text().splitlines()[1:]:
            module, version, _archive, _commit = line.split("\t")
            self.versions[module].append(version)
        self.extra: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.calls: list[tuple[str, str | None]] = []  # (path, Authorization header) of each request
        self.locations: dict[str, str] = {}  # "<module>/<version>" -> an X-Terraform-Get to answer instead
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                server.requests.append(self.path)
                server.calls.append((self.path, self.headers.get("Authorization")))
                status, headers, body = server.answer(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RegistryServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        path = path.split("?", 1)[0]
        if path in self.extra:
            return 200, {}, self.extra[path]
        if path == "/.well-known/terraform.json":
            return 200, {"Content-Type": "application/json"}, json.dumps({"modules.v1": "/v1/modules/"}).encode()
        parts = path.strip("/").split("/")
        if parts[:2] == ["v1", "modules"] and len(parts) == 6 and parts[5] == "versions":
            module = "/".join(parts[2:5])
            if module not in self.versions:
                return 404, {}, b'{"errors":["Not Found"]}'
            listing = {"modules": [{"versions": [{"version": v} for v in self.versions[module]]}]}
            return 200, {"Content-Type": "application/json"}, json.dumps(listing).encode()
        if parts[:2] == ["v1", "modules"] and len(parts) == 7 and parts[6] == "download":
            module, version = "/".join(parts[2:5]), parts[5]
            if version not in self.versions.get(module, []):
                return 404, {}, b""
            location = self.locations.get(f"{module}/{version}", f"/archives/{module}/{version}.tar.gz")
            return 204, {"X-Terraform-Get": location}, b""
        if parts[0] == "archives":
            archive = self.registry_dir.joinpath(*parts[1:])
            if archive.is_file() and self.registry_dir.resolve() in archive.resolve().parents:
                return 200, {"Content-Type": "application/gzip"}, archive.read_bytes()
        return 404, {}, b""

    def cli_config(self, directory: Path, host: str = "registry.terraform.io") -> Path:
        """A Terraform CLI configuration whose host block points ``host`` at this server."""
        path = directory / "terraformrc"
        path.write_text(f'host "{host}" {{\n  services = {{\n    "modules.v1" = "{self.url}/v1/modules/"\n  }}\n}}\n')
        return path
