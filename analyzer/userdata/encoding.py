"""The encodings wrapped around user data: base64 and gzip.

EC2 hands an instance the bytes of its user data; nodeadm then also accepts a base64 and a
gzip layer (``configprovider/encoding.go``), and cloud-init accepts gzip. Decoding is bounded:
a compressed document may not expand past ``MAX_DECODED_BYTES`` (EC2 itself caps user data at
16 KiB, so anything larger is hostile or broken).
"""

from __future__ import annotations

import base64
import binascii
import zlib

MAX_DECODED_BYTES = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"


class DecodingProblem(ValueError):
    """Input that claims an encoding but cannot be decoded within the limits."""


def strict_base64(text: str) -> bytes | None:
    """The bytes ``text`` encodes when it is unmistakably base64, else None.

    Only line breaks may separate the characters (like Go's decoder that nodeadm uses), the
    padding must be right, and the result must be gzip data or printable text: a shell word
    such as ``true`` is never mistaken for base64.
    """
    stripped = text.strip()
    if not stripped or " " in stripped or "\t" in stripped:
        return None
    compact = stripped.replace("\r", "").replace("\n", "")
    if len(compact) < 4 or len(compact) % 4:
        return None
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    if raw.startswith(GZIP_MAGIC) or is_printable_text(raw):
        return raw
    return None


def is_printable_text(raw: bytes) -> bool:
    """UTF-8 text without NULs, almost all of it printable (a stray escape code is tolerated)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not text or "\x00" in text:
        return False
    unprintable = sum(1 for ch in text if not (ch.isprintable() or ch in "\n\r\t"))
    return unprintable * 20 <= len(text)


def is_gzip(raw: bytes) -> bool:
    return raw.startswith(GZIP_MAGIC)


def gunzip(raw: bytes, limit: int = MAX_DECODED_BYTES) -> bytes:
    """Decompress one gzip member, refusing to produce more than ``limit`` bytes."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise DecodingProblem(f"gzip data is corrupt ({exc})") from None
    if len(out) > limit:
        raise DecodingProblem(f"gzip data expands beyond {limit} bytes; refused to decompress it further")
    if not inflater.eof:
        raise DecodingProblem("gzip data is truncated")
    return out


def bytes_to_text(raw: bytes) -> tuple[str, str | None]:
    """UTF-8 text of ``raw``; undecodable bytes are replaced and reported."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return raw.decode("utf-8", errors="replace"), f"user data is not valid UTF-8 ({exc.reason})"
