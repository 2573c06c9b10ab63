"""Fetching a module call's code as ``terraform init`` would, through the module cache.

``ModuleFetcher.fetch(source, constraint)`` returns the directory holding the module's
code, or a ``NotLoaded`` that says why, what to do about it, and nothing else: the caller
turns it into one finding at the ``module`` block. One fetcher serves a whole run (all roots
and all nesting levels), so each package is fetched once.

Order: a cached entry for the resolved version; otherwise the network (unless offline); a
registry or host that cannot be reached falls back to the newest cached version the
constraint allows.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from analyzer.modules import archive, http
from analyzer.modules.addresses import (
    ArchiveSource,
    GitSource,
    RegistrySource,
    Source,
    UnsupportedSource,
    parse_source,
)
from analyzer.modules.cache import ModuleCache
from analyzer.modules.cliconfig import CliConfig, load_cli_config
from analyzer.modules.registry import RegistryClient
from analyzer.modules.versions import Constraint, VersionError

MAX_ARCHIVE_BYTES = int(os.environ.get("EKSJOIN_MAX_DOWNLOAD_MB", "64")) << 20
PARALLEL_DOWNLOADS = 4


@dataclass(frozen=True)
class Fetched:
    directory: Path
    version: str = ""  # the resolved registry version, "" for other sources


@dataclass(frozen=True)
class NotLoaded:
    why: str  # a sentence: what failed
    fix: str  # a sentence: how to make the module loadable


class ModuleFetcher:
    def __init__(
        self,
        *,
        offline: bool = False,
        cache: ModuleCache | None = None,
        cli_config: CliConfig | None = None,
        timeout: float = http.DEFAULT_TIMEOUT,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.offline = offline
        self.progress = progress  # told of each download (a TTY shows it; CI logs stay quiet)
        self.cache = cache or ModuleCache()
        self._cli_config = cli_config
        self.timeout = timeout
        self._memo: dict[tuple[str, str], Fetched | NotLoaded] = {}
        self._lock = threading.Lock()  # guards the dictionaries; each key has its own lock
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        self._registry: RegistryClient | None = None
        self.loaded: set[tuple[str, str]] = set()
        self.failed: set[tuple[str, str]] = set()

    @property
    def cli_config(self) -> CliConfig:
        if self._cli_config is None:
            self._cli_config = load_cli_config()
        return self._cli_config

    @property
    def loaded_cli_config(self) -> CliConfig | None:
        """The CLI configuration if a download needed it (it is read then, not before)."""
        return self._cli_config

    @property
    def registry(self) -> RegistryClient:
        if self._registry is None:
            self._registry = RegistryClient(self.cli_config, self.timeout)
        return self._registry

    def fetch(self, source: str, constraint: str | None) -> Fetched | NotLoaded:
        key = (source, constraint or "")
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # one fetch per package; different packages download side by side
            if key not in self._memo:
                outcome = self._fetch(parse_source(source), constraint)
                with self._lock:
                    self._memo[key] = outcome
                    (self.loaded if isinstance(outcome, Fetched) else self.failed).add(key)
            return self._memo[key]

    def prefetch(self, calls: Iterable[tuple[str, str | None]]) -> list[Fetched | NotLoaded]:
        """Fetch several independent modules at once (downloads wait on the network, not the CPU)."""
        calls = list(dict.fromkeys(calls))
        if len(calls) < 2:
            return [self.fetch(*call) for call in calls]
        with ThreadPoolExecutor(max_workers=min(PARALLEL_DOWNLOADS, len(calls))) as pool:
            return list(pool.map(lambda call: self.fetch(*call), calls))

    def _told(self, what: str) -> None:
        if self.progress is not None:
            self.progress(what)

    def _fetch(self, source: Source, constraint: str | None) -> Fetched | NotLoaded:
        if isinstance(source, UnsupportedSource):
            return NotLoaded(source.reason, "run terraform init and lint again, or lint plan JSON")
        if isinstance(source, RegistrySource):
            return self._registry_module(source, constraint)
        if constraint:
            return NotLoaded(
                "a version argument is only valid for registry modules", "remove version, or pin the ref in the source"
            )
        if isinstance(source, ArchiveSource):
            return self._archive_module(source)
        if isinstance(source, GitSource):
            return self._git_module(source)
        return NotLoaded("not a remote source", "")

    # -- registry --

    def _registry_module(self, module: RegistrySource, constraint_text: str | None) -> Fetched | NotLoaded:
        try:
            constraint = Constraint.parse(constraint_text)
        except VersionError as exc:
            return NotLoaded(f"the version constraint is invalid: {exc}", 'write a constraint such as "~> 20.0"')
        package = (module.host, module.namespace, module.name, module.provider)
        exact = _exact_version(constraint)
        if exact is not None:  # an exact pin needs no versions list when it is cached
            code = self.cache.get("registry", package, exact)
            if code is not None:
                return _within(code, module.subdir, exact)
        if self.offline:
            return self._cached_registry(module, package, constraint, "offline mode: the network is not used")
        try:
            available = self.registry.versions(module)
        except http.FetchError as exc:
            return self._cached_registry(module, package, constraint, str(exc), exc.needs_auth)
        chosen = constraint.newest(available)
        if chosen is None:
            shown = ", ".join(available[-8:]) or "none"
            return NotLoaded(
                f"no published version matches {constraint} (the registry lists {shown})",
                "change the version constraint to one the registry publishes",
            )
        version = str(chosen)
        code = self.cache.get("registry", package, version)
        if code is None:
            self._told(f"downloading {module.package} {version}")
            try:
                location = self.registry.download_location(module, version)
                code = self._store_remote("registry", package, version, location)
            except (http.FetchError, archive.ArchiveError, _Unfetchable) as exc:
                return self._cached_registry(module, package, constraint, str(exc), getattr(exc, "needs_auth", False))
        return _within(code, module.subdir, version)

    def _cached_registry(self, module, package, constraint: Constraint, why: str, needs_auth: bool = False):
        cached = constraint.newest(self.cache.cached_versions("registry", package))
        if cached is not None:
            code = self.cache.get("registry", package, str(cached))
            if code is not None:
                return _within(code, module.subdir, str(cached))
        fix = (
            f"set TF_TOKEN_{module.host.replace('-', '__').replace('.', '_')} or a credentials block for {module.host}"
            if needs_auth
            else "run `terraform init` in this directory, or lint once with network access to fill the cache (--offline then uses it)"
        )
        return NotLoaded(f"{why}; no cached version matches", fix)

    def _store_remote(self, kind: str, package: tuple[str, ...], version: str, location: str) -> Path:
        """Fetch what a registry download pointed at into the cache entry for ``package``."""
        target = parse_source(location)
        if isinstance(target, ArchiveSource):
            data = http.get(target.url, max_bytes=MAX_ARCHIVE_BYTES, timeout=self.timeout, token=None).body
            code = self.cache.put(kind, package, version, lambda d: archive.extract(data, target.kind, d))
            return _subdir_path(code, target.subdir)
        if isinstance(target, GitSource):
            from analyzer.modules.git import clone

            code = self.cache.put(kind, package, version, lambda d: clone(target, d, self.timeout))
            return _subdir_path(code, target.subdir)
        raise _Unfetchable(
            f"the registry points at {location!r}, which is not fetched: {getattr(target, 'reason', '')}"
        )

    # -- archives and git --

    def _archive_module(self, source: ArchiveSource) -> Fetched | NotLoaded:
        key = (hashlib.sha256(source.url.encode()).hexdigest()[:16],)
        code = self.cache.get("http", key, "-")
        if code is None:
            if self.offline:
                return NotLoaded("offline mode and the archive is not cached", "lint once with network access")
            self._told(f"downloading {source.url}")
            try:
                data = http.get(source.url, max_bytes=MAX_ARCHIVE_BYTES, timeout=self.timeout).body
                code = self.cache.put("http", key, "-", lambda d: archive.extract(data, source.kind, d))
            except (http.FetchError, archive.ArchiveError) as exc:
                return NotLoaded(str(exc), "check the URL and the network, or run terraform init first")
        return _within(code, source.subdir, "")

    def _git_module(self, source: GitSource) -> Fetched | NotLoaded:
        from analyzer.modules.git import GitError, clone

        key = (hashlib.sha256(source.url.encode()).hexdigest()[:16],)
        ref = source.ref or "HEAD"
        code = self.cache.get("git", key, ref)
        if code is None:
            if self.offline:
                return NotLoaded("offline mode and the repository is not cached", "lint once with network access")
            self._told(f"cloning {source.url} at {ref}")
            try:
                code = self.cache.put("git", key, ref, lambda d: clone(source, d, self.timeout))
            except GitError as exc:
                return NotLoaded(str(exc), "check the URL, the ref and your git credentials, or run terraform init")
        return _within(code, source.subdir, "")


class _Unfetchable(Exception):
    pass


def _exact_version(constraint: Constraint) -> str | None:
    if (
        len(constraint.terms) == 1
        and constraint.terms[0].operator == "="
        and constraint.terms[0].version.specified == 3
    ):
        return str(constraint.terms[0].version)
    return None


def _subdir_path(code: Path, subdir: str) -> Path:
    return code / subdir if subdir else code


def _within(code: Path, subdir: str, version: str) -> Fetched | NotLoaded:
    directory = (code / subdir).resolve() if subdir else code
    if subdir and (code.resolve() not in directory.parents or not directory.is_dir()):
        return NotLoaded(f"the package has no sub-directory {subdir!r}", "fix the //subdir part of the source")
    return Fetched(directory, version)
