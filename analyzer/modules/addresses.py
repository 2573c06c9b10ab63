"""Module source addresses, classified the way ``terraform init`` reads them.

Terraform's rules (addrs.ParseModuleSource plus go-getter's detectors): ``./`` and ``../``
are local paths; ``[host/]namespace/name/provider[//subdir]`` is a registry module
(default host registry.terraform.io); ``github.com/org/repo`` and ``git@github.com:org/repo``
are git shorthands; ``git::URL`` forces git; an ``http(s)://`` URL whose path ends in an
archive extension, or carries ``?archive=``, is an archive download. Everything else (hg,
s3, gcs, bitbucket shorthand, ``git::ext::`` and other command-running transports) is
*unsupported* here: it is never fetched, and the module is reported as not loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_REGISTRY_HOST = "registry.terraform.io"
_LABEL = re.compile(r"^[0-9A-Za-z](?:[0-9A-Za-z_-]{0,62}[0-9A-Za-z])?$")
_PROVIDER = re.compile(r"^[0-9a-z]{1,64}$")
_HOST = re.compile(
    r"^(?=.{1,253}$)[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?(?:\.[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?)+(?::[0-9]+)?$"
)
ARCHIVE_EXTENSIONS = ("tar.gz", "tgz", "zip", "tar")
GIT_TRANSPORTS = ("https", "ssh", "file")  # never ext::, never a helper that runs a command


@dataclass(frozen=True)
class LocalSource:
    path: str


@dataclass(frozen=True)
class RegistrySource:
    host: str
    namespace: str
    name: str
    provider: str
    subdir: str = ""

    @property
    def package(self) -> str:
        """The address without the sub-directory, as the user would write it."""
        prefix = "" if self.host == DEFAULT_REGISTRY_HOST else f"{self.host}/"
        return f"{prefix}{self.namespace}/{self.name}/{self.provider}"

    @property
    def path(self) -> str:
        return f"{self.namespace}/{self.name}/{self.provider}"


@dataclass(frozen=True)
class GitSource:
    url: str  # https://, ssh:// or file:// URL without the ref query
    ref: str = ""
    depth: int = 0
    subdir: str = ""


@dataclass(frozen=True)
class ArchiveSource:
    url: str  # http(s) URL of the archive, ``archive`` query removed
    kind: str  # tar.gz | zip | tar
    subdir: str = ""


@dataclass(frozen=True)
class UnsupportedSource:
    source: str
    reason: str


Source = LocalSource | RegistrySource | GitSource | ArchiveSource | UnsupportedSource


def split_subdir(address: str) -> tuple[str, str]:
    """go-getter's SourceDirSubdir: ``x//sub`` -> (``x``, ``sub``), ignoring ``scheme://``."""
    start = address.find("://") + 3 if "://" in address else 0
    index = address.find("//", start)
    if index < 0:
        return address, ""
    package, subdir = address[:index], address[index + 2 :]
    query = ""
    if "?" in subdir:  # the query belongs to the package URL
        subdir, query = subdir.split("?", 1)
        package = f"{package}?{query}"
    return package, subdir.strip("/")


def parse_source(source: str) -> Source:
    source = source.strip()
    if source.startswith(("./", "../", ".\\", "..\\")) or source in (".", ".."):
        return LocalSource(source)
    if "::" in source and re.match(r"^[A-Za-z0-9]+::", source):
        forced, rest = source.split("::", 1)
    else:
        forced, rest = "", source
    if forced:
        return _forced(forced.lower(), rest, source)
    registry = _registry(source)
    if registry is not None:
        return registry
    if source.startswith(("github.com/", "gitlab.com/")):
        package, subdir = split_subdir(source)
        return _git(f"https://{package}", subdir, source)
    if _SCP_LIKE.match(source):
        package, subdir = split_subdir(source)
        return _git(_scp_to_ssh(package), subdir, source)
    if source.startswith(("http://", "https://")):
        return _http(source)
    if source.startswith("bitbucket.org/"):
        return UnsupportedSource(
            source, "Bitbucket shorthand sources need the Bitbucket API; write git::https://… instead"
        )
    return UnsupportedSource(source, "not a local path, registry address, git or HTTP archive source")


def _forced(getter: str, rest: str, source: str) -> Source:
    if getter == "git":
        if re.match(r"^[A-Za-z0-9]+::", rest):
            return UnsupportedSource(source, f"the git transport {rest.split('::', 1)[0]!r} is not allowed")
        package, subdir = split_subdir(rest)
        if _SCP_LIKE.match(package):
            package = _scp_to_ssh(package)
        return _git(package, subdir, source)
    if getter in ("http", "https"):
        return _http(rest, forced=True)
    return UnsupportedSource(source, f"{getter}:: sources are not fetched by eksjoin; run terraform init first")


_SCP_LIKE = re.compile(r"^(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)$")


def _scp_to_ssh(package: str) -> str:
    """``git@github.com:org/repo.git`` -> ``ssh://git@github.com/org/repo.git``."""
    match = _SCP_LIKE.match(package)
    return f"ssh://{match['user']}@{match['host']}/{match['path']}" if match else package


def _registry(source: str) -> RegistrySource | None:
    package, subdir = split_subdir(source)
    parts = package.split("/")
    host = DEFAULT_REGISTRY_HOST
    if len(parts) == 4:
        host, parts = parts[0].lower(), parts[1:]
        if not _HOST.match(host) or host in ("github.com", "bitbucket.org", "gitlab.com"):
            return None
    if len(parts) != 3:
        return None
    namespace, name, provider = parts
    if not (_LABEL.match(namespace) and _LABEL.match(name) and _PROVIDER.match(provider)):
        return None
    return RegistrySource(host, namespace, name, provider, subdir)


def _git(package: str, subdir: str, source: str) -> Source:
    url = urlsplit(package)
    scheme = url.scheme.lower()
    if scheme not in GIT_TRANSPORTS:
        return UnsupportedSource(
            source, f"the git transport {scheme or 'local path'!r} is not allowed (https, ssh and file only)"
        )
    query = dict(parse_qsl(url.query))
    ref = query.pop("ref", "")
    depth = query.pop("depth", "")
    query.pop("sshkey", None)  # keys are the user's ssh-agent's business, never read from the source
    clean = urlunsplit((scheme, url.netloc, url.path, urlencode(query), ""))
    if ref.startswith("-") or clean.startswith("-"):
        return UnsupportedSource(source, "a git ref or URL starting with '-' is refused")
    return GitSource(clean, ref, int(depth) if depth.isdigit() else 0, subdir)


def archive_kind(path_or_query: str) -> str | None:
    lowered = path_or_query.lower()
    for extension in ARCHIVE_EXTENSIONS:
        if lowered.endswith("." + extension) or lowered == extension:
            return "tar.gz" if extension == "tgz" else extension
    return None


def _http(address: str, forced: bool = False) -> Source:
    package, subdir = split_subdir(address)
    url = urlsplit(package)
    query = dict(parse_qsl(url.query))
    kind = archive_kind(query.pop("archive", "")) or archive_kind(url.path)
    if kind is None:
        return UnsupportedSource(
            address, "an HTTP source that is not an archive (.zip, .tar.gz, ?archive=) is not fetched"
        )
    clean = urlunsplit((url.scheme, url.netloc, url.path, urlencode(query), ""))
    return ArchiveSource(clean, kind, subdir)
