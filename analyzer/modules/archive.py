"""Unpacking module archives without trusting them.

Every member is checked before anything is written: no absolute paths, no ``..``, no
device, FIFO or hard link, symlinks only when they stay inside the module, and limits on the
member count and the unpacked size (a zip bomb stops at the cap). A refused archive raises
ArchiveError and leaves nothing behind in the cache (the caller unpacks into a temporary
directory).
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import tarfile
import zipfile
from pathlib import Path

MAX_MEMBERS = 20000
MAX_UNPACKED_BYTES = int(os.environ.get("EKSJOIN_MAX_MODULE_MB", "256")) << 20


class ArchiveError(Exception):
    """The archive is malformed or unsafe; the message says which member and why."""


def extract(data: bytes, kind: str, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    if kind == "zip":
        _extract_zip(data, destination)
    else:
        _extract_tar(data, destination)


def _safe_name(name: str) -> str:
    normalized = posixpath.normpath(name.replace("\\", "/"))
    if (
        name.startswith(("/", "\\"))
        or normalized == ".."
        or normalized.startswith("../")
        or ":" in normalized.split("/")[0]
    ):
        raise ArchiveError(f"the archive member {name!r} would be written outside the module")
    return "" if normalized == "." else normalized


def _link_stays_inside(member_name: str, target: str) -> bool:
    if target.startswith("/"):
        return False
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(member_name), target))
    return joined != ".." and not joined.startswith("../")


def _extract_tar(data: bytes, destination: Path) -> None:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - closed by the with below
        members = archive.getmembers()
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise ArchiveError(f"not a readable tar archive ({exc})") from None
    with archive:
        _write_tar(archive, members, destination)


def _write_tar(archive: tarfile.TarFile, members: list[tarfile.TarInfo], destination: Path) -> None:
    _check_counts(len(members), sum(m.size for m in members if m.isfile()))
    links: list[tuple[Path, str]] = []
    for member in members:
        name = _safe_name(member.name)
        if not name:
            continue
        target = destination / name
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            target.write_bytes(source.read() if source else b"")
            target.chmod(0o644)
        elif member.issym():
            if not _link_stays_inside(name, member.linkname):
                raise ArchiveError(f"the archive member {member.name!r} links outside the module ({member.linkname!r})")
            links.append((target, member.linkname))
        elif member.type in (tarfile.XHDTYPE, tarfile.XGLTYPE):
            continue
        else:
            raise ArchiveError(f"the archive member {member.name!r} is a hard link, device or FIFO; refused")
    for target, link in links:  # after the files, so a link never redirects a later write
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(link)


def _extract_zip(data: bytes, destination: Path) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(f"not a readable zip archive ({exc})") from None
    _check_counts(len(members), sum(m.file_size for m in members))
    written = 0
    for member in members:
        name = _safe_name(member.filename)
        if not name:
            continue
        mode = member.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ArchiveError(f"the archive member {member.filename!r} is a symbolic link; refused in zip archives")
        target = destination / name
        if member.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as source:
            content = source.read(MAX_UNPACKED_BYTES - written + 1)
        written += len(content)
        if written > MAX_UNPACKED_BYTES:  # the declared sizes lied
            raise ArchiveError(f"the archive unpacks to more than {MAX_UNPACKED_BYTES} bytes")
        target.write_bytes(content)


def _check_counts(members: int, size: int) -> None:
    if members > MAX_MEMBERS:
        raise ArchiveError(f"the archive has {members} members, over the {MAX_MEMBERS} limit")
    if size > MAX_UNPACKED_BYTES:
        raise ArchiveError(f"the archive unpacks to {size} bytes, over the {MAX_UNPACKED_BYTES}-byte limit")
