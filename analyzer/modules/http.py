"""A small HTTP client for the registry protocol and archive downloads.

The standard library's urllib does the transport; this wrapper adds what module fetching
needs and urllib does not do by itself: a timeout on every request, a hard cap on the body
size (read incrementally, so a huge or endless response costs at most the cap), redirects
followed by hand with the ``Authorization`` header dropped when the host changes, and
errors reduced to one ``FetchError`` sentence. A heavier client (requests) would add a
dependency without removing any of this.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from analyzer import __version__

DEFAULT_TIMEOUT = float(os.environ.get("EKSJOIN_FETCH_TIMEOUT", "10"))
MAX_REDIRECTS = 5
USER_AGENT = f"eksjoin/{__version__}"


class FetchError(Exception):
    """A module could not be fetched; the message says why in one sentence."""

    def __init__(self, message: str, *, status: int | None = None, needs_auth: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.needs_auth = needs_auth


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # we follow redirects ourselves
        return None


_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler())


def get(url: str, *, token: str | None = None, max_bytes: int, timeout: float = DEFAULT_TIMEOUT) -> Response:
    """GET ``url``; 2xx returns, 3xx is followed, anything else raises FetchError."""
    original_host = urlsplit(url).netloc
    for _ in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"refusing to fetch {url!r}: only http and https URLs are fetched")
        headers = {"User-Agent": USER_AGENT}
        if token and urlsplit(url).netloc == original_host:
            headers["Authorization"] = f"Bearer {token}"
        response = _request(url, headers, max_bytes, timeout)
        if response.status in (301, 302, 303, 307, 308) and "location" in response.headers:
            url = urljoin(url, response.headers["location"])
            continue
        return response
    raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times")


def _request(url: str, headers: dict[str, str], max_bytes: int, timeout: float) -> Response:
    request = urllib.request.Request(url, headers=headers)
    try:
        with _OPENER.open(request, timeout=timeout) as handle:
            return Response(url, handle.status, _lower(handle.headers), _read_capped(handle, url, max_bytes))
    except urllib.error.HTTPError as exc:
        if exc.code in (301, 302, 303, 307, 308):
            return Response(url, exc.code, _lower(exc.headers), b"")
        auth = exc.code in (401, 403)
        hint = " (credentials needed or refused)" if auth else ""
        raise FetchError(f"{url} answered HTTP {exc.code}{hint}", status=exc.code, needs_auth=auth) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"cannot reach {urlsplit(url).netloc or url}: {reason}") from None


def _read_capped(handle, url: str, max_bytes: int) -> bytes:
    length = handle.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"{url} is {int(length)} bytes, over the {max_bytes}-byte download limit")
    chunks, total = [], 0
    while True:
        chunk = handle.read(65536)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"{url} is over the {max_bytes}-byte download limit")
        chunks.append(chunk)


def _lower(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers else {}
