"""The URL policy: which addresses a tool may reach (the SSRF guard).

Every URL a tool touches — the first request, each redirect hop, every request the browser makes — is
checked here. Only http and https are allowed, and a host is refused when any address it resolves to is
loopback, private, link-local, multicast, unspecified or reserved, unless the settings name the host in
`allow_hosts` (tests allow 127.0.0.1 this way). Checking *after* DNS resolution matters: a public name can
point at 10.0.0.1. IP literals are judged without a DNS lookup, so a refused address is never contacted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Literal
from urllib.parse import urlsplit

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError

ALLOWED_SCHEMES = frozenset({"http", "https"})

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: IpAddress) -> bool:
    """True when the address is one an internet host can have (not internal, not special-purpose)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public_address(address.ipv4_mapped)
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    )


def _refusal(url: str, reason: str) -> ToolError:
    return ToolError(
        kind="blocked_by_policy",
        message=f"{url} is not allowed: {reason}",
        is_retryable=False,
        hint="Only public http(s) addresses can be read; pick another result.",
    )


class UrlPolicy:
    """Decides whether a URL may be fetched; returns a `ToolError` instead of raising.

    Resolutions are cached for the policy's lifetime (one run), so the browser's many sub-requests to
    the same host cost one lookup.
    """

    def __init__(self, config: ResearchConfig) -> None:
        self._allowed_hosts = frozenset(host.strip().lower() for host in config.allow_hosts)
        self._verdict_by_host: dict[str, str | None] = {}

    def is_allowed_host(self, host: str) -> bool:
        return host.lower() in self._allowed_hosts

    def check_syntax(self, url: str) -> tuple[str, ToolError | None]:
        """Scheme and host checks that need no DNS; returns the lower-cased host and any refusal."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError as exc:
            return "", _refusal(url, f"malformed URL ({exc})")
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            return host, _refusal(url, f"scheme {parts.scheme or '(none)'!r} is not http or https")
        if not host:
            return host, _refusal(url, "no host")
        return host, None

    def cached_verdict(self, url: str) -> ToolError | None | Literal[False]:
        """The verdict if it can be given without DNS, else `False` (unknown yet).

        Used by the browser's request router, which must answer fast for hosts already seen.
        """
        host, refusal = self.check_syntax(url)
        if refusal is not None:
            return refusal
        if self.is_allowed_host(host):
            return None
        if host in self._verdict_by_host:
            reason = self._verdict_by_host[host]
            return _refusal(url, reason) if reason else None
        literal_reason = _literal_address_reason(host)
        if literal_reason is not _NOT_LITERAL:
            self._verdict_by_host[host] = literal_reason
            return _refusal(url, literal_reason) if literal_reason else None
        return False

    async def check(self, url: str) -> ToolError | None:
        """None when the URL may be fetched, else a `blocked_by_policy` (or `network`) error."""
        verdict = self.cached_verdict(url)
        if verdict is not False:
            return verdict if isinstance(verdict, ToolError) else None
        host, _ = self.check_syntax(url)
        try:
            infos = await asyncio.to_thread(socket.getaddrinfo, host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            return ToolError(
                kind="network",
                message=f"cannot resolve {host}: {exc}",
                is_retryable=True,
                hint="The host name does not resolve; check the URL or try another result.",
            )
        reason: str | None = None
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if not is_public_address(address):
                reason = f"{host} resolves to non-public address {address}"
                break
        self._verdict_by_host[host] = reason
        return _refusal(url, reason) if reason else None


_NOT_LITERAL = "not a literal"


def _literal_address_reason(host: str) -> str | None:
    """For an IP-literal host: None if public, else the refusal reason; `_NOT_LITERAL` for names."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return _NOT_LITERAL
    if is_public_address(address):
        return None
    return f"{address} is a non-public address"
