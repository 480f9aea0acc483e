"""The URL policy: which addresses a tool may reach (the SSRF guard), and the addresses it approved.

Every URL a tool touches — the first request, each redirect hop, every request the browser makes — is
checked here. Only http and https are allowed, and a host is refused when any address it resolves to is
loopback, private, link-local, multicast, unspecified or reserved, unless the settings name the host in
`allow_hosts` (tests allow 127.0.0.1 this way). Checking *after* DNS resolution matters: a public name can
point at 10.0.0.1. IP literals are judged without a DNS lookup, so a refused address is never contacted.

A name is resolved once per policy (one run) and the approved addresses are kept: connections are made to
exactly those addresses (`tools.pinned_transport`), never to what a second lookup might answer, which
closes the DNS-rebinding gap between the check and the connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from deepresearch.config import ResearchConfig
from deepresearch.errors import ToolError

ALLOWED_SCHEMES = frozenset({"http", "https"})

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Host name → the addresses it resolves to, as strings (getaddrinfo's answers, in its order).
Resolver = Callable[[str], Awaitable[list[str]]]


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


async def resolve_with_system(host: str) -> list[str]:
    """The system resolver's addresses for `host` (in a worker thread: getaddrinfo blocks)."""
    infos = await asyncio.to_thread(socket.getaddrinfo, host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


def _refusal(url: str, reason: str) -> ToolError:
    return ToolError(
        kind="blocked_by_policy",
        message=f"{url} is not allowed: {reason}",
        is_retryable=False,
        hint="Only public http(s) addresses can be read; pick another result.",
    )


@dataclass(frozen=True)
class _Verdict:
    """What the policy decided about one host: refused (with the reason), or the addresses to connect to."""

    reason: str | None
    addresses: tuple[str, ...] = ()


class UrlPolicy:
    """Decides whether a URL may be fetched; returns a `ToolError` instead of raising.

    Verdicts are cached for the policy's lifetime (one run), so the browser's many sub-requests to the
    same host cost one lookup, and the first verdict for a host is final: a later lookup that answers
    differently (DNS rebinding) changes nothing. `resolve` replaces the system resolver (tests).
    """

    def __init__(self, config: ResearchConfig, *, resolve: Resolver = resolve_with_system) -> None:
        self._allowed_hosts = frozenset(host.strip().lower() for host in config.allow_hosts)
        self._resolve = resolve
        self._verdict_by_host: dict[str, _Verdict] = {}

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
        verdict = self._known_verdict(host)
        if verdict is None:
            return False
        return _refusal(url, verdict.reason) if verdict.reason else None

    async def check(self, url: str) -> ToolError | None:
        """None when the URL may be fetched, else a `blocked_by_policy` (or `network`) error."""
        host, refusal = self.check_syntax(url)
        if refusal is not None:
            return refusal
        verdict = await self._verdict_for(host)
        if isinstance(verdict, ToolError):
            return verdict
        return _refusal(url, verdict.reason) if verdict.reason else None

    async def addresses_for(self, host: str) -> tuple[str, ...] | ToolError:
        """The addresses a connection to `host` may use: the ones this policy approved, never a fresh lookup's."""
        verdict = await self._verdict_for(host.lower().strip("[]"))
        if isinstance(verdict, ToolError):
            return verdict
        if verdict.reason:
            return _refusal(host, verdict.reason)
        return verdict.addresses

    def _known_verdict(self, host: str) -> _Verdict | None:
        """The verdict without DNS: cached, or decided by the literal address; None when a lookup is needed."""
        if host in self._verdict_by_host:
            return self._verdict_by_host[host]
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return None
        allowed = is_public_address(address) or self.is_allowed_host(host)
        verdict = _Verdict(None if allowed else f"{address} is a non-public address", (str(address),))
        self._verdict_by_host[host] = verdict
        return verdict

    async def _verdict_for(self, host: str) -> _Verdict | ToolError:
        known = self._known_verdict(host)
        if known is not None:
            return known
        try:
            resolved = await self._resolve(host)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            return ToolError(
                kind="network",
                message=f"cannot resolve {host}: {exc}",
                is_retryable=True,
                hint="The host name does not resolve; check the URL or try another result.",
            )
        addresses = tuple(dict.fromkeys(resolved))
        reason: str | None = None if addresses else f"{host} resolves to no address"
        if not self.is_allowed_host(host):
            for text in addresses:
                address = ipaddress.ip_address(text)
                if not is_public_address(address):
                    reason = f"{host} resolves to non-public address {address}"
                    break
        # The first verdict stays: a concurrent or later lookup cannot swap in other addresses.
        return self._verdict_by_host.setdefault(host, _Verdict(reason, addresses))
