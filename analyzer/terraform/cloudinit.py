"""``data "cloudinit_config"``: rendered into the MIME multi-part document the provider builds.

Node user data is often assembled this way (the EKS module does so for every AL2023 node
group), so rendering it lets the user-data decoders see the nodeadm and shell parts.
"""

from __future__ import annotations

import base64
import gzip
from typing import Any

from analyzer.terraform.convert import to_bool, to_string
from analyzer.terraform.lazy import materialize
from analyzer.terraform.operations import derived_unknown
from analyzer.terraform.views import BodyView, ResourceView
from analyzer.values import Encoded, PartialStr, Unknown, is_unknown

CLOUDINIT_TYPE = "cloudinit_config"
DEFAULT_BOUNDARY = "MIMEBOUNDARY"


class CloudInitView(ResourceView):
    def keys(self) -> list[str]:
        return super().keys() + (["rendered"] if "rendered" not in self.body.attributes else [])

    def get_attr(self, name: str) -> Any:
        if name == "rendered":
            return self.instance.root.once(
                ("cloudinit", self.target), f"{self.target}.rendered", self.location, self.rendered
            )
        return super().get_attr(name)

    def _setting(self, name: str, default: Any) -> Any:
        value = materialize(self.attribute(name)) if name in self.body.attributes else None
        return default if value is None else value

    def rendered(self) -> Any:
        gzip_enabled = self._setting("gzip", True)
        base64_enabled = self._setting("base64_encode", True)
        boundary = self._setting("boundary", DEFAULT_BOUNDARY)
        if is_unknown(gzip_enabled) or is_unknown(base64_enabled) or is_unknown(boundary):
            return derived_unknown(gzip_enabled, base64_enabled, boundary)
        parts = self.nested("part") if "part" in self.block_types() else []
        if isinstance(parts, Unknown):
            return parts
        document = multipart_document(to_string(boundary), [_part(part) for part in parts])
        return _encode(document, to_bool(gzip_enabled), to_bool(base64_enabled))


def _part(view: BodyView) -> dict[str, Any]:
    def value(name: str) -> Any:
        return materialize(view.attribute(name)) if name in view.body.attributes else None

    return {
        "content": value("content"),
        "content_type": value("content_type"),
        "filename": value("filename"),
        "merge_type": value("merge_type"),
    }


def multipart_document(boundary: str, parts: list[dict[str, Any]]) -> Any:
    pieces: list[Any] = [f'Content-Type: multipart/mixed; boundary="{boundary}"\nMIME-Version: 1.0\n\n']
    for part in parts:
        pieces.append(f"--{boundary}\n")
        if part["filename"] is not None:
            pieces.extend(['Content-Disposition: attachment; filename="', _text(part["filename"]), '"\n'])
        pieces.extend(
            [
                "Content-Transfer-Encoding: 7bit\nContent-Type: ",
                _text(part["content_type"] if part["content_type"] is not None else "text/plain"),
                "\nMime-Version: 1.0\n",
            ]
        )
        if part["merge_type"] is not None:
            pieces.extend(["X-Merge-Type: ", _text(part["merge_type"]), "\n"])
        pieces.extend(["\n", _text(part["content"]) if part["content"] is not None else "", "\n"])
    pieces.append(f"--{boundary}--\n")
    return PartialStr.join(pieces)


def _text(value: Any) -> Any:
    if isinstance(value, (Unknown, PartialStr)):
        return value
    if isinstance(value, Encoded):
        return Unknown(value.reason)
    return to_string(value)


def _encode(document: Any, use_gzip: bool, use_base64: bool) -> Any:
    if isinstance(document, PartialStr):
        if use_gzip:
            return Encoded("base64gzip", document) if use_base64 else Unknown("gzip of a value with unknown parts")
        return Encoded("base64", document) if use_base64 else document
    data = document.encode()
    if use_gzip:
        data = gzip.compress(data, mtime=0)
        if not use_base64:
            return Unknown("cloudinit_config rendered as raw gzip bytes")
    return base64.b64encode(data).decode() if use_base64 else document
